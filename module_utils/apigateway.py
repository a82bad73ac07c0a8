# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Code shared by the api_gateway_* modules."""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code


def partition_of(region):
    """The AWS partition of a region, for ARNs."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def resource_arn(region, path):
    """ARN of an API Gateway resource by its path, e.g. /restapis/a1b2c3 (the form TagResource takes)."""
    return f"arn:{partition_of(region)}:apigateway:{region}::{path}"


def call(client, module, operation, msg, ignore_codes=(), **params):
    """Call an API Gateway operation with retries; fail the module with msg on an error.

    Errors whose code is in ignore_codes (e.g. NotFoundException when deleting) return None.
    """
    try:
        return getattr(client, operation)(aws_retry=True, **params)
    except is_boto3_error_code(list(ignore_codes) or ["-"]):
        return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=msg)
