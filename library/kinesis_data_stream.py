#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: kinesis_data_stream
short_description: Manage one Kinesis data stream fully, including on-demand mode and safe resharding
description:
  - Creates, updates and deletes a Kinesis data stream in provisioned or on-demand capacity mode.
  - Manages the capacity mode, the open shard count (provisioned mode), the retention period,
    server-side encryption with a KMS key, enhanced shard-level metrics and tags.
  - Resharding uses C(UpdateShardCount) with C(UNIFORM_SCALING) in steps that each at most double
    or halve the open shard count (the limit of the API), waiting for the stream to be C(ACTIVE)
    between steps. For example 1 to 4 shards goes through 2.
  - Options that are not set keep their current value.
  - The result and diff mode report exactly which settings changed, from what to what.
  - This module supports check mode and diff mode. Check mode makes no mutating call.
author:
  - Ansible toolkit contributors
options:
  name:
    description:
      - The name of the stream.
    required: true
    type: str
  state:
    description:
      - V(present) ensures that the stream exists with the given settings.
      - V(absent) deletes the stream and every record in it; requires O(allow_delete=true).
    choices: ["present", "absent"]
    default: present
    type: str
  allow_delete:
    description:
      - A stream holds data that is lost when it is deleted. With O(state=absent) the module
        refuses to delete an existing stream unless this is V(true).
    type: bool
    default: false
  stream_mode:
    description:
      - The capacity mode. V(on_demand) lets AWS scale the shards; V(provisioned) uses O(shard_count).
      - Defaults to V(provisioned) when the stream is created; an existing stream keeps its mode if not set.
    choices: ["provisioned", "on_demand"]
    type: str
  shard_count:
    description:
      - The number of open shards of a provisioned stream.
      - Required to create a stream in provisioned mode. Ignored in on-demand mode.
    type: int
  retention_period_hours:
    description:
      - How long records stay in the stream, 24 to 8760 hours.
      - A new stream gets 24 hours unless set.
    type: int
  encryption_type:
    description:
      - V(KMS) encrypts records at rest with O(kms_key_id); V(NONE) stops encryption.
      - If not set, encryption stays as it is.
    choices: ["KMS", "NONE"]
    type: str
  kms_key_id:
    description:
      - The KMS key for O(encryption_type=KMS) - a key ID, key ARN, alias name (V(alias/name)) or alias ARN.
      - A different spelling of the key the stream already uses is not a change (the module resolves both).
    type: str
  shard_level_metrics:
    description:
      - The enhanced shard-level metrics to enable; every other one is disabled. V([]) disables all.
      - V(ALL) stands for all of them.
      - If not set, the enabled metrics stay as they are.
    type: list
    elements: str
    choices:
      - IncomingBytes
      - IncomingRecords
      - OutgoingBytes
      - OutgoingRecords
      - WriteProvisionedThroughputExceeded
      - ReadProvisionedThroughputExceeded
      - IteratorAgeMilliseconds
      - ALL
  wait:
    description:
      - Wait for the stream to be V(ACTIVE) after the last change (or to be gone after deletion).
      - The module always waits between two changes, since AWS refuses a change while the stream is updating.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for each status change.
    type: int
    default: 600
notes:
  - The stream name is its identity, so a retried create finds the stream instead of making a second one.
  - AWS allows at most 10 C(UpdateShardCount) calls per stream per rolling 24 hours, and two
    capacity mode switches per 24 hours; a large change of O(shard_count) uses several calls.
  - Switching from on-demand to provisioned keeps the current shards, then reshards to O(shard_count).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: A provisioned stream with 4 shards, 7 days of retention, encrypted with a customer key
  kinesis_data_stream:
    name: clickstream
    stream_mode: provisioned
    shard_count: 4
    retention_period_hours: 168
    encryption_type: KMS
    kms_key_id: alias/data
    shard_level_metrics: [IncomingBytes, WriteProvisionedThroughputExceeded]
    tags:
      Team: analytics
  register: stream

- name: An on-demand stream
  kinesis_data_stream:
    name: audit
    stream_mode: on_demand

- name: Delete a stream and the records in it
  kinesis_data_stream:
    name: audit
    state: absent
    allow_delete: true
