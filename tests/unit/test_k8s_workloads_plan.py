"""Unit tests of the k8s_workloads input checks and of the fake Kubernetes API server."""

import importlib.util
import json
import ssl
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import fake_k8s_api
from emulator.launcher import free_port
from fake_k8s_api.server import merge_patch

ROLE = Path(__file__).resolve().parents[2] / "roles" / "k8s_workloads"
_spec = importlib.util.spec_from_file_location("k8s_workloads_plan", ROLE / "filter_plugins" / "k8s_workloads_plan.py")
plan = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(plan)

GOOD = {"name": "orders", "tag": "1.0.0", "port": 8080, "replicas": 2,
        "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
        "probes": {"liveness_path": "/healthz", "readiness_path": "/ready"}, "env": {"LOG_LEVEL": "info"},
        "hpa": {"min": 2, "max": 4, "cpu_utilization": 70, "memory_utilization": 80},
        "ingress": {"path": "/orders", "scheme": "internet-facing"}, "callers": ["payments", "namespace/monitoring"],
        "pdb": {"min_available": 1}, "iam_role_arn": "arn:aws:iam::123456789012:role/x"}
PAYMENTS = {"name": "payments", "tag": "1.0.0", "port": 8080}


def errors(**changes):
    return plan.k8s_workloads_input_errors([GOOD | changes, PAYMENTS], {"max_surge": "25%", "max_unavailable": 0})


def test_good_input_has_no_errors():
    assert errors() == []


@pytest.mark.parametrize("changes, expected", [
    ({"hpa": {"min": 3, "max": 2, "cpu_utilization": 70}}, "'orders'.hpa.max: must not be less than hpa.min (3), got 2"),
    ({"hpa": {"min": 0, "max": 2, "cpu_utilization": 70}}, "'orders'.hpa.min: must be an integer of at least 1"),
    ({"hpa": {"min": 1, "max": 2}}, "'orders'.hpa: needs cpu_utilization and/or memory_utilization"),
    ({"hpa": {"min": 1, "max": 2, "memory_utilization": 80}, "resources": {"requests": {"cpu": "1"}}},
     "'orders'.hpa.memory_utilization: a utilisation target needs resources.requests.memory"),
    ({"port": 0}, "'orders'.port: container port must be an integer from 1 to 65535, got 0"),
    ({"port": 65536}, "'orders'.port: container port must be an integer from 1 to 65535, got 65536"),
    ({"replicas": -1}, "'orders'.replicas: must be an integer of at least 0, got -1"),
    ({"name": "1orders"}, "'1orders': name must be a DNS-1123 label"),
    ({"name": "a" * 64}, "name must be a DNS-1123 label"),
    ({"callers": ["billing"]}, "'orders'.callers: 'billing' is neither a declared service (orders, payments)"),
    ({"callers": ["orders"]}, "'orders'.callers: a service cannot list itself"),
    ({"tag": "has space"}, "'orders'.tag: must be an image tag"),
    ({"resources": {"requests": {"cpu": "lots"}}}, "'orders'.resources.requests.cpu: must be a Kubernetes quantity"),
    ({"probes": {"readiness_path": "ready"}}, "'orders'.probes.readiness_path: must be an HTTP path"),
    ({"ingress": {"scheme": "public"}}, "'orders'.ingress.scheme: must be one of internal, internet-facing"),
    ({"pdb": {"min_available": 1, "max_unavailable": 1}}, "'orders'.pdb: needs exactly one of"),
    ({"iam_role_arn": "orders-role"}, "'orders'.iam_role_arn: must be an IAM role ARN"),
    ({"env": {"1BAD": "x"}}, "'orders'.env: '1BAD' is not a valid environment variable name"),
])
def test_each_broken_rule_names_the_variable(changes, expected):
    found = errors(**changes)
    assert any(e.startswith("k8s_workloads_services: ") and expected in e for e in found), found


def test_duplicate_names_and_bad_version_and_rolling_update():
    found = plan.k8s_workloads_input_errors([PAYMENTS, PAYMENTS], {"max_surge": "lots"}, "v1.33")
    assert "k8s_workloads_services: 'payments': name is declared 2 times" in found
    assert any(e.startswith("k8s_workloads_kubernetes_version: ") for e in found)
    assert any(e.startswith("k8s_workloads_rolling_update.max_surge: ") for e in found)


def test_caller_peers():
    assert plan.k8s_workloads_caller_peers(["orders", "namespace/monitoring"], ["10.0.0.0/16"]) == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "orders"}},
         "podSelector": {"matchLabels": {"app.kubernetes.io/name": "orders"}}},
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}},
        {"ipBlock": {"cidr": "10.0.0.0/16"}},
    ]


def test_merge_patch_is_rfc_7386():
    assert merge_patch({"a": {"b": 1, "c": 2}, "l": [1, 2]}, {"a": {"b": None, "d": 3}, "l": [3]}) == {
        "a": {"c": 2, "d": 3}, "l": [3]}


@pytest.fixture(scope="module")
def fake_api(tmp_path_factory):
    api = fake_k8s_api.start(free_port(), tmp_path_factory.mktemp("fake-k8s-api"))
    yield api
    fake_k8s_api.stop(api.home)


def call(api, method, path, body=None, token=None, content_type="application/apply-patch+yaml"):
    request = urllib.request.Request(
        api.url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token or api.token}", "Content-Type": content_type})
    context = ssl.create_default_context(cafile=str(api.ca_file))
    try:
        with urllib.request.urlopen(request, context=context, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_fake_api_behaves_like_an_api_server_where_the_role_relies_on_it(fake_api):
    assert call(fake_api, "GET", "/api/v1/namespaces", token="wrong")[0] == 401
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}, "data": {"k": "1"}}
    path = "/api/v1/namespaces/n/configmaps/c?fieldManager=t"
    # dryRun changes nothing; apply creates a missing object.
    assert call(fake_api, "PATCH", path + "&dryRun=All", cm)[0] == 201
    assert call(fake_api, "GET", "/api/v1/namespaces/n/configmaps/c")[0] == 404
    status, created = call(fake_api, "PATCH", path, cm)
    assert status == 201 and created["metadata"]["uid"]
    # A no-op apply keeps the resourceVersion; a change bumps it.
    assert call(fake_api, "PATCH", path, cm)[1]["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    changed = call(fake_api, "PATCH", path, cm | {"data": {"k": "2"}})[1]
    assert changed["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]
    assert call(fake_api, "GET", "/api/v1/namespaces/n/configmaps/c")[1]["data"] == {"k": "2"}
    # A merge patch (not apply) of a missing object is a 404, as on a real server.
    assert call(fake_api, "PATCH", "/api/v1/namespaces/n/configmaps/x", cm,
                content_type="application/merge-patch+json")[0] == 404
    # Namespaces (cluster-scoped, served outside kmock's path parser).
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}
    assert call(fake_api, "PATCH", "/api/v1/namespaces/n?fieldManager=t", ns)[0] == 201
    assert [i["metadata"]["name"] for i in call(fake_api, "GET", "/api/v1/namespaces")[1]["items"]] == ["n"]
    assert call(fake_api, "DELETE", "/api/v1/namespaces/n")[0] == 200
    assert call(fake_api, "GET", "/api/v1/namespaces/n")[0] == 404
