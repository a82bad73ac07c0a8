"""The to-do service's pure parts, in-process and without the emulator.

Validation, routing, claims from both authorizer shapes, S3 key sanitising, page
tokens, id format, the DynamoDB calls the store makes (against a recording fake),
and the client factory: DAX through a fake `amazondax` module when DAX_ENDPOINT is
set (amazondax is not installed in the dev venv), boto3 otherwise, once per container.
"""

import base64
import json
import logging
import sys
import types
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from lambdas.todo_api import clients, config, handler, identity, ids, pagination, s3keys, store
from lambdas.todo_api.errors import ApiError

SUB = "0b7e2f9a-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
OTHER = "5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f"
ENV = {"TABLE_NAME": "rtap-local-todos", "BUCKET_NAME": "rtap-local-user-files", "AWS_REGION": "eu-west-1"}


def lambda_authorizer(sub=SUB):
    """requestContext.authorizer as API Gateway fills it from our Lambda authorizer's answer."""
    return {"principalId": sub, "sub": sub, "username": "alice", "client_id": "abc", "token_use": "access",
            "scope": "todos.read todos.write", "groups": "admins,users", "integrationLatency": 12}


def cognito_authorizer(sub=SUB):
    """requestContext.authorizer of a Cognito user pool authorizer (claims as strings)."""
    return {"claims": {"sub": sub, "cognito:username": "alice", "cognito:groups": "[admins users]",
                       "token_use": "id", "email": "alice@example.com"}}


def event(method, resource, path=None, body=None, query=None, path_params=None, authorizer="lambda"):
    """An API Gateway REST proxy event (payload format 1.0)."""
    auth = {"lambda": lambda_authorizer(), "cognito": cognito_authorizer()}.get(authorizer, authorizer)
    return {
        "resource": resource, "path": path or resource, "httpMethod": method,
        "headers": {"Authorization": "Bearer x.y.z", "Content-Type": "application/json"},
        "multiValueHeaders": {}, "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_params, "stageVariables": None,
        "requestContext": {"resourcePath": resource, "httpMethod": method, "requestId": "req-1",
                           "stage": "local", "authorizer": auth},
        "body": None if body is None else (body if isinstance(body, str) else json.dumps(body)),
        "isBase64Encoded": False,
    }


class FakeDynamo:
    """Records calls; answers from a dict or raises the ClientError it is given."""

    def __init__(self, answers=None, errors=None):
        self.calls = []
        self.answers = answers or {}
        self.errors = errors or {}

    def _call(self, name, kwargs):
        self.calls.append((name, kwargs))
        if name in self.errors:
            raise self.errors[name]
        return self.answers.get(name, {})

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda **kwargs: self._call(name, kwargs)


def client_error(code, op="PutItem"):
    return ClientError({"Error": {"Code": code, "Message": "x"}, "ResponseMetadata": {"HTTPStatusCode": 400}}, op)


@pytest.fixture
def fake_clients(monkeypatch):
    """clients.factory replaced: kind -> a FakeDynamo per kind."""
    made = {}

    def factory(kind, settings):
        made[kind] = made.get(kind) or FakeDynamo()
        return made[kind]

    clients.reset()
    monkeypatch.setattr(clients, "factory", factory)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DAX_ENDPOINT", raising=False)
    monkeypatch.delenv("CORS_ALLOW_ORIGIN", raising=False)
    yield made
    clients.reset()


def call(ev):
    response = handler.lambda_handler(ev, None)
    return response["statusCode"], json.loads(response["body"]) if response["body"] else None, response


# ---- configuration

def test_config_defaults_and_required():
    settings = config.load(dict(ENV))
    assert settings.url_expiry == 300 and settings.cors_allow_origin == "*" and settings.dax_endpoint == ""
    with pytest.raises(config.ConfigError, match="TABLE_NAME, BUCKET_NAME: required"):
        config.load({})


