"""The API Gateway fixes in emulator/fixes/apigateway.py restore documented AWS behaviour.

Every test named after a fix fails on plain moto: check with
PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes_apigateway.py
The document imported is tests/emulator/data/openapi_todo.yaml.
"""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError

DOCUMENT = (Path(__file__).parent / "data" / "openapi_todo.yaml").read_text()
MINIMAL = {
    "openapi": "3.0.1",
    "info": {"title": "minimal", "version": "1"},
    "paths": {"/health": {"get": {
        "responses": {"200": {"description": "ok"}},
        "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'}},
    }}},
}


@pytest.fixture
def apigw(fresh_emulator: Any, aws_client: Any) -> Any:
    return aws_client("apigateway")


@pytest.fixture
def api(apigw: Any) -> str:
    """A REST API with the to-do document imported (overwrite mode); its id."""
    api_id = apigw.create_rest_api(name="todo-api", tags={"Layer": "api"})["id"]
    apigw.put_rest_api(restApiId=api_id, mode="overwrite", body=DOCUMENT.encode())
    return api_id


def methods(apigw: Any, api_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    """{(path, HTTP method): method} of the API."""
    resources = apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]
    return {(r["path"], verb): m for r in resources for verb, m in (r.get("resourceMethods") or {}).items()}


def by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in items}


def deployed_stage(apigw: Any, api_id: str, stage: str = "v1") -> str:
    """Deploy the API to a new stage; the deployment id."""
    return apigw.create_deployment(restApiId=api_id, stageName=stage)["id"]


# --- openapi_import_reads_only_operations_from_path_items --------------------------------

def test_import_makes_methods_of_operations_only(apigw: Any, api: str) -> None:
    assert sorted(methods(apigw, api)) == [
        ("/files/upload-url", "POST"),
        ("/todos", "GET"), ("/todos", "OPTIONS"), ("/todos", "POST"),
        ("/todos/{id}", "DELETE"), ("/todos/{id}", "GET"),
    ]


def test_import_rest_api_needs_no_description_and_knows_any_method(apigw: Any) -> None:
    document = {**MINIMAL, "paths": {"/proxy": {
        "summary": "everything", "x-amazon-apigateway-any-method": MINIMAL["paths"]["/health"]["get"]}}}
    api_id = apigw.import_rest_api(body=json.dumps(document).encode())["id"]
    assert apigw.get_rest_api(restApiId=api_id)["name"] == "minimal"
    assert list(methods(apigw, api_id)) == [("/proxy", "ANY")]


# --- openapi_overwrite_replaces_the_whole_definition --------------------------------------

def test_overwrite_replaces_authorizers_validators_models_and_gateway_responses(apigw: Any, api: str) -> None:
    apigw.put_rest_api(restApiId=api, mode="overwrite", body=json.dumps(MINIMAL).encode())
    assert list(methods(apigw, api)) == [("/health", "GET")]
    assert apigw.get_authorizers(restApiId=api)["items"] == []
    assert apigw.get_request_validators(restApiId=api)["items"] == []
    assert apigw.get_models(restApiId=api)["items"] == []
    assert apigw.get_gateway_responses(restApiId=api)["items"] == []


# --- openapi_import_keeps_integration_settings -------------------------------------------

def test_imported_integrations_keep_their_settings(apigw: Any, api: str) -> None:
    found = methods(apigw, api)
    lambda_proxy = found[("/todos", "GET")]["methodIntegration"]
    assert lambda_proxy["type"] == "AWS_PROXY" and lambda_proxy["httpMethod"] == "POST"
    assert lambda_proxy["passthroughBehavior"] == "WHEN_NO_MATCH" and lambda_proxy["timeoutInMillis"] == 10000

    mock = found[("/todos", "OPTIONS")]["methodIntegration"]
    assert mock["type"] == "MOCK" and mock["requestTemplates"] == {"application/json": '{"statusCode": 200}'}
    cors = mock["integrationResponses"]["200"]
    assert cors["responseParameters"]["method.response.header.Access-Control-Allow-Origin"] == "'*'"
    assert cors["responseTemplates"] == {"application/json": "{}"}

    vpc_link = found[("/todos/{id}", "DELETE")]["methodIntegration"]
    assert vpc_link["type"] == "HTTP_PROXY" and vpc_link["connectionType"] == "VPC_LINK"
    assert vpc_link["connectionId"] == "${stageVariables.vpcLinkId}"
    assert vpc_link["requestParameters"] == {"integration.request.path.id": "method.request.path.id"}

    aws = found[("/files/upload-url", "POST")]["methodIntegration"]
    assert aws["type"] == "AWS" and aws["credentials"] == "arn:aws:iam::123456789012:role/rtap-local-api"
    assert aws["integrationResponses"]["200"]["responseTemplates"] == {"application/json": "$input.json('$.body')"}


