"""Latency mode (emulator/fixes/latency.py): slow AWS resources stay creating for a scaled time.

An emulator started with a latency answers describes with the creating state right after a
create and with the active one once the scaled delay has passed; without latency (the shared
test emulator) they are active at once, as before.
"""

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator import launcher
from emulator.fixes import latency

# Seconds per AWS minute: an EKS cluster (15 AWS minutes) stays CREATING for 3 s.
SCALE = 0.2
DEADLINE = 60  # seconds; generous, only to end a test that would otherwise poll forever
ROLE_ARN = "arn:aws:iam::123456789012:role/platform"
AwsClient = Callable[..., Any]


@pytest.fixture(scope="module")
def slow_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwsClient]:
    """A client factory for an emulator of its own started with latency SCALE."""
    home = tmp_path_factory.mktemp("emulator-latency")
    running = launcher.start(port=launcher.free_port(), home=home, latency=SCALE)
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=running.region)
    try:
        yield lambda service: session.client(service, endpoint_url=running.url, verify=str(running.ca_bundle))
    finally:
        launcher.stop(home)


def wait_for(read: Callable[[], str], wanted: str) -> str:
    """Poll read() until it returns wanted; fail after DEADLINE seconds."""
    deadline = time.monotonic() + DEADLINE
    while (value := read()) != wanted:
        assert time.monotonic() < deadline, f"still {value}, never {wanted}"
        time.sleep(0.1)
    return value


def network(ec2: Any) -> list[str]:
    vpc_id = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    return [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.7.{i}.0/24", AvailabilityZone=f"eu-west-1{az}")["Subnet"]["SubnetId"]
            for i, az in enumerate("ab")]


def create_cluster(eks: Any, name: str, subnets: list[str]) -> dict[str, Any]:
    return eks.create_cluster(name=name, version="1.33", roleArn=ROLE_ARN, resourcesVpcConfig={"subnetIds": subnets})["cluster"]


# --- the table --------------------------------------------------------------------------

def test_every_delay_has_minutes_a_source_and_a_known_dependency() -> None:
    entries = latency.delays()
    keys = [entry["key"] for entry in entries]
    assert len(keys) == len(set(keys))
    assert {"eks_cluster", "eks_nodegroup", "eks_fargate_profile", "eks_addon", "nat_gateway", "dax_cluster",
            "ecs_service_rollout"} <= set(keys)
    for entry in entries:
        assert entry["aws_minutes"] > 0, entry
        assert entry["source"].strip(), entry
        assert entry["holds"] and entry["becomes"] and entry["resource"], entry
        assert entry["after"] is None or entry["after"] in keys, entry
    by_key = {entry["key"]: entry for entry in entries}
    assert by_key["eks_nodegroup"]["after"] == "eks_cluster"
    assert by_key["nat_gateway"]["after"] is None


def test_latency_is_off_unless_a_positive_number_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for value, expected in (("", 0.0), ("0", 0.0), ("-1", 0.0), ("fast", 0.0), ("1.5", 1.5)):
        monkeypatch.setenv(latency.LATENCY_ENV, value)
        assert latency.scale() == expected
    monkeypatch.delenv(latency.LATENCY_ENV)
    assert latency.scale() == 0.0


def test_launcher_passes_the_latency_to_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(launcher.LATENCY_ENV, "3")
    assert launcher._server_env()[launcher.LATENCY_ENV] == "3"  # the caller's environment
    assert launcher._server_env(0.5)[launcher.LATENCY_ENV] == "0.5"


# --- with latency -----------------------------------------------------------------------

