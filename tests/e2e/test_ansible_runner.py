"""site.yml through ansible-runner, as AWX / Automation Platform runs a job template: the
shared site's first converge (converged_site.first) ran in a private data directory with the
project's files in project/, the local inventory in inventory/ and the emulator's endpoint and
credentials in env/envvars (tests/runner.py)."""

import pytest


@pytest.fixture(scope="module")
def runner_run(converged_site):
    return converged_site.first


def test_the_runner_converge_succeeds(runner_run):
    assert runner_run.status == "successful", runner_run.output[-4000:]
    assert runner_run.returncode == 0
    assert runner_run.recap["failed"] == 0 and runner_run.recap["unreachable"] == 0
    assert runner_run.recap["changed"] > 0  # a fresh emulator: the converge made the platform


def test_the_job_events_report_no_failed_task(runner_run):
    events = runner_run.events
    failed = [(e["event_data"].get("task"), e["event_data"].get("res", {}).get("msg"))
              for e in events if e["event"] in ("runner_on_failed", "runner_on_unreachable")
              and not e["event_data"].get("ignore_errors")]
    assert not failed
    # The job ran every layer: the stats event closes a run whose tasks reached the outputs play.
    stats = [e for e in events if e["event"] == "playbook_on_stats"]
    assert len(stats) == 1 and not stats[0]["event_data"]["failures"] and not stats[0]["event_data"]["dark"]
    plays = {e["event_data"]["play"] for e in events if e["event"] == "playbook_on_play_start"}
    assert {"Pre-flight checks", "Environment outputs"} <= plays
    assert any(e["event"] == "runner_on_ok" and e["event_data"].get("res", {}).get("changed") is True for e in events)


def test_the_runner_artifacts_exist(runner_run):
    artifacts = runner_run.artifact_dir
    assert (artifacts / "stdout").read_text() == runner_run.output
    assert "PLAY RECAP" in runner_run.output
    assert (artifacts / "rc").read_text().strip() == "0"
    assert (artifacts / "status").read_text().strip() == "successful"
    assert len(list((artifacts / "job_events").glob("*.json"))) == len(runner_run.events) > 0
    # The private data dir is the one AWX prepares: project checkout, inventory, env files.
    private_data_dir = artifacts.parent.parent
    assert (private_data_dir / "project" / "site.yml").is_file()
    assert (private_data_dir / "inventory" / "hosts.yml").is_file()
    assert "AWS_ENDPOINT_URL" in (private_data_dir / "env" / "envvars").read_text()
    assert not (private_data_dir / "project" / ".venv").exists()
