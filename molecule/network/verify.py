"""network scenario: the VPC, its computed subnets, gateways, routes, security
groups, NACLs, endpoints and flow logs exist with the declared settings."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
ec2, logs = client("ec2"), client("logs")


def tags(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def in_vpc(vpc_id):
    return [{"Name": "vpc-id", "Values": [vpc_id]}]


vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"{PREFIX}-vpc"]}])["Vpcs"]
assert len(vpcs) == 1 and vpcs[0]["CidrBlock"] == "10.20.0.0/16", vpcs
vpc_id = vpcs[0]["VpcId"]

subnets = ec2.describe_subnets(Filters=in_vpc(vpc_id))["Subnets"]
assert sorted(s["CidrBlock"] for s in subnets) == ["10.20.0.0/19", "10.20.128.0/19", "10.20.160.0/19", "10.20.32.0/19"]

nats = [n for n in ec2.describe_nat_gateways(Filter=in_vpc(vpc_id))["NatGateways"] if n["State"] == "available"]
assert len(nats) == 1 and tags(nats[0])["Layer"] == "foundation", nats

tables = ec2.describe_route_tables(Filters=in_vpc(vpc_id) + [{"Name": "tag:Platform", "Values": ["rtap"]}])["RouteTables"]
assert sorted(tags(t)["Name"] for t in tables) == [f"{PREFIX}-private", f"{PREFIX}-public"]

groups = {g["GroupName"] for g in ec2.describe_security_groups(Filters=in_vpc(vpc_id))["SecurityGroups"]}
assert {f"{PREFIX}-alb", f"{PREFIX}-app", f"{PREFIX}-endpoints"} <= groups, groups

nacls = ec2.describe_network_acls(Filters=in_vpc(vpc_id) + [{"Name": "default", "Values": ["false"]}])["NetworkAcls"]
assert sorted(tags(n)["Name"] for n in nacls) == [f"{PREFIX}-private", f"{PREFIX}-public"]

endpoints = ec2.describe_vpc_endpoints(Filters=in_vpc(vpc_id))["VpcEndpoints"]
assert sorted(e["ServiceName"].rsplit(".", 1)[1] for e in endpoints) == ["dynamodb", "logs", "s3"]

flow_logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
assert len(flow_logs) == 1 and flow_logs[0]["LogGroupName"] == "/rtap/local/vpc-flow-logs", flow_logs
group = logs.describe_log_groups(logGroupNamePrefix="/rtap/local/vpc-flow-logs")["logGroups"][0]
assert group.get("kmsKeyId", "").startswith("arn:aws:kms:"), group
print("network: verified")