def test_put_integration_keeps_connection_id(apigw: Any, api: str) -> None:
    root = next(r["id"] for r in apigw.get_resources(restApiId=api)["items"] if r["path"] == "/todos/{id}")
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="HTTP_PROXY",
                          integrationHttpMethod="GET", uri="http://lb.internal/todos/{id}",
                          connectionType="VPC_LINK", connectionId="abc123")
    assert apigw.get_integration(restApiId=api, resourceId=root, httpMethod="GET")["connectionId"] == "abc123"


# --- openapi_import_creates_authorizers --------------------------------------------------

def test_import_creates_authorizers_from_security_schemes(apigw: Any, api: str) -> None:
    authorizers = by_name(apigw.get_authorizers(restApiId=api)["items"])
    assert sorted(authorizers) == ["cognito", "lambda-jwt"]
    cognito = authorizers["cognito"]
    assert cognito["type"] == "COGNITO_USER_POOLS"
    assert cognito["providerARNs"] == ["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_example"]
    assert cognito["identitySource"] == "method.request.header.Authorization"
    token = authorizers["lambda-jwt"]
    assert token["type"] == "TOKEN" and token["authorizerResultTtlInSeconds"] == 300
    assert token["authorizerUri"].endswith(":function:authorizer/invocations")
    assert token["authorizerCredentials"] == "arn:aws:iam::123456789012:role/rtap-local-api"
    assert token["identityValidationExpression"] == "^Bearer [-0-9a-zA-Z._]+$"


def test_create_authorizer_keeps_identity_validation_expression(apigw: Any) -> None:
    api_id = apigw.create_rest_api(name="bare")["id"]
    created = apigw.create_authorizer(restApiId=api_id, name="jwt", type="TOKEN",
                                      authorizerUri="arn:aws:apigateway:eu-west-1:lambda:path/x/invocations",
                                      identitySource="method.request.header.Authorization",
                                      identityValidationExpression="^Bearer .+$")
    assert apigw.get_authorizer(restApiId=api_id, authorizerId=created["id"])["identityValidationExpression"] == "^Bearer .+$"


# --- openapi_import_creates_request_validators -------------------------------------------

def test_import_creates_request_validators(apigw: Any, api: str) -> None:
    validators = by_name(apigw.get_request_validators(restApiId=api)["items"])
    assert {name: (v["validateRequestBody"], v["validateRequestParameters"]) for name, v in validators.items()} == {
        "all": (True, True), "params-only": (False, True)}


# --- openapi_import_creates_models_from_schemas ------------------------------------------

def test_import_creates_models_from_schemas(apigw: Any, api: str) -> None:
    models = by_name(apigw.get_models(restApiId=api)["items"])
    assert sorted(models) == ["NewTodo", "TodoList"]
    assert models["NewTodo"]["contentType"] == "application/json"
    expected = yaml.safe_load(DOCUMENT)["components"]["schemas"]["NewTodo"]
    assert json.loads(models["NewTodo"]["schema"]) == expected


# --- openapi_import_applies_api_level_extensions -----------------------------------------

def test_import_applies_gateway_responses_and_binary_media_types(apigw: Any, api: str) -> None:
    rest_api = apigw.get_rest_api(restApiId=api)
    assert rest_api["binaryMediaTypes"] == ["image/png", "application/octet-stream"]
    assert rest_api["apiKeySource"] == "HEADER"
    responses = {r["responseType"]: r for r in apigw.get_gateway_responses(restApiId=api)["items"]}
    assert sorted(responses) == ["DEFAULT_4XX", "UNAUTHORIZED"]
    assert responses["UNAUTHORIZED"]["statusCode"] == "401"
    assert responses["DEFAULT_4XX"]["responseParameters"] == {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}


def test_import_applies_api_key_source(apigw: Any) -> None:
    api_id = apigw.create_rest_api(name="keys")["id"]
    apigw.put_rest_api(restApiId=api_id, mode="overwrite", body=json.dumps(
        {**MINIMAL, "x-amazon-apigateway-api-key-source": "AUTHORIZER"}).encode())
    assert apigw.get_rest_api(restApiId=api_id)["apiKeySource"] == "AUTHORIZER"


# --- openapi_import_sets_method_request_settings -----------------------------------------

