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


def plan_managed_policies(live, wanted, purge):
    """(to attach, to detach): the declared ARNs not attached yet; with purge, the attached ones not declared."""
    to_attach = sorted(set(wanted) - set(live))
    to_detach = sorted(set(live) - set(wanted)) if purge else []
    return to_attach, to_detach


def _is_not_found(error):
    return isinstance(error, ClientError) and error.response["Error"]["Code"] == "NoSuchEntity"


class RoleReconciler:
    """Brings one role to its declaration; records every change it makes (or would make)."""

    def __init__(self, module, client, spec):
        self.module = module
        self.client = client
        self.spec = spec
        self.name = spec["name"]
        self.changes = []

    def call(self, change, method, **kwargs):
        self.changes.append(change)
        if not self.module.check_mode:
            return getattr(self.client, method)(aws_retry=True, **kwargs)
        return None

    def live_role(self):
        try:
            return self.client.get_role(aws_retry=True, RoleName=self.name)["Role"]
        except ClientError as e:
            if _is_not_found(e):
                return None
            raise

    def present(self):
        role = self.live_role()
        if role is None:
            role = self.create()
        else:
            self.update(role)
        self.sync_policies(exists=role is not None and bool(role.get("Arn")))
        return {"arn": (role or {}).get("Arn", ""), "changes": self.changes}

    def create(self):
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
            role = self.live_role()
            self.update(role)
            return role
        if result is None:  # check mode
            return {"Arn": ""}
        self.client.get_waiter("role_exists").wait(RoleName=self.name)
        return result["Role"]

    def update(self, role):
        if compare_policies(role.get("AssumeRolePolicyDocument") or {}, self.spec["assume_role_policy"]):
            self.call("update trust policy", "update_assume_role_policy", RoleName=self.name,
                      PolicyDocument=json.dumps(self.spec["assume_role_policy"]))
        if (role.get("Description") or "") != self.spec["description"] or \
                role.get("MaxSessionDuration", 3600) != self.spec["max_session_duration"]:
            self.call("update description and session duration", "update_role", RoleName=self.name,
                      Description=self.spec["description"], MaxSessionDuration=self.spec["max_session_duration"])
        live_boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn", "")
        if live_boundary != self.spec["boundary"]:
            if self.spec["boundary"]:
                self.call("set permissions boundary", "put_role_permissions_boundary", RoleName=self.name,
                          PermissionsBoundary=self.spec["boundary"])
            else:
                self.call("remove permissions boundary", "delete_role_permissions_boundary", RoleName=self.name)
        live_tags = boto3_tag_list_to_ansible_dict(
            self.client.list_role_tags(aws_retry=True, RoleName=self.name).get("Tags", []))
        to_set, to_remove = compare_aws_tags(live_tags, self.spec["tags"], self.module.params["purge_tags"])
        if to_set:
            self.call(f"tag {sorted(to_set)}", "tag_role", RoleName=self.name, Tags=ansible_dict_to_boto3_tag_list(to_set))
        if to_remove:
            self.call(f"untag {sorted(to_remove)}", "untag_role", RoleName=self.name, TagKeys=to_remove)

    def sync_policies(self, exists):
        declared = self.spec["inline_policies"]
        live_names = self.inline_policy_names() if exists else []
        for policy_name, document in sorted(declared.items()):
            live = None
            if policy_name in live_names:
                live = self.client.get_role_policy(aws_retry=True, RoleName=self.name, PolicyName=policy_name)["PolicyDocument"]
            if live is None or compare_policies(live, document):
                self.call(f"put inline policy {policy_name}", "put_role_policy", RoleName=self.name,
                          PolicyName=policy_name, PolicyDocument=json.dumps(document))
        wanted_managed = self.spec.get("managed_policy_arns") or []
        live_managed = [p["PolicyArn"] for p in self.attached_policies()] if exists else []
        to_attach, to_detach = plan_managed_policies(live_managed, wanted_managed, self.module.params["purge_policies"])
        for arn in to_attach:
            self.call(f"attach managed policy {arn}", "attach_role_policy", RoleName=self.name, PolicyArn=arn)
        if not self.module.params["purge_policies"] or not exists:
            return
        for policy_name in sorted(set(live_names) - set(declared)):
            self.call(f"delete inline policy {policy_name}", "delete_role_policy", RoleName=self.name, PolicyName=policy_name)
        for arn in to_detach:
            self.call(f"detach managed policy {arn}", "detach_role_policy", RoleName=self.name, PolicyArn=arn)

    def inline_policy_names(self):
        paginator = self.client.get_paginator("list_role_policies")
        return [n for page in paginator.paginate(RoleName=self.name) for n in page["PolicyNames"]]

    def attached_policies(self):
        paginator = self.client.get_paginator("list_attached_role_policies")
        return [p for page in paginator.paginate(RoleName=self.name) for p in page["AttachedPolicies"]]

    def absent(self):
        role = self.live_role()
        if role is None:
            return {"arn": "", "changes": []}
        for policy_name in self.inline_policy_names():
            self.call(f"delete inline policy {policy_name}", "delete_role_policy", RoleName=self.name, PolicyName=policy_name)
        for attached in self.attached_policies():
            self.call(f"detach managed policy {attached['PolicyArn']}", "detach_role_policy", RoleName=self.name,
                      PolicyArn=attached["PolicyArn"])
        profiles = self.client.list_instance_profiles_for_role(aws_retry=True, RoleName=self.name)["InstanceProfiles"]
        for profile in profiles:
            self.call(f"remove from instance profile {profile['InstanceProfileName']}", "remove_role_from_instance_profile",
                      RoleName=self.name, InstanceProfileName=profile["InstanceProfileName"])
        self.call("delete role", "delete_role", RoleName=self.name)
        return {"arn": role["Arn"], "changes": self.changes}


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
        for spec in module.params["roles"]:
            reconciler = RoleReconciler(module, client, spec)
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
