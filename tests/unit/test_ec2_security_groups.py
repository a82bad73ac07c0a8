"""Unit tests for library/ec2_security_groups.py: rule checks and normalisation, the rule plan,
and the diff as the drift report reads it - without AWS."""

import importlib.util

import pytest

from tests.conftest import REPO_ROOT


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sg = _load("ec2_security_groups", REPO_ROOT / "library" / "ec2_security_groups.py")
recorder = _load("drift_recorder", REPO_ROOT / "callback_plugins" / "drift_recorder.py")


def rule(**options):
    """A rule as Ansible hands it to the module (every option present, unset ones None)."""
    base = dict(proto="tcp", ports=None, from_port=None, to_port=None, cidr_ip=None, cidr_ipv6=None,
                group_id=None, group_name=None, rule_desc=None)
    base.update(options)
    return base


# --- input checks --------------------------------------------------------------------------

def test_valid_rules_have_no_errors():
    rules = [
        rule(ports=["443", "1024-65535"], cidr_ip=["10.0.0.0/16"]),
        rule(proto="udp", from_port=53, to_port=53, cidr_ipv6=["2001:db8::/32"]),
        rule(proto="icmp", from_port=8, to_port=-1, group_id=["sg-0123456789abcdef0"]),
        rule(proto="all", group_name=["app"]),
        rule(proto="-1", cidr_ip=["0.0.0.0/0"]),
    ]
    assert sg.input_errors([{"name": "app", "description": "App", "rules": rules, "tags": None}]) == []


@pytest.mark.parametrize("options, fragment", [
    ({"ports": ["70000"], "cidr_ip": ["10.0.0.0/16"]}, "groups[app].rules[0].ports: 70000 is out of the port range 0-65535"),
    ({"ports": ["90-80"], "cidr_ip": ["10.0.0.0/16"]}, "groups[app].rules[0].ports: 90-80 ends before it starts"),
    ({"ports": ["http"], "cidr_ip": ["10.0.0.0/16"]}, "groups[app].rules[0].ports: 'http' is neither a port nor a range"),
    ({"cidr_ip": ["10.0.0.0/16"]}, "groups[app].rules[0].ports: a tcp rule needs ports, or from_port and to_port"),
    ({"from_port": 80, "cidr_ip": ["10.0.0.0/16"]}, "a tcp rule needs ports, or from_port and to_port"),
    ({"ports": ["80"], "from_port": 80, "cidr_ip": ["10.0.0.0/16"]}, "groups[app].rules[0].ports: give ports or from_port/to_port, not both"),
    ({"ports": ["80"], "cidr_ip": ["10.0.0.0/16"], "group_name": ["alb"]},
     "groups[app].rules[0]: give exactly one of cidr_ip, cidr_ipv6, group_id, group_name, got cidr_ip and group_name"),
    ({"ports": ["80"]}, "give exactly one of cidr_ip, cidr_ipv6, group_id, group_name, got none"),
    ({"ports": ["80"], "cidr_ip": ["10.0.0.1/16"]}, "groups[app].rules[0].cidr_ip: '10.0.0.1/16' has host bits set (the network is 10.0.0.0/16)"),
    ({"ports": ["80"], "cidr_ip": ["fd00::/8"]}, "groups[app].rules[0].cidr_ip: 'fd00::/8' is not a valid IPv4 CIDR block"),
    ({"ports": ["80"], "cidr_ipv6": ["banana"]}, "groups[app].rules[0].cidr_ipv6: 'banana' is not a valid IPv6 CIDR block"),
    ({"ports": ["80"], "group_id": ["alb"]}, "groups[app].rules[0].group_id: 'alb' is not a security group ID"),
    ({"proto": "all", "ports": ["80"], "cidr_ip": ["10.0.0.0/16"]}, "groups[app].rules[0].proto: all covers every port"),
    ({"proto": "icmp", "from_port": 300, "cidr_ip": ["10.0.0.0/16"]}, "groups[app].rules[0].from_port: ICMP type and code are -1 to 255"),
])
def test_bad_rules_name_the_group_the_rule_and_the_option(options, fragment):
    errors = sg.input_errors([{"name": "app", "description": "App", "rules": [rule(**options)], "tags": None}])
    assert any(fragment in error for error in errors), errors


def test_duplicate_names_and_empty_descriptions_are_errors():
    groups = [{"name": "app", "description": " ", "rules": None, "tags": None},
              {"name": "app", "description": "App", "rules": None, "tags": None}]
    errors = sg.input_errors(groups)
    assert "groups: names must be unique in a VPC, got app more than once" in errors
    assert "groups[app].description: must not be empty" in errors


# --- normalisation -------------------------------------------------------------------------

def test_declared_rules_expand_ports_and_sources_and_resolve_group_names():
    rules = [
        rule(ports=["443", "1024-2048"], cidr_ip=["10.0.0.0/16", "192.168.0.0/24"], rule_desc="web"),
        rule(proto="all", group_name=["alb", "new"]),
        rule(proto="icmp", cidr_ipv6=["2001:0db8::/32"]),
    ]
    assert sg.declared_rules(rules, {"alb": "sg-alb"}) == {
        ("tcp", 443, 443, "cidr_ip", "10.0.0.0/16"): "web",
        ("tcp", 443, 443, "cidr_ip", "192.168.0.0/24"): "web",
        ("tcp", 1024, 2048, "cidr_ip", "10.0.0.0/16"): "web",
        ("tcp", 1024, 2048, "cidr_ip", "192.168.0.0/24"): "web",
        ("-1", -1, -1, "group_id", "sg-alb"): "",
        # A group this check-mode run would create has no ID yet.
        ("-1", -1, -1, "group_name", "new"): "",
        ("icmp", -1, -1, "cidr_ipv6", "2001:db8::/32"): "",
    }


