"""The ingestion path under load (issue 12): every record accounted for, none twice.

run_load() provisions a stream, a sink table and a dead-letter queue on the emulator
(the minimal resources of tests/ingestion.py), sends synthetic events with the sample
producer (some malformed), reads every shard back in batches of Lambda's batch size,
runs the preprocessor handler on each batch, then counts from the emulator's state:

- records in: records the producer wrote to the stream (a record is its shard id and
  sequence number);
- stored: items in the table (its item count; the valid events' items are read by key,
  see tests/ingestion.items_by_key); dead-lettered: messages in the DLQ, read to empty
  (each must carry its reason and its original payload);
- duplicates: a record stored twice, stored and dead-lettered, or dead-lettered twice,
  and event ids stored twice;
- missing: records in that are neither stored nor dead-lettered.

Command line (starts its own emulator, prints the figures as JSON; exit status 1 if
a record is not accounted for exactly once):

    python -m tests.reliability.load --events 100000 --malformed-ratio 0.01 --seed 12
"""

import argparse
import base64
import json
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import boto3
import yaml

from emulator import launcher
from lambdas.stream_preprocessor import handler
from tests.ingestion import (Context, create_pipeline, drain, item_count, items_by_key, lambda_batches,
                             load_producer, queue_depth)
from tests.playbook import REPO_ROOT

# The event source mapping's batch size in the local inventory (what the emulator's Lambda would get).
LOCAL_GROUP_VARS = REPO_ROOT / "inventories" / "local" / "group_vars" / "platform" / "main.yml"
LAMBDA_BATCH_SIZE = yaml.safe_load(LOCAL_GROUP_VARS.read_text())["stream_processor_batch_size"]
# As in tests/integration/test_ingestion_flow.py. The emulator's PutRecords takes time in
# proportion to the records already in the shard (moto lists every sequence number per record).
SHARDS = 2
# The handler's reason for each kind of malformed record the producer makes.
REASON_OF_KIND = {"bad_json": "bad_json", "schema": "schema", "oversize": "oversize"}


def clients(emulator):
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                            region_name=emulator.region)
    return [session.client(service, endpoint_url=emulator.url, verify=str(emulator.ca_bundle))
            for service in ("kinesis", "dynamodb", "sqs")]


def account(sent, stored, messages, items_in_table=None):
    """Count what became of each record sent.

    sent: {(shard id, sequence number): producer record} of every record written to the stream.
    stored: table items as dicts with event_id, shard_id, sequence_number.
    messages: DLQ messages as SQS returns them (Body, MessageAttributes).
    items_in_table: the table's item count, when `stored` holds only the items looked up by key
    (the items beyond those are unexpected); default len(stored).
    """
    items_in_table = len(stored) if items_in_table is None else items_in_table
    stored_ids = [(item.get("shard_id"), item.get("sequence_number")) for item in stored]
    bodies = [json.loads(message["Body"]) for message in messages]
    dead_ids = [(body.get("shard_id"), body.get("sequence_number")) for body in bodies]

    # Each record once, in the table or in the queue; an event id once in the table.
    seen = Counter(stored_ids) + Counter(dead_ids)
    duplicates = sum(count - 1 for count in seen.values() if count > 1)
    duplicates += sum(count - 1 for count in Counter(item["event_id"] for item in stored).values() if count > 1)
    missing = sum(1 for identity in sent if identity not in seen)
    unexpected = sum(1 for identity in seen if identity not in sent) + items_in_table - len(stored)

    # Valid records stored under their own event id, malformed ones dead-lettered for their reason.
    misrouted = 0
    for identity, item in zip(stored_ids, stored):
        record = sent.get(identity)
        if record and (record["malformed"] or json.loads(record["data"])["event_id"] != item["event_id"]):
            misrouted += 1
    # A dead letter names its reason (body and attribute) and carries the record's payload.
    incomplete_dead_letters = 0
    for identity, message, body in zip(dead_ids, messages, bodies):
        record = sent.get(identity)
        if not record:
            continue
        if REASON_OF_KIND.get(record["malformed"]) != body.get("reason"):
            misrouted += 1
        original = base64.b64encode(record["data"]).decode("ascii")
        payload = body.get("payload") or ""
        attribute = message.get("MessageAttributes", {}).get("reason", {}).get("StringValue")
        complete_payload = original.startswith(payload) if body.get("payload_truncated") else payload == original
        if attribute != body.get("reason") or not payload or not complete_payload:
            incomplete_dead_letters += 1

    return {
        "records_in": len(sent),
        "stored": items_in_table,
        "dead_lettered": len(messages),
        "dead_lettered_by_reason": dict(sorted(Counter(body.get("reason") for body in bodies).items())),
        "duplicates": duplicates,
        "missing": missing,
        "unexpected": unexpected,
        "misrouted": misrouted,
        "incomplete_dead_letters": incomplete_dead_letters,
    }


