"""platform_wait against the emulator: it reports states without waiting, waits until slow
resources are ready (with the emulator's latency mode holding them in their creating state),
fails naming a missing resource, and never reports a change."""

import json
import os
import subprocess
import sys

import pytest

from emulator import launcher
from tests.playbook import REPO_ROOT

ANSIBLE = os.path.join(os.path.dirname(sys.executable), "ansible")


def run_module(env: dict, args: dict, *options: str) -> tuple[int, dict | str]:
    proc = subprocess.run([ANSIBLE, "localhost", "-i", "inventories/local", "-m", "platform_wait",
                           "-a", json.dumps(args), *options],
                          cwd=REPO_ROOT, env=dict(env, ANSIBLE_NOCOLOR="1", ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
                                                  ANSIBLE_STDOUT_CALLBACK="json"),
                          capture_output=True, text=True, check=False)
    try:
        # The JSON report sits between profile_tasks' timing lines.
        report, _ = json.JSONDecoder().raw_decode(proc.stdout[proc.stdout.index("\n{") + 1:])
        result = report["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (ValueError, KeyError, IndexError):
        return proc.returncode, proc.stdout + proc.stderr
    return proc.returncode, result


def make_slow_resources(client) -> dict:
    """An EKS cluster with a node group, a DAX cluster, a NAT gateway and a VPC endpoint, as boto3 makes them."""
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=f"eu-west-1{az}")["Subnet"]["SubnetId"]
               for i, az in enumerate("ab")]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.eu-west-1.logs", VpcEndpointType="Interface",
                                       SubnetIds=subnets[:1])["VpcEndpoint"]["VpcEndpointId"]
    iam = client("iam")
    role = iam.create_role(RoleName="wait-test", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": ["eks.amazonaws.com", "dax.amazonaws.com"]}}]}))["Role"]["Arn"]
    eks = client("eks")
    eks.create_cluster(name="wait-test", roleArn=role, resourcesVpcConfig={"subnetIds": subnets})
    dax = client("dax")
    dax.create_cluster(ClusterName="wait-test", NodeType="dax.t3.small", ReplicationFactor=1, IamRoleArn=role)
    return {"nat": nat, "endpoint": endpoint, "role": role, "subnets": subnets}


def test_reports_states_without_waiting_and_never_changes(fresh_emulator, aws_env, aws_client):
    made = make_slow_resources(aws_client)
    args = {"eks_clusters": ["wait-test", "missing"], "dax_clusters": ["wait-test"],
            "nat_gateways": [made["nat"]], "vpc_endpoints": [made["endpoint"], "vpce-0000000000000000"], "wait": False}
    rc, result = run_module(aws_env, args)
    assert rc == 0 and isinstance(result, dict), result
    states = {(r["kind"], r["name"]): r["state"] for r in result["resources"]}
    live = aws_client("eks").describe_cluster(name="wait-test")["cluster"]["status"]
    assert states == {("eks_cluster", "wait-test"): live, ("eks_cluster", "missing"): "absent",
                      ("dax_cluster", "wait-test"): aws_client("dax").describe_clusters(
                          ClusterNames=["wait-test"])["Clusters"][0]["Status"],
                      ("nat_gateway", made["nat"]): "available",
                      ("vpc_endpoint", made["endpoint"]): "available", ("vpc_endpoint", "vpce-0000000000000000"): "absent"}
    assert result["changed"] is False


def test_a_missing_resource_fails_by_name_but_not_in_check_mode(fresh_emulator, aws_env):
    rc, result = run_module(aws_env, {"eks_clusters": ["nowhere"], "timeout": 5})
    assert rc != 0 and "eks cluster nowhere does not exist" in result["msg"]
    rc, result = run_module(aws_env, {"eks_clusters": ["nowhere"], "timeout": 5}, "--check")
    assert rc == 0 and result["resources"] == [
        {"kind": "eks_cluster", "name": "nowhere", "state": "absent", "ready_after": None}]


def test_bad_timeout_fails_before_any_call(aws_env):
    rc, result = run_module(dict(aws_env, AWS_ENDPOINT_URL="https://127.0.0.1:9"), {"dax_clusters": ["x"], "timeout": 0})
    assert rc != 0 and result["msg"].startswith("timeout: must be at least 1 second")


@pytest.fixture(scope="module")
def slow_emulator(tmp_path_factory):
    """An emulator in latency mode: 0.5 s per AWS minute, so an EKS cluster takes several seconds."""
    home = tmp_path_factory.mktemp("slow-emulator")
    running = launcher.start(port=launcher.free_port(), home=home, latency=0.5)
    try:
        yield running
    finally:
        launcher.stop(home)


def test_waits_until_the_slow_resources_are_ready(slow_emulator, boto3_session):
    env = dict(os.environ, **slow_emulator.env())

    def client(service):
        return boto3_session.client(service, endpoint_url=slow_emulator.url, verify=str(slow_emulator.ca_bundle))

    made = make_slow_resources(client)
    eks = client("eks")
    assert eks.describe_cluster(name="wait-test")["cluster"]["status"] == "CREATING"
    rc, result = run_module(env, {"eks_clusters": ["wait-test"], "dax_clusters": ["wait-test"],
                                  "nat_gateways": [made["nat"]], "timeout": 300})
    assert rc == 0, result
    assert {r["state"] for r in result["resources"]} == {"ACTIVE", "available"}
    # The emulator agrees: the module returned only once they were ready.
    assert eks.describe_cluster(name="wait-test")["cluster"]["status"] == "ACTIVE"
    assert client("dax").describe_clusters(ClusterNames=["wait-test"])["Clusters"][0]["Status"] == "available"
    assert result["changed"] is False

    eks.create_cluster(name="wait-later", roleArn=made["role"], resourcesVpcConfig={"subnetIds": made["subnets"]})
    rc, result = run_module(env, {"eks_clusters": ["wait-later"], "timeout": 1})
    assert rc != 0 and "timed out after 1 s waiting for eks cluster wait-later (CREATING)" in result["msg"]
