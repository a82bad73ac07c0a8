"""The Lambda authorizer in-process against real tokens from the emulator's Cognito.

A user pool with two app clients is made with boto3; a user signs up, is confirmed
and signs in (USER_PASSWORD_AUTH) to get real RS256 access and id tokens. The
authorizer fetches the pool's JWKS from the emulator over HTTPS (certificate verified
with AWS_CA_BUNDLE). moto writes the real AWS issuer URL into the tokens
(https://cognito-idp.<region>.amazonaws.com/<pool id>) and serves the JWKS at
<endpoint>/<pool id>/.well-known/jwks.json, so ISSUER and JWKS_URL differ here;
on AWS JWKS_URL is derived from ISSUER.
"""

import base64
import json

import pytest

from emulator import launcher
from lambdas.authorizer import handler, jwks

PASSWORD = "Corr3ct-Horse-Battery!"
METHOD_ARN = "arn:aws:execute-api:{region}:123456789012:a1b2c3d4e5/local/GET/todos"


def make_pool(cognito, name):
    pool_id = cognito.create_user_pool(PoolName=name, AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    clients = [
        cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName=f"{name}-{suffix}", GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        for suffix in ("web", "other")
    ]
    return pool_id, clients


def sign_in(cognito, pool_id, client_id, username):
    cognito.sign_up(ClientId=client_id, Username=username, Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=username)
    result = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    return result["AuthenticationResult"]


def claims_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture(scope="module")
def cognito(emulator, aws_client):
    """Two pools (the second only to show its tokens are refused) and tokens from the first."""
    launcher.reset(emulator.url, emulator.ca_bundle)
    client = aws_client("cognito-idp")
    pool_id, (web, other) = make_pool(client, "rtap-local-users")
    client.create_group(UserPoolId=pool_id, GroupName="admins")
    tokens = sign_in(client, pool_id, web, "alice")
    client.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    grouped = client.initiate_auth(ClientId=web, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]
    other_client_tokens = client.initiate_auth(ClientId=other, AuthFlow="USER_PASSWORD_AUTH",
                                               AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    other_pool, (other_pool_web, _) = make_pool(client, "rtap-local-elsewhere")
    return {
        "pool_id": pool_id, "web": web, "tokens": tokens, "grouped": grouped,
        "other_client": other_client_tokens["AuthenticationResult"],
        "other_pool": sign_in(client, other_pool, other_pool_web, "bob"), "other_pool_web": other_pool_web,
    }


@pytest.fixture
def authorizer(emulator, cognito, monkeypatch):
    """The authorizer's environment as the API role would set it, pointed at the emulator."""
    region = emulator.region
    monkeypatch.setenv("ISSUER", f"https://cognito-idp.{region}.amazonaws.com/{cognito['pool_id']}")
    monkeypatch.setenv("JWKS_URL", f"{emulator.url}/{cognito['pool_id']}/.well-known/jwks.json")
    monkeypatch.setenv("CLIENT_IDS", cognito["web"])
    monkeypatch.setenv("TOKEN_USE", "access,id")
    monkeypatch.setenv("AWS_CA_BUNDLE", str(emulator.ca_bundle))
    monkeypatch.delenv("POLICY_RESOURCE", raising=False)
    jwks.clear_cache()
    yield METHOD_ARN.format(region=region)
    jwks.clear_cache()


def call(method_arn, token):
    return handler.lambda_handler({"type": "TOKEN", "authorizationToken": f"Bearer {token}",
                                   "methodArn": method_arn}, None)


def refused(method_arn, token):
    with pytest.raises(Exception, match="^Unauthorized$"):
        call(method_arn, token)


def test_real_access_token_is_accepted(authorizer, cognito, emulator):
    access = cognito["tokens"]["AccessToken"]
    response = call(authorizer, access)
    sub = claims_of(access)["sub"]
    assert response["principalId"] == sub
    assert response["policyDocument"]["Statement"] == [{
        "Action": "execute-api:Invoke", "Effect": "Allow",
        "Resource": f"arn:aws:execute-api:{emulator.region}:123456789012:a1b2c3d4e5/local/*/*"}]
    assert response["context"]["username"] == "alice"
    assert response["context"]["client_id"] == cognito["web"]
    assert response["context"]["token_use"] == "access"


def test_real_id_token_is_accepted_when_allowed(authorizer, cognito, monkeypatch):
    response = call(authorizer, cognito["tokens"]["IdToken"])
    assert response["context"]["token_use"] == "id"
    assert response["context"]["username"] == "alice"
    monkeypatch.setenv("TOKEN_USE", "access")
    refused(authorizer, cognito["tokens"]["IdToken"])


def test_groups_reach_the_context(authorizer, cognito):
    grouped = cognito["grouped"]["AccessToken"]
    assert claims_of(grouped)["cognito:groups"] == ["admins"]
    assert call(authorizer, grouped)["context"]["groups"] == "admins"


def test_tampered_token_is_refused(authorizer, cognito):
    header, payload, signature = cognito["tokens"]["AccessToken"].split(".")
    claims = claims_of(cognito["tokens"]["AccessToken"])
    claims["username"] = "mallory"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    refused(authorizer, f"{header}.{forged}.{signature}")


def test_token_of_another_app_client_is_refused(authorizer, cognito):
    refused(authorizer, cognito["other_client"]["AccessToken"])
    refused(authorizer, cognito["other_client"]["IdToken"])


def test_token_of_another_pool_is_refused(authorizer, cognito, monkeypatch):
    # moto signs every pool's tokens with one key, and the client id is accepted here:
    # only the issuer check tells the pools apart
    monkeypatch.setenv("CLIENT_IDS", f"{cognito['web']},{cognito['other_pool_web']}")
    refused(authorizer, cognito["other_pool"]["AccessToken"])


def test_expired_token_is_refused(authorizer, cognito, monkeypatch):
    access = cognito["tokens"]["AccessToken"]
    exp = claims_of(access)["exp"]
    monkeypatch.setattr(handler, "clock", lambda: exp + 29)  # within the 30 s leeway
    call(authorizer, access)
    monkeypatch.setattr(handler, "clock", lambda: exp + 31)
    refused(authorizer, access)


def test_jwks_fetched_once_over_verified_tls(authorizer, cognito, monkeypatch):
    fetches = []
    real_fetch = jwks.fetch
    monkeypatch.setattr(jwks, "fetch", lambda *args: fetches.append(args) or real_fetch(*args))
    for _ in range(3):
        call(authorizer, cognito["tokens"]["AccessToken"])
    assert len(fetches) == 1
    jwks.clear_cache()
    monkeypatch.delenv("AWS_CA_BUNDLE")  # the emulator's self-signed certificate is not trusted then
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    refused(authorizer, cognito["tokens"]["AccessToken"])
