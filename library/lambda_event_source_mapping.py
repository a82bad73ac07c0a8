#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: lambda_event_source_mapping
short_description: Create, update and delete Lambda event source mappings with all their options
description:
  - Links a Lambda function to a Kinesis data stream, a DynamoDB stream or an SQS queue,
    with the options that M(amazon.aws.lambda_event) lacks - on-failure destination,
    bisect on error, bounded retries and record age, parallelization factor, partial batch
    responses, filter criteria, tumbling windows and maximum concurrency.
  - A mapping is identified by its function and its event source ARN. It is updated in
    place; options that are not set keep their current value.
  - O(starting_position) and O(starting_position_timestamp) are set when the mapping is
    created and cannot be changed; a different value is reported in RV(immutable_differences)
    with a warning and leaves the mapping as it is.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - V(present) ensures that the mapping exists with the given settings.
      - V(absent) deletes every mapping of O(function_name) from O(event_source_arn).
    choices: ["present", "absent"]
    default: present
    type: str
  function_name:
    description:
      - Name or ARN of the function, optionally qualified by version or alias (C(name:alias)).
    required: true
    type: str
  event_source_arn:
    description:
      - ARN of the Kinesis data stream, DynamoDB stream or SQS queue.
    required: true
    type: str
  enabled:
    description:
      - Whether the mapping polls the source.
    type: bool
    default: true
  batch_size:
    description:
      - Maximum number of records in a batch (Kinesis and DynamoDB streams up to 10000; SQS up to 10000, FIFO up to 10).
    type: int
  maximum_batching_window_in_seconds:
    description:
      - How long Lambda gathers records before invoking the function, 0 to 300 seconds.
    type: int
  starting_position:
    description:
      - Where reading a stream starts. Required to create a mapping from a stream; not valid for SQS.
    choices: ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]
    type: str
  starting_position_timestamp:
    description:
      - With O(starting_position=AT_TIMESTAMP), the time to start at (ISO 8601 or epoch seconds).
    type: str
  bisect_batch_on_function_error:
    description:
      - Streams only. Split a batch in two and retry each half when the function fails.
    type: bool
  maximum_retry_attempts:
    description:
      - Streams only. Retries of a failed batch, -1 (until the record expires) to 10000.
    type: int
  maximum_record_age_in_seconds:
    description:
      - Streams only. Records older than this are discarded (sent to the on-failure destination), -1 (never) or 60 to 604800.
    type: int
  parallelization_factor:
    description:
      - Streams only. Concurrent batches per shard, 1 to 10.
    type: int
  function_response_types:
    description:
      - V(ReportBatchItemFailures) lets the function report the records that failed
        (C(batchItemFailures)) so that only they are retried. An empty list turns it off.
    type: list
    elements: str
    choices: ["ReportBatchItemFailures"]
  destination_on_failure:
    description:
      - Streams only. ARN of the SQS queue, SNS topic or S3 bucket that receives the
        metadata of batches that exhausted their retries or expired. An empty string removes it.
    type: str
  tumbling_window_in_seconds:
    description:
      - Streams only. Duration of a processing window for aggregation, 0 to 900 seconds.
    type: int
  filter_patterns:
    description:
      - Event filtering patterns (JSON strings or dicts); records that match none are dropped
        before the function is invoked. An empty list removes the filters.
    type: list
    elements: raw
  maximum_concurrency:
    description:
      - SQS only. Maximum concurrent invocations by this mapping, 2 to 1000.
    type: int
  wait:
    description:
      - Wait until the mapping has left its transitional state (C(Creating), C(Updating), ...).
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait, in seconds.
    type: int
    default: 300
