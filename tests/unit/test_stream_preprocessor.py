"""The stream preprocessor handler, in-process, with the exact Kinesis event shape Lambda sends.

Fakes stand in for the DynamoDB and SQS clients; they can be told to leave items
unprocessed, throttle or fail, so the retry and partial-batch paths are exercised.
"""

import base64
import json
import math

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from lambdas.stream_preprocessor import config as config_module
from lambdas.stream_preprocessor import handler, schema

STREAM_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/rtap-local-clickstream"
SHARD = "shardId-000000000003"


def kinesis_record(payload, seq, shard=SHARD, arrival=1_700_000_000.5):
    """One record as Lambda delivers it from Kinesis (payload: bytes, str or dict)."""
    if isinstance(payload, dict):
        payload = json.dumps(payload).encode()
    data = payload if isinstance(payload, str) else base64.b64encode(payload).decode()
    sequence = f"4959{seq:052d}"
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": f"user-{seq}",
            "sequenceNumber": sequence,
            "data": data,
            "approximateArrivalTimestamp": arrival,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard}:{sequence}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/rtap-local-stream-preprocessor",
        "awsRegion": "eu-west-1",
        "eventSourceARN": STREAM_ARN,
    }


def event(i, **overrides):
    body = {"event_id": f"evt-{i}", "event_type": "page_view", "user_id": f"user-{i}",
            "timestamp": "2024-05-01T12:00:00Z", "page": "/home", "properties": {"n": i}}
    body.update(overrides)
    return body


def error(code, status=400):
    return ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       "BatchWriteItem")


class FakeTable:
    """A DynamoDB client holding one table; `script` decides each call's fate."""

    def __init__(self, script=None):
        self.items = {}
        self.calls = []
        self.put_calls = 0
        self.script = script or (lambda call_number, requests: None)

    def batch_write_item(self, RequestItems):
        (table, requests), = RequestItems.items()
        assert len(requests) <= 25
        self.calls.append(len(requests))
        outcome = self.script(len(self.calls), requests)
        if isinstance(outcome, Exception):
            raise outcome
        unprocessed = outcome or []
        for request in requests:
            if request not in unprocessed:
                item = request["PutRequest"]["Item"]
                self.items[item["event_id"]["S"]] = item
        return {"UnprocessedItems": {table: unprocessed} if unprocessed else {}}

    def put_item(self, TableName, Item):
        self.put_calls += 1
        if Item.get("poison"):
            raise error("ValidationException")
        self.items[Item["event_id"]["S"]] = Item
        return {}


class FakeQueue:
    def __init__(self, fail_ids_once=(), raise_always=None):
        self.messages = []
        self.calls = 0
        self.fail_ids_once = set(fail_ids_once)
        self.raise_always = raise_always

    def send_message_batch(self, QueueUrl, Entries):
        self.calls += 1
        assert len(Entries) <= 10
        assert sum(len(e["MessageBody"].encode()) for e in Entries) <= 262_144
        if self.raise_always:
            raise self.raise_always
        failed = [{"Id": e["Id"], "SenderFault": False, "Code": "InternalError"}
                  for e in Entries if e["Id"] in self.fail_ids_once]
        self.fail_ids_once.clear()
        self.messages.extend(json.loads(e["MessageBody"]) for e in Entries if e["Id"] not in {f["Id"] for f in failed})
        return {"Successful": [], "Failed": failed}


class Context:
    def __init__(self, remaining_ms=60_000):
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self):
        return self.remaining_ms


CFG = config_module.Config(table_name="rtap-local-events", dlq_url="https://sqs/dlq")
SLEEPS = []


def run(records, table=None, queue=None, cfg=CFG, context=None):
    table = table if table is not None else FakeTable()
    queue = queue if queue is not None else FakeQueue()
    SLEEPS.clear()
    response, batch = handler.process({"Records": records}, context or Context(), table, queue, cfg,
                                      sleep=SLEEPS.append, rand=lambda: 1.0)
    return response, batch, table, queue


# --- the happy path: convert and enrich ------------------------------------------------

def test_valid_record_is_converted_enriched_and_written():
    response, batch, table, queue = run([kinesis_record(event(1), 1)])
    assert response == {"batchItemFailures": []}
    item = table.items["evt-1"]
    assert item["event_type"] == {"S": "page_view"}
    assert item["timestamp"] == {"S": "2024-05-01T12:00:00.000Z"}
    assert item["shard_id"] == {"S": SHARD}
    assert item["sequence_number"] == {"S": f"4959{1:052d}"}
    assert item["approximate_arrival_time"] == {"S": "2023-11-14T22:13:20.500Z"}
    assert item["event_date"] == {"S": "2024-05-01"} and item["event_hour"] == {"N": "12"}
    assert item["source_stream"] == {"S": "rtap-local-clickstream"}
    assert item["ingestion_time"]["S"].endswith("Z")
    assert item["properties"] == {"M": {"n": {"N": "1"}}}
    assert int(item["ingest_lag_ms"]["N"]) > 0
    assert queue.messages == [] and batch.written == 1


