"""Integration tests for library/ec2_security_groups.py against the emulator.

The module runs through ansible-playbook (playbooks/ec2_security_groups.yml); what it did is
judged from the emulator's state, read with boto3 (DescribeSecurityGroups), and from the AWS
calls the module made (aws_call_recorder), not from its own report.
"""

from pathlib import Path

import pytest

from tests.module_playbook import run_module_playbook

PLAYBOOK = Path(__file__).resolve().parent / "playbooks" / "ec2_security_groups.yml"
VPC_CIDR = "10.30.0.0/16"


@pytest.fixture
def ec2(fresh_emulator, aws_client):
    return aws_client("ec2")


@pytest.fixture
def vpc_id(ec2):
    return ec2.create_vpc(CidrBlock=VPC_CIDR)["Vpc"]["VpcId"]


@pytest.fixture
def run(aws_env, tmp_path):
    """Run the playbook; return (module result, output, AWS calls, mutating AWS calls)."""
    def go(options, check=False, expect_failure=False):
        done = run_module_playbook(aws_env, PLAYBOOK, options, tmp_path, check=check)
        assert (done.returncode != 0) == expect_failure, done.output
        return done.result, done.output, done.calls, done.mutating

    return go


def declared(vpc_id, alb_description="Load balancers - HTTPS from the internet"):
    return {
        "vpc_id": vpc_id,
        "security_groups": [
            # app first: it references alb, created in the same run.
            {"name": "shop-app", "description": "Services behind the load balancers",
             "rules": [
                 {"proto": "tcp", "ports": [8080, "9000-9010"], "group_name": "shop-alb", "rule_desc": "From the load balancers"},
                 {"proto": "udp", "from_port": 53, "to_port": 53, "cidr_ip": VPC_CIDR, "rule_desc": "DNS from the VPC"},
                 {"proto": "icmp", "from_port": 8, "to_port": -1, "cidr_ip": VPC_CIDR},
             ],
             "tags": {"Name": "shop-app", "Layer": "foundation"}},
            {"name": "shop-alb", "description": alb_description,
             "rules": [
                 {"proto": "tcp", "ports": [443], "cidr_ip": "0.0.0.0/0", "rule_desc": "HTTPS from clients"},
                 {"proto": "tcp", "ports": [443], "cidr_ipv6": "::/0", "rule_desc": "HTTPS from clients"},
             ],
             "tags": {"Name": "shop-alb", "Layer": "foundation"}},
        ],
    }


def groups_in(ec2, vpc_id):
    """{name: {id, description, tags, rules, egress}} of the VPC's groups, as the emulator has them."""
    found = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    return {g["GroupName"]: {"id": g["GroupId"], "description": g["Description"],
                             "tags": {t["Key"]: t["Value"] for t in g.get("Tags", [])},
                             "rules": rules_of(g["IpPermissions"]), "egress": rules_of(g["IpPermissionsEgress"])}
            for g in found if g["GroupName"] != "default"}


def rules_of(permissions):
    rules = set()
    for perm in permissions:
        ports = (perm.get("FromPort"), perm.get("ToPort"))
        for r in perm.get("IpRanges", []):
            rules.add((perm["IpProtocol"], *ports, r["CidrIp"], r.get("Description", "")))
        for r in perm.get("Ipv6Ranges", []):
            rules.add((perm["IpProtocol"], *ports, r["CidrIpv6"], r.get("Description", "")))
        for r in perm.get("UserIdGroupPairs", []):
            rules.add((perm["IpProtocol"], *ports, r["GroupId"], r.get("Description", "")))
    return rules


def expected_rules(alb_id):
    return {
        "shop-app": {
            ("tcp", 8080, 8080, alb_id, "From the load balancers"),
            ("tcp", 9000, 9010, alb_id, "From the load balancers"),
            ("udp", 53, 53, VPC_CIDR, "DNS from the VPC"),
            ("icmp", 8, -1, VPC_CIDR, ""),
        },
        "shop-alb": {
            ("tcp", 443, 443, "0.0.0.0/0", "HTTPS from clients"),
            ("tcp", 443, 443, "::/0", "HTTPS from clients"),
        },
    }


def assert_declared_state(ec2, vpc_id):
    groups = groups_in(ec2, vpc_id)
    assert sorted(groups) == ["shop-alb", "shop-app"]
    assert {name: g["rules"] for name, g in groups.items()} == expected_rules(groups["shop-alb"]["id"])
    assert groups["shop-app"]["description"] == "Services behind the load balancers"
    assert groups["shop-alb"]["tags"] == {"Name": "shop-alb", "Layer": "foundation"}
    assert groups["shop-app"]["tags"] == {"Name": "shop-app", "Layer": "foundation"}
    # AWS's default egress rule stays.
    assert all(("-1", None, None, "0.0.0.0/0", "") in g["egress"] for g in groups.values())
    return groups


