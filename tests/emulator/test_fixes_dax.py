"""The DAX fixes in emulator/fixes/dax.py restore documented AWS behaviour; these tests assert it.

Every test here fails on plain moto: check with
PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes_dax.py
"""

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

AwsClient = Callable[..., Any]
ROLE_ARN = "arn:aws:iam::123456789012:role/dax"


@pytest.fixture
def dax(fresh_emulator: Any, aws_client: AwsClient) -> Any:
    return aws_client("dax")


@pytest.fixture
def network(fresh_emulator: Any, aws_client: AwsClient) -> dict[str, Any]:
    """A VPC with two subnets in two AZs and a security group."""
    ec2 = aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=az)["Subnet"]["SubnetId"]
               for i, az in enumerate(["eu-west-1a", "eu-west-1b"])]
    group_id = ec2.create_security_group(GroupName="dax", Description="dax", VpcId=vpc_id)["GroupId"]
    return {"vpc_id": vpc_id, "subnet_ids": subnets, "security_group_id": group_id}


def error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return error.value.response["Error"]["Code"]


def wait_available(dax: Any, name: str) -> dict[str, Any]:
    for _ in range(10):
        cluster = dax.describe_clusters(ClusterNames=[name])["Clusters"][0]
        if cluster["Status"] == "available":
            return cluster
    raise AssertionError(f"cluster {name} never became available: {cluster['Status']}")


# --- dax_subnet_group_operations -------------------------------------------------------

def test_dax_subnet_group_lifecycle(dax: Any, network: dict[str, Any]) -> None:
    created = dax.create_subnet_group(SubnetGroupName="grp", Description="private",
                                      SubnetIds=network["subnet_ids"])["SubnetGroup"]
    assert created["VpcId"] == network["vpc_id"]
    assert [(s["SubnetIdentifier"], s["SubnetAvailabilityZone"]) for s in created["Subnets"]] == [
        (network["subnet_ids"][0], "eu-west-1a"), (network["subnet_ids"][1], "eu-west-1b")]

    described, = dax.describe_subnet_groups(SubnetGroupNames=["grp"])["SubnetGroups"]
    assert described["Description"] == "private" and len(described["Subnets"]) == 2

    updated = dax.update_subnet_group(SubnetGroupName="grp", Description="one",
                                      SubnetIds=network["subnet_ids"][:1])["SubnetGroup"]
    assert updated["Description"] == "one"
    assert [s["SubnetIdentifier"] for s in updated["Subnets"]] == network["subnet_ids"][:1]

    with pytest.raises(ClientError) as error:
        dax.create_subnet_group(SubnetGroupName="grp", SubnetIds=network["subnet_ids"])
    assert error_code(error) == "SubnetGroupAlreadyExistsFault"

    assert "DeletionMessage" in dax.delete_subnet_group(SubnetGroupName="grp")
    with pytest.raises(ClientError) as error:
        dax.describe_subnet_groups(SubnetGroupNames=["grp"])
    assert error_code(error) == "SubnetGroupNotFoundFault"
    with pytest.raises(ClientError) as error:
        dax.delete_subnet_group(SubnetGroupName="grp")
    assert error_code(error) == "SubnetGroupNotFoundFault"