def test_live_rules_read_describe_security_groups():
    permissions = [
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [],
         "UserIdGroupPairs": [{"GroupId": "sg-alb", "UserId": "123456789012", "Description": "from alb"}]},
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}], "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32"}],
         "PrefixListIds": [{"PrefixListId": "pl-1"}], "UserIdGroupPairs": []},
        {"IpProtocol": "6", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.0/24", "Description": ""}]},
    ]
    assert sg.live_rules(permissions) == {
        ("tcp", 8080, 8080, "group_id", "sg-alb"): "from alb",
        ("-1", -1, -1, "cidr_ip", "10.0.0.0/16"): "",
        ("-1", -1, -1, "cidr_ipv6", "2001:db8::/32"): "",
        ("-1", -1, -1, "prefix_list_id", "pl-1"): "",
        ("tcp", 22, 22, "cidr_ip", "203.0.113.0/24"): "",
    }


# --- plan ----------------------------------------------------------------------------------

KEEP = ("tcp", 443, 443, "cidr_ip", "10.0.0.0/16")
EXTRA = ("tcp", 22, 22, "cidr_ip", "203.0.113.0/24")
MISSING = ("tcp", 8080, 8080, "group_id", "sg-alb")
REDESCRIBED = ("udp", 53, 53, "cidr_ip", "10.0.0.0/16")


def test_the_plan_is_only_the_difference():
    live = {KEEP: "https", EXTRA: "hand-made", REDESCRIBED: "old"}
    declared = {KEEP: "https", MISSING: "from alb", REDESCRIBED: "dns"}
    assert sg.plan_rules(live, declared, purge=True) == ({MISSING: "from alb"}, {EXTRA: "hand-made"}, {REDESCRIBED: "dns"})
    assert sg.plan_rules(live, declared, purge=False) == ({MISSING: "from alb"}, {}, {REDESCRIBED: "dns"})
    assert sg.plan_rules(live, live, purge=True) == ({}, {}, {})


def test_ip_permissions_group_rules_by_protocol_and_ports():
    rules = {KEEP: "https", ("tcp", 443, 443, "group_id", "sg-alb"): "", ("-1", -1, -1, "cidr_ipv6", "::/0"): "any"}
    assert sg.to_ip_permissions(rules) == [
        {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0", "Description": "any"}]},
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "https"}],
         "UserIdGroupPairs": [{"GroupId": "sg-alb"}]},
    ]
    assert sg.to_ip_permissions({EXTRA: "hand-made"}, with_descriptions=False) == [
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.0/24"}]}]


@pytest.mark.parametrize("key, label", [
    (EXTRA, "tcp 22 from 203.0.113.0/24"),
    (("udp", 1024, 65535, "cidr_ipv6", "::/0"), "udp 1024-65535 from ::/0"),
    (("-1", -1, -1, "group_id", "sg-alb"), "all from sg-alb"),
    (("icmp", 8, -1, "cidr_ip", "10.0.0.0/16"), "icmp 8 from 10.0.0.0/16"),
])
def test_rule_labels(key, label):
    assert sg.rule_label(key) == label


# --- the diff, read by the drift report ----------------------------------------------------

def drift_rows(before, after):
    result = {"changed": True, "groups": [], "group_ids": {"rtap-local-app": "sg-app"},
              "invocation": {"module_args": {"vpc_id": "vpc-1", "groups": []}},
              "diff": {"before": before, "after": after}}
    return [(f["resource"], f["setting"], f["declared"], f["live"]) for f in recorder.diff_findings(result, "task")]


def test_the_drift_report_reads_an_extra_rule_and_a_changed_description():
    live = {MISSING: "From the load balancers", EXTRA: "hand-made", KEEP: "old"}
    declared = {MISSING: "From the load balancers", KEEP: "new"}
    tags = {"Name": "rtap-local-app"}
    before, after = sg.diff_views(("Services", tags, live), ("Services", tags, sg.rules_after(live, declared, True)))
    assert drift_rows({"rtap-local-app": before}, {"rtap-local-app": after}) == [
        ("rtap-local-app", "ip_permissions", None, "tcp 22 from 203.0.113.0/24"),
        ("rtap-local-app", "rule_descriptions.tcp 443 from 10.0.0.0/16", "new", "old"),
    ]


def test_the_drift_report_reads_a_missing_rule_and_a_new_group():
    before, after = sg.diff_views(("Services", {}, {}), ("Services", {}, {MISSING: ""}))
    assert drift_rows({"rtap-local-app": before}, {"rtap-local-app": after}) == [
        ("rtap-local-app", "ip_permissions", "tcp 8080 from sg-alb", None)]
    new = sg.diff_views(("Services", {}, {}), ("Services", {}, {MISSING: ""}))[1]
    assert drift_rows({"rtap-local-new": {}}, {"rtap-local-new": new}) == [
        ("rtap-local-new", "(resource)", "present", "absent")]
