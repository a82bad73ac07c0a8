"""Count the AWS API calls the emulator serves, by service and operation: a WSGI middleware.

Each AWS request (not /moto-api/..., not our own /_platform/...) is named from the request
alone, with botocore's service models: the service from the SigV4 credential scope (or the
X-Amz-Target prefix), the operation from X-Amz-Target (json), the Action parameter
(query, ec2), the /service/<prefix>/operation/<name> path (smithy-rpc-v2-cbor), or the
HTTP method and path matched against the operations' requestUri (rest-json, rest-xml).

    GET  /_platform/api-calls        -> {"calls": [...], "total": N, "mutating": N, "read": N}
    POST /_platform/api-calls/reset  -> 204, all counters back to zero
"""

import io
import json
import re
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import parse_qs

API_CALLS_PATH = "/_platform/api-calls"
RESET_PATH = f"{API_CALLS_PATH}/reset"

# Read-only by AWS's naming convention: operations named with these verbs only read state
# (DescribeVpcs, GetObject, ListFunctions, HeadBucket, Query, FilterLogEvents, ...).
# Every other verb (Create, Put, Update, Delete, Tag, Attach, ...) counts as mutating.
READ_PREFIXES = ("Describe", "List", "Get", "Head", "Query", "Scan", "BatchGet", "Lookup",
                 "Search", "Select", "Simulate", "Filter", "Test")

_CREDENTIAL = re.compile(r"Credential=[^/\s,]+/\d+/[^/\s]+/([^/\s]+)/aws4_request")
_CBOR_PATH = re.compile(r"^/service/([^/]+)/operation/([^/]+)$")
_URI_PARAM = re.compile(r"\{([^}]+?)(\+?)\}")


def is_mutating(operation: str) -> bool:
    if operation.startswith("UNKNOWN "):  # "UNKNOWN <METHOD> <path>": judge by the method
        return operation.split()[1] not in ("GET", "HEAD")
    return not operation.startswith(READ_PREFIXES)


@dataclass
class Route:
    """One REST operation: HTTP method, requestUri as a regex, and what the request must carry."""

    operation: str
    method: str
    path_regex: str
    literal_chars: int  # of the path template: more literal text is a more specific match
    query: tuple[tuple[str, str | None], ...]  # required query keys, with their value if fixed
    headers: tuple[str, ...]  # WSGI environ keys of required headers

    def score(self, method: str, path: str, query: dict, environ: dict) -> tuple[int, int] | None:
        """How specific a match this is, or None if the request does not match."""
        if method != self.method or not self.path.fullmatch(path):
            return None
        for key, value in self.query:
            if key not in query or (value is not None and value not in query[key]):
                return None
        if any(header not in environ for header in self.headers):
            return None
        return self.literal_chars, len(self.query) + len(self.headers)

    @cached_property
    def path(self) -> re.Pattern:  # compiled on first use: compiling all ~10,000 takes seconds
        return re.compile(self.path_regex)


