"""The end-to-end tests share one environment: site.yml converges `local` once on a fresh
emulator (converged_site) through ansible-runner, as AWX / Automation Platform runs a job
template (tests/runner.py), then once more with ansible-playbook; every e2e file works on
that site, and the tests marked `destroys_site` (the teardown) run last. tests/conftest.py
keeps all of tests/e2e on one test process, so the converge happens once per test run.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from emulator import launcher
from tests.playbook import PlaybookRun, rescued, run_playbook
from tests.runner import RunnerRun, run_with_ansible_runner


@dataclass
class ConvergedSite:
    env: dict[str, str]          # the environment ansible-playbook runs with (emulator, fake Kubernetes API)
    artifacts: Path              # PLATFORM_ARTIFACTS_DIR of every run on this site
    first: RunnerRun             # the converge of a fresh emulator, through ansible-runner
    second: PlaybookRun          # the same site.yml again

    @property
    def outputs(self) -> dict:
        return json.loads((self.artifacts / "local" / "outputs.json").read_text())

    def run(self, playbook: str, *args: str) -> PlaybookRun:
        """Another playbook run on this site, with the same environment and artifacts folder."""
        return run_playbook(self.env, playbook, *args, artifacts=self.artifacts)


@pytest.fixture(scope="session")
def converged_site(emulator, site_env, tmp_path_factory) -> ConvergedSite:
    launcher.reset(emulator.url, emulator.ca_bundle)
    artifacts = tmp_path_factory.mktemp("site-artifacts")
    first = run_with_ansible_runner(site_env, "site.yml", tmp_path_factory.mktemp("runner"), artifacts)
    assert first.status == "successful" and first.returncode == 0, first.output[-4000:]
    assert rescued(first.output) == 0, "a role needed a second pass on a clean run: " + first.output[-4000:]
    second = run_playbook(site_env, "site.yml", artifacts=artifacts)
    assert rescued(second.output) == 0, second.output[-4000:]
    return ConvergedSite(site_env, artifacts, first, second)


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.get_closest_marker("destroys_site") is not None)
