#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ec2_vpc_flow_log
short_description: Create, replace and delete VPC flow logs
description:
  - Creates, replaces and deletes flow logs for a VPC, subnet, network interface,
    transit gateway or transit gateway attachment.
  - A flow log is identified by its O(resource_id) and its destination
    (O(log_group_name) or O(log_destination)). At most one flow log is kept
    for that pair.
  - AWS cannot modify a flow log in place, except for its tags. When
    O(traffic_type), O(deliver_logs_permission_arn), O(max_aggregation_interval)
    or O(log_format) differ from the existing flow log, the module deletes it and
    creates a new one. Options that are not set keep their current value.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - V(present) ensures that the flow log exists with the given settings.
      - V(absent) deletes every flow log of O(resource_id) that delivers to the given destination.
    choices: ["present", "absent"]
    default: present
    type: str
  resource_id:
    description:
      - The ID of the VPC, subnet, network interface, transit gateway or transit
        gateway attachment to log.
    required: true
    type: str
  resource_type:
    description:
      - The type of O(resource_id).
    choices: ["VPC", "Subnet", "NetworkInterface", "TransitGateway", "TransitGatewayAttachment"]
    default: VPC
    type: str
  traffic_type:
    description:
      - The type of traffic to log.
      - Defaults to V(ALL) for VPCs, subnets and network interfaces.
      - Not supported for transit gateways and transit gateway attachments.
    choices: ["ACCEPT", "REJECT", "ALL"]
    type: str
  log_destination_type:
    description:
      - Where the flow log data is published.
    choices: ["cloud-watch-logs", "s3", "kinesis-data-firehose"]
    default: cloud-watch-logs
    type: str
  log_group_name:
    description:
      - The name of the CloudWatch Logs log group to publish to.
      - Only valid with O(log_destination_type=cloud-watch-logs).
      - Mutually exclusive with O(log_destination).
    type: str
  log_destination:
    description:
      - The ARN of the destination; a CloudWatch Logs log group, an S3 bucket (optionally
        with a folder) or a Kinesis Data Firehose delivery stream.
      - Required unless O(log_group_name) is set.
      - Mutually exclusive with O(log_group_name).
    type: str
  deliver_logs_permission_arn:
    description:
      - The ARN of the IAM role that allows flow logs to publish to the destination.
      - Required when creating a flow log with O(log_destination_type=cloud-watch-logs).
    type: str
  max_aggregation_interval:
    description:
      - The maximum interval, in seconds, during which a flow of packets is captured
        and aggregated into a flow log record.
      - Defaults to V(600) for VPCs, subnets and network interfaces, and to V(60)
        (the only value AWS accepts) for transit gateways and transit gateway attachments.
    choices: [60, 600]
    type: int
  log_format:
    description:
      - The fields to include in the flow log records, for example
        V(${version} ${srcaddr} ${dstaddr} ${action}).
      - If not set, AWS uses its default format when creating the flow log, and the
        format of an existing flow log is left as it is.
    type: str
notes:
  - Changing a setting other than tags replaces the flow log, so its ID changes and
    no records are delivered between the deletion and the creation.
  - If several flow logs of O(resource_id) deliver to the same destination, the module
    keeps one of them (preferably one with the requested settings) and deletes the others.
  - The create request carries a client token derived from the requested flow log, so
    an AWS-side retry of the same request does not create a second flow log.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Log all traffic of a VPC to a CloudWatch Logs log group
  ec2_vpc_flow_log:
    resource_id: vpc-0123456789abcdef0
    log_group_name: /vpc/flow-logs
    deliver_logs_permission_arn: arn:aws:iam::123456789012:role/flow-logs
    tags:
      Name: vpc-flow-log
  register: flow_log

- name: Log only rejected traffic of a subnet to S3, aggregated every minute
  ec2_vpc_flow_log:
    resource_id: subnet-0123456789abcdef0
    resource_type: Subnet
    traffic_type: REJECT
    log_destination_type: s3
    log_destination: arn:aws:s3:::my-flow-log-bucket/subnets/
    max_aggregation_interval: 60
    log_format: "${version} ${interface-id} ${srcaddr} ${dstaddr} ${action}"

