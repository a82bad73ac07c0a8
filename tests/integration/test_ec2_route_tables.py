"""Integration tests for library/ec2_route_tables.py against the emulator.

The module runs through ansible-playbook (playbooks/ec2_route_tables.yml); what it did is
judged from the emulator's state, read with boto3 (DescribeRouteTables), and from the AWS
calls the module made (aws_call_recorder), not from its own report.
"""

from pathlib import Path

import pytest

from tests.module_playbook import run_module_playbook

PLAYBOOK = Path(__file__).resolve().parent / "playbooks" / "ec2_route_tables.yml"
VPC_CIDR = "10.40.0.0/16"
PEER_CIDR = "10.99.0.0/16"
SCOPE = {"Environment": "test", "Platform": "shop"}


@pytest.fixture
def ec2(fresh_emulator, aws_client):
    return aws_client("ec2")


@pytest.fixture
def vpc(ec2):
    """A VPC with an internet gateway, a NAT gateway, a peering and four subnets."""
    vpc_id = ec2.create_vpc(CidrBlock=VPC_CIDR)["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.40.{i}.0/24")["Subnet"]["SubnetId"] for i in range(4)]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    peer_vpc = ec2.create_vpc(CidrBlock=PEER_CIDR)["Vpc"]["VpcId"]
    peering = ec2.create_vpc_peering_connection(VpcId=vpc_id, PeerVpcId=peer_vpc)["VpcPeeringConnection"]
    return {"id": vpc_id, "subnets": subnets, "igw": igw, "nat": nat, "pcx": peering["VpcPeeringConnectionId"]}


@pytest.fixture
def run(aws_env, tmp_path):
    """Run the playbook; return (module result, output, AWS calls, mutating AWS calls)."""
    def go(options, check=False, expect_failure=False):
        done = run_module_playbook(aws_env, PLAYBOOK, options, tmp_path, check=check)
        assert (done.returncode != 0) == expect_failure, done.output
        return done.result, done.output, done.calls, done.mutating

    return go


def declared(vpc):
    subnets = vpc["subnets"]
    return {
        "vpc_id": vpc["id"],
        "scope_tags": SCOPE,
        "route_tables": [
            {"name": "shop-public", "subnets": subnets[:2], "tags": {"Layer": "foundation"},
             "routes": [{"dest": "0.0.0.0/0", "gateway_id": vpc["igw"]},
                        {"dest": PEER_CIDR, "vpc_peering_connection_id": vpc["pcx"]}]},
            {"name": "shop-private", "subnets": subnets[2:], "tags": {"Layer": "foundation"},
             "routes": [{"dest": "0.0.0.0/0", "nat_gateway_id": vpc["nat"]},
                        {"dest": PEER_CIDR, "vpc_peering_connection_id": vpc["pcx"]}]},
        ],
    }


