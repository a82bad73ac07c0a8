"""Unit tests for the EKS pieces without AWS: the eks_token lookup, the eks_* modules'
planning logic and iam_component_roles' managed policy plan."""

import base64
import importlib.util
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import botocore.session
import pytest

REPO = Path(__file__).resolve().parents[2]


def load(name, path, register_as=None):
    spec = importlib.util.spec_from_file_location(register_as or name, path)
    module = importlib.util.module_from_spec(spec)
    if register_as:
        sys.modules[register_as] = module
    spec.loader.exec_module(module)
    return module


load("eks", REPO / "module_utils" / "eks.py", register_as="ansible.module_utils.eks")
load("tag_plan", REPO / "module_utils" / "tag_plan.py", register_as="ansible.module_utils.tag_plan")
token_mod = load("eks_token", REPO / "lookup_plugins" / "eks_token.py")
plane = load("eks_control_plane", REPO / "library" / "eks_control_plane.py")
addons = load("eks_addons", REPO / "library" / "eks_addons.py")
entries = load("eks_access_entries", REPO / "library" / "eks_access_entries.py")
roles = load("iam_component_roles", REPO / "library" / "iam_component_roles.py")
oidc = load("iam_openid_connect_provider", REPO / "library" / "iam_openid_connect_provider.py")


# --- eks_token ------------------------------------------------------------------------------

@pytest.fixture
def session(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    return botocore.session.Session()


def decode(token):
    assert token.startswith("k8s-aws-v1.")
    body = token[len("k8s-aws-v1."):]
    assert "=" not in body and "+" not in body and "/" not in body  # unpadded base64url
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()


def test_token_is_a_presigned_get_caller_identity_url(session):
    url = decode(token_mod.eks_token("rtap-dev-eks", region="eu-west-1", session=session))
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    assert parsed.scheme == "https" and parsed.netloc == "sts.eu-west-1.amazonaws.com"
    assert query["Action"] == ["GetCallerIdentity"] and query["Version"] == ["2011-06-15"]
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-SignedHeaders"] == ["host;x-k8s-aws-id"]
    assert query["X-Amz-Credential"][0].startswith("AKIDEXAMPLE/") and "/eu-west-1/sts/aws4_request" in query["X-Amz-Credential"][0]
    assert len(query["X-Amz-Signature"][0]) == 64


def test_token_signature_depends_on_the_cluster_name(session):
    first = parse_qs(urlparse(decode(token_mod.eks_token("a", region="eu-west-1", session=session))).query)
    second = parse_qs(urlparse(decode(token_mod.eks_token("b", region="eu-west-1", session=session))).query)
    assert first["X-Amz-Signature"] != second["X-Amz-Signature"]


def test_token_follows_the_sts_endpoint_setting(session, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://127.0.0.1:4566")
    url = decode(token_mod.eks_token("c", region="eu-west-1", session=botocore.session.Session()))
    assert url.startswith("https://127.0.0.1:4566/?Action=GetCallerIdentity")


def test_token_needs_credentials(monkeypatch):
    from ansible.errors import AnsibleError

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(AnsibleError, match="no AWS credentials"):
        token_mod.eks_token("c", region="eu-west-1")


# --- eks_control_plane -------------------------------------------------------------------

def params(**overrides):
    base = dict(version="1.33", endpoint_public_access=True, endpoint_private_access=True,
                public_access_cidrs=["0.0.0.0/0"], log_types=["api", "audit"], encryption_key_arn="arn:key",
                authentication_mode="API_AND_CONFIG_MAP", role_arn="arn:role", subnet_ids=["s-2", "s-1"],
                security_group_ids=["sg-1"])
    base.update(overrides)
    return base


def live_cluster(**overrides):
    cluster = {
        "version": "1.33", "roleArn": "arn:role",
        "resourcesVpcConfig": {"subnetIds": ["s-1", "s-2"], "securityGroupIds": ["sg-1"], "endpointPublicAccess": True,
                               "endpointPrivateAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]},
        "logging": {"clusterLogging": [{"types": ["api", "audit"], "enabled": True},
                                       {"types": ["authenticator", "controllerManager", "scheduler"], "enabled": False}]},
        "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": "arn:key"}}],
        "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
    }
    cluster.update(overrides)
    return cluster


def test_converged_cluster_plans_nothing():
    live, wanted = plane.live_state(live_cluster()), plane.desired_state(params())
    assert plane.refused_changes(live, wanted) == [] and plane.planned_updates(live, wanted) == []


def test_upgrade_goes_one_minor_version_per_run():
    updates = plane.planned_updates(plane.live_state(live_cluster()), plane.desired_state(params(version="1.35")))
    assert updates == [("update version 1.33 -> 1.34", "update_cluster_version", {"version": "1.34"})]


