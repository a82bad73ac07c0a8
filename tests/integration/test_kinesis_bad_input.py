"""Bad Kinesis input fails in the pre-flight play, naming the variable, before any change."""

import json

import pytest

from tests.playbook import run_playbook

STREAM = {"name": "clickstream", "mode": "provisioned", "ingest_mb_per_s": 0.5, "records_per_s": 500, "consumers": 2,
          "retention_hours": 24, "shard_level_metrics": [], "encryption_key": "data"}


def streams(**change):
    return {"kinesis_streams": [dict(STREAM, **change)]}


CASES = {
    "negative ingest": (streams(ingest_mb_per_s=-1),
                        "kinesis_streams[clickstream].ingest_mb_per_s: must be a number >= 0, got -1"),
    "zero consumers": (streams(consumers=0), "kinesis_streams[clickstream].consumers: must be a whole number >= 1, got 0"),
    "retention over 365 days": (streams(retention_hours=9000),
                                "kinesis_streams[clickstream].retention_hours: AWS accepts 24 to 8760 hours, got 9000"),
    "unknown mode": (streams(mode="serverless"),
                     "value of mode must be one of: provisioned, on_demand, got: serverless found in kinesis_streams"),
    "delete without confirmation": ({"kinesis_state": "absent"}, "kinesis_allow_delete: deleting the streams"),
}


@pytest.mark.parametrize("extra_vars, expected", CASES.values(), ids=CASES.keys())
def test_bad_kinesis_input_fails_before_any_change(fresh_emulator, aws_env, aws_client, tmp_path, extra_vars, expected):
    run = run_playbook(aws_env, "playbooks/ingestion.yml", "-e", json.dumps(extra_vars), artifacts=tmp_path)

    assert run.returncode != 0
    assert expected in run.output, run.output[-3000:]
    assert run.recap["changed"] == 0
    assert aws_client("kinesis").list_streams()["StreamNames"] == []
    assert aws_client("kms").list_keys()["Keys"] == []
