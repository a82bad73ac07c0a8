"""The EKS fixes in emulator/fixes/eks.py restore documented AWS behaviour; these tests assert it.

Every test here fails on plain moto: check with
PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes_eks.py
"""

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

AwsClient = Callable[..., Any]
ROLE_ARN = "arn:aws:iam::123456789012:role/eks"
ADMIN = "arn:aws:iam::123456789012:role/platform-admin"
ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


@pytest.fixture
def eks(fresh_emulator: Any, aws_client: AwsClient) -> Any:
    return aws_client("eks")


@pytest.fixture
def subnets(fresh_emulator: Any, aws_client: AwsClient) -> dict[str, Any]:
    ec2 = aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ids = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=az)["Subnet"]["SubnetId"]
           for i, az in enumerate(["eu-west-1a", "eu-west-1b"])]
    return {"vpc_id": vpc_id, "subnet_ids": ids}


def make_cluster(eks: Any, subnets: dict[str, Any], version: str = "1.33", **extra: Any) -> dict[str, Any]:
    return eks.create_cluster(name="c", version=version, roleArn=ROLE_ARN,
                              resourcesVpcConfig={"subnetIds": subnets["subnet_ids"]}, **extra)["cluster"]


def error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return error.value.response["Error"]["Code"]


# --- create_nodegroup_keeps_update_config_and_cluster_version --------------------------

def test_nodegroup_keeps_update_config_and_takes_the_cluster_version(eks: Any, subnets: dict[str, Any]) -> None:
    make_cluster(eks, subnets, version="1.32")
    eks.create_nodegroup(clusterName="c", nodegroupName="a", nodeRole=ROLE_ARN, subnets=subnets["subnet_ids"],
                         updateConfig={"maxUnavailablePercentage": 25})
    eks.create_nodegroup(clusterName="c", nodegroupName="b", nodeRole=ROLE_ARN, subnets=subnets["subnet_ids"])
    a = eks.describe_nodegroup(clusterName="c", nodegroupName="a")["nodegroup"]
    b = eks.describe_nodegroup(clusterName="c", nodegroupName="b")["nodegroup"]
    assert a["updateConfig"] == {"maxUnavailablePercentage": 25}
    assert b["updateConfig"] == {"maxUnavailable": 1}
    assert a["version"] == b["version"] == "1.32"


# --- cluster_vpc_config_and_access_config_follow_aws ---------------------------------

