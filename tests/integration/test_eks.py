"""The eks role and the eks_* / iam_openid_connect_provider modules against the emulator.

The role's prerequisites are made with boto3, shaped exactly as the foundation makes
them (subnets tagged Platform/Environment/Tier by the network role, the keys
alias/<prefix>-data and -logs); molecule/eks runs the real chain (preflight, kms, iam,
network, eks). The eks role runs alone, as when the containers layer runs without the
foundation, twice and in check mode. Every assertion reads the emulator's state with
boto3, never a module's own report. Bad input runs last: it wipes the emulator.
"""

import base64
import json
import os
from urllib.parse import parse_qs, urlparse

import pytest

from emulator import launcher
from tests.playbook import run_playbook

PREFIX = "rtap-local"
CLUSTER = f"{PREFIX}-eks"
PLAYBOOK = "tests/integration/playbooks/eks/eks.yml"
ADMIN = "arn:aws:iam::123456789012:role/platform-admin"
EXTRA = json.dumps({"eks_admin_principal_arns": [ADMIN]})
TAGS = {"Platform": "rtap", "Environment": "local", "ManagedBy": "ansible-platform-toolkit", "Layer": "foundation"}


def tag_spec(resource_type, **extra):
    return [{"ResourceType": resource_type,
             "Tags": [{"Key": k, "Value": v} for k, v in dict(TAGS, **extra).items()]}]


def make_foundation(aws_client):
    """What the network and kms roles leave for the containers layer."""
    ec2, kms = aws_client("ec2"), aws_client("kms")
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16", TagSpecifications=tag_spec("vpc", Name=f"{PREFIX}-vpc"))["Vpc"]["VpcId"]
    for tier, cidr, az in (("public", "10.20.0.0/19", "eu-west-1a"), ("private", "10.20.128.0/19", "eu-west-1a"),
                           ("private", "10.20.160.0/19", "eu-west-1b")):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az,
                          TagSpecifications=tag_spec("subnet", Name=f"{PREFIX}-{tier}-{az}", Tier=tier))
    keys = {}
    for purpose in ("data", "logs"):
        keys[purpose] = kms.create_key(Description=purpose)["KeyMetadata"]["Arn"]
        kms.create_alias(AliasName=f"alias/{PREFIX}-{purpose}", TargetKeyId=keys[purpose])
    return {"vpc_id": vpc_id, "keys": keys}


@pytest.fixture(scope="module")
def converged(emulator, aws_client, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)
    env = dict(os.environ, **emulator.env())
    artifacts = tmp_path_factory.mktemp("artifacts")
    check_empty = run_playbook(env, PLAYBOOK, "--check", "-e", EXTRA, artifacts=artifacts)
    foundation = make_foundation(aws_client)
    return {
        "foundation": foundation,
        "check_empty": check_empty,
        "first": run_playbook(env, PLAYBOOK, "-e", EXTRA, artifacts=artifacts),
        "second": run_playbook(env, PLAYBOOK, "-e", EXTRA, artifacts=artifacts),
        "check": run_playbook(env, PLAYBOOK, "--check", "--diff", "-e", EXTRA, artifacts=artifacts),
        "artifacts": artifacts,
        "env": env,
    }


@pytest.fixture
def eks(converged, aws_client):
    return aws_client("eks")


def test_check_mode_on_an_empty_environment_predicts_and_creates_nothing(converged, aws_client):
    run = converged["check_empty"]
    assert run.returncode == 0, run.output[-4000:]
    assert "subnets do not exist yet" in run.output
    assert run.recap["changed"] >= 1  # the IAM roles would be created


def test_first_run_converges(converged):
    assert converged["first"].returncode == 0, converged["first"].output[-4000:]
    assert converged["first"].recap["changed"] >= 9


def test_second_run_changes_nothing(converged):
    assert converged["second"].returncode == 0, converged["second"].output[-4000:]
    assert converged["second"].recap["changed"] == 0, converged["second"].changed_tasks


def test_check_mode_on_converged_environment_reports_no_change(converged):
    assert converged["check"].returncode == 0, converged["check"].output[-4000:]
    assert converged["check"].recap["changed"] == 0, converged["check"].changed_tasks


def test_cluster_version_endpoint_logging_and_encryption(eks, converged, aws_client):
    cluster = eks.describe_cluster(name=CLUSTER)["cluster"]
    assert cluster["status"] == "ACTIVE" and cluster["version"] == "1.33"
    vpc = cluster["resourcesVpcConfig"]
    assert (vpc["endpointPublicAccess"], vpc["endpointPrivateAccess"], vpc["publicAccessCidrs"]) == (
        True, True, ["0.0.0.0/0"])
    private = aws_client("ec2").describe_subnets(Filters=[{"Name": "tag:Tier", "Values": ["private"]}])["Subnets"]
    assert sorted(vpc["subnetIds"]) == sorted(s["SubnetId"] for s in private)
    logging = {t for entry in cluster["logging"]["clusterLogging"] if entry["enabled"] for t in entry["types"]}
    assert logging == {"api", "audit", "authenticator", "controllerManager", "scheduler"}
    assert cluster["encryptionConfig"] == [
        {"resources": ["secrets"], "provider": {"keyArn": converged["foundation"]["keys"]["data"]}}]
    assert cluster["accessConfig"]["authenticationMode"] == "API_AND_CONFIG_MAP"
    assert cluster["roleArn"].endswith(f":role/{CLUSTER}-cluster")
    assert cluster["tags"]["Layer"] == "containers"


