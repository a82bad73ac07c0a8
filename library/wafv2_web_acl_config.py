#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: wafv2_web_acl_config
short_description: Associate a regional WAFv2 web ACL with resources and configure its logging
description:
  - Makes a regional web ACL the one protecting exactly the resources given (for example API
    Gateway REST API stages), and sets or removes its logging configuration (destination and
    redacted headers).
  - The web ACL itself (rules, default action, tags) is managed by M(community.aws.wafv2_web_acl).
  - M(community.aws.wafv2_resources) is not used for associations because it lists the web ACL's
    resources without a resource type, which AWS reads as APPLICATION_LOAD_BALANCER, so it never
    sees an API Gateway stage that is already associated.
  - This module supports check mode and diff mode. In check mode a web ACL that does not exist
    yet is reported as needing every association and the logging configuration.
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - V(present) associates the web ACL with O(resources) and sets its logging as given.
      - V(absent) disassociates every resource of O(resource_type) from the web ACL and deletes
        its logging configuration.
    choices: ["present", "absent"]
    default: present
    type: str
  name:
    description:
      - The name of the regional web ACL.
    required: true
    type: str
  resources:
    description:
      - ARNs of the resources the web ACL protects, for example
        V(arn:aws:apigateway:eu-west-1::/restapis/a1b2c3/stages/v1).
      - A resource protected by another web ACL is moved to this one.
    type: list
    elements: str
    default: []
  rest_api_name:
    description:
      - Also protect every stage of the API Gateway REST API with this name (the stages found at
        run time; their ARNs are added to O(resources)). Requires O(resource_type=API_GATEWAY).
      - The module fails when no REST API, or more than one, has this name (in check mode it warns
        and protects no stage).
    type: str
  resource_type:
    description:
      - The type of O(resources), used to list the resources the web ACL already protects.
    choices: ["API_GATEWAY", "APPLICATION_LOAD_BALANCER", "APPSYNC", "COGNITO_USER_POOL", "APP_RUNNER_SERVICE"]
    default: API_GATEWAY
    type: str
  purge_resources:
    description:
      - Disassociate the resources of O(resource_type) that the web ACL protects and that are not in O(resources).
    type: bool
    default: true
  log_destination:
    description:
      - ARN of the logging destination, for example a CloudWatch Logs log group whose name starts
        with V(aws-waf-logs-).
      - When not set, the web ACL's logging configuration is deleted.
    type: str
  redacted_headers:
    description:
      - Names of request headers replaced by C(REDACTED) in the logs (compared case-insensitively).
    type: list
    elements: str
    default: []
notes:
  - Associations and logging configurations have no tags.
  - AWS may take a few seconds to associate a web ACL with a resource it has just created;
    the module retries AWS's WAFUnavailableEntityException.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Protect stage v1 of a REST API and log to CloudWatch Logs without the Authorization header
  wafv2_web_acl_config:
    name: shop-api
    resources:
      - arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/v1
    log_destination: arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-shop-api
    redacted_headers: [authorization]

- name: Protect every stage of the REST API shop-api
  wafv2_web_acl_config:
    name: shop-api
    rest_api_name: shop-api

- name: Detach the web ACL from everything and stop its logging
  wafv2_web_acl_config:
    name: shop-api
    state: absent
"""

RETURN = r"""
web_acl_arn:
  description: The ARN of the web ACL; empty when it does not exist (check mode before its creation).
  returned: always
  type: str
  sample: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop-api/0a1b2c3d-1111-2222-3333-444455556666
resources:
  description: The resources of O(resource_type) the web ACL protects after the run (predicted in check mode).
  returned: always
  type: list
  elements: str
  sample: ["arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/v1"]
rest_api_id:
  description: The id of the REST API named O(rest_api_name); empty when not requested or not found.
  returned: always
  type: str
  sample: a1b2c3d4e5
associated:
  description: The resources associated by this run.
  returned: always
  type: list
  elements: str
  sample: ["arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/v1"]
