"""Lambda proxy integration answers: status code, headers (CORS, JSON, no caching) and a JSON body."""

import json

ALLOW_HEADERS = "Authorization,Content-Type,X-Api-Key"
PREFLIGHT_MAX_AGE = "600"


def headers(settings_origin, extra=None):
    result = {
        "Content-Type": "application/json",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Access-Control-Allow-Origin": settings_origin,
    }
    if settings_origin != "*":
        result["Vary"] = "Origin"
    if extra:
        result.update(extra)
    return result


def answer(status, body, origin, extra_headers=None):
    """The proxy integration response; body None gives an empty body (204)."""
    return {
        "statusCode": status,
        "headers": headers(origin, extra_headers),
        "body": "" if body is None else json.dumps(body, separators=(",", ":")),
        "isBase64Encoded": False,
    }


def error(status, message, origin, extra_headers=None):
    return answer(status, {"message": message}, origin, extra_headers)


def preflight(methods, origin):
    """The answer to a CORS preflight (OPTIONS) when API Gateway passes it through."""
    return answer(204, None, origin, {
        "Access-Control-Allow-Methods": ",".join((*methods, "OPTIONS")),
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
    })
