"""Start, stop and inspect the local AWS emulator (moto server over HTTPS).

State lives in a "home" folder: moto.pid, moto.port, moto.log, ca.pem, key.pem.
"""

import contextlib
import fcntl
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from emulator import tls

REPO_ROOT = Path(__file__).resolve().parent.parent
PORT_ENV = "PLATFORM_EMULATOR_PORT"
HOME_ENV = "PLATFORM_EMULATOR_HOME"
# Seconds of emulator time per minute of AWS time for slow resources (emulator/fixes/latency.py).
LATENCY_ENV = "PLATFORM_EMULATOR_LATENCY"
DEFAULT_PORT = 4566
DEFAULT_REGION = "eu-west-1"
HOST = "127.0.0.1"

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
POLL_INTERVAL = 0.1
LOG_TAIL_LINES = 30

PID_FILE = "moto.pid"
PORT_FILE = "moto.port"
LOG_FILE = "moto.log"
LOCK_FILE = ".lock"

# Servers started by this Python process, kept so they can be waited for (no zombies).
_children: dict[int, subprocess.Popen] = {}


class EmulatorError(Exception):
    """The emulator could not be started or reached."""


@dataclass(frozen=True)
class Emulator:
    url: str
    port: int
    home: Path
    ca_bundle: Path
    pid: int
    region: str = DEFAULT_REGION

    def env(self) -> dict[str, str]:
        """Environment variables that point an AWS client (boto3, ansible, aws cli) here."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_CA_BUNDLE": str(self.ca_bundle),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            PORT_ENV: str(self.port),
            HOME_ENV: str(self.home),
        }


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_port() -> int:
    return int(os.environ.get(PORT_ENV) or DEFAULT_PORT)


def default_home() -> Path:
    return Path(os.environ.get(HOME_ENV) or REPO_ROOT / ".emulator")


def start(port: int | None = None, home: Path | str | None = None,
          timeout: float = START_TIMEOUT, latency: float | None = None) -> Emulator:
    """Start the emulator in the background and wait until it answers over HTTPS.

    latency: seconds of emulator time per minute of AWS time that slow resources (EKS, NAT
    gateways, DAX, ECS rollouts) stay in their creating state; None takes LATENCY_ENV from
    the environment, 0 turns it off. Idempotent: if it is already running and healthy in this
    home, return it (with the latency it was started with).
    """
    home = _resolve_home(home)
    port = port or default_port()
    home.mkdir(parents=True, exist_ok=True)
    with _lock(home):
        running = status(home)
        if running:
            if _wait_healthy(running, timeout):
                return running
            raise EmulatorError(
                f"emulator process {running.pid} is running but not answering on {running.url}; "
                f"run 'python -m emulator stop'.\n{_log_tail(home)}"
            )
        return _spawn(port, home, timeout, latency)


def stop(home: Path | str | None = None, timeout: float = STOP_TIMEOUT) -> bool:
    """Stop the emulator; return False if it was not running."""
    home = _resolve_home(home)
    pid = _read_int(home / PID_FILE)
    if pid is None or not _alive(pid):
        _remove_state(home)
        return False
    _signal(pid, signal.SIGTERM)
    if not _wait_dead(pid, timeout):
        _signal(pid, signal.SIGKILL)
        _wait_dead(pid, timeout)
    _remove_state(home)
    return True


def status(home: Path | str | None = None) -> Emulator | None:
    """The running emulator in this home, or None. Stale pid files are ignored."""
    home = _resolve_home(home)
    pid = _read_int(home / PID_FILE)
    port = _read_int(home / PORT_FILE)
    if pid is None or port is None or not _alive(pid):
        return None
    return _emulator(port, home, pid)


def reset(url: str, ca_bundle: Path | str) -> None:
    """Wipe all emulated AWS state."""
    _https(f"{url}/moto-api/reset", ca_bundle, method="POST")


def api_calls(url: str, ca_bundle: Path | str) -> dict:
    """The AWS API calls served since the start or the last reset_api_calls, counted by the server:
    {"calls": [{"service", "operation", "mutating", "count", "seconds"}, ...],
     "total": N, "mutating": N, "read": N}."""
    return json.loads(_https(f"{url}/_platform/api-calls", ca_bundle))


def reset_api_calls(url: str, ca_bundle: Path | str) -> None:
    """Set the server's API call counters back to zero."""
    _https(f"{url}/_platform/api-calls/reset", ca_bundle, method="POST")


