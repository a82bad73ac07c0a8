"""Settings of the Lambda authorizer, read from environment variables.

| Variable | Default | Meaning |
|---|---|---|
| ISSUER | (required) | expected `iss`: https://cognito-idp.<region>.amazonaws.com/<user pool id> |
| CLIENT_IDS | (required) | comma-separated app client ids accepted (`client_id` of access tokens, `aud` of id tokens) |
| JWKS_URL | ISSUER + /.well-known/jwks.json | where the pool's public keys are fetched |
| TOKEN_USE | access | comma-separated token uses accepted: access, id |
| LEEWAY_SECONDS | 30 | clock skew allowed on exp, nbf and iat (0 to 300) |
| JWKS_TTL_SECONDS | 3600 | how long fetched keys are reused by warm invocations |
| JWKS_REFRESH_COOLDOWN_SECONDS | 30 | an unknown kid refetches the keys at most once in this time |
| JWKS_TIMEOUT_SECONDS | 3 | timeout of the JWKS request |
| POLICY_RESOURCE | stage | `stage`: allow every method of the stage (cache-friendly); `method`: only the methodArn |

TLS to JWKS_URL is verified with the system CA store, or with AWS_CA_BUNDLE when it is set.
"""

import os
from dataclasses import dataclass

TOKEN_USES = ("access", "id")
POLICY_RESOURCES = ("stage", "method")


class ConfigError(ValueError):
    """An environment variable has a value the function cannot work with."""


@dataclass(frozen=True)
class Settings:
    issuer: str
    client_ids: frozenset
    jwks_url: str
    token_uses: frozenset
    leeway: int
    jwks_ttl: float
    refresh_cooldown: float
    jwks_timeout: float
    policy_resource: str
    ca_bundle: str


def _number(env, name, default, low, high, kind=int):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}: must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}: must be between {low} and {high}, got {raw!r}")
    return value


def _csv(raw):
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def load(env=None):
    """Settings from env (os.environ by default); ConfigError names the bad variable."""
    env = os.environ if env is None else env
    issuer = env.get("ISSUER", "").strip().rstrip("/")
    if not issuer.startswith("https://"):
        raise ConfigError(f"ISSUER: must be an https:// URL, got {issuer!r}")
    client_ids = _csv(env.get("CLIENT_IDS", ""))
    if not client_ids:
        raise ConfigError("CLIENT_IDS: must name at least one app client id, got ''")
    jwks_url = env.get("JWKS_URL", "").strip() or f"{issuer}/.well-known/jwks.json"
    if not jwks_url.startswith(("https://", "http://")):
        raise ConfigError(f"JWKS_URL: must be an http(s) URL, got {jwks_url!r}")
    token_uses = _csv(env.get("TOKEN_USE", "") or "access")
    if not token_uses or not token_uses <= set(TOKEN_USES):
        raise ConfigError(f"TOKEN_USE: must be a comma-separated subset of {', '.join(TOKEN_USES)}, "
                          f"got {env.get('TOKEN_USE')!r}")
    policy_resource = env.get("POLICY_RESOURCE", "").strip() or "stage"
    if policy_resource not in POLICY_RESOURCES:
        raise ConfigError(f"POLICY_RESOURCE: must be one of {', '.join(POLICY_RESOURCES)}, "
                          f"got {policy_resource!r}")
    return Settings(
        issuer=issuer,
        client_ids=client_ids,
        jwks_url=jwks_url,
        token_uses=token_uses,
        leeway=_number(env, "LEEWAY_SECONDS", 30, 0, 300),
        jwks_ttl=_number(env, "JWKS_TTL_SECONDS", 3600.0, 0, 86400, float),
        refresh_cooldown=_number(env, "JWKS_REFRESH_COOLDOWN_SECONDS", 30.0, 0, 3600, float),
        jwks_timeout=_number(env, "JWKS_TIMEOUT_SECONDS", 3.0, 0.1, 30, float),
        policy_resource=policy_resource,
        ca_bundle=env.get("AWS_CA_BUNDLE", "").strip(),
    )
