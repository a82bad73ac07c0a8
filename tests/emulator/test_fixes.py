"""Each fix in emulator/fixes/ restores a documented AWS behaviour; these tests assert it.

Every test here fails on plain moto: check with
PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes.py
"""

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

PLAYBOOKS = Path(__file__).parent / "playbooks"
ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")

AwsClient = Callable[..., Any]


def run_playbook(playbook: str, env: dict[str, str], cwd: Path) -> dict[str, int]:
    """Run a playbook against the emulator; return the PLAY RECAP counters for localhost."""
    env = dict(env, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="False",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="False")
    result = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), str(PLAYBOOKS / playbook)],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    recap = re.search(r"^localhost\s*:(.*)$", result.stdout, re.MULTILINE)
    assert recap, result.stdout
    return {name: int(count) for name, count in re.findall(r"(\w+)=(\d+)", recap.group(1))}


def tag_spec(resource_type: str, **tags: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type,
             "Tags": [{"Key": key, "Value": value} for key, value in tags.items()]}]


def tags_of(resource: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in resource.get("Tags", [])}


@pytest.fixture
def ec2(fresh_emulator: Any, aws_client: AwsClient) -> Any:
    return aws_client("ec2")


def create_subnet(ec2: Any, cidr: str = "10.0.1.0/24") -> str:
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)["Subnet"]["SubnetId"]


def create_nat_gateway(ec2: Any, subnet_id: str, **tags: str) -> str:
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation_id,
                                 TagSpecifications=tag_spec("natgateway", **tags))
    return nat["NatGateway"]["NatGatewayId"]


# --- nat_gateway_tags_use_natgateway_resource_type -------------------------------------

def test_nat_gateway_tags_use_natgateway_resource_type(ec2: Any) -> None:
    nat_id = create_nat_gateway(ec2, create_subnet(ec2), Name="nat-a")

    by_id = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [nat_id]}])["Tags"]
    assert [(tag["ResourceType"], tag["Key"]) for tag in by_id] == [("natgateway", "Name")]

    by_type = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["natgateway"]}])
    assert [tag["ResourceId"] for tag in by_type["Tags"]] == [nat_id]

    gateway, = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
    assert tags_of(gateway) == {"Name": "nat-a"}


def test_nat_gateway_module_is_idempotent_with_tags(fresh_emulator: Any, aws_env: dict[str, str],
                                                    tmp_path: Path) -> None:
    first = run_playbook("nat_gateway_tags.yml", aws_env, tmp_path)
    second = run_playbook("nat_gateway_tags.yml", aws_env, tmp_path)

    assert first["changed"] > 0
    assert second["changed"] == 0


# --- elastic_ip_tags_use_elastic_ip_resource_type --------------------------------------

def test_elastic_ip_tags_use_elastic_ip_resource_type(ec2: Any) -> None:
    allocation_id = ec2.allocate_address(
        Domain="vpc", TagSpecifications=tag_spec("elastic-ip", Name="eip-a")
    )["AllocationId"]

    by_id = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [allocation_id]}])["Tags"]
    assert [(tag["ResourceType"], tag["Key"]) for tag in by_id] == [("elastic-ip", "Name")]

    by_type = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["elastic-ip"]}])
    assert [tag["ResourceId"] for tag in by_type["Tags"]] == [allocation_id]

    address, = ec2.describe_addresses(Filters=[{"Name": "tag:Name", "Values": ["eip-a"]}])["Addresses"]
    assert address["AllocationId"] == allocation_id
    assert tags_of(address) == {"Name": "eip-a"}


# --- nat_gateways_filter_by_tags -------------------------------------------------------

def test_nat_gateways_filter_by_tags(ec2: Any) -> None:
    subnet_id = create_subnet(ec2)
    nat_a = create_nat_gateway(ec2, subnet_id, Name="nat-a", Tier="public")
    nat_b = create_nat_gateway(ec2, subnet_id, Name="nat-b")

    def ids(*filters: tuple[str, list[str]]) -> set[str]:
        response = ec2.describe_nat_gateways(
            Filters=[{"Name": name, "Values": values} for name, values in filters]
        )
        return {gateway["NatGatewayId"] for gateway in response["NatGateways"]}

    assert ids(("tag:Name", ["nat-a"])) == {nat_a}
    assert ids(("tag:Name", ["nat-*"])) == {nat_a, nat_b}
    assert ids(("tag:Name", ["other"])) == set()
    assert ids(("tag-key", ["Tier"])) == {nat_a}
    assert ids(("tag:Name", ["nat-b"]), ("subnet-id", [subnet_id])) == {nat_b}


