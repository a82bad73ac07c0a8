"""JWT (JWS compact form) parsing and RS256 signature verification in pure Python.

RS256 is RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 section 3.3, RFC 8017 section 8.2.2):
the signature s, as an integer, gives m = s^e mod n; m written on k bytes
(k = the modulus length) must equal the EMSA-PKCS1-v1_5 encoding of the SHA-256
digest of "<header>.<payload>". The comparison runs in constant time.
"""

import base64
import binascii
import hashlib
import hmac
import json
import re

MAX_TOKEN_CHARS = 16384
MIN_MODULUS_BITS = 2048
# DER DigestInfo prefix for SHA-256 (RFC 8017 section 9.2, note 1)
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class TokenError(Exception):
    """The token is not acceptable; the message says why (it never contains the token)."""


def b64url_decode(segment, what):
    """Strict base64url (no padding, URL-safe alphabet) to bytes."""
    if not isinstance(segment, str) or not _B64URL.fullmatch(segment) or len(segment) % 4 == 1:
        raise TokenError(f"{what}: not base64url")
    try:
        return base64.b64decode(segment + "=" * (-len(segment) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise TokenError(f"{what}: not base64url") from None


def b64url_uint(segment, what):
    """A JWK integer member (n, e): base64url big-endian unsigned integer."""
    raw = b64url_decode(segment, what)
    if not raw:
        raise TokenError(f"{what}: empty")
    return int.from_bytes(raw, "big")


def _json_object(raw, what):
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise TokenError(f"{what}: not JSON") from None
    if not isinstance(value, dict):
        raise TokenError(f"{what}: not a JSON object")
    return value


class Jwt:
    """A parsed, not yet verified token."""

    __slots__ = ("header", "claims", "signing_input", "signature")

    def __init__(self, header, claims, signing_input, signature):
        self.header = header
        self.claims = claims
        self.signing_input = signing_input
        self.signature = signature

    @property
    def kid(self):
        return self.header.get("kid")


def parse(token):
    """Split and decode a compact JWS; checks the header (alg RS256, a kid, no crit)."""
    if not isinstance(token, str) or not token:
        raise TokenError("token: missing")
    if len(token) > MAX_TOKEN_CHARS:
        raise TokenError("token: too long")
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError(f"token: {len(parts)} parts, a JWS has 3")
    header = _json_object(b64url_decode(parts[0], "header"), "header")
    if header.get("alg") != "RS256":
        raise TokenError(f"header: alg {str(header.get('alg'))[:20]!r} is not RS256")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise TokenError("header: no kid")
    if "crit" in header:
        raise TokenError("header: crit extensions are not supported")
    claims = _json_object(b64url_decode(parts[1], "payload"), "payload")
    signature = b64url_decode(parts[2], "signature")
    return Jwt(header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def emsa_pkcs1_v1_5_sha256(message, k):
    """EMSA-PKCS1-v1_5 encoding of SHA-256(message) on k bytes (RFC 8017 section 9.2)."""
    t = SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    if k < len(t) + 11:
        raise TokenError("key: modulus too short")
    return b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t


def verify_rs256(signing_input, signature, n, e):
    """True when signature is a valid RS256 signature of signing_input under (n, e)."""
    if n.bit_length() < MIN_MODULUS_BITS or e < 3 or e % 2 == 0:
        raise TokenError("key: RSA key too weak or malformed")
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    m = pow(s, e, n).to_bytes(k, "big")
    return hmac.compare_digest(m, emsa_pkcs1_v1_5_sha256(signing_input, k))
