"""The WAFv2 fixes (emulator/fixes/wafv2.py) restore documented AWS behaviour; each test fails without its fix.

Check with PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes_wafv2.py
"""

from typing import Any

import pytest
from botocore.exceptions import ClientError

VISIBILITY = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "m"}
MOCK = {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}}


def web_acl(wafv2: Any, name: str, rules: list[dict[str, Any]] | None = None) -> str:
    return wafv2.create_web_acl(Name=name, Scope="REGIONAL", DefaultAction={"Allow": {}}, Rules=rules or [],
                                VisibilityConfig=VISIBILITY)["Summary"]["ARN"]


@pytest.fixture
def stage_arn(fresh_emulator: Any, aws_client: Any) -> str:
    """The ARN of stage v1 of a REST API with one mock method."""
    apigw = aws_client("apigateway")
    api_id = apigw.create_rest_api(name="shop")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", **MOCK)
    apigw.create_deployment(restApiId=api_id, stageName="v1")
    return f"arn:aws:apigateway:{fresh_emulator.region}::/restapis/{api_id}/stages/v1"


def test_list_resources_for_web_acl_lists_the_resources_of_one_type(stage_arn: str, aws_client: Any) -> None:
    wafv2 = aws_client("wafv2")
    arn = web_acl(wafv2, "shop")
    wafv2.associate_web_acl(WebACLArn=arn, ResourceArn=stage_arn)

    assert wafv2.list_resources_for_web_acl(WebACLArn=arn, ResourceType="API_GATEWAY")["ResourceArns"] == [stage_arn]
    # Without a type, AWS lists the application load balancers.
    assert wafv2.list_resources_for_web_acl(WebACLArn=arn)["ResourceArns"] == []
    with pytest.raises(ClientError) as error:
        wafv2.list_resources_for_web_acl(WebACLArn=arn.replace("/shop/", "/gone/"), ResourceType="API_GATEWAY")
    assert error.value.response["Error"]["Code"] == "WAFNonexistentItemException"


def test_associate_web_acl_keeps_one_web_acl_per_resource(stage_arn: str, aws_client: Any) -> None:
    wafv2 = aws_client("wafv2")
    first, second = web_acl(wafv2, "first"), web_acl(wafv2, "second")
    wafv2.associate_web_acl(WebACLArn=first, ResourceArn=stage_arn)
    wafv2.associate_web_acl(WebACLArn=first, ResourceArn=stage_arn)
    wafv2.associate_web_acl(WebACLArn=second, ResourceArn=stage_arn)
    wafv2.disassociate_web_acl(ResourceArn=stage_arn)

    # One association at a time: after the disassociation the stage has no web ACL at all.
    assert wafv2.get_web_acl_for_resource(ResourceArn=stage_arn).get("WebACL") is None
    with pytest.raises(ClientError) as error:
        wafv2.associate_web_acl(WebACLArn=first, ResourceArn=stage_arn.replace("/stages/v1", "/stages/v9"))
    assert error.value.response["Error"]["Code"] == "WAFNonexistentItemException"


def test_rate_based_statements_report_the_default_evaluation_window(fresh_emulator: Any, aws_client: Any) -> None:
    wafv2 = aws_client("wafv2")
    rule = {"Name": "rate", "Priority": 0, "Action": {"Block": {}}, "VisibilityConfig": VISIBILITY,
            "Statement": {"RateBasedStatement": {"Limit": 1000, "AggregateKeyType": "IP"}}}
    arn = web_acl(wafv2, "rated", [rule])
    acl_id = arn.rsplit("/", 1)[1]

    got = wafv2.get_web_acl(Name="rated", Scope="REGIONAL", Id=acl_id)["WebACL"]["Rules"][0]["Statement"]
    assert got["RateBasedStatement"] == {"Limit": 1000, "AggregateKeyType": "IP", "EvaluationWindowSec": 300}
