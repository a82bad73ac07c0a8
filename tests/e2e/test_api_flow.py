"""The whole platform through site.yml, then a user's way through the API layer.

site.yml converges every layer on a fresh emulator, a second run changes nothing.
Then, with what site.yml deployed (never with test-made settings):

1. a user signs up, confirms and signs in on the platform's Cognito app client;
2. the deployed authorizer's own environment verifies the access token, as API
   Gateway would call it for the deployed API's methodArn;
3. the deployed to-do function's own environment serves the request in-process
   (moto cannot run Lambda code), with the authorizer's answer as API Gateway passes
   it: the to-do lands in the dynamodb role's table under the user's id, and a file
   PUT with the pre-signed URL lands under the user's folder of the s3 role's bucket.
"""

import json
import ssl
import urllib.request

import pytest

from lambdas.authorizer import handler as authorizer_handler
from lambdas.authorizer import jwks
from lambdas.todo_api import clients
from lambdas.todo_api import handler as todo_handler
from tests.integration.test_todo_api import api_event

PREFIX = "rtap-local"
PASSWORD = "Corr3ct-Horse-Battery!"


@pytest.fixture(scope="module")
def platform(converged_site):
    return {"first": converged_site.first, "second": converged_site.second, "outputs": converged_site.outputs}


def test_site_converges_and_a_second_run_changes_nothing(platform):
    assert platform["first"].returncode == 0, platform["first"].output[-4000:]
    second = platform["second"]
    assert second.returncode == 0 and second.recap["changed"] == 0, second.changed_tasks
    # Every layer reported what it made, down to the containers layer.
    assert {"kms", "iam", "network", "dynamodb", "s3", "messaging", "kinesis", "stream_processor", "cognito",
            "api_gateway", "ecr", "ecs", "eks", "k8s_workloads"} <= set(platform["outputs"])


def function_environment(aws_client, name):
    return aws_client("lambda").get_function_configuration(FunctionName=name)["Environment"]["Variables"]


def deployed_env(monkeypatch, aws_env, variables):
    """A Lambda container's environment: the function's variables, AWS reached through the emulator."""
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.setenv(name, aws_env[name])


def test_a_signed_in_user_reaches_the_deployed_table_and_bucket(platform, aws_client, aws_env, monkeypatch):
    assert platform["first"].returncode == 0, "site.yml failed"
    outputs = platform["outputs"]
    cognito_out, api_out = outputs["cognito"], outputs["api_gateway"]
    api_id = api_out["api_id"]
    assert api_out["stages"]["v1"] == f"https://{api_id}.execute-api.eu-west-1.amazonaws.com/v1"

    # 1. Sign up, confirm, sign in (the local app client also allows ADMIN_USER_PASSWORD_AUTH).
    idp = aws_client("cognito-idp")
    pool_id, client_id = cognito_out["user_pool_id"], cognito_out["app_client_id"]
    idp.sign_up(ClientId=client_id, Username="carol@example.com", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "carol@example.com"}])
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="carol@example.com")
    tokens = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "carol@example.com", "PASSWORD": PASSWORD})
    access_token = tokens["AuthenticationResult"]["AccessToken"]

    # 2. The deployed authorizer, with its deployed settings, allows the token for the deployed API.
    method_arn = f"arn:aws:execute-api:eu-west-1:123456789012:{api_id}/v1/POST/todos"
    with monkeypatch.context() as patch:
        deployed_env(patch, aws_env, function_environment(aws_client, api_out["authorizer_function"]))
        jwks.clear_cache()
        answer = authorizer_handler.lambda_handler(
            {"type": "TOKEN", "authorizationToken": f"Bearer {access_token}", "methodArn": method_arn}, None)
        with pytest.raises(Exception, match="Unauthorized"):
            authorizer_handler.lambda_handler(
                {"type": "TOKEN", "authorizationToken": f"Bearer {access_token[:-4]}AAAA", "methodArn": method_arn},
                None)
        jwks.clear_cache()
    assert answer["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    caller = {"principalId": answer["principalId"], **answer["context"]}
    sub = caller["sub"]

    # 3. The deployed to-do function, with its deployed settings (DAX aside: the emulator has no
    #    DAX data plane, so the in-process container talks to DynamoDB).
    todo_env = function_environment(aws_client, api_out["todo_function"])
    assert todo_env["DAX_ENDPOINT"].startswith("dax"), "the local data layer has a DAX cluster"
    vpc = aws_client("lambda").get_function_configuration(FunctionName=api_out["todo_function"])["VpcConfig"]
    assert vpc["SubnetIds"] and vpc["SecurityGroupIds"], "with DAX the function runs in the VPC"
    with monkeypatch.context() as patch:
        deployed_env(patch, aws_env, dict(todo_env, DAX_ENDPOINT=""))
        clients.reset()
        created = todo_handler.lambda_handler(api_event(caller, "POST", "/todos", body={"title": "Water plants"}), None)
        upload = todo_handler.lambda_handler(
            api_event(caller, "POST", "/files/upload-url", body={"key": "photos/plant.jpg", "content_type": "image/jpeg"}),
            None)
        clients.reset()
    assert created["statusCode"] == 201, created
    todo_id = json.loads(created["body"])["todo_id"]
    item = aws_client("dynamodb").get_item(TableName=todo_env["TABLE_NAME"], ConsistentRead=True,
                                           Key={"user_id": {"S": sub}, "todo_id": {"S": todo_id}})["Item"]
    assert item["title"] == {"S": "Water plants"}

    assert upload["statusCode"] == 200, upload
    grant = json.loads(upload["body"])
    assert grant["key"] == f"{sub}/photos/plant.jpg"
    context = ssl.create_default_context(cafile=aws_env["AWS_CA_BUNDLE"])
    request = urllib.request.Request(grant["url"], data=b"\xff\xd8 plant", method="PUT",
                                     headers=grant.get("headers") or {"Content-Type": "image/jpeg"})
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        assert response.status == 200
    bucket = todo_env["BUCKET_NAME"]
    assert bucket == outputs["s3"]["bucket_names"]["user-files"]
    keys = [o["Key"] for o in aws_client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == [f"{sub}/photos/plant.jpg"]
