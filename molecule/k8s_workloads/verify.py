"""k8s_workloads scenario: read every object back from the fake Kubernetes API."""

import json
import os
import ssl
import urllib.request
from pathlib import Path

HOME = Path(os.environ["PLATFORM_FAKE_K8S_HOME"])
URL = f"https://127.0.0.1:{os.environ['PLATFORM_FAKE_K8S_PORT']}"
CONTEXT = ssl.create_default_context(cafile=str(HOME / "ca.pem"))
TOKEN = (HOME / "token").read_text().strip()
ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/rtap-local"


def get(path: str) -> dict:
    request = urllib.request.Request(URL + path, headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, context=CONTEXT, timeout=5) as response:
        return json.load(response)


def names(path: str) -> set[str]:
    return {item["metadata"]["name"] for item in get(path)["items"]}


assert {"orders", "payments"} <= names("/api/v1/namespaces")
for svc in ("orders", "payments"):
    ns = get(f"/api/v1/namespaces/{svc}")
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted", ns
    assert get(f"/api/v1/namespaces/{svc}/serviceaccounts/{svc}")["automountServiceAccountToken"] is False

    deployment = get(f"/apis/apps/v1/namespaces/{svc}/deployments/{svc}")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["image"] == f"{ECR}/{svc}:1.0.0", container["image"]
    assert "replicas" not in deployment["spec"], "the HPA owns the size"
    assert deployment["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": "25%", "maxUnavailable": 0}
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["resources"]["requests"] == {"cpu": "250m", "memory": "256Mi"}

    service = get(f"/api/v1/namespaces/{svc}/services/{svc}")
    assert service["spec"]["ports"][0]["targetPort"] == "http"

    hpa = get(f"/apis/autoscaling/v2/namespaces/{svc}/horizontalpodautoscalers/{svc}")
    # The local inventory's limits (k8s_workloads_hpa_min_replicas / _max_replicas).
    assert hpa["spec"]["scaleTargetRef"]["name"] == svc
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (1, 3), hpa["spec"]
    assert get(f"/apis/policy/v1/namespaces/{svc}/poddisruptionbudgets/{svc}")["spec"]["selector"]
    assert names(f"/apis/networking.k8s.io/v1/namespaces/{svc}/networkpolicies") == {
        "default-deny-ingress", f"{svc}-allow-callers"}

hpa = get("/apis/autoscaling/v2/namespaces/orders/horizontalpodautoscalers/orders")
assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu", "memory"]
allow = get("/apis/networking.k8s.io/v1/namespaces/payments/networkpolicies/payments-allow-callers")
assert allow["spec"]["ingress"][0]["from"] == [{
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "orders"}},
    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "orders"}},
}], allow
ingress = get("/apis/networking.k8s.io/v1/namespaces/orders/ingresses/orders")
assert ingress["spec"]["ingressClassName"] == "alb"
assert ingress["metadata"]["annotations"]["alb.ingress.kubernetes.io/target-type"] == "ip"
assert names("/apis/networking.k8s.io/v1/namespaces/payments/ingresses") == set()
print("k8s_workloads: 2 services verified on the fake API")
