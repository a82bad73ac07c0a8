"""The fake Kubernetes API server process: kmock's KubernetesEmulator over HTTPS.

kmock stores objects in memory and serves discovery, list, get, create, patch and
delete. This subclass adds what the k8s_workloads role relies on and a real API
server does (documented Kubernetes behaviour, kept deliberately small):

- the resources the role manages are declared for discovery (kind, scope, verbs);
- every request needs "Authorization: Bearer <token>" (401 otherwise), as EKS does;
- server-side apply (PATCH application/apply-patch+yaml) creates a missing object
  (https://kubernetes.io/docs/reference/using-api/server-side-apply/);
- ?dryRun=All changes nothing and returns the would-be object
  (https://kubernetes.io/docs/reference/using-api/api-concepts/#dry-run);
- objects get metadata.uid, creationTimestamp and a resourceVersion that changes
  only when the stored object changes (a no-op apply leaves it as it was).

Patches merge like a JSON merge patch (dicts merge, lists and scalars replace, null
removes). Unlike a real server there is no strategic merge by list keys, no field
ownership (fields dropped from an apply are not removed), no defaulting, no
admission and no controllers: nothing ever runs a pod.
"""

import argparse
import asyncio
import copy
import datetime
import re
import signal
import ssl
import uuid
from pathlib import Path
from typing import Any

import aiohttp.web
import kmock
from kmock._internal import enums, rendering

# (group/version/plural, kind, namespaced) of everything the role applies.
RESOURCES = [
    ("v1/namespaces", "Namespace", False),
    ("v1/serviceaccounts", "ServiceAccount", True),
    ("v1/services", "Service", True),
    ("v1/configmaps", "ConfigMap", True),
    ("apps/v1/deployments", "Deployment", True),
    ("autoscaling/v2/horizontalpodautoscalers", "HorizontalPodAutoscaler", True),
    ("networking.k8s.io/v1/ingresses", "Ingress", True),
    ("networking.k8s.io/v1/networkpolicies", "NetworkPolicy", True),
    ("policy/v1/poddisruptionbudgets", "PodDisruptionBudget", True),
]
VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]
APPLY_PATCH = "application/apply-patch+yaml"
# kmock reads /api/v1/namespaces/<x> as "namespace x" (and fails on /api/v1/namespaces):
# the Namespace objects themselves are served by FakeKubernetes.__call__.
NAMESPACE_PATH = re.compile(r"^/api/v1/namespaces(?:/([^/]+))?/?$")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


