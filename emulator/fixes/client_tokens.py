"""Client tokens (idempotency tokens), for every service: moto ignores them.

AWS: a request retried with the same client token "succeeds without performing any further
actions" and returns the first request's result
(https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html; EKS's
clientRequestToken, Secrets Manager's ClientRequestToken, Backup's CreatorRequestId work the
same way). botocore fills these tokens in by itself and keeps them across its retries, so a
create whose answer was lost (a dropped connection) is retried safely, on AWS. moto creates a
second NAT gateway, route table, network ACL, ... instead.

The fix: for any operation whose botocore model marks a member as the idempotency token (or
that takes a ClientToken / ClientRequestToken the caller fills in, as CreateVpcEndpoint and
CreateFlowLogs document), the first successful answer for (account, region, service,
operation, token) is kept and given again to a request that repeats the token, without calling
the operation again. A reset of the emulator (/moto-api/reset) forgets them with everything else:
the answers name resources that no longer exist.
"""

import threading
from typing import Any

# Members AWS documents as idempotency tokens although the model does not mark them.
TOKEN_NAMES = {"ClientToken", "clientToken", "ClientRequestToken", "clientRequestToken"}


def repeated_client_token_returns_first_answer() -> None:
    """AWS: a retried request with the same idempotency token does nothing again and returns the
    first result. moto (BaseResponse.call_action) ignores the token and creates again."""
    from moto.core.responses import BaseResponse  # pylint: disable=import-outside-toplevel
    from moto.moto_api._internal.models import MotoAPIBackend  # pylint: disable=import-outside-toplevel

    original = BaseResponse.call_action
    original_reset = MotoAPIBackend.reset
    answers: dict[tuple, Any] = {}
    lock = threading.Lock()  # one token-carrying call at a time: a retry waits for its first attempt

    def call_action(self: BaseResponse) -> Any:
        token_member = _token_member(self)
        token = self._get_param(token_member) if token_member else None  # pylint: disable=protected-access
        if not token:
            return original(self)
        key = (self.current_account, self.region, self.boto3_service_name, self._get_action(),  # pylint: disable=protected-access
               str(token))
        with lock:
            if key not in answers:
                answer = original(self)
                if not 200 <= int(answer[0]) < 300:
                    return answer  # a failed request did nothing: a retry may try again
                answers[key] = answer
            return answers[key]

    def reset(self: MotoAPIBackend) -> None:
        with lock:
            answers.clear()
            original_reset(self)

    BaseResponse.call_action = call_action
    MotoAPIBackend.reset = reset


def _token_member(response: Any) -> str | None:
    """The name of the operation's idempotency-token member, or None."""
    from moto.core.utils import get_service_model  # pylint: disable=import-outside-toplevel

    try:
        operation = get_service_model(response.boto3_service_name).operation_model(response._get_action())  # pylint: disable=protected-access
    except Exception:  # pylint: disable=broad-except  # no model or no such operation: no token
        return None
    shape = operation.input_shape
    if shape is None:
        return None
    return next((name for name, member in shape.members.items()
                 if member.metadata.get("idempotencyToken") or name in TOKEN_NAMES), None)


FIXES = [repeated_client_token_returns_first_answer]
