# -*- coding: utf-8 -*-
# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Creates that AWS does not make idempotent, made at most once.

botocore sends a request again after a dropped connection, a reset or a timeout. For a create
AWS does not make idempotent (CreateVpc, CreateInternetGateway, AllocateAddress, CreateKey,
CreateRestApi, CreateUserPool, CreateUsagePlan, RegisterTaskDefinition, ...: no client token,
no unique name) the first request may have been made, and sending it again makes a second one.

create_once() sends the create through a client that never sends a request twice (see
no_resend_client). An answer that says AWS did nothing (throttling) is retried with back-off.
When the answer is lost (connection dropped or reset, timeout, 5xx: AWS may have acted), it
looks for what the request may have made, with the caller's own lookup by name or tags (which
the create sets in the same call), a few times (reads are eventually consistent), and creates
again only when nothing is found.

    client = no_resend_client(module, "kms")
    key_id = create_once(lambda: client.create_key(Tags=tags, ...)["KeyMetadata"]["KeyId"],
                         lambda: find_key_by_tags(tags))
"""

import time

try:
    import botocore
    from botocore.config import Config
except ImportError:
    pass  # Handled by AnsibleAWSModule

# Answers that say the request was refused before anything was done: safe to send again.
THROTTLING_CODES = {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
                    "TooManyRequestsException", "RequestLimitExceeded", "SlowDown", "RequestThrottled",
                    "EC2ThrottledException", "LimitExceededException", "PriorRequestNotComplete"}
ATTEMPTS = 5
FIND_ATTEMPTS = 3  # lookups after a lost answer, 1 s apart, before creating again


def no_resend_client(module, service):
    """A client of the module's connection settings whose requests botocore never sends twice."""
    return module.client(service, config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))


def _lost_answer(error):
    """True when AWS may have acted on the request although its answer did not say so."""
    if isinstance(error, botocore.exceptions.ClientError):
        return error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500 \
            and error.response.get("Error", {}).get("Code") not in THROTTLING_CODES
    return isinstance(error, (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError))


def _throttled(error):
    return isinstance(error, botocore.exceptions.ClientError) \
        and error.response.get("Error", {}).get("Code") in THROTTLING_CODES


def create_once(create, find, sleep=time.sleep):
    """create() once; its result, or find()'s when the answer was lost and find() sees the
    resource. find() returns the same kind of value as create(), or None when nothing is there.
    Raises the last error when every attempt failed."""
    for attempt in range(ATTEMPTS):
        try:
            return create()
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            if attempt == ATTEMPTS - 1 or not (_throttled(error) or _lost_answer(error)):
                raise
            if _lost_answer(error):
                for look in range(FIND_ATTEMPTS):
                    found = find()
                    if found is not None:
                        return found
                    if look < FIND_ATTEMPTS - 1:
                        sleep(1)
            sleep(min(2 ** attempt, 10))
    raise AssertionError("unreachable")
