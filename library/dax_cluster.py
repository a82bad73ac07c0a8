#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: dax_cluster
short_description: Create, update and delete DynamoDB Accelerator (DAX) clusters
description:
  - Creates, updates and deletes a DAX cluster, an in-memory cache in front of DynamoDB tables.
  - A cluster is identified by its O(name).
  - Changed in place, while the cluster keeps serving, are O(replication_factor) (nodes are added
    or removed), O(parameter_group_name), O(security_group_ids),
    O(preferred_maintenance_window), O(description) and O(tags).
  - AWS cannot change O(node_type), O(subnet_group_name), O(iam_role_arn), O(sse_enabled) or
    O(endpoint_encryption_type) of an existing cluster. When one of them differs, the module
    fails, names the settings and changes nothing; it never replaces a cluster by itself.
    To change them, delete the cluster (O(state=absent)) and create it again.
  - Options that are not set keep their current value on an existing cluster.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - V(present) ensures that the cluster exists with the given settings.
      - V(absent) deletes the cluster. Only this deletes a cluster.
    choices: ["present", "absent"]
    default: present
    type: str
  name:
    description:
      - The cluster name (at most 20 characters; letters, digits and hyphens, starting with a letter).
    required: true
    aliases: ["cluster_name"]
    type: str
  description:
    description:
      - The description of the cluster.
    type: str
  node_type:
    description:
      - The node type, for example V(dax.t3.small) or V(dax.r5.large).
      - Required when the cluster is created. Cannot be changed in place.
    type: str
  replication_factor:
    description:
      - The number of nodes (one primary and O(replication_factor) - 1 read replicas).
      - Required when the cluster is created. Changes add or remove nodes in place.
    type: int
  subnet_group_name:
    description:
      - The DAX subnet group the nodes are placed in. Cannot be changed in place.
      - If not set, a new cluster uses AWS's C(default) subnet group.
    type: str
  parameter_group_name:
    description:
      - The DAX parameter group of the cluster.
      - If not set, a new cluster uses AWS's C(default.dax1.0).
    type: str
  security_group_ids:
    description:
      - The VPC security groups of the nodes.
      - If not set, a new cluster gets the VPC's default security group.
    type: list
    elements: str
  iam_role_arn:
    description:
      - The IAM role DAX assumes to read and write the DynamoDB tables.
      - Required when the cluster is created. Cannot be changed in place.
    type: str
  sse_enabled:
    description:
      - Whether the cluster encrypts its data at rest (with an AWS owned key).
      - Cannot be changed in place. If not set, a new cluster is not encrypted at rest (AWS's default).
    type: bool
  endpoint_encryption_type:
    description:
      - V(TLS) encrypts traffic between clients and the cluster (the endpoint becomes
        C(daxs://...:9111)); V(NONE) does not (C(dax://...:8111)).
      - Cannot be changed in place. If not set, a new cluster uses V(NONE) (AWS's default).
    choices: ["NONE", "TLS"]
    type: str
  preferred_maintenance_window:
    description:
      - The weekly maintenance window, C(ddd:hh24:mi-ddd:hh24:mi) in UTC, for example V(sun:03:00-sun:04:00).
      - If not set, a new cluster gets a window chosen by AWS.
    type: str
  wait:
    description:
      - Wait until the cluster is available (or, with O(state=absent), gone) before returning.
      - In-place changes always wait for the cluster to be available before they start,
        since AWS changes only available clusters.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait. A new cluster usually takes 5 to 15 minutes.
    type: int
    default: 1800
notes:
  - Cluster names are unique in an account and region, so a retried create finds the
    cluster it made instead of making another.
  - Tags are compared with ListTags, which AWS answers only for available clusters.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: A three-node encrypted cluster in private subnets
  dax_cluster:
    name: todo-cache
    node_type: dax.r5.large
    replication_factor: 3
    subnet_group_name: todo-cache
    parameter_group_name: todo-cache
    security_group_ids: [sg-0123456789abcdef0]
    iam_role_arn: arn:aws:iam::123456789012:role/todo-dax
    sse_enabled: true
    endpoint_encryption_type: TLS
    preferred_maintenance_window: sun:03:00-sun:04:00
    tags:
      Service: todo
  register: cache

- name: Add a read replica (in place)
  dax_cluster:
    name: todo-cache
    replication_factor: 4

- name: Delete the cluster
  dax_cluster:
    name: todo-cache
    state: absent
"""

RETURN = r"""
cluster:
  description:
    - The cluster, as described by AWS, with its tags.
    - In check mode, the cluster as it currently exists (empty if it does not exist yet).
  returned: when O(state=present)
  type: dict
  contains:
    cluster_name:
      description: The name of the cluster.
      returned: always
      type: str
      sample: todo-cache
    cluster_arn:
      description: The ARN of the cluster.
      returned: always
      type: str
      sample: arn:aws:dax:eu-west-1:123456789012:cache/todo-cache
    status:
      description: The status of the cluster.
      returned: always
      type: str
      sample: available
    node_type:
      description: The node type.
      returned: always
      type: str
      sample: dax.r5.large
    total_nodes:
      description: The number of nodes.
      returned: always
      type: int
      sample: 3
    cluster_discovery_endpoint:
      description: The endpoint clients configure (address, port and URL).
      returned: always
      type: dict
      sample: {"address": "todo-cache.abc123.dax-clusters.eu-west-1.amazonaws.com", "port": 9111,
               "url": "daxs://todo-cache.abc123.dax-clusters.eu-west-1.amazonaws.com"}
    cluster_endpoint_encryption_type:
      description: V(TLS) or V(NONE).
      returned: always
      type: str
      sample: TLS
    sse_description:
      description: The encryption at rest status.
      returned: always
      type: dict
      sample: {"status": "ENABLED"}
    subnet_group:
      description: The name of the subnet group.
      returned: always
      type: str
      sample: todo-cache
    parameter_group:
      description: The parameter group and its apply status.
      returned: always
      type: dict
      sample: {"parameter_group_name": "todo-cache", "parameter_apply_status": "in-sync", "node_ids_to_reboot": []}
    security_groups:
      description: The security groups and their status.
      returned: always
      type: list
      elements: dict
      sample: [{"security_group_identifier": "sg-0123456789abcdef0", "status": "active"}]
    iam_role_arn:
      description: The IAM role of the cluster.
      returned: always
      type: str
      sample: arn:aws:iam::123456789012:role/todo-dax
    preferred_maintenance_window:
      description: The weekly maintenance window.
      returned: always
      type: str
      sample: sun:03:00-sun:04:00
    nodes:
      description: The nodes, with their endpoints, AZs and status.
      returned: when the cluster is available
      type: list
      elements: dict
    tags:
      description: The tags of the cluster.
      returned: always
      type: dict
      sample: {"Service": "todo"}
unchangeable_settings:
  description: The settings that differ from the existing cluster but cannot be changed in place.
  returned: when the module fails for that reason
  type: list
  elements: str
  sample: ["node_type"]
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible.module_utils.dax import call
from ansible.module_utils.dax import dax_client
from ansible.module_utils.dax import describe_named
from ansible.module_utils.dax import paginate
from ansible.module_utils.dax import snake
from ansible.module_utils.dax import wait_until
from ansible.module_utils.tag_plan import plan_tags

# Settings AWS cannot change on an existing cluster.
UNCHANGEABLE = ("node_type", "subnet_group_name", "iam_role_arn", "sse_enabled", "endpoint_encryption_type")
# Settings UpdateCluster changes, with its request parameter.
UPDATABLE = {
    "description": "Description",
    "parameter_group_name": "ParameterGroupName",
    "security_group_ids": "SecurityGroupIds",
    "preferred_maintenance_window": "PreferredMaintenanceWindow",
}
SETTINGS = UNCHANGEABLE + ("replication_factor",) + tuple(UPDATABLE)


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def live_spec(cluster):
    """The settings of a described cluster, keyed like the module options."""
    if not cluster:
        return {}
    return {
        "node_type": cluster.get("NodeType"),
        "replication_factor": cluster.get("TotalNodes"),
        "subnet_group_name": cluster.get("SubnetGroup"),
        "parameter_group_name": (cluster.get("ParameterGroup") or {}).get("ParameterGroupName"),
        "security_group_ids": sorted(g["SecurityGroupIdentifier"] for g in cluster.get("SecurityGroups", [])),
        "iam_role_arn": cluster.get("IamRoleArn"),
        "sse_enabled": (cluster.get("SSEDescription") or {}).get("Status") in ("ENABLED", "ENABLING"),
        "endpoint_encryption_type": cluster.get("ClusterEndpointEncryptionType") or "NONE",
        "preferred_maintenance_window": (cluster.get("PreferredMaintenanceWindow") or "").lower(),
        "description": cluster.get("Description") or "",
    }


def desired_spec(params):
    """The requested settings (None: not requested), normalised like live_spec."""
    spec = {name: params.get(name) for name in SETTINGS}
    if spec["security_group_ids"] is not None:
        spec["security_group_ids"] = sorted(set(spec["security_group_ids"]))
    if spec["preferred_maintenance_window"] is not None:
        spec["preferred_maintenance_window"] = spec["preferred_maintenance_window"].lower()
    return spec


def differing(live, desired, names):
    """The names whose requested value differs from the live one (unrequested never differ)."""
    return [name for name in names if desired.get(name) is not None and desired[name] != live.get(name)]


def planned_spec(live, desired):
    planned = dict(live)
    planned.update({name: value for name, value in desired.items() if value is not None})
    return planned


def unchangeable_message(name, live, desired, settings):
    details = "; ".join(f"{s} is {live.get(s)!r}, {desired[s]!r} was requested" for s in settings)
    return (
        f"DAX cluster {name}: {', '.join(settings)} cannot be changed in place ({details}). "
        "The module never replaces a cluster by itself: keep the current value, or delete the "
        "cluster (state=absent) and create it again."
    )


def create_params(name, desired, tags):
    params = {
        "ClusterName": name,
        "NodeType": desired["node_type"],
        "ReplicationFactor": desired["replication_factor"],
        "IamRoleArn": desired["iam_role_arn"],
    }
    optional = {
        "Description": desired.get("description"),
        "SubnetGroupName": desired.get("subnet_group_name"),
        "ParameterGroupName": desired.get("parameter_group_name"),
        "SecurityGroupIds": desired.get("security_group_ids"),
        "PreferredMaintenanceWindow": desired.get("preferred_maintenance_window"),
        "ClusterEndpointEncryptionType": desired.get("endpoint_encryption_type"),
    }
    params.update({key: value for key, value in optional.items() if value is not None})
    if desired.get("sse_enabled") is not None:
        params["SSESpecification"] = {"Enabled": desired["sse_enabled"]}
    if tags:
        params["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return params


def update_params(name, live, desired):
    """The UpdateCluster request for the updatable settings that differ, or None."""
    params = {UPDATABLE[s]: desired[s] for s in differing(live, desired, UPDATABLE)}
    if not params:
        return None
    params["ClusterName"] = name
    return params


def is_available(cluster):
    """True when the cluster and every node are available."""
    if not cluster or cluster.get("Status") != "available":
        return False
    return all(node.get("NodeStatus") == "available" for node in cluster.get("Nodes", []))


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


def describe_cluster(client, module, name):
    return describe_named(
        client, module, "describe_clusters", "Clusters", "ClusterNames", name, "ClusterNotFoundFault", "DAX cluster"
    )


def list_tags(client, module, arn):
    try:
        return boto3_tag_list_to_ansible_dict(paginate(client, "list_tags", "Tags", ResourceName=arn))
    except is_boto3_error_code("InvalidClusterStateFault"):
        module.fail_json(msg=f"DAX cluster {arn} is not available, so its tags cannot be read; run again with wait=true")
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to list the tags of DAX cluster {arn}")


def wait_available(client, module, name):
    def check():
        cluster = describe_cluster(client, module, name)
        return is_available(cluster), cluster

    done, cluster = wait_until(check, module.params["wait_timeout"])
    if not done:
        status = cluster.get("Status") if cluster else "missing"
        module.fail_json(msg=f"Timed out waiting for DAX cluster {name} to be available (status: {status})")
    return cluster


def wait_gone(client, module, name):
    def check():
        cluster = describe_cluster(client, module, name)
        return cluster is None, cluster

    done, cluster = wait_until(check, module.params["wait_timeout"])
    if not done:
        module.fail_json(msg=f"Timed out waiting for DAX cluster {name} to be deleted (status: {cluster.get('Status')})")


def create_cluster(client, module, name, desired, tags):
    try:
        client.create_cluster(aws_retry=True, **create_params(name, desired, tags))
    except is_boto3_error_code("ClusterAlreadyExistsFault"):
        # A retried request whose first attempt succeeded: the cluster is ours.
        pass
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to create DAX cluster {name}")


def change_replication_factor(client, module, name, current, wanted):
    if wanted > current:
        call(client, module, "increase_replication_factor", f"Failed to add nodes to DAX cluster {name}",
             ClusterName=name, NewReplicationFactor=wanted)
    else:
        call(client, module, "decrease_replication_factor", f"Failed to remove nodes from DAX cluster {name}",
             ClusterName=name, NewReplicationFactor=wanted)


def update_tags(client, module, arn, to_set, to_unset):
    if to_unset:
        call(client, module, "untag_resource", f"Failed to untag DAX cluster {arn}", ResourceName=arn, TagKeys=to_unset)
    if to_set:
        call(client, module, "tag_resource", f"Failed to tag DAX cluster {arn}",
             ResourceName=arn, Tags=ansible_dict_to_boto3_tag_list(to_set))


def format_cluster(cluster, tags):
    if not cluster:
        return {}
    result = snake(cluster)
    result["tags"] = tags or {}
    return result


# ---------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------


def ensure_created(client, module, name, desired, tags):
    missing = [option for option in ("node_type", "replication_factor", "iam_role_arn") if desired.get(option) is None]
    if missing:
        module.fail_json(msg=f"{', '.join(missing)} required to create DAX cluster {name}")
    result = {"changed": True, "cluster": {}}
    if module._diff:
        planned = planned_spec({}, desired)
        planned["tags"] = tags or {}
        result["diff"] = {"before": {}, "after": planned}
    if module.check_mode:
        return result
    create_cluster(client, module, name, desired, tags)
    cluster = wait_available(client, module, name) if module.params["wait"] else describe_cluster(client, module, name)
    arn = cluster["ClusterArn"]
    result["cluster"] = format_cluster(cluster, list_tags(client, module, arn) if is_available(cluster) else tags)
    return result


def ensure_present(client, module):
    params = module.params
    name = params["name"]
    desired = desired_spec(params)
    current = describe_cluster(client, module, name)
    if current is None:
        return ensure_created(client, module, name, desired, params["tags"])
    if current.get("Status") == "deleting":
        module.fail_json(msg=f"DAX cluster {name} is being deleted; run again once it is gone")

    live = live_spec(current)
    unchangeable = differing(live, desired, UNCHANGEABLE)
    if unchangeable:
        module.fail_json(msg=unchangeable_message(name, live, desired, unchangeable), unchangeable_settings=unchangeable)

    if not is_available(current) and params["wait"]:
        current = wait_available(client, module, name)
        live = live_spec(current)
    arn = current["ClusterArn"]
    current_tags = list_tags(client, module, arn)
    tags, to_set, to_unset = plan_tags(current_tags, params["tags"], params["purge_tags"])
    update = update_params(name, live, desired)
    resize = desired["replication_factor"] is not None and desired["replication_factor"] != live["replication_factor"]

    changed = bool(update or resize or to_set or to_unset)
    result = {"changed": changed, "cluster": format_cluster(current, current_tags)}
    if module._diff:
        before = dict(live, tags=current_tags)
        after = dict(planned_spec(live, desired), tags=tags)
        result["diff"] = {"before": before, "after": after}
    if module.check_mode or not changed:
        return result

    # AWS changes only available clusters; each step may leave the cluster modifying.
    if update:
        call(client, module, "update_cluster", f"Failed to update DAX cluster {name}", **update)
    if resize:
        wait_available(client, module, name)
        change_replication_factor(client, module, name, live["replication_factor"], desired["replication_factor"])
    if to_set or to_unset:
        update_tags(client, module, arn, to_set, to_unset)
    cluster = wait_available(client, module, name) if params["wait"] else describe_cluster(client, module, name)
    result["cluster"] = format_cluster(cluster, tags)
    return result


def ensure_absent(client, module):
    name = module.params["name"]
    current = describe_cluster(client, module, name)
    deleting = current is not None and current.get("Status") == "deleting"
    result = {"changed": current is not None and not deleting}
    if module._diff:
        result["diff"] = {"before": live_spec(current) if current and not deleting else {}, "after": {}}
    if current is None or module.check_mode:
        return result
    if not deleting:
        call(client, module, "delete_cluster", f"Failed to delete DAX cluster {name}",
             ignore_codes=["ClusterNotFoundFault"], ClusterName=name)
    if module.params["wait"]:
        wait_gone(client, module, name)
    return result


def main():
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        name=dict(required=True, aliases=["cluster_name"]),
        description=dict(),
        node_type=dict(),
        replication_factor=dict(type="int"),
        subnet_group_name=dict(),
        parameter_group_name=dict(),
        security_group_ids=dict(type="list", elements="str"),
        iam_role_arn=dict(),
        sse_enabled=dict(type="bool"),
        endpoint_encryption_type=dict(choices=["NONE", "TLS"]),
        preferred_maintenance_window=dict(),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    if module.params["replication_factor"] is not None and module.params["replication_factor"] < 1:
        module.fail_json(msg=f"replication_factor must be 1 or more, got {module.params['replication_factor']}")
    client = dax_client(module)
    if module.params["state"] == "present":
        result = ensure_present(client, module)
    else:
        result = ensure_absent(client, module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
