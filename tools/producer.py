#!/usr/bin/env python3
"""Sample producer: synthetic clickstream events to a Kinesis data stream.

    python tools/producer.py --stream rtap-local-clickstream --events 1000 --rate 200 \\
        --malformed-ratio 0.05 --seed 7

- Events: event_id (UUID), user_id, session_id, type (page_view or click), url,
  ts (ISO-8601 UTC). The partition key is user_id, so one user's events land in
  one shard, in order.
- PutRecords batches of up to 500 records and 5 MiB (data plus partition keys).
- Only the records that failed are sent again, with exponential backoff and jitter.
  Order per partition key is kept: a batch holds at most one record per key, and
  a failed record stays ahead of the later records of its key, which wait until
  it is written (PutRecords gives no order between the records of one request).
- --rate limits records per second (a token bucket; retries count too).
- --malformed-ratio injects bad records for tests: broken JSON, schema violations
  (missing user_id, numeric type, invalid type name) and oversize events (larger
  than the preprocessor's 256 KiB limit, under Kinesis's 1 MiB record limit).
- A progress bar goes to stderr; a JSON summary (sent, failed, retried,
  malformed, ...) to stdout at the end.

boto3 only. The endpoint, region and credentials come from the usual AWS
environment (AWS_ENDPOINT_URL, AWS_REGION, AWS_CA_BUNDLE, ...).

For tests, import make_events() and produce().
"""

import argparse
import json
import random
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

MAX_BATCH_RECORDS = 500
MAX_BATCH_BYTES = 5 * 1024 * 1024
MAX_RECORD_BYTES = 1024 * 1024  # data + partition key, per record
OVERSIZE_BYTES = 300_000  # > the preprocessor's MAX_RECORD_BYTES (262,144), < MAX_RECORD_BYTES
# Records scanned ahead for a batch: held-back records of a busy key do not make every batch scan everything.
LOOKAHEAD = 20_000
EPSILON = 1e-6  # float slack of the token bucket
EVENT_TYPES = ("page_view", "click")
PAGES = ("/", "/search", "/products", "/products/{n}", "/cart", "/checkout", "/account", "/help")
SITE = "https://shop.example.com"
MALFORMED_KINDS = ("bad_json", "schema", "oversize")
# Call-level errors worth retrying (the whole batch is sent again).
RETRYABLE_CALL_ERRORS = {
    "ProvisionedThroughputExceededException", "ThrottlingException", "LimitExceededException",
    "InternalFailure", "InternalServerError", "ServiceUnavailable", "KMSThrottlingException",
}


# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------


def _iso(moment):
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _malformed(rng, kind, event):
    """The bytes of a bad record of the given kind, built from a valid event."""
    if kind == "bad_json":
        text = json.dumps(event)
        return text[: rng.randint(1, len(text) - 2)].encode("utf-8")  # truncated: never valid JSON
    if kind == "schema":
        broken = dict(event)
        variant = rng.randrange(3)
        if variant == 0:
            del broken["user_id"]
        elif variant == 1:
            broken["type"] = 42
        else:
            broken["type"] = "Page View!"
        return json.dumps(broken, separators=(",", ":")).encode("utf-8")
    padded = dict(event, padding="")
    size = len(json.dumps(padded, separators=(",", ":")).encode("utf-8"))
    padded["padding"] = "x" * (OVERSIZE_BYTES - size)
    return json.dumps(padded, separators=(",", ":")).encode("utf-8")


