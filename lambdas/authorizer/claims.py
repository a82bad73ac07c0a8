"""Checks of a Cognito token's claims (after its signature was verified).

See "Verifying a JSON Web Token" in the Amazon Cognito developer guide: iss is the
pool's issuer URL, token_use says access or id, an id token's aud and an access
token's client_id are the app client id, exp is in the future.
"""

try:  # packaged: the zip's root holds the modules
    from .jwt_rs256 import TokenError
except ImportError:  # pragma: no cover - how Lambda imports it
    from jwt_rs256 import TokenError  # type: ignore[no-redef]


def _time_claim(claims, name, required):
    value = claims.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TokenError(f"claim {name}: missing or not a number")
    return value


def validate(claims, settings, now):
    """Raise TokenError unless the claims fit the settings at time now (epoch seconds)."""
    if claims.get("iss") != settings.issuer:
        raise TokenError("claim iss: not the configured issuer")
    token_use = claims.get("token_use")
    if token_use not in settings.token_uses:
        raise TokenError(f"claim token_use: {str(token_use)[:20]!r} is not accepted")
    audience_claim = "client_id" if token_use == "access" else "aud"
    audience = claims.get(audience_claim)
    if isinstance(audience, list):  # RFC 7519 allows a list; Cognito writes a string
        audience_ok = any(isinstance(a, str) and a in settings.client_ids for a in audience)
    else:
        audience_ok = isinstance(audience, str) and audience in settings.client_ids
    if not audience_ok:
        raise TokenError(f"claim {audience_claim}: not an accepted app client")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise TokenError("claim sub: missing")
    leeway = settings.leeway
    if _time_claim(claims, "exp", True) <= now - leeway:
        raise TokenError("claim exp: token expired")
    nbf = _time_claim(claims, "nbf", False)
    if nbf is not None and nbf > now + leeway:
        raise TokenError("claim nbf: token not valid yet")
    iat = _time_claim(claims, "iat", False)
    if iat is not None and iat > now + leeway:
        raise TokenError("claim iat: issued in the future")