@pytest.mark.parametrize("name, value, message", [
    ("URL_EXPIRY_SECONDS", "0", "URL_EXPIRY_SECONDS: must be between 1 and 3600"),
    ("URL_EXPIRY_SECONDS", "3601", "URL_EXPIRY_SECONDS: must be between 1 and 3600"),
    ("URL_EXPIRY_SECONDS", "5m", "URL_EXPIRY_SECONDS: must be an integer"),
    ("DAX_ENDPOINT", "https://x.dax-clusters.eu-west-1.amazonaws.com", "DAX_ENDPOINT: must be a dax:// or daxs://"),
])
def test_config_rejects_bad_values(name, value, message):
    with pytest.raises(config.ConfigError, match=message):
        config.load(dict(ENV, **{name: value}))


def test_config_error_is_a_generic_500(monkeypatch, caplog):
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.delenv("BUCKET_NAME", raising=False)
    with caplog.at_level(logging.INFO, logger="todo_api"):
        status, body, _ = call(event("GET", "/todos"))
    assert status == 500 and body == {"message": "internal error"}
    assert "TABLE_NAME" in caplog.text


# ---- identity

def test_claims_from_the_lambda_authorizer():
    caller = identity.caller_from(event("GET", "/todos"))
    assert caller.sub == SUB and caller.username == "alice"
    assert caller.groups == ("admins", "users") and caller.scopes == ("todos.read", "todos.write")


def test_claims_from_a_cognito_user_pool_authorizer():
    caller = identity.caller_from(event("GET", "/todos", authorizer="cognito"))
    assert caller.sub == SUB and caller.username == "alice" and caller.groups == ("admins", "users")


@pytest.mark.parametrize("authorizer", [
    None, {}, {"principalId": SUB}, {"claims": {}}, {"claims": {"sub": ""}}, {"sub": 12},
    {"sub": "../../etc"}, {"sub": "a" * 129}, {"principalId": OTHER, "sub": SUB}, {"claims": "sub=x"},
], ids=["none", "empty", "principal-only", "no-claims", "empty-sub", "number", "path", "long", "mismatch",
        "claims-string"])
def test_no_usable_sub_is_401(fake_clients, authorizer):
    ev = event("GET", "/todos")
    ev["requestContext"]["authorizer"] = authorizer
    status, body, _ = call(ev)
    assert status == 401 and body == {"message": "unauthorized"}
    assert not fake_clients, "no AWS call without a caller"


def test_user_id_from_body_query_or_headers_is_never_used(fake_clients):
    ev = event("POST", "/todos", body={"title": "x"})
    ev["headers"]["x-user-id"] = OTHER
    ev["queryStringParameters"] = None
    call(ev)
    (name, kwargs), = fake_clients["dynamodb"].calls
    assert name == "put_item" and kwargs["Item"]["user_id"] == {"S": SUB}


# ---- routing

@pytest.mark.parametrize("method, resource, status", [
    ("GET", "/nope", 404), ("GET", None, 404), ("PATCH", "/todos/{id}", 405), ("DELETE", "/todos", 405),
    ("GET", "/files/upload-url", 405), ("POST", "/files/download-url", 405),
])
def test_unknown_route_404_wrong_method_405(fake_clients, method, resource, status):
    got, body, response = call(event(method, resource))
    assert got == status and "message" in body
    if status == 405:
        assert set(response["headers"]["Allow"].split(",")) == set(handler.ROUTES[resource])


def test_every_answer_has_cors_and_json_headers(fake_clients, monkeypatch):
    monkeypatch.setenv("CORS_ALLOW_ORIGIN", "https://app.example.com")
    for ev in (event("GET", "/todos"), event("GET", "/nope"), event("POST", "/todos", body="{")):
        headers = call(ev)[2]["headers"]
        assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"
        assert headers["Content-Type"] == "application/json" and headers["Cache-Control"] == "no-store"


def test_preflight_needs_no_caller(fake_clients):
    ev = event("OPTIONS", "/todos/{id}", authorizer=None)
    status, body, response = call(ev)
    assert status == 204 and body is None
    assert response["headers"]["Access-Control-Allow-Methods"] == "GET,PUT,DELETE,OPTIONS"


def test_unexpected_error_is_a_generic_500_and_logged(fake_clients, caplog):
    fake_clients["dynamodb"] = FakeDynamo(errors={"get_item": RuntimeError("secret detail at line 3")})
    with caplog.at_level(logging.INFO, logger="todo_api"):
        status, body, response = call(event("GET", "/todos/{id}", path_params={"id": ids.new_id()}))
    assert status == 500 and body == {"message": "internal error"}
    assert "secret detail" not in response["body"] and "Traceback" in caplog.text


def test_throttling_is_503(fake_clients):
    fake_clients["dynamodb"] = FakeDynamo(errors={"query": client_error("ProvisionedThroughputExceededException")})
    assert call(event("GET", "/todos"))[0] == 503


def test_one_json_log_line_per_request_without_body_or_token(fake_clients, caplog):
    with caplog.at_level(logging.INFO, logger="todo_api"):
        call(event("POST", "/todos", body={"title": "very private title"}))
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.getMessage().startswith("{")]
    assert len(lines) == 1
    line, = lines
    assert line["route"] == "POST /todos" and line["status"] == 201 and line["sub"] == SUB
    assert isinstance(line["duration_ms"], float) and line["request_id"] == "req-1"
    assert "private" not in caplog.text and "x.y.z" not in caplog.text


# ---- to-do validation

@pytest.mark.parametrize("body, message", [
    ("{", "body: not valid JSON"),
    ("[1]", "body: must be a JSON object, got array"),
    ("null", "body: must be a JSON object, got null"),
    ('{"title": NaN}', "body: not valid JSON"),
    (None, "body: a JSON object is required"),
    ({"title": "a", "owner": "x"}, "body: unknown field(s) 'owner'"),
    ({"title": "a", "user_id": OTHER}, "body: unknown field(s) 'user_id'"),
    ({}, "title: required"),
    ({"title": "   "}, "title: must not be empty"),
    ({"title": "x" * 201}, "title: at most 200 characters, got 201"),
    ({"title": 5}, "title: must be a string, got number"),
    ({"title": "a\u0000b"}, "title: must not contain control characters"),
    ('{"title": "\\ud800"}', "title: must be valid Unicode text"),
    ('{"title": "a", "notes": "\\udfff"}', "notes: must be valid Unicode text"),
    ({"title": "a", "done": "yes"}, "done: must be true or false, got string"),
    ({"title": "a", "notes": "n" * 2001}, "notes: at most 2000 characters"),
    ({"title": "a", "notes": ["x"]}, "notes: must be a string or null, got array"),
    ({"title": "a", "due_date": "2026-02-30"}, "due_date: '2026-02-30' is not a real date"),
    ({"title": "a", "due_date": "30/01/2026"}, "due_date: must be a date written YYYY-MM-DD"),
    ({"title": "a", "due_date": "2026-1-01"}, "due_date: must be a date written YYYY-MM-DD"),
    ({"title": "a", "due_date": 20260101}, "due_date: must be a date string"),
    ({"title": "a", "notes": "x" * 17000}, "body: larger than 16384 bytes"),
])
def test_create_validation_is_400_naming_the_field(fake_clients, body, message):
    status, answer, _ = call(event("POST", "/todos", body=body))
    assert status == 400 and answer["message"].startswith(message), answer
    assert "dynamodb" not in fake_clients or not fake_clients["dynamodb"].calls


def test_create_trims_the_title_and_stores_under_the_caller(fake_clients, monkeypatch):
    monkeypatch.setattr(handler, "now_iso", lambda: "2026-11-24T12:00:00.000Z")
    status, todo, _ = call(event("POST", "/todos", body={"title": "  Buy milk ", "notes": "2 l\nfull fat",
                                                         "due_date": "2026-12-01"}))
    assert status == 201
    assert ids.is_id(todo["todo_id"])
    assert todo == {"todo_id": todo["todo_id"], "title": "Buy milk", "notes": "2 l\nfull fat", "done": False,
                    "due_date": "2026-12-01", "created_at": "2026-11-24T12:00:00.000Z",
                    "updated_at": "2026-11-24T12:00:00.000Z"}
    (name, kwargs), = fake_clients["dynamodb"].calls
    assert kwargs["TableName"] == "rtap-local-todos"
    assert kwargs["ConditionExpression"] == "attribute_not_exists(todo_id)"
    assert kwargs["Item"]["user_id"] == {"S": SUB} and kwargs["Item"]["done"] == {"BOOL": False}


def test_base64_body_is_decoded(fake_clients):
    ev = event("POST", "/todos")
    ev["body"] = base64.b64encode(json.dumps({"title": "b64"}).encode()).decode()
    ev["isBase64Encoded"] = True
    status, todo, _ = call(ev)
    assert status == 201 and todo["title"] == "b64"


def test_create_draws_a_new_id_when_the_first_is_taken(fake_clients):
    dynamo = fake_clients["dynamodb"] = FakeDynamo()
    attempts = []

    def put_item(**kwargs):
        attempts.append(kwargs["Item"]["todo_id"]["S"])
        if len(attempts) == 1:
            raise client_error("ConditionalCheckFailedException")
        return {}

    dynamo.put_item = put_item
    status, todo, _ = call(event("POST", "/todos", body={"title": "x"}))
    assert status == 201 and len(attempts) == 2 and todo["todo_id"] == attempts[1] != attempts[0]


@pytest.mark.parametrize("bad_id", ["1", "../x", "01ARZ3NDEKTSV4RRFFQ69G5FA", "01arz3ndektsv4rrffq69g5fav",
                                    "81ARZ3NDEKTSV4RRFFQ69G5FAV", "01ARZ3NDEKTSV4RRFFQ69G5FAU", None])
def test_bad_todo_id_is_400(fake_clients, bad_id):
    for method in ("GET", "PUT", "DELETE"):
        status, body, _ = call(event(method, "/todos/{id}", body={"done": True},
                                     path_params=None if bad_id is None else {"id": bad_id}))
        assert status == 400 and body["message"].startswith("id: not a to-do id"), (method, bad_id)


def test_update_sets_given_fields_removes_nulls_conditionally(fake_clients):
    todo_id = ids.new_id()
    attributes = store.to_item(SUB, todo_id, {"title": "t", "done": True}, "c", "u")
    fake_clients["dynamodb"] = FakeDynamo(answers={"update_item": {"Attributes": attributes}})
    status, todo, _ = call(event("PUT", "/todos/{id}", body={"done": True, "notes": None, "due_date": None},
                                 path_params={"id": todo_id}))
    assert status == 200 and todo["done"] is True and todo["notes"] is None
    (_, kwargs), = fake_clients["dynamodb"].calls
    assert kwargs["Key"] == {"user_id": {"S": SUB}, "todo_id": {"S": todo_id}}
    assert kwargs["ConditionExpression"] == "attribute_exists(user_id) AND attribute_exists(todo_id)"
    assert kwargs["UpdateExpression"] == "SET #s0 = :s0, #s1 = :s1 REMOVE #r0, #r1"
    assert kwargs["ExpressionAttributeNames"] == {"#s0": "done", "#s1": "updated_at", "#r0": "due_date",
                                                  "#r1": "notes"}


@pytest.mark.parametrize("body, message", [
    ({}, "body: name at least one field"),
    ({"title": None}, "title: must be a string, got null"),
    ({"done": None}, "done: must be true or false, got null"),
    ({"todo_id": "x"}, "body: unknown field(s) 'todo_id'"),
    ({"created_at": "x"}, "body: unknown field(s) 'created_at'"),
])
def test_update_validation(fake_clients, body, message):
    status, answer, _ = call(event("PUT", "/todos/{id}", body=body, path_params={"id": ids.new_id()}))
    assert status == 400 and answer["message"].startswith(message)


@pytest.mark.parametrize("method, op", [("PUT", "update_item"), ("DELETE", "delete_item")])
def test_failed_condition_is_404(fake_clients, method, op):
    fake_clients["dynamodb"] = FakeDynamo(errors={op: client_error("ConditionalCheckFailedException")})
    status, body, _ = call(event(method, "/todos/{id}", body={"done": True}, path_params={"id": ids.new_id()}))
    assert status == 404 and body == {"message": "to-do not found"}


def test_read_missing_is_404_and_delete_is_204(fake_clients):
    assert call(event("GET", "/todos/{id}", path_params={"id": ids.new_id()}))[0] == 404
    status, body, response = call(event("DELETE", "/todos/{id}", path_params={"id": ids.new_id()}))
    assert status == 204 and response["body"] == ""


# ---- ids

