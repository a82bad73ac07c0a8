"""The user pool's JSON Web Key Set: fetched over HTTPS, cached in the module.

A cold start fetches the keys once; warm invocations reuse them for JWKS_TTL_SECONDS.
A token whose kid is not in the cache triggers one refetch, at most once per
JWKS_REFRESH_COOLDOWN_SECONDS (so a flood of made-up kids cannot hammer the endpoint).
When a refetch fails, keys already cached stay in use.
"""

import http.client
import json
import logging
import ssl
import time
import urllib.request

try:  # packaged: the zip's root holds the modules
    from .jwt_rs256 import TokenError, b64url_uint
except ImportError:  # pragma: no cover - how Lambda imports it
    from jwt_rs256 import TokenError, b64url_uint  # type: ignore[no-redef]

LOG = logging.getLogger("authorizer")
MAX_JWKS_BYTES = 65536

monotonic = time.monotonic  # replaced by tests
_cache = {"url": None, "keys": {}, "fetched_at": None}


def clear_cache():
    _cache.update(url=None, keys={}, fetched_at=None)


def _ssl_context(ca_bundle):
    return ssl.create_default_context(cafile=ca_bundle or None)


def fetch(url, timeout, ca_bundle):
    """{kid: (n, e)} of the RS256 signing keys published at url."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    context = _ssl_context(ca_bundle) if url.startswith("https://") else None
    with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310
        body = response.read(MAX_JWKS_BYTES + 1)
    if len(body) > MAX_JWKS_BYTES:
        raise ValueError("JWKS larger than 64 KiB")
    document = json.loads(body)
    keys = {}
    for jwk in document.get("keys", []) if isinstance(document, dict) else []:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not isinstance(jwk.get("kid"), str):
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
            continue
        try:
            keys[jwk["kid"]] = (b64url_uint(jwk.get("n"), "jwk n"), b64url_uint(jwk.get("e"), "jwk e"))
        except TokenError:
            LOG.warning("JWKS key %s skipped: malformed n or e", jwk["kid"][:64])
    return keys


def _refresh(settings):
    try:
        keys = fetch(settings.jwks_url, settings.jwks_timeout, settings.ca_bundle)
    except (OSError, ValueError, http.client.HTTPException) as err:  # URLError, ssl errors: OSError
        LOG.error("JWKS fetch from %s failed: %s", settings.jwks_url, err)
        _cache["fetched_at"] = monotonic()  # the cooldown also spaces out failing fetches
        if _cache["url"] != settings.jwks_url:
            _cache.update(url=settings.jwks_url, keys={})
        return
    _cache.update(url=settings.jwks_url, keys=keys, fetched_at=monotonic())
    LOG.info("JWKS fetched: %d signing key(s)", len(keys))


def get_key(kid, settings):
    """(n, e) of the key with this kid; TokenError when the pool does not publish it."""
    now = monotonic()
    stale = (
        _cache["url"] != settings.jwks_url
        or _cache["fetched_at"] is None
        or now - _cache["fetched_at"] >= settings.jwks_ttl
    )
    if stale:
        _refresh(settings)
    elif kid not in _cache["keys"] and now - _cache["fetched_at"] >= settings.refresh_cooldown:
        LOG.info("kid not in cached JWKS: refetching once")
        _refresh(settings)
    key = _cache["keys"].get(kid)
    if key is None:
        raise TokenError("header: kid is not in the pool's JWKS")
    return key
