"""Integration tests for library/ec2_vpc_endpoints.py against the emulator.

The module runs through ansible-playbook (playbooks/ec2_vpc_endpoints.yml); what it did is judged
from the emulator's state, read with boto3 (DescribeVpcEndpoints), and from the AWS calls the module
made (aws_call_recorder), not from its own report. A lost create answer is in test_create_once.py.
"""

from pathlib import Path

import pytest

from tests.module_playbook import run_module_playbook

PLAYBOOK = Path(__file__).resolve().parent / "playbooks" / "ec2_vpc_endpoints.yml"
S3 = "com.amazonaws.eu-west-1.s3"
LOGS = "com.amazonaws.eu-west-1.logs"
TAGS = {"Environment": "test", "ManagedBy": "ansible-platform-toolkit"}


@pytest.fixture
def ec2(fresh_emulator, aws_client):
    return aws_client("ec2")


@pytest.fixture
def vpc(ec2):
    """A VPC with two subnets, two route tables and a security group."""
    vpc_id = ec2.create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
    return {
        "id": vpc_id,
        "subnets": [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.41.{i}.0/24")["Subnet"]["SubnetId"] for i in range(2)],
        "tables": [ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"] for _ in range(2)],
        "group": ec2.create_security_group(VpcId=vpc_id, GroupName="endpoints", Description="e")["GroupId"],
    }


@pytest.fixture
def run(aws_env, tmp_path):
    def go(options, check=False, expect_failure=False):
        done = run_module_playbook(aws_env, PLAYBOOK, options, tmp_path, check=check)
        assert (done.returncode != 0) == expect_failure, done.output[-3000:]
        return done

    return go


def declared(vpc, tables=None):
    return {"vpc_id": vpc["id"], "tags": TAGS, "endpoints": [
        {"name": "shop-s3", "service": S3, "type": "Gateway", "route_table_ids": tables or vpc["tables"]},
        {"name": "shop-logs", "service": LOGS, "type": "Interface", "subnet_ids": vpc["subnets"],
         "security_group_ids": [vpc["group"]]},
    ]}


def endpoints_of(ec2, vpc):
    found = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc["id"]]}])["VpcEndpoints"]
    return {e["ServiceName"]: e for e in found if e["State"].lower() not in ("deleted", "deleting")}


def tags(endpoint):
    return {t["Key"]: t["Value"] for t in endpoint.get("Tags", [])}


def test_creates_gateway_and_interface_endpoints_with_their_members_and_tags(ec2, vpc, run):
    done = run(declared(vpc))

    found = endpoints_of(ec2, vpc)
    assert set(found) == {S3, LOGS}
    assert found[S3]["VpcEndpointType"] == "Gateway"
    assert sorted(found[S3]["RouteTableIds"]) == sorted(vpc["tables"])
    assert found[LOGS]["VpcEndpointType"] == "Interface"
    assert sorted(found[LOGS]["SubnetIds"]) == sorted(vpc["subnets"])
    assert [g["GroupId"] for g in found[LOGS]["Groups"]] == [vpc["group"]]
    assert tags(found[S3]) == {**TAGS, "Name": "shop-s3"}
    assert tags(found[LOGS]) == {**TAGS, "Name": "shop-logs"}
    # Tagged in the create call: two creates, no separate tag call.
    assert sorted(done.mutating) == ["ec2 CreateVpcEndpoint", "ec2 CreateVpcEndpoint"]
    assert done.result["endpoint_ids"] == {"shop-s3": found[S3]["VpcEndpointId"], "shop-logs": found[LOGS]["VpcEndpointId"]}


def test_a_second_run_and_check_mode_change_nothing(ec2, vpc, run):
    run(declared(vpc))
    before = endpoints_of(ec2, vpc)

    for check in (True, False):
        done = run(declared(vpc), check=check)
        assert done.result["changed"] is False
        assert done.mutating == []
    assert {s: e["VpcEndpointId"] for s, e in endpoints_of(ec2, vpc).items()} == \
        {s: e["VpcEndpointId"] for s, e in before.items()}


def test_changed_route_tables_and_tags_are_converged_in_place(ec2, vpc, run):
    run(declared(vpc))
    first = endpoints_of(ec2, vpc)[S3]["VpcEndpointId"]
    ec2.create_tags(Resources=[first], Tags=[{"Key": "Stray", "Value": "x"}])

    predicted = run(declared(vpc, tables=vpc["tables"][:1]), check=True)
    assert sorted(endpoints_of(ec2, vpc)[S3]["RouteTableIds"]) == sorted(vpc["tables"])  # check mode changed nothing
    done = run(declared(vpc, tables=vpc["tables"][:1]))

    endpoint = endpoints_of(ec2, vpc)[S3]
    assert endpoint["VpcEndpointId"] == first
    assert endpoint["RouteTableIds"] == vpc["tables"][:1]
    assert tags(endpoint) == {**TAGS, "Name": "shop-s3"}
    changes = next(e["changes"] for e in done.result["endpoints"] if e["name"] == "shop-s3")
    assert changes == [f"remove route tables {vpc['tables'][1]}", "tags Stray"]
    assert next(e["changes"] for e in predicted.result["endpoints"] if e["name"] == "shop-s3") == changes


def test_check_mode_predicts_a_create_and_makes_nothing(ec2, vpc, run):
    done = run(declared(vpc), check=True)

    assert done.result["changed"] is True
    assert [e["changes"] for e in done.result["endpoints"]] == [["create"], ["create"]]
    assert done.mutating == []
    assert endpoints_of(ec2, vpc) == {}


def test_an_endpoint_deleted_is_made_again(ec2, vpc, run):
    run(declared(vpc))
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoints_of(ec2, vpc)[S3]["VpcEndpointId"]])

    run(declared(vpc))

    assert set(endpoints_of(ec2, vpc)) == {S3, LOGS}


@pytest.mark.parametrize("endpoint, message", [
    ({"name": "shop-s3", "service": S3, "type": "Gateway"}, "endpoints[0] (shop-s3): a gateway endpoint needs route_table_ids"),
    ({"name": "shop-logs", "service": LOGS, "type": "Interface"},
     "endpoints[0] (shop-logs): an interface endpoint needs subnet_ids"),
    ({"name": "shop-s3", "service": S3, "type": "Gateway", "route_table_ids": ["rtb-1"], "subnet_ids": ["subnet-1"]},
     "endpoints[0] (shop-s3): subnet_ids and security_group_ids are for interface endpoints"),
])
def test_bad_input_fails_before_any_call(vpc, run, endpoint, message):
    done = run({"vpc_id": vpc["id"], "endpoints": [endpoint]}, expect_failure=True)

    assert message in done.output
    assert done.calls == []
