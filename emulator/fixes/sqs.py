"""SQS: the RedriveAllowPolicy attribute, and queue policies (access from other accounts and from SNS).

moto 5.2.5 stores a queue's Policy but never evaluates it. The fixes below
evaluate it the way AWS documents it, for the two kinds of callers a queue
policy exists for: principals of another AWS account, and AWS services (SNS)
that deliver to the queue. Callers of the queue owner's own account are
governed by their IAM policies, which moto does not enforce by default; for
them only an explicit Deny in the queue policy counts.
"""

import fnmatch
import json
import re
from typing import Any

# Batch actions are authorized as their single-message action
# (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
_BATCH_ACTIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
_QUEUE_URL_PATH = re.compile(r"^/(\d{12})/([^/]+)$")


# ---------------------------------------------------------------------------
# A small evaluator of resource policies (the subset queue policies use)
# ---------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _like(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM wildcard match: * any run of characters, ? one character."""
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern)


def _condition_operator_matches(operator: str, expected: Any, actual: str | None) -> bool | None:
    """One condition operator against one context key; None if the operator is unknown.

    AWS: a condition on a key absent from the request context is false, except for
    ...IfExists operators and negated operators (StringNotEquals...), which are true;
    Null tests presence (reference_policies_elements_condition_operators.html).
    """
    if_exists = operator.endswith("IfExists")
    base = operator[: -len("IfExists")] if if_exists else operator
    base = base.split(":", 1)[-1]  # ForAnyValue:/ForAllValues: on single-valued keys
    values = [str(v) for v in _as_list(expected)]
    negated = base in ("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike")
    if base == "Null":
        return (actual is None) == (values[0].lower() == "true")
    if actual is None:
        return if_exists or negated
    if base in ("StringEquals", "ArnEquals"):
        return actual in values
    if base in ("StringNotEquals", "ArnNotEquals"):
        return actual not in values
    if base == "StringEqualsIgnoreCase":
        return actual.lower() in [v.lower() for v in values]
    if base == "StringNotEqualsIgnoreCase":
        return actual.lower() not in [v.lower() for v in values]
    if base in ("StringLike", "ArnLike"):
        return any(_like(v, actual) for v in values)
    if base in ("StringNotLike", "ArnNotLike"):
        return not any(_like(v, actual) for v in values)
    if base == "Bool":
        return actual.lower() in [v.lower() for v in values]
    return None


def _conditions_match(condition: dict[str, Any], context: dict[str, str]) -> bool | None:
    """True if every condition matches, False if one does not, None if one is not understood."""
    unknown = False
    lowered = {key.lower(): value for key, value in context.items()}  # condition keys are case-insensitive
    for operator, tests in (condition or {}).items():
        for key, expected in tests.items():
            result = _condition_operator_matches(operator, expected, lowered.get(key.lower()))
            if result is False:
                return False
            if result is None:
                unknown = True
    return None if unknown else True


def _principal_matches(principal: Any, caller: dict[str, Any]) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if caller.get("service"):
        return caller["service"] in _as_list(principal.get("Service"))
    for entry in _as_list(principal.get("AWS")):
        entry = str(entry)
        if entry == "*" or entry in caller["principals"]:
            return True
    return False


def _statement_applies(statement: dict[str, Any], action: str, resource: str,
                       caller: dict[str, Any], context: dict[str, str]) -> bool | None:
    if "NotPrincipal" in statement or "NotAction" in statement or "NotResource" in statement:
        return None  # not used by queue policies here; treated as not understood
    if not _principal_matches(statement.get("Principal"), caller):
        return False
    if not any(_like(str(a), action, ignore_case=True) or a == "*" for a in _as_list(statement.get("Action"))):
        return False
    if not any(_like(str(r), resource) for r in _as_list(statement.get("Resource", "*"))):
        return False
    return _conditions_match(statement.get("Condition"), context)


