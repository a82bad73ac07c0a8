#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: eks_access_entries
short_description: Grant IAM principals access to an EKS cluster with access entries and access policies
description:
  - Creates an access entry for each principal in O(entries) and associates exactly the access policies
    declared for it (other associations of that entry are removed), with their scope (cluster or namespaces).
  - With O(purge_entries=true), STANDARD access entries of principals not declared are deleted; entries EKS
    makes for node roles and Fargate profiles (types C(EC2_LINUX), C(EC2_WINDOWS), C(FARGATE_LINUX)) are never touched.
  - The cluster's authentication mode must be C(API) or C(API_AND_CONFIG_MAP).
  - No collection manages EKS access entries.
  - This module supports check mode and diff mode.
author:
  - Platform toolkit maintainers
options:
  cluster_name:
    description: Name of the cluster.
    required: true
    type: str
  entries:
    description: The access entries.
    required: true
    type: list
    elements: dict
    suboptions:
      principal_arn:
        description: ARN of the IAM role or user.
        type: str
        required: true
      kubernetes_groups:
        description: Kubernetes groups the principal is put in (for RBAC bindings of your own).
        type: list
        elements: str
        default: []
      policies:
        description: Access policies associated with the entry.
        type: list
        elements: dict
        default: []
        suboptions:
          policy_arn:
            description: ARN of the access policy, for example V(arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy).
            type: str
            required: true
          namespaces:
            description: Namespaces the policy applies to; empty for the whole cluster.
            type: list
            elements: str
            default: []
  purge_entries:
    description: Delete STANDARD access entries of principals not in O(entries).
    type: bool
    default: false
  state:
    description: V(present) creates or updates the entries; V(absent) deletes the entries of O(entries).
    choices: [present, absent]
    default: present
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The platform admins get cluster admin
  eks_access_entries:
    cluster_name: rtap-dev-eks
    entries:
      - principal_arn: arn:aws:iam::111122223333:role/platform-admin
        policies:
          - policy_arn: arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy
      - principal_arn: arn:aws:iam::111122223333:role/orders-team
        policies:
          - policy_arn: arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy
            namespaces: [orders]
"""

RETURN = r"""
entries:
  description: What was (or, in check mode, would be) changed, by principal ARN.
  returned: always
  type: dict
  sample: {"arn:aws:iam::111122223333:role/platform-admin": ["create entry", "associate AmazonEKSClusterAdminPolicy"]}
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible.module_utils.eks import client_token, cluster_or_fail, describe_cluster
from ansible.module_utils.tag_plan import plan_tags

