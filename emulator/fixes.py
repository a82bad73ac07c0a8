"""Fixes for places where moto deviates from documented AWS behaviour.

This is the one place where moto is corrected. Each fix is a small function
named after the AWS behaviour it restores; it patches moto's Python code in the
server process (emulator/server.py applies FIXES before the server starts) and
has a test in tests/emulator/test_fixes.py that fails without it.

moto is imported inside each fix so that importing this module stays cheap.
"""

from collections.abc import Callable, Collection
from typing import Any


def nat_gateway_tags_use_natgateway_resource_type() -> None:
    """DescribeTags reports NAT gateway (nat-...) tags with resource type "natgateway".

    AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeTags.html
    (filter resource-type: "... | natgateway | ...") and API_TagSpecification.html.
    moto derives the type from the id prefix via moto.ec2.utils.EC2_PREFIX_TO_RESOURCE,
    which maps "nat" to "nat-gateway", so `resource-type=natgateway` finds nothing and
    amazon.aws.ec2_vpc_nat_gateway re-adds its tags on every run (never idempotent).
    """
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE

    # Mutate in place: moto.ec2.models.tags imported this very dict.
    EC2_PREFIX_TO_RESOURCE["nat"] = "natgateway"


def elastic_ip_tags_use_elastic_ip_resource_type() -> None:
    """DescribeTags reports Elastic IP (eipalloc-...) tags with resource type "elastic-ip".

    AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeTags.html
    (filter resource-type: "... | elastic-ip | ..."). moto's EC2_PREFIX_TO_RESOURCE
    maps "eipalloc" to "vpc-elastic-ip".
    """
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE

    EC2_PREFIX_TO_RESOURCE["eipalloc"] = "elastic-ip"


def nat_gateways_filter_by_tags() -> None:
    """DescribeNatGateways supports the tag:<key>, tag-key (and tag-value) filters.

    AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNatGateways.html
    moto's NatGatewayBackend.describe_nat_gateways only knows nat-gateway-id, vpc-id,
    subnet-id and state, and silently ignores the tag filters (returns every gateway).
    """
    from moto.ec2.models.nat_gateways import NatGatewayBackend
    from moto.ec2.utils import generic_filter, is_tag_filter

    original = NatGatewayBackend.describe_nat_gateways

    def describe_nat_gateways(self: Any, filters: Any, nat_gateway_ids: Any) -> list[Any]:
        filters = filters or {}
        tag_filters = {name: values for name, values in filters.items() if is_tag_filter(name)}
        other_filters = {name: values for name, values in filters.items() if name not in tag_filters}
        gateways = original(self, other_filters, nat_gateway_ids)
        return generic_filter(tag_filters, gateways)

    NatGatewayBackend.describe_nat_gateways = describe_nat_gateways


# Request parameters that name a KMS key (TargetKeyId: CreateAlias/UpdateAlias;
# SourceKeyId/DestinationKeyId: ReEncrypt).
KMS_KEY_ID_PARAMETERS = {"KeyId", "TargetKeyId", "SourceKeyId", "DestinationKeyId"}


def kms_operations_accept_key_arn() -> None:
    """Every KMS operation that takes a key id also accepts the key ARN.

    AWS: https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id
    and each operation's KeyId parameter, e.g. API_ScheduleKeyDeletion.html
    ("Specify the key ID or key ARN of the KMS key"). moto validates ARNs but some
    backend methods (EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion,
    ReplicateKey) then index KmsBackend.keys with the raw parameter, so an ARN gives
    a KeyError and an HTTP 500 (amazon.aws.kms_key state=absent fails this way).

    Root fix: resolve a key ARN to the key id once, where KmsResponse reads request
    parameters, with moto's own KmsBackend.get_key_id. Alias names and alias ARNs are
    left alone: moto already resolves them where AWS allows them.
    """
    from moto.kms.models import KmsBackend
    from moto.kms.responses import KmsResponse

    original = KmsResponse._get_param

    def _get_param(self: Any, param_name: str, if_none: Any = None) -> Any:
        value = original(self, param_name, if_none)
        if param_name in KMS_KEY_ID_PARAMETERS and isinstance(value, str):
            return KmsBackend.get_key_id(value)
        return value

    KmsResponse._get_param = _get_param


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


FIXES: list[Callable[[], None]] = [
    nat_gateway_tags_use_natgateway_resource_type,
    elastic_ip_tags_use_elastic_ip_resource_type,
    nat_gateways_filter_by_tags,
    kms_operations_accept_key_arn,
    s3_bucket_policy_evaluates_secure_transport_condition,
]


def apply(disabled: Collection[str] = ()) -> list[str]:
    """Apply every fix not named in disabled ("all" disables all); return the names applied."""
    applied = []
    for fix in FIXES:
        if "all" in disabled or fix.__name__ in disabled:
            continue
        fix()
        applied.append(fix.__name__)
    return applied