@pytest.mark.parametrize("timestamp", [
    "2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00", "2024-05-01T12:00:00.000", 1714564800, 1714564800000,
    1714564800.0,
])
def test_every_timestamp_form_is_stored_in_one_form(timestamp):
    _, _, table, _ = run([kinesis_record(event(1, timestamp=timestamp), 1)])
    assert table.items["evt-1"]["timestamp"] == {"S": "2024-05-01T12:00:00.000Z"}


def test_camel_case_and_alias_field_names_are_converted():
    body = {"eventId": "evt-9", "eventType": "click", "userId": "u-9", "ts": 1714564800, "sessionId": "s-1",
            "properties": {"buttonId": "buy"}, "clientVersion": "1.2"}
    _, _, table, _ = run([kinesis_record(body, 9)])
    item = table.items["evt-9"]
    assert {"event_id", "event_type", "user_id", "timestamp", "session_id", "client_version"} <= set(item)
    assert "eventId" not in item and "clientVersion" not in item
    # Only top-level names are converted; properties are the producer's own.
    assert item["properties"] == {"M": {"buttonId": {"S": "buy"}}}


def test_key_is_shard_and_sequence_number_without_an_event_id():
    body = event(1)
    del body["event_id"]
    _, _, table, _ = run([kinesis_record(body, 1)])
    assert list(table.items) == [f"{SHARD}:4959{1:052d}"]


def test_filter_rules_drop_records():
    cfg = config_module.Config(table_name="t", dlq_url="q", filter_rules=config_module.parse_filter_rules(json.dumps([
        {"field": "event_type", "in": ["heartbeat"]}, {"field": "user_id", "prefix": "bot-"},
        {"field": "page", "missing": True}])))
    records = [kinesis_record(event(1, event_type="heartbeat"), 1), kinesis_record(event(2, user_id="bot-7"), 2),
               kinesis_record({k: v for k, v in event(3).items() if k != "page"}, 3), kinesis_record(event(4), 4)]
    response, batch, table, queue = run(records, cfg=cfg)
    assert list(table.items) == ["evt-4"] and batch.dropped == 3
    assert response == {"batchItemFailures": []} and queue.messages == []


def test_duplicate_event_ids_in_one_batch_are_written_once():
    records = [kinesis_record(event(1), 1), kinesis_record(event(1), 2)]
    _, batch, table, _ = run(records)
    assert list(table.items) == ["evt-1"] and batch.duplicates == 1
    assert table.items["evt-1"]["sequence_number"]["S"] == f"4959{1:052d}"


# --- bad input goes to the dead-letter queue, never blocks the batch -------------------------

BAD_INPUTS = {
    "bad base64": ("!!not-base64!!", "bad_base64"),
    "base64 with bad padding": ("eyJhIjoxfQ", "bad_base64"),
    "non-ASCII base64": ("ÿÿÿÿ", "bad_base64"),
    "bad JSON": (b"{not json", "bad_json"),
    "truncated JSON": (b'{"event_id": "x"', "bad_json"),
    "invalid UTF-8": (b'{"event_id": "\xff"}', "bad_json"),
    "NaN": (b'{"event_id": "e", "event_type": "a", "user_id": "u", "timestamp": NaN}', "bad_json"),
    "empty record": (b"", "bad_json"),
    "JSON array": (b"[1, 2]", "schema"),
    "missing user_id": ({"event_id": "e", "event_type": "click", "timestamp": 1714564800}, "schema"),
    "wrong type": (event(2, user_id=42), "schema"),
    "boolean timestamp": (event(2, timestamp=True), "schema"),
    "unparsable timestamp": (event(2, timestamp="yesterday"), "schema"),
    "timestamp out of range": (event(2, timestamp=5), "schema"),
    "bad event type": (event(2, event_type="Page View"), "schema"),
    "reserved field": (event(2, shard_id="mine"), "schema"),
    "field given twice": ({**event(2), "eventId": "other"}, "schema"),
    "number beyond DynamoDB": (event(2, properties={"big": 10 ** 40}), "schema"),
    "nested too deep": (event(2, properties=json.loads("[" * 40 + "]" * 40)), "schema"),
    "empty map key": (event(2, properties={"": 1}), "schema"),
    "oversize": (event(2, page="x" * 300_000), "oversize"),
}


