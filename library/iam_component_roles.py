#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: iam_component_roles
short_description: Reconcile a set of IAM roles, each with its trust policy and inline policies, in one run
description:
  - Creates or updates every role in O(roles) in a single module run, with its trust policy, description,
    maximum session duration, permissions boundary, tags and inline policies.
  - Inline policies not declared are deleted and managed policies not listed in
    O(roles[].managed_policy_arns) are detached (O(purge_policies)), so a role holds exactly what is declared.
  - Roles are identified by name, which IAM keeps unique, so a retry after a failure finds the
    role the first attempt made instead of making another.
  - In check mode no mutating call is made, and the result and the diff say what a real run would change,
    including for roles that do not exist yet.
  - "Reads: when the task names 3 roles or more, the module reads every role of the account at once with two
    paginated calls, C(GetAccountAuthorizationDetails) (Filter=Role: trust policy, inline policies with their
    documents, attached managed policies, permissions boundary, tags, instance profiles) and C(ListRoles)
    (description and maximum session duration, which the first one does not return), 1000 roles a page.
    The count of calls then does not grow with the number of roles; on an account with thousands of roles
    the pages are large, and neither call can be narrowed: the component roles use the default path C(/)."
  - "With fewer roles, or when the caller may not call C(GetAccountAuthorizationDetails) (AccessDenied), each
    role is read on its own: C(GetRole), C(ListRolePolicies), C(GetRolePolicy) per declared inline policy,
    C(ListAttachedRolePolicies), and with O(state=absent) C(ListInstanceProfilesForRole)."
  - The stock M(amazon.aws.iam_role) and M(amazon.aws.iam_policy) need one run per role and per policy,
    and M(amazon.aws.iam_policy) fails in check mode when the role does not exist yet.
version_added: 1.0.0
author:
  - Platform toolkit maintainers
options:
  roles:
    description: The roles to reconcile.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Role name.
        type: str
        required: true
      assume_role_policy:
        description: Trust policy document. Required when O(state=present).
        type: dict
      inline_policies:
        description: Inline policies, by policy name.
        type: dict
        default: {}
      managed_policy_arns:
        description:
          - ARNs of managed policies (AWS managed or customer managed) attached to the role and kept attached.
          - Managed policies attached to the role but not listed here are detached when O(purge_policies=true).
        type: list
        elements: str
        default: []
      description:
        description: Role description.
        type: str
        default: ""
      max_session_duration:
        description: Maximum session duration in seconds (3600-43200).
        type: int
        default: 3600
      boundary:
        description: ARN of the managed policy used as permissions boundary; empty for none.
        type: str
        default: ""
      tags:
        description: Tags of the role.
        type: dict
        default: {}
  purge_policies:
    description: Delete inline policies that are not declared and detach every managed policy not listed in O(roles[].managed_policy_arns).
    type: bool
    default: true
  purge_tags:
    description: Remove tags that are not declared.
    type: bool
    default: true
  state:
    description: V(present) creates or updates the roles; V(absent) deletes them with their policies.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Two component roles with their least-privilege inline policies
  iam_component_roles:
    roles:
      - name: rtap-dev-todo-api
        description: to-do service
        assume_role_policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: {Service: lambda.amazonaws.com}
              Action: sts:AssumeRole
        inline_policies:
          access:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [dynamodb:GetItem, dynamodb:PutItem]
                Resource: [arn:aws:dynamodb:eu-west-1:111122223333:table/rtap-dev-todos]
        tags: {Layer: api}

- name: A role that holds AWS managed policies only
  iam_component_roles:
    roles:
      - name: rtap-dev-eks-cluster
        assume_role_policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: {Service: eks.amazonaws.com}
              Action: sts:AssumeRole
        managed_policy_arns:
          - arn:aws:iam::aws:policy/AmazonEKSClusterPolicy

- name: Delete them
  iam_component_roles:
    roles:
      - name: rtap-dev-todo-api
    state: absent