def is_healthy(url: str, ca_bundle: Path | str) -> bool:
    """True if the emulator answers over HTTPS with a certificate trusted via ca_bundle."""
    try:
        _https(f"{url}/moto-api/", ca_bundle, timeout=2)
    except (OSError, http.client.HTTPException):  # URLError and SSLError are OSErrors
        return False
    return True


def _spawn(port: int, home: Path, timeout: float, latency: float | None = None) -> Emulator:
    tls.ensure_certificate(home)
    command = [sys.executable, "-m", "emulator.server", "--port", str(port), "--home", str(home)]
    with open(home / LOG_FILE, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=_server_env(latency),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # survives the launcher and its terminal
        )
    _children[process.pid] = process
    (home / PID_FILE).write_text(f"{process.pid}\n")
    (home / PORT_FILE).write_text(f"{port}\n")

    emulator = _emulator(port, home, process.pid)
    deadline = time.monotonic() + timeout
    while not is_healthy(emulator.url, emulator.ca_bundle):
        if process.poll() is not None:
            _remove_state(home)
            raise EmulatorError(
                f"emulator server exited with code {process.returncode}.\n{_log_tail(home)}"
            )
        if time.monotonic() > deadline:
            stop(home)
            raise EmulatorError(
                f"emulator did not answer on {emulator.url} within {timeout:.0f}s.\n{_log_tail(home)}"
            )
        time.sleep(POLL_INTERVAL)
    return emulator


def _server_env(latency: float | None = None) -> dict[str, str]:
    env = dict(os.environ)
    if latency is not None:
        env[LATENCY_ENV] = str(latency)
    env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"  # DESIGN requires AWS managed policies
    # Make `-m emulator.server` importable whatever the caller's PYTHONPATH.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def _emulator(port: int, home: Path, pid: int) -> Emulator:
    return Emulator(
        url=f"https://{HOST}:{port}",
        port=port,
        home=home,
        ca_bundle=home / tls.CERT_FILE,
        pid=pid,
    )


def _https(url: str, ca_bundle: Path | str, method: str = "GET", timeout: float = 10) -> bytes:
    context = ssl.create_default_context(cafile=str(ca_bundle))
    # No proxy: the emulator is always local.
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
    )
    data = b"" if method == "POST" else None
    request = urllib.request.Request(url, data=data, method=method)
    with opener.open(request, timeout=timeout) as response:
        return response.read()


def _wait_healthy(emulator: Emulator, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not is_healthy(emulator.url, emulator.ca_bundle):
        if time.monotonic() > deadline or not _alive(emulator.pid):
            return False
        time.sleep(POLL_INTERVAL)
    return True


def _wait_dead(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_INTERVAL)
    return True


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it may have just exited
        os.kill(pid, signum)


def _alive(pid: int) -> bool:
    """True if pid is a live emulator server (not a zombie, not a recycled pid)."""
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, but belongs to another user: check what it is below
    try:
        # Where /proc exists, make sure the pid was not reused by another program.
        return b"emulator.server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()


def _resolve_home(home: Path | str | None) -> Path:
    # Absolute, because the server runs with the repo root as working directory.
    return Path(home or default_home()).expanduser().resolve()


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _remove_state(home: Path) -> None:
    for name in (PID_FILE, PORT_FILE):
        (home / name).unlink(missing_ok=True)


def _log_tail(home: Path) -> str:
    try:
        lines = (home / LOG_FILE).read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return f"last lines of {home / LOG_FILE}:\n" + "\n".join(lines[-LOG_TAIL_LINES:])


@contextlib.contextmanager
def _lock(home: Path) -> Iterator[None]:
    """Serialize concurrent starts in the same home."""
    with open(home / LOCK_FILE, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield
