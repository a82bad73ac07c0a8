# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Code shared by the dax_subnet_group, dax_parameter_group and dax_cluster modules."""

import time

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# Seconds between two polls of a cluster that is not there yet: short at first (the
# emulator and small changes are quick), then every 30 s (a new cluster takes minutes).
POLL_DELAYS = (1, 1, 2, 3, 5, 10, 15, 20)
POLL_DELAY_MAX = 30


def dax_client(module):
    try:
        return module.client("dax", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")


@AWSRetry.jittered_backoff()
def paginate(client, operation, result_key, **params):
    """Every item of a paginated DAX Describe*/ListTags call."""
    return client.get_paginator(operation).paginate(**params).build_full_result().get(result_key, [])


def describe_named(client, module, operation, result_key, names_param, name, not_found_code, what):
    """The described resource called name, or None when AWS does not know it."""
    try:
        found = paginate(client, operation, result_key, **{names_param: [name]})
    except is_boto3_error_code(not_found_code):
        return None
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to describe {what} {name}")
    return found[0] if found else None


def call(client, module, operation, msg, ignore_codes=(), **params):
    """Call a mutating DAX operation with retries; fail the module on an error.

    Errors whose code is in ignore_codes (e.g. a NotFound fault when deleting) return None.
    """
    try:
        return getattr(client, operation)(aws_retry=True, **params)
    except is_boto3_error_code(list(ignore_codes) or ["-"]):
        return None
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=msg)


def snake(resource):
    """Snake_case a described DAX resource ({} for None)."""
    if not resource:
        return {}
    return camel_dict_to_snake_dict(normalize_boto3_result(resource))


def poll_delays(timeout):
    """Sleep durations of a wait of at most timeout seconds."""
    waited = 0
    index = 0
    while waited < timeout:
        delay = POLL_DELAYS[index] if index < len(POLL_DELAYS) else POLL_DELAY_MAX
        delay = min(delay, timeout - waited)
        waited += delay
        index += 1
        yield delay


def wait_until(check, timeout, sleep=time.sleep):
    """Call check() until it returns (True, value) or timeout passes; return (done, last value)."""
    done, value = check()
    if done:
        return True, value
    for delay in poll_delays(timeout):
        sleep(delay)
        done, value = check()
        if done:
            return True, value
    return False, value
