"""No record lost: producer -> Kinesis -> preprocessor -> DynamoDB table + SQS dead-letter queue.

On the emulator: the sample producer (tools/producer.py) sends N events, some of them
malformed, into a stream; the records are read back from every shard and handed to
the handler in the exact event shape Lambda uses (moto cannot run Lambda code), with
real boto3 clients for the table and the queue. Then:

    records in = items in the table + messages in the dead-letter queue

and a replay of the same batches adds no item (and no new record identity to the DLQ).
"""

import base64
import importlib.util
import json

import pytest

from lambdas.stream_preprocessor import config as config_module
from lambdas.stream_preprocessor import handler
from tests.playbook import REPO_ROOT

PREFIX = "rtap-local"
STREAM = f"{PREFIX}-clickstream"
TABLE = f"{PREFIX}-events"
QUEUE = f"{PREFIX}-ingest-dlq"
EVENTS = 400
MALFORMED_RATIO = 0.1
BATCH_SIZE = 100
REASON_OF_KIND = {"bad_json": "bad_json", "schema": "schema", "oversize": "oversize"}


def load_producer():
    spec = importlib.util.spec_from_file_location("producer", REPO_ROOT / "tools" / "producer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Context:
    def get_remaining_time_in_millis(self):
        return 120_000


def lambda_batches(kinesis, stream_arn, batch_size):
    """Every record of every shard, as the Kinesis event Lambda sends (one shard per batch)."""
    shards = kinesis.list_shards(StreamName=STREAM)["Shards"]
    for shard in shards:
        iterator = kinesis.get_shard_iterator(StreamName=STREAM, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = []
        while iterator:
            response = kinesis.get_records(ShardIterator=iterator, Limit=1000)
            records.extend(response["Records"])
            if not response["Records"]:
                break
            iterator = response.get("NextShardIterator")
        for start in range(0, len(records), batch_size):
            yield {"Records": [{
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": r["PartitionKey"],
                    "sequenceNumber": r["SequenceNumber"],
                    "data": base64.b64encode(r["Data"]).decode("ascii"),
                    "approximateArrivalTimestamp": r["ApproximateArrivalTimestamp"].timestamp(),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{shard['ShardId']}:{r['SequenceNumber']}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": f"arn:aws:iam::123456789012:role/{PREFIX}-stream-preprocessor",
                "awsRegion": "eu-west-1",
                "eventSourceARN": stream_arn,
            } for r in records[start:start + batch_size]]}


def table_keys(dynamodb):
    keys = set()
    for page in dynamodb.get_paginator("scan").paginate(TableName=TABLE, ProjectionExpression="event_id"):
        keys.update(item["event_id"]["S"] for item in page["Items"])
    return keys


def drain(sqs, url):
    messages = []
    while True:
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600,
                                       MessageAttributeNames=["All"]).get("Messages", [])
        if not received:
            return messages
        messages.extend(received)


@pytest.fixture
def pipeline(fresh_emulator, aws_client):
    kinesis, dynamodb, sqs = aws_client("kinesis"), aws_client("dynamodb"), aws_client("sqs")
    kinesis.create_stream(StreamName=STREAM, ShardCount=2)
    dynamodb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "event_id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "event_id", "AttributeType": "S"}])
    url = sqs.create_queue(QueueName=QUEUE, Attributes={"MessageRetentionPeriod": "1209600"})["QueueUrl"]
    stream_arn = kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"]
    cfg = config_module.Config.from_environ({"TABLE_NAME": TABLE, "DLQ_URL": url})
    return kinesis, dynamodb, sqs, url, stream_arn, cfg


def test_no_record_is_lost_and_a_replay_adds_nothing(pipeline):
    kinesis, dynamodb, sqs, url, stream_arn, cfg = pipeline
    producer = load_producer()
    events = producer.make_events(EVENTS, malformed_ratio=MALFORMED_RATIO, seed=11)
    summary = producer.produce(kinesis, STREAM, events, progress_out=None)
    assert summary["sent"] == EVENTS and summary["failed"] == 0, summary
    malformed = summary["malformed_by_kind"]
    assert sum(malformed.values()) > 0

    batches = list(lambda_batches(kinesis, stream_arn, BATCH_SIZE))
    assert sum(len(b["Records"]) for b in batches) == EVENTS, "every record was read back"
    for batch in batches:
        response, _ = handler.process(batch, Context(), dynamodb, sqs, cfg)
        assert response == {"batchItemFailures": []}

    items = table_keys(dynamodb)
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
    first_item = dynamodb.get_item(TableName=TABLE, Key={"event_id": {"S": sorted(items)[0]}})["Item"]
    for batch in batches:
        response, _ = handler.process(batch, Context(), dynamodb, sqs, cfg)
        assert response == {"batchItemFailures": []}
    assert table_keys(dynamodb) == items, "a replay creates no new item"
    replayed = [json.loads(m["Body"]) for m in drain(sqs, url)]
    assert {(b["shard_id"], b["sequence_number"]) for b in replayed} == \
        {(b["shard_id"], b["sequence_number"]) for b in bodies}, "a replay dead-letters no new record"
    again = dynamodb.get_item(TableName=TABLE, Key={"event_id": {"S": sorted(items)[0]}})["Item"]
    assert {k: v for k, v in again.items() if k not in ("ingestion_time", "ingest_lag_ms")} == \
        {k: v for k, v in first_item.items() if k not in ("ingestion_time", "ingest_lag_ms")}