def test_cluster_vpc_config_defaults_access_config_and_merging_update(eks: Any, subnets: dict[str, Any]) -> None:
    make_cluster(eks, subnets, accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"})
    cluster = eks.describe_cluster(name="c")["cluster"]
    vpc = cluster["resourcesVpcConfig"]
    assert vpc["vpcId"] == subnets["vpc_id"] and vpc["clusterSecurityGroupId"].startswith("sg-")
    assert (vpc["endpointPublicAccess"], vpc["endpointPrivateAccess"], vpc["publicAccessCidrs"]) == (
        True, False, ["0.0.0.0/0"])
    assert cluster["accessConfig"]["authenticationMode"] == "API_AND_CONFIG_MAP"

    update = eks.update_cluster_config(name="c", resourcesVpcConfig={
        "endpointPublicAccess": False, "endpointPrivateAccess": True})["update"]
    assert update["type"] == "EndpointAccessUpdate" and update["status"] == "Successful"
    vpc = eks.describe_cluster(name="c")["cluster"]["resourcesVpcConfig"]
    assert vpc["subnetIds"] == subnets["subnet_ids"], "UpdateClusterConfig keeps the subnets"
    assert (vpc["endpointPublicAccess"], vpc["endpointPrivateAccess"]) == (False, True)

    with pytest.raises(ClientError) as error:
        eks.update_cluster_config(name="c", accessConfig={"authenticationMode": "CONFIG_MAP"})
    assert error_code(error) == "InvalidParameterException"


# --- update_cluster_version_upgrades_one_minor_version --------------------------------

def test_update_cluster_version_one_minor_at_a_time(eks: Any, subnets: dict[str, Any]) -> None:
    make_cluster(eks, subnets, version="1.32")
    with pytest.raises(ClientError) as error:
        eks.update_cluster_version(name="c", version="1.34")
    assert error_code(error) == "InvalidParameterException"
    update = eks.update_cluster_version(name="c", version="1.33")["update"]
    assert eks.describe_update(name="c", updateId=update["id"])["update"]["status"] == "Successful"
    assert eks.describe_cluster(name="c")["cluster"]["version"] == "1.33"


# --- addons_and_addon_versions_operations ---------------------------------------------

def test_addon_versions_have_one_default_per_cluster_version(eks: Any) -> None:
    addons = eks.describe_addon_versions(kubernetesVersion="1.33", addonName="coredns")["addons"]
    assert [a["addonName"] for a in addons] == ["coredns"]
    defaults = [v["addonVersion"] for v in addons[0]["addonVersions"]
                if any(c["clusterVersion"] == "1.33" and c["defaultVersion"] for c in v["compatibilities"])]
    assert len(defaults) == 1


def test_addon_lifecycle(eks: Any, subnets: dict[str, Any]) -> None:
    make_cluster(eks, subnets)
    created = eks.create_addon(clusterName="c", addonName="kube-proxy")["addon"]
    assert created["addonVersion"].startswith("v1.33.") and created["status"] == "ACTIVE"
    assert eks.list_addons(clusterName="c")["addons"] == ["kube-proxy"]
    with pytest.raises(ClientError) as error:
        eks.create_addon(clusterName="c", addonName="kube-proxy")
    assert error_code(error) == "ResourceInUseException"
    with pytest.raises(ClientError) as error:
        eks.update_addon(clusterName="c", addonName="kube-proxy", addonVersion="v1.20.0-eksbuild.1")
    assert error_code(error) == "InvalidParameterException"
    eks.update_addon(clusterName="c", addonName="kube-proxy", addonVersion="v1.33.0-eksbuild.1")
    assert eks.describe_addon(clusterName="c", addonName="kube-proxy")["addon"]["addonVersion"] == "v1.33.0-eksbuild.1"
    eks.delete_addon(clusterName="c", addonName="kube-proxy")
    with pytest.raises(ClientError) as error:
        eks.describe_addon(clusterName="c", addonName="kube-proxy")
    assert error_code(error) == "ResourceNotFoundException"


# --- access_entries_and_access_policies_operations -------------------------------------

def test_access_entries_need_the_api_authentication_mode(eks: Any, subnets: dict[str, Any]) -> None:
    make_cluster(eks, subnets)
    with pytest.raises(ClientError) as error:
        eks.create_access_entry(clusterName="c", principalArn=ADMIN)
    assert error_code(error) == "InvalidParameterException"


def test_access_entry_lifecycle(eks: Any, subnets: dict[str, Any]) -> None:
    make_cluster(eks, subnets, accessConfig={"authenticationMode": "API"})
    entry = eks.create_access_entry(clusterName="c", principalArn=ADMIN)["accessEntry"]
    assert entry["type"] == "STANDARD" and entry["username"] == ADMIN
    assert eks.list_access_entries(clusterName="c")["accessEntries"] == [ADMIN]
    eks.associate_access_policy(clusterName="c", principalArn=ADMIN, policyArn=ADMIN_POLICY,
                                accessScope={"type": "cluster"})
    policies = eks.list_associated_access_policies(clusterName="c", principalArn=ADMIN)["associatedAccessPolicies"]
    assert [(p["policyArn"], p["accessScope"]["type"]) for p in policies] == [(ADMIN_POLICY, "cluster")]
    eks.disassociate_access_policy(clusterName="c", principalArn=ADMIN, policyArn=ADMIN_POLICY)
    assert eks.list_associated_access_policies(clusterName="c", principalArn=ADMIN)["associatedAccessPolicies"] == []
    eks.delete_access_entry(clusterName="c", principalArn=ADMIN)
    with pytest.raises(ClientError) as error:
        eks.describe_access_entry(clusterName="c", principalArn=ADMIN)
    assert error_code(error) == "ResourceNotFoundException"


def test_each_cluster_has_its_issuer_endpoint_and_a_pem_ca(eks: Any, subnets: dict[str, Any]) -> None:
    import base64

    first = make_cluster(eks, subnets)
    second = eks.create_cluster(name="d", roleArn=ROLE_ARN, resourcesVpcConfig={"subnetIds": subnets["subnet_ids"]})["cluster"]
    assert first["identity"]["oidc"]["issuer"] != second["identity"]["oidc"]["issuer"]
    assert first["endpoint"] != second["endpoint"] and not first["endpoint"].endswith("/")
    described = eks.describe_cluster(name="c")["cluster"]
    assert base64.b64decode(described["certificateAuthority"]["data"]).startswith(b"-----BEGIN CERTIFICATE-----")


# --- tags_work_on_node_groups_fargate_profiles_addons_and_access_entries ----------------

def test_node_groups_and_fargate_profiles_can_be_tagged(eks: Any, subnets: dict[str, Any]) -> None:
    make_cluster(eks, subnets)
    group = eks.create_nodegroup(clusterName="c", nodegroupName="a", nodeRole=ROLE_ARN, subnets=subnets["subnet_ids"],
                                 tags={"Layer": "containers"})["nodegroup"]
    profile = eks.create_fargate_profile(clusterName="c", fargateProfileName="f", podExecutionRoleArn=ROLE_ARN,
                                         subnets=subnets["subnet_ids"], selectors=[{"namespace": "jobs"}])["fargateProfile"]
    assert eks.list_tags_for_resource(resourceArn=group["nodegroupArn"])["tags"] == {"Layer": "containers"}
    eks.tag_resource(resourceArn=group["nodegroupArn"], tags={"Owner": "platform"})
    eks.untag_resource(resourceArn=group["nodegroupArn"], tagKeys=["Layer"])
    assert eks.describe_nodegroup(clusterName="c", nodegroupName="a")["nodegroup"]["tags"] == {"Owner": "platform"}
    eks.tag_resource(resourceArn=profile["fargateProfileArn"], tags={"Owner": "platform"})
    assert eks.list_tags_for_resource(resourceArn=profile["fargateProfileArn"])["tags"] == {"Owner": "platform"}
