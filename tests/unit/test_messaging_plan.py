"""Unit tests of the messaging role's plan (roles/messaging/filter_plugins/messaging_plan.py)."""

import importlib.util
import json
from pathlib import Path

import pytest
import yaml

ROLE = Path(__file__).resolve().parents[2] / "roles" / "messaging"
_spec = importlib.util.spec_from_file_location("messaging_plan", ROLE / "filter_plugins" / "messaging_plan.py")
plan = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(plan)

DEFAULTS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())["messaging_queue_defaults"]
PREFIX = "rtap-dev"
ACCOUNT, REGION, PARTITION = "123456789012", "eu-west-1", "aws"


def errors(topics, queues, defaults=None):
    return plan.messaging_input_errors(topics, queues, DEFAULTS if defaults is None else defaults, PREFIX)


def test_role_defaults_are_valid():
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    topics = json.loads(json.dumps(defaults["messaging_topics"]).replace("{{ messaging_ops_email }}", "ops@example.com")
                        .replace("{{ messaging_crm_webhook_url }}", "https://crm.example.com/x"))
    assert errors(topics, defaults["messaging_queues"]) == []


@pytest.mark.parametrize("queue, expected", [
    ({"name": "ledger", "fifo": True}, "messaging_queues: 'ledger': fifo is true, so the name must end in .fifo"),
    ({"name": "ledger.fifo"}, "messaging_queues: 'ledger.fifo': the name ends in .fifo, so fifo must be true"),
    ({"name": "q", "visibility_timeout": 43201}, "visibility_timeout must be an integer from 0 to 43200, got 43201"),
    ({"name": "q", "retention_seconds": 59}, "retention_seconds must be an integer from 60 to 1209600, got 59"),
    ({"name": "q", "retention_seconds": 1209601}, "retention_seconds must be an integer from 60 to 1209600"),
    ({"name": "q", "delay_seconds": 901}, "delay_seconds must be an integer from 0 to 900"),
    ({"name": "q", "receive_wait_seconds": 21}, "receive_wait_seconds must be an integer from 0 to 20"),
    ({"name": "q", "max_receive_count": 0}, "max_receive_count must be an integer from 1 to 1000"),
    ({"name": "q", "visibility_timeout": "sixty"}, "visibility_timeout must be an integer from 0 to 43200, got 'sixty'"),
    ({"name": "q", "retention_seconds": 86400, "dlq_retention_seconds": 3600},
     "dlq_retention_seconds (3600) must be longer than retention_seconds (86400)"),
    ({"name": "q", "retention_seconds": 86400, "dlq_retention_seconds": 86400},
     "dlq_retention_seconds (86400) must be longer than retention_seconds (86400)"),
    ({"name": "bad name"}, "a queue name uses letters, digits"),
    ({"name": "x" * 70}, "longer than AWS's 80 characters"),
])
def test_bad_queue_is_reported_with_the_variable_name(queue, expected):
    found = errors([], [queue])
    assert any(expected in error for error in found), found
    assert all(error.startswith("messaging_queues: ") for error in found)


def test_numbers_given_as_strings_are_accepted():
    assert errors([], [{"name": "q", "visibility_timeout": "60", "retention_seconds": "3600"}]) == []


def test_fourteen_day_source_may_have_a_fourteen_day_dlq():
    assert errors([], [{"name": "q", "retention_seconds": 1209600, "dlq_retention_seconds": 1209600}]) == []


def test_generated_names_must_not_clash():
    found = errors([], [{"name": "a"}, {"name": "a-dlq"}])
    assert any("a-dlq" in e and "unique" in e for e in found), found