notes:
  - When several mappings of the same function and source exist, the module keeps one
    (preferably one with the requested settings) and deletes the others, since each
    would process every record again.
  - Creation is preceded by a lookup, and a conflict on creation (a retry of a create
    that succeeded) makes the module find and update the existing mapping, so a retry
    never makes a second mapping.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Feed a Kinesis stream to a function, retrying only the failed records
  lambda_event_source_mapping:
    function_name: stream-preprocessor
    event_source_arn: arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream
    starting_position: TRIM_HORIZON
    batch_size: 500
    maximum_batching_window_in_seconds: 5
    bisect_batch_on_function_error: true
    maximum_retry_attempts: 5
    maximum_record_age_in_seconds: 3600
    parallelization_factor: 2
    function_response_types: [ReportBatchItemFailures]
    destination_on_failure: arn:aws:sqs:eu-west-1:123456789012:ingest-dlq
    tags:
      Layer: ingestion

- name: DynamoDB stream, only INSERT events
  lambda_event_source_mapping:
    function_name: change-notifier
    event_source_arn: arn:aws:dynamodb:eu-west-1:123456789012:table/todos/stream/2024-01-01T00:00:00.000
    starting_position: LATEST
    filter_patterns:
      - {"eventName": ["INSERT"]}

- name: Stop polling without deleting the mapping
  lambda_event_source_mapping:
    function_name: stream-preprocessor
    event_source_arn: arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream
    enabled: false

- name: Delete the mapping
  lambda_event_source_mapping:
    state: absent
    function_name: stream-preprocessor
    event_source_arn: arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream
"""

RETURN = r"""
event_source_mapping:
  description:
    - The mapping, as described by AWS.
    - In check mode, the mapping as it currently exists (empty if it does not exist yet).
  returned: when O(state=present)
  type: dict
  contains:
    uuid:
      description: The identifier of the mapping.
      returned: always
      type: str
      sample: 6d9bce8e-836b-442c-8070-74e77903c815
    event_source_arn:
      description: ARN of the source.
      returned: always
      type: str
      sample: arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream
    event_source_mapping_arn:
      description: ARN of the mapping.
      returned: when AWS returns it
      type: str
      sample: arn:aws:lambda:eu-west-1:123456789012:event-source-mapping:6d9bce8e-836b-442c-8070-74e77903c815
    function_arn:
      description: ARN of the function.
      returned: always
      type: str
      sample: arn:aws:lambda:eu-west-1:123456789012:function:stream-preprocessor
    state:
      description: State of the mapping.
      returned: always
      type: str
      sample: Enabled
    batch_size:
      description: Maximum records per batch.
      returned: always
      type: int
      sample: 500
    destination_config:
      description: Where failed batches go.
      returned: when set
      type: dict
      sample: {"on_failure": {"destination": "arn:aws:sqs:eu-west-1:123456789012:ingest-dlq"}}
    function_response_types:
      description: The response types the function may return.
      returned: when set
      type: list
      sample: ["ReportBatchItemFailures"]
    tags:
      description: Tags of the mapping.
      returned: when the mapping has an ARN
      type: dict
      sample: {"Layer": "ingestion"}
uuid:
  description: The identifier of the mapping.
  returned: when the mapping exists
  type: str
  sample: 6d9bce8e-836b-442c-8070-74e77903c815
changed_settings:
  description: The settings that differed and were (or in check mode would be) updated.
  returned: when O(state=present)
  type: list
  elements: str
  sample: ["batch_size", "destination_on_failure"]
immutable_differences:
  description: Settings that differ but can only be chosen when a mapping is created.
  returned: when O(state=present)
  type: list
  elements: str
  sample: ["starting_position"]
