"""S3 Block Public Access: a bucket's BlockPublicPolicy refuses public bucket policies."""

import ipaddress
import json
from typing import Any

# Condition keys whose fixed values make a statement non-public, as AWS lists them:
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
FIXED_VALUE_KEYS = frozenset(key.lower() for key in (
    "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalOrgID", "aws:SourceAccount", "aws:SourceArn",
    "aws:SourceIp", "aws:SourceOwner", "aws:SourceVpc", "aws:SourceVpce", "aws:userid",
    "s3:DataAccessPointArn", "s3:DataAccessPointAccount",
))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _fixed(key: str, values: list[Any]) -> bool:
    if any("*" in str(v) or "?" in str(v) for v in values):
        return False
    if key == "aws:sourceip":
        # A public CIDR block wider than /8 (IPv4) or /32 (IPv6), e.g. 0.0.0.0/0, is not fixed.
        try:
            networks = [ipaddress.ip_network(str(v), strict=False) for v in values]
        except ValueError:
            return False
        return all(n.prefixlen >= (8 if n.version == 4 else 32) for n in networks)
    return True


def policy_is_public(policy: str) -> bool:
    """AWS's rule: public unless every Allow to a wildcard principal is limited by a fixed-value key."""
    for statement in _as_list(json.loads(policy).get("Statement", [])):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        everyone = principal == "*" or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS")))
        if not everyone:
            continue
        fixed = any(key.lower() in FIXED_VALUE_KEYS and _fixed(key.lower(), _as_list(values))
                    for operator, block in (statement.get("Condition") or {}).items()
                    if isinstance(block, dict) and not operator.startswith(("StringNotEquals", "ArnNotLike", "NotIp"))
                    for key, values in block.items())
        if not fixed:
            return True
    return False


def s3_block_public_policy_rejects_public_bucket_policies() -> None:
    """PutBucketPolicy with a public policy fails with 403 AccessDenied when the bucket's BlockPublicPolicy is on.

    AWS: "BlockPublicPolicy: Setting this element to TRUE causes Amazon S3 to reject calls
    to PUT Bucket policy if the specified bucket policy allows public access"
    (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html);
    what "public" means is in
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status.
    moto stores any policy, so a platform bucket whose public access block is on could be
    made public by a single PutBucketPolicy, which AWS refuses.
    """
    from moto.s3.exceptions import S3AccessDeniedError
    from moto.s3.models import S3Backend

    original = S3Backend.put_bucket_policy

    def put_bucket_policy(self: Any, bucket_name: str, policy: bytes) -> None:
        block = self.get_bucket(bucket_name).public_access_block
        text = policy.decode() if isinstance(policy, bytes) else policy
        if block is not None and block.block_public_policy and policy_is_public(text):
            raise S3AccessDeniedError()
        original(self, bucket_name, policy)

    S3Backend.put_bucket_policy = put_bucket_policy


FIXES = [s3_block_public_policy_rejects_public_bucket_policies]