- name: Delete the flow log of the VPC
  ec2_vpc_flow_log:
    state: absent
    resource_id: vpc-0123456789abcdef0
    log_group_name: /vpc/flow-logs
"""

RETURN = r"""
flow_log:
  description:
    - The flow log, as described by AWS.
    - In check mode, the flow log as it currently exists (empty if it does not exist yet).
  returned: when O(state=present)
  type: dict
  contains:
    creation_time:
      description: The date and time the flow log was created.
      returned: always
      type: str
      sample: "2024-01-01T12:00:00+00:00"
    deliver_logs_error_message:
      description: Why flow log records could not be published, if they could not.
      returned: when delivery failed
      type: str
      sample: Access error
    deliver_logs_permission_arn:
      description: The ARN of the IAM role that publishes the flow log records.
      returned: when set
      type: str
      sample: arn:aws:iam::123456789012:role/flow-logs
    deliver_logs_status:
      description: The status of publishing flow log records.
      returned: always
      type: str
      sample: SUCCESS
    flow_log_id:
      description: The ID of the flow log.
      returned: always
      type: str
      sample: fl-0123456789abcdef0
    flow_log_status:
      description: The status of the flow log.
      returned: always
      type: str
      sample: ACTIVE
    log_destination:
      description: The ARN of the destination.
      returned: when set
      type: str
      sample: arn:aws:s3:::my-flow-log-bucket/subnets/
    log_destination_type:
      description: The type of the destination.
      returned: always
      type: str
      sample: cloud-watch-logs
    log_format:
      description: The fields included in the flow log records.
      returned: always
      type: str
      sample: "${version} ${interface-id} ${srcaddr} ${dstaddr} ${action}"
    log_group_name:
      description: The name of the CloudWatch Logs log group.
      returned: when the destination is a log group
      type: str
      sample: /vpc/flow-logs
    max_aggregation_interval:
      description: The maximum aggregation interval, in seconds.
      returned: always
      type: int
      sample: 600
    resource_id:
      description: The ID of the logged resource.
      returned: always
      type: str
      sample: vpc-0123456789abcdef0
    tags:
      description: The tags of the flow log.
      returned: always
      type: dict
      sample: {"Name": "vpc-flow-log"}
    traffic_type:
      description: The type of traffic logged.
      returned: when the resource is not a transit gateway or transit gateway attachment
      type: str
      sample: ALL
replaced_settings:
  description:
    - The settings that differed from the existing flow log and made the module replace it.
    - Empty when the flow log was not replaced.
  returned: when O(state=present)
  type: list
  elements: str
  sample: ["traffic_type"]
