import ipaddress

import pytest

from filter_plugins.network_plan import network_input_errors, network_subnet_plan

TIERS = [{"name": "public", "public": True}, {"name": "private"}]


def test_plan_gives_each_tier_and_az_its_own_slot():
    plan = network_subnet_plan("10.20.0.0/16", ["a", "b"], TIERS, 4)
    assert [(p["tier"], p["az"], p["cidr"]) for p in plan] == [
        ("public", "a", "10.20.0.0/19"), ("public", "b", "10.20.32.0/19"),
        ("private", "a", "10.20.128.0/19"), ("private", "b", "10.20.160.0/19"),
    ]


def test_adding_an_az_renumbers_no_existing_subnet():
    two = network_subnet_plan("10.20.0.0/16", ["a", "b"], TIERS, 4)
    three = network_subnet_plan("10.20.0.0/16", ["a", "b", "c"], TIERS, 4)
    assert {p["cidr"] for p in two} < {p["cidr"] for p in three}


@pytest.mark.parametrize("azs", [1, 2, 3, 4])
def test_planned_subnets_never_overlap_and_stay_in_the_vpc(azs):
    vpc = ipaddress.ip_network("10.50.0.0/20")
    plan = network_subnet_plan(str(vpc), [f"az{i}" for i in range(azs)], TIERS + [{"name": "data"}], 4)
    nets = [ipaddress.ip_network(p["cidr"]) for p in plan]
    assert all(n.subnet_of(vpc) for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])


def test_pinned_cidrs_are_used():
    tiers = [{"name": "public", "public": True, "cidrs": ["10.20.0.0/24", "10.20.1.0/24"]}, {"name": "private"}]
    plan = network_subnet_plan("10.20.0.0/16", ["a", "b"], tiers, 4)
    assert [p["cidr"] for p in plan[:2]] == ["10.20.0.0/24", "10.20.1.0/24"]


def test_valid_input_has_no_errors():
    assert network_input_errors("10.20.0.0/16", 2, 4, TIERS) == []


@pytest.mark.parametrize("cidr, fragment", [
    ("10.20.0.1/16", "host bits zero"),
    ("banana", "not a valid IPv4 CIDR"),
    ("10.0.0.0/8", "between /16 and /28"),
    ("fd00::/48", "not a valid IPv4 CIDR"),
])
def test_bad_vpc_cidr_names_the_variable(cidr, fragment):
    errors = network_input_errors(cidr, 2, 4, TIERS)
    assert errors and errors[0].startswith("network_vpc_cidr:") and fragment in errors[0]


def test_vpc_too_small_for_the_plan():
    errors = network_input_errors("10.20.0.0/27", 2, 4, TIERS)
    assert errors and "too small" in errors[0]


@pytest.mark.parametrize("count", [0, -1, 5, "0", "two", None])
def test_az_count_out_of_range(count):
    assert any(e.startswith("network_az_count:") for e in network_input_errors("10.20.0.0/16", count, 4, TIERS))


def test_overlapping_pinned_subnets():
    tiers = [{"name": "public", "public": True, "cidrs": ["10.20.0.0/20", "10.20.8.0/21"]}, {"name": "private"}]
    errors = network_input_errors("10.20.0.0/16", 2, 4, tiers)
    assert any("subnets overlap: public 10.20.0.0/20 and public 10.20.8.0/21" in e for e in errors)


def test_pinned_subnet_outside_the_vpc():
    tiers = [{"name": "public", "cidrs": ["10.99.0.0/24", "10.20.1.0/24"]}, {"name": "private"}]
    assert any("outside network_vpc_cidr" in e for e in network_input_errors("10.20.0.0/16", 2, 4, tiers))


def test_duplicate_tier_names():
    assert any("unique" in e for e in network_input_errors("10.20.0.0/16", 2, 4, [{"name": "a"}, {"name": "a"}]))


def test_peering_overlap_and_bad_ports():
    errors = network_input_errors(
        "10.20.0.0/16", 2, 4, TIERS,
        peerings=[{"name": "p", "peer_cidr": "10.20.5.0/24"}],
        security_groups=[{"name": "g", "rules": [{"ports": ["1024-70000"], "cidr_ip": "0.0.0.0/0"}]}])
    assert any(e.startswith("network_peerings:") for e in errors)
    assert any(e.startswith("network_security_groups:") and "70000" in e for e in errors)


def test_az_count_given_as_a_string_on_the_command_line_is_accepted():
    assert network_input_errors("10.20.0.0/16", "3", 4, TIERS) == []
