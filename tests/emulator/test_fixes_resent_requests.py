"""Resent requests (their first answer lost): the client-token fix (emulator/fixes/client_tokens.py),
a retried create that repeats its idempotency token makes nothing new and gets the first answer;
and a resent network ACL association replace (emulator/fixes/ec2.py). Each fails without its fix:

    PLATFORM_EMULATOR_DISABLE_FIXES=repeated_client_token_returns_first_answer \
        python -m pytest tests/emulator/test_fixes_resent_requests.py
"""

from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import launcher


@pytest.fixture
def subnet(fresh_emulator: Any, aws_client: Any) -> str:
    ec2 = aws_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc, CidrBlock="10.90.1.0/24")["Subnet"]["SubnetId"]


def test_nat_gateway_create_repeated_with_its_token_makes_one_gateway(aws_client, subnet):
    ec2 = aws_client("ec2")
    first = ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private", ClientToken="retry-1")
    again = ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private", ClientToken="retry-1")

    assert again["NatGateway"]["NatGatewayId"] == first["NatGateway"]["NatGatewayId"]
    gateways = ec2.describe_nat_gateways(Filters=[{"Name": "subnet-id", "Values": [subnet]}])["NatGateways"]
    assert len(gateways) == 1


def test_a_vpc_endpoint_create_repeated_with_its_token_makes_one_endpoint(aws_client, subnet):
    ec2 = aws_client("ec2")
    vpc = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["VpcId"]
    for _ in range(2):
        ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.eu-west-1.logs", VpcEndpointType="Interface",
                                SubnetIds=[subnet], ClientToken="endpoint-1")

    assert len(ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]) == 1


def test_another_token_makes_another_resource(aws_client, subnet):
    ec2 = aws_client("ec2")
    ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private", ClientToken="a")
    ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private", ClientToken="b")

    assert len(ec2.describe_nat_gateways(Filters=[{"Name": "subnet-id", "Values": [subnet]}])["NatGateways"]) == 2


def test_route_table_and_secret_tokens(aws_client, subnet):
    ec2, secrets = aws_client("ec2"), aws_client("secretsmanager")
    vpc = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["VpcId"]
    for _ in range(2):
        ec2.create_route_table(VpcId=vpc, ClientToken="table-1")
        secrets.create_secret(Name="fix/token", SecretString="x", ClientRequestToken="0" * 32)

    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    assert len([t for t in tables if not any(a.get("Main") for a in t.get("Associations", []))]) == 1
    assert [s["Name"] for s in secrets.list_secrets()["SecretList"]] == ["fix/token"]


def test_replacing_an_acl_association_that_is_gone_is_not_found(aws_client, subnet):
    """A resent ReplaceNetworkAclAssociation (the first answer lost) finds its association id gone:
    AWS answers InvalidAssociationID.NotFound. (emulator/fixes/ec2.py)"""
    ec2 = aws_client("ec2")
    vpc = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["VpcId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    default = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"][0]
    association = next(a["NetworkAclAssociationId"] for a in default["Associations"] if a["SubnetId"] == subnet)
    ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)

    with pytest.raises(ClientError) as raised:
        ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
    assert raised.value.response["Error"]["Code"] == "InvalidAssociationID.NotFound"


def test_putting_a_target_tracking_policy_again_keeps_one_set_of_alarms(fresh_emulator, aws_client):
    """A resent (or re-run) PutScalingPolicy: Application Auto Scaling replaces the policy's alarms.
    (emulator/fixes/applicationautoscaling.py)"""
    ddb, scaling, cloudwatch = aws_client("dynamodb"), aws_client("application-autoscaling"), aws_client("cloudwatch")
    ddb.create_table(TableName="fix-scaling", BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    target = {"ServiceNamespace": "dynamodb", "ResourceId": "table/fix-scaling",
              "ScalableDimension": "dynamodb:table:ReadCapacityUnits"}
    scaling.register_scalable_target(**target, MinCapacity=5, MaxCapacity=50)
    for _ in range(2):
        scaling.put_scaling_policy(**target, PolicyName="read", PolicyType="TargetTrackingScaling",
                                   TargetTrackingScalingPolicyConfiguration={
                                       "TargetValue": 70.0, "PredefinedMetricSpecification": {
                                           "PredefinedMetricType": "DynamoDBReadCapacityUtilization"}})

    alarms = [a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"]
              if a["AlarmName"].startswith("TargetTracking-table/fix-scaling")]
    assert len(alarms) == 4, alarms  # AlarmHigh, AlarmLow, ProvisionedCapacityHigh, ProvisionedCapacityLow


def test_a_reset_forgets_the_answers_it_kept(emulator, aws_client, subnet):
    """After /moto-api/reset, a token seen before the reset creates again: its first answer named a
    resource the reset removed (a test reusing a name after a reset would get a dangling id)."""
    secrets = aws_client("secretsmanager")
    secrets.create_secret(Name="fix/reset", SecretString="x", ClientRequestToken="1" * 32)
    launcher.reset(emulator.url, emulator.ca_bundle)
    secrets.create_secret(Name="fix/reset", SecretString="x", ClientRequestToken="1" * 32)

    assert [s["Name"] for s in secrets.list_secrets()["SecretList"]] == ["fix/reset"]