def test_ids_sort_in_creation_order_even_within_a_millisecond(monkeypatch):
    monkeypatch.setattr(ids, "clock_ns", lambda: 1_795_000_000_000_000_000)
    monkeypatch.setattr(ids, "_last", {"ms": -1, "random": 0})
    made = [ids.new_id() for _ in range(50)]
    assert made == sorted(made) and len(set(made)) == 50 and all(ids.is_id(i) for i in made)
    monkeypatch.setattr(ids, "clock_ns", lambda: 1_795_000_000_001_000_000)
    assert ids.new_id() > made[-1]


# ---- listing and page tokens

def test_list_defaults_and_token_round_trip(fake_clients):
    last = {"user_id": {"S": SUB}, "todo_id": {"S": ids.new_id()}}
    fake_clients["dynamodb"] = FakeDynamo(answers={"query": {"Items": [], "LastEvaluatedKey": last}})
    status, page, _ = call(event("GET", "/todos"))
    assert status == 200 and page["items"] == [] and isinstance(page["next"], str)
    (_, kwargs), = fake_clients["dynamodb"].calls
    assert kwargs["Limit"] == 20 and "IndexName" not in kwargs and "ExclusiveStartKey" not in kwargs
    assert kwargs["ExpressionAttributeValues"] == {":u": {"S": SUB}}
    call(event("GET", "/todos", query={"next": page["next"], "limit": "100"}))
    (_, second) = fake_clients["dynamodb"].calls[1]
    assert second["ExclusiveStartKey"] == last and second["Limit"] == 100


def test_list_by_due_date_uses_the_index(fake_clients):
    last = {"user_id": {"S": SUB}, "todo_id": {"S": ids.new_id()}, "due_date": {"S": "2026-12-01"}}
    token = pagination.encode(last)
    call(event("GET", "/todos", query={"due": "true", "next": token}))
    (_, kwargs), = fake_clients["dynamodb"].calls
    assert kwargs["IndexName"] == "by-due-date" and kwargs["ExclusiveStartKey"] == last
    status, body, _ = call(event("GET", "/todos", query={"next": token}))
    assert status == 400 and body["message"] == "next: not a page token of this listing"


def _token(plain):
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("query, message", [
    ({"limit": "0"}, "limit: must be an integer from 1 to 100"),
    ({"limit": "101"}, "limit: must be an integer from 1 to 100"),
    ({"limit": "ten"}, "limit: must be an integer from 1 to 100"),
    ({"limit": "-1"}, "limit: must be an integer from 1 to 100"),
    ({"due": "yes"}, "due: must be true or false"),
    ({"owner": OTHER}, "query parameter 'owner': unknown"),
    ({"next": ""}, "next: not a page token"),
    ({"next": "!!!"}, "next: not a page token"),
    ({"next": "bm90IGpzb24"}, "next: not a page token"),
    ({"next": _token(["a"])}, "next: not a page token of this listing"),
    ({"next": _token({"u": SUB, "t": 5})}, "next: not a page token of this listing"),
    ({"next": _token({"u": SUB, "t": "x"})}, "next: not a page token of this service"),
    ({"next": _token({"u": OTHER, "t": "01ARZ3NDEKTSV4RRFFQ69G5FAV"})}, "next: the page token belongs to another"),
    ({"next": "A" * 600}, "next: not a page token"),
])
def test_bad_list_parameters_are_400(fake_clients, query, message):
    status, body, _ = call(event("GET", "/todos", query=query))
    assert status == 400 and body["message"].startswith(message), body
    assert "dynamodb" not in fake_clients or not fake_clients["dynamodb"].calls


def test_parameter_given_twice_is_400(fake_clients):
    ev = event("GET", "/todos", query={"limit": "5"})
    ev["multiValueQueryStringParameters"] = {"limit": ["5", "50"]}
    status, body, _ = call(ev)
    assert status == 400 and body["message"] == "query parameter 'limit': given more than once"


def test_bad_due_date_in_token_is_400():
    token = _token({"u": SUB, "t": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "d": "2026-13-01"})
    with pytest.raises(ApiError, match="next: '2026-13-01' is not a real date"):
        pagination.decode(token, SUB, True)


# ---- S3 keys

