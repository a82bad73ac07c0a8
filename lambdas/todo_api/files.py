"""Pre-signed S3 URLs for the caller's own folder of the user-files bucket.

The client uploads and downloads directly from S3; this function only signs. The
URL is signed with the function's credentials (SigV4), for one object key under
`<caller sub>/`, valid URL_EXPIRY_SECONDS (on AWS, never longer than the function's
temporary credentials). The bucket's default encryption (SSE-KMS) applies to
uploads, so no encryption header is signed or required.
"""

import re

from botocore.exceptions import ClientError

try:  # packaged: the zip's root holds the modules
    from . import s3keys
    from . import validation
    from .errors import ApiError, bad_request, not_found
except ImportError:  # pragma: no cover - how Lambda imports it
    import s3keys  # type: ignore[no-redef]
    import validation  # type: ignore[no-redef]
    from errors import ApiError, bad_request, not_found  # type: ignore[no-redef]

UPLOAD_FIELDS = ("key", "content_type")
# RFC 9110 media type: type "/" subtype, then optional parameters (token characters only).
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
CONTENT_TYPE_PATTERN = re.compile(rf"{_TOKEN}/{_TOKEN}(\s*;\s*{_TOKEN}=(?:{_TOKEN}|\"[^\"\\\x00-\x1f]*\"))*")
MAX_CONTENT_TYPE_CHARS = 255
NOT_FOUND_CODES = frozenset(("404", "NoSuchKey", "NotFound"))


def content_type(value):
    if not isinstance(value, str):
        raise bad_request("content_type: must be a string")
    if len(value) > MAX_CONTENT_TYPE_CHARS or not CONTENT_TYPE_PATTERN.fullmatch(value):
        raise bad_request(f"content_type: must be a media type such as image/jpeg, got {value[:60]!r}")
    return value


def upload_url(s3, bucket, sub, body, expiry):
    """The answer of POST /files/upload-url: a pre-signed PutObject URL."""
    validation.reject_unknown(body, UPLOAD_FIELDS)
    if "key" not in body:
        raise bad_request("key: required")
    key = s3keys.user_key(body["key"], sub)
    params = {"Bucket": bucket, "Key": key}
    headers = {}
    if body.get("content_type") is not None:
        params["ContentType"] = headers["Content-Type"] = content_type(body["content_type"])
    url = s3.generate_presigned_url("put_object", Params=params, ExpiresIn=expiry, HttpMethod="PUT")
    return {"url": url, "method": "PUT", "key": key, "expires_in": expiry, "headers": headers}


def download_url(s3, bucket, sub, relative, expiry):
    """The answer of GET /files/download-url: a pre-signed GetObject URL of an existing object."""
    if relative is None:
        raise bad_request("key: required")
    key = s3keys.user_key(relative, sub)
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as err:
        code = (err.response.get("Error") or {}).get("Code", "")
        if code in NOT_FOUND_CODES:
            raise not_found("file not found") from None
        if code in ("SlowDown", "503", "ServiceUnavailable"):
            raise ApiError(503, "the service is busy, try again") from err
        raise
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key},
                                    ExpiresIn=expiry, HttpMethod="GET")
    return {"url": url, "method": "GET", "key": key, "expires_in": expiry,
            "size": head.get("ContentLength"), "content_type": head.get("ContentType")}
