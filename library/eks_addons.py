#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: eks_addons
short_description: Install, update and remove EKS add-ons at versions matching the cluster
description:
  - Installs each add-on in O(addons) on the cluster, at the version given or, when none is given, at the
    default version AWS lists for the cluster's Kubernetes version (DescribeAddonVersions with
    C(kubernetesVersion)), so add-ons follow the cluster when it is upgraded.
  - Updates an installed add-on whose version or service account role differs.
  - No collection manages EKS add-ons.
  - This module supports check mode and diff mode.
author:
  - Platform toolkit maintainers
options:
  cluster_name:
    description: Name of the cluster.
    required: true
    type: str
  addons:
    description: The add-ons.
    required: true
    type: list
    elements: dict
    suboptions:
      name:
        description: Add-on name, for example V(vpc-cni), V(coredns) or V(kube-proxy).
        type: str
        required: true
      version:
        description: Add-on version; empty for the default version of the cluster's Kubernetes version.
        type: str
        default: ""
      service_account_role_arn:
        description: IAM role of the add-on's service account (IRSA); empty for the node role.
        type: str
        default: ""
  state:
    description: V(present) installs or updates the add-ons; V(absent) removes them.
    choices: [present, absent]
    default: present
    type: str
  resolve_conflicts:
    description: What AWS does with fields of the add-on's Kubernetes objects changed outside EKS.
    choices: [OVERWRITE, NONE, PRESERVE]
    default: OVERWRITE
    type: str
  wait:
    description: Wait until each add-on is C(ACTIVE) (or gone).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for each add-on.
    type: int
    default: 900
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The core add-ons at the cluster's default versions
  eks_addons:
    cluster_name: rtap-dev-eks
    addons:
      - name: vpc-cni
      - name: coredns
      - name: kube-proxy
    tags:
      Layer: containers
"""

RETURN = r"""
addons:
  description: The add-ons after the run, by name (in check mode, the version they would get).
  returned: always
  type: dict
  contains:
    version:
      description: Add-on version.
      type: str
      sample: v1.19.2-eksbuild.1
    arn:
      description: Add-on ARN (empty in check mode for an add-on that would be installed).
      type: str
      sample: arn:aws:eks:eu-west-1:111122223333:addon/rtap-dev-eks/coredns/0123
    changes:
      description: What was (or would be) changed.
      type: list
      elements: str
      sample: ["install v1.11.4-eksbuild.2"]
