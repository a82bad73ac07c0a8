"""The API Gateway usage plan fixes (emulator/fixes/apigateway_usage_plans.py) restore documented AWS
behaviour; each test fails without its fix.

Check with PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes_apigateway_usage_plans.py
"""

from collections.abc import Callable
from typing import Any

import pytest

AwsClient = Callable[..., Any]


@pytest.fixture
def apigw(fresh_emulator: Any, aws_client: AwsClient) -> Any:
    return aws_client("apigateway")


def stage(apigw: Any, name: str = "v1") -> str:
    """A REST API with one deployed stage; returns the API id."""
    api_id = apigw.create_rest_api(name="api")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api_id, stageName=name)
    return api_id


# --- usage_plans_and_api_keys_can_be_tagged ----------------------------------------------


def test_usage_plans_and_api_keys_can_be_tagged(apigw: Any, emulator: Any) -> None:
    plan_id = apigw.create_usage_plan(name="plan", tags={"Keep": "1", "Drop": "2"})["id"]
    key_id = apigw.create_api_key(name="key", tags={"Keep": "1"})["id"]
    for arn in (f"arn:aws:apigateway:{emulator.region}::/usageplans/{plan_id}",
                f"arn:aws:apigateway:{emulator.region}::/apikeys/{key_id}"):
        apigw.tag_resource(resourceArn=arn, tags={"Layer": "api"})
        apigw.untag_resource(resourceArn=arn, tagKeys=["Drop"])
        assert apigw.get_tags(resourceArn=arn)["tags"] == {"Keep": "1", "Layer": "api"}
    assert apigw.get_usage_plan(usagePlanId=plan_id)["tags"] == {"Keep": "1", "Layer": "api"}
    assert apigw.get_api_key(apiKey=key_id)["tags"] == {"Keep": "1", "Layer": "api"}


def test_stage_tags_still_work(apigw: Any, emulator: Any) -> None:
    api_id = stage(apigw)
    arn = f"arn:aws:apigateway:{emulator.region}::/restapis/{api_id}/stages/v1"
    apigw.tag_resource(resourceArn=arn, tags={"Layer": "api"})
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"Layer": "api"}


# --- update_usage_plan_applies_documented_patch_operations -------------------------------


def test_update_usage_plan_applies_documented_patch_operations(apigw: Any) -> None:
    api_id = stage(apigw)
    plan_id = apigw.create_usage_plan(name="plan", throttle={"rateLimit": 1.0, "burstLimit": 2},
                                      quota={"limit": 10, "period": "DAY", "offset": 0})["id"]
    method = f"/apiStages/{api_id}:v1/throttle/~1todos~1GET"
    apigw.update_usage_plan(usagePlanId=plan_id, patchOperations=[
        {"op": "replace", "path": "/throttle/rateLimit", "value": "7.5"},
        {"op": "replace", "path": "/quota/limit", "value": "200"},
        {"op": "add", "path": "/apiStages", "value": f"{api_id}:v1"},
        {"op": "add", "path": f"{method}/rateLimit", "value": "100"},
        {"op": "add", "path": f"{method}/burstLimit", "value": "200"},
        {"op": "add", "path": f"/apiStages/{api_id}:v1/throttle/~1todos~1POST/rateLimit", "value": "5"},
        {"op": "add", "path": f"/apiStages/{api_id}:v1/throttle/~1todos~1POST/burstLimit", "value": "5"},
    ])
    plan = apigw.get_usage_plan(usagePlanId=plan_id)
    assert plan["throttle"] == {"rateLimit": 7.5, "burstLimit": 2}
    assert plan["quota"] == {"limit": 200, "period": "DAY", "offset": 0}
    assert plan["apiStages"] == [{"apiId": api_id, "stage": "v1", "throttle": {
        "/todos/GET": {"rateLimit": 100.0, "burstLimit": 200}, "/todos/POST": {"rateLimit": 5.0, "burstLimit": 5}}}]

    apigw.update_usage_plan(usagePlanId=plan_id, patchOperations=[
        {"op": "replace", "path": f"{method}/rateLimit", "value": "50"},
        {"op": "remove", "path": f"/apiStages/{api_id}:v1/throttle/~1todos~1POST"},
    ])
    assert apigw.get_usage_plan(usagePlanId=plan_id)["apiStages"][0]["throttle"] == {
        "/todos/GET": {"rateLimit": 50.0, "burstLimit": 200}}

    # A stage with method throttles can be removed from the plan.
    apigw.update_usage_plan(usagePlanId=plan_id, patchOperations=[{"op": "remove", "path": "/apiStages", "value": f"{api_id}:v1"}])
    assert apigw.get_usage_plan(usagePlanId=plan_id)["apiStages"] == []