disassociated:
  description: The resources disassociated by this run.
  returned: always
  type: list
  elements: str
  sample: []
logging:
  description: The logging configuration after the run (predicted in check mode); empty when there is none.
  returned: always
  type: dict
  contains:
    log_destination:
      description: ARN of the logging destination.
      returned: when logging is configured
      type: str
      sample: arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-shop-api
    redacted_headers:
      description: Headers redacted in the logs, lower case, sorted.
      returned: when logging is configured
      type: list
      elements: str
      sample: ["authorization"]
"""

try:
    import botocore
    import botocore.session
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

SCOPE = "REGIONAL"
NOT_FOUND = "WAFNonexistentItemException"


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def logging_view(configuration):
    """The part of a LoggingConfiguration this module manages, or {} for none."""
    if not configuration:
        return {}
    headers = [
        field["SingleHeader"]["Name"].lower()
        for field in configuration.get("RedactedFields") or []
        if "SingleHeader" in field
    ]
    destinations = configuration.get("LogDestinationConfigs") or [""]
    return {"log_destination": destinations[0], "redacted_headers": sorted(set(headers))}


def desired_logging(params):
    if params["state"] == "absent" or not params["log_destination"]:
        return {}
    headers = sorted({header.lower() for header in params["redacted_headers"]})
    return {"log_destination": params["log_destination"], "redacted_headers": headers}


def logging_request(web_acl_arn, wanted):
    return {
        "ResourceArn": web_acl_arn,
        "LogDestinationConfigs": [wanted["log_destination"]],
        "RedactedFields": [{"SingleHeader": {"Name": header}} for header in wanted["redacted_headers"]],
    }


def plan_associations(current, wanted, purge):
    """(to_associate, to_disassociate, after) for the current and wanted resource ARNs."""
    to_associate = [arn for arn in wanted if arn not in current]
    to_disassociate = [arn for arn in current if arn not in wanted] if purge else []
    after = sorted(set(current) - set(to_disassociate) | set(wanted))
    return to_associate, to_disassociate, after


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


def find_web_acl_arn(client, module, name):
    params = {"Scope": SCOPE, "Limit": 100}
    try:
        while True:
            response = client.list_web_acls(aws_retry=True, **params)
            for item in response.get("WebACLs", []):
                if item["Name"] == name:
                    return item["ARN"]
            if not response.get("NextMarker"):
                return ""
            params["NextMarker"] = response["NextMarker"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to list the regional web ACLs")


def list_resources(client, module, web_acl_arn, resource_type):
    try:
        response = client.list_resources_for_web_acl(WebACLArn=web_acl_arn, ResourceType=resource_type, aws_retry=True)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to list the resources of web ACL {web_acl_arn}")
    return sorted(response.get("ResourceArns", []))


def get_logging(client, module, web_acl_arn):
    try:
        return client.get_logging_configuration(ResourceArn=web_acl_arn, aws_retry=True)["LoggingConfiguration"]
    except is_boto3_error_code(NOT_FOUND):
        return None
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to get the logging configuration of web ACL {web_acl_arn}")


def associate(client, module, web_acl_arn, resource_arn):
    # A resource created moments ago may not be visible to WAF yet: AWS answers
    # WAFUnavailableEntityException and documents retrying.
    retry = AWSRetry.jittered_backoff(catch_extra_error_codes=["WAFUnavailableEntityException"])
    try:
        retry(client.associate_web_acl)(WebACLArn=web_acl_arn, ResourceArn=resource_arn)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to associate web ACL {web_acl_arn} with {resource_arn}")


def disassociate(client, module, resource_arn):
    try:
        client.disassociate_web_acl(ResourceArn=resource_arn, aws_retry=True)
    except is_boto3_error_code(NOT_FOUND):
        return  # already gone
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to disassociate {resource_arn} from its web ACL")


def put_logging(client, module, web_acl_arn, wanted):
    try:
        client.put_logging_configuration(LoggingConfiguration=logging_request(web_acl_arn, wanted), aws_retry=True)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to configure the logging of web ACL {web_acl_arn}")


def delete_logging(client, module, web_acl_arn):
    try:
        client.delete_logging_configuration(ResourceArn=web_acl_arn, aws_retry=True)
    except is_boto3_error_code(NOT_FOUND):
        return
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to delete the logging configuration of web ACL {web_acl_arn}")


def find_rest_api_stage_arns(module):
    """(api id, stage ARNs) of the REST API named rest_api_name."""
    name = module.params["rest_api_name"]
    client = module.client("apigateway", retry_decorator=AWSRetry.jittered_backoff())
    try:
        paginator = client.get_paginator("get_rest_apis")
        apis = paginator.paginate().build_full_result().get("items", [])
        matches = [api["id"] for api in apis if api.get("name") == name]
        if len(matches) != 1:
            message = f"rest_api_name: {len(matches)} REST APIs are named {name}, expected one"
            if module.check_mode and not matches:
                module.warn(message)
                return "", []
            module.fail_json(msg=message)
        stages = client.get_stages(restApiId=matches[0], aws_retry=True).get("item", [])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to find the stages of REST API {name}")
    partition = botocore.session.Session().get_partition_for_region(module.region)
    arns = [f"arn:{partition}:apigateway:{module.region}::/restapis/{matches[0]}/stages/{stage['stageName']}"
            for stage in stages]
    return matches[0], arns


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


def ensure(client, module):
    params = module.params
    present = params["state"] == "present"
    web_acl_arn = find_web_acl_arn(client, module, params["name"])
    if not web_acl_arn and present and not module.check_mode:
        module.fail_json(msg=f"No regional web ACL named {params['name']}: create it first")

    current = list_resources(client, module, web_acl_arn, params["resource_type"]) if web_acl_arn else []
    current_logging = logging_view(get_logging(client, module, web_acl_arn)) if web_acl_arn else {}
    api_id, stage_arns = find_rest_api_stage_arns(module) if present and params["rest_api_name"] else ("", [])
    wanted = sorted(set(params["resources"]) | set(stage_arns)) if present else []
    to_associate, to_disassociate, after = plan_associations(current, wanted, params["purge_resources"] or not present)
    wanted_logging = desired_logging(params)
    logging_changed = wanted_logging != current_logging

    changed = bool(to_associate or to_disassociate or logging_changed)
    result = {
        "changed": changed,
        "web_acl_arn": web_acl_arn,
        "rest_api_id": api_id,
        "resources": after,
        "associated": to_associate,
        "disassociated": to_disassociate,
        "logging": wanted_logging,
    }
    if module._diff:
        result["diff"] = {
            "before": {"resources": current, "logging": current_logging},
            "after": {"resources": after, "logging": wanted_logging},
        }
    if module.check_mode or not changed:
        return result

    for resource_arn in to_disassociate:
        disassociate(client, module, resource_arn)
    for resource_arn in to_associate:
        associate(client, module, web_acl_arn, resource_arn)
    if logging_changed:
        if wanted_logging:
            put_logging(client, module, web_acl_arn, wanted_logging)
        else:
            delete_logging(client, module, web_acl_arn)
    return result


def main():
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        name=dict(required=True),
        resources=dict(type="list", elements="str", default=[]),
        rest_api_name=dict(),
        resource_type=dict(
            default="API_GATEWAY",
            choices=["API_GATEWAY", "APPLICATION_LOAD_BALANCER", "APPSYNC", "COGNITO_USER_POOL", "APP_RUNNER_SERVICE"],
        ),
        purge_resources=dict(type="bool", default=True),
        log_destination=dict(),
        redacted_headers=dict(type="list", elements="str", default=[]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    if module.params["rest_api_name"] and module.params["resource_type"] != "API_GATEWAY":
        module.fail_json(msg="rest_api_name requires resource_type=API_GATEWAY")
    try:
        client = module.client("wafv2", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")
    module.exit_json(**ensure(client, module))


if __name__ == "__main__":
    main()