def make_events(n, malformed_ratio=0.0, seed=None, start=None, users=None):
    """n synthetic clickstream records, in send order: dicts with partition_key, data (bytes), malformed.

    malformed is None for a valid event, else bad_json, schema or oversize. The same seed
    (and start) gives the same records. users: how many distinct users (default n // 10, at least 1).
    """
    n = int(n)
    if n < 0:
        raise ValueError(f"events: must be >= 0, got {n}")
    if not 0.0 <= float(malformed_ratio) <= 1.0:
        raise ValueError(f"malformed_ratio: must be between 0 and 1, got {malformed_ratio}")
    rng = random.Random(seed)
    moment = start or datetime.now(timezone.utc)
    user_ids = [f"user-{i:05d}" for i in range(max(1, int(users or n // 10 or 1)))]
    sessions = {}
    records = []
    for _ in range(n):
        user = rng.choice(user_ids)
        if user not in sessions or rng.random() < 0.05:
            sessions[user] = _uuid(rng)
        moment += timedelta(milliseconds=rng.randint(1, 250))
        page = rng.choice(PAGES).format(n=rng.randint(1, 9999))
        event = {
            "event_id": _uuid(rng),
            "user_id": user,
            "session_id": sessions[user],
            "type": rng.choice(EVENT_TYPES),
            "url": SITE + page,
            "ts": _iso(moment),
        }
        kind = rng.choice(MALFORMED_KINDS) if rng.random() < malformed_ratio else None
        if kind:
            data = _malformed(rng, kind, event)
        else:
            data = json.dumps(event, separators=(",", ":")).encode("utf-8")
        records.append({"partition_key": user, "data": data, "malformed": kind})
    return records


# ---------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------


class TokenBucket:
    """rate tokens per second, at most one second's worth saved up (None: no limit)."""

    def __init__(self, rate, clock=time.monotonic, sleep=time.sleep):
        self.rate = float(rate) if rate else None
        self.capacity = max(1.0, self.rate) if self.rate else None
        self.tokens = self.capacity
        self.clock, self.sleep = clock, sleep
        self.updated = clock()

    def _refill(self):
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def available(self, wanted):
        """Wait until min(wanted, capacity) tokens are there (whole batches); return how many may be sent."""
        if self.rate is None:
            return wanted
        needed = min(wanted, int(self.capacity))
        self._refill()
        while self.tokens + EPSILON < needed:
            self.sleep((needed - self.tokens) / self.rate)
            self._refill()
        return min(wanted, int(self.tokens + EPSILON))

    def take(self, count):
        if self.rate is not None:
            self.tokens -= count


class Progress:
    """A plain-text progress bar, redrawn at most every `interval` seconds."""

    def __init__(self, total, out=None, clock=time.monotonic, interval=0.2, width=30):
        self.total, self.out, self.clock = total, out, clock
        self.interval, self.width = interval, width
        self.started = self.last = clock()

    def update(self, done, retried, failed, final=False):
        if self.out is None:
            return
        now = self.clock()
        if not final and now - self.last < self.interval:
            return
        self.last = now
        share = done / self.total if self.total else 1.0
        filled = int(self.width * share)
        rate = done / (now - self.started) if now > self.started else 0.0
        self.out.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} "
                       f"{share:4.0%} {rate:7.1f} rec/s  retried {retried}  failed {failed}")
        if final:
            self.out.write("\n")
        self.out.flush()


def _record_size(record):
    return len(record["data"]) + len(record["partition_key"].encode("utf-8"))


def next_batch(pending, max_records):
    """Indexes (into pending) of the next batch: in order, at most one record per partition key.

    A record whose key already has an earlier record in pending is held back: an earlier
    record of the key is either in this batch or failed and waits for its retry.
    """
    batch, keys, size = [], set(), 0
    for index, item in enumerate(pending):
        if index >= LOOKAHEAD or len(batch) >= max_records:
            break
        record = item["record"]
        key = record["partition_key"]
        if key in keys:
            continue
        keys.add(key)  # also for a record that does not fit: its later records must wait
        record_size = _record_size(record)
        if size + record_size > MAX_BATCH_BYTES:
            continue
        batch.append(index)
        size += record_size
    return batch


def _error_code(error):
    response = getattr(error, "response", None) or {}
    return response.get("Error", {}).get("Code", "")


def produce(client, stream, events, rate=None, max_attempts=8, base_delay=0.1, max_delay=5.0,
            progress_out=None, sleep=time.sleep, clock=time.monotonic, rng=None, on_written=None):
    """Send events (as make_events returns them) to the stream; return the summary dict.

    client: a boto3 Kinesis client (or anything with put_records). stream: a stream name or ARN.
    rate: records per second, None for no limit. A record that failed max_attempts times is
    given up (counted in failed). on_written(record, shard_id, sequence_number) is called for
    each record written, in the order Kinesis accepted them.
    """
    rng = rng or random.Random()
    target = {"StreamARN": stream} if stream.startswith("arn:") else {"StreamName": stream}
    for record in events:
        if _record_size(record) > MAX_RECORD_BYTES:
            raise ValueError(f"a record of {_record_size(record)} bytes exceeds Kinesis's 1 MiB record limit")
    pending = [{"record": record, "attempts": 0} for record in events]
    bucket = TokenBucket(rate, clock=clock, sleep=sleep)
    bar = Progress(len(pending), out=progress_out, clock=clock)
    stats = Counter()
    failure_rounds = 0
    started = clock()

    while pending:
        indexes = next_batch(pending, bucket.available(MAX_BATCH_RECORDS))
        batch = [pending[i] for i in indexes]
        bucket.take(len(batch))
        stats["batches"] += 1
        for item in batch:
            if item["attempts"]:
                stats["retried"] += 1
            item["attempts"] += 1
        try:
            response = client.put_records(
                Records=[{"Data": item["record"]["data"], "PartitionKey": item["record"]["partition_key"]}
                         for item in batch],
                **target,
            )
            results = response["Records"]
        except Exception as error:  # noqa: BLE001 - only the retryable codes are retried
            if _error_code(error) not in RETRYABLE_CALL_ERRORS:
                raise
            results = [{"ErrorCode": _error_code(error), "ErrorMessage": str(error)}] * len(batch)

        done = set()
        failures = 0
        for index, item, result in zip(indexes, batch, results):
            if "ErrorCode" in result and result["ErrorCode"]:
                failures += 1
                stats["errors." + result["ErrorCode"]] += 1
                if item["attempts"] >= max_attempts:
                    stats["failed"] += 1
                    done.add(index)  # given up: the key's later records may go on
            else:
                stats["sent"] += 1
                done.add(index)
                if on_written:
                    on_written(item["record"], result.get("ShardId"), result.get("SequenceNumber"))
        pending = [item for i, item in enumerate(pending) if i not in done]
        bar.update(stats["sent"] + stats["failed"], stats["retried"], stats["failed"])

        if failures:
            failure_rounds += 1
            delay = min(max_delay, base_delay * 2 ** (failure_rounds - 1))
            sleep(delay / 2 + rng.random() * delay / 2)  # jitter
        else:
            failure_rounds = 0

    bar.update(stats["sent"] + stats["failed"], stats["retried"], stats["failed"], final=True)
    malformed = Counter(record["malformed"] for record in events if record["malformed"])
    return {
        "stream": stream,
        "events": len(events),
        "sent": stats["sent"],
        "failed": stats["failed"],
        "retried": stats["retried"],
        "malformed": sum(malformed.values()),
        "malformed_by_kind": dict(sorted(malformed.items())),
        "batches": stats["batches"],
        "errors": {key.split(".", 1)[1]: count for key, count in sorted(stats.items()) if key.startswith("errors.")},
        "seconds": round(clock() - started, 3),
    }


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def _positive_rate(text):
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _ratio(text):
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _count(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Send synthetic clickstream events to a Kinesis data stream.")
    parser.add_argument("--stream", required=True, help="stream name or ARN")
    parser.add_argument("--events", type=_count, default=1000, help="number of events (default 1000)")
    parser.add_argument("--rate", type=_positive_rate, help="records per second (default: no limit)")
    parser.add_argument("--malformed-ratio", type=_ratio, default=0.0, help="share of bad records, 0-1 (default 0)")
    parser.add_argument("--seed", type=int, help="random seed, for repeatable events")
    parser.add_argument("--users", type=int, help="distinct users (default events / 10)")
    parser.add_argument("--max-attempts", type=int, default=8, help="attempts per record before giving up (default 8)")
    parser.add_argument("--region", help="AWS region (default: from the environment)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import boto3  # only here: importing this module for tests needs no AWS SDK

    client = boto3.client("kinesis", region_name=args.region) if args.region else boto3.client("kinesis")
    events = make_events(args.events, args.malformed_ratio, args.seed, users=args.users)
    summary = produce(client, args.stream, events, rate=args.rate, max_attempts=args.max_attempts,
                      progress_out=None if args.no_progress else sys.stderr)
    print(json.dumps(summary, sort_keys=True))
    return 0 if summary["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
