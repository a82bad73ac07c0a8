"""The foundation layer through site.yml on a fresh emulator.

Converges twice, checks the second run and a --check run change nothing, then
asserts on the emulator's state: what exists, with which settings.
"""

import ipaddress
import json
import os
import sys

import pytest

from emulator import launcher
from tests.playbook import REPO_ROOT, run_playbook

sys.path.insert(0, str(REPO_ROOT / "filter_plugins"))
from iam_policies import UNSCOPED_ACTIONS  # noqa: E402

PREFIX = "rtap-local"
VPC_CIDR = "10.20.0.0/16"


@pytest.fixture(scope="module")
def converged(emulator, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)
    env = dict(os.environ, **emulator.env())
    artifacts = tmp_path_factory.mktemp("artifacts")
    runs = {
        "first": run_playbook(env, "site.yml", "--tags", "foundation", artifacts=artifacts),
        "second": run_playbook(env, "site.yml", "--tags", "foundation", artifacts=artifacts),
        "check": run_playbook(env, "site.yml", "--tags", "foundation", "--check", "--diff", artifacts=artifacts),
    }
    return runs, artifacts


def test_first_run_converges(converged):
    runs, _ = converged
    assert runs["first"].returncode == 0, runs["first"].output[-4000:]
    assert runs["first"].recap["changed"] > 0


def test_second_run_changes_nothing(converged):
    runs, _ = converged
    assert runs["second"].returncode == 0, runs["second"].output[-4000:]
    assert runs["second"].recap["changed"] == 0, runs["second"].changed_tasks


def test_check_mode_on_converged_environment_reports_no_change(converged):
    runs, _ = converged
    assert runs["check"].returncode == 0, runs["check"].output[-4000:]
    assert runs["check"].recap["changed"] == 0, runs["check"].changed_tasks


def _tags(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def _platform_vpc(ec2):
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"{PREFIX}-vpc"]}])["Vpcs"]
    assert len(vpcs) == 1, vpcs
    return vpcs[0]


def test_vpc_and_computed_subnets(converged, aws_client):
    ec2 = aws_client("ec2")
    vpc = _platform_vpc(ec2)
    assert vpc["CidrBlock"] == VPC_CIDR
    tags = _tags(vpc)
    assert tags["Platform"] == "rtap" and tags["Environment"] == "local"
    assert tags["Layer"] == "foundation" and tags["ManagedBy"] == "ansible-platform-toolkit"
    assert ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]

    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    by_cidr = {s["CidrBlock"]: s for s in subnets}
    # Two tiers x up to 4 AZs -> /19 slots; tier t, AZ a is slot t*4+a.
    assert set(by_cidr) == {"10.20.0.0/19", "10.20.32.0/19", "10.20.128.0/19", "10.20.160.0/19"}
    assert {s["AvailabilityZone"] for s in subnets} == {"eu-west-1a", "eu-west-1b"}
    assert _tags(by_cidr["10.20.0.0/19"])["Tier"] == "public"
    assert _tags(by_cidr["10.20.128.0/19"])["Tier"] == "private"
    assert not any(s["MapPublicIpOnLaunch"] for s in subnets)
    networks = [ipaddress.ip_network(c) for c in by_cidr]
    assert all(n.subnet_of(ipaddress.ip_network(VPC_CIDR)) for n in networks)


def test_gateways_and_routes(converged, aws_client):
    ec2 = aws_client("ec2")
    vpc_id = _platform_vpc(ec2)["VpcId"]
    igws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"]
    assert len(igws) == 1
    nats = [n for n in ec2.describe_nat_gateways(Filter=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"]
            if n["State"] in ("pending", "available")]
    assert len(nats) == 1, "local uses a single NAT gateway"
    assert _tags(nats[0])["Name"] == f"{PREFIX}-nat-eu-west-1a"

    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                {"Name": "tag:Platform", "Values": ["rtap"]}])["RouteTables"]
    by_name = {_tags(t)["Name"]: t for t in tables}
    assert set(by_name) == {f"{PREFIX}-public", f"{PREFIX}-private"}
    default_routes = {name: [r for r in t["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"][0]
                      for name, t in by_name.items()}
    assert default_routes[f"{PREFIX}-public"]["GatewayId"] == igws[0]["InternetGatewayId"]
    assert default_routes[f"{PREFIX}-private"]["NatGatewayId"] == nats[0]["NatGatewayId"]
    assert len(by_name[f"{PREFIX}-private"]["Associations"]) == 2


def test_endpoints_security_groups_and_nacls(converged, aws_client):
    ec2 = aws_client("ec2")
    vpc_id = _platform_vpc(ec2)["VpcId"]
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    kinds = {(e["ServiceName"].rsplit(".", 1)[1], e["VpcEndpointType"]) for e in endpoints}
    assert kinds == {("s3", "Gateway"), ("dynamodb", "Gateway"), ("logs", "Interface")}

    groups = {g["GroupName"]: g for g in ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]}
    alb, app = groups[f"{PREFIX}-alb"], groups[f"{PREFIX}-app"]
    assert [(p["FromPort"], [r["CidrIp"] for r in p["IpRanges"]]) for p in alb["IpPermissions"]] == [(443, ["0.0.0.0/0"])]
    assert app["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"] == alb["GroupId"]
    # Only the load balancer's HTTPS port is open to the internet.
    open_to_world = [(g["GroupName"], p.get("FromPort")) for g in groups.values() for p in g["IpPermissions"]
                     if any(r["CidrIp"] == "0.0.0.0/0" for r in p["IpRanges"])]
    assert open_to_world == [(f"{PREFIX}-alb", 443)]

    nacls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                               {"Name": "tag:Name", "Values": [f"{PREFIX}-public", f"{PREFIX}-private"]}])
    assert {len(n["Associations"]) for n in nacls["NetworkAcls"]} == {2}


