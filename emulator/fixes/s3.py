"""S3: bucket policy conditions, notification key filter rules, logging target policies, Block Public Access."""

import ipaddress
import json
from typing import Any


def s3_bucket_policy_evaluates_secure_transport_condition() -> None:
    """A TLS-only bucket policy (Deny s3:* when aws:SecureTransport is "false") lets HTTPS requests through.

    AWS: a statement applies only when its Condition matches
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html),
    Bool compares booleans (reference_policies_elements_condition_operators.html#Conditions_Boolean)
    and aws:SecureTransport is "true" for requests over TLS
    (reference_policies_condition-keys.html#condition-keys-securetransport).
    moto, for object requests to a bucket with a policy (FakeBucket.get_permission):
    - passes no request context, so aws:SecureTransport is unknown;
    - only knows StringEquals (moto.iam.policy_conditions.CONDITION_OPERATIONS) and treats
      any other operator, such as Bool, as matched;
    - IAMPolicyStatement.is_action_permitted returns DENIED when a condition does not match,
      instead of ignoring the statement.
    So every object request to a TLS-only bucket got 403. The emulator serves HTTPS only,
    so every request it sees is a secure-transport request.
    """
    from moto.iam import policy_conditions
    from moto.iam.access_control import IAMPolicy, IAMPolicyStatement, PermissionResult
    from moto.s3.models import FakeBucket

    def bool_operation(expected: Any, actual: str) -> bool:
        expected_values = expected if isinstance(expected, list) else [expected]
        return actual.lower() in [str(value).lower() for value in expected_values]

    policy_conditions.CONDITION_OPERATIONS["Bool"] = bool_operation

    def get_permission(self: Any, action: str, resource: str) -> PermissionResult:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        return IAMPolicy(self.policy.decode()).is_action_permitted(
            action, resource, incoming_condition_values={"aws:SecureTransport": "true"}
        )

    FakeBucket.get_permission = get_permission

    original_is_action_permitted = IAMPolicyStatement.is_action_permitted

    def is_action_permitted(self: Any, action: str, resource: str = "*",
                            principal: str | None = None,
                            incoming_condition_values: dict[str, str] | None = None) -> PermissionResult:
        if not self._check_conditions(incoming_condition_values):
            return PermissionResult.NEUTRAL  # the statement does not apply
        return original_is_action_permitted(self, action, resource, principal, incoming_condition_values)

    IAMPolicyStatement.is_action_permitted = is_action_permitted

