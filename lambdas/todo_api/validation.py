"""Validation of what a caller sends: the JSON body, the to-do fields, ids and query parameters.

Every rule that fails raises ApiError 400 with a message naming the field.
"""

import base64
import binascii
import datetime
import json

try:  # packaged: the zip's root holds the modules
    from . import ids
    from .errors import bad_request
except ImportError:  # pragma: no cover - how Lambda imports it
    import ids  # type: ignore[no-redef]
    from errors import bad_request  # type: ignore[no-redef]

MAX_BODY_BYTES = 16384
MAX_TITLE_CHARS = 200
MAX_NOTES_CHARS = 2000
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
TODO_FIELDS = ("title", "notes", "done", "due_date")
# Control characters (C0, DEL, C1); notes may also hold tab, newline and carriage return.
_CONTROL = frozenset(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)])
_NOTES_CONTROL = _CONTROL - {"\t", "\n", "\r"}


def _reject_constant(name):
    raise ValueError(f"{name} is not a JSON number")


_decode_json = json.JSONDecoder(parse_constant=_reject_constant).decode


def json_body(event):
    """The request body as a JSON object (dict); 400 when absent, too large, not JSON or not an object."""
    body = event.get("body")
    if body is None or body == "":
        raise bad_request("body: a JSON object is required")
    if not isinstance(body, str):
        raise bad_request("body: must be text")
    if len(body) > MAX_BODY_BYTES * 2:  # cheap bound before decoding
        raise bad_request(f"body: larger than {MAX_BODY_BYTES} bytes")
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise bad_request("body: not valid base64") from None
    else:
        raw = body.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_BODY_BYTES:
        raise bad_request(f"body: larger than {MAX_BODY_BYTES} bytes")
    try:
        value = _decode_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad_request("body: not valid JSON") from None
    if not isinstance(value, dict):
        raise bad_request(f"body: must be a JSON object, got {_json_type(value)}")
    return value


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def reject_unknown(body, allowed):
    unknown = sorted(str(name) for name in body if name not in allowed)
    if unknown:
        shown = ", ".join(repr(name[:40]) for name in unknown[:5])
        raise bad_request(f"body: unknown field(s) {shown}; allowed: {', '.join(allowed)}")


def _require_utf8(value, field):
    """JSON can carry lone surrogates (\\ud800) that no UTF-8 store accepts."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request(f"{field}: must be valid Unicode text") from None


def title(value):
    if not isinstance(value, str):
        raise bad_request(f"title: must be a string, got {_json_type(value)}")
    _require_utf8(value, "title")
    value = value.strip()
    if not value:
        raise bad_request("title: must not be empty")
    if len(value) > MAX_TITLE_CHARS:
        raise bad_request(f"title: at most {MAX_TITLE_CHARS} characters, got {len(value)}")
    if any(char in _CONTROL for char in value):
        raise bad_request("title: must not contain control characters")
    return value


def notes(value):
    if not isinstance(value, str):
        raise bad_request(f"notes: must be a string or null, got {_json_type(value)}")
    _require_utf8(value, "notes")
    if len(value) > MAX_NOTES_CHARS:
        raise bad_request(f"notes: at most {MAX_NOTES_CHARS} characters, got {len(value)}")
    if any(char in _NOTES_CONTROL for char in value):
        raise bad_request("notes: must not contain control characters other than tab and newlines")
    return value


def done(value):
    if not isinstance(value, bool):
        raise bad_request(f"done: must be true or false, got {_json_type(value)}")
    return value


def due_date(value, field="due_date"):
    """A real calendar date written YYYY-MM-DD."""
    if not isinstance(value, str):
        raise bad_request(f"{field}: must be a date string YYYY-MM-DD or null, got {_json_type(value)}")
    if len(value) != 10 or value[4] != "-" or value[7] != "-" or not value.replace("-", "").isascii() \
            or not value.replace("-", "").isdigit():
        raise bad_request(f"{field}: must be a date written YYYY-MM-DD, got {value[:40]!r}")
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        raise bad_request(f"{field}: {value!r} is not a real date") from None
    return value


def new_todo(body):
    """The fields of a to-do to create: title required, notes, done (default false), due_date optional."""
    reject_unknown(body, TODO_FIELDS)
    if "title" not in body:
        raise bad_request("title: required")
    fields = {"title": title(body["title"]), "done": done(body["done"]) if "done" in body else False}
    if body.get("notes") is not None:
        fields["notes"] = notes(body["notes"])
    if body.get("due_date") is not None:
        fields["due_date"] = due_date(body["due_date"])
    return fields


def todo_changes(body):
    """(fields to set, fields to remove) of an update; notes and due_date set to null are removed."""
    reject_unknown(body, TODO_FIELDS)
    if not body:
        raise bad_request(f"body: name at least one field to change: {', '.join(TODO_FIELDS)}")
    to_set, to_remove = {}, []
    if "title" in body:
        to_set["title"] = title(body["title"])
    if "done" in body:
        to_set["done"] = done(body["done"])
    for name, check in (("notes", notes), ("due_date", due_date)):
        if name not in body:
            continue
        if body[name] is None:
            to_remove.append(name)
        else:
            to_set[name] = check(body[name])
    return to_set, to_remove


def todo_id(event):
    """The {id} path parameter; 400 unless it has the server's id format."""
    value = (event.get("pathParameters") or {}).get("id")
    if not ids.is_id(value):
        raise bad_request("id: not a to-do id (26 characters: a ULID made by this service)")
    return value


def query_params(event, allowed):
    """The query string parameters, each given at most once, none unknown."""
    params = event.get("queryStringParameters") or {}
    multi = event.get("multiValueQueryStringParameters") or {}
    unknown = sorted(name for name in params if name not in allowed)
    if unknown:
        raise bad_request(f"query parameter {unknown[0][:40]!r}: unknown; allowed: {', '.join(allowed)}")
    for name, values in multi.items():
        if isinstance(values, list) and len(values) > 1:
            raise bad_request(f"query parameter {name[:40]!r}: given more than once")
    return params


def limit(value):
    if value is None:
        return DEFAULT_LIMIT
    if not (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 3):
        raise bad_request(f"limit: must be an integer from 1 to {MAX_LIMIT}, got {str(value)[:20]!r}")
    number = int(value)
    if not 1 <= number <= MAX_LIMIT:
        raise bad_request(f"limit: must be an integer from 1 to {MAX_LIMIT}, got {value!r}")
    return number


def flag(value, field):
    if value is None:
        return False
    if value in ("true", "false"):
        return value == "true"
    raise bad_request(f"{field}: must be true or false, got {str(value)[:20]!r}")