"""

import time

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible.module_utils.eks import client_token, cluster_or_fail, describe_cluster, poll_delays
from ansible.module_utils.tag_plan import plan_tags


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def default_version(addon_versions, addon_name, cluster_version):
    """The version DescribeAddonVersions marks as default for cluster_version, or None."""
    for addon in addon_versions:
        if addon["addonName"] != addon_name:
            continue
        for version in addon.get("addonVersions", []):
            for compat in version.get("compatibilities", []):
                if compat.get("clusterVersion") == cluster_version and compat.get("defaultVersion"):
                    return version["addonVersion"]
    return None


def addon_changes(live, wanted_version, wanted_role):
    """The update request (or None) and its change names for an installed add-on."""
    request, changes = {}, []
    if live.get("addonVersion") != wanted_version:
        request["addonVersion"] = wanted_version
        changes.append(f"update version {live.get('addonVersion')} -> {wanted_version}")
    if (live.get("serviceAccountRoleArn") or "") != wanted_role:
        request["serviceAccountRoleArn"] = wanted_role
        changes.append("update service account role")
    return (request or None), changes


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


def describe_addon(client, cluster_name, name):
    try:
        return client.describe_addon(aws_retry=True, clusterName=cluster_name, addonName=name)["addon"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None


def wait_addon(client, module, cluster_name, name, gone=False):
    deadline = time.time() + module.params["wait_timeout"]
    delays = poll_delays()
    while True:
        addon = describe_addon(client, cluster_name, name)
        if gone and addon is None:
            return None
        if not gone and addon is not None and addon["status"] in ("ACTIVE", "DEGRADED"):
            # DEGRADED: installed, but its pods are not all healthy (for example no nodes yet).
            return addon
        if addon is not None and addon["status"] in ("CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED"):
            module.fail_json(msg=f"add-on {name} of {cluster_name}: {addon['status']}", addon=addon)
        if time.time() >= deadline:
            module.fail_json(msg=f"Timed out waiting for add-on {name} of {cluster_name}")
        time.sleep(next(delays))


def addon_versions(client, cluster_version, names):
    paginator = client.get_paginator("describe_addon_versions")
    result = []
    for name in names:
        result.extend(paginator.paginate(kubernetesVersion=cluster_version, addonName=name).build_full_result()["addons"])
    return result


def ensure(client, module):
    params = module.params
    cluster_name = params["cluster_name"]
    results, before, after = {}, {}, {}
    if params["state"] == "absent" and describe_cluster(client, cluster_name) is None:
        return {spec["name"]: {"version": "", "arn": "", "changes": []} for spec in params["addons"]}, before, after
    cluster = cluster_or_fail(client, module, cluster_name)
    if cluster is None:  # check mode, the cluster does not exist yet
        for spec in params["addons"]:
            results[spec["name"]] = {"version": spec["version"] or "default", "arn": "",
                                     "changes": ["install"] if params["state"] == "present" else []}
        return results, before, after

    if params["state"] == "absent":
        for spec in params["addons"]:
            live = describe_addon(client, cluster_name, spec["name"])
            results[spec["name"]] = {"version": "", "arn": "", "changes": ["remove"] if live else []}
            if live:
                before[spec["name"]] = live["addonVersion"]
                if not module.check_mode:
                    client.delete_addon(aws_retry=True, clusterName=cluster_name, addonName=spec["name"])
                    if params["wait"]:
                        wait_addon(client, module, cluster_name, spec["name"], gone=True)
        return results, before, after

    unpinned = [s["name"] for s in params["addons"] if not s["version"]]
    versions = addon_versions(client, cluster["version"], unpinned) if unpinned else []
    for spec in params["addons"]:
        name = spec["name"]
        wanted_version = spec["version"] or default_version(versions, name, cluster["version"])
        if not wanted_version:
            module.fail_json(msg=f"addons: AWS lists no default version of {name} for Kubernetes {cluster['version']}")
        live = describe_addon(client, cluster_name, name)
        after[name] = wanted_version
        if live is None:
            results[name] = {"version": wanted_version, "arn": "", "changes": [f"install {wanted_version}"]}
            if module.check_mode:
                continue
            request = dict(clusterName=cluster_name, addonName=name, addonVersion=wanted_version,
                           resolveConflicts=params["resolve_conflicts"],
                           clientRequestToken=client_token("addon", cluster_name, name, wanted_version))
            if spec["service_account_role_arn"]:
                request["serviceAccountRoleArn"] = spec["service_account_role_arn"]
            if params["tags"]:
                request["tags"] = params["tags"]
            client.create_addon(aws_retry=True, **request)
            live = wait_addon(client, module, cluster_name, name) if params["wait"] else describe_addon(client, cluster_name, name)
            results[name]["arn"] = live["addonArn"]
            continue

        before[name] = live["addonVersion"]
        request, changes = addon_changes(live, wanted_version, spec["service_account_role_arn"])
        _, to_set, to_unset = plan_tags(live.get("tags") or {}, params["tags"], params["purge_tags"])
        if to_set:
            changes.append(f"tag {sorted(to_set)}")
        if to_unset:
            changes.append(f"untag {sorted(to_unset)}")
        results[name] = {"version": wanted_version, "arn": live["addonArn"], "changes": changes}
        if module.check_mode or not changes:
            continue
        if request:
            client.update_addon(aws_retry=True, clusterName=cluster_name, addonName=name,
                                resolveConflicts=params["resolve_conflicts"],
                                clientRequestToken=client_token("addon-update", cluster_name, name, request), **request)
            if params["wait"]:
                wait_addon(client, module, cluster_name, name)
        if to_set:
            client.tag_resource(aws_retry=True, resourceArn=live["addonArn"], tags=to_set)
        if to_unset:
            client.untag_resource(aws_retry=True, resourceArn=live["addonArn"], tagKeys=to_unset)
    return results, before, after


def main():
    argument_spec = dict(
        cluster_name=dict(required=True),
        addons=dict(type="list", elements="dict", required=True, options=dict(
            name=dict(required=True),
            version=dict(default=""),
            service_account_role_arn=dict(default=""),
        )),
        state=dict(default="present", choices=["present", "absent"]),
        resolve_conflicts=dict(default="OVERWRITE", choices=["OVERWRITE", "NONE", "PRESERVE"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("eks", retry_decorator=AWSRetry.jittered_backoff())
    try:
        results, before, after = ensure(client, module)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Failed to converge the add-ons of {module.params['cluster_name']}")
    output = {"changed": any(r["changes"] for r in results.values()), "addons": results}
    if module._diff:
        output["diff"] = {"before": before, "after": after}
    module.exit_json(**output)


if __name__ == "__main__":
    main()