"""

import json
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
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

STREAM_SOURCES = ("kinesis", "dynamodb")
STREAM_ONLY = (
    "starting_position",
    "bisect_batch_on_function_error",
    "maximum_retry_attempts",
    "maximum_record_age_in_seconds",
    "parallelization_factor",
    "destination_on_failure",
    "tumbling_window_in_seconds",
)
SQS_ONLY = ("maximum_concurrency",)

# Options updated in place: option -> API parameter.
UPDATABLE = {
    "batch_size": "BatchSize",
    "maximum_batching_window_in_seconds": "MaximumBatchingWindowInSeconds",
    "bisect_batch_on_function_error": "BisectBatchOnFunctionError",
    "maximum_retry_attempts": "MaximumRetryAttempts",
    "maximum_record_age_in_seconds": "MaximumRecordAgeInSeconds",
    "parallelization_factor": "ParallelizationFactor",
    "function_response_types": "FunctionResponseTypes",
    "destination_on_failure": "DestinationConfig",
    "tumbling_window_in_seconds": "TumblingWindowInSeconds",
    "filter_patterns": "FilterCriteria",
    "maximum_concurrency": "ScalingConfig",
    "enabled": "Enabled",
}
IMMUTABLE = {"starting_position": "StartingPosition", "starting_position_timestamp": "StartingPositionTimestamp"}
STABLE_STATES = ("Enabled", "Disabled")
ENABLED_STATES = ("Enabled", "Enabling", "Creating")

# Ranges AWS documents for UpdateEventSourceMapping / CreateEventSourceMapping.
RANGES = {
    "batch_size": (1, 10000),
    "maximum_batching_window_in_seconds": (0, 300),
    "maximum_retry_attempts": (-1, 10000),
    "parallelization_factor": (1, 10),
    "tumbling_window_in_seconds": (0, 900),
    "maximum_concurrency": (2, 1000),
}


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def source_kind(event_source_arn):
    """kinesis, dynamodb or sqs, from the event source ARN (None if it is none of them)."""
    parts = (event_source_arn or "").split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return None
    service = parts[2]
    if service == "dynamodb" and "/stream/" not in parts[5]:
        return None
    return service if service in ("kinesis", "dynamodb", "sqs") else None


def function_identity(function):
    """(name, qualifier) of a function name, partial ARN or ARN; qualifier None when unqualified."""
    parts = function.split(":")
    if function.startswith("arn:"):
        name = parts[6] if len(parts) > 6 else ""
        qualifier = parts[7] if len(parts) > 7 else None
    elif len(parts) >= 3 and parts[1] == "function":  # 123456789012:function:name[:qualifier]
        name = parts[2]
        qualifier = parts[3] if len(parts) > 3 else None
    else:
        name = parts[0]
        qualifier = parts[1] if len(parts) > 1 else None
    return name, (None if qualifier == "$LATEST" else qualifier)


def normalize_pattern(pattern):
    """A filter pattern (JSON text or dict) as canonical JSON text."""
    if isinstance(pattern, str):
        pattern = json.loads(pattern)
    return json.dumps(pattern, sort_keys=True, separators=(",", ":"))


def param_errors(params):
    """Every rule the parameters break, as messages naming the option."""
    errors = []
    kind = source_kind(params["event_source_arn"])
    if kind is None:
        errors.append(f"event_source_arn: not a Kinesis stream, DynamoDB stream or SQS queue ARN: {params['event_source_arn']}")
        return errors
    if params["state"] != "present":
        return errors
    for name, (low, high) in RANGES.items():
        value = params.get(name)
        if value is not None and not low <= value <= high:
            errors.append(f"{name}: must be between {low} and {high}, got {value}")
    age = params.get("maximum_record_age_in_seconds")
    if age is not None and age != -1 and not 60 <= age <= 604800:
        errors.append(f"maximum_record_age_in_seconds: must be -1 or between 60 and 604800, got {age}")
    if kind == "sqs":
        errors.extend(f"{name}: only valid for Kinesis and DynamoDB streams" for name in STREAM_ONLY
                      if params.get(name) not in (None, ""))
        if params.get("batch_size") and params["event_source_arn"].endswith(".fifo") and params["batch_size"] > 10:
            errors.append(f"batch_size: at most 10 for a FIFO queue, got {params['batch_size']}")
    else:
        errors.extend(f"{name}: only valid for SQS queues" for name in SQS_ONLY if params.get(name) is not None)
    if params.get("starting_position_timestamp") and params.get("starting_position") != "AT_TIMESTAMP":
        errors.append("starting_position_timestamp: requires starting_position=AT_TIMESTAMP")
    for pattern in params.get("filter_patterns") or []:
        try:
            normalize_pattern(pattern)
        except (TypeError, ValueError):
            errors.append(f"filter_patterns: not a JSON pattern: {pattern!r}")
    return errors


def live_settings(mapping):
    """The settings of a described mapping, keyed like the module options."""
    destination = (mapping.get("DestinationConfig") or {}).get("OnFailure") or {}
    filters = (mapping.get("FilterCriteria") or {}).get("Filters") or []
    return {
        "batch_size": mapping.get("BatchSize"),
        "maximum_batching_window_in_seconds": mapping.get("MaximumBatchingWindowInSeconds"),
        "bisect_batch_on_function_error": mapping.get("BisectBatchOnFunctionError"),
        "maximum_retry_attempts": mapping.get("MaximumRetryAttempts"),
        "maximum_record_age_in_seconds": mapping.get("MaximumRecordAgeInSeconds"),
        "parallelization_factor": mapping.get("ParallelizationFactor"),
        "function_response_types": sorted(mapping.get("FunctionResponseTypes") or []),
        "destination_on_failure": destination.get("Destination", ""),
        "tumbling_window_in_seconds": mapping.get("TumblingWindowInSeconds"),
        "filter_patterns": sorted(normalize_pattern(f["Pattern"]) for f in filters if "Pattern" in f),
        "maximum_concurrency": (mapping.get("ScalingConfig") or {}).get("MaximumConcurrency"),
        "enabled": mapping.get("State") in ENABLED_STATES,
        "starting_position": mapping.get("StartingPosition"),
        "starting_position_timestamp": mapping.get("StartingPositionTimestamp"),
    }


def desired_settings(params):
    """The settings the parameters ask for (None: keep the current value)."""
    desired = {name: params.get(name) for name in list(UPDATABLE) + list(IMMUTABLE)}
    if desired["function_response_types"] is not None:
        desired["function_response_types"] = sorted(desired["function_response_types"])
    if desired["filter_patterns"] is not None:
        desired["filter_patterns"] = sorted(normalize_pattern(p) for p in desired["filter_patterns"])
    return desired


def differing(live, desired, names):
    return [name for name in names if desired.get(name) is not None and desired[name] != live.get(name)]


def api_value(name, value):
    """The API form of one updatable setting."""
    if name == "destination_on_failure":
        return {"OnFailure": {"Destination": value} if value else {}}
    if name == "filter_patterns":
        return {"Filters": [{"Pattern": pattern} for pattern in value]}
    if name == "maximum_concurrency":
        return {"MaximumConcurrency": value}
    return value


def create_params(params, desired, tags):
    request = {"FunctionName": params["function_name"], "EventSourceArn": params["event_source_arn"]}
    for name, key in UPDATABLE.items():
        if desired.get(name) is not None and not (name == "destination_on_failure" and desired[name] == ""):
            request[key] = api_value(name, desired[name])
    if params.get("starting_position"):
        request["StartingPosition"] = params["starting_position"]
    if params.get("starting_position_timestamp"):
        request["StartingPositionTimestamp"] = params["starting_position_timestamp"]
    if tags:
        request["Tags"] = tags
    return request


def update_params(uuid, desired, names):
    request = {"UUID": uuid}
    for name in names:
        request[UPDATABLE[name]] = api_value(name, desired[name])
    return request


def matches_function(mapping, function):
    return function_identity(mapping.get("FunctionArn", "")) == function_identity(function)


def pick_mapping(matches, desired):
    """Choose the mapping to keep; return (kept, duplicates)."""
    if not matches:
        return None, []
    ordered = sorted(matches, key=lambda m: (bool(differing(live_settings(m), desired, UPDATABLE)), m["UUID"]))
    return ordered[0], ordered[1:]


def diff_view(settings, uuid=None, tags=None):
    view = {name: value for name, value in settings.items() if value is not None}
    if uuid:
        view["uuid"] = uuid
    view["tags"] = tags or {}
    return view


def planned(live, desired):
    after = dict(live)
    for name in UPDATABLE:
        if desired.get(name) is not None:
            after[name] = desired[name]
    return after


def format_mapping(mapping, tags=None):
    if not mapping:
        return {}
    result = camel_dict_to_snake_dict(normalize_boto3_result(mapping), ignore_list=["Tags"])
    result.pop("tags", None)
    if tags is not None:
        result["tags"] = tags
    return result


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@AWSRetry.jittered_backoff()
def _list_mappings(client, **params):
    paginator = client.get_paginator("list_event_source_mappings")
    return paginator.paginate(**params).build_full_result()["EventSourceMappings"]


def find_mappings(client, module, function, source_arn):
    try:
        mappings = _list_mappings(client, EventSourceArn=source_arn)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to list event source mappings of {source_arn}")
    return [m for m in mappings if matches_function(m, function) and m.get("State") != "Deleting"]


def get_mapping(client, module, uuid):
    try:
        return client.get_event_source_mapping(UUID=uuid, aws_retry=True)
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to describe event source mapping {uuid}")


def wait_stable(client, module, mapping, deleted=False):
    """Wait until the mapping leaves its transitional state (or is gone, when deleted)."""
    if not module.params["wait"]:
        return mapping
    deadline = time.time() + module.params["wait_timeout"]
    current = mapping
    while True:
        if deleted and current is None:
            return None
        if not deleted and current and current.get("State") in STABLE_STATES:
            return current
        if time.time() >= deadline:
            module.fail_json(msg=f"Timed out waiting for event source mapping {mapping['UUID']}",
                             event_source_mapping=format_mapping(current))
        time.sleep(2)
        current = get_mapping(client, module, mapping["UUID"])


def get_tags(client, module, mapping):
    arn = mapping.get("EventSourceMappingArn")
    if not arn:
        return {}
    try:
        return client.list_tags(Resource=arn, aws_retry=True).get("Tags", {})
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to list the tags of {arn}")


def update_tags(client, module, arn, to_set, to_unset):
    try:
        if to_unset:
            client.untag_resource(Resource=arn, TagKeys=to_unset, aws_retry=True)
        if to_set:
            client.tag_resource(Resource=arn, Tags=to_set, aws_retry=True)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to tag {arn}")


def delete_mappings(client, module, mappings):
    for mapping in mappings:
        if module.check_mode:
            continue
        try:
            response = client.delete_event_source_mapping(UUID=mapping["UUID"], aws_retry=True)
        except is_boto3_error_code("ResourceNotFoundException"):
            continue
        except (
            botocore.exceptions.ClientError,
            botocore.exceptions.BotoCoreError,
        ) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg=f"Failed to delete event source mapping {mapping['UUID']}")
        wait_stable(client, module, dict(response, UUID=mapping["UUID"]), deleted=True)


def create_mapping(client, module, request):
    """Create the mapping; on a conflict (an earlier attempt succeeded) return the existing one."""
    try:
        return client.create_event_source_mapping(aws_retry=True, **request)
    except is_boto3_error_code("ResourceConflictException"):
        found = find_mappings(client, module, request["FunctionName"], request["EventSourceArn"])
        if found:
            return None
        module.fail_json(msg="Event source mapping creation conflicted but no mapping was found")
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to create the event source mapping of {request['FunctionName']}")


# ---------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------


def ensure_present(client, module):
    params = module.params
    desired = desired_settings(params)
    matches = find_mappings(client, module, params["function_name"], params["event_source_arn"])
    current, duplicates = pick_mapping(matches, desired)
    current_tags = get_tags(client, module, current) if current else {}
    tags_after, to_set, to_unset = current_tags, {}, []
    if params["tags"] is not None:
        to_set, to_unset = compare_aws_tags(current_tags, params["tags"], params["purge_tags"])
        tags_after = {k: v for k, v in current_tags.items() if k not in to_unset}
        tags_after.update(to_set)

    if current:
        live = live_settings(current)
        changes = differing(live, desired, UPDATABLE)
        immutable = differing(live, desired, IMMUTABLE)
        before = diff_view(live, current["UUID"], current_tags)
        after = diff_view(planned(live, desired), current["UUID"], tags_after)
    else:
        changes = [name for name in UPDATABLE if desired.get(name) not in (None, "", [])]
        immutable = []
        before = {}
        after = diff_view({k: v for k, v in desired.items() if v is not None}, None, tags_after)
    if duplicates:
        before["duplicate_uuids"] = sorted(m["UUID"] for m in duplicates)
    for name in immutable:
        module.warn(f"{name} can only be set when the mapping is created; it stays {live_settings(current)[name]}")

    changed = bool(not current or duplicates or changes or to_set or to_unset)
    result = {
        "changed": changed,
        "changed_settings": changes,
        "immutable_differences": immutable,
        "event_source_mapping": format_mapping(current, current_tags),
    }
    if current:
        result["uuid"] = current["UUID"]
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    if module.check_mode or not changed:
        return result

    delete_mappings(client, module, duplicates)
    if not current:
        if params["starting_position"] is None and source_kind(params["event_source_arn"]) in STREAM_SOURCES:
            module.fail_json(msg="starting_position is required to create a mapping from a stream")
        created = create_mapping(client, module, create_params(params, desired, params["tags"] or {}))
        if created is None:  # an earlier attempt created it: converge that one
            return ensure_present(client, module)
        current = wait_stable(client, module, created)
    else:
        arn = current.get("EventSourceMappingArn")
        if changes:
            current = wait_stable(client, module, current)
            try:
                client.update_event_source_mapping(aws_retry=True, **update_params(current["UUID"], desired, changes))
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg=f"Failed to update event source mapping {current['UUID']}")
            current = wait_stable(client, module, get_mapping(client, module, current["UUID"]) or current)
        if arn and (to_set or to_unset):
            update_tags(client, module, arn, to_set, to_unset)
    current = get_mapping(client, module, current["UUID"]) or current
    result["uuid"] = current["UUID"]
    result["event_source_mapping"] = format_mapping(current, get_tags(client, module, current))
    return result


def ensure_absent(client, module):
    params = module.params
    matches = find_mappings(client, module, params["function_name"], params["event_source_arn"])
    result = {"changed": bool(matches)}
    if module._diff:
        before = {}
        if matches:
            before = diff_view(live_settings(matches[0]), matches[0]["UUID"])
            before["uuids"] = sorted(m["UUID"] for m in matches)
        result["diff"] = {"before": before, "after": {}}
    delete_mappings(client, module, matches)
    return result


def main():
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        function_name=dict(required=True),
        event_source_arn=dict(required=True),
        enabled=dict(type="bool", default=True),
        batch_size=dict(type="int"),
        maximum_batching_window_in_seconds=dict(type="int"),
        starting_position=dict(choices=["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]),
        starting_position_timestamp=dict(),
        bisect_batch_on_function_error=dict(type="bool"),
        maximum_retry_attempts=dict(type="int"),
        maximum_record_age_in_seconds=dict(type="int"),
        parallelization_factor=dict(type="int"),
        function_response_types=dict(type="list", elements="str", choices=["ReportBatchItemFailures"]),
        destination_on_failure=dict(),
        tumbling_window_in_seconds=dict(type="int"),
        filter_patterns=dict(type="list", elements="raw"),
        maximum_concurrency=dict(type="int"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    errors = param_errors(module.params)
    if errors:
        module.fail_json(msg="; ".join(errors))

    retry = AWSRetry.jittered_backoff(catch_extra_error_codes=["ResourceInUseException", "TooManyRequestsException"])
    try:
        client = module.client("lambda", retry_decorator=retry)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    if module.params["state"] == "present":
        result = ensure_present(client, module)
    else:
        result = ensure_absent(client, module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
