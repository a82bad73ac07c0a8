#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: sqs_queues
short_description: Create, update and delete a set of SQS queues in one run
description:
  - Reconciles several SQS queues in one module run, in the order given, so that a
    dead-letter queue listed before its source queue exists when the source queue's
    redrive policy names it.
  - Manages every queue attribute AWS lets you set, including the redrive allow policy
    (which M(community.aws.sqs_queue) does not manage), and the queue's tags.
  - A queue is found by its name before it is created, so a retry never makes a second queue.
    Attributes that differ are changed in place with one SetQueueAttributes call per queue.
  - An attribute that is not set (null) keeps its current value; an empty string removes it
    (for O(queues[].policy), O(queues[].redrive_policy) and O(queues[].redrive_allow_policy)).
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - V(present) creates or updates the queues; V(absent) deletes them (in reverse order).
    choices: ["present", "absent"]
    default: present
    type: str
  queues:
    description:
      - The queues, in creation order (dead-letter queues first).
    required: true
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The queue name. A FIFO queue's name ends in C(.fifo).
        required: true
        type: str
      queue_type:
        description:
          - The queue type; AWS cannot change it after creation.
        choices: ["standard", "fifo"]
        default: standard
        type: str
      visibility_timeout:
        description: Seconds a received message stays hidden from other consumers (0-43200).
        type: int
      message_retention_period:
        description: Seconds a message is kept (60-1209600).
        type: int
      delay_seconds:
        description: Seconds every new message is delayed (0-900).
        type: int
      receive_message_wait_time_seconds:
        description: Long polling wait of ReceiveMessage calls (0-20).
        type: int
      maximum_message_size:
        description: Largest message, in bytes (1024-1048576).
        type: int
      kms_master_key_id:
        description:
          - KMS key (ID, ARN, alias or alias ARN) for server-side encryption.
          - An empty string switches SSE-KMS off.
        type: str
      kms_data_key_reuse_period_seconds:
        description: Seconds SQS reuses a data key before asking KMS again (60-86400).
        type: int
      sqs_managed_sse_enabled:
        description: SSE with SQS-owned keys; leave unset when O(queues[].kms_master_key_id) is set.
        type: bool
      policy:
        description: The queue's access policy, as a dict or a JSON string.
        type: raw
      redrive_policy:
        description:
          - The dead-letter queue settings (C(deadLetterTargetArn), C(maxReceiveCount)),
            as a dict or a JSON string.
        type: raw
      redrive_allow_policy:
        description:
          - Which source queues may use this queue as their dead-letter queue
            (C(redrivePermission), C(sourceQueueArns)), as a dict or a JSON string.
        type: raw
      content_based_deduplication:
        description: FIFO only. Deduplicate on a SHA-256 of the body when no deduplication ID is given.
        type: bool
      deduplication_scope:
        description: FIFO only. Deduplicate per queue or per message group.
        choices: ["queue", "messageGroup"]
        type: str
      fifo_throughput_limit:
        description: FIFO only. Throughput quota per queue or per message group.
        choices: ["perQueue", "perMessageGroupId"]
        type: str
      tags:
        description: Tags of the queue. With O(purge_tags=true), other tags are removed.
        type: dict
  purge_tags:
    description: Remove tags not listed in O(queues[].tags) (only for queues that give O(queues[].tags)).
    type: bool
    default: true
notes:
  - AWS applies attribute changes within about a minute; C(MessageRetentionPeriod) changes
    can take up to 15 minutes.
  - AWS refuses to create a queue with the name of one deleted less than 60 seconds ago.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: A queue and its dead-letter queue, in one run
  sqs_queues:
    queues:
      - name: billing-dlq
        message_retention_period: 1209600
        redrive_allow_policy:
          redrivePermission: byQueue
          sourceQueueArns: ["arn:aws:sqs:eu-west-1:123456789012:billing"]
      - name: billing
        visibility_timeout: 60
        receive_message_wait_time_seconds: 20
        kms_master_key_id: alias/messaging
        redrive_policy:
          deadLetterTargetArn: arn:aws:sqs:eu-west-1:123456789012:billing-dlq
          maxReceiveCount: 5
        tags:
          Team: billing
  register: queues

- name: Delete them
  sqs_queues:
    state: absent
    queues:
      - name: billing-dlq
      - name: billing
