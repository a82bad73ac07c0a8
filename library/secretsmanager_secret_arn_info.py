#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: secretsmanager_secret_arn_info
short_description: Find the full ARNs of Secrets Manager secrets by name
description:
  - Looks up secrets by name (DescribeSecret) and returns their full ARNs, which end
    with the random suffix AWS appends. ECS task definitions need the full ARN in a
    secret's C(valueFrom); the lookup C(amazon.aws.secretsmanager_secret) returns only
    secret values.
  - It only reads metadata, never a secret value.
  - This module supports check mode.
author:
  - Ansible toolkit contributors
options:
  names:
    description: Names (or ARNs) of the secrets.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Find the ARNs of the secrets a task definition references
  secretsmanager_secret_arn_info:
    names: [rtap-dev/payments/db]
  register: secrets
"""

RETURN = r"""
arns:
  description: Full ARN of each secret found, by the name asked for.
  returned: success
  type: dict
  sample: {"app/db": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf"}
missing:
  description: Names that no secret has (or whose secret is scheduled for deletion).
  returned: success
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def main():
    module = AnsibleAWSModule(argument_spec=dict(names=dict(type="list", elements="str", required=True)),
                              supports_check_mode=True)
    try:
        client = module.client("secretsmanager", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")
    arns, missing = {}, []
    for name in sorted(set(module.params["names"])):
        try:
            secret = client.describe_secret(aws_retry=True, SecretId=name)
        except is_boto3_error_code("ResourceNotFoundException"):
            missing.append(name)
            continue
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg=f"Failed to describe secret {name}")
        if secret.get("DeletedDate"):
            missing.append(name)
        else:
            arns[name] = secret["ARN"]
    module.exit_json(changed=False, arns=arns, missing=missing)


if __name__ == "__main__":
    main()