"""

RETURN = r"""
stream:
  description:
    - The stream after the run. In check mode, the stream as it currently exists (empty if it does not exist yet).
  returned: when O(state=present)
  type: dict
  contains:
    stream_name:
      description: The name of the stream.
      returned: always
      type: str
      sample: clickstream
    stream_arn:
      description: The ARN of the stream.
      returned: always
      type: str
      sample: arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream
    stream_status:
      description: The status of the stream.
      returned: always
      type: str
      sample: ACTIVE
    stream_mode:
      description: The capacity mode.
      returned: always
      type: str
      sample: provisioned
    open_shard_count:
      description: The number of open shards (shards without an ending sequence number).
      returned: always
      type: int
      sample: 4
    retention_period_hours:
      description: The retention period.
      returned: always
      type: int
      sample: 168
    encryption_type:
      description: The server-side encryption type.
      returned: always
      type: str
      sample: KMS
    kms_key_id:
      description: The KMS key the stream is encrypted with, as it was given.
      returned: always
      type: str
      sample: alias/data
    shard_level_metrics:
      description: The enabled enhanced shard-level metrics, sorted.
      returned: always
      type: list
      elements: str
      sample: ["IncomingBytes"]
    tags:
      description: The tags of the stream.
      returned: always
      type: dict
      sample: {"Team": "analytics"}
changes:
  description:
    - Each setting this run changed (in check mode, would change), with its value before and after.
    - Empty when nothing changed.
  returned: always
  type: dict
  sample: {"shard_count": {"before": 1, "after": 4}, "retention_period_hours": {"before": 24, "after": 168}}
reshard_steps:
  description: The open shard counts UpdateShardCount goes through, in order. Empty when the stream is not resharded.
  returned: always
  type: list
  elements: int
  sample: [2, 4]
