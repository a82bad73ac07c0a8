"""A fault-injecting HTTPS proxy in front of the emulator: test tooling for the reliability suite.

With a seed and a rate, it answers a share of the AWS requests it forwards with a fault:

    throttle    the service's own throttling error: ThrottlingException (json), Throttling
                (query), RequestLimitExceeded (ec2, 503), TooManyRequestsException (rest-json,
                429), SlowDown (rest-xml, 503); the request never reaches the emulator
    error       500 InternalError or 503 ServiceUnavailable, not applied
    slow        the request is forwarded after a pause (SLOW_SECONDS)
    drop        the connection is closed before the request is forwarded
    drop_after  the request is forwarded and applied, then the connection is closed without
                the answer: the client cannot know that its create was made

Which request gets which fault is drawn from one random generator seeded with `seed`, request
by request. Our own endpoints (/_platform/..., /moto-api/...) are never faulted.

    proxy = FaultProxy(emulator, seed=1, rate=0.1, kinds=("throttle",)).start()
    env = dict(emulator.env(), AWS_ENDPOINT_URL=proxy.url)     # clients talk to the proxy
    ...
    proxy.stats()   # {"requests": N, "faulted": {"throttle": n, ...}, "faulted_mutating": {...}}
    proxy.stop()

Or from the shell, in front of a running emulator:

    python -m tests.reliability.fault_proxy --emulator-home .emulator --port 4570 --seed 1 --rate 0.1
"""

import argparse
import http.client
import io
import json
import random
import socket
import ssl
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from emulator import launcher, tls
from emulator.api_calls import ServiceModels, is_mutating

KINDS = ("throttle", "error", "slow", "drop", "drop_after")
SLOW_SECONDS = (0.5, 2.0)  # a slow answer waits this long (uniform), well under botocore's 60 s timeout
# Requests the proxy passes through untouched: our emulator's own endpoints.
UNFAULTED_PREFIXES = ("/_platform/", "/moto-api")
# Hop-by-hop headers are the proxy's own business, not forwarded.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate"}


