"""The kinesis role on the emulator: create, reshard 1 -> 4 (via 2) when the throughput grows,
on-demand mode, idempotence, check mode, deletion; and the producer writing to the resharded stream.

Asserts on the emulator's state with boto3, never on the module's word.
"""

import importlib.util
import json
import os
import subprocess
import sys
from collections import defaultdict

import pytest

from emulator import launcher
from tests.playbook import REPO_ROOT, run_playbook

PREFIX = "rtap-local"
CLICKSTREAM = f"{PREFIX}-clickstream"
AUDIT = f"{PREFIX}-audit"
PLAYBOOK = "tests/integration/playbooks/kinesis.yml"


def streams(ingest_mb_per_s):
    return {"kinesis_streams": [
        {"name": "clickstream", "mode": "provisioned", "ingest_mb_per_s": ingest_mb_per_s, "records_per_s": 500,
         "consumers": 1, "retention_hours": 24, "shard_level_metrics": ["IncomingBytes"], "encryption_key": "data"},
        {"name": "audit", "mode": "on_demand", "retention_hours": 48, "encryption_key": "data"},
    ]}


def flat(output):
    """The output with YAML line wrapping undone."""
    return " ".join(output.split())


def open_shards(kinesis, name):
    shards = kinesis.list_shards(StreamName=name)["Shards"]
    return [s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]


def snapshot(kinesis):
    state = {}
    for name in (CLICKSTREAM, AUDIT):
        summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        state[name] = {
            "open_shards": len(open_shards(kinesis, name)),
            "mode": summary["StreamModeDetails"]["StreamMode"],
            "retention": summary["RetentionPeriodHours"],
            "encryption": (summary["EncryptionType"], summary.get("KeyId")),
            "status": summary["StreamStatus"],
        }
    return state


@pytest.fixture(scope="module")
def runs(emulator, aws_client, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)
    kms = aws_client("kms")
    key_id = kms.create_key(Description="data")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=f"alias/{PREFIX}-data", TargetKeyId=key_id)
    env = dict(os.environ, **emulator.env())
    artifacts = tmp_path_factory.mktemp("artifacts")
    kinesis = aws_client("kinesis")
    results, states = {}, {}
    # --check on an empty environment predicts the streams and creates none.
    results["predict"] = run_playbook(env, PLAYBOOK, "-e", json.dumps(streams(0.5)), "--check", "--diff",
                                      artifacts=artifacts)
    assert results["predict"].returncode == 0, results["predict"].output[-4000:]
    states["predict"] = kinesis.list_streams()["StreamNames"]
    # 0.5 MB/s -> 1 shard; 3 MB/s with 25 % headroom -> ceil(3.75) = 4 shards.
    for label, extra, args in (("first", streams(0.5), ()), ("bigger", streams(3), ()),
                               ("again", streams(3), ()), ("check", streams(3), ("--check", "--diff"))):
        results[label] = run_playbook(env, PLAYBOOK, "-e", json.dumps(extra), *args, artifacts=artifacts)
        assert results[label].returncode == 0, results[label].output[-4000:]
        states[label] = snapshot(kinesis)
    return results, states


def test_check_on_an_empty_environment_predicts_and_creates_nothing(runs):
    results, states = runs
    assert "kinesis : Create or update the streams" in results["predict"].changed_tasks
    assert '"shard_count": {"before": null, "after": 1}' in flat(results["predict"].output)
    assert states["predict"] == []


def test_first_run_creates_the_streams(runs):
    results, states = runs
    assert results["first"].recap["changed"] > 0
    assert states["first"][CLICKSTREAM] == {"open_shards": 1, "mode": "PROVISIONED", "retention": 24,
                                            "encryption": ("KMS", f"alias/{PREFIX}-data"), "status": "ACTIVE"}


def test_on_demand_mode_is_applied(runs):
    _, states = runs
    audit = states["first"][AUDIT]
    assert audit["mode"] == "ON_DEMAND" and audit["retention"] == 48 and audit["status"] == "ACTIVE", audit
    assert audit["encryption"] == ("KMS", f"alias/{PREFIX}-data")


