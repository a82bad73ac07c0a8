"""The to-do service's handler in-process against the emulator's DynamoDB, KMS and S3.

The todos table is made with boto3 with the dynamodb role's schema (user_id, todo_id,
GSI by-due-date) and the user-files bucket with SSE-KMS default encryption, as the
data layer makes them. Two users sign up and sign in on the emulator's Cognito; their
access tokens go through the Lambda authorizer (lambdas/authorizer), and its answer
becomes requestContext.authorizer the way API Gateway passes it on. Events are REST
API proxy events (payload format 1.0) as API Gateway sends them. Every assertion
that matters reads the emulator's state with boto3, not the handler's word.
"""

import json
import ssl
import urllib.request
import uuid

import pytest

from emulator import launcher
from lambdas.authorizer import handler as authorizer_handler
from lambdas.authorizer import jwks
from lambdas.todo_api import clients, handler, ids

PREFIX = "rtap-local"
TABLE = f"{PREFIX}-todos"
BUCKET = f"{PREFIX}-user-files"
ACCOUNT = "123456789012"
API_ID = "a1b2c3d4e5"
STAGE = "local"
PASSWORD = "Corr3ct-Horse-Battery!"


def make_data_layer(aws_client, region):
    """The todos table and the user-files bucket, as the dynamodb and s3 roles make them."""
    aws_client("dynamodb").create_table(
        TableName=TABLE, BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 5},
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"}
                              for name in ("user_id", "todo_id", "due_date")],
        KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"},
                   {"AttributeName": "todo_id", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "by-due-date",
            "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"},
                          {"AttributeName": "due_date", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 5},
        }],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    kms = aws_client("kms")
    key_id = kms.create_key(Description="data")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=f"alias/{PREFIX}-data", TargetKeyId=key_id)
    s3 = aws_client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                               "KMSMasterKeyID": f"alias/{PREFIX}-data"},
        "BucketKeyEnabled": True}]})
    return key_id


def sign_in(cognito, pool_id, client_id, username):
    cognito.sign_up(ClientId=client_id, Username=username, Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=username)
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})["AuthenticationResult"]


def authorizer_context(emulator, pool_id, client_id, access_token):
    """requestContext.authorizer as API Gateway builds it from our Lambda authorizer's answer."""
    env = {
        "ISSUER": f"https://cognito-idp.{emulator.region}.amazonaws.com/{pool_id}",
        "JWKS_URL": f"{emulator.url}/{pool_id}/.well-known/jwks.json",
        "CLIENT_IDS": client_id, "TOKEN_USE": "access", "AWS_CA_BUNDLE": str(emulator.ca_bundle),
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        jwks.clear_cache()
        answer = authorizer_handler.lambda_handler({
            "type": "TOKEN", "authorizationToken": f"Bearer {access_token}",
            "methodArn": f"arn:aws:execute-api:{emulator.region}:{ACCOUNT}:{API_ID}/{STAGE}/GET/todos"}, None)
        jwks.clear_cache()
    return {"principalId": answer["principalId"], **answer["context"], "integrationLatency": 41}


@pytest.fixture(scope="module")
def world(emulator, aws_client):
    """A fresh emulator with the data layer and two signed-in users (alice, bob)."""
    launcher.reset(emulator.url, emulator.ca_bundle)
    key_id = make_data_layer(aws_client, emulator.region)
    cognito = aws_client("cognito-idp")
    pool_id = cognito.create_user_pool(PoolName=f"{PREFIX}-users", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName=f"{PREFIX}-mobile", GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    users = {}
    for name in ("alice", "bob"):
        tokens = sign_in(cognito, pool_id, client_id, name)
        users[name] = authorizer_context(emulator, pool_id, client_id, tokens["AccessToken"])
    return {"users": users, "key_id": key_id}


EMULATOR_VARIABLES = ("AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                      "AWS_DEFAULT_REGION", "AWS_REGION")


@pytest.fixture
def service(aws_env, world, monkeypatch):
    """The function's environment, as the API role sets it, pointed at the emulator; a cold container."""
    for name in EMULATOR_VARIABLES:
        monkeypatch.setenv(name, aws_env[name])
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("BUCKET_NAME", BUCKET)
    monkeypatch.setenv("URL_EXPIRY_SECONDS", "120")
    monkeypatch.delenv("DAX_ENDPOINT", raising=False)
    monkeypatch.delenv("CORS_ALLOW_ORIGIN", raising=False)
    clients.reset()
    yield world["users"]
    clients.reset()


def api_event(authorizer, method, resource, path_params=None, query=None, body=None):
    """A REST API Lambda proxy event (payload format 1.0), shaped as API Gateway sends it."""
    path = resource
    for name, value in (path_params or {}).items():
        path = path.replace("{" + name + "}", value)
    headers = {"Accept": "application/json", "Authorization": "Bearer eyJ.redacted.sig",
               "Content-Type": "application/json", "Host": f"{API_ID}.execute-api.eu-west-1.amazonaws.com",
               "User-Agent": "todo-mobile/1.0", "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Port": "443",
               "X-Forwarded-Proto": "https"}
    request_id = str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "abc123", "resourcePath": resource, "httpMethod": method,
            "extendedRequestId": request_id[:16], "requestTime": "24/Nov/2026:12:00:00 +0000",
            "path": f"/{STAGE}{path}", "accountId": ACCOUNT, "protocol": "HTTP/1.1", "stage": STAGE,
            "domainPrefix": API_ID, "requestTimeEpoch": 1795521600000, "requestId": request_id,
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "todo-mobile/1.0", "accessKey": None,
                         "accountId": None, "caller": None, "user": None, "userArn": None,
                         "cognitoIdentityId": None, "cognitoIdentityPoolId": None},
            "domainName": f"{API_ID}.execute-api.eu-west-1.amazonaws.com", "apiId": API_ID,
            "authorizer": authorizer,
        },
        "body": None if body is None else (body if isinstance(body, str) else json.dumps(body)),
        "isBase64Encoded": False,
    }