"""

import hashlib
import json
import time

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import add_ec2_tags
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import remove_ec2_tags
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications
from ansible.module_utils.tag_plan import plan_tags

TRANSIT_GATEWAY_TYPES = ("TransitGateway", "TransitGatewayAttachment")

# Settings fixed at creation time: a difference means the flow log is replaced.
REPLACED_SETTINGS = ("traffic_type", "deliver_logs_permission_arn", "max_aggregation_interval", "log_format")

# Describe output key for each setting (the snake_case option names map to these).
LIVE_KEYS = {
    "resource_id": "ResourceId",
    "log_destination_type": "LogDestinationType",
    "log_group_name": "LogGroupName",
    "log_destination": "LogDestination",
    "traffic_type": "TrafficType",
    "deliver_logs_permission_arn": "DeliverLogsPermissionArn",
    "max_aggregation_interval": "MaxAggregationInterval",
    "log_format": "LogFormat",
}

# How long to wait for a newly created flow log to become visible.
VISIBLE_ATTEMPTS = 5
VISIBLE_DELAY = 2


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def log_group_name_from_arn(arn):
    """Return the log group name of a CloudWatch Logs log group ARN, or None."""
    if not arn or ":log-group:" not in arn:
        return None
    name = arn.split(":log-group:", 1)[1]
    # Log group ARNs are often written with a trailing ":*".
    if name.endswith(":*"):
        name = name[:-2]
    return name


def destination_key(spec):
    """The destination part of a flow log's identity.

    A log group can be given by name or by ARN, so log groups compare by name.
    """
    destination_type = spec.get("log_destination_type") or "cloud-watch-logs"
    if destination_type == "cloud-watch-logs":
        name = spec.get("log_group_name") or log_group_name_from_arn(spec.get("log_destination"))
        return (destination_type, name)
    return (destination_type, (spec.get("log_destination") or "").rstrip("/"))


def live_spec(flow_log):
    """The settings of a described flow log, keyed like the module options."""
    return {option: flow_log.get(key) for option, key in LIVE_KEYS.items()}


def desired_spec(params):
    """The settings requested by the module parameters, with type-dependent defaults."""
    spec = {option: params.get(option) for option in LIVE_KEYS}
    spec["resource_type"] = params.get("resource_type")
    is_transit_gateway = params.get("resource_type") in TRANSIT_GATEWAY_TYPES
    if spec["traffic_type"] is None and not is_transit_gateway:
        spec["traffic_type"] = "ALL"
    if spec["max_aggregation_interval"] is None:
        spec["max_aggregation_interval"] = 60 if is_transit_gateway else 600
    return spec


def matches_identity(flow_log, spec):
    """True when a described flow log has the identity (resource, destination) of spec."""
    live = live_spec(flow_log)
    return live["resource_id"] == spec["resource_id"] and destination_key(live) == destination_key(spec)


def differing_settings(flow_log, spec):
    """Names of the replace-only settings whose requested value differs from the flow log.

    Settings that are not requested (None) never differ.
    """
    live = live_spec(flow_log)
    return [name for name in REPLACED_SETTINGS if spec.get(name) is not None and spec[name] != live[name]]


def pick_flow_log(matches, spec):
    """Choose which matching flow log to keep; return (kept, duplicates).

    The first flow log that already has the requested settings is preferred.
    """
    if not matches:
        return None, []
    ordered = sorted(matches, key=lambda fl: (bool(differing_settings(fl, spec)), fl.get("FlowLogId", "")))
    return ordered[0], ordered[1:]


def planned_spec(spec, flow_log):
    """The settings of the flow log after this run: requested values, else current ones."""
    live = live_spec(flow_log) if flow_log else {}
    planned = dict(spec)
    for name in REPLACED_SETTINGS:
        if planned.get(name) is None:
            planned[name] = live.get(name)
    return planned


def client_token(spec, replaces=(), salt=None):
    """A deterministic ClientToken for CreateFlowLogs.

    It is derived from every create parameter (tags excepted) and from the flow
    logs being replaced, so a retry of the same create reuses the token and a
    different request gets another one. Re-creating a deleted flow log with the
    same settings reuses its token; create_flow_log() handles that case with salt.
    AWS accepts up to 64 ASCII characters.
    """
    material = {
        "spec": {key: spec.get(key) for key in sorted(LIVE_KEYS) + ["resource_type"]},
        "destination": list(destination_key(spec)),
        "replaces": sorted(replaces),
        "salt": salt,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode("utf-8")).hexdigest()


def create_params(spec, tags, token):
    """The CreateFlowLogs request for spec."""
    params = {
        "ResourceIds": [spec["resource_id"]],
        "ResourceType": spec["resource_type"],
        "LogDestinationType": spec["log_destination_type"],
        "MaxAggregationInterval": spec["max_aggregation_interval"],
        "ClientToken": token,
    }
    optional = {
        "LogGroupName": spec.get("log_group_name"),
        "LogDestination": spec.get("log_destination"),
        "TrafficType": spec.get("traffic_type"),
        "DeliverLogsPermissionArn": spec.get("deliver_logs_permission_arn"),
        "LogFormat": spec.get("log_format"),
    }
    params.update({key: value for key, value in optional.items() if value is not None})
    if tags:
        params["TagSpecifications"] = boto3_tag_specifications(tags, ["vpc-flow-log"])
    return params


def diff_view(spec, tags, flow_log_id=None):
    """What diff mode shows of a flow log: its ID (when known), settings and tags."""
    view = {key: spec.get(key) for key in LIVE_KEYS if spec.get(key) is not None}
    if flow_log_id:
        view["flow_log_id"] = flow_log_id
    view["tags"] = tags or {}
    return view


def format_flow_log(flow_log):
    """Snake_case a described flow log, with its tags as a dict."""
    if not flow_log:
        return {}
    result = camel_dict_to_snake_dict(normalize_boto3_result(flow_log), ignore_list=["Tags"])
    result["tags"] = boto3_tag_list_to_ansible_dict(flow_log.get("Tags", []))
    return result


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@AWSRetry.jittered_backoff()
def _describe_flow_logs(client, **params):
    paginator = client.get_paginator("describe_flow_logs")
    return paginator.paginate(**params).build_full_result()["FlowLogs"]


def describe_flow_logs(client, module, **params):
    try:
        return _describe_flow_logs(client, **params)
    except is_boto3_error_code("InvalidFlowLogId.NotFound"):
        return []
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Failed to describe flow logs")


def find_matching_flow_logs(client, module, spec):
    filters = [{"Name": "resource-id", "Values": [spec["resource_id"]]}]
    flow_logs = describe_flow_logs(client, module, Filters=filters)
    return [flow_log for flow_log in flow_logs if matches_identity(flow_log, spec)]


def wait_for_flow_log(client, module, flow_log_id):
    """Describe a new flow log, allowing for eventual consistency; None if it never shows up."""
    for attempt in range(VISIBLE_ATTEMPTS):
        flow_logs = describe_flow_logs(client, module, FlowLogIds=[flow_log_id])
        if flow_logs:
            return flow_logs[0]
        if attempt < VISIBLE_ATTEMPTS - 1:
            time.sleep(VISIBLE_DELAY)
    return None


def delete_flow_logs(client, module, flow_log_ids):
    if not flow_log_ids or module.check_mode:
        return
    try:
        response = client.delete_flow_logs(FlowLogIds=flow_log_ids, aws_retry=True)
    except is_boto3_error_code("InvalidFlowLogId.NotFound"):
        return  # already gone
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to delete flow logs {', '.join(flow_log_ids)}")
    errors = [
        item
        for item in response.get("Unsuccessful", [])
        if item.get("Error", {}).get("Code") != "InvalidFlowLogId.NotFound"
    ]
    if errors:
        module.fail_json(msg="Failed to delete flow logs", unsuccessful=[camel_dict_to_snake_dict(e) for e in errors])


def request_flow_log(client, module, spec, tags, token):
    """Call CreateFlowLogs and return the new flow log ID."""
    try:
        response = client.create_flow_logs(aws_retry=True, **create_params(spec, tags, token))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to create flow log for {spec['resource_id']}")
    if response.get("Unsuccessful") or not response.get("FlowLogIds"):
        module.fail_json(
            msg=f"Failed to create flow log for {spec['resource_id']}",
            unsuccessful=[camel_dict_to_snake_dict(item) for item in response.get("Unsuccessful", [])],
        )
    return response["FlowLogIds"][0]


def create_flow_log(client, module, spec, tags, replaces):
    token = client_token(spec, replaces)
    flow_log_id = request_flow_log(client, module, spec, tags, token)
    flow_log = wait_for_flow_log(client, module, flow_log_id)
    if flow_log is None:
        # AWS answered with a flow log that does not exist: the token was used
        # by an earlier flow log, since deleted, and AWS replayed that result.
        # Salt the token with the stale ID; this is still deterministic.
        token = client_token(spec, replaces, salt=flow_log_id)
        flow_log_id = request_flow_log(client, module, spec, tags, token)
        flow_log = wait_for_flow_log(client, module, flow_log_id)
    if flow_log is None:
        module.fail_json(msg=f"Flow log {flow_log_id} was created but cannot be described")
    return flow_log


def update_tags(client, module, flow_log_id, to_set, to_unset):
    changed = remove_ec2_tags(client, module, flow_log_id, to_unset)
    changed |= add_ec2_tags(client, module, flow_log_id, to_set)
    return changed


# ---------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------


def ensure_present(client, module, spec):
    matches = find_matching_flow_logs(client, module, spec)
    current, duplicates = pick_flow_log(matches, spec)
    current_tags = boto3_tag_list_to_ansible_dict(current.get("Tags", [])) if current else {}
    tags, to_set, to_unset = plan_tags(current_tags, module.params["tags"], module.params["purge_tags"])
    planned = planned_spec(spec, current)
    replaced = differing_settings(current, spec) if current else []

    before = diff_view(live_spec(current), current_tags, current["FlowLogId"]) if current else {}
    if duplicates:
        before["duplicate_flow_log_ids"] = sorted(fl["FlowLogId"] for fl in duplicates)
    if current and not replaced:
        # Only tags can change in place; the flow log and its settings stay as they are.
        after = diff_view(live_spec(current), tags, current["FlowLogId"])
    else:
        # A new flow log: its ID is not known yet.
        after = diff_view(planned, tags)

    changed = bool(duplicates or replaced or to_set or to_unset or not current)
    result = {"changed": changed, "replaced_settings": replaced, "flow_log": format_flow_log(current)}
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    if module.check_mode or not changed:
        return result

    delete_flow_logs(client, module, [fl["FlowLogId"] for fl in duplicates])
    if current and not replaced:
        update_tags(client, module, current["FlowLogId"], to_set, to_unset)
        flow_log = wait_for_flow_log(client, module, current["FlowLogId"]) or current
    else:
        replaces = [current["FlowLogId"]] if current else []
        delete_flow_logs(client, module, replaces)
        # aws: tags are reserved; they cannot be copied to the new flow log.
        new_tags = {key: value for key, value in tags.items() if not key.startswith("aws:")}
        flow_log = create_flow_log(client, module, planned, new_tags, replaces)
    result["flow_log"] = format_flow_log(flow_log)
    return result


def ensure_absent(client, module, spec):
    matches = find_matching_flow_logs(client, module, spec)
    result = {"changed": bool(matches)}
    if module._diff:
        before = {}
        if matches:
            first = matches[0]
            before = diff_view(live_spec(first), boto3_tag_list_to_ansible_dict(first.get("Tags", [])))
            before["flow_log_ids"] = sorted(fl["FlowLogId"] for fl in matches)
        result["diff"] = {"before": before, "after": {}}
    delete_flow_logs(client, module, [fl["FlowLogId"] for fl in matches])
    return result


def validate_params(module):
    params = module.params
    destination_type = params["log_destination_type"]
    if params["log_group_name"] and destination_type != "cloud-watch-logs":
        module.fail_json(msg="log_group_name can only be used with log_destination_type=cloud-watch-logs")
    if destination_type != "cloud-watch-logs" and not params["log_destination"]:
        module.fail_json(msg=f"log_destination is required with log_destination_type={destination_type}")
    if destination_type == "cloud-watch-logs" and not (params["log_group_name"] or params["log_destination"]):
        module.fail_json(
            msg="one of log_group_name or log_destination is required with log_destination_type=cloud-watch-logs"
        )
    if params["state"] == "present":
        if destination_type == "cloud-watch-logs" and not params["deliver_logs_permission_arn"]:
            module.fail_json(msg="deliver_logs_permission_arn is required with log_destination_type=cloud-watch-logs")
        if params["resource_type"] in TRANSIT_GATEWAY_TYPES and params["traffic_type"]:
            module.fail_json(msg=f"traffic_type is not supported with resource_type={params['resource_type']}")


def main():
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        resource_id=dict(required=True),
        resource_type=dict(
            default="VPC",
            choices=["VPC", "Subnet", "NetworkInterface", "TransitGateway", "TransitGatewayAttachment"],
        ),
        traffic_type=dict(choices=["ACCEPT", "REJECT", "ALL"]),
        log_destination_type=dict(
            default="cloud-watch-logs", choices=["cloud-watch-logs", "s3", "kinesis-data-firehose"]
        ),
        log_group_name=dict(),
        log_destination=dict(),
        deliver_logs_permission_arn=dict(),
        max_aggregation_interval=dict(type="int", choices=[60, 600]),
        log_format=dict(),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[["log_group_name", "log_destination"]],
    )
    validate_params(module)

    try:
        client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")
    spec = desired_spec(module.params)

    if module.params["state"] == "present":
        result = ensure_present(client, module, spec)
    else:
        result = ensure_absent(client, module, spec)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
