"""A local environment of its own: a fresh emulator and fake Kubernetes API on free ports, and
ansible-playbook runs of the `local` inventory against them. For benchmarks and the reliability
suite, which need a site nobody else touches (the pytest fixtures share one emulator).

    site = LocalSite(workdir)               # starts both; workdir holds their state and artifacts
    proc = site.run("site.yml")             # a finished run (subprocess.CompletedProcess)
    site.client("ec2").describe_vpcs()      # boto3, straight to the emulator
    site.close()
"""

import os
import subprocess
import sys
from pathlib import Path

import boto3
from botocore.config import Config

import fake_k8s_api
from emulator import launcher
from fake_k8s_api import launcher as k8s_launcher

REPO_ROOT = Path(__file__).resolve().parent.parent
ANSIBLE_PLAYBOOK = str(Path(sys.executable).with_name("ansible-playbook"))


class LocalSite:
    def __init__(self, workdir: Path, latency: float = 0) -> None:
        self.workdir = workdir
        self.emulator = launcher.start(port=launcher.free_port(), home=workdir / "emulator", latency=latency)
        self.k8s = fake_k8s_api.start(launcher.free_port(), workdir / "k8s")
        self.env = dict(os.environ, **self.emulator.env(), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
                        PLATFORM_ARTIFACTS_DIR=str(workdir / "artifacts"),
                        **{k8s_launcher.PORT_ENV: str(self.k8s.port), k8s_launcher.HOME_ENV: str(self.k8s.home)})

    def close(self) -> None:
        launcher.stop(self.emulator.home)
        fake_k8s_api.stop(self.k8s.home)

    def client(self, service: str):
        return boto3.client(service, endpoint_url=self.emulator.url, region_name=self.emulator.region,
                            aws_access_key_id="testing", aws_secret_access_key="testing",
                            verify=str(self.emulator.ca_bundle), config=Config(retries={"max_attempts": 2}))

    def command(self, playbook: str = "site.yml", *args: str) -> list[str]:
        return [ANSIBLE_PLAYBOOK, "-i", "inventories/local", playbook, *args]

    def run(self, playbook: str = "site.yml", *args: str, env: dict[str, str] | None = None,
            timeout: float = 1800) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(playbook, *args), cwd=REPO_ROOT, env=dict(self.env, **(env or {})),
                              capture_output=True, text=True, check=False, timeout=timeout)