def invoke(authorizer, method, resource, **kwargs):
    response = handler.lambda_handler(api_event(authorizer, method, resource, **kwargs), None)
    assert response["headers"]["Access-Control-Allow-Origin"] == "*"
    return response["statusCode"], (json.loads(response["body"]) if response["body"] else None)


def table_item(aws_client, sub, todo_id):
    return aws_client("dynamodb").get_item(
        TableName=TABLE, Key={"user_id": {"S": sub}, "todo_id": {"S": todo_id}}, ConsistentRead=True).get("Item")


def user_items(aws_client, sub):
    return aws_client("dynamodb").query(
        TableName=TABLE, KeyConditionExpression="user_id = :u",
        ExpressionAttributeValues={":u": {"S": sub}}, ConsistentRead=True)["Items"]


def test_crud_stores_items_under_the_callers_user_id(service, aws_client):
    alice = service["alice"]
    sub = alice["sub"]
    status, todo = invoke(alice, "POST", "/todos", body={"title": " Buy milk ", "due_date": "2026-12-01",
                                                        "notes": "2 litres"})
    assert status == 201 and ids.is_id(todo["todo_id"]) and todo["title"] == "Buy milk"
    stored = table_item(aws_client, sub, todo["todo_id"])
    assert stored["title"] == {"S": "Buy milk"} and stored["done"] == {"BOOL": False}
    assert stored["due_date"] == {"S": "2026-12-01"} and stored["notes"] == {"S": "2 litres"}
    assert stored["created_at"] == stored["updated_at"] and stored["created_at"]["S"].endswith("Z")

    assert invoke(alice, "GET", "/todos/{id}", path_params={"id": todo["todo_id"]}) == (200, todo)

    status, updated = invoke(alice, "PUT", "/todos/{id}", path_params={"id": todo["todo_id"]},
                             body={"done": True, "notes": None, "title": "Buy oat milk"})
    assert status == 200 and updated["done"] is True and updated["notes"] is None
    stored = table_item(aws_client, sub, todo["todo_id"])
    assert stored["done"] == {"BOOL": True} and stored["title"] == {"S": "Buy oat milk"} and "notes" not in stored
    assert stored["created_at"]["S"] == todo["created_at"] and stored["updated_at"]["S"] >= todo["created_at"]

    assert invoke(alice, "DELETE", "/todos/{id}", path_params={"id": todo["todo_id"]}) == (204, None)
    assert table_item(aws_client, sub, todo["todo_id"]) is None
    assert invoke(alice, "GET", "/todos/{id}", path_params={"id": todo["todo_id"]})[0] == 404
    assert invoke(alice, "DELETE", "/todos/{id}", path_params={"id": todo["todo_id"]})[0] == 404