# --- kms_operations_accept_key_arn -----------------------------------------------------

def test_kms_operations_accept_key_arn(fresh_emulator: Any, aws_client: AwsClient) -> None:
    kms = aws_client("kms")
    key = kms.create_key(Description="before")["KeyMetadata"]
    arn, key_id = key["Arn"], key["KeyId"]
    alias_arn = arn.replace(f":key/{key_id}", ":alias/emulator-test")

    def state() -> str:
        return kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]

    # These returned HTTP 500 on plain moto.
    kms.disable_key(KeyId=arn)
    assert state() == "Disabled"
    kms.enable_key(KeyId=arn)
    assert state() == "Enabled"
    kms.schedule_key_deletion(KeyId=arn, PendingWindowInDays=7)
    assert state() == "PendingDeletion"
    kms.cancel_key_deletion(KeyId=arn)
    assert state() == "Disabled"
    kms.enable_key(KeyId=arn)

    kms.enable_key_rotation(KeyId=arn)
    assert kms.get_key_rotation_status(KeyId=arn)["KeyRotationEnabled"] is True
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Root", "Effect": "Allow", "Action": "kms:*", "Resource": "*",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    }]})
    kms.put_key_policy(KeyId=arn, PolicyName="default", Policy=policy)
    assert json.loads(kms.get_key_policy(KeyId=arn, PolicyName="default")["Policy"]) == json.loads(policy)
    kms.tag_resource(KeyId=arn, Tags=[{"TagKey": "Project", "TagValue": "x"}])
    assert kms.list_resource_tags(KeyId=arn)["Tags"] == [{"TagKey": "Project", "TagValue": "x"}]
    kms.untag_resource(KeyId=arn, TagKeys=["Project"])
    assert kms.list_resource_tags(KeyId=arn)["Tags"] == []
    kms.update_key_description(KeyId=arn, Description="after")
    kms.create_alias(AliasName="alias/emulator-test", TargetKeyId=arn)
    assert [a["AliasName"] for a in kms.list_aliases(KeyId=arn)["Aliases"]] == ["alias/emulator-test"]
    described = kms.describe_key(KeyId=alias_arn)["KeyMetadata"]
    assert (described["KeyId"], described["Description"]) == (key_id, "after")


def test_kms_replicate_key_accepts_key_arn(fresh_emulator: Any, aws_client: AwsClient) -> None:
    kms = aws_client("kms")
    arn = kms.create_key(MultiRegion=True)["KeyMetadata"]["Arn"]

    replica = kms.replicate_key(KeyId=arn, ReplicaRegion="eu-central-1")["ReplicaKeyMetadata"]

    assert replica["Arn"] == arn.replace(":eu-west-1:", ":eu-central-1:")


def test_kms_key_module_deletes_key_by_arn(fresh_emulator: Any, aws_env: dict[str, str],
                                          tmp_path: Path) -> None:
    recap = run_playbook("kms_key_absent_by_arn.yml", aws_env, tmp_path)
    assert recap["failed"] == 0


# --- s3_bucket_policy_evaluates_secure_transport_condition -----------------------------

def bucket_policy(bucket: str, effect: str, action: str, condition: dict | None = None) -> str:
    statement = {"Sid": "Test", "Effect": effect, "Principal": "*", "Action": action,
                 "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_s3_tls_only_bucket_policy_allows_https_requests(fresh_emulator: Any,
                                                         aws_client: AwsClient) -> None:
    s3 = aws_client("s3")

    def bucket_with_policy(name: str, effect: str, action: str, condition: dict | None = None) -> str:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        s3.put_bucket_policy(Bucket=name, Policy=bucket_policy(name, effect, action, condition))
        return name

    tls_only = bucket_with_policy("tls-only", "Deny", "s3:*",
                                  {"Bool": {"aws:SecureTransport": "false"}})
    s3.put_object(Bucket=tls_only, Key="k", Body=b"data")
    assert s3.get_object(Bucket=tls_only, Key="k")["Body"].read() == b"data"
    s3.delete_object(Bucket=tls_only, Key="k")

    # The policy is still enforced: a condition that matches, or no condition, denies.
    deny_on_tls = bucket_with_policy("deny-on-tls", "Deny", "s3:*",
                                     {"Bool": {"aws:SecureTransport": "true"}})
    deny_always = bucket_with_policy("deny-always", "Deny", "s3:PutObject")
    for bucket in (deny_on_tls, deny_always):
        with pytest.raises(ClientError) as error:
            s3.put_object(Bucket=bucket, Key="k", Body=b"data")
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