@pytest.mark.parametrize("topic, expected", [
    ({"name": "events", "fifo": True}, "messaging_topics: 'events': fifo is true, so the name must end in .fifo"),
    ({"name": "events.fifo"}, "the name ends in .fifo, so fifo must be true"),
    ({"name": "t", "content_based_deduplication": True}, "content_based_deduplication applies to FIFO topics only"),
    ({"name": "t", "subscribers": [{"queue": "ledger.fifo"}]}, "FIFO queue 'ledger.fifo' cannot subscribe to a standard topic"),
    ({"name": "t.fifo", "fifo": True, "subscribers": [{"queue": "plain"}]}, "standard queue 'plain' cannot subscribe to a FIFO topic"),
    ({"name": "t.fifo", "fifo": True, "subscribers": [{"email": "a@b.co"}]}, "a FIFO topic delivers to SQS queues only"),
    ({"name": "t", "subscribers": [{"queue": "missing"}]}, "queue 'missing' is not declared in messaging_queues"),
    ({"name": "t", "subscribers": [{"queue": "plain", "email": "a@b.co"}]}, "give exactly one of queue, lambda, https, email"),
    ({"name": "t", "subscribers": [{"https": "http://insecure.example.com"}]}, "https must be an https:// URL"),
    ({"name": "t", "subscribers": [{"email": "not-an-address"}]}, "email must be an email address"),
    ({"name": "t", "subscribers": [{"lambda": "arn:aws:lambda:eu-west-1:1:function:x"}]}, "lambda must be a function name or ARN"),
    ({"name": "t", "subscribers": [{"email": "a@b.co", "raw": True}]}, "raw delivery applies to queue and https subscribers only"),
    ({"name": "t", "subscribers": [{"queue": "plain", "filter_policy": {"a": ["b"]}, "filter_policy_scope": "Body"}]},
     "filter_policy_scope must be one of MessageAttributes, MessageBody"),
])
def test_bad_topic_is_reported_with_the_variable_name(topic, expected):
    queues = [{"name": "plain"}, {"name": "ledger.fifo", "fifo": True}]
    found = errors([topic], queues)
    assert any(expected in error for error in found), found
    assert all(error.startswith("messaging_topics: ") for error in found)


@pytest.mark.parametrize("policy, scope", [
    ({"fulfillment": ["physical"]}, "MessageAttributes"),
    ({"price": [{"numeric": [">", 0, "<=", 150]}], "store": [{"prefix": "eu-"}]}, "MessageAttributes"),
    ({"customer": [{"anything-but": ["test", "internal"]}], "vip": [{"exists": True}]}, "MessageAttributes"),
    ({"$or": [{"a": ["x"]}, {"b": [{"numeric": ["=", 1]}]}]}, "MessageAttributes"),
    ({"order": {"total": [{"numeric": [">=", 100]}], "country": ["DE", "FR"]}}, "MessageBody"),
    ('{"fulfillment": ["physical"]}', "MessageAttributes"),
])
def test_valid_filter_policies(policy, scope):
    assert plan.filter_policy_errors(policy, scope, "x") == []


@pytest.mark.parametrize("policy, scope, expected", [
    ("{not json", "MessageAttributes", "filter_policy is not valid JSON"),
    ([], "MessageAttributes", "must be a non-empty JSON object"),
    ({}, "MessageAttributes", "must be a non-empty JSON object"),
    ({"a": "x"}, "MessageAttributes", "filter_policy.a must be a non-empty list"),
    ({"a": []}, "MessageAttributes", "filter_policy.a must be a non-empty list"),
    ({"a": [{"regex": ".*"}]}, "MessageAttributes", "unknown operator 'regex'"),
    ({"a": [{"numeric": ["~", 1]}]}, "MessageAttributes", "numeric takes"),
    ({"a": [{"numeric": ["<", 5, ">", 1]}]}, "MessageAttributes", "numeric takes"),
    ({"a": [{"exists": "yes"}]}, "MessageAttributes", "exists takes true or false"),
    ({"a": [{"prefix": "x", "suffix": "y"}]}, "MessageAttributes", "not a value or a single-operator object"),
    ({"order": {"total": [1]}}, "MessageAttributes", "nested keys match the message body only"),
    ({k: ["v"] for k in "abcdef"}, "MessageAttributes", "has 6 keys, AWS allows 5"),
    ({k: list(range(6)) for k in "abc"}, "MessageAttributes", "216 value combinations, AWS allows 150"),
    ({"$or": [{"a": ["x"]}]}, "MessageAttributes", "must list at least two alternative objects"),
])
def test_invalid_filter_policies(policy, scope, expected):
    found = plan.filter_policy_errors(policy, scope, "where")
    assert any(expected in error for error in found), found


