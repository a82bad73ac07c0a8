"""Run ansible-playbook from the tests the way a user does, and read its recap."""

import functools
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ANSIBLE_PLAYBOOK = str(Path(sys.executable).with_name("ansible-playbook"))
RECAP = re.compile(r"^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
# A role converged again after a failure (playbooks/tasks/converge_role.yml) shows as rescued: a
# clean run against a healthy emulator must not need that.
RESCUED = re.compile(r"^localhost\s+:.*\srescued=(\d+)", re.M)


def rescued(output: str) -> int:
    """How many failures the run's recap says were rescued (0 when it shows none)."""
    return sum(int(n) for n in RESCUED.findall(output))


@dataclass
class PlaybookRun:
    returncode: int
    output: str

    @property
    def recap(self) -> dict[str, int]:
        match = RECAP.search(self.output)
        assert match, f"no play recap in output:\n{self.output[-3000:]}"
        ok, changed, unreachable, failed = (int(g) for g in match.groups())
        return {"ok": ok, "changed": changed, "unreachable": unreachable, "failed": failed}

    @property
    def changed_tasks(self) -> list[str]:
        """Names of the tasks that reported a change (for readable failures)."""
        names, task = [], None
        for line in self.output.splitlines():
            if line.startswith("TASK ["):
                task = line.split("[", 1)[1].rsplit("]", 1)[0]
            elif line.startswith("changed:") and task and task not in names:
                names.append(task)
        return names


@functools.cache
def _process_artifacts() -> str:
    """Where runs that name no artifacts folder write theirs: one folder per test process, never
    the repository's artifacts/ (parallel test workers would share and race on it)."""
    return tempfile.mkdtemp(prefix="platform-test-artifacts-")


def run_playbook(env: dict[str, str], playbook: str = "site.yml", *args: str,
                 inventory: str = "inventories/local", artifacts: Path | None = None) -> PlaybookRun:
    run_env = dict(env, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    if artifacts is not None:
        run_env["PLATFORM_ARTIFACTS_DIR"] = str(artifacts)
    else:
        run_env.setdefault("PLATFORM_ARTIFACTS_DIR", _process_artifacts())
    proc = subprocess.run(
        [ANSIBLE_PLAYBOOK, "-i", inventory, playbook, *args],
        cwd=REPO_ROOT, env=run_env, capture_output=True, text=True, timeout=900, check=False,
    )
    return PlaybookRun(proc.returncode, proc.stdout + proc.stderr)
