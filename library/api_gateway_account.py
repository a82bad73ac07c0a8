#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: api_gateway_account
short_description: Set the IAM role API Gateway writes CloudWatch logs with
description:
  - Sets the account's API Gateway CloudWatch role (C(cloudwatchRoleArn) of C(UpdateAccount)), which
    API Gateway assumes to write the access and execution logs of every REST API of the account in
    this region. Stages cannot log without it.
  - The setting is one per account and region, shared with every other API there.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  cloudwatch_role_arn:
    description:
      - ARN of a role that C(apigateway.amazonaws.com) may assume, with permission to write the log groups.
    required: true
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.
- name: Let API Gateway write access logs
  api_gateway_account:
    cloudwatch_role_arn: arn:aws:iam::123456789012:role/rtap-dev-api-gateway-cloudwatch
"""

RETURN = r"""
cloudwatch_role_arn:
  description: The role set after the run (in check mode, the role set before).
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:role/rtap-dev-api-gateway-cloudwatch
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


# A role made moments ago may not be assumable by API Gateway yet (IAM is eventually
# consistent): AWS then answers BadRequestException, which is retried for a while.
@AWSRetry.jittered_backoff(retries=8, catch_extra_error_codes=["BadRequestException"])
def set_role(client, role_arn):
    client.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role_arn}])


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(cloudwatch_role_arn=dict(required=True)),
        supports_check_mode=True,
    )
    wanted = module.params["cloudwatch_role_arn"]
    if not wanted.startswith("arn:") or ":role/" not in wanted:
        module.fail_json(msg=f"cloudwatch_role_arn: must be an IAM role ARN, got '{wanted}'")
    client = module.client("apigateway", retry_decorator=AWSRetry.jittered_backoff())
    try:
        current = client.get_account(aws_retry=True).get("cloudwatchRoleArn") or ""
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to read the API Gateway account settings")
    changed = current != wanted
    result = {"changed": changed, "cloudwatch_role_arn": current}
    if module._diff:
        result["diff"] = {"before": {"cloudwatch_role_arn": current}, "after": {"cloudwatch_role_arn": wanted}}
    if changed and not module.check_mode:
        try:
            set_role(client, wanted)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Failed to set the API Gateway CloudWatch role to {wanted}")
        result["cloudwatch_role_arn"] = wanted
    module.exit_json(**result)


if __name__ == "__main__":
    main()
