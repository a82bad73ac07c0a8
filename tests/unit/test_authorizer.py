"""The Lambda authorizer in-process, with the event shapes API Gateway sends.

An RSA key made here (with the cryptography package, which only the tests use)
signs the tokens; a small local HTTP server publishes its JWKS and counts fetches.
"""

import base64
import hashlib
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from lambdas.authorizer import claims as claims_module
from lambdas.authorizer import config as config_module
from lambdas.authorizer import handler, jwks, jwt_rs256

FUNCTION_DIR = Path(handler.__file__).resolve().parent

REGION = "eu-west-1"
POOL = "eu-west-1_TestPool1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
CLIENT = "client1234567890abcdef"
METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123defg/dev/GET/todos/42"
NOW = 1_800_000_000


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwk_of(key, kid):
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
            "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
            "e": b64url(numbers.e.to_bytes(3, "big"))}


@pytest.fixture(scope="module")
def keys():
    return {kid: rsa.generate_private_key(public_exponent=65537, key_size=2048) for kid in ("k1", "k2")}


def sign(key, claims, header=None):
    header = {"kid": "k1", "alg": "RS256"} if header is None else header
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def access_claims(**overrides):
    claims = {"iss": ISSUER, "sub": "8c1f-user-sub", "client_id": CLIENT, "token_use": "access",
              "scope": "aws.cognito.signin.user.admin", "username": "alice", "iat": NOW - 10,
              "auth_time": NOW - 10, "exp": NOW + 3590, "jti": "j1", "cognito:groups": ["admins", "users"]}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def id_claims(**overrides):
    claims = {"iss": ISSUER, "sub": "8c1f-user-sub", "aud": CLIENT, "token_use": "id",
              "cognito:username": "alice", "iat": NOW - 10, "auth_time": NOW - 10, "exp": NOW + 3590}
    claims.update(overrides)
    return claims