def s3_notification_filter_rules_accept_aws_rule_names() -> None:
    """PutBucketNotificationConfiguration accepts key filter rules named Prefix/Suffix (any case) and empty values.

    AWS: a FilterRule has a Name (prefix or suffix) and a Value, a plain string with no
    minimum length (https://docs.aws.amazon.com/AmazonS3/latest/API/API_FilterRule.html).
    S3 matches the name case-insensitively and GetBucketNotificationConfiguration returns it
    as "Prefix" / "Suffix" (the form AWS Security Hub documents for S3 key filter rules:
    https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsS3BucketNotificationConfigurationS3KeyFilterRule.html).
    A rule name that is neither is refused with 400 InvalidArgument, never a server error.
    moto: S3Response._notification_config_from_body asserts `Name in ["suffix", "prefix"]`
    and a non-empty Value; the AssertionError escapes as HTTP 500. So
    community.aws.s3_bucket_notification, which sends "Prefix" and "Suffix" (and "" when a
    filter is not used), always got a 500. Notification._key_matches only knew lowercase names.
    """
    import xmltodict
    from moto.s3.exceptions import S3ClientError
    from moto.s3.models import Notification
    from moto.s3.responses import S3Response

    aws_names = {"prefix": "Prefix", "suffix": "Suffix"}
    placeholder = "moto-fix-empty-filter-value"

    def filter_rules(config: Any) -> list[dict[str, Any]]:
        """The FilterRule dicts of a parsed NotificationConfiguration, in document order."""
        rules: list[dict[str, Any]] = []
        for kind in ("TopicConfiguration", "QueueConfiguration", "CloudFunctionConfiguration"):
            entries = (config or {}).get(kind) or []
            for entry in entries if isinstance(entries, list) else [entries]:
                found = ((entry.get("Filter") or {}).get("S3Key") or {}).get("FilterRule") or []
                rules.extend(found if isinstance(found, list) else [found])
        return rules

    original = S3Response._notification_config_from_body

    def _notification_config_from_body(self: Any) -> dict[str, Any]:
        parsed = xmltodict.parse(self.body)
        rules = filter_rules(parsed.get("NotificationConfiguration"))
        if not rules:
            return original(self)
        given = []
        for rule in rules:
            name = str(rule.get("Name") or "").lower()
            if name not in aws_names:
                raise S3ClientError("InvalidArgument", "filter rule name must be either prefix or suffix")
            given.append((aws_names[name], rule.get("Value") or ""))
            # What moto's own parser accepts; the real values are put back below.
            rule["Name"], rule["Value"] = name, placeholder
        body = self.body
        self.body = xmltodict.unparse(parsed)
        try:
            config = original(self)
        finally:
            self.body = body
        for rule, (name, value) in zip(filter_rules(config), given):
            rule["Name"], rule["Value"] = name, value
        return config

    S3Response._notification_config_from_body = _notification_config_from_body

    def _key_matches(self: Any, key_name: str) -> bool:
        if "S3Key" not in self.filters:
            return True
        rules = {rule["Name"].lower(): rule["Value"] or "" for rule in self.filters["S3Key"]["FilterRule"]}
        return key_name.startswith(rules.get("prefix", "")) and key_name.endswith(rules.get("suffix", ""))

    Notification._key_matches = _key_matches


def s3_logging_target_policy_check_reads_every_policy_form() -> None:
    """PutBucketLogging accepts a target bucket whose policy grants logging.s3.amazonaws.com in any valid form.

    AWS: server access log delivery is granted by a target bucket policy statement that allows
    s3:PutObject to the logging.s3.amazonaws.com service principal
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
    A policy's Principal may be "*" or a map, and Service, Action and Resource may each be a
    string or a list (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
    reference_policies_elements_action.html, reference_policies_elements_resource.html).
    moto: FakeBucket._log_permissions_enabled_policy calls .get() on every statement's Principal,
    so any statement with "Principal": "*" (such as a TLS-only Deny) raises AttributeError: HTTP 500
    on PutBucketLogging. It also compares Service and Resource with a single string only.
    """
    import json

    from moto.s3.models import FakeBucket
    from moto.s3.utils import LOGGING_SERVICE_PRINCIPAL

    def as_list(value: Any) -> list[Any]:
        return value if isinstance(value, list) else [value]

    def _log_permissions_enabled_policy(target_bucket: Any, target_prefix: str | None) -> bool:
        if not target_bucket.policy:
            return False
        bucket_arn = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}"
        granted = {bucket_arn, f"{bucket_arn}/*", f"{bucket_arn}/{target_prefix or ''}*"}
        for statement in as_list(json.loads(target_bucket.policy.decode()).get("Statement", [])):
            principal = statement.get("Principal")
            services = as_list(principal.get("Service", [])) if isinstance(principal, dict) else []
            if (statement.get("Effect") == "Allow" and LOGGING_SERVICE_PRINCIPAL in services
                    and {"s3:PutObject", "s3:*"} & set(as_list(statement.get("Action", [])))
                    and granted & set(as_list(statement.get("Resource", [])))):
                return True
        return False

    FakeBucket._log_permissions_enabled_policy = staticmethod(_log_permissions_enabled_policy)


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


FIXES = [
    s3_bucket_policy_evaluates_secure_transport_condition,
    s3_notification_filter_rules_accept_aws_rule_names,
    s3_logging_target_policy_check_reads_every_policy_form,
    s3_block_public_policy_rejects_public_bucket_policies,
]
