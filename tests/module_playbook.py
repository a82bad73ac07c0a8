"""Run one custom module's test playbook (tests/integration/playbooks/<module>.yml) with options
from a vars file, the way the module tests do: every option is an extra var, the playbook saves
the module's result to `result_file`, and aws_call_recorder logs each AWS call the run makes
("<service> <Operation>"), so a test can count them exactly."""

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RECORDER = REPO / "tests" / "integration" / "aws_call_recorder"  # sitecustomize.py: logs every AWS call
READ_ONLY = ("Get", "List", "Describe")


@dataclass
class ModuleRun:
    returncode: int
    output: str
    result: dict | None   # the module's result, as the playbook saved it (None if it failed)
    calls: list[str]      # "<service> <Operation>" of every AWS call, in order

    @property
    def mutating(self) -> list[str]:
        return [call for call in self.calls if not call.split(" ", 1)[1].startswith(READ_ONLY)]


def run_module_playbook(env: dict, playbook: Path, options: dict, workdir: Path, check: bool = False) -> ModuleRun:
    """Run the playbook once, with --diff (and --check); each run gets its own files in workdir."""
    workdir.mkdir(parents=True, exist_ok=True)
    number = len(list(workdir.glob("vars-*.json"))) + 1
    result_file, vars_file = workdir / f"result-{number}.json", workdir / f"vars-{number}.json"
    calls_file, inventory = workdir / f"calls-{number}.log", workdir / "inventory.ini"
    inventory.write_text("localhost ansible_connection=local\n")
    vars_file.write_text(json.dumps(dict(options, result_file=str(result_file))))
    command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory), str(playbook),
               "-e", f"@{vars_file}", "--diff", *(["--check"] if check else [])]
    run_env = dict(env, ANSIBLE_LIBRARY=str(REPO / "library"), ANSIBLE_NOCOLOR="1",
                   PYTHONPATH=str(RECORDER), PLATFORM_TEST_AWS_CALL_LOG=str(calls_file))
    proc = subprocess.run(command, cwd=REPO, env=run_env, capture_output=True, text=True, timeout=300, check=False)
    calls = [call for call in (calls_file.read_text().split("\n") if calls_file.exists() else []) if call]
    result = json.loads(result_file.read_text()) if proc.returncode == 0 and result_file.exists() else None
    return ModuleRun(proc.returncode, proc.stdout + proc.stderr, result, calls)
