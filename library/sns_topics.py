#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: sns_topics
short_description: Create, update and delete a set of SNS topics and their subscriptions in one run
description:
  - Reconciles several SNS topics in one module run; each topic with its attributes
    (including KMS encryption, which M(community.aws.sns_topic) does not manage), tags
    and subscriptions.
  - Each subscription may carry a filter policy (on message attributes or on the message
    body), raw message delivery and a redrive policy; M(community.aws.sns_topic) manages
    raw delivery only.
  - A topic is found by its name before it is created and a subscription by its protocol
    and endpoint, so a retry never makes a second one.
  - Subscriptions that are waiting for confirmation (email, HTTP/S) are left alone, because AWS
    gives them no ARN until the endpoint confirms, so their attributes cannot be changed
    and they cannot be deleted; AWS deletes unconfirmed ones after three days.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - V(present) creates or updates the topics; V(absent) deletes them with their subscriptions.
    choices: ["present", "absent"]
    default: present
    type: str
  topics:
    description: The topics.
    required: true
    type: list
    elements: dict
    suboptions:
      name:
        description: The topic name. A FIFO topic's name ends in C(.fifo).
        required: true
        type: str
      topic_type:
        description: The topic type; AWS cannot change it after creation.
        choices: ["standard", "fifo"]
        default: standard
        type: str
      display_name:
        description: Display name (used as the sender of SMS and email notifications).
        type: str
      kms_master_key_id:
        description: KMS key (ID, ARN, alias or alias ARN) for server-side encryption; an empty string switches it off.
        type: str
      delivery_policy:
        description: The topic's delivery (retry) policy for HTTP/S endpoints, as a dict or a JSON string.
        type: raw
      policy:
        description: The topic's access policy, as a dict or a JSON string. Unset keeps the current one.
        type: raw
      content_based_deduplication:
        description: FIFO only. Deduplicate on a SHA-256 of the body when no deduplication ID is given.
        type: bool
      tags:
        description: Tags of the topic. With O(purge_tags=true), other tags are removed.
        type: dict
      subscriptions:
        description:
          - The topic's subscriptions. With O(purge_subscriptions=true), confirmed
            subscriptions not listed are deleted.
        type: list
        elements: dict
        default: []
        suboptions:
          protocol:
            description: The endpoint type.
            required: true
            choices: ["sqs", "lambda", "https", "http", "email", "email-json", "sms", "application", "firehose"]
            type: str
          endpoint:
            description: The queue or function ARN, URL, address or number.
            required: true
            type: str
          raw_message_delivery:
            description: Deliver the message as published, without the SNS JSON envelope (SQS, HTTP/S, Firehose).
            type: bool
            default: false
          filter_policy:
            description:
              - Which messages the subscription receives, as a dict or a JSON string.
                Unset means every message (a filter policy in place is removed).
            type: raw
          filter_policy_scope:
            description: What the filter policy looks at.
            choices: ["MessageAttributes", "MessageBody"]
            default: MessageAttributes
            type: str
          redrive_policy:
            description: The subscription's dead-letter queue (C(deadLetterTargetArn)), as a dict or a JSON string.
            type: raw
          subscription_role_arn:
            description: Firehose only. The role SNS uses to write to the delivery stream.
            type: str
  purge_tags:
    description: Remove tags not listed in O(topics[].tags) (only for topics that give O(topics[].tags)).
    type: bool
    default: true
  purge_subscriptions:
    description: Delete confirmed subscriptions that O(topics[].subscriptions) does not list.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: A topic fanned out to two queues, one of them filtered
  sns_topics:
    topics:
      - name: order-placed
        kms_master_key_id: alias/messaging
        subscriptions:
          - protocol: sqs
            endpoint: arn:aws:sqs:eu-west-1:123456789012:billing
            raw_message_delivery: true
          - protocol: sqs
            endpoint: arn:aws:sqs:eu-west-1:123456789012:shipping
            filter_policy:
              fulfillment: [physical]
          - protocol: email
            endpoint: ops@example.com
      - name: order-events.fifo
        topic_type: fifo
        content_based_deduplication: true
  register: topics

- name: Delete a topic and its subscriptions
  sns_topics:
    state: absent
    topics:
      - name: order-placed
