#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: lambda_function_concurrency
short_description: Set or remove a Lambda function's reserved concurrency
description:
  - Sets the reserved concurrency of a function (the concurrent executions kept for it,
    and its maximum), or removes it so the function uses the account's unreserved pool.
  - M(amazon.aws.lambda) has no option for it.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  function_name:
    description:
      - Name or ARN of the function.
    required: true
    type: str
  reserved_concurrent_executions:
    description:
      - The concurrency to reserve, 0 (the function is throttled) or more.
      - Omit it (or set O(state=absent)) to remove the reservation.
    type: int
  state:
    description:
      - V(present) sets O(reserved_concurrent_executions); V(absent) removes the reservation.
    choices: ["present", "absent"]
    default: present
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Keep 10 concurrent executions for the preprocessor, and never run more
  lambda_function_concurrency:
    function_name: stream-preprocessor
    reserved_concurrent_executions: 10

- name: Back to the unreserved pool
  lambda_function_concurrency:
    function_name: stream-preprocessor
    state: absent
"""

RETURN = r"""
reserved_concurrent_executions:
  description: The reserved concurrency after the run; null when none is reserved.
  returned: always
  type: int
  sample: 10
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def current_concurrency(client, module, name):
    try:
        response = client.get_function_concurrency(FunctionName=name, aws_retry=True)
    except is_boto3_error_code("ResourceNotFoundException") as e:
        if module.check_mode:
            return None  # the function is created by an earlier task of the same (check mode) run
        module.fail_json_aws(e, msg=f"Function {name} does not exist")
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to read the concurrency of {name}")
    return response.get("ReservedConcurrentExecutions")


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            function_name=dict(required=True),
            reserved_concurrent_executions=dict(type="int"),
            state=dict(default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
        required_if=[["state", "present", ["reserved_concurrent_executions"]]],
    )
    name = module.params["function_name"]
    wanted = module.params["reserved_concurrent_executions"] if module.params["state"] == "present" else None
    if wanted is not None and wanted < 0:
        module.fail_json(msg=f"reserved_concurrent_executions: must be 0 or more, got {wanted}")
    try:
        client = module.client("lambda", retry_decorator=AWSRetry.jittered_backoff(
            catch_extra_error_codes=["TooManyRequestsException", "ResourceConflictException"]))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    current = current_concurrency(client, module, name)
    if current is not None:
        current = int(current)
    changed = current != wanted
    result = {"changed": changed, "reserved_concurrent_executions": wanted if changed else current}
    if module._diff:
        result["diff"] = {"before": {"reserved_concurrent_executions": current},
                          "after": {"reserved_concurrent_executions": wanted}}
    if changed and not module.check_mode:
        try:
            if wanted is None:
                client.delete_function_concurrency(FunctionName=name, aws_retry=True)
            else:
                client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=wanted, aws_retry=True)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Failed to set the concurrency of {name}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