def queue_policy_decision(policy: str | None, action: str, resource: str,
                          caller: dict[str, Any], context: dict[str, str]) -> str:
    """"deny" (explicit Deny), "allow" (an Allow matches) or "implicit" (nothing matches).

    A statement whose condition this evaluator does not understand is applied
    the safe way: as applying for Deny, as not applying for Allow.
    """
    if not policy:
        return "implicit"
    try:
        statements = _as_list(json.loads(policy).get("Statement"))
    except (ValueError, AttributeError):
        return "implicit"
    allowed = False
    for statement in statements:
        applies = _statement_applies(statement, action, resource, caller, context)
        if statement.get("Effect") == "Deny" and applies in (True, None):
            return "deny"
        if statement.get("Effect") == "Allow" and applies is True:
            allowed = True
    return "allow" if allowed else "implicit"


# ---------------------------------------------------------------------------
# Fixes
# ---------------------------------------------------------------------------


def sqs_queue_attributes_include_redrive_allow_policy() -> None:
    """GetQueueAttributes returns RedriveAllowPolicy (and accepts it as an attribute name).

    AWS: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
    lists RedriveAllowPolicy among the attributes returned (SetQueueAttributes sets it; an
    empty string removes it). moto 5.2.5 stores it (Queue._set_attributes sets any attribute)
    but leaves it out of Queue.BASE_ATTRIBUTES, so "All" omits it and asking for it by name
    fails with InvalidAttributeName: a module comparing it can never be idempotent.
    """
    from moto.sqs.models import Queue

    if "RedriveAllowPolicy" not in Queue.BASE_ATTRIBUTES:
        Queue.BASE_ATTRIBUTES.append("RedriveAllowPolicy")
    Queue.redrive_allow_policy = None  # queues that never set it

    original = Queue._set_attributes

    def _set_attributes(self: Any, attributes: dict[str, Any], now: float | None = None) -> None:
        original(self, attributes, now)
        if "RedriveAllowPolicy" in attributes and not attributes["RedriveAllowPolicy"]:
            self.redrive_allow_policy = None

    Queue._set_attributes = _set_attributes


def _queue_owner_from_request(response: Any) -> str | None:
    """The account in the request's queue URL (https://host/<account>/<queue>), if any."""
    try:
        queue_url = response._get_param("QueueUrl")
    except (AttributeError, TypeError):
        queue_url = None
    if isinstance(queue_url, str) and queue_url.startswith(("http://", "https://")):
        path = "/" + queue_url.split("://", 1)[1].split("/", 1)[-1]
    else:
        path = getattr(response, "path", "") or ""
    match = _QUEUE_URL_PATH.match(path)
    if match:
        return match.group(1)
    try:
        return response._get_param("QueueOwnerAWSAccountId")
    except (AttributeError, TypeError):
        return None


def _caller_of(response: Any) -> dict[str, Any]:
    """The principal that signed the request: account, and the ARNs a policy may name it by."""
    from moto.iam.models import iam_backends
    from moto.utilities.utils import get_partition

    account = response.current_account
    partition = get_partition(response.region)
    principals = [account, f"arn:{partition}:iam::{account}:root"]
    key = iam_backends[account][partition].access_keys.get(response.get_access_key())
    if key is not None and key.role_arn:
        principals.append(key.role_arn)
    elif key is not None and key.user_name:
        principals.append(f"arn:{partition}:iam::{account}:user/{key.user_name}")
    return {"account": account, "principals": principals}