"""

RETURN = r"""
topics:
  description: One entry per topic, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The topic name.
      returned: always
      type: str
      sample: order-placed
    arn:
      description: The topic ARN (empty in check mode for a topic that does not exist yet).
      returned: always
      type: str
      sample: arn:aws:sns:eu-west-1:123456789012:order-placed
    changed:
      description: Whether this topic or one of its subscriptions was created, updated or deleted.
      returned: always
      type: bool
      sample: true
    changed_attributes:
      description: The topic attributes this run set (AWS names).
      returned: when O(state=present)
      type: list
      elements: str
      sample: ["KmsMasterKeyId"]
    tags:
      description: The topic's tags after the run.
      returned: when O(state=present)
      type: dict
      sample: {"Layer": "messaging"}
    subscriptions:
      description: The topic's listed subscriptions after the run.
      returned: when O(state=present)
      type: list
      elements: dict
      contains:
        protocol:
          description: The protocol.
          returned: always
          type: str
          sample: sqs
        endpoint:
          description: The endpoint.
          returned: always
          type: str
          sample: arn:aws:sqs:eu-west-1:123456789012:billing
        subscription_arn:
          description: The subscription ARN, C(PendingConfirmation) until the endpoint confirms, empty in check mode when new.
          returned: always
          type: str
          sample: arn:aws:sns:eu-west-1:123456789012:order-placed:0d3c7f0e-7d3a-4f7e-9b6e-0c2c2f0e8a11
        changed:
          description: Whether this run created or updated the subscription.
          returned: always
          type: bool
          sample: false
    removed_subscriptions:
      description: The subscriptions this run deleted (protocol and endpoint).
      returned: when O(state=present)
      type: list
      elements: dict
      sample: [{"protocol": "sqs", "endpoint": "arn:aws:sqs:eu-west-1:123456789012:old"}]
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
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

TOPIC_ATTRIBUTES = {
    "display_name": "DisplayName",
    "kms_master_key_id": "KmsMasterKeyId",
    "delivery_policy": "DeliveryPolicy",
    "policy": "Policy",
    "content_based_deduplication": "ContentBasedDeduplication",
}
RAW_DELIVERY_PROTOCOLS = ("sqs", "http", "https", "firehose")
PENDING = "PendingConfirmation"


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def desired_topic_attributes(topic):
    attributes = {}
    for option, name in TOPIC_ATTRIBUTES.items():
        value = to_attribute_value(topic.get(option))
        if value is not None:
            attributes[name] = value
    return attributes


def create_topic_attributes(topic):
    attributes = {name: value for name, value in desired_topic_attributes(topic).items() if value != ""}
    if topic["topic_type"] == "fifo":
        attributes["FifoTopic"] = "true"
    return attributes


def desired_subscription_attributes(subscription):
    """Every attribute the module manages for a subscription; "" / "{}" mean "none"."""
    attributes = {}
    if subscription["protocol"] in RAW_DELIVERY_PROTOCOLS:
        attributes["RawMessageDelivery"] = to_attribute_value(bool(subscription.get("raw_message_delivery")))
    filter_policy = subscription.get("filter_policy")
    if filter_policy not in (None, "", {}):
        # The scope first: AWS validates a filter policy against the scope in place.
        attributes["FilterPolicyScope"] = subscription.get("filter_policy_scope") or "MessageAttributes"
        attributes["FilterPolicy"] = to_attribute_value(filter_policy).strip()
    else:
        attributes["FilterPolicy"] = "{}"
    attributes["RedrivePolicy"] = to_attribute_value(subscription.get("redrive_policy")) or ""
    if subscription.get("subscription_role_arn"):
        attributes["SubscriptionRoleArn"] = subscription["subscription_role_arn"]
    return attributes


def subscribe_attributes(subscription):
    """Attributes for Subscribe: only the ones that say something."""
    return {name: value for name, value in desired_subscription_attributes(subscription).items()
            if value not in ("", "{}") and not (name == "RawMessageDelivery" and value == "false")}


def subscription_key(protocol, endpoint):
    return (protocol, endpoint)


def input_errors(topics):
    errors = []
    names = [topic["name"] for topic in topics]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        errors.append(f"topic names must be unique, got {', '.join(duplicates)} more than once")
    for topic in topics:
        fifo = topic["topic_type"] == "fifo"
        if fifo != topic["name"].endswith(".fifo"):
            errors.append(f"topic {topic['name']}: a FIFO topic's name ends in .fifo, and only a FIFO topic's")
        if not fifo and topic.get("content_based_deduplication") is not None:
            errors.append(f"topic {topic['name']}: content_based_deduplication applies to FIFO topics only")
        keys = [subscription_key(s["protocol"], s["endpoint"]) for s in topic.get("subscriptions") or []]
        if len(keys) != len(set(keys)):
            errors.append(f"topic {topic['name']}: a protocol and endpoint may be subscribed once")
        for subscription in topic.get("subscriptions") or []:
            if subscription.get("raw_message_delivery") and subscription["protocol"] not in RAW_DELIVERY_PROTOCOLS:
                errors.append(f"topic {topic['name']}: raw_message_delivery does not apply to {subscription['protocol']} "
                              f"endpoint {subscription['endpoint']}")
    return errors


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@AWSRetry.jittered_backoff()
def _list_topics(client):
    return client.get_paginator("list_topics").paginate().build_full_result()["Topics"]


