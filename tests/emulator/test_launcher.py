"""The emulator launcher: CLI lifecycle, state files, HTTPS only, certificate reuse."""

import http.client
import os
import socket
import ssl
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from emulator import launcher
from emulator.launcher import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "emulator", *args],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


@pytest.fixture
def home(tmp_path: Path):
    """A private emulator home, stopped after the test whatever happens."""
    yield tmp_path
    launcher.stop(tmp_path)


def test_cli_lifecycle_uses_port_and_home_from_environment(home: Path) -> None:
    port = free_port()
    env = dict(os.environ, PLATFORM_EMULATOR_PORT=str(port), PLATFORM_EMULATOR_HOME=str(home))

    started = cli("start", env=env)
    assert started.returncode == 0, started.stderr
    assert f"https://127.0.0.1:{port}" in started.stdout
    assert str(home / "ca.pem") in started.stdout
    pid = int((home / "moto.pid").read_text())
    assert (home / "moto.log").exists()

    again = cli("start", env=env)
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stdout
    assert int((home / "moto.pid").read_text()) == pid

    status = cli("status", env=env)
    assert status.returncode == 0
    assert "running" in status.stdout and str(pid) in status.stdout
    assert f"https://127.0.0.1:{port}" in status.stdout

    assert cli("reset", env=env).returncode == 0

    stopped = cli("stop", env=env)
    assert stopped.returncode == 0
    assert not (home / "moto.pid").exists()
    assert not launcher._alive(pid)

    assert cli("status", env=env).returncode == 3
    stopped_again = cli("stop", env=env)
    assert stopped_again.returncode == 0
    assert "not running" in stopped_again.stdout


def test_start_is_idempotent_and_writes_state_files(home: Path) -> None:
    first = launcher.start(port=free_port(), home=home)
    second = launcher.start(port=free_port(), home=home)

    assert second == first
    assert launcher.status(home) == first
    assert int((home / "moto.pid").read_text()) == first.pid
    assert "Running on https://127.0.0.1" in (home / "moto.log").read_text()
    assert first.env()["AWS_ENDPOINT_URL"] == first.url
    assert first.env()["AWS_CA_BUNDLE"] == str(home / "ca.pem")

    assert launcher.stop(home) is True
    assert launcher.status(home) is None
    assert launcher.stop(home) is False


def test_serves_https_with_its_ca_bundle_only(emulator: launcher.Emulator) -> None:
    assert launcher.is_healthy(emulator.url, emulator.ca_bundle)

    # Not trusted without the CA bundle.
    with pytest.raises(urllib.error.URLError) as error:
        urllib.request.urlopen(f"{emulator.url}/moto-api/", timeout=5,
                               context=ssl.create_default_context())
    assert isinstance(error.value.reason, ssl.SSLCertVerificationError)

    # Plain HTTP is not served.
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=5)
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        connection.request("GET", "/moto-api/")
        connection.getresponse()
    connection.close()


def test_binds_to_loopback_only(emulator: launcher.Emulator) -> None:
    other_addresses = {
        info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    } - {"127.0.0.1"}
    for address in other_addresses:
        with pytest.raises(OSError):
            socket.create_connection((address, emulator.port), timeout=2).close()


def test_restart_reuses_certificate(home: Path) -> None:
    launcher.start(port=free_port(), home=home)
    cert, key = (home / "ca.pem").read_bytes(), (home / "key.pem").read_bytes()
    assert stat.S_IMODE((home / "key.pem").stat().st_mode) == 0o600
    launcher.stop(home)

    restarted = launcher.start(port=free_port(), home=home)
    assert (home / "ca.pem").read_bytes() == cert
    assert (home / "key.pem").read_bytes() == key
    assert launcher.is_healthy(restarted.url, restarted.ca_bundle)


def test_stale_pid_file_is_ignored(home: Path) -> None:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    (home / "moto.pid").write_text(f"{finished.pid}\n")
    (home / "moto.port").write_text("1\n")
    assert launcher.status(home) is None
    assert launcher.stop(home) is False
    assert not (home / "moto.pid").exists()

    started = launcher.start(port=free_port(), home=home)
    assert launcher.is_healthy(started.url, started.ca_bundle)


def test_start_fails_fast_when_port_is_taken(home: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(launcher.EmulatorError, match="exited"):
            launcher.start(port=port, home=home, timeout=20)
    assert launcher.status(home) is None