"""

RETURN = r"""
queues:
  description:
    - One entry per queue, in the order given.
    - In check mode, a queue that does not exist yet has an empty URL and ARN.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The queue name.
      returned: always
      type: str
      sample: billing
    url:
      description: The queue URL.
      returned: always
      type: str
      sample: https://sqs.eu-west-1.amazonaws.com/123456789012/billing
    arn:
      description: The queue ARN.
      returned: always
      type: str
      sample: arn:aws:sqs:eu-west-1:123456789012:billing
    changed:
      description: Whether this queue was created, updated or deleted.
      returned: always
      type: bool
      sample: true
    created:
      description: Whether this run created the queue.
      returned: when O(state=present)
      type: bool
      sample: false
    changed_attributes:
      description: The attributes this run set (AWS names).
      returned: when O(state=present)
      type: list
      elements: str
      sample: ["VisibilityTimeout"]
    attributes:
      description: The queue's attributes after the run (AWS names; JSON documents parsed).
      returned: when O(state=present)
      type: dict
      sample: {"VisibilityTimeout": "60", "RedrivePolicy": {"maxReceiveCount": 5}}
    tags:
      description: The queue's tags after the run.
      returned: when O(state=present)
      type: dict
      sample: {"Team": "billing"}
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.messaging import changed_attributes
from ansible.module_utils.messaging import plan_tags
from ansible.module_utils.messaging import readable_attributes
from ansible.module_utils.messaging import to_attribute_value

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# Module option -> SQS attribute name.
ATTRIBUTES = {
    "visibility_timeout": "VisibilityTimeout",
    "message_retention_period": "MessageRetentionPeriod",
    "delay_seconds": "DelaySeconds",
    "receive_message_wait_time_seconds": "ReceiveMessageWaitTimeSeconds",
    "maximum_message_size": "MaximumMessageSize",
    "kms_master_key_id": "KmsMasterKeyId",
    "kms_data_key_reuse_period_seconds": "KmsDataKeyReusePeriodSeconds",
    "sqs_managed_sse_enabled": "SqsManagedSseEnabled",
    "policy": "Policy",
    "redrive_policy": "RedrivePolicy",
    "redrive_allow_policy": "RedriveAllowPolicy",
    "content_based_deduplication": "ContentBasedDeduplication",
    "deduplication_scope": "DeduplicationScope",
    "fifo_throughput_limit": "FifoThroughputLimit",
}
FIFO_ONLY = ("ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
MISSING_QUEUE_CODES = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def desired_attributes(queue):
    """The SQS attributes (name -> string) a queue entry asks for; unset options are left out."""
    attributes = {}
    for option, name in ATTRIBUTES.items():
        value = queue.get(option)
        if isinstance(value, str) and option in ("policy", "redrive_policy", "redrive_allow_policy") and value:
            value = value.strip()
        value = to_attribute_value(value)
        if value is not None:
            attributes[name] = value
    return attributes


def create_attributes(queue):
    """Attributes for CreateQueue: the wanted ones, minus the empty strings (nothing to remove yet)."""
    attributes = {name: value for name, value in desired_attributes(queue).items() if value != ""}
    if queue["queue_type"] == "fifo":
        attributes["FifoQueue"] = "true"
    return attributes


def input_errors(queues):
    """Problems in the queue entries that AWS would refuse (checked before any call)."""
    errors = []
    names = [queue["name"] for queue in queues]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        errors.append(f"queue names must be unique, got {', '.join(duplicates)} more than once")
    for queue in queues:
        fifo = queue["queue_type"] == "fifo"
        if fifo != queue["name"].endswith(".fifo"):
            errors.append(f"queue {queue['name']}: a FIFO queue's name ends in .fifo, and only a FIFO queue's")
        if not fifo:
            wrong = [option for option, name in ATTRIBUTES.items() if name in FIFO_ONLY and queue.get(option) is not None]
            if wrong:
                errors.append(f"queue {queue['name']}: {', '.join(wrong)} apply to FIFO queues only")
    return errors


def diff_view(attributes, tags):
    view = readable_attributes(attributes)
    view["tags"] = tags or {}
    return view


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


def queue_url(client, module, name):
    try:
        return client.get_queue_url(QueueName=name, aws_retry=True)["QueueUrl"]
    except is_boto3_error_code(MISSING_QUEUE_CODES):
        return None
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to look up queue {name}")


def queue_attributes(client, module, url):
    try:
        return client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"], aws_retry=True).get("Attributes", {})
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to read the attributes of {url}")


def queue_tags(client, module, url):
    try:
        return client.list_queue_tags(QueueUrl=url, aws_retry=True).get("Tags", {})
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to read the tags of {url}")


def create_queue(client, module, queue):
    params = {"QueueName": queue["name"], "Attributes": create_attributes(queue)}
    if queue.get("tags"):
        params["tags"] = queue["tags"]
    try:
        return client.create_queue(aws_retry=True, **params)["QueueUrl"]
    except is_boto3_error_code("AWS.SimpleQueueService.QueueDeletedRecently"):
        module.fail_json(msg=f"Queue {queue['name']} was deleted less than 60 seconds ago; AWS refuses to re-create it yet. Run again in a minute.")
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to create queue {queue['name']}")


def update_queue(client, module, url, attributes, to_set, to_unset):
    try:
        if attributes:
            client.set_queue_attributes(QueueUrl=url, Attributes=attributes, aws_retry=True)
        if to_unset:
            client.untag_queue(QueueUrl=url, TagKeys=to_unset, aws_retry=True)
        if to_set:
            client.tag_queue(QueueUrl=url, Tags=to_set, aws_retry=True)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to update {url}")


# ---------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------


def ensure_present(client, module, queue):
    name = queue["name"]
    wanted = desired_attributes(queue)
    url = queue_url(client, module, name)
    result = {"name": name, "url": url or "", "arn": "", "created": False, "changed_attributes": []}

    if url is None:
        tags = dict(queue.get("tags") or {})
        result.update(changed=True, created=True, changed_attributes=sorted(create_attributes(queue)), tags=tags)
        before, after = {}, diff_view(create_attributes(queue), tags)
        if not module.check_mode:
            result["url"] = create_queue(client, module, queue)
            current = queue_attributes(client, module, result["url"])
            result["arn"] = current.get("QueueArn", "")
            result["attributes"] = readable_attributes(current)
        else:
            result["attributes"] = readable_attributes(create_attributes(queue))
        return result, before, after

    current = queue_attributes(client, module, url)
    if (current.get("FifoQueue", "false") == "true") != (queue["queue_type"] == "fifo"):
        module.fail_json(msg=f"Queue {name} exists as a {'FIFO' if current.get('FifoQueue') == 'true' else 'standard'} queue; "
                             "AWS cannot change a queue's type (delete it first)")
    changes = changed_attributes(current, wanted)
    current_tags = queue_tags(client, module, url)
    tags, to_set, to_unset = plan_tags(current_tags, queue.get("tags"), module.params["purge_tags"])

    managed = sorted(set(wanted) | set(changes))
    before = diff_view({key: current.get(key) for key in managed}, current_tags)
    after_attributes = dict(current)
    after_attributes.update(changes)
    after = diff_view({key: after_attributes.get(key) for key in managed}, tags)

    result.update(
        arn=current.get("QueueArn", ""),
        changed=bool(changes or to_set or to_unset),
        changed_attributes=sorted(changes),
        attributes=readable_attributes(after_attributes),
        tags=tags,
    )
    if result["changed"] and not module.check_mode:
        update_queue(client, module, url, changes, to_set, to_unset)
    return result, before, after


def ensure_absent(client, module, queue):
    url = queue_url(client, module, queue["name"])
    result = {"name": queue["name"], "url": url or "", "arn": "", "changed": url is not None}
    before = {}
    if url is not None:
        current = queue_attributes(client, module, url)
        result["arn"] = current.get("QueueArn", "")
        before = diff_view(current, queue_tags(client, module, url))
        if not module.check_mode:
            try:
                client.delete_queue(QueueUrl=url, aws_retry=True)
            except is_boto3_error_code(MISSING_QUEUE_CODES):
                pass
            except (
                botocore.exceptions.ClientError,
                botocore.exceptions.BotoCoreError,
            ) as e:  # pylint: disable=duplicate-except
                module.fail_json_aws(e, msg=f"Failed to delete queue {queue['name']}")
    return result, before, {}


def main():
    queue_options = dict(
        name=dict(type="str", required=True),
        queue_type=dict(type="str", default="standard", choices=["standard", "fifo"]),
        visibility_timeout=dict(type="int"),
        message_retention_period=dict(type="int"),
        delay_seconds=dict(type="int"),
        receive_message_wait_time_seconds=dict(type="int"),
        maximum_message_size=dict(type="int"),
        kms_master_key_id=dict(type="str"),
        kms_data_key_reuse_period_seconds=dict(type="int", no_log=False),
        sqs_managed_sse_enabled=dict(type="bool"),
        policy=dict(type="raw"),
        redrive_policy=dict(type="raw"),
        redrive_allow_policy=dict(type="raw"),
        content_based_deduplication=dict(type="bool"),
        deduplication_scope=dict(type="str", choices=["queue", "messageGroup"]),
        fifo_throughput_limit=dict(type="str", choices=["perQueue", "perMessageGroupId"]),
        tags=dict(type="dict"),
    )
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        queues=dict(type="list", elements="dict", required=True, options=queue_options),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    queues = module.params["queues"]
    errors = input_errors(queues)
    if errors:
        module.fail_json(msg="; ".join(errors))

    try:
        client = module.client("sqs", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    results, before, after = [], {}, {}
    if module.params["state"] == "present":
        for queue in queues:
            result, queue_before, queue_after = ensure_present(client, module, queue)
            results.append(result)
            if result["changed"]:
                before[queue["name"]], after[queue["name"]] = queue_before, queue_after
    else:
        for queue in reversed(queues):
            result, queue_before, _ = ensure_absent(client, module, queue)
            results.insert(0, result)
            if result["changed"]:
                before[queue["name"]] = queue_before

    output = {"changed": any(result["changed"] for result in results), "queues": results}
    if module._diff:
        output["diff"] = {"before": before, "after": after}
    module.exit_json(**output)


if __name__ == "__main__":
    main()