@AWSRetry.jittered_backoff()
def _list_subscriptions(client, topic_arn):
    paginator = client.get_paginator("list_subscriptions_by_topic")
    return paginator.paginate(TopicArn=topic_arn).build_full_result()["Subscriptions"]


def topic_arns_by_name(client, module):
    try:
        topics = _list_topics(client)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to list topics")
    return {topic["TopicArn"].split(":")[-1]: topic["TopicArn"] for topic in topics}


def call(module, what, function, **params):
    try:
        return function(aws_retry=True, **params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to {what}")


def reconcile_subscriptions(client, module, topic, topic_arn):
    """Create, update and (with purge) delete the topic's subscriptions; return (changed, listed, removed)."""
    wanted = {subscription_key(s["protocol"], s["endpoint"]): s for s in topic.get("subscriptions") or []}
    current = {}
    if topic_arn:
        try:
            for subscription in _list_subscriptions(client, topic_arn):
                current[subscription_key(subscription["Protocol"], subscription["Endpoint"])] = subscription["SubscriptionArn"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Failed to list the subscriptions of {topic_arn}")

    changed, listed, removed, before, after = False, [], [], {}, {}
    for key, subscription in wanted.items():
        label = f"{key[0]}:{key[1]}"
        arn = current.get(key)
        entry = {"protocol": key[0], "endpoint": key[1], "subscription_arn": arn or "", "changed": False}
        if arn is None:
            entry["changed"] = changed = True
            after[label] = readable_attributes(subscribe_attributes(subscription))
            if not module.check_mode:
                response = call(module, f"subscribe {key[1]} to {topic_arn}", client.subscribe, TopicArn=topic_arn,
                                Protocol=key[0], Endpoint=key[1], Attributes=subscribe_attributes(subscription),
                                ReturnSubscriptionArn=True)
                entry["subscription_arn"] = response["SubscriptionArn"]
        elif arn != PENDING:
            live = call(module, f"read subscription {arn}", client.get_subscription_attributes, SubscriptionArn=arn)["Attributes"]
            changes = changed_attributes(live, desired_subscription_attributes(subscription))
            if changes:
                entry["changed"] = changed = True
                before[label] = readable_attributes({name: live.get(name) for name in changes})
                after[label] = readable_attributes(changes)
                if not module.check_mode:
                    for name in ("FilterPolicyScope", "FilterPolicy", "RawMessageDelivery", "RedrivePolicy", "SubscriptionRoleArn"):
                        if name in changes:
                            call(module, f"set {name} of {arn}", client.set_subscription_attributes,
                                 SubscriptionArn=arn, AttributeName=name, AttributeValue=changes[name])
        listed.append(entry)

    if module.params["purge_subscriptions"]:
        for key, arn in current.items():
            if key in wanted or arn == PENDING:
                continue
            changed = True
            removed.append({"protocol": key[0], "endpoint": key[1]})
            before[f"{key[0]}:{key[1]}"] = {"subscription_arn": arn}
            if not module.check_mode:
                try:
                    client.unsubscribe(SubscriptionArn=arn, aws_retry=True)
                except is_boto3_error_code("NotFound"):
                    pass
                except (
                    botocore.exceptions.ClientError,
                    botocore.exceptions.BotoCoreError,
                ) as e:  # pylint: disable=duplicate-except
                    module.fail_json_aws(e, msg=f"Failed to delete subscription {arn}")
    return changed, listed, removed, before, after


def ensure_present(client, module, topic, existing_arn):
    name = topic["name"]
    result = {"name": name, "arn": existing_arn or "", "changed_attributes": []}
    before, after = {}, {}
    if existing_arn is None:
        tags = dict(topic.get("tags") or {})
        attributes = create_topic_attributes(topic)
        result.update(changed=True, changed_attributes=sorted(attributes), tags=tags)
        after = dict(readable_attributes(attributes), tags=tags)
        if not module.check_mode:
            params = {"Name": name, "Attributes": attributes}
            if tags:
                params["Tags"] = ansible_dict_to_boto3_tag_list(tags)
            result["arn"] = call(module, f"create topic {name}", client.create_topic, **params)["TopicArn"]
    else:
        live = call(module, f"read topic {existing_arn}", client.get_topic_attributes, TopicArn=existing_arn)["Attributes"]
        if (live.get("FifoTopic", "false") == "true") != (topic["topic_type"] == "fifo"):
            module.fail_json(msg=f"Topic {name} exists with another type; AWS cannot change a topic's type (delete it first)")
        changes = changed_attributes(live, desired_topic_attributes(topic))
        live_tags = boto3_tag_list_to_ansible_dict(
            call(module, f"read the tags of {existing_arn}", client.list_tags_for_resource, ResourceArn=existing_arn).get("Tags", []))
        tags, to_set, to_unset = plan_tags(live_tags, topic.get("tags"), module.params["purge_tags"])
        result.update(changed=bool(changes or to_set or to_unset), changed_attributes=sorted(changes), tags=tags)
        if result["changed"]:
            before = dict(readable_attributes({key: live.get(key) for key in changes}), tags=live_tags)
            after = dict(readable_attributes(changes), tags=tags)
        if result["changed"] and not module.check_mode:
            for attribute, value in changes.items():
                call(module, f"set {attribute} of {existing_arn}", client.set_topic_attributes,
                     TopicArn=existing_arn, AttributeName=attribute, AttributeValue=value)
            if to_unset:
                call(module, f"untag {existing_arn}", client.untag_resource, ResourceArn=existing_arn, TagKeys=to_unset)
            if to_set:
                call(module, f"tag {existing_arn}", client.tag_resource, ResourceArn=existing_arn,
                     Tags=ansible_dict_to_boto3_tag_list(to_set))

    subs_changed, listed, removed, subs_before, subs_after = reconcile_subscriptions(client, module, topic, result["arn"])
    result.update(subscriptions=listed, removed_subscriptions=removed)
    result["changed"] = result["changed"] or subs_changed
    if subs_before:
        before["subscriptions"] = subs_before
    if subs_after:
        after["subscriptions"] = subs_after
    return result, before, after


def ensure_absent(client, module, topic, existing_arn):
    result = {"name": topic["name"], "arn": existing_arn or "", "changed": existing_arn is not None}
    if existing_arn and not module.check_mode:
        # DeleteTopic deletes the topic's subscriptions too.
        call(module, f"delete topic {existing_arn}", client.delete_topic, TopicArn=existing_arn)
    return result, ({"arn": existing_arn} if existing_arn else {}), {}


def main():
    subscription_options = dict(
        protocol=dict(type="str", required=True,
                      choices=["sqs", "lambda", "https", "http", "email", "email-json", "sms", "application", "firehose"]),
        endpoint=dict(type="str", required=True),
        raw_message_delivery=dict(type="bool", default=False),
        filter_policy=dict(type="raw"),
        filter_policy_scope=dict(type="str", default="MessageAttributes", choices=["MessageAttributes", "MessageBody"]),
        redrive_policy=dict(type="raw"),
        subscription_role_arn=dict(type="str"),
    )
    topic_options = dict(
        name=dict(type="str", required=True),
        topic_type=dict(type="str", default="standard", choices=["standard", "fifo"]),
        display_name=dict(type="str"),
        kms_master_key_id=dict(type="str"),
        delivery_policy=dict(type="raw"),
        policy=dict(type="raw"),
        content_based_deduplication=dict(type="bool"),
        tags=dict(type="dict"),
        subscriptions=dict(type="list", elements="dict", default=[], options=subscription_options),
    )
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        topics=dict(type="list", elements="dict", required=True, options=topic_options),
        purge_tags=dict(type="bool", default=True),
        purge_subscriptions=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    topics = module.params["topics"]
    errors = input_errors(topics)
    if errors:
        module.fail_json(msg="; ".join(errors))

    try:
        client = module.client("sns", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    arns = topic_arns_by_name(client, module)
    ensure = ensure_present if module.params["state"] == "present" else ensure_absent
    results, before, after = [], {}, {}
    for topic in topics:
        result, topic_before, topic_after = ensure(client, module, topic, arns.get(topic["name"]))
        results.append(result)
        if result["changed"]:
            before[topic["name"]], after[topic["name"]] = topic_before, topic_after

    output = {"changed": any(result["changed"] for result in results), "topics": results}
    if module._diff:
        output["diff"] = {"before": before, "after": after}
    module.exit_json(**output)


if __name__ == "__main__":
    main()