def test_update_or_delete_of_a_missing_todo_is_404_and_writes_nothing(service, aws_client):
    alice = service["alice"]
    missing = ids.new_id()
    assert invoke(alice, "PUT", "/todos/{id}", path_params={"id": missing}, body={"done": True})[0] == 404
    assert invoke(alice, "DELETE", "/todos/{id}", path_params={"id": missing})[0] == 404
    assert table_item(aws_client, alice["sub"], missing) is None, "UpdateItem must not create the item"


def test_create_never_overwrites_an_existing_item(service, aws_client, monkeypatch):
    alice = service["alice"]
    _, first = invoke(alice, "POST", "/todos", body={"title": "first"})
    before = table_item(aws_client, alice["sub"], first["todo_id"])
    fresh = ids.new_id()
    drawn = iter([first["todo_id"], fresh])
    monkeypatch.setattr(ids, "new_id", lambda: next(drawn))
    status, second = invoke(alice, "POST", "/todos", body={"title": "second"})
    assert status == 201 and second["todo_id"] == fresh
    assert table_item(aws_client, alice["sub"], first["todo_id"]) == before


def test_user_b_cannot_read_change_or_delete_user_a_todo(service, aws_client):
    alice, bob = service["alice"], service["bob"]
    assert alice["sub"] != bob["sub"]
    _, todo = invoke(alice, "POST", "/todos", body={"title": "alice's secret", "due_date": "2026-12-24"})
    before = table_item(aws_client, alice["sub"], todo["todo_id"])
    path = {"id": todo["todo_id"]}
    assert invoke(bob, "GET", "/todos/{id}", path_params=path) == (404, {"message": "to-do not found"})
    assert invoke(bob, "PUT", "/todos/{id}", path_params=path, body={"title": "pwned", "done": True})[0] == 404
    assert invoke(bob, "DELETE", "/todos/{id}", path_params=path)[0] == 404
    assert table_item(aws_client, alice["sub"], todo["todo_id"]) == before, "alice's item is unchanged"
    assert table_item(aws_client, bob["sub"], todo["todo_id"]) is None, "nothing was created under bob"
    _, page = invoke(bob, "GET", "/todos", query={"limit": "100"})
    assert todo["todo_id"] not in {item["todo_id"] for item in page["items"]}
    # A body cannot name another owner, and alice's page token is no use to bob.
    assert invoke(bob, "POST", "/todos", body={"title": "x", "user_id": alice["sub"]})[0] == 400
    invoke(alice, "POST", "/todos", body={"title": "another"})
    _, alice_page = invoke(alice, "GET", "/todos", query={"limit": "1"})
    status, body = invoke(bob, "GET", "/todos", query={"next": alice_page["next"]})
    assert status == 400 and body["message"] == "next: the page token belongs to another user"


def test_pagination_walks_every_item_exactly_once(service, aws_client):
    caller = {"principalId": "p", "sub": str(uuid.uuid4()), "username": "pager", "client_id": "c",
              "token_use": "access", "scope": "", "groups": ""}
    caller["principalId"] = caller["sub"]
    created = []
    for number in range(7):
        body = {"title": f"todo {number}"}
        if number % 2 == 0:
            body["due_date"] = f"2026-12-{28 - number:02d}"
        created.append(invoke(caller, "POST", "/todos", body=body)[1])
    assert len(user_items(aws_client, caller["sub"])) == 7

    seen, token, pages = [], None, 0
    while True:
        query = {"limit": "3", **({"next": token} if token else {})}
        status, page = invoke(caller, "GET", "/todos", query=query)
        assert status == 200 and len(page["items"]) <= 3
        seen += [item["todo_id"] for item in page["items"]]
        pages += 1
        token = page["next"]
        if not token:
            break
        assert pages < 10
    assert seen == [todo["todo_id"] for todo in created], "each item once, in creation order"

    seen, token = [], None
    while True:
        query = {"limit": "2", "due": "true", **({"next": token} if token else {})}
        status, page = invoke(caller, "GET", "/todos", query=query)
        assert status == 200
        seen += [(item["due_date"], item["title"]) for item in page["items"]]
        token = page["next"]
        if not token:
            break
    assert seen == sorted((todo["due_date"], todo["title"]) for todo in created if todo["due_date"])


