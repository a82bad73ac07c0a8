"""The ingestion path under load (issue 12), CI-sized: 5,000 events, 1% malformed.

The full 100,000 events: python -m tests.reliability.load --events 100000
"""

import base64
import json

from tests.ingestion import queue_depth
from tests.reliability.load import account, run_load

EVENTS = 5_000
MALFORMED_RATIO = 0.01


def test_every_record_is_stored_or_dead_lettered_exactly_once(fresh_emulator, aws_client):
    figures = run_load(fresh_emulator, events=EVENTS, malformed_ratio=MALFORMED_RATIO, seed=12)

    assert figures["records_in"] == figures["read"] == EVENTS, figures
    assert figures["stored"] + figures["dead_lettered"] == EVENTS, figures
    assert figures["duplicates"] == 0 and figures["missing"] == 0 and figures["unexpected"] == 0, figures
    assert figures["misrouted"] == 0 and figures["incomplete_dead_letters"] == 0, figures
    assert figures["dead_lettered"] == sum(figures["malformed_by_kind"].values()) > 0, figures
    assert figures["dead_lettered_by_reason"] == figures["malformed_by_kind"], figures

    # The emulator's own count of the table, and the queue: as deep as the messages read, now empty.
    pages = aws_client("dynamodb").get_paginator("scan").paginate(TableName=figures["table"], Select="COUNT")
    assert sum(page["Count"] for page in pages) == figures["stored"]
    assert figures["dlq_depth"] == figures["dead_lettered"]
    assert queue_depth(aws_client("sqs"), figures["queue_url"]) == 0


def record(data, malformed=None):
    return {"partition_key": "user-00001", "data": data, "malformed": malformed}


def item(event_id, sequence_number):
    return {"event_id": event_id, "shard_id": "shardId-000000000000", "sequence_number": sequence_number}


def dead_letter(data, sequence_number, reason):
    payload = base64.b64encode(data).decode("ascii")
    body = {"reason": reason, "shard_id": "shardId-000000000000", "sequence_number": sequence_number,
            "payload": payload, "payload_truncated": False}
    return {"Body": json.dumps(body), "MessageAttributes": {"reason": {"StringValue": reason}}}


def test_the_count_finds_duplicates_missing_and_misrouted_records():
    valid = [json.dumps({"event_id": f"e{n}"}).encode() for n in range(4)]
    broken = b'{"event_id": "e9'
    sent = {("shardId-000000000000", str(n)): record(data) for n, data in enumerate(valid)}
    sent[("shardId-000000000000", "9")] = record(broken, "bad_json")

    exact = account(sent, [item(f"e{n}", str(n)) for n in range(4)], [dead_letter(broken, "9", "bad_json")])
    assert (exact["duplicates"], exact["missing"], exact["misrouted"], exact["incomplete_dead_letters"]) == \
        (0, 0, 0, 0)

    stored = [item("e0", "0"), item("e0", "0"), item("e2", "2"), item("e3", "3")]  # e0 twice, e1 lost
    messages = [dead_letter(broken, "9", "bad_json"), dead_letter(broken, "9", "bad_json"),  # twice
                dead_letter(valid[2], "2", "schema")]  # a valid record stored and dead-lettered
    messages[0]["Body"] = messages[0]["Body"].replace(base64.b64encode(broken).decode(), "")  # payload lost
    figures = account(sent, stored, messages)
    assert figures["records_in"] == 5 and figures["stored"] + figures["dead_lettered"] == 7
    # e0 stored twice (as a record, and as an event id), "9" dead-lettered twice, "2" in both places.
    assert figures["duplicates"] == 4
    assert figures["missing"] == 1
    assert figures["misrouted"] == 1
    assert figures["incomplete_dead_letters"] == 1