def test_creates_both_groups_then_a_rerun_changes_nothing(ec2, vpc_id, run):
    result, _, _, mutating = run(declared(vpc_id))

    groups = assert_declared_state(ec2, vpc_id)
    assert result["changed"] is True
    assert result["group_ids"] == {"shop-app": groups["shop-app"]["id"], "shop-alb": groups["shop-alb"]["id"]}
    assert [g["name"] for g in result["groups"]] == ["shop-app", "shop-alb"]
    assert sorted(mutating).count("ec2 CreateSecurityGroup") == 2
    assert "ec2 CreateTags" not in mutating  # the tags come with the create call

    again, _, calls, mutating = run(declared(vpc_id))

    assert again["changed"] is False
    assert mutating == []
    assert calls == ["ec2 DescribeSecurityGroups"]
    assert again["group_ids"] == result["group_ids"]
    assert groups_in(ec2, vpc_id) == groups


def test_drift_is_put_back_with_only_the_difference(ec2, vpc_id, run):
    run(declared(vpc_id))
    groups = groups_in(ec2, vpc_id)
    app, alb = groups["shop-app"]["id"], groups["shop-alb"]["id"]
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.0/24", "Description": "hand-made"}]}])
    ec2.revoke_security_group_ingress(GroupId=alb, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    ec2.update_security_group_rule_descriptions_ingress(GroupId=app, IpPermissions=[
        {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": VPC_CIDR, "Description": "edited"}]}])
    ec2.create_tags(Resources=[alb], Tags=[{"Key": "Owner", "Value": "someone"}])
    assert ("udp", 53, 53, VPC_CIDR, "edited") in groups_in(ec2, vpc_id)["shop-app"]["rules"]

    result, output, _, mutating = run(declared(vpc_id))

    assert_declared_state(ec2, vpc_id)
    assert sorted(mutating) == ["ec2 AuthorizeSecurityGroupIngress", "ec2 DeleteTags",
                                "ec2 RevokeSecurityGroupIngress", "ec2 UpdateSecurityGroupRuleDescriptionsIngress"]
    by_name = {g["name"]: g for g in result["groups"]}
    assert by_name["shop-app"]["rules_revoked"] == ["tcp 22 from 203.0.113.0/24"]
    assert by_name["shop-app"]["rule_descriptions_updated"] == [f"udp 53 from {VPC_CIDR}"]
    assert by_name["shop-alb"]["rules_authorized"] == ["tcp 443 from ::/0"]
    assert "203.0.113.0/24" in output  # the diff shows the revoked rule


def test_check_mode_changes_nothing_and_predicts_the_change(ec2, vpc_id, run):
    result, _, _, mutating = run(declared(vpc_id), check=True)

    assert result["changed"] is True
    assert mutating == []
    assert groups_in(ec2, vpc_id) == {}
    assert result["group_ids"] == {"shop-app": "", "shop-alb": ""}

    run(declared(vpc_id))
    app = groups_in(ec2, vpc_id)["shop-app"]["id"]
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.0/24"}]}])
    drifted = groups_in(ec2, vpc_id)

    result, _, _, mutating = run(declared(vpc_id), check=True)

    assert result["changed"] is True
    assert [g["name"] for g in result["groups"] if g["changed"]] == ["shop-app"]
    assert mutating == []
    assert groups_in(ec2, vpc_id) == drifted


def test_a_changed_description_fails_naming_the_group_before_any_change(ec2, vpc_id, run):
    run(declared(vpc_id))
    before = groups_in(ec2, vpc_id)
    options = declared(vpc_id, alb_description="Something else")
    options["security_groups"][0]["rules"].append({"proto": "tcp", "ports": [22], "cidr_ip": VPC_CIDR})

    _, output, _, mutating = run(options, expect_failure=True)

    assert "groups[shop-alb].description" in output and "AWS cannot change a group's description" in output
    assert mutating == []
    assert groups_in(ec2, vpc_id) == before


def test_an_unknown_group_name_fails_before_any_change(ec2, vpc_id, run):
    options = declared(vpc_id)
    options["security_groups"][0]["rules"][0]["group_name"] = "shop-missing"

    _, output, _, mutating = run(options, expect_failure=True)

    assert f"groups[shop-app].rules: no security group named shop-missing in {vpc_id}" in output
    assert mutating == []
    assert groups_in(ec2, vpc_id) == {}


@pytest.mark.parametrize("bad_rule, fragment", [
    ({"proto": "tpc", "ports": [80], "cidr_ip": VPC_CIDR}, "value of proto must be one of"),
    ({"proto": "tcp", "ports": [70000], "cidr_ip": VPC_CIDR}, "groups[shop-app].rules[0].ports: 70000 is out of the port range 0-65535"),
    ({"proto": "tcp", "ports": [80], "cidr_ip": VPC_CIDR, "group_name": "shop-alb"},
     "groups[shop-app].rules[0]: give exactly one of cidr_ip, cidr_ipv6, group_id, group_name, got cidr_ip and group_name"),
])
def test_bad_input_fails_naming_the_option_before_any_aws_call(vpc_id, run, bad_rule, fragment):
    options = declared(vpc_id)
    options["security_groups"][0]["rules"] = [bad_rule]

    _, output, calls, _ = run(options, expect_failure=True)

    assert fragment in output
    assert calls == []
