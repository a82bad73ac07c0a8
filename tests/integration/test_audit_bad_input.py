"""Bad audit input fails in the pre-flight play, naming the variable, before the audit reads anything."""

import json

import pytest

from tests.playbook import run_playbook

CASES = {
    "unknown severity": ({"audit_fail_on": "severe"}, "audit_fail_on"),
    "SSH declared open to the internet": (
        {"audit_open_ingress": [{"group": "rtap-local-bastion", "ports": [22]}]},
        "audit_open_ingress: SSH and RDP may never be open to the internet"),
    "open ingress without a group": ({"audit_open_ingress": [{"ports": [443]}]}, "audit_open_ingress: each entry needs"),
    "SSE-S3 exception as a pattern": ({"audit_sse_s3_buckets": ["rtap-local-*"]}, "audit_sse_s3_buckets: must be exact"),
    "scope of everything": ({"audit_name_patterns": ["*"], "audit_scope_tags": {}}, "audit_name_patterns"),
}


@pytest.mark.parametrize("extra_vars, expected", CASES.values(), ids=CASES.keys())
def test_bad_audit_input_fails_before_the_audit(fresh_emulator, aws_env, tmp_path, extra_vars, expected):
    run = run_playbook(aws_env, "playbooks/audit.yml", "-e", json.dumps(extra_vars), artifacts=tmp_path)

    assert run.returncode != 0
    assert expected in run.output, run.output[-3000:]
    assert run.recap["changed"] == 0
    assert "TASK [audit : Read the live environment" not in run.output
    assert not (tmp_path / "local" / "audit.json").exists()
