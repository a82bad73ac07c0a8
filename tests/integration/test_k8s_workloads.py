"""k8s_workloads: strict schema validation of every manifest, bad input, and the image-tag roll.

No real Kubernetes API server runs here. The manifests are validated with
kubernetes-validate --strict for the cluster's version; the role is applied to the
fake API server (fake_k8s_api: kmock over HTTPS with a bearer token) and the tests
read the objects back from it.
"""

import copy
import json
import ssl
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml

import fake_k8s_api
from emulator.launcher import free_port
from tests.playbook import REPO_ROOT, run_playbook

ENVIRONMENTS = sorted(p.name for p in (REPO_ROOT / "inventories").iterdir() if (p / "hosts.yml").exists())
ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/rtap-local"
ECR_OUTPUTS = {"ecr_outputs": {"repository_uris": {"orders": f"{ECR}/orders", "payments": f"{ECR}/payments"}}}
KUBERNETES_VALIDATE = str(Path(sys.executable).with_name("kubernetes-validate"))
PLAYBOOK = "tests/integration/playbooks/k8s_workloads.yml"
ROLE_ARN = "arn:aws:iam::123456789012:role/rtap-local-eks-orders"


def kubernetes_version(env: str) -> str:
    """The cluster version the manifests target: the eks role's, as the inventory or its defaults set it."""
    for path in (REPO_ROOT / f"inventories/{env}/group_vars/platform/main.yml", REPO_ROOT / "roles/eks/defaults/main.yml"):
        if path.exists():
            version = (yaml.safe_load(path.read_text()) or {}).get("eks_kubernetes_version")
            if version:
                return str(version)
    return "1.33"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_manifest_is_valid_for_the_cluster_version(env, tmp_path):
    run = run_playbook({}, "tests/integration/playbooks/k8s_workloads_render.yml",
                       "-e", json.dumps(ECR_OUTPUTS | {"k8s_workloads_render_dir": str(tmp_path)}),
                       inventory=f"inventories/{env}")
    assert run.returncode == 0, run.output[-3000:]
    files = sorted(tmp_path.glob("*.yml"))
    kinds = {yaml.safe_load(f.read_text())["kind"] for f in files}
    assert kinds == {"Namespace", "ServiceAccount", "Service", "Deployment", "HorizontalPodAutoscaler",
                     "PodDisruptionBudget", "NetworkPolicy", "Ingress"}, kinds
    version = kubernetes_version(env)
    proc = subprocess.run([KUBERNETES_VALIDATE, "--strict", "--no-warn", "-k", f"{version}.0", *map(str, files)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("passed") == len(files), proc.stdout


@pytest.fixture(scope="module")
def fake_api(tmp_path_factory):
    api = fake_k8s_api.start(free_port(), tmp_path_factory.mktemp("fake-k8s-api"))
    yield api
    fake_k8s_api.stop(api.home)


@pytest.fixture
def k8s_env(aws_env, fake_api):
    return dict(aws_env, PLATFORM_FAKE_K8S_PORT=str(fake_api.port), PLATFORM_FAKE_K8S_HOME=str(fake_api.home))


def api_get(api, path: str) -> dict:
    request = urllib.request.Request(api.url + path, headers={"Authorization": f"Bearer {api.token}"})
    with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=str(api.ca_file)), timeout=5) as r:
        return json.load(r)


def all_objects(api) -> dict[str, dict]:
    """Every object of the fake API by kind/namespace/name."""
    paths = ["/api/v1/namespaces"] + [
        f"{prefix}/namespaces/{ns}/{plural}"
        for ns in ("orders", "payments")
        for prefix, plural in [("/api/v1", "serviceaccounts"), ("/api/v1", "services"),
                               ("/apis/apps/v1", "deployments"), ("/apis/autoscaling/v2", "horizontalpodautoscalers"),
                               ("/apis/policy/v1", "poddisruptionbudgets"),
                               ("/apis/networking.k8s.io/v1", "networkpolicies"),
                               ("/apis/networking.k8s.io/v1", "ingresses")]]
    objects = {}
    for path in paths:
        for item in api_get(api, path)["items"]:
            meta = item["metadata"]
            objects[f"{path.rsplit('/', 1)[1]}/{meta.get('namespace', '')}/{meta['name']}"] = item
    return objects