def test_dax_subnet_group_rejects_unknown_subnets(dax: Any, network: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as error:
        dax.create_subnet_group(SubnetGroupName="grp", SubnetIds=["subnet-00000000"])
    assert error_code(error) == "InvalidSubnet"
    assert dax.describe_subnet_groups()["SubnetGroups"] == []


# --- dax_parameter_group_operations ----------------------------------------------------

def test_dax_parameter_group_lifecycle(dax: Any) -> None:
    created = dax.create_parameter_group(ParameterGroupName="ttl", Description="TTLs")["ParameterGroup"]
    assert created == {"ParameterGroupName": "ttl", "Description": "TTLs"}
    names = [g["ParameterGroupName"] for g in dax.describe_parameter_groups()["ParameterGroups"]]
    assert names == ["default.dax1.0", "ttl"]

    values = {p["ParameterName"]: p["ParameterValue"]
              for p in dax.describe_parameters(ParameterGroupName="ttl")["Parameters"]}
    assert values == {"query-ttl-millis": "300000", "record-ttl-millis": "300000"}

    dax.update_parameter_group(ParameterGroupName="ttl", ParameterNameValues=[
        {"ParameterName": "query-ttl-millis", "ParameterValue": "60000"},
        {"ParameterName": "record-ttl-millis", "ParameterValue": "0"}])
    parameters = {p["ParameterName"]: p for p in dax.describe_parameters(ParameterGroupName="ttl")["Parameters"]}
    assert parameters["query-ttl-millis"]["ParameterValue"] == "60000"
    assert parameters["record-ttl-millis"]["ParameterValue"] == "0"
    assert parameters["query-ttl-millis"]["ChangeType"] == "IMMEDIATE"

    with pytest.raises(ClientError) as error:
        dax.update_parameter_group(ParameterGroupName="ttl", ParameterNameValues=[
            {"ParameterName": "query-ttl-millis", "ParameterValue": "-1"}])
    assert error_code(error) == "InvalidParameterValueException"
    with pytest.raises(ClientError) as error:
        dax.create_parameter_group(ParameterGroupName="ttl")
    assert error_code(error) == "ParameterGroupAlreadyExistsFault"

    dax.delete_parameter_group(ParameterGroupName="ttl")
    with pytest.raises(ClientError) as error:
        dax.describe_parameters(ParameterGroupName="ttl")
    assert error_code(error) == "ParameterGroupNotFoundFault"


def test_dax_default_parameter_group_cannot_be_deleted(dax: Any) -> None:
    with pytest.raises(ClientError) as error:
        dax.delete_parameter_group(ParameterGroupName="default.dax1.0")
    assert error_code(error) == "InvalidParameterGroupStateFault"


# --- dax_create_cluster_applies_requested_settings -------------------------------------

def create_cluster(dax: Any, network: dict[str, Any], name: str = "cache", **extra: Any) -> dict[str, Any]:
    dax.create_subnet_group(SubnetGroupName=f"{name}-subnets", SubnetIds=network["subnet_ids"])
    dax.create_parameter_group(ParameterGroupName=f"{name}-params")
    return dax.create_cluster(
        ClusterName=name, NodeType="dax.t3.small", ReplicationFactor=2, IamRoleArn=ROLE_ARN,
        SubnetGroupName=f"{name}-subnets", ParameterGroupName=f"{name}-params",
        SecurityGroupIds=[network["security_group_id"]], PreferredMaintenanceWindow="sun:03:00-sun:04:00",
        SSESpecification={"Enabled": True}, **extra)["Cluster"]


def test_dax_create_cluster_applies_subnet_parameter_and_security_groups(dax: Any, network: dict[str, Any]) -> None:
    create_cluster(dax, network)
    cluster = wait_available(dax, "cache")
    assert cluster["SubnetGroup"] == "cache-subnets"
    assert cluster["ParameterGroup"]["ParameterGroupName"] == "cache-params"
    assert cluster["SecurityGroups"] == [{"SecurityGroupIdentifier": network["security_group_id"], "Status": "active"}]
    assert cluster["PreferredMaintenanceWindow"] == "sun:03:00-sun:04:00"
    assert {n["AvailabilityZone"] for n in cluster["Nodes"]} == {"eu-west-1a", "eu-west-1b"}

    # Groups a cluster uses cannot be deleted.
    with pytest.raises(ClientError) as error:
        dax.delete_subnet_group(SubnetGroupName="cache-subnets")
    assert error_code(error) == "SubnetGroupInUseFault"
    with pytest.raises(ClientError) as error:
        dax.delete_parameter_group(ParameterGroupName="cache-params")
    assert error_code(error) == "InvalidParameterGroupStateFault"


def test_dax_create_cluster_refuses_unknown_groups_and_duplicate_names(dax: Any, network: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as error:
        dax.create_cluster(ClusterName="orphan", NodeType="dax.t3.small", ReplicationFactor=1,
                           IamRoleArn=ROLE_ARN, SubnetGroupName="missing")
    assert error_code(error) == "SubnetGroupNotFoundFault"
    with pytest.raises(ClientError) as error:
        dax.create_cluster(ClusterName="orphan", NodeType="dax.t3.small", ReplicationFactor=1,
                           IamRoleArn=ROLE_ARN, ParameterGroupName="missing")
    assert error_code(error) == "ParameterGroupNotFoundFault"

    create_cluster(dax, network)
    with pytest.raises(ClientError) as error:
        dax.create_cluster(ClusterName="cache", NodeType="dax.r5.large", ReplicationFactor=1, IamRoleArn=ROLE_ARN)
    assert error_code(error) == "ClusterAlreadyExistsFault"
    assert dax.describe_clusters(ClusterNames=["cache"])["Clusters"][0]["NodeType"] == "dax.t3.small"


# --- dax_tls_cluster_endpoint_uses_daxs_on_port_9111 -----------------------------------

def test_dax_tls_cluster_endpoint_uses_daxs_on_port_9111(dax: Any) -> None:
    for name, encryption in (("plain", "NONE"), ("secure", "TLS")):
        dax.create_cluster(ClusterName=name, NodeType="dax.t3.small", ReplicationFactor=1, IamRoleArn=ROLE_ARN,
                           ClusterEndpointEncryptionType=encryption)
    plain, secure = wait_available(dax, "plain"), wait_available(dax, "secure")
    assert plain["ClusterDiscoveryEndpoint"]["Port"] == 8111
    assert plain["ClusterDiscoveryEndpoint"]["URL"].startswith("dax://")
    assert secure["ClusterEndpointEncryptionType"] == "TLS"
    assert secure["ClusterDiscoveryEndpoint"]["Port"] == 9111
    assert secure["ClusterDiscoveryEndpoint"]["URL"] == "daxs://" + secure["ClusterDiscoveryEndpoint"]["Address"]
    assert {n["Endpoint"]["Port"] for n in secure["Nodes"]} == {9111}


# --- dax_update_cluster_operation ------------------------------------------------------

def test_dax_update_cluster_changes_settings_in_place(dax: Any, network: dict[str, Any], aws_client: AwsClient) -> None:
    create_cluster(dax, network)
    with pytest.raises(ClientError) as error:  # still creating
        dax.update_cluster(ClusterName="cache", Description="x")
    assert error_code(error) == "InvalidClusterStateFault"
    arn = wait_available(dax, "cache")["ClusterArn"]

    dax.create_parameter_group(ParameterGroupName="other")
    other_sg = aws_client("ec2").create_security_group(GroupName="other", Description="o",
                                                       VpcId=network["vpc_id"])["GroupId"]
    updated = dax.update_cluster(ClusterName="cache", Description="hot reads", ParameterGroupName="other",
                                 SecurityGroupIds=[other_sg], PreferredMaintenanceWindow="mon:01:00-mon:02:00")
    assert updated["Cluster"]["ClusterArn"] == arn
    cluster = dax.describe_clusters(ClusterNames=["cache"])["Clusters"][0]
    assert cluster["Description"] == "hot reads"
    assert cluster["ParameterGroup"]["ParameterGroupName"] == "other"
    assert [g["SecurityGroupIdentifier"] for g in cluster["SecurityGroups"]] == [other_sg]
    assert cluster["PreferredMaintenanceWindow"] == "mon:01:00-mon:02:00"

    with pytest.raises(ClientError) as error:
        dax.update_cluster(ClusterName="cache", ParameterGroupName="missing")
    assert error_code(error) == "ParameterGroupNotFoundFault"
    with pytest.raises(ClientError) as error:
        dax.update_cluster(ClusterName="nothere", Description="x")
    assert error_code(error) == "ClusterNotFoundFault"