class FaultProxy:
    def __init__(self, emulator: launcher.Emulator, seed: int, rate: float, kinds=KINDS,
                 port: int = 0, models: ServiceModels | None = None, operations: set[str] | None = None,
                 limit: int | None = None) -> None:
        unknown = set(kinds) - set(KINDS)
        if unknown or not kinds:
            raise ValueError(f"kinds: unknown {sorted(unknown)}; known: {', '.join(KINDS)}")
        if not 0 <= rate <= 1:
            raise ValueError(f"rate: must be between 0 and 1, got {rate}")
        self.emulator, self.seed, self.rate, self.kinds = emulator, seed, rate, tuple(kinds)
        # For targeted tests: fault only these operations ("CreateVpc", ...), each at most `limit` times.
        self.operations, self.limit = operations, limit
        self.models = models or ServiceModels()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._requests = 0
        self._drawn: Counter = Counter()  # faults drawn, by operation (for `limit`)
        self._faulted: Counter = Counter()
        self._faulted_mutating: Counter = Counter()
        self._faulted_calls: Counter = Counter()  # "service:Operation kind" -> count
        self._server = _Server(("127.0.0.1", port), _Handler, self)
        cert, key = tls.ensure_certificate(emulator.home)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread: threading.Thread | None = None
        target = urlsplit(emulator.url)
        self._upstream = (target.hostname, target.port)
        self._upstream_context = ssl.create_default_context(cafile=str(emulator.ca_bundle))
        self._connections = threading.local()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> "FaultProxy":
        self.models.load()  # before the first request: loading takes seconds
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
        self._server.server_close()

    def env(self) -> dict[str, str]:
        """The emulator's client environment, pointed at the proxy (the local inventory builds its
        endpoint from the emulator's port variable)."""
        return dict(self.emulator.env(), AWS_ENDPOINT_URL=self.url, **{launcher.PORT_ENV: str(self.port)})

    def stats(self) -> dict:
        with self._lock:
            return {"seed": self.seed, "rate": self.rate, "kinds": list(self.kinds),
                    "requests": self._requests, "faulted": dict(self._faulted),
                    "faulted_mutating": dict(self._faulted_mutating),
                    "faulted_calls": dict(self._faulted_calls.most_common())}

    def draw(self, operation: str | None = None) -> tuple[str | None, float]:
        """The next request's fault (None for none) and a number in [0, 1) that picks its
        variant: the pause of a slow answer, 500 or 503 for an error."""
        with self._lock:
            self._requests += 1
            if self.operations is not None and operation not in self.operations:
                return None, 0.0
            if self.limit is not None and self._drawn[operation] >= self.limit:
                return None, 0.0
            if self._random.random() >= self.rate:
                return None, 0.0
            self._drawn[operation] += 1
            return self._random.choice(self.kinds), self._random.random()

    def record(self, kind: str, service: str, operation: str) -> None:
        with self._lock:
            self._faulted[kind] += 1
            if is_mutating(operation):
                self._faulted_mutating[kind] += 1
            self._faulted_calls[f"{service}:{operation} {kind}"] += 1

    def forward(self, method: str, path: str, headers: list[tuple[str, str]],
                body: bytes) -> tuple[int, str, list[tuple[str, str]], bytes]:
        """The emulator's answer to a request: (status, reason, headers, body)."""
        for attempt in (1, 2):  # a kept-alive connection the emulator closed: open a new one once
            connection = getattr(self._connections, "connection", None)
            if connection is None:
                connection = http.client.HTTPSConnection(*self._upstream, context=self._upstream_context,
                                                         timeout=120)
                self._connections.connection = connection
            try:
                connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    connection.putheader(name, value)
                connection.putheader("Content-Length", str(len(body)))
                connection.endheaders(body)
                response = connection.getresponse()
                data = response.read()
                return response.status, response.reason, response.getheaders(), data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                connection.close()
                self._connections.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, proxy: FaultProxy) -> None:
        self.proxy = proxy
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore expects

    def log_message(self, format, *args) -> None:  # pylint: disable=redefined-builtin
        pass  # quiet: the stats say what happened

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._handle()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    def _handle(self) -> None:
        proxy: FaultProxy = self.server.proxy
        body = self._read_body()
        faultable = not self.path.startswith(UNFAULTED_PREFIXES)
        service, operation, protocol = "", "", ""
        if faultable and proxy.operations is not None:  # targeted: name every request
            service, operation, protocol = self._identify(proxy, body)
        kind, variant = proxy.draw(operation) if faultable else (None, 0.0)
        if kind:
            if not operation:
                service, operation, protocol = self._identify(proxy, body)
            proxy.record(kind, service, operation)
        if kind == "drop":
            return self._drop()
        if kind in ("throttle", "error"):
            return self._send(*error_response(kind, protocol, variant))
        if kind == "slow":
            time.sleep(SLOW_SECONDS[0] + variant * (SLOW_SECONDS[1] - SLOW_SECONDS[0]))
        headers = [(name, value) for name, value in self.headers.items()
                   if name.lower() not in HOP_BY_HOP and name.lower() != "content-length"]
        try:
            status, reason, response_headers, data = proxy.forward(self.command, self.path, headers, body)
        except OSError as error:  # the emulator is gone or broke the connection: say so, as a gateway would
            return self._send(502, "Bad Gateway", [("Content-Type", "text/plain")], str(error).encode())
        if kind == "drop_after":
            return self._drop()
        response_headers = [(name, value) for name, value in response_headers
                            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length"]
        self._send(status, reason, response_headers, data)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _identify(self, proxy: FaultProxy, body: bytes) -> tuple[str, str, str]:
        """(service, operation, protocol) of the request, named as the emulator's counter names it."""
        path, _, query = self.path.partition("?")
        environ = {"REQUEST_METHOD": self.command, "QUERY_STRING": query, "RAW_URI": self.path,
                   "PATH_INFO": path, "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                   "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[f"HTTP_{key}"] = value
        service, operation = proxy.models.identify(environ)
        return service, operation, protocol_of(proxy.models, service, environ)

    def _drop(self) -> None:
        """Close the connection without an answer (the client sees it reset or closed)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send(self, status: int, reason: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def protocol_of(models: ServiceModels, service: str, environ: dict) -> str:
    """The wire protocol of a request: what its error answer must be written in."""
    if "HTTP_SMITHY_PROTOCOL" in environ:
        return "smithy-rpc-v2-cbor"
    if "HTTP_X_AMZ_TARGET" in environ:
        return "json"
    if "Action=" in environ.get("QUERY_STRING", "") or environ["wsgi.input"].getvalue().startswith(b"Action="):
        return "ec2" if service == "ec2" else "query"
    protocols = next((s.protocols for group in (models.by_signing_name or {}).values()
                      for s in group if s.name == service), ())
    return "rest-xml" if "rest-xml" in protocols else "rest-json"


# (status, code) of each fault, by protocol; a throttle is each protocol's own throttling error.
THROTTLE = {"json": (400, "ThrottlingException"), "query": (400, "Throttling"),
            "ec2": (503, "RequestLimitExceeded"), "rest-json": (429, "TooManyRequestsException"),
            "rest-xml": (503, "SlowDown"), "smithy-rpc-v2-cbor": (400, "ThrottlingException")}
SERVER_ERRORS = ((500, "InternalError"), (503, "ServiceUnavailable"))


def error_response(kind: str, protocol: str, variant: float) -> tuple[int, str, list[tuple[str, str]], bytes]:
    """The answer AWS gives for a throttled request or a server error, in the request's protocol."""
    status, code = THROTTLE[protocol] if kind == "throttle" else SERVER_ERRORS[variant >= 0.5]
    message = "Rate exceeded" if kind == "throttle" else "Injected by the fault proxy"
    request_id = str(uuid.uuid4())
    reason = http.client.responses.get(status, "Error")
    if protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        return status, reason, [("Content-Type", "application/x-amz-json-1.1"),
                                ("x-amzn-RequestId", request_id)], body
    if protocol == "rest-json":
        body = json.dumps({"message": message}).encode()
        return status, reason, [("Content-Type", "application/json"), ("x-amzn-ErrorType", code),
                                ("x-amzn-RequestId", request_id)], body
    if protocol == "smithy-rpc-v2-cbor":
        body = _cbor_map({"__type": code, "message": message})
        return status, reason, [("Content-Type", "application/cbor"), ("Smithy-Protocol", "rpc-v2-cbor"),
                                ("x-amzn-RequestId", request_id)], body
    if protocol == "ec2":
        body = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{code}</Code>"
                f"<Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>")
    elif protocol == "query":
        body = (f"<ErrorResponse><Error><Type>{'Sender' if status < 500 else 'Receiver'}</Type>"
                f"<Code>{code}</Code><Message>{message}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>")
    else:  # rest-xml
        body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
    return status, reason, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body.encode()


def _cbor_map(items: dict[str, str]) -> bytes:
    """A CBOR map of short text strings (all an rpc-v2-cbor error body needs)."""
    def text(value: str) -> bytes:
        data = value.encode()
        size = len(data)
        head = bytes([0x60 + size]) if size < 24 else bytes([0x78, size]) if size < 256 else \
            bytes([0x79]) + size.to_bytes(2, "big")
        return head + data
    return bytes([0xA0 + len(items)]) + b"".join(text(k) + text(v) for k, v in items.items())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.fault_proxy", description=__doc__.split("\n")[0])
    parser.add_argument("--emulator-home", type=Path, default=launcher.default_home())
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0.1)
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, of: {', '.join(KINDS)}")
    args = parser.parse_args(argv)
    emulator = launcher.status(args.emulator_home)
    if emulator is None:
        parser.error(f"no emulator runs with home {args.emulator_home}")
    proxy = FaultProxy(emulator, args.seed, args.rate, args.kinds.split(","), port=args.port).start()
    print(f"fault proxy on {proxy.url} -> {emulator.url} (seed {args.seed}, rate {args.rate}, "
          f"kinds {args.kinds}); Ctrl-C prints its stats", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print(json.dumps(proxy.stats(), indent=2))
        proxy.stop()


if __name__ == "__main__":
    main()
