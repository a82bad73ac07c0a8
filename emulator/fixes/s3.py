"""S3: bucket policy conditions."""

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


FIXES = [s3_bucket_policy_evaluates_secure_transport_condition]
