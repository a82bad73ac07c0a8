"""Throughput of the stream preprocessor handler on one Lambda-sized batch.

Prints, for a batch of 10,000 Kinesis records (Lambda's maximum batch size) in the
exact event shape Lambda sends:

- the handler's throughput in records/s (decode, validate, filter, convert, enrich,
  build DynamoDB items, batch the writes);
- a baseline in the same process that only base64-decodes and JSON-parses the same
  records, and the ratio handler / baseline;
- peak memory (tracemalloc) of each;
- sink calls made against the minimum, ceil(items / 25).

The sink is an in-process fake DynamoDB client that counts BatchWriteItem calls and
keeps nothing (so the figures measure the handler, not a network); the DLQ is a
fake SQS client likewise. Run from the repository root:

    python benchmarks/handler_throughput.py [--records 10000] [--malformed 0.01] [--repeat 5]
"""

import argparse
import base64
import json
import math
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lambdas.stream_preprocessor import config as config_module  # noqa: E402
from lambdas.stream_preprocessor import handler  # noqa: E402

STREAM_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/rtap-local-clickstream"
EVENT_TYPES = ["page_view", "click", "add_to_cart", "purchase", "search"]


class CountingTable:
    """Fake DynamoDB client: counts BatchWriteItem calls and items, processes everything."""

    def __init__(self):
        self.calls = 0
        self.items = 0

    def batch_write_item(self, RequestItems):
        self.calls += 1
        for requests in RequestItems.values():
            self.items += len(requests)
        return {"UnprocessedItems": {}}


class CountingQueue:
    def __init__(self):
        self.calls = 0
        self.messages = 0

    def send_message_batch(self, QueueUrl, Entries):
        self.calls += 1
        self.messages += len(Entries)
        return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}


class Context:
    def get_remaining_time_in_millis(self):
        return 900_000


def make_batch(count, malformed_ratio, seed):
    rng = random.Random(seed)
    records = []
    base = 1_714_564_800
    for i in range(count):
        body = {
            "eventId": f"evt-{seed}-{i:06d}",
            "eventType": rng.choice(EVENT_TYPES),
            "userId": f"user-{rng.randrange(5000):05d}",
            "sessionId": f"sess-{rng.randrange(20000):06d}",
            "ts": (base + i) * 1000 + rng.randrange(1000),
            "page": f"/products/{rng.randrange(900)}",
            "referrer": "https://example.com/",
            "properties": {"price": round(rng.uniform(1, 500), 2), "quantity": rng.randrange(1, 5),
                           "tags": ["a", "b"], "mobile": rng.random() < 0.5},
        }
        data = base64.b64encode(json.dumps(body).encode()).decode()
        if rng.random() < malformed_ratio:
            data = rng.choice(["%%bad-base64%%", base64.b64encode(b"{truncated").decode()])
        sequence = f"49590338271490256608559692538361571095921575989136588898{i:08d}"
        records.append({
            "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": body["userId"], "sequenceNumber": sequence,
                        "data": data, "approximateArrivalTimestamp": base + i + 0.25},
            "eventSource": "aws:kinesis", "eventVersion": "1.0", "eventID": f"shardId-000000000000:{sequence}",
            "eventName": "aws:kinesis:record", "invokeIdentityArn": "arn:aws:iam::123456789012:role/x",
            "awsRegion": "eu-west-1", "eventSourceARN": STREAM_ARN,
        })
    return {"Records": records}


def baseline(event):
    loads, b64decode = json.loads, base64.b64decode
    parsed = 0
    for record in event["Records"]:
        try:
            loads(b64decode(record["kinesis"]["data"]))
            parsed += 1
        except ValueError:
            pass
    return parsed


def run_handler(event, cfg):
    table, queue = CountingTable(), CountingQueue()
    response, batch = handler.process(event, Context(), table, queue, cfg)
    return response, batch, table, queue


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def peak_memory(function):
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--malformed", type=float, default=0.01, help="share of malformed records")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    event = make_batch(args.records, args.malformed, args.seed)
    cfg = config_module.Config(table_name="rtap-local-events", dlq_url="https://sqs.local/dlq")
    run_handler(event, cfg)  # warm-up (imports, caches)

    base_best, base_median, _ = timed(lambda: baseline(event), args.repeat)
    hand_best, hand_median, (response, batch, table, queue) = timed(lambda: run_handler(event, cfg), args.repeat)
    base_peak = peak_memory(lambda: baseline(event))
    hand_peak = peak_memory(lambda: run_handler(event, cfg))
    minimum_calls = math.ceil(batch.written / 25)
    n = args.records
    mib = 1024 * 1024

    print(f"batch: {n} Kinesis records ({args.malformed:.1%} malformed requested), Lambda event shape, "
          f"best of {args.repeat} runs; Python {sys.version.split()[0]}")
    print("sink: in-process fake DynamoDB client counting BatchWriteItem calls (no network); "
          "DLQ: in-process fake SQS client")
    print(f"baseline (base64 decode + JSON parse only): {n / base_best:>10,.0f} records/s "
          f"(best {base_best * 1000:.1f} ms, median {base_median * 1000:.1f} ms)")
    print(f"handler (full pipeline):                    {n / hand_best:>10,.0f} records/s "
          f"(best {hand_best * 1000:.1f} ms, median {hand_median * 1000:.1f} ms)")
    print(f"ratio handler / baseline throughput:        {base_best / hand_best:>10.2f}")
    print(f"peak memory (tracemalloc): handler {hand_peak / mib:.1f} MiB (holds the batch's items until written), "
          f"baseline {base_peak / 1024:.1f} KiB (keeps nothing)")
    print(f"items written: {batch.written}, dead-lettered: {sum(batch.dead_lettered.values())} "
          f"{batch.dead_lettered}, failed: {len(response['batchItemFailures'])}")
    print(f"sink calls: {table.calls} BatchWriteItem for {table.items} items; minimum ceil({batch.written}/25) = "
          f"{minimum_calls}; DLQ calls: {queue.calls} for {queue.messages} messages")
    return 0 if table.calls == minimum_calls and not response["batchItemFailures"] else 1


if __name__ == "__main__":
    sys.exit(main())
