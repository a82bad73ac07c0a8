"""WAFv2: the web ACL calls the waf role makes that moto 5.2.5 gets wrong.

- ListResourcesForWebACL is not implemented (moto answers 500).
- AssociateWebACL accepts any ARN, even of a stage that does not exist, and appends the
  resource again on every call (and to a second web ACL without leaving the first).
- GetWebACL leaves out a rate-based statement's EvaluationWindowSec when the request did
  not set it; AWS answers with its default, 300.
"""

import json
import re
from typing import Any

# arn:<partition>:apigateway:<region>::/restapis/<id>/stages/<stage>
_STAGE_ARN = re.compile(r"^arn:[^:]+:apigateway:([^:]+)::/restapis/([^/]+)/stages/([^/]+)$")
# Resource types of ListResourcesForWebACL and the ARN patterns they cover
# (https://docs.aws.amazon.com/waf/latest/APIReference/API_ListResourcesForWebACL.html).
_RESOURCE_TYPES = {
    "APPLICATION_LOAD_BALANCER": re.compile(r"^arn:[^:]+:elasticloadbalancing:[^:]*:\d*:loadbalancer/app/"),
    "API_GATEWAY": re.compile(r"^arn:[^:]+:apigateway:"),
    "APPSYNC": re.compile(r"^arn:[^:]+:appsync:"),
    "COGNITO_USER_POOL": re.compile(r"^arn:[^:]+:cognito-idp:"),
    "APP_RUNNER_SERVICE": re.compile(r"^arn:[^:]+:apprunner:"),
    "VERIFIED_ACCESS_INSTANCE": re.compile(r"^arn:[^:]+:ec2:[^:]*:\d*:verified-access-instance/"),
    "AMPLIFY": re.compile(r"^arn:[^:]+:amplify:"),
}


def list_resources_for_web_acl_lists_the_resources_of_one_type() -> None:
    """ListResourcesForWebACL returns the ARNs of the resources of one type associated with a web ACL.

    AWS: https://docs.aws.amazon.com/waf/latest/APIReference/API_ListResourcesForWebACL.html returns
    {"ResourceArns": [...]} for the ResourceType given; "If you don't provide a resource type, the
    call uses the resource type APPLICATION_LOAD_BALANCER". An unknown web ACL is
    WAFNonexistentItemException. moto 5.2.5 has no handler for the action: it answers 500.
    """
    from moto.wafv2.exceptions import WAFNonexistentItemException
    from moto.wafv2.responses import WAFV2Response

    def list_resources_for_web_acl(self: Any) -> Any:
        body = json.loads(self.body)
        web_acl = self.wafv2_backend.wacls.get(body["WebACLArn"])
        if web_acl is None:
            raise WAFNonexistentItemException()
        pattern = _RESOURCE_TYPES.get(body.get("ResourceType") or "APPLICATION_LOAD_BALANCER")
        arns = [arn for arn in web_acl.associated_resources if pattern is not None and pattern.match(arn)]
        return 200, {"Content-Type": "application/json"}, json.dumps({"ResourceArns": arns})

    WAFV2Response.list_resources_for_web_acl = list_resources_for_web_acl


def associate_web_acl_keeps_one_web_acl_per_resource() -> None:
    """AssociateWebACL needs an existing API Gateway stage and leaves the resource with one web ACL.

    AWS: https://docs.aws.amazon.com/waf/latest/APIReference/API_AssociateWebACL.html associates a
    web ACL with a regional resource (for API Gateway, arn:partition:apigateway:region::/restapis/
    api-id/stages/stage-name); a resource has at most one web ACL (GetWebACLForResource returns one),
    so associating another replaces it, and associating the same one again changes nothing. A
    resource that does not exist is WAFNonexistentItemException. moto 5.2.5 accepts any stage ARN
    and appends the ARN on every call, to every web ACL it is associated with.
    """
    from moto.wafv2.exceptions import WAFNonexistentItemException
    from moto.wafv2.models import WAFV2Backend

    original = WAFV2Backend.associate_web_acl

    def associate_web_acl(self: Any, web_acl_arn: str, resource_arn: str) -> None:
        if web_acl_arn not in self.wacls:
            raise WAFNonexistentItemException()
        match = _STAGE_ARN.match(resource_arn)
        if match is not None:
            from moto.apigateway import apigateway_backends

            region, api_id, stage_name = match.groups()
            try:
                apigateway_backends[self.account_id][region].get_stage(api_id, stage_name)
            except Exception as error:  # moto's RestAPINotFound / StageNotFoundException
                raise WAFNonexistentItemException() from error
        for web_acl in self.wacls.values():
            web_acl.associated_resources[:] = [arn for arn in web_acl.associated_resources if arn != resource_arn]
        original(self, web_acl_arn, resource_arn)

    WAFV2Backend.associate_web_acl = associate_web_acl


def rate_based_statements_report_the_default_evaluation_window() -> None:
    """GetWebACL shows a rate-based statement's EvaluationWindowSec, 300 when none was given.

    AWS: https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html
    EvaluationWindowSec: "Valid settings are 60, 120, 300, and 600. Default: 300 (5 minutes)"; the
    web ACL AWS returns carries it. moto 5.2.5 returns the statement as it was sent.
    """
    from moto.wafv2.models import FakeRule

    original = FakeRule.__init__

    def with_default_window(statement: Any) -> Any:
        if isinstance(statement, dict):
            rate = statement.get("RateBasedStatement")
            if isinstance(rate, dict):
                rate.setdefault("EvaluationWindowSec", 300)
        return statement

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        with_default_window(self.statement)

    FakeRule.__init__ = __init__


FIXES = [
    list_resources_for_web_acl_lists_the_resources_of_one_type,
    associate_web_acl_keeps_one_web_acl_per_resource,
    rate_based_statements_report_the_default_evaluation_window,
]