"""

RETURN = r"""
roles:
  description: The roles after the run, by name.
  returned: always
  type: dict
  contains:
    arn:
      description: Role ARN (empty in check mode for a role that would be created).
      type: str
      sample: arn:aws:iam::111122223333:role/rtap-dev-todo-api
    changes:
      description: What was (or, in check mode, would be) changed on the role.
      type: list
      elements: str
      sample: ["create role", "put inline policy access", "attach managed policy arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]
"""

import json

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
    compare_aws_tags,
)


# From this many roles on, one task reads every role of the account in two paginated calls
# instead of 3 or more calls per role (see DOCUMENTATION).
BULK_READ_MIN_ROLES = 3
# The largest page GetAccountAuthorizationDetails and ListRoles allow.
PAGE_SIZE = 1000


def plan_managed_policies(live, wanted, purge):
    """(to attach, to detach): the declared ARNs not attached yet; with purge, the attached ones not declared."""
    to_attach = sorted(set(wanted) - set(live))
    to_detach = sorted(set(live) - set(wanted)) if purge else []
    return to_attach, to_detach


def _is_not_found(error):
    return isinstance(error, ClientError) and error.response["Error"]["Code"] == "NoSuchEntity"


def _is_access_denied(error):
    return isinstance(error, ClientError) and error.response["Error"]["Code"] in ("AccessDenied", "AccessDeniedException")


def live_view(role, inline, managed, instance_profiles):
    """What the reconciler compares, the same whichever way the role was read.

    inline maps each inline policy name to its document, or to None when the document was not read;
    instance_profiles is None when they were not read."""
    return {
        "arn": role["Arn"],
        "trust": role.get("AssumeRolePolicyDocument") or {},
        "description": role.get("Description") or "",
        "max_session_duration": role.get("MaxSessionDuration", 3600),
        "boundary": (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn", ""),
        "tags": boto3_tag_list_to_ansible_dict(role.get("Tags") or []),
        "inline": inline,
        "managed": managed,
        "instance_profiles": instance_profiles,
    }


def read_role(client, name, documents_for=()):
    """The live view of one role read on its own, or None if it does not exist; the documents of the
    inline policies named in documents_for are read, the others are only listed."""
    try:
        role = client.get_role(aws_retry=True, RoleName=name)["Role"]  # GetRole returns the tags too
    except ClientError as e:
        if _is_not_found(e):
            return None
        raise
    names = [n for page in client.get_paginator("list_role_policies").paginate(RoleName=name) for n in page["PolicyNames"]]
    inline = {
        n: client.get_role_policy(aws_retry=True, RoleName=name, PolicyName=n)["PolicyDocument"] if n in documents_for else None
        for n in names
    }
    managed = [p["PolicyArn"] for page in client.get_paginator("list_attached_role_policies").paginate(RoleName=name)
               for p in page["AttachedPolicies"]]
    return live_view(role, inline, managed, instance_profiles=None)


def read_roles_in_bulk(client, names):
    """{name: live view} for those of names that exist, from two paginated calls over all the account's roles."""
    wanted = set(names)
    details = {}
    pages = client.get_paginator("get_account_authorization_details").paginate(
        Filter=["Role"], PaginationConfig={"PageSize": PAGE_SIZE})
    for page in pages:
        details.update((d["RoleName"], d) for d in page["RoleDetailList"] if d["RoleName"] in wanted)
    # RoleDetail has no Description nor MaxSessionDuration: ListRoles has them.
    summaries = {}
    for page in client.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": PAGE_SIZE}):
        summaries.update((r["RoleName"], r) for r in page["Roles"] if r["RoleName"] in details)
    views = {}
    for name, detail in details.items():
        if name not in summaries:  # made between the two calls: read it on its own
            views[name] = read_role(client, name, [p["PolicyName"] for p in detail.get("RolePolicyList", [])])
            continue
        role = dict(detail, Description=summaries[name].get("Description"),
                    MaxSessionDuration=summaries[name].get("MaxSessionDuration", 3600))
        views[name] = live_view(
            role,
            inline={p["PolicyName"]: p["PolicyDocument"] for p in detail.get("RolePolicyList", [])},
            managed=[p["PolicyArn"] for p in detail.get("AttachedManagedPolicies", [])],
            instance_profiles=[p["InstanceProfileName"] for p in detail.get("InstanceProfileList", [])],
        )
    return views


def read_live_roles(client, specs):
    """{name: live view or None} for every declared role, in bulk or role by role (see BULK_READ_MIN_ROLES)."""
    names = [spec["name"] for spec in specs]
    if len(set(names)) >= BULK_READ_MIN_ROLES:
        try:
            views = read_roles_in_bulk(client, names)
            return {name: views.get(name) for name in names}
        except ClientError as e:
            if not _is_access_denied(e):
                raise
            # A caller without iam:GetAccountAuthorizationDetails still gets its roles read one by one.
    return {spec["name"]: read_role(client, spec["name"], spec["inline_policies"]) for spec in specs}


class RoleReconciler:
    """Brings one role to its declaration; records every change it makes (or would make)."""

    def __init__(self, module, client, spec, live):
        self.module = module
        self.client = client
        self.spec = spec
        self.name = spec["name"]
        self.live = live  # the role's live view (read_live_roles), None if it does not exist
        self.changes = []

    def call(self, change, method, **kwargs):
        self.changes.append(change)
        if not self.module.check_mode:
            return getattr(self.client, method)(aws_retry=True, **kwargs)
        return None

    def present(self):
        if self.live is None:
            arn = self.create()
        else:
            arn = self.live["arn"]
            self.update()
        self.sync_policies()
        return {"arn": arn, "changes": self.changes}

    def create(self):
        """Create the role; its ARN ("" in check mode). self.live then holds the new (empty) role."""
        params = dict(
            RoleName=self.name,
            AssumeRolePolicyDocument=json.dumps(self.spec["assume_role_policy"]),
            Description=self.spec["description"],
            MaxSessionDuration=self.spec["max_session_duration"],
            Tags=ansible_dict_to_boto3_tag_list(self.spec["tags"]),
        )
        if self.spec["boundary"]:
            params["PermissionsBoundary"] = self.spec["boundary"]
        try:
            result = self.call("create role", "create_role", **params)
        except ClientError as e:
            if e.response["Error"]["Code"] != "EntityAlreadyExists":
                raise
            # A retried create whose first attempt succeeded: adopt that role.
            self.changes.pop()
            self.live = read_role(self.client, self.name, self.spec["inline_policies"])
            self.update()
            return self.live["arn"]
        if result is None:  # check mode: nothing exists, every policy would be put or attached
            self.live = None
            return ""
        self.client.get_waiter("role_exists").wait(RoleName=self.name)
        self.live = live_view(result["Role"], inline={}, managed=[], instance_profiles=[])
        return result["Role"]["Arn"]

    def update(self):
        live = self.live
        if compare_policies(live["trust"], self.spec["assume_role_policy"]):
            self.call("update trust policy", "update_assume_role_policy", RoleName=self.name,
                      PolicyDocument=json.dumps(self.spec["assume_role_policy"]))
        if live["description"] != self.spec["description"] or \
                live["max_session_duration"] != self.spec["max_session_duration"]:
            self.call("update description and session duration", "update_role", RoleName=self.name,
                      Description=self.spec["description"], MaxSessionDuration=self.spec["max_session_duration"])
        if live["boundary"] != self.spec["boundary"]:
            if self.spec["boundary"]:
                self.call("set permissions boundary", "put_role_permissions_boundary", RoleName=self.name,
                          PermissionsBoundary=self.spec["boundary"])
            else:
                self.call("remove permissions boundary", "delete_role_permissions_boundary", RoleName=self.name)
        to_set, to_remove = compare_aws_tags(live["tags"], self.spec["tags"], self.module.params["purge_tags"])
        if to_set:
            self.call(f"tag {sorted(to_set)}", "tag_role", RoleName=self.name, Tags=ansible_dict_to_boto3_tag_list(to_set))
        if to_remove:
            self.call(f"untag {sorted(to_remove)}", "untag_role", RoleName=self.name, TagKeys=to_remove)

    def sync_policies(self):
        exists = self.live is not None
        declared = self.spec["inline_policies"]
        live_inline = self.live["inline"] if exists else {}
        for policy_name, document in sorted(declared.items()):
            live = live_inline.get(policy_name)
            if live is None or compare_policies(live, document):
                self.call(f"put inline policy {policy_name}", "put_role_policy", RoleName=self.name,
                          PolicyName=policy_name, PolicyDocument=json.dumps(document))
        wanted_managed = self.spec.get("managed_policy_arns") or []
        live_managed = self.live["managed"] if exists else []
        to_attach, to_detach = plan_managed_policies(live_managed, wanted_managed, self.module.params["purge_policies"])
        for arn in to_attach:
            self.call(f"attach managed policy {arn}", "attach_role_policy", RoleName=self.name, PolicyArn=arn)
        if not self.module.params["purge_policies"] or not exists:
            return
        for policy_name in sorted(set(live_inline) - set(declared)):
            self.call(f"delete inline policy {policy_name}", "delete_role_policy", RoleName=self.name, PolicyName=policy_name)
        for arn in to_detach:
            self.call(f"detach managed policy {arn}", "detach_role_policy", RoleName=self.name, PolicyArn=arn)

    def absent(self):
        if self.live is None:
            return {"arn": "", "changes": []}
        for policy_name in self.live["inline"]:
            self.call(f"delete inline policy {policy_name}", "delete_role_policy", RoleName=self.name, PolicyName=policy_name)
        for arn in self.live["managed"]:
            self.call(f"detach managed policy {arn}", "detach_role_policy", RoleName=self.name, PolicyArn=arn)
        profiles = self.live["instance_profiles"]
        if profiles is None:  # read role by role: instance profiles are only listed to delete the role
            profiles = [p["InstanceProfileName"] for p in
                        self.client.list_instance_profiles_for_role(aws_retry=True, RoleName=self.name)["InstanceProfiles"]]
        for profile in profiles:
            self.call(f"remove from instance profile {profile}", "remove_role_from_instance_profile",
                      RoleName=self.name, InstanceProfileName=profile)
        self.call("delete role", "delete_role", RoleName=self.name)
        return {"arn": self.live["arn"], "changes": self.changes}


def main():
    role_spec = dict(
        name=dict(type="str", required=True),
        assume_role_policy=dict(type="dict"),
        inline_policies=dict(type="dict", default={}),
        managed_policy_arns=dict(type="list", elements="str", default=[]),
        description=dict(type="str", default=""),
        max_session_duration=dict(type="int", default=3600),
        boundary=dict(type="str", default=""),
        tags=dict(type="dict", default={}),
    )
    module = AnsibleAWSModule(
        argument_spec=dict(
            roles=dict(type="list", elements="dict", required=True, options=role_spec),
            purge_policies=dict(type="bool", default=True),
            purge_tags=dict(type="bool", default=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        supports_check_mode=True,
    )
    state = module.params["state"]
    if state == "present":
        missing = [r["name"] for r in module.params["roles"] if not r.get("assume_role_policy")]
        if missing:
            module.fail_json(msg=f"roles: assume_role_policy is required with state=present, missing for {missing}")

    client = module.client("iam", retry_decorator=AWSRetry.jittered_backoff())
    results = {}
    try:
        live_roles = read_live_roles(client, module.params["roles"])
        for spec in module.params["roles"]:
            reconciler = RoleReconciler(module, client, spec, live_roles[spec["name"]])
            results[spec["name"]] = reconciler.present() if state == "present" else reconciler.absent()
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(e, msg="Failed to reconcile IAM roles")

    changed = any(r["changes"] for r in results.values())
    output = dict(changed=changed, roles=results)
    if module._diff:
        changed_roles = {name: r["changes"] for name, r in results.items() if r["changes"]}
        output["diff"] = dict(before={name: "live" for name in changed_roles}, after=changed_roles)
    module.exit_json(**output)


if __name__ == "__main__":
    main()
