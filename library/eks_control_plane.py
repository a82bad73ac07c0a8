#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: eks_control_plane
short_description: Create, update and delete an EKS cluster with its endpoint access, logging and secrets encryption
description:
  - Creates an EKS cluster (control plane) with its Kubernetes version, IAM role, subnets, security groups,
    public and private endpoint access, public access CIDRs, control-plane log types, envelope encryption
    of Kubernetes secrets with a KMS key, authentication mode and tags.
  - Updates in place what AWS can change on a live cluster, one update at a time, waiting for the cluster to be
    C(ACTIVE) between them; the Kubernetes version (one minor version per run, as AWS allows), endpoint access
    and CIDRs, log types, authentication mode (towards C(API) only), secrets encryption (can be added once) and tags.
  - Fails, naming the setting and changing nothing, when asked for what AWS cannot change (IAM role, subnets,
    security groups, a different encryption key, a downgrade).
  - M(community.aws.eks_cluster) has no endpoint access, logging, encryption or authentication mode options.
  - This module supports check mode and diff mode.
author:
  - Platform toolkit maintainers
options:
  name:
    description: Name of the cluster.
    required: true
    type: str
  state:
    description: V(present) creates or updates the cluster; V(absent) deletes it.
    choices: [present, absent]
    default: present
    type: str
  version:
    description: Kubernetes minor version, for example V(1.33).
    type: str
  role_arn:
    description: ARN of the IAM role the control plane uses. Required to create the cluster.
    type: str
  subnet_ids:
    description: Subnets of the cluster's network interfaces. Required to create the cluster.
    type: list
    elements: str
  security_group_ids:
    description: Security groups of the cluster's network interfaces, besides the cluster security group EKS makes.
    type: list
    elements: str
    default: []
  endpoint_public_access:
    description: Whether the Kubernetes API endpoint is reachable from the internet.
    type: bool
    default: true
  endpoint_private_access:
    description: Whether the Kubernetes API endpoint is reachable from inside the VPC.
    type: bool
    default: false
  public_access_cidrs:
    description: CIDR blocks allowed to reach the public endpoint; ignored when O(endpoint_public_access=false).
    type: list
    elements: str
    default: ["0.0.0.0/0"]
  log_types:
    description: Control-plane log types sent to CloudWatch Logs (the others are disabled).
    type: list
    elements: str
    choices: [api, audit, authenticator, controllerManager, scheduler]
    default: []
  encryption_key_arn:
    description: ARN of the KMS key for envelope encryption of Kubernetes secrets; empty for none.
    type: str
    default: ""
  authentication_mode:
    description: How principals are mapped to Kubernetes identities; access entries need V(API) or V(API_AND_CONFIG_MAP).
    type: str
    choices: [CONFIG_MAP, API_AND_CONFIG_MAP, API]
    default: API_AND_CONFIG_MAP
  wait:
    description: Wait until the cluster is C(ACTIVE) after a change, or gone after deletion.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for each change.
    type: int
    default: 1800
notes:
  - The create request carries a client token derived from the cluster name and settings, so a retried
    create does not make a second cluster; a cluster of that name that already exists is updated.
  - A cluster created by this module grants its creator cluster-admin (C(bootstrapClusterCreatorAdminPermissions)).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A private cluster with every control-plane log and encrypted secrets
  eks_control_plane:
    name: rtap-prod-eks
    version: "1.33"
    role_arn: arn:aws:iam::111122223333:role/rtap-prod-eks-cluster
    subnet_ids: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
    security_group_ids: [sg-0123456789abcdef0]
    endpoint_public_access: false
    endpoint_private_access: true
    log_types: [api, audit, authenticator, controllerManager, scheduler]
    encryption_key_arn: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
    tags:
      Layer: containers
  register: cluster

- name: Delete it
  eks_control_plane:
    name: rtap-prod-eks
    state: absent