def run_load(emulator, events=100_000, malformed_ratio=0.01, seed=12, batch_size=LAMBDA_BATCH_SIZE, shards=SHARDS):
    """Send `events` events through the ingestion path on the emulator; return the figures (see the module doc).

    The resources get a fresh name prefix, so a run counts only its own records; they are left
    in place (the table and the stream; the DLQ is read empty) for the caller to inspect.
    """
    started = time.perf_counter()
    kinesis, dynamodb, sqs = clients(emulator)
    pipeline = create_pipeline(kinesis, dynamodb, sqs, f"rtap-load-{uuid.uuid4().hex[:8]}", shards=shards)
    producer = load_producer()
    records = producer.make_events(events, malformed_ratio=malformed_ratio, seed=seed)

    sent = {}

    def written(record, shard_id, sequence_number):
        sent[(shard_id, sequence_number)] = record

    summary = producer.produce(kinesis, pipeline.stream, records, on_written=written)
    produced = time.perf_counter()

    read = batches = handler_failures = 0
    for batch in lambda_batches(kinesis, pipeline, batch_size):
        response, _ = handler.process(batch, Context(), dynamodb, sqs, pipeline.config)
        read += len(batch["Records"])
        batches += 1
        handler_failures += len(response["batchItemFailures"])
    processed = time.perf_counter()

    # The items of the valid events, looked up by key, and the table's item count for anything else.
    valid_ids = [json.loads(record["data"])["event_id"] for record in records if not record["malformed"]]
    stored = items_by_key(dynamodb, pipeline.table, valid_ids, ("event_id", "shard_id", "sequence_number"))
    items_in_table = item_count(dynamodb, pipeline.table)
    dlq_depth = queue_depth(sqs, pipeline.queue_url)  # exact on the emulator; a cross-check of the drain
    messages = drain(sqs, pipeline.queue_url, delete=True)
    counted = time.perf_counter()

    figures = {
        "events": events,
        "malformed_ratio": malformed_ratio,
        "seed": seed,
        "shards": shards,
        "batch_size": batch_size,
        "table": pipeline.table,
        "queue_url": pipeline.queue_url,
        "producer_failed": summary["failed"],
        "malformed_by_kind": summary["malformed_by_kind"],
        "read": read,
        "batches": batches,
        "handler_failures": handler_failures,
        "dlq_depth": dlq_depth,
    }
    figures.update(account(sent, stored, messages, items_in_table))
    figures["seconds"] = {
        "produce": round(produced - started, 1),
        "process": round(processed - produced, 1),
        "count": round(counted - processed, 1),
        "total": round(counted - started, 1),
    }
    return figures


def accounted(figures):
    """Every record in stored or dead-lettered, exactly once, and where it belongs."""
    return (figures["records_in"] == figures["events"] == figures["stored"] + figures["dead_lettered"]
            and figures["dead_lettered"] == figures["dlq_depth"]
            and not any(figures[name] for name in ("duplicates", "missing", "unexpected", "misrouted",
                                                   "incomplete_dead_letters", "handler_failures")))


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send events through the ingestion path on a fresh emulator "
                                                 "and account for every record.")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--malformed-ratio", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=LAMBDA_BATCH_SIZE,
                        help=f"records per handler invocation (default {LAMBDA_BATCH_SIZE}, the local inventory's)")
    parser.add_argument("--shards", type=int, default=SHARDS, help=f"shards of the stream (default {SHARDS})")
    parser.add_argument("--port", type=int, help="the emulator's port (default: a free one)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="load-emulator-") as home:
        emulator = launcher.start(port=args.port or launcher.free_port(), home=Path(home), latency=0)
        try:
            figures = run_load(emulator, args.events, args.malformed_ratio, args.seed, args.batch_size, args.shards)
        finally:
            launcher.stop(Path(home))
    figures["accounted"] = accounted(figures)
    print(json.dumps(figures, indent=2))
    return 0 if figures["accounted"] else 1


if __name__ == "__main__":
    sys.exit(main())