def test_endpoint_and_logging_changes_are_separate_updates():
    wanted = plane.desired_state(params(endpoint_public_access=False, log_types=["api"]))
    names = [u[0] for u in plane.planned_updates(plane.live_state(live_cluster()), wanted)]
    assert names == ["update endpoint access", "update logging"]


def test_logging_config_lists_enabled_and_disabled_types():
    assert plane.logging_config(["audit"]) == {"clusterLogging": [
        {"types": ["audit"], "enabled": True},
        {"types": ["api", "authenticator", "controllerManager", "scheduler"], "enabled": False}]}


@pytest.mark.parametrize("change,option", [
    ({"role_arn": "arn:other"}, "role_arn"),
    ({"subnet_ids": ["s-9"]}, "subnet_ids"),
    ({"encryption_key_arn": "arn:other-key"}, "encryption_key_arn"),
    ({"version": "1.32"}, "version"),
    ({"authentication_mode": "CONFIG_MAP"}, "authentication_mode"),
])
def test_changes_aws_cannot_make_are_refused(change, option):
    refused = plane.refused_changes(plane.live_state(live_cluster()), plane.desired_state(params(**change)))
    assert len(refused) == 1 and refused[0].startswith(option + ":")


def test_encryption_can_be_added_once():
    live = plane.live_state(live_cluster(encryptionConfig=[]))
    updates = plane.planned_updates(live, plane.desired_state(params()))
    assert [u[1] for u in updates] == ["associate_encryption_config"]


def test_create_request_has_a_stable_client_token():
    first = plane.create_params("c", plane.desired_state(params()), {})
    second = plane.create_params("c", plane.desired_state(params()), {})
    assert first["clientRequestToken"] == second["clientRequestToken"]
    assert first["accessConfig"]["authenticationMode"] == "API_AND_CONFIG_MAP"
    assert first["encryptionConfig"] == [{"resources": ["secrets"], "provider": {"keyArn": "arn:key"}}]


# --- module_utils/eks.py: waits --------------------------------------------------------------

def test_waits_poll_after_1_s_then_back_off_to_15_s():
    delays = sys.modules["ansible.module_utils.eks"].poll_delays()
    assert [next(delays) for _ in range(7)] == [1, 2, 4, 8, 15, 15, 15]


# --- eks_addons / eks_access_entries / iam_openid_connect_provider ------------------------------

VERSIONS = [{"addonName": "coredns", "addonVersions": [
    {"addonVersion": "v1.12.1", "compatibilities": [{"clusterVersion": "1.33", "defaultVersion": True},
                                                    {"clusterVersion": "1.34", "defaultVersion": False}]},
    {"addonVersion": "v1.12.3", "compatibilities": [{"clusterVersion": "1.34", "defaultVersion": True}]}]}]


def test_addon_default_version_follows_the_cluster_version():
    assert addons.default_version(VERSIONS, "coredns", "1.33") == "v1.12.1"
    assert addons.default_version(VERSIONS, "coredns", "1.34") == "v1.12.3"
    assert addons.default_version(VERSIONS, "coredns", "1.20") is None


def test_addon_changes():
    assert addons.addon_changes({"addonVersion": "v1"}, "v1", "") == (None, [])
    request, changes = addons.addon_changes({"addonVersion": "v1"}, "v2", "arn:role")
    assert request == {"addonVersion": "v2", "serviceAccountRoleArn": "arn:role"} and len(changes) == 2


def test_access_policy_plan():
    admin = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    view = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
    live = [{"policyArn": admin, "accessScope": {"type": "cluster", "namespaces": []}},
            {"policyArn": view, "accessScope": {"type": "namespace", "namespaces": ["a"]}}]
    assert entries.plan_policies(live, [{"policy_arn": admin, "namespaces": []}]) == ({}, [view])
    to_associate, _ = entries.plan_policies(live, [{"policy_arn": view, "namespaces": ["b", "a"]}])
    assert to_associate == {view: {"type": "namespace", "namespaces": ["a", "b"]}}


def test_oidc_urls_compare_without_scheme():
    assert oidc.bare_url("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC/") == "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
    assert oidc.normalized(["AB", "ab", "cd"]) == ["ab", "cd"]


# --- iam_component_roles: managed policies ---------------------------------------------------

def test_managed_policy_plan():
    live = ["arn:a", "arn:extra"]
    assert roles.plan_managed_policies(live, ["arn:a", "arn:b"], purge=True) == (["arn:b"], ["arn:extra"])
    assert roles.plan_managed_policies(live, ["arn:a", "arn:b"], purge=False) == (["arn:b"], [])
    assert roles.plan_managed_policies(live, [], purge=True) == ([], ["arn:a", "arn:extra"])