@pytest.mark.parametrize("relative, expected", [
    ("photos/cat.jpg", f"{SUB}/photos/cat.jpg"),
    ("cat.jpg", f"{SUB}/cat.jpg"),
    (f"{SUB}/photos/cat.jpg", f"{SUB}/photos/cat.jpg"),
    ("a..b/c.d", f"{SUB}/a..b/c.d"),
    ("fotos/Ünïcode ok.png", f"{SUB}/fotos/Ünïcode ok.png"),
])
def test_keys_are_put_under_the_callers_folder(relative, expected):
    assert s3keys.user_key(relative, SUB) == expected


@pytest.mark.parametrize("relative, message", [
    ("", "key: must not be empty"),
    ("/etc/passwd", "key: must be relative to your folder"),
    ("../x", "key: must not contain '.' or '..' segments"),
    ("a/../../b", "key: must not contain '.' or '..' segments"),
    ("./a", "key: must not contain '.' or '..' segments"),
    ("a//b", "key: must not contain empty segments"),
    ("a/", "key: must not contain empty segments"),
    ("a\\..\\b", "key: must not contain backslashes"),
    ("a\nb", "key: must not contain control characters"),
    ("a\u0085b", "key: must not contain control characters"),
    (f"{OTHER}/x.jpg", "key: must not start with another user's id"),
    (f"{OTHER.upper()}/x.jpg", "key: must not start with another user's id"),
    (SUB, "key: names your folder"),
    ("x" * 1000, "key: at most 1024 bytes once prefixed with your id, got 1037"),
    ("\ud800", "key: must be valid UTF-8"),
    (7, "key: must be a string"),
])
def test_unsafe_keys_are_400(relative, message):
    with pytest.raises(ApiError) as raised:
        s3keys.user_key(relative, SUB)
    assert raised.value.status == 400 and raised.value.message.startswith(message), raised.value.message


class FakeS3:
    def __init__(self, missing=False):
        self.calls = []
        self.missing = missing

    def generate_presigned_url(self, op, Params, ExpiresIn, HttpMethod):  # noqa: N803 - boto3's names
        self.calls.append((op, Params, ExpiresIn, HttpMethod))
        return f"https://bucket.example/{Params['Key']}?sig"

    def head_object(self, **kwargs):
        self.calls.append(("head_object", kwargs))
        if self.missing:
            raise ClientError({"Error": {"Code": "404", "Message": "Not Found"}}, "HeadObject")
        return {"ContentLength": 3, "ContentType": "image/jpeg"}


def test_upload_url_signs_a_put_under_the_callers_folder(fake_clients, monkeypatch):
    monkeypatch.setenv("URL_EXPIRY_SECONDS", "120")
    s3 = fake_clients["s3"] = FakeS3()
    status, body, _ = call(event("POST", "/files/upload-url",
                                 body={"key": "photos/cat.jpg", "content_type": "image/jpeg"}))
    assert status == 200
    assert body == {"url": f"https://bucket.example/{SUB}/photos/cat.jpg?sig", "method": "PUT",
                    "key": f"{SUB}/photos/cat.jpg", "expires_in": 120, "headers": {"Content-Type": "image/jpeg"}}
    assert s3.calls == [("put_object", {"Bucket": "rtap-local-user-files", "Key": f"{SUB}/photos/cat.jpg",
                                        "ContentType": "image/jpeg"}, 120, "PUT")]


@pytest.mark.parametrize("body, message", [
    ({}, "key: required"),
    ({"key": "a", "bucket": "other"}, "body: unknown field(s) 'bucket'"),
    ({"key": "a", "content_type": "jpeg"}, "content_type: must be a media type"),
    ({"key": "a", "content_type": "image/jpeg\r\nX-Evil: 1"}, "content_type: must be a media type"),
    ({"key": "../b"}, "key: must not contain '.' or '..' segments"),
])
def test_upload_url_validation(fake_clients, body, message):
    s3 = fake_clients["s3"] = FakeS3()
    status, answer, _ = call(event("POST", "/files/upload-url", body=body))
    assert status == 400 and answer["message"].startswith(message) and s3.calls == []