BAD_SERVICE = {"name": "orders", "tag": "1.0.0", "port": 8080, "callers": []}
CASES = {
    "HPA max below min": (
        [BAD_SERVICE | {"hpa": {"min": 3, "max": 2, "cpu_utilization": 70}, "resources": {"requests": {"cpu": "100m"}}}],
        "k8s_workloads_services: 'orders'.hpa.max: must not be less than hpa.min (3), got 2"),
    "container port out of range": (
        [BAD_SERVICE | {"port": 70000}],
        "k8s_workloads_services: 'orders'.port: container port must be an integer from 1 to 65535, got 70000"),
    "negative replicas": (
        [BAD_SERVICE | {"replicas": -1}],
        "k8s_workloads_services: 'orders'.replicas: must be an integer of at least 0, got -1"),
    "name that is not a DNS-1123 label": (
        [BAD_SERVICE | {"name": "Orders_API"}],
        "k8s_workloads_services: 'Orders_API': name must be a DNS-1123 label"),
    "unknown caller": (
        [BAD_SERVICE | {"callers": ["billing"]}],
        "k8s_workloads_services: 'orders'.callers: 'billing' is neither a declared service"),
}


@pytest.mark.parametrize("services, expected", CASES.values(), ids=CASES.keys())
def test_bad_input_fails_in_preflight_before_any_change(k8s_env, fake_api, tmp_path, services, expected):
    run = run_playbook(k8s_env, PLAYBOOK, "-e", json.dumps(ECR_OUTPUTS | {"k8s_workloads_services": services}),
                       artifacts=tmp_path)

    assert run.returncode != 0
    assert expected in run.output, run.output[-3000:]
    assert "TASK [preflight : Identify the AWS account]" not in run.output
    assert run.recap["changed"] == 0
    assert api_get(fake_api, "/api/v1/namespaces")["items"] == []


def sample_services() -> list[dict]:
    """The role's sample services with literal values, orders with an IRSA role."""
    defaults = yaml.safe_load((REPO_ROOT / "roles/k8s_workloads/defaults/main.yml").read_text())
    services = copy.deepcopy(defaults["k8s_workloads_services"])
    for service in services:
        service["hpa"].update({"min": 1, "max": 3})
    services[0]["iam_role_arn"] = ROLE_ARN
    return services


def test_a_new_image_tag_rolls_that_deployment_and_nothing_else(k8s_env, fake_api, tmp_path):
    services = sample_services()
    first = run_playbook(k8s_env, PLAYBOOK, "-e", json.dumps(ECR_OUTPUTS | {"k8s_workloads_services": services}),
                         artifacts=tmp_path)
    assert first.returncode == 0, first.output[-3000:]
    before = all_objects(fake_api)
    assert len(before) == 17, sorted(before)
    sa = before["serviceaccounts/orders/orders"]
    assert sa["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": ROLE_ARN}

    services[0]["tag"] = "1.0.1"
    roll = run_playbook(k8s_env, PLAYBOOK, "-e", json.dumps(ECR_OUTPUTS | {"k8s_workloads_services": services}),
                        artifacts=tmp_path)

    assert roll.returncode == 0, roll.output[-3000:]
    assert roll.changed_tasks == ["k8s_workloads : Apply every service's manifest of kind Deployment"], roll.changed_tasks
    assert roll.recap["changed"] == 1
    changed_items = [line for line in roll.output.splitlines() if line.startswith("changed:")]
    assert changed_items == ["changed: [localhost] => (item=orders)"], changed_items
    after = all_objects(fake_api)
    assert after.keys() == before.keys()
    rolled = after.pop("deployments/orders/orders")
    assert rolled["spec"]["template"]["spec"]["containers"][0]["image"] == f"{ECR}/orders:1.0.1"
    assert rolled["metadata"]["generation"] == before["deployments/orders/orders"]["metadata"]["generation"] + 1
    # Every other object is exactly as it was (same resourceVersion, same content).
    assert after == {key: obj for key, obj in before.items() if key != "deployments/orders/orders"}
