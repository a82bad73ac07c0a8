"""Unit tests for tools/producer.py: events, batching, retries of failed records, order per key, rate limit."""

import importlib.util
import io
import json
import random
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

PRODUCER_PATH = Path(__file__).resolve().parents[2] / "tools" / "producer.py"
_spec = importlib.util.spec_from_file_location("producer", PRODUCER_PATH)
producer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(producer)

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class FakeKinesis:
    """Records PutRecords calls; fails the records `fail(record, attempt)` says, like AWS does (per record)."""

    def __init__(self, fail=None, call_errors=()):
        self.fail = fail or (lambda record, attempt: False)
        self.call_errors = list(call_errors)
        self.calls = []
        self.written = []  # (partition key, data) in the order accepted
        self.attempts = defaultdict(int)
        self.sequence = 0

    def put_records(self, Records, StreamName=None, StreamARN=None):
        self.calls.append(Records)
        if self.call_errors:
            code = self.call_errors.pop(0)
            raise ClientError({"Error": {"Code": code, "Message": code}}, "PutRecords")
        results = []
        for record in Records:
            self.attempts[record["Data"]] += 1
            if self.fail(record, self.attempts[record["Data"]]):
                results.append({"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "slow down"})
            else:
                self.sequence += 1
                self.written.append((record["PartitionKey"], record["Data"]))
                results.append({"ShardId": "shardId-000000000000", "SequenceNumber": str(self.sequence)})
        failed = sum(1 for r in results if "ErrorCode" in r)
        return {"FailedRecordCount": failed, "Records": results}


def run(client, events, **kwargs):
    fake = FakeClock()
    kwargs.setdefault("rng", random.Random(1))
    summary = producer.produce(client, "stream", events, sleep=fake.sleep, clock=fake.clock, **kwargs)
    return summary, fake


def by_key(pairs):
    keys = defaultdict(list)
    for key, data in pairs:
        keys[key].append(data)
    return keys


# --- events -------------------------------------------------------------------


def test_events_have_the_clickstream_fields_and_user_partition_key():
    events = producer.make_events(50, seed=3, start=START)
    assert len(events) == 50
    for record in events:
        event = json.loads(record["data"])
        assert set(event) == {"event_id", "user_id", "session_id", "type", "url", "ts"}
        assert record["partition_key"] == event["user_id"] and record["malformed"] is None
        assert event["type"] in ("page_view", "click")
        assert datetime.fromisoformat(event["ts"].replace("Z", "+00:00")) > START
        assert event["url"].startswith("https://")
    assert len({json.loads(r["data"])["event_id"] for r in events}) == 50


def test_same_seed_same_events():
    assert producer.make_events(30, 0.3, seed=9, start=START) == producer.make_events(30, 0.3, seed=9, start=START)
    assert producer.make_events(30, 0.3, seed=9, start=START) != producer.make_events(30, 0.3, seed=10, start=START)


def test_malformed_records_are_bad_in_their_own_way():
    events = producer.make_events(400, malformed_ratio=0.5, seed=5, start=START)
    kinds = defaultdict(list)
    for record in events:
        kinds[record["malformed"]].append(record)
    assert set(kinds) == {None, "bad_json", "schema", "oversize"}
    assert 150 < len(events) - len(kinds[None]) < 250
    for record in kinds["bad_json"]:
        with pytest.raises(json.JSONDecodeError):
            json.loads(record["data"])
    for record in kinds["schema"]:
        event = json.loads(record["data"])
        assert "user_id" not in event or not isinstance(event["type"], str) or event["type"] == "Page View!"
    for record in kinds["oversize"]:
        assert 262_144 < len(record["data"]) < 1024 * 1024
        assert json.loads(record["data"])["user_id"] == record["partition_key"]


@pytest.mark.parametrize("n, ratio", [(-1, 0), (1, 1.5), (1, -0.1)])
def test_make_events_rejects_bad_arguments(n, ratio):
    with pytest.raises(ValueError):
        producer.make_events(n, ratio)


# --- batching -----------------------------------------------------------------


def test_batches_hold_at_most_500_records_and_one_per_key():
    events = producer.make_events(1300, seed=1, start=START, users=2000)
    client = FakeKinesis()
    summary, _ = run(client, events)
    assert summary["sent"] == 1300 and summary["failed"] == 0 and summary["retried"] == 0
    assert max(len(call) for call in client.calls) == 500
    for call in client.calls:
        keys = [r["PartitionKey"] for r in call]
        assert len(keys) == len(set(keys))


def test_batches_stay_under_5_mib():
    events = producer.make_events(60, malformed_ratio=1.0, seed=2, start=START, users=60)
    events = [e for e in events if e["malformed"] == "oversize"] * 1
    assert len(events) >= 18
    client = FakeKinesis()
    summary, _ = run(client, events)
    assert summary["sent"] == len(events)
    for call in client.calls:
        assert sum(len(r["Data"]) + len(r["PartitionKey"]) for r in call) <= 5 * 1024 * 1024
    assert len(client.calls) > 1


# --- retries and order ----------------------------------------------------------


def test_only_failed_records_are_retried_and_order_per_key_is_kept():
    events = producer.make_events(2000, seed=4, start=START, users=40)
    flaky = random.Random(7)
    # About 30 % of first attempts fail, 10 % of second ones; later attempts succeed.
    client = FakeKinesis(fail=lambda record, attempt: attempt < 3 and flaky.random() < (0.3 if attempt == 1 else 0.1))
    summary, clock = run(client, events)

    assert summary["sent"] == 2000 and summary["failed"] == 0
    assert summary["retried"] > 400
    # Every record was written exactly once (only failed records were sent again) ...
    assert sorted(data for _, data in client.written) == sorted(e["data"] for e in events)
    # ... and each user's records were written in the order they were produced.
    assert by_key(client.written) == by_key((e["partition_key"], e["data"]) for e in events)
    # Backoff after rounds with failures.
    assert clock.slept and max(clock.slept) <= 5.0


def test_a_failed_record_holds_back_the_later_records_of_its_key():
    events = [{"partition_key": "u1", "data": f"u1-{i}".encode(), "malformed": None} for i in range(3)]
    events += [{"partition_key": "u2", "data": b"u2-0", "malformed": None}]
    # u1-0 fails twice.
    client = FakeKinesis(fail=lambda record, attempt: record["Data"] == b"u1-0" and attempt <= 2)
    summary, _ = run(client, events)
    assert [data for key, data in client.written if key == "u1"] == [b"u1-0", b"u1-1", b"u1-2"]
    assert summary == dict(summary, sent=4, failed=0, retried=2)
    # The first three calls held only u1-0 (plus u2-0 in the first): u1-1 waited.
    assert [r["Data"] for r in client.calls[1]] == [b"u1-0"]


def test_a_record_that_keeps_failing_is_given_up_after_max_attempts():
    events = producer.make_events(20, seed=6, start=START, users=5)
    doomed = events[3]["data"]
    client = FakeKinesis(fail=lambda record, attempt: record["Data"] == doomed)
    summary, _ = run(client, events, max_attempts=4)
    assert summary["failed"] == 1 and summary["sent"] == 19 and client.attempts[doomed] == 4
    assert summary["errors"] == {"ProvisionedThroughputExceededException": 4}


def test_throttled_calls_are_retried_whole():
    events = [{"partition_key": f"u{i}", "data": f"e{i}".encode(), "malformed": None} for i in range(10)]
    client = FakeKinesis(call_errors=["ProvisionedThroughputExceededException", "ThrottlingException"])
    summary, _ = run(client, events)
    assert summary["sent"] == 10 and summary["retried"] == 20 and len(client.calls) == 3


def test_other_call_errors_stop_the_producer():
    client = FakeKinesis(call_errors=["ResourceNotFoundException"])
    with pytest.raises(ClientError):
        run(client, producer.make_events(3, seed=1, start=START))


# --- rate limit and progress ------------------------------------------------------


def test_rate_limit_spreads_the_records_over_time():
    events = producer.make_events(1000, seed=2, start=START, users=1000)
    client = FakeKinesis()
    summary, clock = run(client, events, rate=100)
    assert summary["sent"] == 1000
    # 100 records/s with a one-second bucket: about 9 s for 1000 records, batches of <= 100.
    assert 8.5 <= clock.now <= 10.5
    assert max(len(call) for call in client.calls) <= 100


def test_progress_bar_goes_to_the_given_stream():
    out = io.StringIO()
    run(FakeKinesis(), producer.make_events(5, seed=1, start=START), progress_out=out)
    assert "5/5" in out.getvalue() and out.getvalue().endswith("\n") and "[" in out.getvalue()


def test_command_line_arguments():
    args = producer.parse_args(["--stream", "s", "--events", "10", "--rate", "5", "--malformed-ratio", "0.1", "--seed", "3"])
    assert (args.stream, args.events, args.rate, args.malformed_ratio, args.seed) == ("s", 10, 5.0, 0.1, 3)
    with pytest.raises(SystemExit):
        producer.parse_args(["--stream", "s", "--malformed-ratio", "2"])
