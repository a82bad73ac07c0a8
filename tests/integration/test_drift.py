"""playbooks/drift.yml without --check --diff refuses to start, before any AWS call. (Drift
reported, then repaired, on the whole converged site: tests/e2e/test_drift.py.)"""

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