@pytest.mark.parametrize("payload, reason", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_record_goes_to_the_dlq_with_payload_reason_shard_and_sequence(payload, reason):
    bad = kinesis_record(payload, 2)
    records = [kinesis_record(event(1), 1), bad, kinesis_record(event(3), 3)]
    response, batch, table, queue = run(records)

    assert response == {"batchItemFailures": []}, "a bad record never fails the batch"
    assert set(table.items) == {"evt-1", "evt-3"}
    message, = queue.messages
    assert message["reason"] == reason
    assert message["shard_id"] == SHARD
    assert message["sequence_number"] == bad["kinesis"]["sequenceNumber"]
    assert message["partition_key"] == "user-2"
    assert message["event_source_arn"] == STREAM_ARN
    assert message["detail"]
    if reason == "oversize":
        assert message["payload_truncated"] is True and message["payload"] == bad["kinesis"]["data"][:196608]
        assert message["payload_bytes"] > CFG.max_record_bytes
    else:
        assert message["payload"] == bad["kinesis"]["data"] and message["payload_truncated"] is False
    assert batch.dead_lettered == {reason: 1}


def test_many_bad_records_are_sent_in_batches_within_sqs_limits():
    records = [kinesis_record("%%%" * 30_000, i) for i in range(25)]
    response, batch, _, queue = run(records)
    assert response == {"batchItemFailures": []}
    assert len(queue.messages) == 25 and batch.dead_lettered == {"bad_base64": 25}
    assert queue.calls >= 3  # 10 a call at most, 256 KiB at most


# --- the sink: 25 items a call, retries, partial batch failures ------------------------------

def test_items_are_written_25_a_call():
    records = [kinesis_record(event(i), i) for i in range(1, 101)]
    _, batch, table, _ = run(records)
    assert len(table.items) == 100
    assert sorted(table.calls) == [25, 25, 25, 25] and batch.sink_calls == math.ceil(100 / 25)


def test_unprocessed_items_are_retried_with_backoff():
    def script(call, requests):
        return requests[:5] if call <= 2 else None  # two calls leave 5 items unprocessed
    records = [kinesis_record(event(i), i) for i in range(1, 11)]
    response, batch, table, _ = run(records, table=FakeTable(script))
    assert response == {"batchItemFailures": []}
    assert len(table.items) == 10 and table.calls == [10, 5, 5]
    assert SLEEPS == [0.05, 0.1], "exponential backoff (full jitter, rand=1.0)"
    assert batch.sink_calls == 3


def test_items_still_unprocessed_after_the_retries_are_reported_as_batch_item_failures():
    stuck = {"evt-2", "evt-4"}

    def script(call, requests):
        return [r for r in requests if r["PutRequest"]["Item"]["event_id"]["S"] in stuck]
    records = [kinesis_record(event(i), i) for i in range(1, 6)]
    response, batch, table, _ = run(records, table=FakeTable(script))
    failed = [f["itemIdentifier"] for f in response["batchItemFailures"]]
    assert failed == [records[1]["kinesis"]["sequenceNumber"], records[3]["kinesis"]["sequenceNumber"]]
    assert set(table.items) == {"evt-1", "evt-3", "evt-5"}
    assert len(table.calls) == CFG.sink_max_attempts and batch.written == 3


@pytest.mark.parametrize("failure", [error("ProvisionedThroughputExceededException"), error("ThrottlingException"),
                                     error("InternalServerError", 500), EndpointConnectionError(endpoint_url="x")])
def test_transient_errors_are_retried(failure):
    def script(call, requests):
        return failure if call == 1 else None
    records = [kinesis_record(event(i), i) for i in range(1, 4)]
    response, _, table, _ = run(records, table=FakeTable(script))
    assert response == {"batchItemFailures": []} and len(table.items) == 3 and len(table.calls) == 2


def test_a_transient_failure_that_persists_fails_only_that_chunk():
    def script(call, requests):
        keys = {r["PutRequest"]["Item"]["event_id"]["S"] for r in requests}
        return error("ThrottlingException") if "evt-30" in keys else None
    records = [kinesis_record(event(i), i) for i in range(1, 51)]
    response, _, table, _ = run(records, table=FakeTable(script))
    failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
    assert len(failed) == 25 and len(table.items) == 25
    assert records[29]["kinesis"]["sequenceNumber"] in failed


def test_non_transient_errors_are_not_retried_but_reported():
    records = [kinesis_record(event(i), i) for i in range(1, 4)]
    response, _, table, _ = run(records, table=FakeTable(lambda c, r: error("AccessDeniedException")))
    assert len(response["batchItemFailures"]) == 3 and len(table.calls) == 1 and SLEEPS == []


def test_retries_stop_when_the_invocation_runs_out_of_time():
    records = [kinesis_record(event(i), i) for i in range(1, 4)]
    response, _, table, _ = run(records, table=FakeTable(lambda c, r: error("ThrottlingException")),
                                context=Context(remaining_ms=1000))
    assert len(response["batchItemFailures"]) == 3 and len(table.calls) == 1


def test_an_item_the_table_refuses_goes_to_the_dlq():
    def script(call, requests):
        return error("ValidationException")
    records = [kinesis_record(event(i), i) for i in range(1, 4)]
    table = FakeTable(script)
    original_item_of = schema.item_of

    def poison_second(event_data):
        item = original_item_of(event_data)
        if event_data["event_id"] == "evt-2":
            item["poison"] = {"BOOL": True}
        return item
    schema.item_of = poison_second
    try:
        response, batch, table, queue = run(records, table=table)
    finally:
        schema.item_of = original_item_of
    assert response == {"batchItemFailures": []}
    assert set(table.items) == {"evt-1", "evt-3"} and table.put_calls == 3
    assert [m["reason"] for m in queue.messages] == ["sink_rejected"]
    assert queue.messages[0]["sequence_number"] == records[1]["kinesis"]["sequenceNumber"]


def test_dlq_entries_that_fail_are_retried():
    records = [kinesis_record(b"{bad", i) for i in range(1, 4)]
    response, batch, _, queue = run(records, queue=FakeQueue(fail_ids_once={"1"}))
    assert response == {"batchItemFailures": []} and len(queue.messages) == 3 and queue.calls == 2


def test_records_the_dlq_cannot_take_are_reported_so_they_are_not_lost():
    records = [kinesis_record(event(1), 1), kinesis_record(b"{bad", 2)]
    response, batch, table, _ = run(records, queue=FakeQueue(raise_always=error("ServiceUnavailable", 503)))
    assert response == {"batchItemFailures": [{"itemIdentifier": records[1]["kinesis"]["sequenceNumber"]}]}
    assert list(table.items) == ["evt-1"] and batch.dead_lettered == {}


# --- idempotence -----------------------------------------------------------------------------

def test_a_replayed_batch_creates_no_duplicates():
    records = [kinesis_record(event(i), i) for i in range(1, 31)] + [kinesis_record(b"{bad", 99)]
    table, queue = FakeTable(), FakeQueue()
    run(records, table=table, queue=queue)
    first = dict(table.items)
    run(records, table=table, queue=queue)
    assert set(table.items) == set(first) and len(table.items) == 30


# --- configuration ---------------------------------------------------------------------------

def test_configuration_from_the_environment():
    cfg = config_module.Config.from_environ({
        "TABLE_NAME": "t", "DLQ_URL": "q", "MAX_RECORD_BYTES": "1000",
        "FILTER_RULES": '[{"field": "event_type", "equals": "ping"}]', "SINK_MAX_ATTEMPTS": "3"})
    assert cfg.max_record_bytes == 1000 and cfg.sink_max_attempts == 3
    assert cfg.filter_rules[0].matches({"event_type": "ping"})


@pytest.mark.parametrize("environ, message", [
    ({}, "TABLE_NAME, DLQ_URL: required"),
    ({"TABLE_NAME": "t", "DLQ_URL": "q", "MAX_RECORD_BYTES": "lots"}, "MAX_RECORD_BYTES: not an integer"),
    ({"TABLE_NAME": "t", "DLQ_URL": "q", "FILTER_RULES": "{"}, "FILTER_RULES: not JSON"),
    ({"TABLE_NAME": "t", "DLQ_URL": "q", "FILTER_RULES": '[{"field": "a"}]'}, "exactly one of"),
    ({"TABLE_NAME": "t", "DLQ_URL": "q", "FILTER_RULES": '[{"field": "a", "in": "x"}]'}, "'in' takes a list"),
])
def test_bad_configuration_is_refused(environ, message):
    with pytest.raises(config_module.ConfigError, match=message):
        config_module.Config.from_environ(environ)


def test_lambda_handler_uses_the_environment_and_returns_the_partial_batch_response(monkeypatch):
    table, queue = FakeTable(), FakeQueue()
    monkeypatch.setattr(handler, "_runtime", {"config": CFG, "dynamodb": table, "sqs": queue})
    response = handler.lambda_handler({"Records": [kinesis_record(event(1), 1), kinesis_record(b"x", 2)]}, Context())
    assert response == {"batchItemFailures": []}
    assert list(table.items) == ["evt-1"] and len(queue.messages) == 1
