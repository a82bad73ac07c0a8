"""The ELBv2 fix (emulator/fixes/elbv2.py) restores documented AWS behaviour; each test fails without it.

Check with PLATFORM_EMULATOR_DISABLE_FIXES=application_load_balancer_reports_its_default_attributes \
python -m pytest tests/emulator/test_fixes_elbv2.py
"""

from typing import Any

import pytest


@pytest.fixture
def balancers(fresh_emulator: Any, aws_client: Any) -> Any:
    ec2, elb = aws_client("ec2"), aws_client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
               for cidr, zone in (("10.30.1.0/24", "eu-west-1a"), ("10.30.2.0/24", "eu-west-1b"))]
    group = ec2.create_security_group(GroupName="fix-alb", Description="fix", VpcId=vpc)["GroupId"]
    alb = elb.create_load_balancer(Name="fix-alb", Subnets=subnets, SecurityGroups=[group], Scheme="internal",
                                   Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
    nlb = elb.create_load_balancer(Name="fix-nlb", Subnets=subnets, Scheme="internal",
                                   Type="network")["LoadBalancers"][0]["LoadBalancerArn"]
    return elb, alb, nlb


def attributes(elb: Any, arn: str) -> dict[str, str]:
    return {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}


def test_an_alb_reports_its_documented_default_attributes(balancers: Any) -> None:
    elb, alb, _ = balancers
    found = attributes(elb, alb)
    assert found["idle_timeout.timeout_seconds"] == "60"
    assert found["routing.http2.enabled"] == "true"
    assert found["routing.http.drop_invalid_header_fields.enabled"] == "false"
    assert found["routing.http.desync_mitigation_mode"] == "defensive"


def test_a_value_the_client_set_is_kept_and_an_nlb_gets_no_http_attributes(balancers: Any) -> None:
    elb, alb, nlb = balancers
    elb.modify_load_balancer_attributes(LoadBalancerArn=alb, Attributes=[
        {"Key": "idle_timeout.timeout_seconds", "Value": "120"}])
    found = attributes(elb, alb)
    assert (found["idle_timeout.timeout_seconds"], found["routing.http2.enabled"]) == ("120", "true")
    assert not any(key.startswith(("routing.http", "idle_timeout")) for key in attributes(elb, nlb))