"""

RETURN = r"""
cluster:
  description:
    - The cluster as DescribeCluster returns it, snake_cased (tags as a dict).
    - In check mode, the cluster as it currently exists (empty if it does not exist yet).
    - With O(state=absent), the cluster as it was before deletion (its OIDC issuer, for example).
  returned: always
  type: dict
  contains:
    arn:
      description: Cluster ARN.
      type: str
      sample: arn:aws:eks:eu-west-1:111122223333:cluster/rtap-prod-eks
    endpoint:
      description: URL of the Kubernetes API server.
      type: str
      sample: https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com
    certificate_authority:
      description: The cluster CA, C(data) base64-encoded.
      type: dict
      sample: {"data": "LS0tLS1CRUdJTi..."}
    identity:
      description: The cluster's OIDC issuer (C(oidc.issuer)).
      type: dict
      sample: {"oidc": {"issuer": "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF"}}
    version:
      description: Kubernetes version.
      type: str
      sample: "1.33"
    status:
      description: Cluster status.
      type: str
      sample: ACTIVE
changes:
  description: What was (or, in check mode, would be) changed, in order.
  returned: always
  type: list
  elements: str
  sample: ["update endpoint access", "update logging"]
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible.module_utils.eks import client_token, describe_cluster, wait_cluster
from ansible.module_utils.tag_plan import plan_tags

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
# Where authentication_mode can go from each mode (AWS allows only a move towards API).
AUTH_MODE_MOVES = {"CONFIG_MAP": ("API_AND_CONFIG_MAP", "API"), "API_AND_CONFIG_MAP": ("API",), "API": ()}


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def minor(version):
    """(major, minor) of a Kubernetes version string."""
    parts = str(version).split(".")
    return int(parts[0]), int(parts[1])


def desired_state(params):
    public = params["endpoint_public_access"]
    return {
        "version": params["version"],
        "endpoint_public_access": public,
        "endpoint_private_access": params["endpoint_private_access"],
        "public_access_cidrs": sorted(params["public_access_cidrs"]) if public else [],
        "log_types": sorted(params["log_types"]),
        "encryption_key_arn": params["encryption_key_arn"],
        "authentication_mode": params["authentication_mode"],
        "role_arn": params["role_arn"],
        "subnet_ids": sorted(params["subnet_ids"] or []),
        "security_group_ids": sorted(params["security_group_ids"]),
    }


def live_state(cluster):
    vpc = cluster.get("resourcesVpcConfig") or {}
    public = vpc.get("endpointPublicAccess", True)
    enabled = [t for entry in (cluster.get("logging") or {}).get("clusterLogging", []) if entry.get("enabled")
               for t in entry.get("types", [])]
    keys = [c.get("provider", {}).get("keyArn", "") for c in cluster.get("encryptionConfig") or []
            if "secrets" in c.get("resources", [])]
    return {
        "version": cluster.get("version"),
        "endpoint_public_access": public,
        "endpoint_private_access": vpc.get("endpointPrivateAccess", False),
        "public_access_cidrs": sorted(vpc.get("publicAccessCidrs") or []) if public else [],
        "log_types": sorted(set(enabled)),
        "encryption_key_arn": keys[0] if keys else "",
        "authentication_mode": (cluster.get("accessConfig") or {}).get("authenticationMode", "CONFIG_MAP"),
        "role_arn": cluster.get("roleArn"),
        "subnet_ids": sorted(vpc.get("subnetIds") or []),
        "security_group_ids": sorted(vpc.get("securityGroupIds") or []),
    }


def refused_changes(live, wanted):
    """Messages for the differences AWS cannot apply to a live cluster (empty when there are none)."""
    refused = []
    for key, option in (("role_arn", "role_arn"), ("subnet_ids", "subnet_ids"), ("security_group_ids", "security_group_ids")):
        if wanted[key] and wanted[key] != live[key]:
            refused.append(f"{option}: cannot change on an existing cluster ({live[key]} -> {wanted[key]})")
    if live["encryption_key_arn"] and wanted["encryption_key_arn"] != live["encryption_key_arn"]:
        refused.append(f"encryption_key_arn: secrets encryption cannot be changed or removed once enabled "
                       f"({live['encryption_key_arn']} -> {wanted['encryption_key_arn'] or 'none'})")
    if wanted["version"] and wanted["version"] != live["version"]:
        if minor(wanted["version"]) < minor(live["version"]):
            refused.append(f"version: a cluster cannot be downgraded ({live['version']} -> {wanted['version']})")
    if wanted["authentication_mode"] != live["authentication_mode"] and \
            wanted["authentication_mode"] not in AUTH_MODE_MOVES[live["authentication_mode"]]:
        refused.append(f"authentication_mode: AWS cannot go from {live['authentication_mode']} to "
                       f"{wanted['authentication_mode']}")
    return refused


