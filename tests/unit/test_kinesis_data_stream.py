"""Unit tests for library/kinesis_data_stream.py: the pure logic, without AWS."""

import importlib.util
from pathlib import Path

import pytest

MODULE_PATH = Path(__file__).resolve().parents[2] / "library" / "kinesis_data_stream.py"
_spec = importlib.util.spec_from_file_location("kinesis_data_stream", MODULE_PATH)
kds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kds)


def params(**overrides):
    base = dict(name="s", state="present", allow_delete=False, stream_mode=None, shard_count=None,
                retention_period_hours=None, encryption_type=None, kms_key_id=None, shard_level_metrics=None,
                tags=None, purge_tags=True, wait=True, wait_timeout=600)
    base.update(overrides)
    return base


def summary(**overrides):
    base = {
        "StreamName": "s", "StreamARN": "arn:aws:kinesis:eu-west-1:123456789012:stream/s", "StreamStatus": "ACTIVE",
        "StreamModeDetails": {"StreamMode": "PROVISIONED"}, "RetentionPeriodHours": 24,
        "EnhancedMonitoring": [{"ShardLevelMetrics": []}], "EncryptionType": "NONE", "OpenShardCount": 1,
    }
    base.update(overrides)
    return base


def shard(shard_id, closed=False):
    numbers = {"StartingSequenceNumber": "1"}
    if closed:
        numbers["EndingSequenceNumber"] = "9"
    return {"ShardId": shard_id, "SequenceNumberRange": numbers}


LIVE = kds.live_settings(summary(), 1, {"Layer": "ingestion"})


def test_open_shards_have_no_ending_sequence_number():
    assert kds.count_open_shards([shard("0", closed=True), shard("1"), shard("2")]) == 2


def test_live_settings():
    live = kds.live_settings(
        summary(EncryptionType="KMS", KeyId="alias/data", RetentionPeriodHours=168,
                StreamModeDetails={"StreamMode": "ON_DEMAND"},
                EnhancedMonitoring=[{"ShardLevelMetrics": ["OutgoingBytes", "IncomingBytes"]}]), 4, {"a": "b"})
    assert live == {"stream_mode": "on_demand", "shard_count": 4, "retention_period_hours": 168,
                    "encryption_type": "KMS", "kms_key_id": "alias/data",
                    "shard_level_metrics": ["IncomingBytes", "OutgoingBytes"], "tags": {"a": "b"}}


def test_all_metrics_expand():
    assert kds.expand_metrics(["ALL"]) == sorted(kds.ALL_METRICS)
    assert kds.expand_metrics(["IncomingBytes", "IncomingBytes"]) == ["IncomingBytes"]
    assert kds.expand_metrics(None) is None


def test_unset_options_keep_the_live_values():
    wanted = kds.desired_settings(params(), LIVE)
    assert kds.plan_changes(LIVE, wanted) == {}


def test_each_change_reports_before_and_after():
    wanted = kds.desired_settings(
        params(shard_count=4, retention_period_hours=168, encryption_type="KMS", kms_key_id="alias/data",
               shard_level_metrics=["IncomingBytes"], tags={"Layer": "ingestion", "Team": "x"}), LIVE)
    assert kds.plan_changes(LIVE, wanted) == {
        "shard_count": {"before": 1, "after": 4},
        "retention_period_hours": {"before": 24, "after": 168},
        "encryption_type": {"before": "NONE", "after": "KMS"},
        "kms_key_id": {"before": None, "after": "alias/data"},
        "shard_level_metrics": {"before": [], "after": ["IncomingBytes"]},
        "tags": {"before": {"Layer": "ingestion"}, "after": {"Layer": "ingestion", "Team": "x"}},
    }


def test_same_key_spelled_differently_is_not_a_change():
    live = dict(LIVE, encryption_type="KMS", kms_key_id="arn:aws:kms:eu-west-1:123456789012:key/1234")
    wanted = kds.desired_settings(params(encryption_type="KMS", kms_key_id="alias/data"), live,
                                  same_key=lambda a, b: {a, b} <= {"alias/data", live["kms_key_id"]})
    assert kds.plan_changes(live, wanted) == {}
    other = kds.desired_settings(params(encryption_type="KMS", kms_key_id="alias/other"), live,
                                 same_key=lambda a, b: a == b)
    assert kds.plan_changes(live, other)["kms_key_id"] == {"before": live["kms_key_id"], "after": "alias/other"}


def test_on_demand_ignores_the_shard_count():
    live = dict(LIVE, stream_mode="on_demand", shard_count=4)
    wanted = kds.desired_settings(params(stream_mode="on_demand", shard_count=2), live)
    assert kds.plan_changes(live, wanted) == {}


def test_switching_modes():
    to_on_demand = kds.desired_settings(params(stream_mode="on_demand"), LIVE)
    assert kds.plan_changes(LIVE, to_on_demand) == {"stream_mode": {"before": "provisioned", "after": "on_demand"}}
    live = dict(LIVE, stream_mode="on_demand", shard_count=4)
    to_provisioned = kds.desired_settings(params(stream_mode="provisioned", shard_count=2), live)
    assert kds.plan_changes(live, to_provisioned) == {
        "stream_mode": {"before": "on_demand", "after": "provisioned"}, "shard_count": {"before": 4, "after": 2}}


def test_new_stream_defaults():
    wanted = kds.desired_settings(params(shard_count=2), None)
    assert wanted == {"stream_mode": "provisioned", "shard_count": 2, "retention_period_hours": 24,
                      "encryption_type": "NONE", "kms_key_id": None, "shard_level_metrics": [], "tags": {}}
    assert set(kds.plan_changes(None, wanted)) == set(kds.SETTINGS) - {"kms_key_id"}  # None -> None
    on_demand = kds.desired_settings(params(stream_mode="on_demand", shard_count=2), None)
    assert on_demand["shard_count"] is None and "shard_count" not in kds.plan_changes(None, on_demand)


def test_purge_tags_false_keeps_other_tags():
    wanted = kds.desired_settings(params(tags={"Team": "x"}, purge_tags=False), LIVE)
    assert wanted["tags"] == {"Layer": "ingestion", "Team": "x"}


@pytest.mark.parametrize("current, target, steps", [(1, 4, [2, 4]), (1, 3, [2, 3]), (8, 3, [4, 3]), (4, 4, [])])
def test_reshard_steps(current, target, steps):
    assert kds.plan_reshard_steps(current, target) == steps


def test_format_stream():
    formatted = kds.format_stream(summary(), LIVE)
    assert formatted["stream_arn"].endswith(":stream/s") and formatted["open_shard_count"] == 1
    assert kds.format_stream(None, None) == {}


def test_diff_view_leaves_out_the_shard_count_of_on_demand_streams():
    assert "shard_count" not in kds.diff_view(dict(LIVE, stream_mode="on_demand", shard_count=4))
    assert kds.diff_view(LIVE)["shard_count"] == 1
    assert kds.diff_view(None) == {}
