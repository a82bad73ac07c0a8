"""The ingestion path on the emulator, for tests: producer -> Kinesis -> preprocessor -> table + DLQ.

moto cannot run Lambda code, so the records are read back from every shard and handed to
the handler in the exact event shape Lambda uses, with real boto3 clients for the table
and the dead-letter queue. Shared by tests/integration/test_ingestion_flow.py and the
load run (tests/reliability/load.py).
"""

import base64
import functools
import importlib.util
from dataclasses import dataclass

from lambdas.stream_preprocessor import config as config_module
from tests.playbook import REPO_ROOT

ACCOUNT = "123456789012"
REGION = "eu-west-1"
# One GetRecords call reads at most this many records (Kinesis's limit); Lambda then cuts them into batches.
GET_RECORDS_LIMIT = 10_000


@functools.cache
def load_producer():
    """tools/producer.py as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("producer", REPO_ROOT / "tools" / "producer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Context:
    """The part of Lambda's context object the handler uses."""

    def get_remaining_time_in_millis(self):
        return 120_000


@dataclass(frozen=True)
class Pipeline:
    prefix: str
    stream: str
    stream_arn: str
    table: str
    queue_url: str
    config: config_module.Config


def create_pipeline(kinesis, dynamodb, sqs, prefix, shards=2):
    """The stream, the sink table and the dead-letter queue the stream processor role makes, minimally."""
    stream, table, queue = f"{prefix}-clickstream", f"{prefix}-events", f"{prefix}-ingest-dlq"
    kinesis.create_stream(StreamName=stream, ShardCount=shards)
    dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "event_id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "event_id", "AttributeType": "S"}])
    url = sqs.create_queue(QueueName=queue, Attributes={"MessageRetentionPeriod": "1209600"})["QueueUrl"]
    stream_arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    cfg = config_module.Config.from_environ({"TABLE_NAME": table, "DLQ_URL": url})
    return Pipeline(prefix, stream, stream_arn, table, url, cfg)


def lambda_record(record, shard_id, stream_arn, prefix):
    """A GetRecords record as one record of the Kinesis event Lambda sends."""
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": record["PartitionKey"],
            "sequenceNumber": record["SequenceNumber"],
            "data": base64.b64encode(record["Data"]).decode("ascii"),
            "approximateArrivalTimestamp": record["ApproximateArrivalTimestamp"].timestamp(),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{record['SequenceNumber']}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/{prefix}-stream-preprocessor",
        "awsRegion": REGION,
        "eventSourceARN": stream_arn,
    }


def lambda_batches(kinesis, pipeline, batch_size):
    """Every record of every shard, from the start, as Kinesis events of at most batch_size records.

    One shard per batch, in shard order, as an event source mapping with parallelization 1
    delivers them. Batches are made while the shard is read, so a large stream is never
    held in memory whole.
    """
    for shard in kinesis.list_shards(StreamName=pipeline.stream)["Shards"]:
        shard_id = shard["ShardId"]
        iterator = kinesis.get_shard_iterator(StreamName=pipeline.stream, ShardId=shard_id,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        pending = []
        while iterator:
            response = kinesis.get_records(ShardIterator=iterator, Limit=GET_RECORDS_LIMIT)
            if not response["Records"]:
                break  # the emulator's stream is complete: an empty read is the end of the shard
            pending.extend(lambda_record(r, shard_id, pipeline.stream_arn, pipeline.prefix)
                           for r in response["Records"])
            while len(pending) >= batch_size:
                yield {"Records": pending[:batch_size]}
                pending = pending[batch_size:]
            iterator = response.get("NextShardIterator")
        if pending:
            yield {"Records": pending}


def stored_items(dynamodb, table, attributes=("event_id",)):
    """Every item of the table (one scan, all pages), each a dict of the given string attributes."""
    items = []
    names = {f"#a{i}": name for i, name in enumerate(attributes)}
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, ProjectionExpression=", ".join(names),
                                                        ExpressionAttributeNames=names):
        items.extend({name: item[name]["S"] for name in attributes if name in item} for item in page["Items"])
    return items


def table_keys(dynamodb, table):
    return {item["event_id"] for item in stored_items(dynamodb, table)}


def items_by_key(dynamodb, table, keys, attributes=("event_id",)):
    """The items of the table with these event ids (BatchGetItem, 100 keys a call), as stored_items gives them.

    For large tables: the emulator's Scan sorts the whole table for every page, so reading
    100,000 items by Scan takes minutes; by key it takes seconds. AttributesToGet (the legacy
    form of a projection of top-level names): for a ProjectionExpression the emulator converts
    each item whole once per name.
    """
    keys = sorted(set(keys))
    items = []
    for start in range(0, len(keys), 100):
        request = {table: {"Keys": [{"event_id": {"S": key}} for key in keys[start:start + 100]],
                           "AttributesToGet": list(attributes)}}
        while request:
            response = dynamodb.batch_get_item(RequestItems=request)
            items.extend({name: item[name]["S"] for name in attributes if name in item}
                         for item in response["Responses"].get(table, []))
            request = response.get("UnprocessedKeys")
    return items


def item_count(dynamodb, table):
    """Items in the table (exact on the emulator; AWS updates it about every six hours)."""
    return dynamodb.describe_table(TableName=table)["Table"]["ItemCount"]


def drain(sqs, url, delete=False):
    """Every message the queue holds now (receive 10 at a time until none is left).

    Received messages stay invisible for 10 minutes, so none is read twice; delete=True
    deletes them as they are read, which leaves the queue empty.
    """
    messages = []
    while True:
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600,
                                       MessageAttributeNames=["All"]).get("Messages", [])
        if not received:
            return messages
        messages.extend(received)
        if delete:
            result = sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)])
            if result.get("Failed"):
                raise RuntimeError(f"DeleteMessageBatch failed: {result['Failed']}")


def queue_depth(sqs, url):
    """Messages in the queue, visible or not (exact on the emulator; approximate on AWS)."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