def test_more_throughput_reshards_1_to_4_via_2(runs):
    results, states = runs
    assert results["bigger"].recap["changed"] == 1, results["bigger"].changed_tasks
    assert states["bigger"][CLICKSTREAM]["open_shards"] == 4
    assert states["bigger"][AUDIT] == states["first"][AUDIT], "the on-demand stream is left alone"
    # The run reports exactly what changed, and the steps UpdateShardCount went through.
    assert '"shard_count": {"before": 1, "after": 4}' in flat(results["bigger"].output)
    assert "via 2 -> 4 shards" in flat(results["bigger"].output)


def test_third_run_and_check_run_change_nothing(runs):
    results, states = runs
    assert results["again"].recap["changed"] == 0, results["again"].changed_tasks
    assert results["check"].recap["changed"] == 0, results["check"].changed_tasks
    assert states["again"] == states["bigger"] == states["check"]


def test_producer_writes_every_record_in_order_per_key_to_the_open_shards(runs, aws_client):
    spec = importlib.util.spec_from_file_location("producer", REPO_ROOT / "tools" / "producer.py")
    producer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(producer)
    kinesis = aws_client("kinesis")
    events = producer.make_events(400, malformed_ratio=0.05, seed=21, users=25)
    summary = producer.produce(kinesis, CLICKSTREAM, events, rate=2000, progress_out=None)
    assert summary["sent"] == 400 and summary["failed"] == 0, summary
    assert summary["malformed"] == sum(1 for e in events if e["malformed"]) > 0

    # Read every shard back; the new records are in the 4 open shards only.
    read = defaultdict(list)
    shards_of_key = defaultdict(set)
    for shard in kinesis.list_shards(StreamName=CLICKSTREAM)["Shards"]:
        iterator = kinesis.get_shard_iterator(StreamName=CLICKSTREAM, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = kinesis.get_records(ShardIterator=iterator, Limit=10000)["Records"]
        if records:
            assert "EndingSequenceNumber" not in shard["SequenceNumberRange"], shard
        for record in records:
            read[record["PartitionKey"]].append(record["Data"])
            shards_of_key[record["PartitionKey"]].add(shard["ShardId"])
    sent = defaultdict(list)
    for event in events:
        sent[event["partition_key"]].append(event["data"])
    assert read == sent, "every record once, in the order produced, per partition key"
    assert all(len(ids) == 1 for ids in shards_of_key.values())


def test_producer_command_line(runs, aws_env):
    proc = subprocess.run(
        [sys.executable, "tools/producer.py", "--stream", AUDIT, "--events", "50", "--rate", "500",
         "--malformed-ratio", "0.2", "--seed", "3"],
        cwd=REPO_ROOT, env=aws_env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["sent"] == 50 and summary["failed"] == 0 and summary["retried"] == 0 and summary["malformed"] > 0
    assert "50/50" in proc.stderr


def test_absent_deletes_the_streams_only_when_allowed(runs, emulator, aws_client, tmp_path):
    env = dict(os.environ, **emulator.env())
    refused = run_playbook(env, PLAYBOOK, "-e", json.dumps(dict(streams(3), kinesis_state="absent")), artifacts=tmp_path)
    assert refused.returncode != 0 and "kinesis_allow_delete" in refused.output
    assert len(aws_client("kinesis").list_streams()["StreamNames"]) == 2

    deleted = run_playbook(env, PLAYBOOK, "-e", json.dumps(dict(streams(3), kinesis_state="absent",
                                                                kinesis_allow_delete=True)), artifacts=tmp_path)
    assert deleted.returncode == 0, deleted.output[-3000:]
    assert aws_client("kinesis").list_streams()["StreamNames"] == []
    assert aws_client("cloudwatch").describe_alarms(AlarmNamePrefix=PREFIX)["MetricAlarms"] == []
