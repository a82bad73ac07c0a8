"""API Gateway (REST) Lambda authorizer for Amazon Cognito user pool tokens.

Works as a TOKEN authorizer (event["authorizationToken"]) or a REQUEST authorizer
(the Authorization header). The token, with or without a "Bearer " prefix, must be
a JWT of the configured user pool:

1. signature: RS256 verified in pure Python against the pool's JWKS, key chosen by
   kid (jwks.py caches the keys; an unknown kid refetches them once); any other alg
   is refused;
2. claims: iss, token_use, client_id (access token) or aud (id token), exp, nbf and
   iat with a small leeway (claims.py).

Accepted: an IAM policy allowing execute-api:Invoke on every method of the stage
(POLICY_RESOURCE=stage, so API Gateway's authorizer cache serves all of the user's
routes) or only on the methodArn, principalId = sub, and a context with sub,
username, client_id, token_use, scope and groups (strings: API Gateway context
values must be strings, numbers or booleans). Refused: raise Exception("Unauthorized"),
which API Gateway answers with 401; the reason is logged, never the token.
Settings: config.py. Standard library only (boto3 is not even needed).
"""

import logging
import time

try:  # packaged: the zip's root holds the modules
    from . import claims as claims_module
    from . import config as config_module
    from . import jwks
    from .jwt_rs256 import TokenError, parse, verify_rs256
except ImportError:  # pragma: no cover - how Lambda imports it
    import claims as claims_module  # type: ignore[no-redef]
    import config as config_module  # type: ignore[no-redef]
    import jwks  # type: ignore[no-redef]
    from jwt_rs256 import TokenError, parse, verify_rs256  # type: ignore[no-redef]

LOG = logging.getLogger("authorizer")
LOG.setLevel(logging.INFO)

clock = time.time  # replaced by tests


def _token_from(event):
    if event.get("type") == "REQUEST" or "authorizationToken" not in event:
        headers = event.get("headers") or {}
        raw = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    else:
        raw = event.get("authorizationToken")
    if not isinstance(raw, str) or not raw.strip():
        raise TokenError("no Authorization token in the request")
    raw = raw.strip()
    if raw[:7].lower() == "bearer ":
        raw = raw[7:].strip()
    return raw


def resource_arn(method_arn, scope):
    """The policy's resource: the methodArn, or arn:...:<api-id>/<stage>/*/* for the whole stage."""
    if not isinstance(method_arn, str) or not method_arn.startswith("arn:"):
        raise TokenError("event: no methodArn")
    parts = method_arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "execute-api":
        raise TokenError("event: methodArn is not an execute-api ARN")
    if scope == "method":
        return method_arn
    path = parts[5].split("/")
    if len(path) < 2 or not path[0] or not path[1]:
        raise TokenError("event: methodArn has no api id and stage")
    return ":".join(parts[:5]) + f":{path[0]}/{path[1]}/*/*"


def _as_string(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return str(value)


def authorize(event, settings):
    """The authorizer response for a valid token; TokenError otherwise."""
    resource = resource_arn(event.get("methodArn"), settings.policy_resource)
    token = parse(_token_from(event))
    n, e = jwks.get_key(token.kid, settings)
    if not verify_rs256(token.signing_input, token.signature, n, e):
        raise TokenError("signature: does not verify")
    claims = token.claims
    claims_module.validate(claims, settings, clock())
    token_use = claims["token_use"]
    context = {
        "sub": claims["sub"],
        "username": _as_string(claims.get("username") or claims.get("cognito:username")),
        "client_id": _as_string(claims.get("client_id") if token_use == "access" else claims.get("aud")),
        "token_use": token_use,
        "scope": _as_string(claims.get("scope")),
        "groups": _as_string(claims.get("cognito:groups")),
    }
    return {
        "principalId": claims["sub"],
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resource}],
        },
        "context": context,
    }


def lambda_handler(event, context):
    try:
        settings = config_module.load()
    except config_module.ConfigError as err:
        LOG.error("configuration error, refusing every request: %s", err)
        raise Exception("Unauthorized") from None  # API Gateway answers this exact message with 401
    try:
        response = authorize(event if isinstance(event, dict) else {}, settings)
    except TokenError as err:
        LOG.info("denied: %s", err)
        raise Exception("Unauthorized") from None  # API Gateway answers this exact message with 401
    LOG.info("allowed: sub=%s token_use=%s", response["principalId"], response["context"]["token_use"])
    return response
