"""Start, stop and inspect the fake Kubernetes API server (kmock over HTTPS).

State lives in a "home" folder: kube.pid, kube.port, kube.log, ca.pem, key.pem and
token (the bearer token the server accepts).
"""

import os
import secrets
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from emulator import tls

REPO_ROOT = Path(__file__).resolve().parent.parent
PORT_ENV = "PLATFORM_FAKE_K8S_PORT"
HOME_ENV = "PLATFORM_FAKE_K8S_HOME"
DEFAULT_PORT = 6443
HOST = "127.0.0.1"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0

PID_FILE = "kube.pid"
PORT_FILE = "kube.port"
LOG_FILE = "kube.log"
TOKEN_FILE = "token"

_children: dict[int, subprocess.Popen] = {}


class FakeApiError(Exception):
    """The fake API server could not be started."""


@dataclass(frozen=True)
class FakeApi:
    url: str
    port: int
    home: Path
    pid: int

    @property
    def ca_file(self) -> Path:
        return self.home / tls.CERT_FILE

    @property
    def token_file(self) -> Path:
        return self.home / TOKEN_FILE

    @property
    def token(self) -> str:
        return self.token_file.read_text().strip()


def default_port() -> int:
    return int(os.environ.get(PORT_ENV) or DEFAULT_PORT)


def resolve_home(home: str | os.PathLike | None = None) -> Path:
    return Path(home or os.environ.get(HOME_ENV) or REPO_ROOT / ".fake-k8s-api").resolve()


def _alive(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def status(home: Path) -> FakeApi | None:
    try:
        pid = int((home / PID_FILE).read_text())
        port = int((home / PORT_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not _alive(pid):
        return None
    return FakeApi(f"https://{HOST}:{port}", port, home, pid)


def _answers(api: FakeApi) -> bool:
    context = ssl.create_default_context(cafile=str(api.ca_file))
    request = urllib.request.Request(f"{api.url}/version", headers={"Authorization": f"Bearer {api.token}"})
    try:
        with urllib.request.urlopen(request, context=context, timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def start(port: int, home: Path) -> FakeApi:
    """Start the server in the background (idempotent) and wait until it answers."""
    running = status(home)
    if running is not None:
        return running
    home.mkdir(parents=True, exist_ok=True)
    cert, key = tls.ensure_certificate(home)
    token_path = home / TOKEN_FILE
    if not token_path.exists():
        fd = os.open(token_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32) + "\n")
    log = open(home / LOG_FILE, "wb")  # noqa: SIM115 (the child keeps it)
    proc = subprocess.Popen(
        [sys.executable, "-m", "fake_k8s_api.server", "--port", str(port), "--cert", str(cert),
         "--key", str(key), "--token-file", str(token_path)],
        cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    log.close()
    _children[proc.pid] = proc
    (home / PID_FILE).write_text(str(proc.pid))
    (home / PORT_FILE).write_text(str(port))
    api = FakeApi(f"https://{HOST}:{port}", port, home, proc.pid)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if _answers(api):
            return api
        time.sleep(0.1)
    stop(home)
    tail = (home / LOG_FILE).read_text(errors="replace").splitlines()[-30:]
    raise FakeApiError("the fake Kubernetes API did not start:\n" + "\n".join(tail))


def stop(home: Path) -> bool:
    """SIGTERM the server (SIGKILL after STOP_TIMEOUT); False if it was not running."""
    api = status(home)
    for name in (PID_FILE, PORT_FILE):
        (home / name).unlink(missing_ok=True)
    if api is None:
        return False
    os.kill(api.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while _alive(api.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(api.pid):
        os.kill(api.pid, signal.SIGKILL)
    child = _children.pop(api.pid, None)
    if child is not None:
        child.wait()
    return True