MANAGED_BY_EKS = ("EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "EC2", "HYBRID_LINUX", "HYPERPOD_LINUX")


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def scope_of(policy):
    namespaces = sorted(policy.get("namespaces") or [])
    return {"type": "namespace", "namespaces": namespaces} if namespaces else {"type": "cluster"}


def live_scope(associated):
    scope = associated.get("accessScope") or {}
    namespaces = sorted(scope.get("namespaces") or [])
    return {"type": "namespace", "namespaces": namespaces} if scope.get("type") == "namespace" else {"type": "cluster"}


def plan_policies(associated, declared):
    """(policy ARN -> scope to associate, policy ARNs to disassociate)."""
    live = {p["policyArn"]: live_scope(p) for p in associated}
    wanted = {p["policy_arn"]: scope_of(p) for p in declared}
    to_associate = {arn: scope for arn, scope in sorted(wanted.items()) if live.get(arn) != scope}
    to_disassociate = sorted(set(live) - set(wanted))
    return to_associate, to_disassociate


def short(policy_arn):
    return policy_arn.rsplit("/", 1)[-1]


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


def describe_entry(client, cluster_name, principal):
    try:
        return client.describe_access_entry(aws_retry=True, clusterName=cluster_name, principalArn=principal)["accessEntry"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None


def associated_policies(client, cluster_name, principal):
    paginator = client.get_paginator("list_associated_access_policies")
    return paginator.paginate(clusterName=cluster_name, principalArn=principal).build_full_result()["associatedAccessPolicies"]


def list_entries(client, cluster_name):
    paginator = client.get_paginator("list_access_entries")
    return paginator.paginate(clusterName=cluster_name).build_full_result()["accessEntries"]


def converge_entry(client, module, cluster_name, spec):
    principal = spec["principal_arn"]
    mutate = not module.check_mode
    changes, before, after = [], None, {"kubernetes_groups": sorted(spec["kubernetes_groups"]),
                                         "policies": {short(p["policy_arn"]): scope_of(p) for p in spec["policies"]}}
    entry = describe_entry(client, cluster_name, principal) if cluster_name else None
    if entry is None:
        changes.append("create entry")
        if mutate:
            request = dict(clusterName=cluster_name, principalArn=principal, type="STANDARD",
                           kubernetesGroups=spec["kubernetes_groups"],
                           clientRequestToken=client_token("access-entry", cluster_name, principal))
            if module.params["tags"]:
                request["tags"] = module.params["tags"]
            client.create_access_entry(aws_retry=True, **request)
        associated = []
    else:
        associated = associated_policies(client, cluster_name, principal)
        before = {"kubernetes_groups": sorted(entry.get("kubernetesGroups") or []),
                  "policies": {short(p["policyArn"]): live_scope(p) for p in associated}}
        if sorted(entry.get("kubernetesGroups") or []) != sorted(spec["kubernetes_groups"]):
            changes.append("update kubernetes groups")
            if mutate:
                client.update_access_entry(aws_retry=True, clusterName=cluster_name, principalArn=principal,
                                           kubernetesGroups=spec["kubernetes_groups"])
        _, to_set, to_unset = plan_tags(entry.get("tags") or {}, module.params["tags"], module.params["purge_tags"])
        if to_set:
            changes.append(f"tag {sorted(to_set)}")
            if mutate:
                client.tag_resource(aws_retry=True, resourceArn=entry["accessEntryArn"], tags=to_set)
        if to_unset:
            changes.append(f"untag {sorted(to_unset)}")
            if mutate:
                client.untag_resource(aws_retry=True, resourceArn=entry["accessEntryArn"], tagKeys=to_unset)
    to_associate, to_disassociate = plan_policies(associated, spec["policies"])
    for policy_arn, scope in to_associate.items():
        changes.append(f"associate {short(policy_arn)}")
        if mutate:
            client.associate_access_policy(aws_retry=True, clusterName=cluster_name, principalArn=principal,
                                           policyArn=policy_arn, accessScope=scope)
    for policy_arn in to_disassociate:
        changes.append(f"disassociate {short(policy_arn)}")
        if mutate:
            client.disassociate_access_policy(aws_retry=True, clusterName=cluster_name, principalArn=principal,
                                              policyArn=policy_arn)
    return changes, before, after


def main():
    argument_spec = dict(
        cluster_name=dict(required=True),
        entries=dict(type="list", elements="dict", required=True, options=dict(
            principal_arn=dict(required=True),
            kubernetes_groups=dict(type="list", elements="str", default=[]),
            policies=dict(type="list", elements="dict", default=[], options=dict(
                policy_arn=dict(required=True),
                namespaces=dict(type="list", elements="str", default=[]),
            )),
        )),
        purge_entries=dict(type="bool", default=False),
        state=dict(default="present", choices=["present", "absent"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    cluster_name = params["cluster_name"]
    client = module.client("eks", retry_decorator=AWSRetry.jittered_backoff())
    results, before, after = {}, {}, {}
    try:
        if params["state"] == "absent":
            cluster = describe_cluster(client, cluster_name)
        else:
            cluster = cluster_or_fail(client, module, cluster_name)
        declared = [e["principal_arn"] for e in params["entries"]]
        if params["state"] == "absent":
            for principal in declared:
                exists = cluster is not None and describe_entry(client, cluster_name, principal) is not None
                results[principal] = ["delete entry"] if exists else []
                if exists:
                    before[principal] = "present"
                    if not module.check_mode:
                        client.delete_access_entry(aws_retry=True, clusterName=cluster_name, principalArn=principal)
        else:
            for spec in params["entries"]:
                if cluster is None:  # check mode, the cluster does not exist yet
                    results[spec["principal_arn"]] = ["create entry"] + [f"associate {short(p['policy_arn'])}" for p in spec["policies"]]
                    continue
                changes, was, will = converge_entry(client, module, cluster_name, spec)
                results[spec["principal_arn"]] = changes
                if changes:
                    before[spec["principal_arn"]] = was
                    after[spec["principal_arn"]] = will
            if params["purge_entries"] and cluster is not None:
                for principal in sorted(set(list_entries(client, cluster_name)) - set(declared)):
                    entry = describe_entry(client, cluster_name, principal)
                    if entry is None or entry.get("type") in MANAGED_BY_EKS:
                        continue
                    results[principal] = ["delete entry"]
                    before[principal] = "present"
                    if not module.check_mode:
                        client.delete_access_entry(aws_retry=True, clusterName=cluster_name, principalArn=principal)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Failed to converge the access entries of {cluster_name}")
    output = {"changed": any(results.values()), "entries": results}
    if module._diff:
        output["diff"] = {"before": before, "after": after}
    module.exit_json(**output)


if __name__ == "__main__":
    main()
