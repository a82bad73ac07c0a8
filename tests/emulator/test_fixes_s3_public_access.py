"""The fix in emulator/fixes/s3.py (Block Public Access) restores documented AWS behaviour; these tests assert it.

Each test that needs the fix fails on plain moto: check with
PLATFORM_EMULATOR_DISABLE_FIXES=s3_block_public_policy_rejects_public_bucket_policies \
    python -m pytest tests/emulator/test_fixes_s3_public_access.py
"""

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.fixes.s3 import policy_is_public

REGION = "eu-west-1"
BLOCK_ALL = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def policy(bucket: str, **statement: Any) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [dict({
        "Sid": "Read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*"}, **statement)]})


@pytest.fixture(name="s3")
def s3_fixture(fresh_emulator: Any, aws_client: Any) -> Any:
    client = aws_client("s3")
    client.create_bucket(Bucket="blocked", CreateBucketConfiguration={"LocationConstraint": REGION})
    client.put_public_access_block(Bucket="blocked", PublicAccessBlockConfiguration=BLOCK_ALL)
    return client


def test_a_public_policy_is_refused_while_block_public_policy_is_on(s3: Any) -> None:
    with pytest.raises(ClientError) as error:
        s3.put_bucket_policy(Bucket="blocked", Policy=policy("blocked"))
    assert error.value.response["Error"]["Code"] == "AccessDenied"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket="blocked")


def test_a_public_policy_is_stored_once_block_public_policy_is_off(s3: Any) -> None:
    s3.put_public_access_block(Bucket="blocked", PublicAccessBlockConfiguration=dict(BLOCK_ALL, BlockPublicPolicy=False))
    s3.put_bucket_policy(Bucket="blocked", Policy=policy("blocked"))
    assert json.loads(s3.get_bucket_policy(Bucket="blocked")["Policy"])["Statement"][0]["Sid"] == "Read"


def test_non_public_policies_are_accepted_while_block_public_policy_is_on(s3: Any) -> None:
    tls_only = policy("blocked", Effect="Deny", Action="s3:*", Condition={"Bool": {"aws:SecureTransport": "false"}})
    s3.put_bucket_policy(Bucket="blocked", Policy=tls_only)
    service = policy("blocked", Principal={"Service": "logging.s3.amazonaws.com"}, Action="s3:PutObject")
    s3.put_bucket_policy(Bucket="blocked", Policy=service)
    from_endpoint = policy("blocked", Condition={"StringEquals": {"aws:SourceVpce": "vpce-0123"}})
    s3.put_bucket_policy(Bucket="blocked", Policy=from_endpoint)


@pytest.mark.parametrize("statement, public", [
    ({}, True),
    ({"Principal": {"AWS": "*"}}, True),
    ({"Principal": {"AWS": "arn:aws:iam::111122223333:root"}}, False),
    ({"Condition": {"Bool": {"aws:SecureTransport": "true"}}}, True),
    ({"Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}, False),
    ({"Condition": {"StringLike": {"aws:SourceArn": "arn:aws:*"}}}, True),
    ({"Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}, True),
    ({"Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}, False),
    ({"Effect": "Deny"}, False),
])
def test_what_aws_calls_a_public_policy(statement: dict[str, Any], public: bool) -> None:
    assert policy_is_public(policy("b", **statement)) is public
