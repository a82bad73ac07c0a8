"""Shared pytest fixtures: a local AWS emulator (moto over HTTPS) and clients for it.

- emulator:        session-scoped, started on a free port in a temporary home, stopped at the end.
- fake_k8s / site_env: the fake Kubernetes API the local inventory's cluster API points at, and
                   aws_env plus its port and home (for runs of the whole site.yml).
- fresh_emulator:  the same emulator with all AWS state wiped before the test.
- aws_env:         os.environ plus emulator.env(), for subprocesses such as ansible-playbook.
- boto3_session:   a boto3 session with the emulator's test credentials and region.
- aws_client:      aws_client("ec2") returns a client for the emulator, verifying its certificate.
"""

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from emulator import launcher  # noqa: E402


class _ProjectModuleUtils:
    """Finds ansible.module_utils.<name> in the project's module_utils/, as
    ansible.cfg's module_utils setting does when a module runs, so unit tests can
    import the custom modules in library/."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        import importlib.util

        prefix = "ansible.module_utils."
        if not fullname.startswith(prefix):
            return None
        candidate = REPO_ROOT / "module_utils" / f"{fullname[len(prefix):]}.py"
        return importlib.util.spec_from_file_location(fullname, candidate) if candidate.is_file() else None


sys.meta_path.append(_ProjectModuleUtils)
from emulator.launcher import Emulator  # noqa: E402


@pytest.fixture(scope="session", name="emulator")
def emulator_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    home = tmp_path_factory.mktemp("emulator")
    running = launcher.start(port=launcher.free_port(), home=home, latency=0)  # never a developer's latency
    try:
        yield running
    finally:
        launcher.stop(home)


@pytest.fixture
def fresh_emulator(emulator: Emulator) -> Emulator:
    launcher.reset(emulator.url, emulator.ca_bundle)
    return emulator


@pytest.fixture
def aws_env(emulator: Emulator) -> dict[str, str]:
    env = dict(os.environ)
    env.update(emulator.env())
    return env


@pytest.fixture(scope="session")
def fake_k8s(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The local environment's Kubernetes API (fake_k8s_api), for runs of the whole site.yml."""
    import fake_k8s_api  # pylint: disable=import-outside-toplevel

    home = tmp_path_factory.mktemp("fake-k8s-api")
    api = fake_k8s_api.start(launcher.free_port(), home)
    try:
        yield api
    finally:
        fake_k8s_api.stop(home)


@pytest.fixture(scope="session")
def site_env(emulator: Emulator, fake_k8s: Any) -> dict[str, str]:
    """What aws_env holds, plus where the local inventory finds its Kubernetes API."""
    from fake_k8s_api import launcher as k8s_launcher  # pylint: disable=import-outside-toplevel

    return dict(os.environ, **emulator.env(),
                **{k8s_launcher.PORT_ENV: str(fake_k8s.port), k8s_launcher.HOME_ENV: str(fake_k8s.home)})


@pytest.fixture(scope="session")
def boto3_session(emulator: Emulator) -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name=emulator.region,
    )


@pytest.fixture(scope="session")
def aws_client(emulator: Emulator, boto3_session: boto3.Session) -> Callable[..., Any]:
    def make_client(service: str, **kwargs: Any) -> Any:
        kwargs.setdefault("endpoint_url", emulator.url)
        kwargs.setdefault("verify", str(emulator.ca_bundle))
        return boto3_session.client(service, **kwargs)

    return make_client


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist (./platform test), each test file runs on one process, except tests/e2e,
    which runs on one process as a whole: its files share one converged site (tests/e2e/conftest.py)."""
    from xdist.scheduler import LoadFileScheduling  # pylint: disable=import-outside-toplevel

    class PlatformScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "tests/e2e" if nodeid.startswith("tests/e2e/") else super()._split_scope(nodeid)

    return PlatformScheduling(config, log)