def route(operation: str, http: dict, input_shape: dict) -> Route:
    template, _, query_text = http.get("requestUri", "/").partition("?")
    template = template.rstrip("/") or "/"
    parts, position, literal_chars = [], 0, 0
    for param in _URI_PARAM.finditer(template):
        literal = template[position:param.start()]
        parts += [re.escape(literal), ".+" if param.group(2) else "[^/]+"]
        literal_chars += len(literal)
        position = param.end()
    parts.append(re.escape(template[position:]))
    literal_chars += len(template) - position

    query = {}
    for pair in filter(None, query_text.split("&")):
        key, equals, value = pair.partition("=")
        if key != "x-id":  # botocore documents x-id=<Operation> but never sends it
            query[key] = value if equals else None
    headers = []
    members, required = input_shape.get("members", {}), input_shape.get("required", [])
    for name in required:
        member = members.get(name, {})
        if member.get("location") == "querystring":
            query.setdefault(member.get("locationName", name), None)
        elif member.get("location") == "header":
            header = member.get("locationName", name).upper().replace("-", "_")
            headers.append(header if header in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{header}")
    return Route(operation, http.get("method", "POST"), "".join(parts), literal_chars,
                 tuple(query.items()), tuple(headers))


def best_route(routes: list[Route], method: str, path: str, query: dict,
               environ: dict) -> tuple[tuple[int, int], Route] | None:
    """(score, route) of the matching route with the most literal path text, then the most
    required query keys and headers; None if no route matches."""
    path = path.rstrip("/") or "/"
    scored = [(score, r) for r in routes if (score := r.score(method, path, query, environ))]
    return max(scored, key=lambda pair: pair[0]) if scored else None


@dataclass
class Service:
    name: str
    protocols: tuple[str, ...]
    target_prefix: str | None
    api_version: str | None
    routes: list[Route] = field(default_factory=list)
    literal_segments: set[str] = field(default_factory=set)  # to name unknown paths


def _service(name: str, model: dict) -> Service:
    meta = model["metadata"]
    service = Service(name, tuple(meta.get("protocols") or [meta["protocol"]]),
                      meta.get("targetPrefix"), meta.get("apiVersion"))
    if {"rest-json", "rest-xml"} & set(service.protocols):
        for operation, spec in model["operations"].items():
            http = spec.get("http", {})
            input_shape = model["shapes"].get(spec.get("input", {}).get("shape"), {})
            service.routes.append(route(operation, http, input_shape))
            uri = http.get("requestUri", "").partition("?")[0]
            service.literal_segments |= {segment for segment in uri.split("/") if "{" not in segment}
    return service


class ServiceModels:
    """What we need from botocore's service models, loaded once on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_signing_name: dict[str, list[Service]] | None = None
        self.by_target_prefix: dict[str, list[Service]] = {}

    def load(self) -> dict[str, list[Service]]:
        with self._lock:
            if self.by_signing_name is None:
                import botocore.loaders  # pylint: disable=import-outside-toplevel

                by_signing_name: dict[str, list[Service]] = {}
                loader = botocore.loaders.create_loader()
                for name in loader.list_available_services("service-2"):
                    version = loader.determine_latest_version(name, "service-2")
                    # A loader per model: a loader keeps every model it loaded (hundreds of MB).
                    model = botocore.loaders.create_loader().load_data(f"{name}/{version}/service-2")
                    service = _service(name, model)
                    meta = model["metadata"]
                    signing_name = meta.get("signingName") or meta["endpointPrefix"]
                    by_signing_name.setdefault(signing_name, []).append(service)
                    if service.target_prefix:
                        self.by_target_prefix.setdefault(service.target_prefix, []).append(service)
                # Where several services share a signing name (rds: rds, docdb, neptune), prefer
                # the one named like it.
                for signing_name, services in by_signing_name.items():
                    services.sort(key=lambda s, n=signing_name: (s.name != n, s.name))
                self.by_signing_name = by_signing_name
        return self.by_signing_name

    def identify(self, environ: dict) -> tuple[str, str]:
        """(botocore service name, operation name) of an AWS request."""
        by_signing_name = self.by_signing_name or self.load()
        method = environ.get("REQUEST_METHOD", "GET")
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        # Signed in the Authorization header, or presigned (X-Amz-Credential in the query).
        presigned = query.get("X-Amz-Credential", [""])[0]
        scope = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION") or f"Credential={presigned}")
        signing_name = scope.group(1) if scope else None
        candidates = by_signing_name.get(signing_name, [])
        fallback_name = candidates[0].name if candidates else signing_name or "unknown"
        # Match the raw (still %-encoded) path, so an encoded "/" in an ARN stays in its segment.
        path = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/"))
        path = path.partition("?")[0]

        target = environ.get("HTTP_X_AMZ_TARGET", "")
        cbor = _CBOR_PATH.match(path) if "HTTP_SMITHY_PROTOCOL" in environ else None
        if "." in target or cbor:
            prefix, operation = target.rsplit(".", 1) if "." in target else cbor.groups()
            services = ([s for s in candidates if s.target_prefix == prefix]
                        or self.by_target_prefix.get(prefix) or candidates)
            return (services[0].name if services else fallback_name), operation

        form = _read_form(environ) if method == "POST" else {}
        action = (query.get("Action") or form.get("Action") or [None])[0]
        if action and (not candidates or {"query", "ec2"} & set(candidates[0].protocols)):
            version = (query.get("Version") or form.get("Version") or [None])[0]
            # elb and elbv2 share a signing name and action names; their API version tells them apart.
            services = [s for s in candidates if s.api_version == version] or candidates
            return (services[0].name if services else fallback_name), action

        best = None
        for service in candidates:  # preferred first: a later one wins only if more specific
            found = best_route(service.routes, method, path, query, environ)
            if found and (best is None or found[0] > best[0]):
                best = (found[0], service.name, found[1].operation)
        if best:
            return best[1], best[2]
        known = set().union(*(s.literal_segments for s in candidates))
        pattern = "/".join(s if s in known else "{}" for s in path.split("/")) or "/"
        return fallback_name, f"UNKNOWN {method} {pattern}"


def _read_form(environ: dict) -> dict[str, list[str]]:
    """The urlencoded form body, put back in wsgi.input for moto to read again."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return {}
    length = environ.get("CONTENT_LENGTH")
    if not length and not environ.get("wsgi.input_terminated"):
        return {}  # no body (reading would wait for the client to close the connection)
    stream = environ["wsgi.input"]
    body = stream.read(int(length)) if length else stream.read()
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


class ApiCallCounter:
    """WSGI middleware: counts the AWS calls it passes to `app` and serves the counts."""

    def __init__(self, app, models: ServiceModels | None = None) -> None:
        self.app = app
        self.models = models or ServiceModels()
        self._lock = threading.Lock()
        self._calls: dict[tuple[str, str], list] = {}  # (service, operation) -> [count, seconds]

    def __call__(self, environ: dict, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_platform/"):
            return self._serve(environ, start_response)
        if path.startswith("/moto-api"):
            return self.app(environ, start_response)
        try:
            service, operation = self.models.identify(environ)
        except Exception as error:  # pylint: disable=broad-except  # count it, and let moto answer
            service = "unknown"
            operation = f"UNKNOWN {environ.get('REQUEST_METHOD')} ({type(error).__name__})"
        started = time.perf_counter()
        try:
            return self.app(environ, start_response)
        finally:
            self._record(service, operation, time.perf_counter() - started)

    def _record(self, service: str, operation: str, seconds: float) -> None:
        with self._lock:
            counts = self._calls.setdefault((service, operation), [0, 0.0])
            counts[0] += 1
            counts[1] += seconds

    def snapshot(self) -> dict:
        with self._lock:
            calls = [{"service": service, "operation": operation, "mutating": is_mutating(operation),
                      "count": count, "seconds": round(seconds, 6)}
                     for (service, operation), (count, seconds) in sorted(self._calls.items())]
        mutating = sum(call["count"] for call in calls if call["mutating"])
        total = sum(call["count"] for call in calls)
        return {"calls": calls, "total": total, "mutating": mutating, "read": total - mutating}

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()

    def _serve(self, environ: dict, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD")
        if path == API_CALLS_PATH and method == "GET":
            return _respond(start_response, "200 OK", json.dumps(self.snapshot()).encode())
        if path == RESET_PATH and method == "POST":
            self.reset()
            return _respond(start_response, "204 No Content", b"")
        known = path in (API_CALLS_PATH, RESET_PATH)
        return _respond(start_response, "405 Method Not Allowed" if known else "404 Not Found", b"")


def _respond(start_response, status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