def test_import_sets_method_authorization_and_request_settings(apigw: Any, api: str) -> None:
    found = methods(apigw, api)
    authorizers = {a["name"]: a["id"] for a in apigw.get_authorizers(restApiId=api)["items"]}
    validators = {v["name"]: v["id"] for v in apigw.get_request_validators(restApiId=api)["items"]}

    listing = found[("/todos", "GET")]
    assert listing["authorizationType"] == "COGNITO_USER_POOLS" and listing["authorizerId"] == authorizers["cognito"]
    assert listing["authorizationScopes"] == ["todo/read"] and listing["apiKeyRequired"] is False
    assert listing["requestValidatorId"] == validators["params-only"] and listing["operationName"] == "listTodos"
    assert listing["requestParameters"] == {"method.request.querystring.limit": False,
                                            "method.request.querystring.next": False}

    creating = found[("/todos", "POST")]
    assert creating["requestModels"] == {"application/json": "NewTodo"}
    assert creating["requestValidatorId"] == validators["all"]  # the document's default

    assert found[("/todos", "OPTIONS")]["authorizationType"] == "NONE"  # security: []
    # The document-level security applies to an operation without its own.
    upload = found[("/files/upload-url", "POST")]
    assert upload["authorizationType"] == "COGNITO_USER_POOLS" and upload["authorizationScopes"] == ["todo/write"]

    reading = found[("/todos/{id}", "GET")]
    assert reading["authorizationType"] == "CUSTOM" and reading["authorizerId"] == authorizers["lambda-jwt"]
    assert reading["requestParameters"] == {"method.request.path.id": True}  # from the path item

    deleting = found[("/todos/{id}", "DELETE")]
    assert deleting["apiKeyRequired"] is True and deleting["authorizationType"] == "CUSTOM"
    assert deleting["requestParameters"] == {"method.request.path.id": True, "method.request.header.X-Request-Id": True}


# --- openapi_import_sets_method_response_headers_and_models ------------------------------

def test_import_sets_method_response_headers_and_models(apigw: Any, api: str) -> None:
    found = methods(apigw, api)
    cors = found[("/todos", "OPTIONS")]["methodResponses"]["200"]
    assert cors["responseParameters"] == {
        "method.response.header.Access-Control-Allow-Origin": False,
        "method.response.header.Access-Control-Allow-Methods": False,
        "method.response.header.Access-Control-Allow-Headers": False,
    }
    assert found[("/todos", "GET")]["methodResponses"]["200"]["responseModels"] == {"application/json": "TodoList"}


# --- create_deployment_keeps_the_stage_settings ------------------------------------------

def test_redeploying_keeps_the_stage_settings(apigw: Any, api: str) -> None:
    first = deployed_stage(apigw, api)
    apigw.update_stage(restApiId=api, stageName="v1", patchOperations=[
        {"op": "replace", "path": "/tracingEnabled", "value": "true"},
        {"op": "replace", "path": "/variables/vpcLinkId", "value": "abc123"},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "50"},
    ])
    apigw.tag_resource(resourceArn=f"arn:aws:apigateway:eu-west-1::/restapis/{api}/stages/v1", tags={"Layer": "api"})

    second = deployed_stage(apigw, api)
    stage = apigw.get_stage(restApiId=api, stageName="v1")
    assert second != first and stage["deploymentId"] == second
    assert stage["tracingEnabled"] is True and stage["variables"] == {"vpcLinkId": "abc123"}
    assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 50.0
    assert stage["tags"] == {"Layer": "api"}


# --- create_deployment_with_canary_settings_deploys_to_the_stage_canary ------------------

def test_canary_deployment_goes_to_the_stage_canary(apigw: Any, api: str) -> None:
    stable = deployed_stage(apigw, api)
    canary = apigw.create_deployment(restApiId=api, stageName="v1", canarySettings={
        "percentTraffic": 10.0, "stageVariableOverrides": {"version": "canary"}, "useStageCache": False})["id"]

    stage = apigw.get_stage(restApiId=api, stageName="v1")
    assert stage["deploymentId"] == stable
    assert stage["canarySettings"] == {"deploymentId": canary, "percentTraffic": 10.0,
                                       "stageVariableOverrides": {"version": "canary"}, "useStageCache": False}
    assert apigw.get_stages(restApiId=api)["item"][0]["canarySettings"]["deploymentId"] == canary


def test_canary_deployment_needs_an_existing_stage(apigw: Any, api: str) -> None:
    with pytest.raises(ClientError) as error:
        apigw.create_deployment(restApiId=api, stageName="nope", canarySettings={"percentTraffic": 10.0})
    assert error.value.response["Error"]["Code"] == "NotFoundException"
    assert apigw.get_deployments(restApiId=api)["items"] == []
    assert apigw.get_stages(restApiId=api)["item"] == []


# --- update_stage_changes_canary_settings -------------------------------------------------

