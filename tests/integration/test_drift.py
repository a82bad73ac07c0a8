"""playbooks/drift.yml on the foundation and data layers: a converged environment with one
hand-made drift is reported (resource, setting, declared and live value) and fails the run;
without --check --diff the drift run refuses to start."""

import json
import re

from tests.playbook import run_playbook

TAGS = "--tags=foundation,data"


def test_drift_run_refuses_to_run_without_check_and_diff(fresh_emulator, aws_env, aws_client, tmp_path):
    run = run_playbook(aws_env, "playbooks/drift.yml", TAGS, artifacts=tmp_path)

    assert run.returncode != 0
    assert "run it with --check --diff" in run.output
    assert "playbooks/drift.yml --check --diff" in run.output
    # It stopped before any AWS call: nothing was made.
    assert aws_client("kms").list_keys()["Keys"] == []
    assert "TASK [preflight" not in run.output


def test_a_changed_retention_is_reported_and_fails_the_run(fresh_emulator, aws_env, aws_client, tmp_path):
    converge = run_playbook(aws_env, "site.yml", TAGS, artifacts=tmp_path)
    assert converge.returncode == 0, converge.output[-4000:]
    group = "/rtap/local/vpc-flow-logs"
    logs = aws_client("logs")
    logs.put_retention_policy(logGroupName=group, retentionInDays=30)  # the local inventory declares 7

    drift = run_playbook(aws_env, "playbooks/drift.yml", TAGS, "--check", "--diff", artifacts=tmp_path)

    assert drift.returncode != 0, drift.output[-4000:]
    report = json.loads((tmp_path / "local" / "drift.json").read_text())
    assert report["drifted"] is True
    assert [(f["resource"], f["setting"], f["declared"], f["live"]) for f in report["findings"]] == \
        [(group, "retention_days", 7, 30)]
    assert report["findings"][0]["role"] == "network"
    assert "Drift: 1 setting(s) on /rtap/local/vpc-flow-logs" in drift.output
    assert re.search(r"^\s*/rtap/local/vpc-flow-logs +retention_days +7 +30 +network : ", drift.output, re.M)
    # The check run changed nothing (the retention is still the hand-made one).
    described = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert described["retentionInDays"] == 30
