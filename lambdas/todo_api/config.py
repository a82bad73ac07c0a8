"""Settings of the to-do service, read from environment variables.

| Variable | Default | Meaning |
|---|---|---|
| TABLE_NAME | (required) | the dynamodb role's todos table (partition key user_id, sort key todo_id, GSI by-due-date) |
| BUCKET_NAME | (required) | the user-files bucket; every object key is `<caller sub>/<relative key>` |
| URL_EXPIRY_SECONDS | 300 | lifetime of the pre-signed upload and download URLs (1 to 3600) |
| CORS_ALLOW_ORIGIN | * | the Access-Control-Allow-Origin header of every response |
| DAX_ENDPOINT | (empty) | DAX cluster endpoint (dax:// or daxs://): DynamoDB calls go through it; empty: DynamoDB |
| AWS_REGION | (set by Lambda) | region of the DynamoDB, DAX and S3 clients |
"""

import os
from dataclasses import dataclass

MAX_URL_EXPIRY = 3600


class ConfigError(ValueError):
    """An environment variable has a value the function cannot work with."""


@dataclass(frozen=True)
class Settings:
    table_name: str
    bucket_name: str
    url_expiry: int = 300
    cors_allow_origin: str = "*"
    dax_endpoint: str = ""
    region: str = ""


def _int(env, name, default, low, high):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}: must be between {low} and {high}, got {raw!r}")
    return value


def load(env=None):
    """Settings from env (os.environ by default); ConfigError names the bad variable."""
    env = os.environ if env is None else env
    missing = [name for name in ("TABLE_NAME", "BUCKET_NAME") if not env.get(name, "").strip()]
    if missing:
        raise ConfigError(f"{', '.join(missing)}: required")
    dax_endpoint = env.get("DAX_ENDPOINT", "").strip()
    if dax_endpoint and not dax_endpoint.startswith(("dax://", "daxs://")):
        raise ConfigError(f"DAX_ENDPOINT: must be a dax:// or daxs:// URL, got {dax_endpoint!r}")
    origin = env.get("CORS_ALLOW_ORIGIN", "").strip() or "*"
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in origin):
        raise ConfigError("CORS_ALLOW_ORIGIN: must not contain control characters")
    return Settings(
        table_name=env["TABLE_NAME"].strip(),
        bucket_name=env["BUCKET_NAME"].strip(),
        url_expiry=_int(env, "URL_EXPIRY_SECONDS", 300, 1, MAX_URL_EXPIRY),
        cors_allow_origin=origin,
        dax_endpoint=dax_endpoint,
        region=(env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "").strip(),
    )