def planned_updates(live, wanted):
    """The in-place updates, in order, as (change name, API method, request parameters without the cluster name)."""
    updates = []
    if wanted["version"] and wanted["version"] != live["version"]:
        major, live_minor = minor(live["version"])
        # AWS upgrades one minor version at a time: the next runs go on from there.
        step = f"{major}.{live_minor + 1}"
        updates.append((f"update version {live['version']} -> {step}", "update_cluster_version", {"version": step}))
    endpoint_keys = ("endpoint_public_access", "endpoint_private_access", "public_access_cidrs")
    if any(live[k] != wanted[k] for k in endpoint_keys):
        vpc = {"endpointPublicAccess": wanted["endpoint_public_access"],
               "endpointPrivateAccess": wanted["endpoint_private_access"]}
        if wanted["endpoint_public_access"]:
            vpc["publicAccessCidrs"] = wanted["public_access_cidrs"]
        updates.append(("update endpoint access", "update_cluster_config", {"resourcesVpcConfig": vpc}))
    if live["log_types"] != wanted["log_types"]:
        updates.append(("update logging", "update_cluster_config", {"logging": logging_config(wanted["log_types"])}))
    if live["authentication_mode"] != wanted["authentication_mode"]:
        updates.append((f"update authentication mode to {wanted['authentication_mode']}", "update_cluster_config",
                        {"accessConfig": {"authenticationMode": wanted["authentication_mode"]}}))
    if wanted["encryption_key_arn"] and not live["encryption_key_arn"]:
        updates.append(("enable secrets encryption", "associate_encryption_config",
                        {"encryptionConfig": encryption_config(wanted["encryption_key_arn"])}))
    return updates


def logging_config(log_types):
    enabled = [t for t in LOG_TYPES if t in log_types]
    disabled = [t for t in LOG_TYPES if t not in log_types]
    entries = []
    if enabled:
        entries.append({"types": enabled, "enabled": True})
    if disabled:
        entries.append({"types": disabled, "enabled": False})
    return {"clusterLogging": entries}


def encryption_config(key_arn):
    return [{"resources": ["secrets"], "provider": {"keyArn": key_arn}}]


def create_params(name, wanted, tags):
    vpc = {"subnetIds": wanted["subnet_ids"], "securityGroupIds": wanted["security_group_ids"],
           "endpointPublicAccess": wanted["endpoint_public_access"],
           "endpointPrivateAccess": wanted["endpoint_private_access"]}
    if wanted["endpoint_public_access"]:
        vpc["publicAccessCidrs"] = wanted["public_access_cidrs"]
    params = {
        "name": name,
        "roleArn": wanted["role_arn"],
        "resourcesVpcConfig": vpc,
        "logging": logging_config(wanted["log_types"]),
        "accessConfig": {"authenticationMode": wanted["authentication_mode"],
                         "bootstrapClusterCreatorAdminPermissions": True},
        "clientRequestToken": client_token("eks-cluster", name, wanted),
    }
    if wanted["version"]:
        params["version"] = wanted["version"]
    if wanted["encryption_key_arn"]:
        params["encryptionConfig"] = encryption_config(wanted["encryption_key_arn"])
    if tags:
        params["tags"] = tags
    return params


def format_cluster(cluster):
    if not cluster:
        return {}
    tags = cluster.get("tags") or {}
    result = camel_dict_to_snake_dict({k: v for k, v in cluster.items() if k != "tags"})
    result["tags"] = tags
    return result


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


