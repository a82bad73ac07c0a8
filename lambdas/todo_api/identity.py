"""The caller, from what the API Gateway authorizer put in requestContext.authorizer.

Two shapes are accepted, and nothing else (never a user id from the body, query
string, path or headers):

- our Lambda authorizer (lambdas/authorizer): principalId and flat string context
  keys sub, username, client_id, token_use, scope and groups;
- a Cognito user pool authorizer: the token's claims under `claims`
  (sub, cognito:username, cognito:groups, scope, token_use, ...).
"""

import re
from dataclasses import dataclass

try:  # packaged: the zip's root holds the modules
    from .errors import ApiError
except ImportError:  # pragma: no cover - how Lambda imports it
    from errors import ApiError  # type: ignore[no-redef]

# A Cognito sub is a UUID; anything used as a key prefix must at least be plain ASCII.
SUB_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,128}")


@dataclass(frozen=True)
class Caller:
    sub: str
    username: str = ""
    groups: tuple = ()
    scopes: tuple = ()


def _text(value):
    return value if isinstance(value, str) else ""


def _list(value):
    """A list claim as API Gateway hands it over: a list, "a,b", "a b" or "[a, b]"."""
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if str(v))
    text = _text(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return tuple(part for part in text.replace(",", " ").split() if part)


def _valid_sub(sub):
    return isinstance(sub, str) and SUB_PATTERN.fullmatch(sub) is not None


def caller_from(event):
    """The Caller of a proxy event; ApiError 401 when the authorizer gave no usable sub."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    authorizer = context.get("authorizer") if isinstance(context, dict) else None
    if not isinstance(authorizer, dict):
        raise ApiError(401, "unauthorized")
    claims = authorizer.get("claims")
    if isinstance(claims, dict):  # Cognito user pool authorizer
        sub = claims.get("sub")
        username = _text(claims.get("cognito:username") or claims.get("username"))
        groups = _list(claims.get("cognito:groups"))
        scopes = _list(claims.get("scope"))
    else:  # Lambda authorizer: its context keys, flattened by API Gateway
        sub = authorizer.get("sub")
        principal = authorizer.get("principalId")
        if sub and principal and principal != sub:
            raise ApiError(401, "unauthorized")
        username = _text(authorizer.get("username"))
        groups = _list(authorizer.get("groups"))
        scopes = _list(authorizer.get("scope"))
    if not _valid_sub(sub):
        raise ApiError(401, "unauthorized")
    return Caller(sub=sub, username=username, groups=groups, scopes=scopes)
