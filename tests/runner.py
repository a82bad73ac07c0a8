"""Run a playbook through ansible-runner the way AWX / Automation Platform runs a job template.

AWX prepares a private data directory and hands it to ansible-runner:

    project/          the project's checkout (here: a copy of the files git would commit)
    inventory/        the job's inventory (here: the environment's folder under inventories/)
    env/envvars       the credentials' environment (here: the emulator's endpoint and test keys)
    env/extravars     the job template's extra variables
    artifacts/<id>/   what runner writes back: stdout, job_events/, rc, status

run_with_ansible_runner returns a PlaybookRun (returncode, output, recap) plus runner's status,
its job events and the artifacts folder.
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import ansible_runner
import yaml

from tests.playbook import REPO_ROOT, PlaybookRun

VENV_BIN = str(Path(sys.executable).parent)


@dataclass
class RunnerRun(PlaybookRun):
    status: str            # runner's status: successful, failed, timeout, canceled
    artifact_dir: Path     # private_data_dir/artifacts/<ident>

    @property
    def events(self) -> list[dict]:
        """The job events runner wrote (artifacts/<ident>/job_events/*.json), in order."""
        files = sorted((self.artifact_dir / "job_events").glob("*.json"),
                       key=lambda path: int(path.name.split("-", 1)[0]))
        return [json.loads(path.read_text()) for path in files]


def project_files() -> list[str]:
    """What a checkout of the project holds: tracked files plus new files not ignored (work not
    yet committed), never .venv, artifacts or other ignored state."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    return [name for name in listing.split("\0") if name and os.path.lexists(REPO_ROOT / name)]


def prepare_private_data_dir(private_data_dir: Path, envvars: dict[str, str], extravars: dict,
                             inventory: str) -> None:
    project = private_data_dir / "project"
    for name in project_files():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        if (REPO_ROOT / name).is_symlink():  # e.g. playbooks/group_vars -> ../group_vars
            (project / name).symlink_to(os.readlink(REPO_ROOT / name))
        else:
            shutil.copy2(REPO_ROOT / name, project / name)
    shutil.copytree(project / inventory, private_data_dir / "inventory")
    (private_data_dir / "env").mkdir()
    (private_data_dir / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    (private_data_dir / "env" / "extravars").write_text(yaml.safe_dump(extravars))


def run_with_ansible_runner(env: dict[str, str], playbook: str, private_data_dir: Path, artifacts: Path,
                            *args: str, extravars: dict | None = None, inventory: str = "inventories/local",
                            ident: str = "converge") -> RunnerRun:
    """Run `playbook` of the project in a fresh private data dir; `env` holds what run_playbook
    would run with (the credentials and endpoints go to env/envvars), `artifacts` is the
    platform's PLATFORM_ARTIFACTS_DIR, `args` more ansible-playbook arguments (--tags ...)."""
    envvars = {name: value for name, value in env.items() if os.environ.get(name) != value}
    envvars.update(PLATFORM_ARTIFACTS_DIR=str(artifacts), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
                   # runner starts ansible-playbook from PATH: the venv's, as in an execution environment
                   PATH=os.pathsep.join([VENV_BIN, env.get("PATH", os.defpath)]))
    prepare_private_data_dir(private_data_dir, envvars, extravars or {}, inventory)
    result = ansible_runner.run(private_data_dir=str(private_data_dir), playbook=playbook, ident=ident,
                                cmdline=shlex.join(args) or None, quiet=True, timeout=1800)
    output = result.stdout.read() if result.stdout else ""
    return RunnerRun(result.rc, output, result.status, Path(result.config.artifact_dir))
