"""api_gateway scenario: the REST API serves the rendered document (routes, authorizers, validators,
models, gateway responses), its v1 stage has the stage settings and access logs, both functions
exist with their wiring and invoke permissions, and the usage plan binds the key whose value is
in Secrets Manager."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
ACCOUNT = "123456789012"
apigw = client("apigateway")

api, = [a for a in apigw.get_rest_apis()["items"] if a["name"] == f"{PREFIX}-api"]
api_id = api["id"]
assert api["tags"]["Layer"] == "api" and len(api["tags"]["OpenApiSha256"]) == 64, api["tags"]

resources = {r["path"]: r for r in apigw.get_resources(restApiId=api_id, embed=["methods"])["items"]}
assert {"/todos", "/todos/{id}", "/files/upload-url", "/files/download-url", "/me", "/events"} <= set(resources), resources

authorizers = {a["name"]: a for a in apigw.get_authorizers(restApiId=api_id)["items"]}
assert authorizers["jwt"]["type"] == "TOKEN", authorizers
assert f"function:{PREFIX}-api-authorizer/invocations" in authorizers["jwt"]["authorizerUri"]
assert authorizers["cognito"]["type"] == "COGNITO_USER_POOLS"
pool_arn = authorizers["cognito"]["providerARNs"][0]
assert ":userpool/" in pool_arn, authorizers["cognito"]

list_todos = apigw.get_method(restApiId=api_id, resourceId=resources["/todos"]["id"], httpMethod="GET")
assert list_todos["authorizationType"] == "CUSTOM" and list_todos["authorizerId"] == authorizers["jwt"]["id"]
assert list_todos["apiKeyRequired"] is True, list_todos
assert list_todos["methodIntegration"]["type"] == "AWS_PROXY"
assert f"function:{PREFIX}-todo-api/invocations" in list_todos["methodIntegration"]["uri"]
assert "method.request.header.Authorization" in list_todos["methodIntegration"]["cacheKeyParameters"]
create = apigw.get_method(restApiId=api_id, resourceId=resources["/todos"]["id"], httpMethod="POST")
validators = {v["id"]: v for v in apigw.get_request_validators(restApiId=api_id)["items"]}
assert validators[create["requestValidatorId"]]["validateRequestBody"] is True, create
assert create["requestModels"] == {"application/json": "NewTodo"}, create
models = {m["name"] for m in apigw.get_models(restApiId=api_id)["items"]}
assert {"NewTodo", "TodoUpdate", "UploadUrlRequest", "Event"} <= models, models
me = apigw.get_method(restApiId=api_id, resourceId=resources["/me"]["id"], httpMethod="GET")
assert me["authorizationType"] == "COGNITO_USER_POOLS" and me["methodIntegration"]["type"] == "MOCK"
events = apigw.get_method(restApiId=api_id, resourceId=resources["/events"]["id"], httpMethod="POST")
assert events["methodIntegration"]["type"] == "AWS"
assert events["methodIntegration"]["uri"].endswith(":kinesis:action/PutRecord")
assert events["methodIntegration"]["credentials"].endswith(f"role/{PREFIX}-api-gateway-ingest")
assert "$util.base64Encode" in events["methodIntegration"]["requestTemplates"]["application/json"]
preflight = apigw.get_method(restApiId=api_id, resourceId=resources["/todos/{id}"]["id"], httpMethod="OPTIONS")
assert preflight["authorizationType"] == "NONE" and preflight["methodIntegration"]["type"] == "MOCK"
cors = preflight["methodIntegration"]["integrationResponses"]["204"]["responseParameters"]
assert cors["method.response.header.Access-Control-Allow-Methods"] == "'GET,PUT,DELETE,OPTIONS'", cors
gateway = apigw.get_gateway_response(restApiId=api_id, responseType="UNAUTHORIZED")
assert gateway["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == "'*'"

stage = apigw.get_stage(restApiId=api_id, stageName="v1")
deployment = apigw.get_deployment(restApiId=api_id, deploymentId=stage["deploymentId"])
assert deployment["description"].endswith(api["tags"]["OpenApiSha256"]), deployment
assert stage["tracingEnabled"] is True, stage
assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 100.0, stage["methodSettings"]
assert stage["methodSettings"]["*/*"]["dataTraceEnabled"] is False
assert stage["accessLogSettings"]["destinationArn"].endswith(f":log-group:/aws/apigateway/{PREFIX}-api")
assert "$context.requestId" in stage["accessLogSettings"]["format"]
assert apigw.get_account()["cloudwatchRoleArn"].endswith(f"role/{PREFIX}-api-gateway-cloudwatch")

logs = client("logs")
group, = logs.describe_log_groups(logGroupNamePrefix=f"/aws/apigateway/{PREFIX}-api")["logGroups"]
assert group.get("kmsKeyId") and group["retentionInDays"] == 7, group

lam = client("lambda")
todo = lam.get_function_configuration(FunctionName=f"{PREFIX}-todo-api")
assert todo["Environment"]["Variables"]["TABLE_NAME"] == f"{PREFIX}-todos", todo["Environment"]
assert todo["Environment"]["Variables"]["BUCKET_NAME"] == f"{PREFIX}-user-files"
assert todo["Role"].endswith(f"role/{PREFIX}-todo-api")
authorizer = lam.get_function_configuration(FunctionName=f"{PREFIX}-api-authorizer")
settings = authorizer["Environment"]["Variables"]
pool_id = pool_arn.rsplit("/", 1)[1]
assert settings["ISSUER"] == f"https://cognito-idp.eu-west-1.amazonaws.com/{pool_id}", settings
assert settings["JWKS_URL"].endswith(f"/{pool_id}/.well-known/jwks.json") and settings["CLIENT_IDS"], settings
for function, resource in ((f"{PREFIX}-todo-api", "*"), (f"{PREFIX}-api-authorizer", "authorizers/*")):
    policy = json.loads(lam.get_policy(FunctionName=function)["Policy"])
    statement, = policy["Statement"]
    assert statement["Principal"]["Service"] == "apigateway.amazonaws.com", statement
    source = statement["Condition"]["ArnLike"]["AWS:SourceArn"]
    assert source == f"arn:aws:execute-api:eu-west-1:{ACCOUNT}:{api_id}/{resource}", source

plan, = [p for p in apigw.get_usage_plans()["items"] if p["name"] == f"{PREFIX}-mobile"]
assert plan["throttle"] == {"rateLimit": 50.0, "burstLimit": 100}, plan
assert plan["quota"]["limit"] == 1000000 and plan["quota"]["period"] == "DAY", plan
assert plan["apiStages"] == [{"apiId": api_id, "stage": "v1"}], plan
key, = apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]
assert key["name"] == f"{PREFIX}-mobile-app", key
value = apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"]
secret = client("secretsmanager").get_secret_value(SecretId=f"{PREFIX}/api-keys/mobile-app")
assert json.loads(secret["SecretString"])["value"] == value
print(f"api_gateway: {PREFIX}-api ({api_id}), stage v1, functions, usage plan and key verified")