def sqs_queue_policy_controls_access_from_other_accounts() -> None:
    """A request signed by another account reaches the queue its URL names, and only if the queue policy allows it.

    AWS: the queue URL names the owner account, and a principal of another account may call
    SQS actions on the queue only when the queue policy grants it; an explicit Deny in the
    queue policy refuses any caller; a refused request fails with AccessDenied
    (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-examples-of-sqs-policies.html,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
    moto 5.2.5 looks every queue up in the caller's own account (SQSResponse.sqs_backend),
    so another account's caller gets NonExistentQueue whatever the policy says, and it never
    evaluates queue policies. The fix resolves the queue in the account of its URL and
    evaluates the queue policy: caller of another account -> needs an Allow; any caller ->
    refused by a matching Deny. The owner account's callers are otherwise let through
    (their IAM policies decide, which moto does not enforce by default).
    """
    from moto.core.responses import ActionResult
    from moto.sqs.exceptions import QueueDoesNotExist, SQSException
    from moto.sqs.models import sqs_backends
    from moto.sqs.responses import SQSResponse

    def sqs_backend(self: Any) -> Any:
        owner = _queue_owner_from_request(self) or self.current_account
        return sqs_backends[owner][self.region]

    SQSResponse.sqs_backend = property(sqs_backend)

    original_call_action = SQSResponse.call_action

    def call_action(self: Any) -> Any:
        action = self._get_action()
        owner = _queue_owner_from_request(self)
        if action and owner and action not in ("CreateQueue", "ListQueues"):
            try:
                queue = sqs_backends[owner][self.region].get_queue(
                    self._get_param("QueueName") if action == "GetQueueUrl" else self._get_queue_name())
            except QueueDoesNotExist:
                queue = None
            if queue is not None:
                caller = _caller_of(self)
                context = {
                    "aws:SecureTransport": "true" if self.uri.startswith("https") else "false",
                    "aws:PrincipalAccount": caller["account"],
                    "aws:PrincipalArn": caller["principals"][-1],
                }
                decision = queue_policy_decision(
                    queue.policy, "sqs:" + _BATCH_ACTIONS.get(action, action), queue.queue_arn, caller, context)
                if decision == "deny" or (decision == "implicit" and caller["account"] != queue.account_id):
                    error = SQSException("AccessDenied", f"Access to the resource {queue.queue_arn} is denied.")
                    _, headers, body = self.serialized(ActionResult(error))
                    status = 403  # AWS answers AccessDenied with HTTP 403 Forbidden
                    headers["status"] = str(status)
                    headers, body = self._enrich_response(headers, body)
                    return status, headers, body
        return original_call_action(self)

    SQSResponse.call_action = call_action


def sns_deliveries_to_sqs_need_queue_policy_permission() -> None:
    """SNS delivers to an SQS queue only when the queue policy lets the topic send.

    AWS: "the queue must have a policy that allows the Amazon SNS topic to send messages to
    it", typically Principal sns.amazonaws.com, sqs:SendMessage, condition aws:SourceArn =
    the topic ARN; a delivery the policy does not allow fails and the message does not reach
    the queue (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html,
    https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html). A queue
    policy's explicit Deny wins. moto 5.2.5 (Subscription.publish) puts every message of a
    topic into every subscribed queue without looking at the queue policy. The fix
    evaluates it with the service principal and aws:SourceArn / aws:SourceAccount of the
    topic, and drops (does not deliver) what it refuses.
    """
    from moto.sns.models import Subscription
    from moto.sqs.models import sqs_backends
    from moto.utilities.arns import parse_arn

    original_publish = Subscription.publish

    def publish(self: Any, message: str, message_id: str, *args: Any, **kwargs: Any) -> None:
        if self.protocol == "sqs":
            arn = parse_arn(self.endpoint)
            queue = sqs_backends[self.account_id][arn.region].queues.get(arn.resource_id)
            if queue is not None:
                caller = {"service": "sns.amazonaws.com", "principals": []}
                context = {
                    "aws:SourceArn": self.topic.arn,
                    "aws:SourceAccount": self.topic.account_id,
                    "aws:SecureTransport": "true",
                }
                decision = queue_policy_decision(queue.policy, "sqs:SendMessage", queue.queue_arn, caller, context)
                if decision != "allow":
                    return  # AWS: the delivery fails; nothing reaches the queue
        original_publish(self, message, message_id, *args, **kwargs)

    Subscription.publish = publish


FIXES = [
    sqs_queue_attributes_include_redrive_allow_policy,
    sqs_queue_policy_controls_access_from_other_accounts,
    sns_deliveries_to_sqs_need_queue_policy_permission,
]
