#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: dynamodb_table_config
short_description: Create and update a DynamoDB table with all its settings, in place
description:
  - Creates a DynamoDB table, or brings an existing one to the declared settings in place, in
    one run - keys, global and local secondary indexes, billing mode and provisioned throughput,
    target-tracking auto scaling (table and each global secondary index), stream, server-side
    encryption with a KMS key, table class, deletion protection, point-in-time recovery, time
    to live and tags.
  - Changes AWS makes in place are applied one UpdateTable call at a time, as AWS requires
    (one global secondary index created or deleted per call), waiting for the table to be
    V(ACTIVE) between calls.
  - A change that would need a new table (partition or sort key, their attribute types,
    local secondary indexes) is refused before any call is made, with a message naming the
    table, the attribute and O(allow_replacement). The module never drops data to converge
    unless O(allow_replacement=true) says so.
  - A table is deleted only with O(state=absent) and O(allow_table_deletion=true), and only
    when its deletion protection is off.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  name:
    description:
      - The name of the table.
    required: true
    type: str
  state:
    description:
      - V(present) creates the table or updates it in place.
      - V(absent) deletes the table (see O(allow_table_deletion)).
    choices: ["present", "absent"]
    default: present
    type: str
  attributes:
    description:
      - The key attributes of the table and its indexes, and their types
        (V(S) string, V(N) number, V(B) binary), for example C(user_id) = V(S).
      - Attributes that no key uses are ignored (DynamoDB defines key attributes only).
      - Required with O(state=present).
    type: dict
  partition_key:
    description:
      - The partition (hash) key attribute of the table. Required with O(state=present).
    type: str
  sort_key:
    description:
      - The sort (range) key attribute of the table, if it has one.
    type: str
  global_indexes:
    description:
      - The global secondary indexes. Indexes that exist and are not listed are deleted;
        an index whose keys or projection change is deleted and created again.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The index name.
        required: true
        type: str
      partition_key:
        description: The partition key attribute of the index.
        required: true
        type: str
      sort_key:
        description: The sort key attribute of the index.
        type: str
      projection:
        description: The attributes copied into the index.
        choices: ["ALL", "KEYS_ONLY", "INCLUDE"]
        default: ALL
        type: str
      non_key_attributes:
        description: The attributes projected with O(global_indexes[].projection=INCLUDE).
        type: list
        elements: str
        default: []
      read_capacity:
        description: Provisioned read capacity units; defaults to O(read_capacity).
        type: int
      write_capacity:
        description: Provisioned write capacity units; defaults to O(write_capacity).
        type: int
      auto_scaling:
        description: Auto scaling of this index; defaults to O(auto_scaling).
        type: dict
  local_indexes:
    description:
      - The local secondary indexes. They can only be defined when the table is created;
        any difference with an existing table is refused.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The index name.
        required: true
        type: str
      sort_key:
        description: The sort key attribute of the index (the partition key is the table's).
        required: true
        type: str
      projection:
        description: The attributes copied into the index.
        choices: ["ALL", "KEYS_ONLY", "INCLUDE"]
        default: ALL
        type: str
      non_key_attributes:
        description: The attributes projected with O(local_indexes[].projection=INCLUDE).
        type: list
        elements: str
        default: []
  billing_mode:
    description:
      - V(PAY_PER_REQUEST) (on-demand) or V(PROVISIONED) capacity.
    choices: ["PAY_PER_REQUEST", "PROVISIONED"]
    default: PAY_PER_REQUEST
    type: str
  read_capacity:
    description:
      - Provisioned read capacity units of the table. Required with O(billing_mode=PROVISIONED).
      - With O(auto_scaling), only used when the table is created or switched to provisioned
        capacity; afterwards auto scaling owns the capacity.
    type: int
  write_capacity:
    description:
      - Provisioned write capacity units of the table. Required with O(billing_mode=PROVISIONED).
      - With O(auto_scaling), only used when the table is created or switched to provisioned capacity.
    type: int
  auto_scaling:
    description:
      - Target-tracking auto scaling of the read and write capacity of the table and of each
        global secondary index (Application Auto Scaling), with O(billing_mode=PROVISIONED).
      - Keys V(min_read), V(max_read), V(min_write), V(max_write), V(target_utilization)
        (percent, 20-90, default 70), V(scale_in_cooldown) and V(scale_out_cooldown) (seconds, default 60).
      - Scalable targets of the table left over from an earlier configuration (on-demand
        billing, a deleted index, auto scaling turned off) are deregistered.
    type: dict
  stream_view_type:
    description:
      - What the table's stream records, or V(DISABLED) for no stream.
      - Changing the view type of an enabled stream disables it and enables a new one
        (AWS cannot change it in place); the new stream has a new ARN.
    choices: ["DISABLED", "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
    default: DISABLED
    type: str
  point_in_time_recovery:
    description:
      - Whether point-in-time recovery (continuous backups) is enabled.
    type: bool
    default: false
  ttl_attribute:
    description:
      - The attribute holding each item's expiry time (epoch seconds), or V("") for no time to live.
      - It must not be a key attribute of the table or of an index.
    type: str
    default: ""
  kms_key_id:
    description:
      - The KMS key (ID, ARN, alias name or alias ARN) encrypting the table, or V("") for the
        AWS owned key.
    type: str
    default: ""
  table_class:
    description:
      - The table class.
    choices: ["STANDARD", "STANDARD_INFREQUENT_ACCESS"]
    default: STANDARD
    type: str
  deletion_protection:
    description:
      - Whether the table is protected against deletion.
    type: bool
    default: false
  allow_table_deletion:
    description:
      - Must be V(true) for O(state=absent) to delete the table and all its items.
    type: bool
    default: false
  allow_replacement:
    description:
      - Must be V(true) for a change that needs a new table (see the description). The module then
        deletes the table with every item in it and creates it again with the declared settings.
        Nothing is copied over; migrating the data is left to the user.
      - A table whose deletion protection is on is never replaced; turn it off in a run of its own first.
    type: bool
    default: false
  wait:
    description:
      - Wait for the table and its indexes to be V(ACTIVE) after each change (always done
        between UpdateTable calls, which AWS requires).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for each change.
    type: int
    default: 900
notes:
  - Creating a global secondary index on a large table takes time (backfilling); the module
    waits for it before the next change.
  - AWS allows only one time-to-live change per table per hour. Changing O(ttl_attribute)
    disables time to live for the old attribute and enables it for the new one; on AWS the
    second call can be refused within the hour, and a later run completes it.
  - AWS allows switching O(billing_mode) only once per 24 hours.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: A to-do table, read by user and due date, with a stream for a change notifier
  dynamodb_table_config:
    name: todos
    attributes:
      user_id: S
      todo_id: S
      due_date: S
    partition_key: user_id
    sort_key: todo_id
    global_indexes:
      - name: by-due-date
        partition_key: user_id
        sort_key: due_date
        projection: ALL
    stream_view_type: NEW_AND_OLD_IMAGES
    point_in_time_recovery: true
    kms_key_id: alias/platform-data
    deletion_protection: true
    tags:
      Component: todo-api

- name: Provisioned capacity with target-tracking auto scaling and a time to live
  dynamodb_table_config:
    name: events
    attributes:
      event_id: S
    partition_key: event_id
    billing_mode: PROVISIONED
    read_capacity: 5
    write_capacity: 5
    auto_scaling:
      min_read: 5
      max_read: 100
      min_write: 5
      max_write: 200
      target_utilization: 70
    ttl_attribute: expires_at

- name: Replace a table whose declared sort key changed (every item is lost)
  dynamodb_table_config:
    name: scratch
    attributes:
      id: S
      created_at: N
    partition_key: id
    sort_key: created_at
    allow_replacement: true

- name: Delete a table (its deletion protection must be off)
  dynamodb_table_config:
    name: scratch
    state: absent
    allow_table_deletion: true
"""

RETURN = r"""
table:
  description:
    - The table's settings after the run, in the module's option names, with its identity.
    - In check mode, the settings the run would give it. Empty when the table does not exist.
  returned: always
  type: dict
  contains:
    table_name:
      description: The table name.
      returned: when the table exists
      type: str
      sample: todos
    table_arn:
      description: The table ARN.
      returned: when the table exists
      type: str
      sample: arn:aws:dynamodb:eu-west-1:123456789012:table/todos
    table_id:
      description: The table's unique identifier; a new table has a new one.
      returned: when the table exists
      type: str
      sample: 4ee5d1e6-2d9b-4d3b-9d4b-0b7c1f4bd2a1
    creation_date_time:
      description: When the table was created.
      returned: when the table exists
      type: str
      sample: "2024-01-01T12:00:00+00:00"
    table_status:
      description: The table status.
      returned: when the table exists
      type: str
      sample: ACTIVE
    latest_stream_arn:
      description: The ARN of the table's stream, when it has one enabled.
      returned: when the table exists
      type: str
      sample: arn:aws:dynamodb:eu-west-1:123456789012:table/todos/stream/2024-01-01T12:00:00.000
    attributes:
      description: The key attributes and their types.
      returned: when the table exists
      type: dict
      sample: {"user_id": "S", "todo_id": "S"}
    partition_key:
      description: The partition key attribute.
      returned: when the table exists
      type: str
      sample: user_id
    sort_key:
      description: The sort key attribute, if any.
      returned: when the table exists
      type: str
      sample: todo_id
    global_indexes:
      description: The global secondary indexes, by name.
      returned: when the table exists
      type: dict
    local_indexes:
      description: The local secondary indexes, by name.
      returned: when the table exists
      type: dict
    billing_mode:
      description: PAY_PER_REQUEST or PROVISIONED.
      returned: when the table exists
      type: str
      sample: PAY_PER_REQUEST
    read_capacity:
      description: Provisioned read capacity units (0 on-demand).
      returned: when the table exists
      type: int
      sample: 0
    write_capacity:
      description: Provisioned write capacity units (0 on-demand).
      returned: when the table exists
      type: int
      sample: 0
    auto_scaling:
      description: Registered scalable targets, by resource ID and dimension.
      returned: when the table exists
      type: dict
    stream_view_type:
      description: The stream view type, or DISABLED.
      returned: when the table exists
      type: str
      sample: NEW_AND_OLD_IMAGES
    kms_key_arn:
      description: The ARN of the KMS key encrypting the table; empty for the AWS owned key.
      returned: when the table exists
      type: str
    table_class:
      description: The table class.
      returned: when the table exists
      type: str
      sample: STANDARD
    deletion_protection:
      description: Whether deletion protection is on.
      returned: when the table exists
      type: bool
    point_in_time_recovery:
      description: Whether point-in-time recovery is on.
      returned: when the table exists
      type: bool
    ttl_attribute:
      description: The time-to-live attribute, or an empty string.
      returned: when the table exists
      type: str
    tags:
      description: The table's tags.
      returned: when the table exists
      type: dict
changes:
  description: What the run changed (or, in check mode, would change), in order.
  returned: always
  type: list
  elements: str
  sample: ["create global secondary index by-status", "enable point-in-time recovery"]
refused:
  description: Why the declared table needs a new one, one line per difference, when the run failed
    because O(allow_replacement) is false (nothing was changed).
  returned: when a replacement was refused
  type: list
  elements: str
  sample: ["table todos: sort key is none on AWS but declared 'todo_id' (S); AWS cannot change ..."]
"""

import copy
import time

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible.module_utils.tag_plan import plan_tags

STREAM_DISABLED = "DISABLED"
ATTRIBUTE_TYPES = ("S", "N", "B")
DIMENSIONS = {
    "read": ("ReadCapacityUnits", "DynamoDBReadCapacityUtilization"),
    "write": ("WriteCapacityUnits", "DynamoDBWriteCapacityUtilization"),
}
SCALING_DEFAULTS = {"target_utilization": 70, "scale_in_cooldown": 60, "scale_out_cooldown": 60}
WAIT_DELAY = 5


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def key_schema(partition_key, sort_key=None):
    schema = [{"AttributeName": partition_key, "KeyType": "HASH"}]
    if sort_key:
        schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
    return schema


def keys_of(schema):
    """(partition key, sort key or None) of a KeySchema list."""
    keys = {k["KeyType"]: k["AttributeName"] for k in schema or []}
    return keys.get("HASH"), keys.get("RANGE")


def projection_of(projection):
    projection = projection or {}
    return projection.get("ProjectionType", "ALL"), sorted(projection.get("NonKeyAttributes", []))


def projection_request(index):
    projection = {"ProjectionType": index["projection"]}
    if index["projection"] == "INCLUDE":
        projection["NonKeyAttributes"] = list(index["non_key_attributes"])
    return projection


def scaling_config(value):
    """Auto scaling settings with defaults, or None."""
    if not value:
        return None
    config = dict(SCALING_DEFAULTS)
    config.update({k: v for k, v in value.items() if v is not None})
    for name in list(config):
        if name != "target_utilization":
            config[name] = int(config[name])
    config["target_utilization"] = float(config["target_utilization"])
    return config


def desired_spec(params, kms_key_arn):
    """The table as the module parameters declare it (same shape as live_spec)."""
    provisioned = params["billing_mode"] == "PROVISIONED"
    table_scaling = scaling_config(params.get("auto_scaling")) if provisioned else None
    gsis = {}
    for index in params.get("global_indexes") or []:
        gsi = {
            "partition_key": index["partition_key"],
            "sort_key": index.get("sort_key") or None,
            "projection": index.get("projection") or "ALL",
            "non_key_attributes": sorted(index.get("non_key_attributes") or []),
            "read_capacity": 0,
            "write_capacity": 0,
        }
        if provisioned:
            gsi["read_capacity"] = index.get("read_capacity") or params["read_capacity"]
            gsi["write_capacity"] = index.get("write_capacity") or params["write_capacity"]
            gsi["auto_scaling"] = scaling_config(index.get("auto_scaling")) or table_scaling
        gsis[index["name"]] = gsi
    lsis = {
        index["name"]: {
            "sort_key": index["sort_key"],
            "projection": index.get("projection") or "ALL",
            "non_key_attributes": sorted(index.get("non_key_attributes") or []),
        }
        for index in params.get("local_indexes") or []
    }
    return {
        "attributes": dict(params.get("attributes") or {}),
        "partition_key": params["partition_key"],
        "sort_key": params.get("sort_key") or None,
        "global_indexes": gsis,
        "local_indexes": lsis,
        "billing_mode": params["billing_mode"],
        "read_capacity": params["read_capacity"] if provisioned else 0,
        "write_capacity": params["write_capacity"] if provisioned else 0,
        "auto_scaling": table_scaling,
        "stream_view_type": params["stream_view_type"],
        "kms_key_arn": kms_key_arn or "",
        "table_class": params["table_class"],
        "deletion_protection": params["deletion_protection"],
        "point_in_time_recovery": params["point_in_time_recovery"],
        "ttl_attribute": params["ttl_attribute"] or "",
        "tags": params.get("tags"),
    }


def live_spec(table, pitr=None, ttl=None, tags=None):
    """The settings of a described table (DescribeTable, DescribeContinuousBackups,
    DescribeTimeToLive, ListTagsOfResource), in the shape of desired_spec."""
    partition_key, sort_key = keys_of(table.get("KeySchema"))
    billing_mode = (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    throughput = table.get("ProvisionedThroughput") or {}
    gsis = {}
    for index in table.get("GlobalSecondaryIndexes") or []:
        index_pk, index_sk = keys_of(index.get("KeySchema"))
        projection, non_key = projection_of(index.get("Projection"))
        index_throughput = index.get("ProvisionedThroughput") or {}
        gsis[index["IndexName"]] = {
            "partition_key": index_pk,
            "sort_key": index_sk,
            "projection": projection,
            "non_key_attributes": non_key,
            "read_capacity": index_throughput.get("ReadCapacityUnits", 0),
            "write_capacity": index_throughput.get("WriteCapacityUnits", 0),
        }
    lsis = {}
    for index in table.get("LocalSecondaryIndexes") or []:
        projection, non_key = projection_of(index.get("Projection"))
        lsis[index["IndexName"]] = {
            "sort_key": keys_of(index.get("KeySchema"))[1],
            "projection": projection,
            "non_key_attributes": non_key,
        }
    stream = table.get("StreamSpecification") or {}
    sse = table.get("SSEDescription") or {}
    pitr_status = ((pitr or {}).get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
    ttl = ttl or {}
    return {
        "attributes": {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions") or []},
        "partition_key": partition_key,
        "sort_key": sort_key,
        "global_indexes": gsis,
        "local_indexes": lsis,
        "billing_mode": billing_mode,
        "read_capacity": throughput.get("ReadCapacityUnits", 0),
        "write_capacity": throughput.get("WriteCapacityUnits", 0),
        "auto_scaling": None,
        "stream_view_type": stream.get("StreamViewType", STREAM_DISABLED) if stream.get("StreamEnabled") else STREAM_DISABLED,
        "kms_key_arn": sse.get("KMSMasterKeyArn", "") if sse.get("Status") in ("ENABLED", "ENABLING", "UPDATING") else "",
        "table_class": (table.get("TableClassSummary") or {}).get("TableClass", "STANDARD"),
        "deletion_protection": bool(table.get("DeletionProtectionEnabled")),
        "point_in_time_recovery": pitr_status in ("ENABLED", "ENABLING"),
        "ttl_attribute": ttl.get("AttributeName", "") if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") else "",
        "tags": tags or {},
    }


def _key_text(name, attributes):
    return f"'{name}' ({attributes.get(name, '?')})" if name else "none"


def _projection_text(index):
    if index["projection"] == "INCLUDE":
        return f"INCLUDE {', '.join(index['non_key_attributes'])}"
    return index["projection"]


def replacement_reasons(name, desired, live):
    """Why the declared table cannot be reached in place: one message per attribute.

    Empty when every difference can be applied to the existing table.
    """
    reasons = []
    for role, key in (("partition key", "partition_key"), ("sort key", "sort_key")):
        want, have = desired[key], live[key]
        want_text, have_text = _key_text(want, desired["attributes"]), _key_text(have, live["attributes"])
        if want != have or (want and want_text != have_text):
            reasons.append(
                f"table {name}: {role} is {have_text} on AWS but declared {want_text}; AWS cannot change "
                "a table's key schema in place (a new table and a data migration are needed)")
    for index_name in sorted(set(desired["local_indexes"]) | set(live["local_indexes"])):
        want, have = desired["local_indexes"].get(index_name), live["local_indexes"].get(index_name)
        if want is None:
            reasons.append(f"table {name}: local secondary index {index_name} exists on AWS but is not declared; "
                           "local secondary indexes cannot be removed from an existing table")
        elif have is None:
            reasons.append(f"table {name}: local secondary index {index_name} (sort key '{want['sort_key']}') is "
                           "declared but absent on AWS; local secondary indexes can only be created with the table")
        else:
            if want["sort_key"] != have["sort_key"] or (
                    desired["attributes"].get(want["sort_key"]) != live["attributes"].get(have["sort_key"])):
                reasons.append(
                    f"table {name}: local secondary index {index_name} sort key is "
                    f"{_key_text(have['sort_key'], live['attributes'])} on AWS but declared "
                    f"{_key_text(want['sort_key'], desired['attributes'])}; local secondary indexes cannot be changed")
            if (want["projection"], want["non_key_attributes"]) != (have["projection"], have["non_key_attributes"]):
                reasons.append(
                    f"table {name}: local secondary index {index_name} projection is {_projection_text(have)} "
                    f"on AWS but declared {_projection_text(want)}; local secondary indexes cannot be changed")
    return reasons


def _gsi_shape(index, attributes):
    """What cannot change in place on a GSI: its keys with their types and its projection."""
    return (index["partition_key"], attributes.get(index["partition_key"]), index["sort_key"],
            attributes.get(index["sort_key"]) if index["sort_key"] else None,
            index["projection"], tuple(index["non_key_attributes"]))


def attribute_definitions(spec, index_names=None):
    """AttributeDefinitions for the table's keys and the given GSIs (all when None) and its LSIs."""
    names = [spec["partition_key"], spec["sort_key"]]
    for index_name, index in spec["global_indexes"].items():
        if index_names is None or index_name in index_names:
            names += [index["partition_key"], index["sort_key"]]
    names += [index["sort_key"] for index in spec["local_indexes"].values()]
    seen = []
    for attribute in names:
        if attribute and attribute not in seen:
            seen.append(attribute)
    return [{"AttributeName": a, "AttributeType": spec["attributes"][a]} for a in seen]


def _throughput(read, write):
    return {"ReadCapacityUnits": int(read), "WriteCapacityUnits": int(write)}


def gsi_create_request(index_name, index, provisioned):
    request = {
        "IndexName": index_name,
        "KeySchema": key_schema(index["partition_key"], index["sort_key"]),
        "Projection": projection_request(index),
    }
    if provisioned:
        request["ProvisionedThroughput"] = _throughput(index["read_capacity"], index["write_capacity"])
    return request


def scaling_targets(table_name, spec):
    """The scalable targets (and their policies) the spec asks for, keyed by (resource id, dimension)."""
    targets = {}
    if spec["billing_mode"] != "PROVISIONED":
        return targets
    resources = [(f"table/{table_name}", "table", spec["auto_scaling"])]
    resources += [(f"table/{table_name}/index/{n}", "index", i.get("auto_scaling"))
                  for n, i in sorted(spec["global_indexes"].items())]
    for resource_id, kind, config in resources:
        if not config:
            continue
        for short, (unit, metric) in DIMENSIONS.items():
            dimension = f"dynamodb:{kind}:{unit}"
            targets[(resource_id, dimension)] = {
                "min": config[f"min_{short}"],
                "max": config[f"max_{short}"],
                "policy_name": f"{resource_id.replace('/', '-')}-{short}-target-tracking",
                "policy": {
                    "TargetValue": config["target_utilization"],
                    "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                    "ScaleInCooldown": config["scale_in_cooldown"],
                    "ScaleOutCooldown": config["scale_out_cooldown"],
                },
            }
    return targets


def live_scaling_targets(targets, policies):
    """Registered targets (DescribeScalableTargets) with their target-tracking policy, keyed like scaling_targets."""
    by_key = {(p["ResourceId"], p["ScalableDimension"]): p for p in policies
              if p.get("PolicyType") == "TargetTrackingScaling"}
    live = {}
    for target in targets:
        key = (target["ResourceId"], target["ScalableDimension"])
        policy = by_key.get(key)
        config = (policy or {}).get("TargetTrackingScalingPolicyConfiguration") or {}
        live[key] = {
            "min": target["MinCapacity"],
            "max": target["MaxCapacity"],
            "policy_name": (policy or {}).get("PolicyName"),
            "policy": {
                "TargetValue": float(config["TargetValue"]) if "TargetValue" in config else None,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")},
                "ScaleInCooldown": config.get("ScaleInCooldown"),
                "ScaleOutCooldown": config.get("ScaleOutCooldown"),
            } if policy else None,
        }
    return live


def plan_scaling(desired_targets, live_targets):
    """Steps that bring the registered scalable targets and policies to the desired ones."""
    steps = []
    for key in sorted(set(live_targets) - set(desired_targets)):
        steps.append({"action": "deregister_scalable_target", "resource_id": key[0], "dimension": key[1],
                      "text": f"stop auto scaling {key[1].rsplit(':', 1)[1]} of {key[0]}"})
    for key in sorted(desired_targets):
        want, have = desired_targets[key], live_targets.get(key)
        if not have or (have["min"], have["max"]) != (want["min"], want["max"]):
            steps.append({"action": "register_scalable_target", "resource_id": key[0], "dimension": key[1],
                          "min": want["min"], "max": want["max"],
                          "text": f"auto scale {key[1].rsplit(':', 1)[1]} of {key[0]} between {want['min']} and {want['max']}"})
        if not have or have["policy_name"] != want["policy_name"] or have["policy"] != want["policy"]:
            steps.append({"action": "put_scaling_policy", "resource_id": key[0], "dimension": key[1],
                          "policy_name": want["policy_name"], "policy": want["policy"],
                          "text": f"target {want['policy']['TargetValue']:g}% utilization for "
                                  f"{key[1].rsplit(':', 1)[1]} of {key[0]}"})
    return steps


def plan_updates(name, desired, live):
    """The in-place changes, in the order AWS accepts them; each step is one API call.

    Call only when replacement_reasons() is empty.
    """
    steps = []
    provisioned = desired["billing_mode"] == "PROVISIONED"
    scaled = provisioned and live["billing_mode"] == "PROVISIONED"

    recreated = [n for n in sorted(set(desired["global_indexes"]) & set(live["global_indexes"]))
                 if _gsi_shape(desired["global_indexes"][n], desired["attributes"])
                 != _gsi_shape(live["global_indexes"][n], live["attributes"])]
    deleted = sorted(set(live["global_indexes"]) - set(desired["global_indexes"])) + recreated
    created = sorted(set(desired["global_indexes"]) - set(live["global_indexes"])) + recreated
    kept = sorted(set(desired["global_indexes"]) & set(live["global_indexes"]) - set(recreated))

    for index_name in sorted(deleted):
        why = " (its keys or projection change)" if index_name in recreated else ""
        steps.append({"action": "delete_gsi", "index": index_name,
                      "text": f"delete global secondary index {index_name}{why}"})

    # Billing mode and provisioned throughput of the table and the indexes it keeps.
    request = {}
    if desired["billing_mode"] != live["billing_mode"]:
        request["BillingMode"] = desired["billing_mode"]
    if provisioned:
        table_tp = _throughput(desired["read_capacity"], desired["write_capacity"])
        live_tp = _throughput(live["read_capacity"], live["write_capacity"])
        switching = "BillingMode" in request
        # With auto scaling on an already provisioned table, the capacity belongs to the scaler.
        if switching or (table_tp != live_tp and not (scaled and desired["auto_scaling"])):
            request["ProvisionedThroughput"] = table_tp
        updates = []
        for index_name in kept:
            want, have = desired["global_indexes"][index_name], live["global_indexes"][index_name]
            want_tp = _throughput(want["read_capacity"], want["write_capacity"])
            if switching or (want_tp != _throughput(have["read_capacity"], have["write_capacity"])
                             and not (scaled and want.get("auto_scaling"))):
                updates.append({"Update": {"IndexName": index_name, "ProvisionedThroughput": want_tp}})
        if updates:
            request["GlobalSecondaryIndexUpdates"] = updates
    if request:
        parts = []
        if "BillingMode" in request:
            parts.append(f"billing mode {live['billing_mode']} -> {desired['billing_mode']}")
        if "ProvisionedThroughput" in request:
            parts.append(f"table capacity {desired['read_capacity']} read / {desired['write_capacity']} write")
        parts += [f"index {u['Update']['IndexName']} capacity {u['Update']['ProvisionedThroughput']['ReadCapacityUnits']} "
                  f"read / {u['Update']['ProvisionedThroughput']['WriteCapacityUnits']} write"
                  for u in request.get("GlobalSecondaryIndexUpdates", [])]
        steps.append({"action": "update_table", "request": request, "text": "set " + ", ".join(parts)})

    for index_name in sorted(created):
        index = desired["global_indexes"][index_name]
        steps.append({
            "action": "create_gsi", "index": index_name,
            "request": {
                "AttributeDefinitions": attribute_definitions(desired, set(kept) | {index_name}),
                "GlobalSecondaryIndexUpdates": [{"Create": gsi_create_request(index_name, index, provisioned)}],
            },
            "text": f"create global secondary index {index_name}",
        })

    if desired["stream_view_type"] != live["stream_view_type"]:
        if live["stream_view_type"] != STREAM_DISABLED:
            steps.append({"action": "update_table", "request": {"StreamSpecification": {"StreamEnabled": False}},
                          "text": f"disable stream ({live['stream_view_type']})"})
        if desired["stream_view_type"] != STREAM_DISABLED:
            steps.append({"action": "update_table",
                          "request": {"StreamSpecification": {"StreamEnabled": True,
                                                              "StreamViewType": desired["stream_view_type"]}},
                          "text": f"enable stream ({desired['stream_view_type']})"})

    if desired["kms_key_arn"] != live["kms_key_arn"]:
        if desired["kms_key_arn"]:
            sse = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": desired["kms_key_arn"]}
        else:
            sse = {"Enabled": False}
        steps.append({"action": "update_table", "request": {"SSESpecification": sse},
                      "text": f"encrypt with {desired['kms_key_arn'] or 'the AWS owned key'}"})

    if desired["table_class"] != live["table_class"]:
        steps.append({"action": "update_table", "request": {"TableClass": desired["table_class"]},
                      "text": f"table class {live['table_class']} -> {desired['table_class']}"})

    if desired["deletion_protection"] != live["deletion_protection"]:
        steps.append({"action": "update_table", "request": {"DeletionProtectionEnabled": desired["deletion_protection"]},
                      "text": ("enable" if desired["deletion_protection"] else "disable") + " deletion protection"})

    steps += plan_settings(desired, live)
    return steps


def plan_settings(desired, live):
    """Point-in-time recovery and time to live: their own API calls, after create or update."""
    steps = []
    if desired["point_in_time_recovery"] != live["point_in_time_recovery"]:
        steps.append({"action": "update_pitr", "enabled": desired["point_in_time_recovery"],
                      "text": ("enable" if desired["point_in_time_recovery"] else "disable") + " point-in-time recovery"})
    if desired["ttl_attribute"] != live["ttl_attribute"]:
        if live["ttl_attribute"]:
            steps.append({"action": "update_ttl", "enabled": False, "attribute": live["ttl_attribute"],
                          "text": f"disable time to live on {live['ttl_attribute']}"})
        if desired["ttl_attribute"]:
            steps.append({"action": "update_ttl", "enabled": True, "attribute": desired["ttl_attribute"],
                          "text": f"enable time to live on {desired['ttl_attribute']}"})
    return steps


def create_request(name, desired, tags):
    """The CreateTable request for the declared table."""
    provisioned = desired["billing_mode"] == "PROVISIONED"
    request = {
        "TableName": name,
        "AttributeDefinitions": attribute_definitions(desired),
        "KeySchema": key_schema(desired["partition_key"], desired["sort_key"]),
        "BillingMode": desired["billing_mode"],
        "TableClass": desired["table_class"],
        "DeletionProtectionEnabled": desired["deletion_protection"],
    }
    if provisioned:
        request["ProvisionedThroughput"] = _throughput(desired["read_capacity"], desired["write_capacity"])
    if desired["global_indexes"]:
        request["GlobalSecondaryIndexes"] = [gsi_create_request(n, i, provisioned)
                                             for n, i in sorted(desired["global_indexes"].items())]
    if desired["local_indexes"]:
        request["LocalSecondaryIndexes"] = [
            {"IndexName": n, "KeySchema": key_schema(desired["partition_key"], i["sort_key"]),
             "Projection": projection_request(i)}
            for n, i in sorted(desired["local_indexes"].items())]
    if desired["stream_view_type"] != STREAM_DISABLED:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": desired["stream_view_type"]}
    if desired["kms_key_arn"]:
        request["SSESpecification"] = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": desired["kms_key_arn"]}
    if tags:
        request["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return request


def planned_view(desired, live, tags, desired_targets):
    """The table's settings after the run (diff 'after'); capacity left to auto scaling stays as it is."""
    view = copy.deepcopy(desired)
    view["tags"] = tags
    view["auto_scaling"] = scaling_view(desired_targets)
    view["attributes"] = {a["AttributeName"]: a["AttributeType"]
                          for a in sorted(attribute_definitions(desired), key=lambda a: a["AttributeName"])}
    if live and view["billing_mode"] == "PROVISIONED" and live["billing_mode"] == "PROVISIONED":
        if desired["auto_scaling"]:
            view["read_capacity"], view["write_capacity"] = live["read_capacity"], live["write_capacity"]
        for index_name, index in view["global_indexes"].items():
            have = live["global_indexes"].get(index_name)
            if have and index.get("auto_scaling") and _gsi_shape(index, desired["attributes"]) == _gsi_shape(have, live["attributes"]):
                index["read_capacity"], index["write_capacity"] = have["read_capacity"], have["write_capacity"]
    for index in view["global_indexes"].values():
        index.pop("auto_scaling", None)
    return view


def scaling_view(targets):
    return {f"{resource_id} {dimension}": {"min": t["min"], "max": t["max"],
                                           "target_utilization": t["policy"]["TargetValue"] if t.get("policy") else None}
            for (resource_id, dimension), t in sorted(targets.items())}


def live_view(live, live_targets):
    view = copy.deepcopy(live)
    view["auto_scaling"] = scaling_view(live_targets)
    view["attributes"] = dict(sorted(view["attributes"].items()))
    return view


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


def _aws_error_types():
    return (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


def describe_table(client, module, name):
    try:
        return client.describe_table(TableName=name, aws_retry=True)["Table"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    except _aws_error_types() as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to describe table {name}")


def describe_settings(client, module, name, table_arn):
    """PITR, TTL and tags of an existing table."""
    try:
        pitr = client.describe_continuous_backups(TableName=name, aws_retry=True)["ContinuousBackupsDescription"]
        ttl = client.describe_time_to_live(TableName=name, aws_retry=True)["TimeToLiveDescription"]
        tags, token = [], None
        while True:
            kwargs = {"ResourceArn": table_arn}
            if token:
                kwargs["NextToken"] = token
            page = client.list_tags_of_resource(aws_retry=True, **kwargs)
            tags += page.get("Tags", [])
            token = page.get("NextToken")
            if not token:
                break
    except _aws_error_types() as e:
        module.fail_json_aws(e, msg=f"Failed to describe the settings of table {name}")
    return pitr, ttl, boto3_tag_list_to_ansible_dict(tags)


@AWSRetry.jittered_backoff()
def _paginate(client, operation, key, **params):
    return client.get_paginator(operation).paginate(**params).build_full_result()[key]


def describe_scaling(client, module, name):
    """Registered scalable targets and scaling policies of the table and its indexes."""
    def ours(item):
        return item["ResourceId"] == f"table/{name}" or item["ResourceId"].startswith(f"table/{name}/index/")

    try:
        targets = _paginate(client, "describe_scalable_targets", "ScalableTargets", ServiceNamespace="dynamodb")
        policies = _paginate(client, "describe_scaling_policies", "ScalingPolicies", ServiceNamespace="dynamodb")
    except _aws_error_types() as e:
        module.fail_json_aws(e, msg=f"Failed to describe the auto scaling of table {name}")
    return live_scaling_targets([t for t in targets if ours(t)], [p for p in policies if ours(p)])


def resolve_kms_key(client, module, key_id):
    """The ARN of the KMS key that key_id names (DynamoDB reports the key ARN)."""
    if not key_id:
        return ""
    if key_id.startswith("arn:") and ":key/" in key_id:
        return key_id
    try:
        return client.describe_key(KeyId=key_id, aws_retry=True)["KeyMetadata"]["Arn"]
    except is_boto3_error_code("NotFoundException"):
        if module.check_mode:
            return key_id  # made earlier in this (checked) run: compare by what was given
        module.fail_json(msg=f"kms_key_id: KMS key {key_id} does not exist")
    except _aws_error_types() as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to look up KMS key {key_id}")


def wait_active(client, module, name, gone_index=None):
    """Wait until the table and its indexes are ACTIVE (and gone_index has disappeared)."""
    deadline = time.time() + module.params["wait_timeout"]
    while True:
        table = describe_table(client, module, name)
        indexes = (table or {}).get("GlobalSecondaryIndexes") or []
        busy = table is None or table.get("TableStatus") != "ACTIVE" or any(
            i.get("IndexStatus") != "ACTIVE" or i.get("Backfilling") for i in indexes
        ) or any(i["IndexName"] == gone_index for i in indexes)
        if not busy:
            return table
        if time.time() >= deadline:
            module.fail_json(msg=f"Timed out waiting for table {name} to be ACTIVE", table=camel(table))
        time.sleep(WAIT_DELAY)


def wait_deleted(client, module, name):
    deadline = time.time() + module.params["wait_timeout"]
    while describe_table(client, module, name) is not None:
        if time.time() >= deadline:
            module.fail_json(msg=f"Timed out waiting for table {name} to be deleted")
        time.sleep(WAIT_DELAY)


def run_step(clients, module, name, step):
    ddb, scaling = clients["dynamodb"], clients["application-autoscaling"]
    action = step["action"]
    try:
        if action == "delete_gsi":
            ddb.update_table(TableName=name, aws_retry=True,
                             GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": step["index"]}}])
            wait_active(ddb, module, name, gone_index=step["index"])
        elif action in ("update_table", "create_gsi"):
            ddb.update_table(TableName=name, aws_retry=True, **step["request"])
            wait_active(ddb, module, name)
        elif action == "update_pitr":
            ddb.update_continuous_backups(
                TableName=name, aws_retry=True,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": step["enabled"]})
        elif action == "update_ttl":
            ddb.update_time_to_live(
                TableName=name, aws_retry=True,
                TimeToLiveSpecification={"Enabled": step["enabled"], "AttributeName": step["attribute"]})
        elif action == "register_scalable_target":
            scaling.register_scalable_target(
                ServiceNamespace="dynamodb", ResourceId=step["resource_id"], ScalableDimension=step["dimension"],
                MinCapacity=step["min"], MaxCapacity=step["max"], aws_retry=True)
        elif action == "put_scaling_policy":
            scaling.put_scaling_policy(
                PolicyName=step["policy_name"], ServiceNamespace="dynamodb", ResourceId=step["resource_id"],
                ScalableDimension=step["dimension"], PolicyType="TargetTrackingScaling",
                TargetTrackingScalingPolicyConfiguration=step["policy"], aws_retry=True)
        elif action == "deregister_scalable_target":
            scaling.deregister_scalable_target(
                ServiceNamespace="dynamodb", ResourceId=step["resource_id"], ScalableDimension=step["dimension"],
                aws_retry=True)
        elif action == "tag":
            ddb.tag_resource(ResourceArn=step["arn"], Tags=ansible_dict_to_boto3_tag_list(step["tags"]), aws_retry=True)
        elif action == "untag":
            ddb.untag_resource(ResourceArn=step["arn"], TagKeys=step["keys"], aws_retry=True)
    except is_boto3_error_code("ObjectNotFoundException"):
        pass  # a scalable target already deregistered
    except _aws_error_types() as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to {step['text']} (table {name})")


def camel(table):
    if not table:
        return {}
    return camel_dict_to_snake_dict(normalize_boto3_result(table))


def table_result(table, spec):
    """The module's view of a table: its identity and its settings."""
    if not table:
        return {}
    result = dict(spec)
    result.update({
        "table_name": table["TableName"],
        "table_arn": table.get("TableArn", ""),
        "table_id": table.get("TableId", ""),
        "table_status": table.get("TableStatus", ""),
        "creation_date_time": normalize_boto3_result(table.get("CreationDateTime")),
        "latest_stream_arn": table.get("LatestStreamArn", "") if spec["stream_view_type"] != STREAM_DISABLED else "",
    })
    return result


# ---------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------


def current_state(clients, module, name):
    """(described table, live spec, live scaling targets); (None, None, {}) when there is no table."""
    table = describe_table(clients["dynamodb"], module, name)
    if table is None:
        return None, None, {}
    pitr, ttl, tags = describe_settings(clients["dynamodb"], module, name, table["TableArn"])
    return table, live_spec(table, pitr, ttl, tags), describe_scaling(clients["application-autoscaling"], module, name)


def ensure_present(clients, module):
    params = module.params
    name = params["name"]
    ddb = clients["dynamodb"]
    desired = desired_spec(params, resolve_kms_key(clients["kms"], module, params["kms_key_id"]))
    desired_targets = scaling_targets(name, desired)
    table, live, live_targets = current_state(clients, module, name)
    reasons = replacement_reasons(name, desired, live) if table else []

    if table is None:
        tags = dict(params["tags"] or {})
        steps = [{"action": "create", "text": f"create table {name}"}]
        steps += plan_settings(desired, live_spec({"TableName": name}))
        steps += plan_scaling(desired_targets, {})
        before = {}
    elif reasons:
        if not params["allow_replacement"]:
            module.fail_json(msg="; ".join(reasons) + ". Nothing was changed; allow_replacement=true replaces "
                             "the table (it is deleted with every item in it and created again).", refused=reasons)
        if live["deletion_protection"]:
            module.fail_json(msg=f"table {name}: not replaced, its deletion protection is on; turn it off "
                             "(deletion_protection=false) in a run of its own first. Nothing was changed.")
        tags = dict(params["tags"] or {})
        steps = [{"action": "delete_table", "live_targets": sorted(live_targets),
                  "text": f"delete table {name} with every item in it, to replace it ({'; '.join(reasons)})"},
                 {"action": "create", "text": f"create table {name}"}]
        steps += plan_settings(desired, live_spec({"TableName": name}))
        steps += plan_scaling(desired_targets, {})
        before = live_view(live, live_targets)
        live = None  # the new table is planned from nothing
    else:
        tags, to_set, to_unset = plan_tags(live["tags"], params["tags"], params["purge_tags"])
        scaling = plan_scaling(desired_targets, live_targets)
        # Stop auto scaling first (before a switch to on-demand or an index deletion), start it last.
        steps = [s for s in scaling if s["action"] == "deregister_scalable_target"]
        steps += plan_updates(name, desired, live)
        steps += [s for s in scaling if s["action"] != "deregister_scalable_target"]
        if to_unset:
            steps.append({"action": "untag", "arn": table["TableArn"], "keys": sorted(to_unset),
                          "text": f"remove tags {', '.join(sorted(to_unset))}"})
        if to_set:
            steps.append({"action": "tag", "arn": table["TableArn"], "tags": to_set,
                          "text": f"set tags {', '.join(sorted(to_set))}"})
        before = live_view(live, live_targets)

    after = planned_view(desired, live, tags, desired_targets)
    result = {"changed": bool(steps), "changes": [step["text"] for step in steps]}
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    if module.check_mode or not steps:
        result["table"] = table_result(table, after) if table else {}
        module.exit_json(**result)

    for step in steps:
        if step["action"] == "delete_table":
            delete_table(clients, module, name, step["live_targets"])
            wait_deleted(ddb, module, name)  # CreateTable fails while the old table is still being deleted
        elif step["action"] == "create":
            try:
                # No retry on ResourceInUseException here: it means the table exists.
                ddb.create_table(**create_request(name, desired, tags))
            except is_boto3_error_code("ResourceInUseException"):
                pass  # created by an earlier attempt of this same request: converge it below
            except _aws_error_types() as e:  # pylint: disable=duplicate-except
                module.fail_json_aws(e, msg=f"Failed to create table {name}")
            wait_active(ddb, module, name)
        else:
            run_step(clients, module, name, step)

    if params["wait"]:
        wait_active(ddb, module, name)
    table, live, live_targets = current_state(clients, module, name)
    result["table"] = table_result(table, live_view(live, live_targets))
    module.exit_json(**result)


def delete_table(clients, module, name, live_targets):
    """Stop the table's auto scaling (the (resource id, dimension) pairs given), then delete it."""
    for resource_id, dimension in live_targets:
        run_step(clients, module, name, {"action": "deregister_scalable_target", "resource_id": resource_id,
                                         "dimension": dimension, "text": f"stop auto scaling of {resource_id}"})
    try:
        clients["dynamodb"].delete_table(TableName=name, aws_retry=True)
    except is_boto3_error_code("ResourceNotFoundException"):
        pass
    except _aws_error_types() as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to delete table {name}")


def ensure_absent(clients, module):
    name = module.params["name"]
    ddb = clients["dynamodb"]
    table, live, live_targets = current_state(clients, module, name)
    result = {"changed": table is not None, "changes": [f"delete table {name}"] if table else [], "table": {}}
    if module._diff:
        result["diff"] = {"before": live_view(live, live_targets) if live else {}, "after": {}}
    if table is None:
        module.exit_json(**result)
    if not module.params["allow_table_deletion"]:
        module.fail_json(msg=f"table {name}: not deleted, deleting it drops all its items; "
                             "set allow_table_deletion=true to confirm. Nothing was changed.")
    if live["deletion_protection"]:
        module.fail_json(msg=f"table {name}: not deleted, its deletion protection is on; "
                             "turn it off (deletion_protection=false) in a run of its own first. Nothing was changed.")
    if module.check_mode:
        module.exit_json(**result)
    delete_table(clients, module, name, sorted(live_targets))
    if module.params["wait"]:
        wait_deleted(ddb, module, name)
    module.exit_json(**result)


def validate_params(module):
    """Rules the argument spec cannot express; every message names the option."""
    params = module.params
    if params["state"] != "present":
        return
    errors = []
    attributes = params["attributes"] or {}
    for attribute, kind in attributes.items():
        if kind not in ATTRIBUTE_TYPES:
            errors.append(f"attributes: {attribute} has type {kind}; DynamoDB key attributes are S, N or B")
    keys = [("partition_key", params["partition_key"]), ("sort_key", params["sort_key"])]
    for index in params["global_indexes"]:
        keys += [(f"global_indexes[{index['name']}].partition_key", index["partition_key"]),
                 (f"global_indexes[{index['name']}].sort_key", index["sort_key"])]
    for index in params["local_indexes"]:
        keys.append((f"local_indexes[{index['name']}].sort_key", index["sort_key"]))
    used = set()
    for option, attribute in keys:
        if attribute:
            used.add(attribute)
            if attribute not in attributes:
                errors.append(f"{option}: attribute {attribute} is not declared in attributes")
    if params["local_indexes"] and not params["sort_key"]:
        errors.append("local_indexes: a table needs a sort key to have local secondary indexes")
    if params["ttl_attribute"] and params["ttl_attribute"] in used:
        errors.append(f"ttl_attribute: {params['ttl_attribute']} is a key attribute")
    provisioned = params["billing_mode"] == "PROVISIONED"
    capacities = [("read_capacity", params["read_capacity"]), ("write_capacity", params["write_capacity"])]
    for index in params["global_indexes"]:
        capacities += [(f"global_indexes[{index['name']}].read_capacity", index["read_capacity"]),
                       (f"global_indexes[{index['name']}].write_capacity", index["write_capacity"])]
    for option, value in capacities:
        if not provisioned and value is not None:
            errors.append(f"{option}: only valid with billing_mode=PROVISIONED")
        elif provisioned and value is not None and value < 1:
            errors.append(f"{option}: must be at least 1, got {value}")
    if provisioned and (params["read_capacity"] is None or params["write_capacity"] is None):
        errors.append("read_capacity, write_capacity: required with billing_mode=PROVISIONED")
    names = [i["name"] for i in params["global_indexes"] + params["local_indexes"]]
    for index_name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(f"global_indexes, local_indexes: index name {index_name} is used twice")
    if errors:
        module.fail_json(msg="; ".join(errors))
    if not params["partition_key"] or not attributes:
        module.fail_json(msg="attributes, partition_key: required with state=present")


def main():
    index_scaling = dict(type="dict")
    argument_spec = dict(
        name=dict(required=True),
        state=dict(default="present", choices=["present", "absent"]),
        attributes=dict(type="dict"),
        partition_key=dict(),
        sort_key=dict(),
        global_indexes=dict(
            type="list", elements="dict", default=[],
            options=dict(
                name=dict(required=True),
                partition_key=dict(required=True),
                sort_key=dict(),
                projection=dict(default="ALL", choices=["ALL", "KEYS_ONLY", "INCLUDE"]),
                non_key_attributes=dict(type="list", elements="str", default=[]),
                read_capacity=dict(type="int"),
                write_capacity=dict(type="int"),
                auto_scaling=index_scaling,
            ),
        ),
        local_indexes=dict(
            type="list", elements="dict", default=[],
            options=dict(
                name=dict(required=True),
                sort_key=dict(required=True),
                projection=dict(default="ALL", choices=["ALL", "KEYS_ONLY", "INCLUDE"]),
                non_key_attributes=dict(type="list", elements="str", default=[]),
            ),
        ),
        billing_mode=dict(default="PAY_PER_REQUEST", choices=["PAY_PER_REQUEST", "PROVISIONED"]),
        read_capacity=dict(type="int"),
        write_capacity=dict(type="int"),
        auto_scaling=dict(type="dict"),
        stream_view_type=dict(
            default=STREAM_DISABLED,
            choices=[STREAM_DISABLED, "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]),
        point_in_time_recovery=dict(type="bool", default=False),
        ttl_attribute=dict(default=""),
        kms_key_id=dict(default="", no_log=False),
        table_class=dict(default="STANDARD", choices=["STANDARD", "STANDARD_INFREQUENT_ACCESS"]),
        deletion_protection=dict(type="bool", default=False),
        allow_table_deletion=dict(type="bool", default=False),
        allow_replacement=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate_params(module)

    retry = AWSRetry.jittered_backoff(catch_extra_error_codes=["LimitExceededException", "ResourceInUseException"])
    try:
        clients = {
            "dynamodb": module.client("dynamodb", retry_decorator=retry),
            "application-autoscaling": module.client("application-autoscaling", retry_decorator=AWSRetry.jittered_backoff()),
            "kms": module.client("kms", retry_decorator=AWSRetry.jittered_backoff()),
        }
    except _aws_error_types() as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    if module.params["state"] == "present":
        ensure_present(clients, module)
    else:
        ensure_absent(clients, module)


if __name__ == "__main__":
    main()
