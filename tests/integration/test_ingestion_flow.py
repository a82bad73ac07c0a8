"""No record lost: producer -> Kinesis -> preprocessor -> DynamoDB table + SQS dead-letter queue.

On the emulator: the sample producer (tools/producer.py) sends N events, some of them
malformed, into a stream; the records are read back from every shard and handed to
the handler in the exact event shape Lambda uses (moto cannot run Lambda code), with
real boto3 clients for the table and the queue. Then:

    records in = items in the table + messages in the dead-letter queue

and a replay of the same batches adds no item (and no new record identity to the DLQ).
"""

import json

import pytest

from lambdas.stream_preprocessor import handler
from tests.ingestion import Context, create_pipeline, drain, lambda_batches, load_producer, table_keys

PREFIX = "rtap-local"
EVENTS = 400
MALFORMED_RATIO = 0.1
BATCH_SIZE = 100
REASON_OF_KIND = {"bad_json": "bad_json", "schema": "schema", "oversize": "oversize"}


@pytest.fixture
def pipeline(fresh_emulator, aws_client):
    kinesis, dynamodb, sqs = aws_client("kinesis"), aws_client("dynamodb"), aws_client("sqs")
    return kinesis, dynamodb, sqs, create_pipeline(kinesis, dynamodb, sqs, PREFIX)


def test_no_record_is_lost_and_a_replay_adds_nothing(pipeline):
    kinesis, dynamodb, sqs, setup = pipeline
    url, stream_arn, cfg = setup.queue_url, setup.stream_arn, setup.config
    producer = load_producer()
    events = producer.make_events(EVENTS, malformed_ratio=MALFORMED_RATIO, seed=11)
    summary = producer.produce(kinesis, setup.stream, events, progress_out=None)
    assert summary["sent"] == EVENTS and summary["failed"] == 0, summary
    malformed = summary["malformed_by_kind"]
    assert sum(malformed.values()) > 0

    batches = list(lambda_batches(kinesis, setup, BATCH_SIZE))
    assert sum(len(b["Records"]) for b in batches) == EVENTS, "every record was read back"
    for batch in batches:
        response, _ = handler.process(batch, Context(), dynamodb, sqs, cfg)
        assert response == {"batchItemFailures": []}

    items = table_keys(dynamodb, setup.table)
    messages = drain(sqs, url)
    assert len(items) + len(messages) == EVENTS, "records in = items in the table + messages in the DLQ"
    valid_ids = {json.loads(e["data"])["event_id"] for e in events if not e["malformed"]}
    assert items == valid_ids

    bodies = [json.loads(m["Body"]) for m in messages]
    reasons = {}
    for body in bodies:
        reasons[body["reason"]] = reasons.get(body["reason"], 0) + 1
    assert reasons == {REASON_OF_KIND[kind]: count for kind, count in malformed.items()}
    # Sequence numbers are unique within a shard: a record is (shard id, sequence number).
    by_identity = {tuple(r["eventID"].split(":", 1)): r for b in batches for r in b["Records"]}
    for message, body in zip(messages, bodies):
        record = by_identity[(body["shard_id"], body["sequence_number"])]
        assert record["kinesis"]["sequenceNumber"] == body["sequence_number"]
        assert body["event_source_arn"] == stream_arn
        assert message["MessageAttributes"]["reason"]["StringValue"] == body["reason"]
        original = record["kinesis"]["data"]
        if body["payload_truncated"]:
            assert body["reason"] == "oversize" and original.startswith(body["payload"])
        else:
            assert body["payload"] == original

    # Lambda retries and replays batches: the item keys make that harmless.
    first_item = dynamodb.get_item(TableName=setup.table, Key={"event_id": {"S": sorted(items)[0]}})["Item"]
    for batch in batches:
        response, _ = handler.process(batch, Context(), dynamodb, sqs, cfg)
        assert response == {"batchItemFailures": []}
    assert table_keys(dynamodb, setup.table) == items, "a replay creates no new item"
    replayed = [json.loads(m["Body"]) for m in drain(sqs, url)]
    assert {(b["shard_id"], b["sequence_number"]) for b in replayed} == \
        {(b["shard_id"], b["sequence_number"]) for b in bodies}, "a replay dead-letters no new record"
    again = dynamodb.get_item(TableName=setup.table, Key={"event_id": {"S": sorted(items)[0]}})["Item"]
    assert {k: v for k, v in again.items() if k not in ("ingestion_time", "ingest_lag_ms")} == \
        {k: v for k, v in first_item.items() if k not in ("ingestion_time", "ingest_lag_ms")}