def test_download_url_checks_the_object_exists(fake_clients):
    s3 = fake_clients["s3"] = FakeS3()
    status, body, _ = call(event("GET", "/files/download-url", query={"key": "photos/cat.jpg"}))
    assert status == 200 and body["method"] == "GET" and body["key"] == f"{SUB}/photos/cat.jpg"
    assert s3.calls[0] == ("head_object", {"Bucket": "rtap-local-user-files", "Key": f"{SUB}/photos/cat.jpg"})
    fake_clients["s3"] = FakeS3(missing=True)
    clients.reset()  # a new container: the factory makes the missing-object fake
    assert call(event("GET", "/files/download-url", query={"key": "nope.jpg"}))[0] == 404
    assert call(event("GET", "/files/download-url"))[1] == {"message": "key: required"}
    assert call(event("GET", "/files/download-url", query={"key": f"{OTHER}/a"}))[0] == 400


# ---- clients: DAX or DynamoDB, once per container

@pytest.fixture
def fake_amazondax(monkeypatch):
    made = []

    class AmazonDaxClient:
        def __init__(self, endpoint_url=None, region_name=None, **kwargs):
            made.append({"endpoint_url": endpoint_url, "region_name": region_name, **kwargs})

    module = types.ModuleType("amazondax")
    module.AmazonDaxClient = AmazonDaxClient
    monkeypatch.setitem(sys.modules, "amazondax", module)
    clients.reset()
    yield made, AmazonDaxClient
    clients.reset()


def test_dax_endpoint_selects_the_dax_client_once_per_container(fake_amazondax):
    made, dax_class = fake_amazondax
    endpoint = "daxs://rtap-dax.abc123.dax-clusters.eu-west-1.amazonaws.com"
    settings = config.load(dict(ENV, DAX_ENDPOINT=endpoint))
    first = clients.get("dynamodb", settings)
    assert isinstance(first, dax_class) and clients.get("dynamodb", settings) is first
    assert made == [{"endpoint_url": endpoint, "region_name": "eu-west-1"}]


def test_no_dax_endpoint_selects_boto3_dynamodb(fake_amazondax, monkeypatch):
    made, _ = fake_amazondax
    seen = []
    monkeypatch.setattr(boto3, "client", lambda service, **kwargs: seen.append((service, kwargs)) or object())
    settings = config.load(dict(ENV))
    client = clients.get("dynamodb", settings)
    assert clients.get("dynamodb", settings) is client and made == []
    assert [service for service, _ in seen] == ["dynamodb"] and seen[0][1]["region_name"] == "eu-west-1"
    clients.get("s3", settings)
    assert seen[1][0] == "s3" and seen[1][1]["config"].signature_version == "s3v4"


def test_handler_sends_reads_and_writes_through_dax(fake_amazondax, monkeypatch):
    made, dax_class = fake_amazondax
    calls = []
    dax_class.get_item = lambda self, **kwargs: calls.append("get_item") or {}
    dax_class.put_item = lambda self, **kwargs: calls.append("put_item") or {}
    dax_class.query = lambda self, **kwargs: calls.append("query") or {"Items": []}

    def no_boto3_dynamodb(service, **kwargs):
        raise AssertionError(f"boto3.client({service!r}) called while DAX is configured")

    monkeypatch.setattr(boto3, "client", no_boto3_dynamodb)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DAX_ENDPOINT", "daxs://c.x.dax-clusters.eu-west-1.amazonaws.com")
    assert call(event("POST", "/todos", body={"title": "through DAX"}))[0] == 201
    assert call(event("GET", "/todos/{id}", path_params={"id": ids.new_id()}))[0] == 404
    assert call(event("GET", "/todos"))[0] == 200
    assert calls == ["put_item", "get_item", "query"]
    assert len(made) == 1, "one DAX client for every invocation of the container"


def test_store_error_code_reads_botocore_shaped_errors():
    assert store.error_code(client_error("ConditionalCheckFailedException")) == "ConditionalCheckFailedException"
    assert store.error_code(ValueError()) == ""


def test_modules_import_from_the_zip_root_as_lambda_does(tmp_path):
    """Lambda imports handler.py as a top-level module (the zip's root is on sys.path)."""
    import subprocess  # noqa: PLC0415

    root = Path(handler.__file__).parent
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import handler; "
        "ev = {'resource': '/todos', 'httpMethod': 'OPTIONS'}; "
        "print(json.dumps(handler.lambda_handler(ev, None)['statusCode']), handler.store.__name__)"
    )
    env = {"TABLE_NAME": "t", "BUCKET_NAME": "b", "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-I", "-c", script, str(root)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path,  # noqa: S603
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["204", "store"]