def test_update_stage_changes_and_promotes_the_canary(apigw: Any, api: str) -> None:
    stable = deployed_stage(apigw, api)
    first_canary = apigw.create_deployment(restApiId=api, stageName="v1", canarySettings={"percentTraffic": 5.0})["id"]
    second_canary = apigw.create_deployment(restApiId=api, description="next")["id"]

    stage = apigw.update_stage(restApiId=api, stageName="v1", patchOperations=[
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "25.5"},
        {"op": "replace", "path": "/canarySettings/deploymentId", "value": second_canary},
        {"op": "replace", "path": "/canarySettings/useStageCache", "value": "true"},
        {"op": "replace", "path": "/canarySettings/stageVariableOverrides/version", "value": "2"},
    ])
    assert stage["deploymentId"] == stable and first_canary != second_canary
    assert stage["canarySettings"] == {"deploymentId": second_canary, "percentTraffic": 25.5,
                                       "stageVariableOverrides": {"version": "2"}, "useStageCache": True}

    # Promotion: the stage takes the canary's deployment, and the canary is removed.
    apigw.update_stage(restApiId=api, stageName="v1", patchOperations=[
        {"op": "replace", "path": "/deploymentId", "value": second_canary},
        {"op": "remove", "path": "/canarySettings"},
    ])
    stage = apigw.get_stage(restApiId=api, stageName="v1")
    assert stage["deploymentId"] == second_canary and "canarySettings" not in stage


# --- update_stage_removes_method_settings ------------------------------------------------

def test_update_stage_removes_a_methods_settings(apigw: Any, api: str) -> None:
    deployed_stage(apigw, api)
    stage = apigw.update_stage(restApiId=api, stageName="v1", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "100"},
        {"op": "replace", "path": "/~1todos/GET/caching/enabled", "value": "true"},
        {"op": "replace", "path": "/~1todos/GET/caching/ttlInSeconds", "value": "60"},
    ])
    assert stage["methodSettings"]["~1todos/GET"]["cachingEnabled"] is True
    assert stage["methodSettings"]["~1todos/GET"]["cacheTtlInSeconds"] == 60

    stage = apigw.update_stage(restApiId=api, stageName="v1", patchOperations=[
        {"op": "remove", "path": "/~1todos/GET"}])
    assert sorted(stage["methodSettings"]) == ["*/*"]


# --- delete_deployment_refuses_only_deployments_in_use ------------------------------------

def test_a_deployment_no_stage_uses_can_be_deleted(apigw: Any, api: str) -> None:
    old = deployed_stage(apigw, api)
    current = deployed_stage(apigw, api)
    canary = apigw.create_deployment(restApiId=api, stageName="v1", canarySettings={"percentTraffic": 5.0})["id"]
    apigw.delete_deployment(restApiId=api, deploymentId=old)
    for in_use in (current, canary):
        with pytest.raises(ClientError) as error:
            apigw.delete_deployment(restApiId=api, deploymentId=in_use)
        assert error.value.response["Error"]["Code"] == "BadRequestException"
    assert sorted(d["id"] for d in apigw.get_deployments(restApiId=api)["items"]) == sorted([current, canary])


# --- rest_apis_can_be_tagged_by_arn ------------------------------------------------------

def test_rest_api_tags_by_arn(apigw: Any, api: str) -> None:
    arn = f"arn:aws:apigateway:eu-west-1::/restapis/{api}"
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"Layer": "api"}  # from CreateRestApi, kept by PutRestApi
    apigw.tag_resource(resourceArn=arn, tags={"Owner": "platform", "Layer": "api-v2"})
    apigw.untag_resource(resourceArn=arn, tagKeys=["Owner"])
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"Layer": "api-v2"}
    assert apigw.get_rest_api(restApiId=api)["tags"] == {"Layer": "api-v2"}


# --- behaviour moto already has, which the API module relies on ---------------------------

def test_stage_settings_and_account_the_api_module_uses(apigw: Any, api: str) -> None:
    deployed_stage(apigw, api)
    log_group = "arn:aws:logs:eu-west-1:123456789012:log-group:api-access"
    stage = apigw.update_stage(restApiId=api, stageName="v1", patchOperations=[
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
        {"op": "replace", "path": "/cacheClusterSize", "value": "1.6"},
        {"op": "replace", "path": "/variables/stale", "value": "x"},
        {"op": "remove", "path": "/variables/stale"},
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": log_group},
        {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "20"},
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
        {"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"},
    ])
    assert stage["cacheClusterEnabled"] is True and stage["cacheClusterSize"] == "1.6"
    assert stage["variables"] == {}
    assert stage["accessLogSettings"] == {"destinationArn": log_group, "format": "$context.requestId"}
    assert stage["methodSettings"]["*/*"]["throttlingBurstLimit"] == 20
    assert stage["methodSettings"]["*/*"]["loggingLevel"] == "INFO"
    stage = apigw.update_stage(restApiId=api, stageName="v1", patchOperations=[
        {"op": "remove", "path": "/accessLogSettings"}])
    assert not stage.get("accessLogSettings")

    role = "arn:aws:iam::123456789012:role/apigateway-cloudwatch"
    apigw.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}])
    assert apigw.get_account()["cloudwatchRoleArn"] == role
