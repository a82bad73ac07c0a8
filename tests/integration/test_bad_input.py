"""Bad input fails in the pre-flight play, naming the variable, before any change."""

import json

import pytest

from tests.playbook import run_playbook

OVERLAPPING_TIERS = [
    {"name": "public", "public": True, "cidrs": ["10.20.0.0/20", "10.20.8.0/21"]},
    {"name": "private", "cidrs": ["10.20.64.0/20", "10.20.80.0/20"]},
]

CASES = {
    "invalid VPC CIDR": ({"network_vpc_cidr": "10.20.0.1/16"}, "network_vpc_cidr"),
    "not a CIDR at all": ({"network_vpc_cidr": "10.300.0.0/16"}, "network_vpc_cidr"),
    "VPC CIDR too large": ({"network_vpc_cidr": "10.0.0.0/8"}, "network_vpc_cidr"),
    "overlapping subnets": ({"network_subnet_tiers": OVERLAPPING_TIERS}, "network_subnet_tiers: subnets overlap"),
    "AZ count of 0": ({"network_az_count": 0}, "network_az_count"),
    "unknown environment": ({"platform_env": "qa"}, "platform_env: 'qa' is not a known environment"),
    "unknown NAT mode": ({"network_nat_mode": "two"}, "network_nat_mode"),
    "peer CIDR overlaps the VPC": (
        {"network_peerings": [{"name": "shared", "peer_vpc_id": "vpc-1", "peer_cidr": "10.20.64.0/18"}]}, "network_peerings"),
    "security group port out of range": (
        {"network_security_groups": [{"name": "alb", "description": "x", "rules": [{"proto": "tcp", "ports": [70000], "cidr_ip": "0.0.0.0/0"}]}]},
        "network_security_groups"),
    "KMS deletion window out of range": ({"kms_deletion_window_days": 3}, "kms_deletion_window_days"),
    "component names an undeclared key": (
        {"iam_kms_key_purposes": ["data"]}, "iam_components: 'stream-preprocessor' uses KMS key 'messaging'"),
    "session duration out of range": ({"iam_max_session_duration": 60}, "iam_max_session_duration"),
    "prod without confirmation": ({"platform_requires_confirmation": True}, "platform_confirm"),
}


@pytest.mark.parametrize("extra_vars, expected", CASES.values(), ids=CASES.keys())
def test_bad_input_fails_before_any_change(fresh_emulator, aws_env, aws_client, tmp_path, extra_vars, expected):
    run = run_playbook(aws_env, "site.yml", "-e", json.dumps(extra_vars), artifacts=tmp_path)

    assert run.returncode != 0
    assert expected in run.output, run.output[-3000:]
    assert run.recap["changed"] == 0
    # Nothing of the platform exists: no VPC (only the default one), role or key.
    assert [v for v in aws_client("ec2").describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []
    assert [r for r in aws_client("iam").list_roles()["Roles"] if r["RoleName"].startswith("rtap-")] == []
    assert aws_client("kms").list_keys()["Keys"] == []