def test_a_cognito_user_pool_authorizer_context_works_too(service, aws_client):
    sub = str(uuid.uuid4())
    claims = {"sub": sub, "cognito:username": "carol", "token_use": "id", "email_verified": "true",
              "aud": "client", "iss": "https://cognito-idp.eu-west-1.amazonaws.com/pool",
              "exp": "Tue Nov 24 13:00:00 UTC 2026"}
    status, todo = invoke({"claims": claims}, "POST", "/todos", body={"title": "via Cognito authorizer"})
    assert status == 201 and table_item(aws_client, sub, todo["todo_id"])["title"]["S"] == "via Cognito authorizer"
    assert invoke({}, "GET", "/todos")[0] == 401


def _https(url, method="GET", data=None, headers=None, ca_bundle=None):
    assert url.startswith("https://")
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310
    context = ssl.create_default_context(cafile=ca_bundle)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(context=context))
    with opener.open(request, timeout=10) as response:  # noqa: S310 - https URLs made by the handler
        return response.status, response.read()


def test_file_uploaded_with_the_presigned_url_lands_under_the_callers_prefix(service, aws_client, emulator, world):
    alice, bob = service["alice"], service["bob"]
    status, grant = invoke(alice, "POST", "/files/upload-url",
                           body={"key": "photos/cat.jpg", "content_type": "image/jpeg"})
    assert status == 200 and grant["method"] == "PUT" and grant["expires_in"] == 120
    assert grant["key"] == f"{alice['sub']}/photos/cat.jpg" and grant["headers"] == {"Content-Type": "image/jpeg"}
    assert "X-Amz-Signature=" in grant["url"] and "X-Amz-Expires=120" in grant["url"]
    payload = b"\xff\xd8\xffmeow"
    put_status, _ = _https(grant["url"], "PUT", payload, grant["headers"], str(emulator.ca_bundle))
    assert put_status == 200

    s3 = aws_client("s3")
    listed = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert [obj["Key"] for obj in listed] == [f"{alice['sub']}/photos/cat.jpg"]
    head = s3.head_object(Bucket=BUCKET, Key=grant["key"])
    assert head["ContentType"] == "image/jpeg" and head["ServerSideEncryption"] == "aws:kms"
    # AWS answers the key's ARN; moto echoes the bucket default as configured (the alias).
    assert head["SSEKMSKeyId"].endswith((world["key_id"], f"alias/{PREFIX}-data")), "the bucket's default key"

    status, download = invoke(alice, "GET", "/files/download-url", query={"key": "photos/cat.jpg"})
    assert status == 200 and download["key"] == grant["key"] and download["size"] == len(payload)
    assert _https(download["url"], ca_bundle=str(emulator.ca_bundle)) == (200, payload)

    # bob's "photos/cat.jpg" is in bob's folder, where there is none; alice's folder is out of his reach.
    assert invoke(bob, "GET", "/files/download-url", query={"key": "photos/cat.jpg"})[0] == 404
    status, body = invoke(bob, "GET", "/files/download-url", query={"key": grant["key"]})
    assert status == 400 and body["message"] == "key: must not start with another user's id"


@pytest.mark.parametrize("key", [
    "../escape.txt", "photos/../../other/x", "/absolute.txt", "a//b.txt", "./x", "a\\b.txt",
    "ctrl\x00.txt", "0b7e2f9a-1c3d-4e5f-8a9b-0c1d2e3f4a5b/steal.txt", "k" * 1000, "",
])
def test_traversal_keys_get_400_and_create_nothing(service, aws_client, key):
    alice = service["alice"]
    before = aws_client("s3").list_objects_v2(Bucket=BUCKET).get("KeyCount")
    status, body = invoke(alice, "POST", "/files/upload-url", body={"key": key})
    assert status == 400 and body["message"].startswith("key: "), body
    if key:
        assert invoke(alice, "GET", "/files/download-url", query={"key": key})[0] == 400
    assert aws_client("s3").list_objects_v2(Bucket=BUCKET).get("KeyCount") == before