def _plans():
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    queues, topics = defaults["messaging_queues"], defaults["messaging_topics"]
    tags = {"Layer": "messaging"}
    queue_plan = plan.messaging_queue_plan(queues, DEFAULTS, topics, PREFIX, ACCOUNT, REGION, PARTITION,
                                           "alias/k", 300, tags)
    topic_plan = plan.messaging_topic_plan(topics, queues, DEFAULTS, PREFIX, ACCOUNT, REGION, PARTITION,
                                           "alias/k", {"http": {}}, tags)
    return queue_plan, topic_plan


def test_queue_plan_puts_each_dlq_before_its_queue_and_wires_redrive():
    queue_plan, _ = _plans()
    names = [q["name"] for q in queue_plan]
    assert names[:2] == ["rtap-dev-billing-dlq", "rtap-dev-billing"]
    assert "rtap-dev-order-ledger-dlq.fifo" in names
    by_name = {q["name"]: q for q in queue_plan}
    billing, dlq = by_name["rtap-dev-billing"], by_name["rtap-dev-billing-dlq"]
    assert billing["redrive_policy"] == {"deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:rtap-dev-billing-dlq",
                                         "maxReceiveCount": 5}
    assert dlq["redrive_allow_policy"] == {"redrivePermission": "byQueue",
                                           "sourceQueueArns": [f"arn:aws:sqs:{REGION}:{ACCOUNT}:rtap-dev-billing"]}
    assert dlq["message_retention_period"] > billing["message_retention_period"]
    assert billing["receive_message_wait_time_seconds"] == 20 and billing["kms_master_key_id"] == "alias/k"
    assert by_name["rtap-dev-order-ledger.fifo"]["queue_type"] == "fifo"
    assert by_name["rtap-dev-order-ledger-dlq.fifo"]["queue_type"] == "fifo"


def test_queue_policy_allows_exactly_the_subscribing_topics():
    queue_plan, _ = _plans()
    by_name = {q["name"]: q for q in queue_plan}
    statements = by_name["rtap-dev-shipping"]["policy"]["Statement"]
    allow = [s for s in statements if s["Effect"] == "Allow"]
    assert allow == [{
        "Sid": "AllowSubscribedTopics", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:rtap-dev-shipping",
        "Condition": {"ArnEquals": {"aws:SourceArn": [f"arn:aws:sns:{REGION}:{ACCOUNT}:rtap-dev-order-placed"]}},
    }]
    assert [s["Effect"] for s in by_name["rtap-dev-shipping-dlq"]["policy"]["Statement"]] == ["Deny"]


def test_topic_plan_declares_fan_out_on_the_topic():
    _, topic_plan = _plans()
    by_name = {t["name"]: t for t in topic_plan}
    order = by_name["rtap-dev-order-placed"]
    assert [s["endpoint"].rsplit(":", 1)[1] for s in order["subscriptions"]] == ["rtap-dev-billing", "rtap-dev-shipping"]
    shipping = order["subscriptions"][1]
    assert shipping["filter_policy"] == {"fulfillment": ["physical"]} and shipping["raw_message_delivery"] is True
    signed_up = {s["protocol"]: s for s in by_name["rtap-dev-user-signed-up"]["subscriptions"]}
    assert signed_up["lambda"]["endpoint"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:rtap-dev-welcome-mailer"
    assert signed_up["lambda"]["raw_message_delivery"] is False
    fifo = by_name["rtap-dev-order-events.fifo"]
    assert fifo["topic_type"] == "fifo" and fifo["content_based_deduplication"] is True
    assert "content_based_deduplication" not in order
    assert fifo["delivery_policy"] is None and order["delivery_policy"] == {"http": {}}


def test_alarm_plan_has_two_alarms_per_queue():
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    alarms = plan.messaging_alarm_plan(defaults["messaging_queues"], DEFAULTS, PREFIX)
    assert len(alarms) == 2 * len(defaults["messaging_queues"])
    by_name = {a["name"]: a for a in alarms}
    assert by_name["rtap-dev-order-ledger-dlq-not-empty"]["queue"] == "rtap-dev-order-ledger-dlq.fifo"
    assert by_name["rtap-dev-billing-oldest-message-age"]["threshold"] == 900
