"""Unit tests of the messaging modules' pure logic (library/sqs_queues.py, sns_topics.py, sns_publish.py,
module_utils/messaging.py), without AWS."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# The modules import their shared helpers as Ansible does (ansible.cfg: module_utils = module_utils).
utils = _load("ansible.module_utils.messaging", REPO / "module_utils" / "messaging.py")
sqs_queues = _load("sqs_queues", REPO / "library" / "sqs_queues.py")
sns_topics = _load("sns_topics", REPO / "library" / "sns_topics.py")
sns_publish = _load("sns_publish", REPO / "library" / "sns_publish.py")


def queue(**overrides):
    base = {option: None for option in sqs_queues.ATTRIBUTES}
    base.update(name="billing", queue_type="standard", tags=None)
    base.update(overrides)
    return base


# --- module_utils/messaging.py ------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    (None, None), (True, "true"), (False, "false"), (60, "60"), ("alias/k", "alias/k"),
    ({"b": 1, "a": [2]}, '{"a":[2],"b":1}'),
])
def test_to_attribute_value(value, expected):
    assert utils.to_attribute_value(value) == expected


@pytest.mark.parametrize("name, current, desired, differs", [
    ("VisibilityTimeout", "60", "60", False),
    ("VisibilityTimeout", "30", "60", True),
    ("VisibilityTimeout", "30", None, False),
    ("ContentBasedDeduplication", "True", "true", False),
    ("KmsMasterKeyId", None, "", False),
    ("KmsMasterKeyId", "alias/k", "", True),
    ("RedrivePolicy", '{"deadLetterTargetArn": "arn", "maxReceiveCount": "5"}',
     '{"maxReceiveCount":5,"deadLetterTargetArn":"arn"}', False),
    ("RedrivePolicy", '{"deadLetterTargetArn": "arn", "maxReceiveCount": 5}', '{"deadLetterTargetArn":"arn","maxReceiveCount":3}', True),
    ("RedrivePolicy", None, "", False),
    ("RedrivePolicy", '{"deadLetterTargetArn": "arn", "maxReceiveCount": 5}', "", True),
    ("FilterPolicy", "{}", "{}", False),
    ("FilterPolicy", None, "{}", False),
    ("FilterPolicy", '{"a": ["x"]}', "{}", True),
    ("Policy", json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sqs:SendMessage"],
                                                                  "Principal": {"Service": "sns.amazonaws.com"}, "Resource": "r"}]}),
     json.dumps({"Statement": [{"Resource": "r", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                                "Effect": "Allow"}], "Version": "2012-10-17"}), False),
])
def test_attribute_differs(name, current, desired, differs):
    assert utils.attribute_differs(name, current, desired) is differs


def test_plan_tags_purges_and_adds():
    after, to_set, to_unset = utils.plan_tags({"a": "1", "old": "x"}, {"a": "2"}, True)
    assert after == {"a": "2"} and to_set == {"a": "2"} and to_unset == ["old"]
    assert utils.plan_tags({"a": "1"}, None, True) == ({"a": "1"}, {}, [])


# --- sqs_queues ---------------------------------------------------------------------


def test_queue_attributes_from_options():
    wanted = sqs_queues.desired_attributes(queue(visibility_timeout=60, redrive_policy={"maxReceiveCount": 5},
                                                 kms_master_key_id="alias/k", policy=""))
    assert wanted == {"VisibilityTimeout": "60", "RedrivePolicy": '{"maxReceiveCount":5}', "KmsMasterKeyId": "alias/k", "Policy": ""}


def test_create_attributes_drop_removals_and_mark_fifo():
    created = sqs_queues.create_attributes(queue(name="l.fifo", queue_type="fifo", policy="", content_based_deduplication=True))
    assert created == {"FifoQueue": "true", "ContentBasedDeduplication": "true"}


@pytest.mark.parametrize("queues, expected", [
    ([queue(name="l", queue_type="fifo")], "a FIFO queue's name ends in .fifo"),
    ([queue(name="l.fifo")], "a FIFO queue's name ends in .fifo"),
    ([queue(content_based_deduplication=True)], "content_based_deduplication apply to FIFO queues only"),
    ([queue(), queue()], "queue names must be unique"),
])
def test_queue_input_errors(queues, expected):
    assert any(expected in error for error in sqs_queues.input_errors(queues))


# --- sns_topics ---------------------------------------------------------------------


def subscription(**overrides):
    base = dict(protocol="sqs", endpoint="arn:aws:sqs:eu-west-1:1:q", raw_message_delivery=False, filter_policy=None,
                filter_policy_scope="MessageAttributes", redrive_policy=None, subscription_role_arn=None)
    base.update(overrides)
    return base


def test_subscription_without_filter_asks_for_none():
    assert sns_topics.desired_subscription_attributes(subscription()) == {
        "RawMessageDelivery": "false", "FilterPolicy": "{}", "RedrivePolicy": ""}
    assert sns_topics.subscribe_attributes(subscription()) == {}


def test_subscription_with_filter_sets_scope_first():
    wanted = sns_topics.desired_subscription_attributes(
        subscription(raw_message_delivery=True, filter_policy={"a": ["x"]}, filter_policy_scope="MessageBody"))
    assert list(wanted)[:3] == ["RawMessageDelivery", "FilterPolicyScope", "FilterPolicy"]
    assert wanted["FilterPolicy"] == '{"a":["x"]}' and wanted["FilterPolicyScope"] == "MessageBody"


def test_raw_delivery_is_not_managed_for_email_and_lambda():
    assert "RawMessageDelivery" not in sns_topics.desired_subscription_attributes(subscription(protocol="email", endpoint="a@b.co"))
    assert "RawMessageDelivery" not in sns_topics.desired_subscription_attributes(subscription(protocol="lambda", endpoint="arn"))


def test_topic_input_errors():
    topics = [dict(name="t", topic_type="fifo", content_based_deduplication=None, subscriptions=[]),
              dict(name="u", topic_type="standard", content_based_deduplication=True,
                   subscriptions=[subscription(protocol="email", endpoint="a@b.co", raw_message_delivery=True)])]
    found = " ".join(sns_topics.input_errors(topics))
    assert "a FIFO topic's name ends in .fifo" in found
    assert "content_based_deduplication applies to FIFO topics only" in found
    assert "raw_message_delivery does not apply to email" in found


def test_topic_create_attributes():
    topic = dict(name="t.fifo", topic_type="fifo", display_name="", kms_master_key_id="alias/k",
                 delivery_policy={"http": {}}, policy=None, content_based_deduplication=True)
    assert sns_topics.create_topic_attributes(topic) == {
        "FifoTopic": "true", "KmsMasterKeyId": "alias/k", "DeliveryPolicy": '{"http":{}}', "ContentBasedDeduplication": "true"}


# --- sns_publish --------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("physical", {"DataType": "String", "StringValue": "physical"}),
    (3, {"DataType": "Number", "StringValue": "3"}),
    (2.5, {"DataType": "Number", "StringValue": "2.5"}),
    (True, {"DataType": "String", "StringValue": "true"}),
    (["eu", "us"], {"DataType": "String.Array", "StringValue": '["eu", "us"]'}),
    ({"data_type": "Number.float", "value": "1.5"}, {"DataType": "Number.float", "StringValue": "1.5"}),
    ({"data_type": "Binary", "value": "abc"}, {"DataType": "Binary", "BinaryValue": b"abc"}),
])
def test_message_attribute(value, expected):
    assert sns_publish.message_attribute("a", value) == expected


@pytest.mark.parametrize("value, expected", [
    ({"data_type": "Number", "value": "many"}, "is not a number"),
    ({"data_type": "Text", "value": "x"}, "data_type must be one of"),
    ({"data_type": "String.List", "value": ["x"]}, "data_type must be one of"),
    ({"data_type": "String.Array", "value": "x"}, "a String.Array value is a list"),
    ({"data_type": "String", "value": ""}, "must not be empty"),
])
def test_bad_message_attribute(value, expected):
    with pytest.raises(ValueError, match=expected):
        sns_publish.message_attribute("a", value)


def test_publish_params_for_a_fifo_topic():
    request = sns_publish.publish_params("arn:t.fifo", {
        "message": {"b": 1, "a": 2}, "subject": None, "message_attributes": {"kind": "paid"},
        "message_group_id": "g", "message_deduplication_id": "d"})
    assert request == {"TopicArn": "arn:t.fifo", "Message": '{"a": 2, "b": 1}',
                       "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "paid"}},
                       "MessageGroupId": "g", "MessageDeduplicationId": "d"}