def test_log_group_is_encrypted_with_the_logs_key(converged, aws_client):
    group, = aws_client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/eks/{CLUSTER}/cluster")["logGroups"]
    assert group["retentionInDays"] == 7
    assert group["kmsKeyId"] == converged["foundation"]["keys"]["logs"]


def test_security_group_allows_https_from_the_vpc_only(eks, aws_client):
    cluster = eks.describe_cluster(name=CLUSTER)["cluster"]
    group, = aws_client("ec2").describe_security_groups(GroupIds=cluster["resourcesVpcConfig"]["securityGroupIds"])["SecurityGroups"]
    assert group["GroupName"] == f"{CLUSTER}-cluster"
    assert [(p["FromPort"], p["ToPort"], [r["CidrIp"] for r in p["IpRanges"]]) for p in group["IpPermissions"]] == [
        (443, 443, ["10.20.0.0/16"])]


def test_iam_roles_hold_exactly_the_aws_managed_policies(converged, aws_client):
    iam = aws_client("iam")
    expected = {
        f"{CLUSTER}-cluster": ("eks.amazonaws.com", {"AmazonEKSClusterPolicy"}),
        f"{CLUSTER}-node": ("ec2.amazonaws.com", {"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly",
                                                  "AmazonEKS_CNI_Policy"}),
        f"{CLUSTER}-fargate-pods": ("eks-fargate-pods.amazonaws.com", {"AmazonEKSFargatePodExecutionRolePolicy"}),
    }
    for role, (service, policies) in expected.items():
        trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
        assert trust["Statement"][0]["Principal"] == {"Service": service}
        attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        assert {p["PolicyName"] for p in attached} == policies
        assert all(p["PolicyArn"].startswith("arn:aws:iam::aws:policy/") for p in attached)


def test_node_group_scaling_update_config_labels_and_taints(eks):
    group = eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName="general")["nodegroup"]
    assert group["scalingConfig"] == {"minSize": 1, "desiredSize": 1, "maxSize": 2}
    assert group["updateConfig"] == {"maxUnavailable": 1}
    assert group["instanceTypes"] == ["t3.medium"] and group["capacityType"] == "ON_DEMAND"
    assert group["diskSize"] == 20 and group["labels"] == {"workload": "general"}
    assert group.get("taints", []) == []
    assert group["nodeRole"].endswith(f":role/{CLUSTER}-node")
    assert group["version"] == "1.33"


def test_fargate_profile_selectors(eks):
    profile = eks.describe_fargate_profile(clusterName=CLUSTER, fargateProfileName="jobs")["fargateProfile"]
    assert profile["selectors"] == [{"namespace": "jobs", "labels": {"compute": "fargate"}}]
    assert profile["podExecutionRoleArn"].endswith(f":role/{CLUSTER}-fargate-pods")


def test_oidc_provider_trusts_the_cluster_issuer(eks, aws_client):
    issuer = eks.describe_cluster(name=CLUSTER)["cluster"]["identity"]["oidc"]["issuer"]
    iam = aws_client("iam")
    arns = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    arn, = [a for a in arns if a.endswith(issuer.split("://", 1)[1])]
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert provider["ClientIDList"] == ["sts.amazonaws.com"]
    assert provider["ThumbprintList"] == ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]