def ensure_present(client, module):
    params = module.params
    name = params["name"]
    wanted = desired_state(params)
    cluster = describe_cluster(client, name)
    changes = []
    if cluster is None:
        missing = [o for o in ("role_arn", "subnet_ids") if not params[o]]
        if missing:
            module.fail_json(msg=f"{', '.join(missing)} required to create the cluster {name}")
        changes.append("create cluster")
        result = {"changed": True, "changes": changes, "cluster": {}}
        if module._diff:
            result["diff"] = {"before": {}, "after": dict(wanted, name=name, tags=params["tags"] or {})}
        if module.check_mode:
            return result
        client.create_cluster(aws_retry=True, **create_params(name, wanted, params["tags"] or {}))
        cluster = wait_cluster(client, module, name, params["wait_timeout"]) if params["wait"] else describe_cluster(client, name)
        result["cluster"] = format_cluster(cluster)
        return result

    live = live_state(cluster)
    refused = refused_changes(live, wanted)
    if refused:
        module.fail_json(msg="; ".join(refused) + f" (cluster {name}; replace it deliberately with state=absent)")
    updates = planned_updates(live, wanted)
    live_tags = cluster.get("tags") or {}
    tags, to_set, to_unset = plan_tags(live_tags, params["tags"], params["purge_tags"])
    changes = [u[0] for u in updates]
    if to_set:
        changes.append(f"tag {sorted(to_set)}")
    if to_unset:
        changes.append(f"untag {sorted(to_unset)}")
    result = {"changed": bool(changes), "changes": changes, "cluster": format_cluster(cluster)}
    if module._diff:
        after = dict(live, tags=tags)
        for change, method, request in updates:
            if method == "update_cluster_version":
                after["version"] = request["version"]
        after.update({k: wanted[k] for k in ("endpoint_public_access", "endpoint_private_access", "public_access_cidrs",
                                             "log_types", "authentication_mode") if wanted[k] is not None})
        if wanted["encryption_key_arn"]:
            after["encryption_key_arn"] = wanted["encryption_key_arn"]
        result["diff"] = {"before": dict(live, tags=live_tags), "after": after}
    if module.check_mode or not changes:
        return result

    for change, method, request in updates:
        # AWS runs one update at a time on a cluster: wait for each.
        getattr(client, method)(aws_retry=True, name=name, clientRequestToken=client_token(name, change, request), **request)
        wait_cluster(client, module, name, params["wait_timeout"])
    if to_set:
        client.tag_resource(aws_retry=True, resourceArn=cluster["arn"], tags=to_set)
    if to_unset:
        client.untag_resource(aws_retry=True, resourceArn=cluster["arn"], tagKeys=to_unset)
    result["cluster"] = format_cluster(describe_cluster(client, name))
    return result


def ensure_absent(client, module):
    name = module.params["name"]
    cluster = describe_cluster(client, name)
    result = {"changed": cluster is not None, "changes": ["delete cluster"] if cluster else [],
              "cluster": format_cluster(cluster)}
    if module._diff:
        result["diff"] = {"before": {"name": name} if cluster else {}, "after": {}}
    if cluster is None or module.check_mode:
        return result
    if cluster["status"] != "DELETING":
        client.delete_cluster(aws_retry=True, name=name)
    if module.params["wait"]:
        wait_cluster(client, module, name, module.params["wait_timeout"], gone=True)
    return result


def main():
    argument_spec = dict(
        name=dict(required=True),
        state=dict(default="present", choices=["present", "absent"]),
        version=dict(),
        role_arn=dict(),
        subnet_ids=dict(type="list", elements="str"),
        security_group_ids=dict(type="list", elements="str", default=[]),
        endpoint_public_access=dict(type="bool", default=True),
        endpoint_private_access=dict(type="bool", default=False),
        public_access_cidrs=dict(type="list", elements="str", default=["0.0.0.0/0"]),
        log_types=dict(type="list", elements="str", default=[], choices=list(LOG_TYPES)),
        encryption_key_arn=dict(default="", no_log=False),
        authentication_mode=dict(default="API_AND_CONFIG_MAP", choices=["CONFIG_MAP", "API_AND_CONFIG_MAP", "API"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if params["state"] == "present" and not (params["endpoint_public_access"] or params["endpoint_private_access"]):
        module.fail_json(msg="endpoint_public_access, endpoint_private_access: at least one must be true")
    client = module.client("eks", retry_decorator=AWSRetry.jittered_backoff())
    try:
        result = ensure_present(client, module) if params["state"] == "present" else ensure_absent(client, module)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Failed to converge EKS cluster {params['name']}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