def test_flow_logs_to_encrypted_log_group(converged, aws_client):
    ec2, logs, kms = aws_client("ec2"), aws_client("logs"), aws_client("kms")
    vpc_id = _platform_vpc(ec2)["VpcId"]
    flow_logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    assert len(flow_logs) == 1
    assert flow_logs[0]["LogGroupName"] == "/rtap/local/vpc-flow-logs"
    assert flow_logs[0]["TrafficType"] == "ALL"
    assert flow_logs[0]["DeliverLogsPermissionArn"].endswith(f":role/{PREFIX}-vpc-flow-logs")
    group = logs.describe_log_groups(logGroupNamePrefix="/rtap/local/vpc-flow-logs")["logGroups"][0]
    assert group["retentionInDays"] == 7
    logs_key = kms.describe_key(KeyId=f"alias/{PREFIX}-logs")["KeyMetadata"]["Arn"]
    assert group["kmsKeyId"] == logs_key


def test_kms_keys_rotate_and_policies_are_least_privilege(converged, aws_client):
    kms = aws_client("kms")
    for purpose in ("data", "messaging", "logs", "secrets"):
        key = kms.describe_key(KeyId=f"alias/{PREFIX}-{purpose}")["KeyMetadata"]
        assert key["KeyManager"] == "CUSTOMER" and key["KeyState"] == "Enabled"
        assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"]
        policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
        statements = {s["Sid"]: s for s in policy["Statement"]}
        admin = statements["KeyAdministration"]
        assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} & set(admin["Action"]), \
            "administrators manage keys but cannot use them"
        assert all("*" not in action for s in policy["Statement"] for action in s["Action"])

    def policy_of(purpose):
        # GetKeyPolicy takes a key id or ARN, not an alias (as on AWS).
        key_id = kms.describe_key(KeyId=f"alias/{PREFIX}-{purpose}")["KeyMetadata"]["KeyId"]
        return json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])

    data = policy_of("data")
    users = {s["Sid"]: s for s in data["Statement"]}["UseByPlatformComponents"]
    # Exactly the components that declare the data key (group_vars/all/components.yml).
    assert f"arn:aws:iam::123456789012:role/{PREFIX}-stream-preprocessor" in users["Principal"]["AWS"]
    assert f"arn:aws:iam::123456789012:role/{PREFIX}-todo-api" in users["Principal"]["AWS"]
    assert f"arn:aws:iam::123456789012:role/{PREFIX}-vpc-flow-logs" not in users["Principal"]["AWS"]
    assert "dynamodb.eu-west-1.amazonaws.com" in users["Condition"]["StringEquals"]["kms:ViaService"]

    def service_conditions(purpose):
        return {s["Principal"]["Service"]: s["Condition"] for s in policy_of(purpose)["Statement"]
                if "Service" in s["Principal"]}

    # Service principals use a key only for this account: its log groups, its trails, or by aws:SourceAccount.
    assert service_conditions("logs") == {
        "logs.eu-west-1.amazonaws.com": {"ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:*"}},
        "cloudtrail.amazonaws.com": {"StringLike": {
            "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:123456789012:trail/*"}},
    }
    assert service_conditions("data") == {
        "config.amazonaws.com": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}


def test_iam_roles_are_least_privilege(converged, aws_client):
    iam = aws_client("iam")
    roles = {r["RoleName"]: r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(PREFIX)}
    assert {f"{PREFIX}-vpc-flow-logs", f"{PREFIX}-stream-preprocessor", f"{PREFIX}-todo-api"} <= set(roles)
    for name in roles:
        trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
        assert trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"
        assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"] == []
        assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["access"]
        document = iam.get_role_policy(RoleName=name, PolicyName="access")["PolicyDocument"]
        for statement in document["Statement"]:
            assert all("*" not in action for action in statement["Action"]), statement
            # Only the actions AWS cannot scope to a resource may name every resource.
            assert all(r.startswith("arn:aws:") and r != "*" for r in statement["Resource"]) \
                or set(statement["Action"]) <= UNSCOPED_ACTIONS, statement

    preprocessor = iam.get_role_policy(RoleName=f"{PREFIX}-stream-preprocessor", PolicyName="access")["PolicyDocument"]
    resources = {r for s in preprocessor["Statement"] for r in s["Resource"]}
    assert f"arn:aws:kinesis:eu-west-1:123456789012:stream/{PREFIX}-clickstream" in resources
    assert f"arn:aws:dynamodb:eu-west-1:123456789012:table/{PREFIX}-events" in resources


def test_outputs_file_matches_the_emulator(converged, aws_client):
    _, artifacts = converged
    outputs = json.loads((artifacts / "local" / "outputs.json").read_text())
    ec2 = aws_client("ec2")
    assert outputs["network"]["vpc_id"] == _platform_vpc(ec2)["VpcId"]
    assert outputs["kms"]["key_arns"]["data"] == aws_client("kms").describe_key(
        KeyId=f"alias/{PREFIX}-data")["KeyMetadata"]["Arn"]
    assert outputs["iam"]["role_arns"]["todo-api"] == aws_client("iam").get_role(
        RoleName=f"{PREFIX}-todo-api")["Role"]["Arn"]