def test_admin_access_entry_has_cluster_admin(eks):
    assert ADMIN in eks.list_access_entries(clusterName=CLUSTER)["accessEntries"]
    policies = eks.list_associated_access_policies(clusterName=CLUSTER, principalArn=ADMIN)["associatedAccessPolicies"]
    assert [(p["policyArn"], p["accessScope"]["type"]) for p in policies] == [
        ("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "cluster")]


def test_core_addons_at_the_cluster_default_versions(eks):
    assert eks.list_addons(clusterName=CLUSTER)["addons"] == ["coredns", "kube-proxy", "vpc-cni"]
    for name in ("vpc-cni", "coredns", "kube-proxy"):
        versions = eks.describe_addon_versions(kubernetesVersion="1.33", addonName=name)["addons"][0]["addonVersions"]
        default, = [v["addonVersion"] for v in versions
                    if any(c["clusterVersion"] == "1.33" and c["defaultVersion"] for c in v["compatibilities"])]
        assert eks.describe_addon(clusterName=CLUSTER, addonName=name)["addon"]["addonVersion"] == default


def test_outputs_give_what_kubernetes_clients_need(converged, eks):
    outputs = json.loads((converged["artifacts"] / "local" / "outputs.json").read_text())["eks"]
    cluster = eks.describe_cluster(name=CLUSTER)["cluster"]
    assert outputs["cluster_name"] == CLUSTER and outputs["endpoint"] == cluster["endpoint"]
    assert outputs["certificate_authority"] == cluster["certificateAuthority"]["data"]
    assert base64.b64decode(outputs["certificate_authority"]).startswith(b"-----BEGIN CERTIFICATE-----")
    assert outputs["oidc_issuer"] == cluster["identity"]["oidc"]["issuer"]
    assert outputs["oidc_provider_arn"].endswith(cluster["identity"]["oidc"]["issuer"].split("://", 1)[1])


def test_eks_token_lookup_in_a_play(converged):
    """The lookup works inside ansible-playbook (ansible.cfg's lookup_plugins), with the run's credentials."""
    run = run_playbook(converged["env"], "tests/integration/playbooks/eks/token.yml", artifacts=converged["artifacts"])
    assert run.returncode == 0, run.output[-3000:]
    token = run.output.split("TOKEN=", 1)[1].split()[0].strip("\"'")
    url = base64.urlsafe_b64decode(token[len("k8s-aws-v1."):] + "==").decode()
    query = parse_qs(urlparse(url).query)
    assert query["Action"] == ["GetCallerIdentity"] and query["X-Amz-Expires"] == ["60"]
    assert "x-k8s-aws-id" in query["X-Amz-SignedHeaders"][0]


def test_changes_are_applied_in_place(converged, eks):
    """Private endpoint only, node group scaled, one Fargate profile more, and a minor version
    upgrade with the add-ons following it, on the same cluster."""
    extra = json.dumps({
        "eks_admin_principal_arns": [ADMIN], "eks_endpoint_public_access": False,
        "eks_kubernetes_version": "1.34",
        "eks_node_groups": [{"name": "general", "instance_types": ["t3.medium"], "min_size": 1, "desired_size": 2,
                             "max_size": 3, "max_unavailable": 1, "disk_size": 20, "labels": {"workload": "general"},
                             "taints": []}],
        "eks_fargate_profiles": [{"name": "jobs", "selectors": [{"namespace": "jobs", "labels": {"compute": "fargate"}}]},
                                 {"name": "batch", "selectors": [{"namespace": "batch"}]}],
    })
    arn = eks.describe_cluster(name=CLUSTER)["cluster"]["arn"]
    run = run_playbook(converged["env"], PLAYBOOK, "-e", extra, artifacts=converged["artifacts"])
    assert run.returncode == 0, run.output[-4000:]
    cluster = eks.describe_cluster(name=CLUSTER)["cluster"]
    assert cluster["arn"] == arn and cluster["version"] == "1.34"
    assert (cluster["resourcesVpcConfig"]["endpointPublicAccess"], cluster["resourcesVpcConfig"]["endpointPrivateAccess"]) == (
        False, True)
    assert eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName="general")["nodegroup"]["scalingConfig"] == {
        "minSize": 1, "desiredSize": 2, "maxSize": 3}
    assert sorted(eks.list_fargate_profiles(clusterName=CLUSTER)["fargateProfileNames"]) == ["batch", "jobs"]
    assert eks.describe_addon(clusterName=CLUSTER, addonName="kube-proxy")["addon"]["addonVersion"].startswith("v1.34.")


# --- bad input (last: it wipes the emulator) ----------------------------------------------

BAD_INPUT = {
    "unsupported version": ({"eks_kubernetes_version": "1.20"}, "eks_kubernetes_version: must be one of"),
    "min above max": ({"eks_node_groups": [{"name": "g", "instance_types": ["t3.small"], "min_size": 3,
                                            "desired_size": 3, "max_size": 2}]},
                      "eks_node_groups[g].min_size: must not exceed max_size"),
    "desired outside range": ({"eks_node_groups": [{"name": "g", "instance_types": ["t3.small"], "min_size": 1,
                                                    "desired_size": 5, "max_size": 2}]},
                              "eks_node_groups[g].desired_size: must be between min_size and max_size"),
    "bad taint effect": ({"eks_node_groups": [{"name": "g", "instance_types": ["t3.small"], "min_size": 1,
                                               "desired_size": 1, "max_size": 2,
                                               "taints": [{"key": "k", "value": "v", "effect": "NoSchedule"}]}]},
                         "eks_node_groups[g].taints: effect must be one of"),
    "empty fargate selectors": ({"eks_fargate_profiles": [{"name": "p", "selectors": []}]},
                                "eks_fargate_profiles[p].selectors: 1 to 5 selectors"),
}


@pytest.mark.parametrize("extra,message", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_fails_in_preflight_and_creates_nothing(fresh_emulator, aws_env, aws_client, tmp_path, extra, message):
    run = run_playbook(aws_env, PLAYBOOK, "-e", json.dumps(extra), artifacts=tmp_path)
    assert run.returncode != 0
    assert message in run.output, run.output[-3000:]
    assert "Pre-flight" in run.output.split(message, 1)[0].rsplit("PLAY [", 1)[1]
    assert aws_client("eks").list_clusters()["clusters"] == []
    assert not [r for r in aws_client("iam").list_roles()["Roles"] if r["RoleName"].startswith(CLUSTER)]