def live(ec2, vpc_id):
    """{Name tag: {"routes": {dest: target}, "subnets": [...], "tags": {...}, "id": ...}} of the VPC's
    tables that have a Name, the local route left out."""
    tables = {}
    for table in ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]:
        tags = {t["Key"]: t["Value"] for t in table.get("Tags", [])}
        if "Name" not in tags:
            continue
        assert tags["Name"] not in tables, f"two tables named {tags['Name']}"
        routes = {}
        for route in table["Routes"]:
            if route.get("GatewayId") == "local":
                continue
            target = route.get("GatewayId") or route.get("NatGatewayId") or route.get("VpcPeeringConnectionId")
            routes[route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")] = target
        subnets = sorted(a["SubnetId"] for a in table["Associations"] if a.get("SubnetId"))
        tables[tags["Name"]] = {"routes": routes, "subnets": subnets, "tags": tags, "id": table["RouteTableId"]}
    return tables


def expected(vpc):
    tags = {"Environment": "test", "Platform": "shop", "Layer": "foundation"}
    return {
        "shop-public": {"routes": {"0.0.0.0/0": vpc["igw"], PEER_CIDR: vpc["pcx"]}, "subnets": sorted(vpc["subnets"][:2]),
                        "tags": dict(tags, Name="shop-public")},
        "shop-private": {"routes": {"0.0.0.0/0": vpc["nat"], PEER_CIDR: vpc["pcx"]}, "subnets": sorted(vpc["subnets"][2:]),
                         "tags": dict(tags, Name="shop-private")},
    }


def without_ids(tables):
    return {name: {k: v for k, v in table.items() if k != "id"} for name, table in tables.items()}


def test_creates_the_tables_then_a_rerun_changes_nothing(ec2, vpc, run):
    result, _, _, mutating = run(declared(vpc))

    state = live(ec2, vpc["id"])
    assert without_ids(state) == expected(vpc)
    assert result["changed"]
    assert result["route_table_ids"] == {name: table["id"] for name, table in state.items()}
    assert mutating.count("ec2 CreateRouteTable") == 2
    assert "ec2 CreateTags" not in mutating  # the tags come with the create call

    again, _, calls, mutating = run(declared(vpc))
    assert not again["changed"]
    assert mutating == []
    assert calls == ["ec2 DescribeRouteTables"]
    assert live(ec2, vpc["id"]) == state


def test_drift_is_put_back_with_only_the_difference(ec2, vpc, run):
    run(declared(vpc))
    tables = live(ec2, vpc["id"])
    public, private = tables["shop-public"]["id"], tables["shop-private"]["id"]
    # Drift: the default route points elsewhere, an extra route, a subnet moved to the other
    # table, a subnet dropped, a tag removed and one added.
    ec2.replace_route(RouteTableId=private, DestinationCidrBlock="0.0.0.0/0", GatewayId=vpc["igw"])
    ec2.create_route(RouteTableId=public, DestinationCidrBlock="192.0.2.0/24", GatewayId=vpc["igw"])
    described = ec2.describe_route_tables(RouteTableIds=[public, private])["RouteTables"]
    associations = {a["SubnetId"]: a["RouteTableAssociationId"] for t in described for a in t["Associations"] if a.get("SubnetId")}
    ec2.replace_route_table_association(AssociationId=associations[vpc["subnets"][0]], RouteTableId=private)
    ec2.disassociate_route_table(AssociationId=associations[vpc["subnets"][3]])
    ec2.delete_tags(Resources=[public], Tags=[{"Key": "Layer"}])
    ec2.create_tags(Resources=[private], Tags=[{"Key": "Owner", "Value": "someone"}])
    assert without_ids(live(ec2, vpc["id"])) != expected(vpc)

    result, output, _, mutating = run(declared(vpc))

    assert without_ids(live(ec2, vpc["id"])) == expected(vpc)
    assert sorted(mutating) == ["ec2 AssociateRouteTable", "ec2 CreateTags", "ec2 DeleteRoute", "ec2 DeleteTags",
                                "ec2 ReplaceRoute", "ec2 ReplaceRouteTableAssociation"]
    by_name = {table["name"]: table for table in result["route_tables"]}
    assert by_name["shop-public"]["routes_deleted"] == [f"192.0.2.0/24 -> {vpc['igw']}"]
    assert by_name["shop-private"]["routes_replaced"] == [f"0.0.0.0/0 -> {vpc['nat']}"]
    assert "192.0.2.0/24" in output  # the diff shows it
    # Nothing is left to do.
    again, _, _, mutating = run(declared(vpc))
    assert not again["changed"] and mutating == []


def test_routes_and_subnets_not_given_are_left_alone(ec2, vpc, run):
    run(declared(vpc))
    options = declared(vpc)
    for table in options["route_tables"]:
        del table["routes"], table["subnets"]
    public = live(ec2, vpc["id"])["shop-public"]["id"]
    ec2.create_route(RouteTableId=public, DestinationCidrBlock="192.0.2.0/24", GatewayId=vpc["igw"])

    result, _, _, mutating = run(options)

    assert not result["changed"] and mutating == []
    assert live(ec2, vpc["id"])["shop-public"]["routes"]["192.0.2.0/24"] == vpc["igw"]


def test_a_table_of_the_same_name_outside_the_scope_is_not_adopted(ec2, vpc, run):
    other = ec2.create_route_table(VpcId=vpc["id"], TagSpecifications=[{"ResourceType": "route-table", "Tags": [
        {"Key": "Name", "Value": "shop-public"}, {"Key": "Environment", "Value": "other"}]}])["RouteTable"]["RouteTableId"]

    result, _, _, _ = run(declared(vpc))

    assert result["route_table_ids"]["shop-public"] != other
    other_table = ec2.describe_route_tables(RouteTableIds=[other])["RouteTables"][0]
    assert [r for r in other_table["Routes"] if r.get("GatewayId") != "local"] == []
    assert {t["Key"]: t["Value"] for t in other_table["Tags"]}["Environment"] == "other"


def test_check_mode_changes_nothing_and_predicts_the_change(ec2, vpc, run):
    result, output, _, mutating = run(declared(vpc), check=True)

    assert result["changed"]
    assert mutating == []
    assert live(ec2, vpc["id"]) == {}
    assert result["route_table_ids"] == {"shop-public": "", "shop-private": ""}

    run(declared(vpc))
    state = live(ec2, vpc["id"])
    public = state["shop-public"]["id"]
    ec2.delete_route(RouteTableId=public, DestinationCidrBlock=PEER_CIDR)
    drifted = live(ec2, vpc["id"])
    result, output, _, mutating = run(declared(vpc), check=True)

    assert result["changed"] and mutating == []
    assert live(ec2, vpc["id"]) == drifted
    by_name = {table["name"]: table for table in result["route_tables"]}
    assert by_name["shop-public"]["routes_created"] == [f"{PEER_CIDR} -> {vpc['pcx']}"]
    assert not by_name["shop-private"]["changed"]


BAD_INPUT = {
    "not a CIDR": ({"dest": "10.0.0.0/33", "gateway_id": "igw-12345678"}, "route_tables[shop-public].routes[0].dest"),
    "host bits set": ({"dest": "10.0.0.1/16", "gateway_id": "igw-12345678"}, "has host bits set"),
    "no target": ({"dest": "10.0.0.0/16"}, "route_tables[shop-public].routes[0]: give exactly one target"),
    "two targets": ({"dest": "10.0.0.0/16", "gateway_id": "igw-12345678", "nat_gateway_id": "nat-12345678"},
                    "got gateway_id and nat_gateway_id"),
    "wrong kind of ID": ({"dest": "10.0.0.0/16", "nat_gateway_id": "igw-12345678"},
                         "route_tables[shop-public].routes[0].nat_gateway_id"),
    "egress-only for IPv4": ({"dest": "10.0.0.0/16", "egress_only_gateway_id": "eigw-12345678"},
                             "routes[0].egress_only_gateway_id: an egress-only internet gateway takes IPv6"),
}


@pytest.mark.parametrize("bad_route, fragment", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_fails_naming_the_option_before_any_aws_call(vpc, run, bad_route, fragment):
    options = declared(vpc)
    options["route_tables"][0]["routes"] = [bad_route]

    _, output, calls, _ = run(options, expect_failure=True)

    assert fragment in output, output[-3000:]
    assert calls == []


def test_a_subnet_given_to_two_tables_fails_before_any_aws_call(vpc, run):
    options = declared(vpc)
    options["route_tables"][1]["subnets"].append(vpc["subnets"][0])

    _, output, calls, _ = run(options, expect_failure=True)

    assert f"route_tables[shop-private].subnets: {vpc['subnets'][0]} is given to shop-public too" in output
    assert calls == []