class JwksServer:
    def __init__(self):
        self.document = {"keys": []}
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.fetches += 1
                body = json.dumps(server.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{POOL}/.well-known/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def jwks_server():
    server = JwksServer()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


class Clock:
    def __init__(self, value):
        self.value = value

    def __call__(self):
        return self.value


@pytest.fixture
def env(monkeypatch, keys, jwks_server):
    """Authorizer environment with the JWKS holding k1; a fixed wall clock and monotonic clock."""
    jwks_server.document = {"keys": [jwk_of(keys["k1"], "k1")]}
    jwks_server.fetches = 0
    jwks.clear_cache()
    for name, value in {"ISSUER": ISSUER, "CLIENT_IDS": f"other-client, {CLIENT}", "JWKS_URL": jwks_server.url,
                        "TOKEN_USE": "access", "LEEWAY_SECONDS": "30"}.items():
        monkeypatch.setenv(name, value)
    for name in ("POLICY_RESOURCE", "JWKS_TTL_SECONDS", "JWKS_REFRESH_COOLDOWN_SECONDS", "AWS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(handler, "clock", Clock(NOW))
    mono = Clock(1000.0)
    monkeypatch.setattr(jwks, "monotonic", mono)
    yield mono
    jwks.clear_cache()


def token_event(token, method_arn=METHOD_ARN):
    return {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": method_arn}


def request_event(token, method_arn=METHOD_ARN):
    return {
        "type": "REQUEST", "methodArn": method_arn, "resource": "/todos/{id}", "path": "/todos/42",
        "httpMethod": "GET",
        "headers": {"authorization": token, "Host": "abc123defg.execute-api.eu-west-1.amazonaws.com"},
        "multiValueHeaders": {"authorization": [token]}, "queryStringParameters": None,
        "pathParameters": {"id": "42"}, "stageVariables": None,
        "requestContext": {"apiId": "abc123defg", "stage": "dev", "httpMethod": "GET", "resourcePath": "/todos/{id}"},
    }


def denied(event):
    with pytest.raises(Exception, match="^Unauthorized$") as info:
        handler.lambda_handler(event, None)
    return info


# --- accepted tokens and the response shape ---------------------------------------------

def test_valid_access_token_gives_allow_policy_for_the_stage_and_string_context(env, keys):
    response = handler.lambda_handler(token_event(sign(keys["k1"], access_claims())), None)
    assert response == {
        "principalId": "8c1f-user-sub",
        "policyDocument": {"Version": "2012-10-17", "Statement": [{
            "Action": "execute-api:Invoke", "Effect": "Allow",
            "Resource": "arn:aws:execute-api:eu-west-1:123456789012:abc123defg/dev/*/*"}]},
        "context": {"sub": "8c1f-user-sub", "username": "alice", "client_id": CLIENT, "token_use": "access",
                    "scope": "aws.cognito.signin.user.admin", "groups": "admins,users"},
    }
    assert all(isinstance(v, str) for v in response["context"].values())


def test_request_authorizer_reads_the_authorization_header(env, keys):
    response = handler.lambda_handler(request_event(sign(keys["k1"], access_claims())), None)
    assert response["principalId"] == "8c1f-user-sub"


def test_policy_resource_method_allows_only_the_method_arn(env, keys, monkeypatch):
    monkeypatch.setenv("POLICY_RESOURCE", "method")
    response = handler.lambda_handler(token_event(sign(keys["k1"], access_claims())), None)
    assert response["policyDocument"]["Statement"][0]["Resource"] == METHOD_ARN


def test_id_token_accepted_only_when_token_use_allows_it(env, keys, monkeypatch):
    event = token_event(sign(keys["k1"], id_claims()))
    denied(event)
    monkeypatch.setenv("TOKEN_USE", "access,id")
    response = handler.lambda_handler(event, None)
    assert response["context"] == {"sub": "8c1f-user-sub", "username": "alice", "client_id": CLIENT,
                                   "token_use": "id", "scope": "", "groups": ""}


def test_leeway_accepts_a_token_just_expired(env, keys):
    handler.lambda_handler(token_event(sign(keys["k1"], access_claims(exp=NOW - 20))), None)


# --- rejected tokens ---------------------------------------------------------------------

def tamper_payload(token):
    header, _, signature = token.split(".")
    return ".".join((header, b64url(json.dumps(access_claims(sub="mallory")).encode()), signature))


def tamper_signature(token):
    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[-1] ^= 0x01
    return ".".join((header, payload, b64url(bytes(raw))))


@pytest.mark.parametrize("make_token, reason", [
    (lambda k: tamper_payload(sign(k, access_claims())), "signature: does not verify"),
    (lambda k: tamper_signature(sign(k, access_claims())), "signature: does not verify"),
    (lambda k: sign(k, access_claims())[:-4], "signature"),  # shortened signature
    (lambda k: sign(k, access_claims(exp=NOW - 31)), "claim exp: token expired"),
    (lambda k: sign(k, access_claims(exp=None)), "claim exp: missing"),
    (lambda k: sign(k, access_claims(exp=True)), "claim exp: missing"),
    (lambda k: sign(k, access_claims(nbf=NOW + 120)), "claim nbf"),
    (lambda k: sign(k, access_claims(iat=NOW + 120)), "claim iat"),
    (lambda k: sign(k, access_claims(iss=ISSUER + "x")), "claim iss"),
    (lambda k: sign(k, access_claims(iss="https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other")),
     "claim iss"),
    (lambda k: sign(k, access_claims(client_id="someone-else")), "claim client_id"),
    (lambda k: sign(k, access_claims(client_id=None, aud=CLIENT)), "claim client_id"),
    (lambda k: sign(k, id_claims(aud="someone-else")), "claim token_use"),  # id tokens not allowed here
    (lambda k: sign(k, access_claims(token_use="refresh")), "claim token_use"),
    (lambda k: sign(k, access_claims(token_use=None)), "claim token_use"),
    (lambda k: sign(k, access_claims(sub="")), "claim sub"),
    (lambda k: sign(k, access_claims(), header={"kid": "k1", "alg": "RS512"}), "alg"),
    (lambda k: sign(k, access_claims(), header={"alg": "RS256"}), "no kid"),
    (lambda k: sign(k, access_claims(), header={"kid": "k1", "alg": "RS256", "crit": ["exp"]}), "crit"),
])
def test_bad_tokens_are_rejected_with_the_reason_logged(env, keys, caplog, make_token, reason):
    token = make_token(keys["k1"])
    with caplog.at_level("INFO", logger="authorizer"):
        denied(token_event(token))
    assert reason in caplog.text
    assert token.split(".")[1] not in caplog.text and token.split(".")[2] not in caplog.text


def test_wrong_audience_of_an_id_token_is_rejected(env, keys, monkeypatch, caplog):
    monkeypatch.setenv("TOKEN_USE", "id")
    with caplog.at_level("INFO", logger="authorizer"):
        denied(token_event(sign(keys["k1"], id_claims(aud="someone-else"))))
    assert "claim aud" in caplog.text
    handler.lambda_handler(token_event(sign(keys["k1"], id_claims(aud=["x", CLIENT]))), None)


def test_alg_none_is_rejected(env, keys):
    header = b64url(json.dumps({"kid": "k1", "alg": "none"}).encode())
    payload = b64url(json.dumps(access_claims()).encode())
    denied(token_event(f"{header}.{payload}."))


def test_hs256_signed_with_the_public_key_is_rejected(env, keys):
    """The classic key-confusion attack: HMAC keyed with the published RSA modulus."""
    header = b64url(json.dumps({"kid": "k1", "alg": "HS256"}).encode())
    payload = b64url(json.dumps(access_claims()).encode())
    mac = crypto_hmac.HMAC(jwk_of(keys["k1"], "k1")["n"].encode(), hashes.SHA256())
    mac.update(f"{header}.{payload}".encode())
    denied(token_event(f"{header}.{payload}.{b64url(mac.finalize())}"))


def test_token_signed_by_another_key_with_a_known_kid_is_rejected(env, keys):
    denied(token_event(sign(keys["k2"], access_claims(), header={"kid": "k1", "alg": "RS256"})))


@pytest.mark.parametrize("token", [
    "", "abc", "a.b", "a.b.c.d", "eyJhbGciOiJSUzI1NiJ9.%%%.abc", "e.e.e", "====.====.====",
    "Zm9v.Zm9v.Zm9v",  # base64url but not JSON
    b64url(b"[1]") + ".e30.AA",  # header is JSON but not an object
    "x" * 20000,
])
def test_malformed_tokens_are_rejected(env, token):
    denied(token_event(token))


def test_missing_token_and_bad_method_arn_are_rejected(env, keys):
    denied({"type": "TOKEN", "methodArn": METHOD_ARN})
    denied({"type": "REQUEST", "methodArn": METHOD_ARN, "headers": None})
    denied(token_event(sign(keys["k1"], access_claims()), method_arn="arn:aws:s3:::bucket"))
    denied(token_event(sign(keys["k1"], access_claims()), method_arn=None))


def test_bad_configuration_denies_everything(env, keys, monkeypatch, caplog):
    monkeypatch.setenv("TOKEN_USE", "refresh")
    with caplog.at_level("ERROR", logger="authorizer"):
        denied(token_event(sign(keys["k1"], access_claims())))
    assert "TOKEN_USE" in caplog.text


@pytest.mark.parametrize("variables, name", [
    ({"ISSUER": "http://example.com"}, "ISSUER"),
    ({"CLIENT_IDS": " , "}, "CLIENT_IDS"),
    ({"JWKS_URL": "file:///etc/passwd"}, "JWKS_URL"),
    ({"LEEWAY_SECONDS": "lots"}, "LEEWAY_SECONDS"),
    ({"LEEWAY_SECONDS": "3600"}, "LEEWAY_SECONDS"),
    ({"POLICY_RESOURCE": "everything"}, "POLICY_RESOURCE"),
])
def test_config_errors_name_the_variable(variables, name):
    base = {"ISSUER": ISSUER, "CLIENT_IDS": CLIENT}
    base.update(variables)
    with pytest.raises(config_module.ConfigError, match=f"^{name}:"):
        config_module.load(base)


def test_config_defaults():
    settings = config_module.load({"ISSUER": ISSUER + "/", "CLIENT_IDS": CLIENT})
    assert settings.jwks_url == f"{ISSUER}/.well-known/jwks.json"
    assert settings.token_uses == {"access"} and settings.leeway == 30 and settings.policy_resource == "stage"


# --- JWKS fetching and caching -----------------------------------------------------------

def test_jwks_is_fetched_once_and_reused_by_warm_invocations(env, keys, jwks_server):
    for _ in range(5):
        handler.lambda_handler(token_event(sign(keys["k1"], access_claims())), None)
    assert jwks_server.fetches == 1
    env.value += 3600  # TTL passed: refetched once
    for _ in range(2):
        handler.lambda_handler(token_event(sign(keys["k1"], access_claims())), None)
    assert jwks_server.fetches == 2


def test_unknown_kid_triggers_exactly_one_refresh(env, keys, jwks_server):
    handler.lambda_handler(token_event(sign(keys["k1"], access_claims())), None)
    assert jwks_server.fetches == 1
    env.value += 31  # past the refresh cooldown
    unknown = sign(keys["k2"], access_claims(), header={"kid": "k2", "alg": "RS256"})
    denied(token_event(unknown))
    assert jwks_server.fetches == 2
    denied(token_event(unknown))  # within the cooldown: no third fetch
    assert jwks_server.fetches == 2


def test_rotated_key_is_picked_up_by_the_refresh(env, keys, jwks_server):
    handler.lambda_handler(token_event(sign(keys["k1"], access_claims())), None)
    jwks_server.document = {"keys": [jwk_of(keys["k1"], "k1"), jwk_of(keys["k2"], "k2")]}
    env.value += 31
    rotated = sign(keys["k2"], access_claims(), header={"kid": "k2", "alg": "RS256"})
    assert handler.lambda_handler(token_event(rotated), None)["principalId"] == "8c1f-user-sub"
    assert jwks_server.fetches == 2


def test_failed_refresh_keeps_the_cached_keys(env, keys, jwks_server, monkeypatch):
    handler.lambda_handler(token_event(sign(keys["k1"], access_claims())), None)
    env.value += 3600
    monkeypatch.setattr(jwks, "fetch", lambda *a: (_ for _ in ()).throw(OSError("connection refused")))
    handler.lambda_handler(token_event(sign(keys["k1"], access_claims())), None)


def test_unreachable_jwks_denies(env, keys, monkeypatch):
    monkeypatch.setenv("JWKS_URL", "http://127.0.0.1:9/jwks.json")
    monkeypatch.setenv("JWKS_TIMEOUT_SECONDS", "0.5")
    denied(token_event(sign(keys["k1"], access_claims())))


def test_jwks_skips_keys_that_are_not_rs256_signing_keys(env, keys, jwks_server):
    good = jwk_of(keys["k1"], "k1")
    jwks_server.document = {"keys": [
        good, {**jwk_of(keys["k2"], "enc"), "use": "enc"}, {**jwk_of(keys["k2"], "ps"), "alg": "PS256"},
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"}, {**good, "kid": "bad", "n": "!!"}, "junk"]}
    fetched = jwks.fetch(jwks_server.url, 2, "")
    assert set(fetched) == {"k1"}


# --- the RS256 primitive -----------------------------------------------------------------

def test_emsa_encoding_layout():
    encoded = jwt_rs256.emsa_pkcs1_v1_5_sha256(b"abc", 256)
    digest = hashlib.sha256(b"abc").digest()
    assert len(encoded) == 256 and encoded[:2] == b"\x00\x01"
    assert encoded.endswith(b"\x00" + bytes.fromhex("3031300d060960864801650304020105000420") + digest)
    assert set(encoded[2:256 - 52]) == {0xFF}


def test_weak_keys_are_refused(keys):
    numbers = keys["k1"].public_key().public_numbers()
    with pytest.raises(jwt_rs256.TokenError):
        jwt_rs256.verify_rs256(b"x", b"\x00" * 128, 2**1023 + 1, 65537)
    with pytest.raises(jwt_rs256.TokenError):
        jwt_rs256.verify_rs256(b"x", b"\x00" * 256, numbers.n, 1)
    assert jwt_rs256.verify_rs256(b"x", (numbers.n + 1).to_bytes(257, "big")[1:], numbers.n, 65537) is False


def test_claims_validate_uses_the_given_time():
    settings = config_module.load({"ISSUER": ISSUER, "CLIENT_IDS": CLIENT, "LEEWAY_SECONDS": "0"})
    claims_module.validate(access_claims(), settings, NOW)
    with pytest.raises(jwt_rs256.TokenError, match="expired"):
        claims_module.validate(access_claims(), settings, NOW + 3590)


def test_handler_imports_as_lambda_loads_it(env, keys, jwks_server):
    """Lambda puts the zip's root on sys.path and imports handler as a top-level module."""
    token = sign(keys["k1"], access_claims(exp=4_000_000_000, iat=1_700_000_000))
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import handler; "
        "print(json.dumps(handler.lambda_handler(json.loads(sys.argv[2]), None)))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-B", "-c", code, str(FUNCTION_DIR), json.dumps(token_event(token))],
        capture_output=True, text=True, timeout=30, check=False,
        env={"ISSUER": ISSUER, "CLIENT_IDS": CLIENT, "JWKS_URL": jwks_server.url},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["principalId"] == "8c1f-user-sub"
