"""Opaque page tokens: url-safe base64 (no padding) of the Query's LastEvaluatedKey as compact JSON.

The token holds the caller's user_id, the todo_id and, for a list by due date, the
due_date: the key DynamoDB needs as ExclusiveStartKey. Decoding checks everything,
so a token that was tampered with, belongs to another user or to the other
listing is a 400, never a Query that starts somewhere unexpected.
"""

import base64
import binascii
import json

try:  # packaged: the zip's root holds the modules
    from . import ids
    from . import validation
    from .errors import bad_request
except ImportError:  # pragma: no cover - how Lambda imports it
    import ids  # type: ignore[no-redef]
    import validation  # type: ignore[no-redef]
    from errors import bad_request  # type: ignore[no-redef]

MAX_TOKEN_CHARS = 512


def encode(last_evaluated_key):
    """The token of a LastEvaluatedKey (DynamoDB's typed form: {"user_id": {"S": ...}, ...})."""
    plain = {"u": last_evaluated_key["user_id"]["S"], "t": last_evaluated_key["todo_id"]["S"]}
    if "due_date" in last_evaluated_key:
        plain["d"] = last_evaluated_key["due_date"]["S"]
    raw = json.dumps(plain, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(token, user_id, by_due_date):
    """The ExclusiveStartKey of a token, checked against the caller and the listing; 400 otherwise."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise bad_request("next: not a page token of this service")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        plain = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise bad_request("next: not a page token of this service") from None
    expected = {"u", "t", "d"} if by_due_date else {"u", "t"}
    if not isinstance(plain, dict) or set(plain) != expected or not all(isinstance(v, str) for v in plain.values()):
        raise bad_request("next: not a page token of this listing")
    if plain["u"] != user_id:
        raise bad_request("next: the page token belongs to another user")
    if not ids.is_id(plain["t"]):
        raise bad_request("next: not a page token of this service")
    key = {"user_id": {"S": plain["u"]}, "todo_id": {"S": plain["t"]}}
    if by_due_date:
        validation.due_date(plain["d"], field="next")
        key["due_date"] = {"S": plain["d"]}
    return key
