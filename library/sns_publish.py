#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: sns_publish
short_description: Publish one message to an SNS topic, with message attributes and FIFO ids
description:
  - Publishes a message to a topic given by name or ARN, for pipelines and smoke tests.
  - Unlike M(community.aws.sns), it sends typed message attributes (which subscription
    filter policies match on) and the message group and deduplication IDs that FIFO
    topics need.
  - Publishing is never idempotent, so the module always reports a change. In check mode
    it sends nothing (and reports a change, as the real run would).
author:
  - Ansible toolkit contributors
options:
  topic:
    description:
      - The topic name or ARN. A name is looked up among the account's topics in the region.
    required: true
    type: str
  message:
    description:
      - The message body; a dict or list is sent as its JSON text.
    required: true
    type: raw
  subject:
    description: The subject (email endpoints), at most 100 characters.
    type: str
  message_attributes:
    description:
      - Message attributes, by name. Each value is either a plain string or number
        (sent as C(String) or C(Number)) or a dict with C(data_type) (C(String),
        C(String.Array), C(Number), C(Binary), optionally with a custom suffix such as
        C(Number.float)) and C(value) (a list for C(String.Array)).
    type: dict
    default: {}
  message_group_id:
    description: FIFO topics only (required there). Messages of one group are delivered in order.
    type: str
  message_deduplication_id:
    description:
      - FIFO topics only. Messages with the same ID within 5 minutes are delivered once.
      - Required unless the topic has content-based deduplication.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Publish an order with attributes that subscription filter policies match on
  sns_publish:
    topic: rtap-dev-order-placed
    message:
      order_id: "1234"
      total: 42.5
    message_attributes:
      fulfillment: physical
      items: 3
      regions:
        data_type: String.Array
        value: [eu, us]

- name: Publish to a FIFO topic
  sns_publish:
    topic: arn:aws:sns:eu-west-1:123456789012:rtap-dev-order-events.fifo
    message: '{"order_id": "1234", "event": "paid"}'
    message_group_id: order-1234
    message_deduplication_id: order-1234-paid
  register: published
"""

RETURN = r"""
topic_arn:
  description: The ARN of the topic (empty in check mode when a name cannot be resolved).
  returned: always
  type: str
  sample: arn:aws:sns:eu-west-1:123456789012:rtap-dev-order-placed
message_id:
  description: The ID SNS gave the message; empty in check mode.
  returned: always
  type: str
  sample: 3f1c8a8e-1a33-5b1d-9f0e-2d4b1c0a9e77
sequence_number:
  description: The message's sequence number in its group (FIFO topics).
  returned: when the topic is a FIFO topic and not in check mode
  type: str
  sample: "10000000000000003000"
"""

import json

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

BASE_TYPES = ("String", "String.Array", "Number", "Binary")


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def message_body(message):
    if isinstance(message, (dict, list)):
        return json.dumps(message, sort_keys=True)
    return str(message)


def message_attribute(name, value):
    """One SNS MessageAttributeValue from a module value; raises ValueError when it cannot be sent."""
    if isinstance(value, dict):
        data_type = value.get("data_type")
        raw = value.get("value")
    elif isinstance(value, bool):
        data_type, raw = "String", "true" if value else "false"
    elif isinstance(value, (int, float)):
        data_type, raw = "Number", value
    elif isinstance(value, list):
        data_type, raw = "String.Array", value
    else:
        data_type, raw = "String", value
    if not data_type or data_type.split(".")[0] not in ("String", "Number", "Binary") \
            or (data_type.startswith("String.") and data_type != "String.Array"):
        raise ValueError(f"message attribute {name}: data_type must be one of {', '.join(BASE_TYPES)} "
                         f"(optionally with a custom suffix), got {data_type!r}")
    if raw is None or raw == "":
        raise ValueError(f"message attribute {name}: value must not be empty")
    if data_type == "String.Array":
        if not isinstance(raw, list):
            raise ValueError(f"message attribute {name}: a String.Array value is a list")
        return {"DataType": data_type, "StringValue": json.dumps(raw)}
    if data_type.startswith("Binary"):
        return {"DataType": data_type, "BinaryValue": to_bytes(raw)}
    if data_type.startswith("Number"):
        try:
            float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"message attribute {name}: {raw!r} is not a number")
        return {"DataType": data_type, "StringValue": str(raw)}
    return {"DataType": data_type, "StringValue": str(raw)}


def publish_params(topic_arn, params):
    """The Publish request for the module parameters (raises ValueError on a bad attribute)."""
    request = {"TopicArn": topic_arn, "Message": message_body(params["message"])}
    if params.get("subject"):
        request["Subject"] = params["subject"]
    attributes = {name: message_attribute(name, value) for name, value in (params.get("message_attributes") or {}).items()}
    if attributes:
        request["MessageAttributes"] = attributes
    if params.get("message_group_id"):
        request["MessageGroupId"] = params["message_group_id"]
    if params.get("message_deduplication_id"):
        request["MessageDeduplicationId"] = params["message_deduplication_id"]
    return request


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@AWSRetry.jittered_backoff()
def _list_topics(client):
    return client.get_paginator("list_topics").paginate().build_full_result()["Topics"]


def resolve_topic(client, module, topic):
    if topic.startswith("arn:"):
        return topic
    try:
        topics = _list_topics(client)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to list topics")
    for entry in topics:
        if entry["TopicArn"].split(":")[-1] == topic:
            return entry["TopicArn"]
    module.fail_json(msg=f"Topic {topic} does not exist")


def main():
    argument_spec = dict(
        topic=dict(type="str", required=True),
        message=dict(type="raw", required=True),
        subject=dict(type="str"),
        message_attributes=dict(type="dict", default={}),
        message_group_id=dict(type="str"),
        message_deduplication_id=dict(type="str"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    if module.params["subject"] and len(module.params["subject"]) > 100:
        module.fail_json(msg="subject: SNS accepts at most 100 characters")

    try:
        client = module.client("sns", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    topic_arn = resolve_topic(client, module, module.params["topic"])
    try:
        request = publish_params(topic_arn, module.params)
    except ValueError as e:
        module.fail_json(msg=str(e))

    result = {"changed": True, "topic_arn": topic_arn, "message_id": ""}
    if module.check_mode:
        module.exit_json(**result)
    # No retry: a retried Publish of a standard topic could deliver the message twice.
    try:
        response = client.publish(**request)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to publish to {topic_arn}")
    result["message_id"] = response["MessageId"]
    if response.get("SequenceNumber"):
        result["sequence_number"] = response["SequenceNumber"]
    module.exit_json(**result)


if __name__ == "__main__":
    main()