"""

import math
import time

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

MODES = {"provisioned": "PROVISIONED", "on_demand": "ON_DEMAND"}
ALL_METRICS = (
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
)
MIN_RETENTION_HOURS = 24
MAX_RETENTION_HOURS = 8760
# The settings the module manages, in the order it applies them.
SETTINGS = (
    "stream_mode",
    "shard_count",
    "retention_period_hours",
    "encryption_type",
    "kms_key_id",
    "shard_level_metrics",
    "tags",
)
POLL_DELAY = 2


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def expand_metrics(metrics):
    """Sorted, de-duplicated metric names, with ALL expanded."""
    if metrics is None:
        return None
    if "ALL" in metrics:
        return sorted(ALL_METRICS)
    return sorted(set(metrics))


def count_open_shards(shards):
    """Open shards are those without an EndingSequenceNumber (closed ones keep data until retention)."""
    return len([s for s in shards if "EndingSequenceNumber" not in s.get("SequenceNumberRange", {})])


def plan_reshard_steps(current, target):
    """Open shard counts to go through: each UpdateShardCount at most doubles or halves the count."""
    if not current or not target:
        return []
    steps = []
    while current != target:
        current = min(target, current * 2) if target > current else max(target, math.ceil(current / 2))
        steps.append(current)
    return steps


def live_settings(summary, open_shards, tags):
    """The managed settings of a described stream, keyed like the module options."""
    metrics = []
    for entry in summary.get("EnhancedMonitoring") or []:
        metrics.extend(entry.get("ShardLevelMetrics") or [])
    mode = (summary.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED")
    encryption_type = summary.get("EncryptionType") or "NONE"
    return {
        "stream_mode": "on_demand" if mode == "ON_DEMAND" else "provisioned",
        "shard_count": open_shards,
        "retention_period_hours": summary.get("RetentionPeriodHours") or MIN_RETENTION_HOURS,
        "encryption_type": encryption_type,
        "kms_key_id": summary.get("KeyId") if encryption_type == "KMS" else None,
        "shard_level_metrics": expand_metrics(metrics),
        "tags": dict(tags or {}),
    }


def desired_settings(params, live, same_key=None):
    """The settings after this run: requested values, else the live ones (or AWS's defaults for a new stream).

    same_key(a, b) tells whether two spellings of a KMS key name the same key.
    """
    live = live or {}
    new = not live
    wanted = {}
    wanted["stream_mode"] = params.get("stream_mode") or live.get("stream_mode") or "provisioned"
    if wanted["stream_mode"] == "provisioned":
        wanted["shard_count"] = params.get("shard_count") or live.get("shard_count")
    else:
        # AWS scales an on-demand stream: its shard count is not a setting.
        wanted["shard_count"] = live.get("shard_count")
    wanted["retention_period_hours"] = (
        params.get("retention_period_hours") or live.get("retention_period_hours") or MIN_RETENTION_HOURS
    )
    encryption_type = params.get("encryption_type") or live.get("encryption_type") or "NONE"
    wanted["encryption_type"] = encryption_type
    if encryption_type == "KMS":
        key = params.get("kms_key_id") or live.get("kms_key_id")
        if key and live.get("kms_key_id") and same_key and same_key(key, live["kms_key_id"]):
            key = live["kms_key_id"]  # the same key, spelled differently: not a change
        wanted["kms_key_id"] = key
    else:
        wanted["kms_key_id"] = None
    metrics = expand_metrics(params.get("shard_level_metrics"))
    wanted["shard_level_metrics"] = metrics if metrics is not None else (live.get("shard_level_metrics") or [])
    tags = dict(live.get("tags") or {})
    if params.get("tags") is not None:
        to_set, to_unset = compare_aws_tags(tags, params["tags"], params.get("purge_tags", True))
        tags = {k: v for k, v in tags.items() if k not in to_unset}
        tags.update(to_set)
    wanted["tags"] = tags
    if new:
        wanted["shard_count"] = wanted["shard_count"] if wanted["stream_mode"] == "provisioned" else None
    return wanted


def plan_changes(live, wanted):
    """{setting: {"before": ..., "after": ...}} for each setting that differs."""
    before = live or {name: None for name in SETTINGS}
    changes = {}
    for name in SETTINGS:
        if name == "shard_count" and wanted.get("stream_mode") == "on_demand":
            continue
        if before.get(name) != wanted.get(name):
            changes[name] = {"before": before.get(name), "after": wanted.get(name)}
    return changes


def diff_view(settings):
    """What diff mode shows of the settings; AWS manages the shard count of an on-demand stream."""
    if not settings:
        return {}
    return {key: value for key, value in settings.items()
            if not (key == "shard_count" and settings["stream_mode"] == "on_demand")}


def format_stream(summary, settings):
    """The stream as the module returns it."""
    if not summary:
        return {}
    return {
        "stream_name": summary.get("StreamName"),
        "stream_arn": summary.get("StreamARN"),
        "stream_status": summary.get("StreamStatus"),
        "stream_mode": settings["stream_mode"],
        "open_shard_count": settings["shard_count"],
        "retention_period_hours": settings["retention_period_hours"],
        "encryption_type": settings["encryption_type"],
        "kms_key_id": settings["kms_key_id"],
        "shard_level_metrics": settings["shard_level_metrics"],
        "tags": settings["tags"],
    }


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------

def _errors():
    return (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


def describe_summary(client, module, name):
    try:
        return client.describe_stream_summary(StreamName=name, aws_retry=True)["StreamDescriptionSummary"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    except _errors() as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to describe stream {name}")


def list_shards(client, module, arn):
    """Every shard of the stream (open and closed).

    The ListShards paginator cannot be used: AWS rejects a request that has both a
    NextToken and the stream's name or ARN, and the paginator repeats the first request's parameters.
    """
    shards, params = [], {"StreamARN": arn}
    try:
        while True:
            response = client.list_shards(aws_retry=True, **params)
            shards.extend(response.get("Shards", []))
            if not response.get("NextToken"):
                return shards
            params = {"NextToken": response["NextToken"]}
    except _errors() as e:
        module.fail_json_aws(e, msg=f"Failed to list the shards of {arn}")


def list_tags(client, module, arn):
    tags, params = {}, {"StreamARN": arn}
    try:
        while True:
            response = client.list_tags_for_stream(aws_retry=True, **params)
            page = response.get("Tags", [])
            tags.update({tag["Key"]: tag.get("Value", "") for tag in page})
            if not response.get("HasMoreTags") or not page:
                return tags
            params = {"StreamARN": arn, "ExclusiveStartTagKey": page[-1]["Key"]}
    except _errors() as e:
        module.fail_json_aws(e, msg=f"Failed to list the tags of {arn}")


def read_stream(client, module, name):
    """(summary, settings) of the stream, or (None, None) if it does not exist."""
    summary = describe_summary(client, module, name)
    if summary is None:
        return None, None
    shards = list_shards(client, module, summary["StreamARN"])
    tags = list_tags(client, module, summary["StreamARN"])
    return summary, live_settings(summary, count_open_shards(shards), tags)


def wait_for_active(client, module, name, timeout):
    deadline = time.time() + timeout
    while True:
        summary = describe_summary(client, module, name)
        status = summary.get("StreamStatus") if summary else None
        if status == "ACTIVE":
            return summary
        if time.time() > deadline:
            module.fail_json(msg=f"Timed out after {timeout} s waiting for stream {name} to be ACTIVE (status {status})")
        time.sleep(POLL_DELAY)


def wait_for_deletion(client, module, name, timeout):
    deadline = time.time() + timeout
    while describe_summary(client, module, name) is not None:
        if time.time() > deadline:
            module.fail_json(msg=f"Timed out after {timeout} s waiting for stream {name} to be deleted")
        time.sleep(POLL_DELAY)


def key_resolver(module):
    """same_key(a, b): whether two KMS key spellings name the same key (resolved with DescribeKey)."""
    cache = {}

    def resolve(key_id):
        if key_id not in cache:
            try:
                kms = module.client("kms", retry_decorator=AWSRetry.jittered_backoff())
                cache[key_id] = kms.describe_key(KeyId=key_id, aws_retry=True)["KeyMetadata"]["Arn"]
            except _errors():
                cache[key_id] = None  # unknown: treat as different, so the requested key is applied
        return cache[key_id]

    def same_key(first, second):
        if first == second:
            return True
        if not first or not second:
            return False
        resolved = resolve(first)
        return resolved is not None and resolved == resolve(second)

    return same_key


def call(module, description, method, **params):
    try:
        return method(aws_retry=True, **params)
    except _errors() as e:
        module.fail_json_aws(e, msg=f"Failed to {description}")


def create_stream(client, module, name, wanted):
    params = {"StreamName": name}
    if wanted["stream_mode"] == "on_demand":
        params["StreamModeDetails"] = {"StreamMode": "ON_DEMAND"}
    else:
        params["ShardCount"] = wanted["shard_count"]
        params["StreamModeDetails"] = {"StreamMode": "PROVISIONED"}
    try:
        client.create_stream(aws_retry=True, **params)
    except is_boto3_error_code("ResourceInUseException"):
        pass  # a retried request that already created it: the stream is converged below
    except _errors() as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to create stream {name}")


def apply_changes(client, module, name, arn, live, wanted, steps):
    """Apply the planned changes one at a time, waiting for ACTIVE before each."""
    timeout = module.params["wait_timeout"]

    def ready():
        wait_for_active(client, module, name, timeout)

    if live["stream_mode"] != wanted["stream_mode"] and wanted["stream_mode"] == "provisioned":
        ready()
        call(module, f"switch {name} to provisioned mode", client.update_stream_mode,
             StreamARN=arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
    for count in steps:
        ready()
        call(module, f"reshard {name} to {count} shards", client.update_shard_count,
             StreamARN=arn, TargetShardCount=count, ScalingType="UNIFORM_SCALING")
    if live["stream_mode"] != wanted["stream_mode"] and wanted["stream_mode"] == "on_demand":
        ready()
        call(module, f"switch {name} to on-demand mode", client.update_stream_mode,
             StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})

    hours = wanted["retention_period_hours"]
    if hours > live["retention_period_hours"]:
        ready()
        call(module, f"increase the retention of {name}", client.increase_stream_retention_period,
             StreamARN=arn, RetentionPeriodHours=hours)
    elif hours < live["retention_period_hours"]:
        ready()
        call(module, f"decrease the retention of {name}", client.decrease_stream_retention_period,
             StreamARN=arn, RetentionPeriodHours=hours)

    if (live["encryption_type"], live["kms_key_id"]) != (wanted["encryption_type"], wanted["kms_key_id"]):
        ready()
        if wanted["encryption_type"] == "KMS":
            # StartStreamEncryption also changes the key of an encrypted stream.
            call(module, f"encrypt {name}", client.start_stream_encryption,
                 StreamARN=arn, EncryptionType="KMS", KeyId=wanted["kms_key_id"])
        else:
            call(module, f"stop encrypting {name}", client.stop_stream_encryption,
                 StreamARN=arn, EncryptionType="KMS", KeyId=live["kms_key_id"])

    enable = sorted(set(wanted["shard_level_metrics"]) - set(live["shard_level_metrics"]))
    disable = sorted(set(live["shard_level_metrics"]) - set(wanted["shard_level_metrics"]))
    if disable:
        ready()
        call(module, f"disable shard-level metrics of {name}", client.disable_enhanced_monitoring,
             StreamARN=arn, ShardLevelMetrics=disable)
    if enable:
        ready()
        call(module, f"enable shard-level metrics of {name}", client.enable_enhanced_monitoring,
             StreamARN=arn, ShardLevelMetrics=enable)

    to_set, to_unset = compare_aws_tags(live["tags"], wanted["tags"], True)
    if to_set or to_unset:
        ready()
    if to_unset:
        call(module, f"untag {name}", client.remove_tags_from_stream, StreamARN=arn, TagKeys=to_unset)
    if to_set:
        # AddTagsToStream takes at most 10 tags per call.
        items = sorted(to_set.items())
        for start in range(0, len(items), 10):
            call(module, f"tag {name}", client.add_tags_to_stream, StreamARN=arn, Tags=dict(items[start:start + 10]))


# ---------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------


def ensure_present(client, module):
    name = module.params["name"]
    summary, live = read_stream(client, module, name)
    same_key = key_resolver(module)
    wanted = desired_settings(module.params, live, same_key)
    if live is None and wanted["stream_mode"] == "provisioned" and not wanted["shard_count"]:
        module.fail_json(msg="shard_count is required to create a stream in provisioned mode")
    if wanted["encryption_type"] == "KMS" and not wanted["kms_key_id"]:
        module.fail_json(msg="kms_key_id is required with encryption_type=KMS")

    changes = plan_changes(live, wanted)
    steps = []
    if live is not None and wanted["stream_mode"] == "provisioned" and "shard_count" in changes:
        steps = plan_reshard_steps(live["shard_count"], wanted["shard_count"])

    result = {"changed": bool(changes), "changes": changes, "reshard_steps": steps,
              "stream": format_stream(summary, live) if live else {}}
    if module._diff:
        result["diff"] = {"before": diff_view(live), "after": diff_view(wanted)}
    if module.check_mode or not changes:
        return result

    timeout = module.params["wait_timeout"]
    if live is None:
        create_stream(client, module, name, wanted)
        summary = wait_for_active(client, module, name, timeout)
        shards = list_shards(client, module, summary["StreamARN"])
        live = live_settings(summary, count_open_shards(shards), list_tags(client, module, summary["StreamARN"]))
        if wanted["stream_mode"] == "provisioned":
            steps = plan_reshard_steps(live["shard_count"], wanted["shard_count"])
    apply_changes(client, module, name, summary["StreamARN"], live, wanted, steps)
    if module.params["wait"]:
        wait_for_active(client, module, name, timeout)

    summary, after = read_stream(client, module, name)
    if module.params["wait"] and wanted["stream_mode"] == "provisioned" and after["shard_count"] != wanted["shard_count"]:
        module.fail_json(
            msg=f"Stream {name} has {after['shard_count']} open shards after resharding, expected {wanted['shard_count']}",
            changes=changes, reshard_steps=steps, stream=format_stream(summary, after))
    result["stream"] = format_stream(summary, after)
    return result


def ensure_absent(client, module):
    name = module.params["name"]
    summary, live = read_stream(client, module, name)
    result = {"changed": live is not None, "changes": {}, "reshard_steps": []}
    if live is None:
        return result
    if not module.params["allow_delete"]:
        module.fail_json(
            msg=f"Refusing to delete stream {name}: deleting it destroys the records in it. Set allow_delete=true to confirm.")
    result["changes"] = {"stream": {"before": name, "after": None}}
    if module._diff:
        result["diff"] = {"before": live, "after": {}}
    if module.check_mode:
        return result
    try:
        client.delete_stream(StreamARN=summary["StreamARN"], aws_retry=True)
    except is_boto3_error_code("ResourceNotFoundException"):
        return result  # already gone
    except _errors() as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to delete stream {name}")
    if module.params["wait"]:
        wait_for_deletion(client, module, name, module.params["wait_timeout"])
    return result


def validate_params(module):
    params = module.params
    hours = params["retention_period_hours"]
    if hours is not None and not MIN_RETENTION_HOURS <= hours <= MAX_RETENTION_HOURS:
        module.fail_json(msg=f"retention_period_hours must be between {MIN_RETENTION_HOURS} and {MAX_RETENTION_HOURS}, got {hours}")
    if params["shard_count"] is not None and params["shard_count"] < 1:
        module.fail_json(msg=f"shard_count must be at least 1, got {params['shard_count']}")
    if params["kms_key_id"] and params["encryption_type"] == "NONE":
        module.fail_json(msg="kms_key_id cannot be used with encryption_type=NONE")
    if params["wait_timeout"] < 1:
        module.fail_json(msg="wait_timeout must be at least 1")


def main():
    argument_spec = dict(
        name=dict(required=True),
        state=dict(default="present", choices=["present", "absent"]),
        allow_delete=dict(type="bool", default=False),
        stream_mode=dict(choices=["provisioned", "on_demand"]),
        shard_count=dict(type="int"),
        retention_period_hours=dict(type="int"),
        encryption_type=dict(choices=["KMS", "NONE"]),
        kms_key_id=dict(no_log=False),
        shard_level_metrics=dict(type="list", elements="str", choices=list(ALL_METRICS) + ["ALL"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[["encryption_type", "KMS", ["kms_key_id"]]],
    )
    validate_params(module)

    try:
        client = module.client("kinesis", retry_decorator=AWSRetry.jittered_backoff())
    except _errors() as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    if module.params["state"] == "present":
        result = ensure_present(client, module)
    else:
        result = ensure_absent(client, module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
