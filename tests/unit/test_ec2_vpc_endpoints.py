"""Unit tests for library/ec2_vpc_endpoints.py: the input checks and the ModifyVpcEndpoint plan,
without AWS (what the module does on the emulator: tests/integration/test_ec2_vpc_endpoints.py)."""

import importlib.util

from tests.conftest import REPO_ROOT

spec = importlib.util.spec_from_file_location("ec2_vpc_endpoints", REPO_ROOT / "library" / "ec2_vpc_endpoints.py")
endpoints = importlib.util.module_from_spec(spec)
spec.loader.exec_module(endpoints)


def endpoint(**options):
    """An endpoint as Ansible hands it to the module (every option present)."""
    return dict({"name": "shop-s3", "service": "com.amazonaws.eu-west-1.s3", "type": "Gateway",
                 "route_table_ids": ["rtb-1"], "subnet_ids": [], "security_group_ids": []}, **options)


def test_valid_endpoints_have_no_errors():
    interface = endpoint(name="shop-logs", service="com.amazonaws.eu-west-1.logs", type="Interface",
                         route_table_ids=[], subnet_ids=["subnet-1"], security_group_ids=["sg-1"])
    assert endpoints.input_errors([endpoint(), interface]) == []


def test_a_service_given_twice_is_refused():
    errors = endpoints.input_errors([endpoint(), endpoint(name="shop-s3-again")])
    assert errors == ["endpoints[1] (shop-s3-again): service com.amazonaws.eu-west-1.s3 is given twice "
                      "(one endpoint per service)"]


def test_members_of_the_other_type_are_refused():
    assert endpoints.input_errors([endpoint(type="Interface", subnet_ids=["subnet-1"])]) == \
        ["endpoints[0] (shop-s3): route_table_ids are for gateway endpoints"]


def test_the_plan_adds_and_removes_only_the_difference():
    found = {"RouteTableIds": ["rtb-1", "rtb-2"]}
    request = endpoints.plan_members(endpoint(route_table_ids=["rtb-1", "rtb-3"]), found)

    assert request == {"AddRouteTableIds": ["rtb-3"], "RemoveRouteTableIds": ["rtb-2"]}
    assert endpoints.describe_changes(request) == ["add route tables rtb-3", "remove route tables rtb-2"]


def test_interface_security_groups_are_read_from_groups():
    found = {"SubnetIds": ["subnet-1"], "Groups": [{"GroupId": "sg-1", "GroupName": "endpoints"}]}
    wanted = endpoint(type="Interface", route_table_ids=[], subnet_ids=["subnet-1"], security_group_ids=["sg-2"])

    assert endpoints.plan_members(wanted, found) == {"AddSecurityGroupIds": ["sg-2"], "RemoveSecurityGroupIds": ["sg-1"]}
    assert endpoints.plan_members(endpoint(type="Interface", route_table_ids=[], subnet_ids=["subnet-1"],
                                           security_group_ids=["sg-1"]), found) == {}
