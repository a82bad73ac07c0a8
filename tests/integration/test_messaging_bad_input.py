"""Bad messaging input fails in the pre-flight play, naming the variable, before any change.

More cases of each rule (filter policies that are not JSON, operators, limits) are
unit tests of the plan (tests/unit/test_messaging_plan.py): each run here costs seconds.
"""

import json

import pytest

from tests.playbook import run_playbook

STANDARD_TOPIC = {"name": "order-placed", "subscribers": [{"queue": "billing"}]}

CASES = {
    "FIFO queue without .fifo": (
        {"messaging_queues": [{"name": "ledger", "fifo": True}], "messaging_topics": []},
        "messaging_queues: 'ledger': fifo is true, so the name must end in .fifo"),
    "FIFO topic without .fifo": (
        {"messaging_topics": [{"name": "order-events", "fifo": True}]},
        "messaging_topics: 'order-events': fifo is true, so the name must end in .fifo"),
    "FIFO queue subscribed to a standard topic": (
        {"messaging_queues": [{"name": "ledger.fifo", "fifo": True}],
         "messaging_topics": [{"name": "order-placed", "subscribers": [{"queue": "ledger.fifo"}]}]},
        "messaging_topics: 'order-placed' subscriber 1: FIFO queue 'ledger.fifo' cannot subscribe to a standard topic"),
    "visibility timeout out of range": (
        {"messaging_queues": [{"name": "billing", "visibility_timeout": 50000}], "messaging_topics": [STANDARD_TOPIC]},
        "messaging_queues: 'billing': visibility_timeout must be an integer from 0 to 43200, got 50000"),
    "retention out of range": (
        {"messaging_queues": [{"name": "billing", "retention_seconds": 30}], "messaging_topics": [STANDARD_TOPIC]},
        "messaging_queues: 'billing': retention_seconds must be an integer from 60 to 1209600, got 30"),
    "filter policy that is not filter policy syntax": (
        {"messaging_queues": [{"name": "billing"}],
         "messaging_topics": [{"name": "order-placed",
                               "subscribers": [{"queue": "billing", "filter_policy": {"fulfillment": "physical"}}]}]},
        "messaging_topics: 'order-placed' subscriber 1: filter_policy.fulfillment must be a non-empty list"),
    "DLQ retention shorter than its source": (
        {"messaging_queues": [{"name": "billing", "retention_seconds": 604800, "dlq_retention_seconds": 86400}],
         "messaging_topics": [STANDARD_TOPIC]},
        "messaging_queues: 'billing': dlq_retention_seconds (86400) must be longer than retention_seconds (604800)"),
}


@pytest.mark.parametrize("extra_vars, expected", CASES.values(), ids=CASES.keys())
def test_bad_messaging_input_fails_before_any_change(fresh_emulator, aws_env, aws_client, tmp_path, extra_vars, expected):
    run = run_playbook(aws_env, "playbooks/messaging.yml", "-e", json.dumps(extra_vars), artifacts=tmp_path)

    assert run.returncode != 0
    assert expected in run.output, run.output[-3000:]
    assert run.recap["changed"] == 0
    assert aws_client("sqs").list_queues().get("QueueUrls", []) == []
    assert aws_client("sns").list_topics()["Topics"] == []