class FakeKubernetes(kmock.KubernetesEmulator):
    token: str = ""
    _revision: int = 0
    namespaces: dict[str, dict] = {}

    async def __call__(self, raw_request: aiohttp.web.BaseRequest) -> aiohttp.web.StreamResponse:
        match = NAMESPACE_PATH.match(raw_request.path)
        if match is None:
            return await super().__call__(raw_request)
        if raw_request.headers.get("Authorization", "") != f"Bearer {self.token}":
            return self._status(401, "Unauthorized", "Unauthorized")
        name, method = match.group(1), raw_request.method
        dry_run = "dryRun" in raw_request.query
        body = await raw_request.json() if raw_request.can_read_body else None
        store = type(self).namespaces
        if name is None and method == "GET":
            return aiohttp.web.json_response({
                "apiVersion": "v1", "kind": "NamespaceList", "metadata": {"resourceVersion": str(self._revision)},
                "items": [store[key] for key in sorted(store)]})
        if name is None and method == "POST":
            name = (body or {}).get("metadata", {}).get("name")
            if name in store:
                return self._status(409, "AlreadyExists", f"namespaces {name!r} already exists")
            created = self._stamp_new(body, None)
            if not dry_run:
                store[name] = created
            return aiohttp.web.json_response(created, status=201)
        if name is not None and method == "GET":
            if name not in store:
                return self._status(404, "NotFound", f"namespaces {name!r} not found")
            return aiohttp.web.json_response(store[name])
        if name is not None and method == "DELETE":
            if name not in store:
                return self._status(404, "NotFound", f"namespaces {name!r} not found")
            gone = store[name] if dry_run else store.pop(name)
            return aiohttp.web.json_response(gone)
        if name is not None and method == "PATCH":
            content_type = raw_request.headers.get("Content-Type", "").split(";")[0].strip()
            result, status = self._patched(store.get(name), body, content_type, None)
            if result is None:
                return self._status(404, "NotFound", f"namespaces {name!r} not found")
            if not dry_run:
                store[name] = result
            return aiohttp.web.json_response(result, status=status)
        return self._status(405, "MethodNotAllowed", f"{method} is not supported here")

    def _patched(self, current: dict | None, body: Any, content_type: str,
                 namespace: str | None) -> tuple[dict | None, int]:
        """(new state, HTTP status) of a PATCH; (None, 404) when it cannot create."""
        if current is None:
            if content_type != APPLY_PATCH:
                return None, 404
            return self._stamp_new(body, namespace), 201
        merged = merge_patch(current, body)
        for field in ("uid", "creationTimestamp", "resourceVersion", "generation"):
            if field in current.get("metadata", {}):
                merged.setdefault("metadata", {})[field] = current["metadata"][field]
        if merged != current:
            if merged.get("spec") != current.get("spec"):
                merged["metadata"]["generation"] = current["metadata"].get("generation", 1) + 1
            merged["metadata"]["resourceVersion"] = self._next_revision()
        return merged, 200

    def _next_revision(self) -> str:
        type(self)._revision += 1
        return str(type(self)._revision)

    def _stamp_new(self, obj: dict, namespace: str | None) -> dict:
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        if namespace:
            meta["namespace"] = namespace
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        meta["resourceVersion"] = self._next_revision()
        meta["generation"] = 1
        return obj

    @staticmethod
    def _status(code: int, reason: str, message: str) -> aiohttp.web.Response:
        return aiohttp.web.json_response({
            "apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure",
            "code": code, "reason": reason, "message": message,
        }, status=code)

    async def _handle(self, request: rendering.Request) -> aiohttp.web.StreamResponse:
        if request.headers.get("Authorization", "") != f"Bearer {self.token}":
            return self._status(401, "Unauthorized", "Unauthorized")
        dry_run = "dryRun" in request.params
        if request.resource is not None and request.action == enums.action.UPDATE and request.name:
            return await self._patch(request, dry_run)
        if request.resource is not None and request.action == enums.action.CREATE and isinstance(request.data, dict):
            meta = request.data.get("metadata", {})
            namespace = request.namespace or meta.get("namespace")
            key = (request.resource, namespace, meta.get("name"))
            if key in self._objects and not self._objects[key].deleted:
                return self._status(409, "AlreadyExists", f"{meta.get('name')} already exists")
            stamped = self._stamp_new(request.data, namespace)
            if dry_run:
                return aiohttp.web.json_response(stamped, status=201)
            async with self._lock:
                if key in self._objects:
                    self._objects[key].create(stamped)
                else:
                    self._objects[key] = stamped
            return aiohttp.web.json_response(stamped, status=201)
        return await super()._handle(request)

    async def _patch(self, request: rendering.Request, dry_run: bool) -> aiohttp.web.StreamResponse:
        body = request.data
        if not isinstance(body, dict):
            return self._status(400, "BadRequest", "the patch body must be a JSON object")
        key = (request.resource, request.namespace, request.name)
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
        async with self._lock:
            exists = key in self._objects and not self._objects[key].deleted
            current = copy.deepcopy(self._objects[key].raw) if exists else None
            result, status = self._patched(current, body, content_type, request.namespace)
            if result is None:
                return self._status(404, "NotFound", f"{request.name} not found")
            if not dry_run and result != current:
                if key in self._objects:
                    self._objects[key].create(result)
                else:
                    self._objects[key] = result
            return aiohttp.web.json_response(result, status=status)


async def serve(port: int, cert: Path, key: Path, token: str) -> None:
    handler = FakeKubernetes()
    handler.token = token
    for path, kind, namespaced in RESOURCES:
        handler.resources[path] = kmock.ResourceInfo(
            kind=kind, namespaced=namespaced, verbs=VERBS, singular=kind.lower())
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    async with handler:
        server = aiohttp.web.Server(handler)
        runner = aiohttp.web.ServerRunner(server)
        await runner.setup()
        site = aiohttp.web.TCPSite(runner, "127.0.0.1", port, ssl_context=context)
        await site.start()
        print(f"fake Kubernetes API listening on https://127.0.0.1:{port}", flush=True)
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopped.set)
        await stopped.wait()
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", type=Path, required=True)
    parser.add_argument("--key", type=Path, required=True)
    parser.add_argument("--token-file", type=Path, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.cert, args.key, args.token_file.read_text().strip()))


if __name__ == "__main__":
    main()