def test_eks_cluster_node_group_fargate_profile_and_addon_are_creating_then_active(slow_client: AwsClient) -> None:
    eks = slow_client("eks")
    subnets = network(slow_client("ec2"))
    assert create_cluster(eks, "slow", subnets)["status"] == "CREATING"
    assert eks.describe_cluster(name="slow")["cluster"]["status"] == "CREATING"
    with pytest.raises(ClientError):  # AWS refuses a node group until the cluster is ACTIVE
        eks.create_nodegroup(clusterName="slow", nodegroupName="early", subnets=subnets, nodeRole=ROLE_ARN)
    wait_for(lambda: eks.describe_cluster(name="slow")["cluster"]["status"], "ACTIVE")

    eks.create_nodegroup(clusterName="slow", nodegroupName="workers", subnets=subnets, nodeRole=ROLE_ARN)
    eks.create_fargate_profile(clusterName="slow", fargateProfileName="jobs", podExecutionRoleArn=ROLE_ARN,
                               subnets=subnets, selectors=[{"namespace": "jobs"}])
    assert eks.create_addon(clusterName="slow", addonName="vpc-cni")["addon"]["status"] == "CREATING"

    def read_nodegroup() -> str:
        return eks.describe_nodegroup(clusterName="slow", nodegroupName="workers")["nodegroup"]["status"]

    def read_profile() -> str:
        return eks.describe_fargate_profile(clusterName="slow", fargateProfileName="jobs")["fargateProfile"]["status"]

    def read_addon() -> str:
        return eks.describe_addon(clusterName="slow", addonName="vpc-cni")["addon"]["status"]

    assert (read_nodegroup(), read_profile(), read_addon()) == ("CREATING", "CREATING", "CREATING")
    for read in (read_nodegroup, read_profile, read_addon):
        wait_for(read, "ACTIVE")


def test_nat_gateway_is_pending_then_available(slow_client: AwsClient) -> None:
    ec2 = slow_client("ec2")
    subnet = network(ec2)[0]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    gateway = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]
    assert gateway["State"] == "pending"

    def read() -> str:
        return ec2.describe_nat_gateways(NatGatewayIds=[gateway["NatGatewayId"]])["NatGateways"][0]["State"]

    assert read() == "pending"
    wait_for(read, "available")


def test_dax_cluster_is_creating_then_available(slow_client: AwsClient) -> None:
    dax = slow_client("dax")
    created = dax.create_cluster(ClusterName="slow", NodeType="dax.t3.small", ReplicationFactor=1, IamRoleArn=ROLE_ARN)
    assert created["Cluster"]["Status"] == "creating"

    def read() -> str:
        return dax.describe_clusters(ClusterNames=["slow"])["Clusters"][0]["Status"]

    # Plain moto makes it available after four describes; here time decides.
    assert [read() for _ in range(6)] == ["creating"] * 6
    wait_for(read, "available")


def test_ecs_rollout_is_in_progress_then_completed_with_every_task_running(slow_client: AwsClient) -> None:
    ecs = slow_client("ecs")
    ecs.create_cluster(clusterName="slow")
    ecs.register_task_definition(family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}])
    ecs.create_service(cluster="slow", serviceName="web", taskDefinition="web", desiredCount=2)

    def primary() -> dict[str, Any]:
        service = ecs.describe_services(cluster="slow", services=["web"])["services"][0]
        deployment = next(d for d in service["deployments"] if d["status"] == "PRIMARY")
        return {"rollout": deployment["rolloutState"], "running": service["runningCount"]}

    assert primary()["rollout"] == "IN_PROGRESS"
    wait_for(lambda: primary()["rollout"], "COMPLETED")
    assert primary()["running"] == 2


# --- without latency (the shared test emulator) -------------------------------------------

def test_without_latency_resources_are_active_at_once(fresh_emulator: Any, aws_client: AwsClient) -> None:
    ec2, eks, dax = aws_client("ec2"), aws_client("eks"), aws_client("dax")
    subnets = network(ec2)
    assert create_cluster(eks, "fast", subnets)["status"] == "ACTIVE"
    nodegroup = eks.create_nodegroup(clusterName="fast", nodegroupName="workers", subnets=subnets, nodeRole=ROLE_ARN)
    assert nodegroup["nodegroup"]["status"] == "ACTIVE"
    assert eks.create_addon(clusterName="fast", addonName="vpc-cni")["addon"]["status"] == "ACTIVE"
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    gateway = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation)["NatGateway"]
    assert ec2.describe_nat_gateways(NatGatewayIds=[gateway["NatGatewayId"]])["NatGateways"][0]["State"] == "available"
    # DAX keeps moto's behaviour: available after a few describes, whatever the time.
    dax.create_cluster(ClusterName="fast", NodeType="dax.t3.small", ReplicationFactor=1, IamRoleArn=ROLE_ARN)
    statuses = [dax.describe_clusters(ClusterNames=["fast"])["Clusters"][0]["Status"] for _ in range(10)]
    assert statuses[-1] == "available"


def test_module_table_is_documented_in_the_readme() -> None:
    readme = (Path(launcher.REPO_ROOT) / "emulator" / "README.md").read_text()
    assert "## Latency mode" in readme
    for entry in latency.delays():
        assert f"`{entry['key']}`" in readme, entry["key"]
