"""The clickstream event schema, field-name conversion, timestamps and DynamoDB typing.

Standard library only. Everything here is pure (no AWS calls) and written for
speed: the handler runs it on up to 10,000 records per invocation.
"""

import math
import re
from datetime import datetime, timezone

# Field names producers may send, and the stored name. Other camelCase names
# are converted to snake_case by snake_case().
FIELD_ALIASES = {
    "eventId": "event_id",
    "id": "event_id",
    "eventType": "event_type",
    "type": "event_type",
    "userId": "user_id",
    "sessionId": "session_id",
    "ts": "timestamp",
    "time": "timestamp",
    "eventTime": "timestamp",
    "occurredAt": "timestamp",
}

# name: (accepted Python types, required, maximum length for strings)
EVENT_SCHEMA = {
    "event_id": ((str,), False, 128),
    "event_type": ((str,), True, 64),
    "user_id": ((str,), True, 128),
    "timestamp": ((str, int, float), True, 64),
    "session_id": ((str,), False, 128),
    "page": ((str,), False, 2048),
    "url": ((str,), False, 2048),
    "referrer": ((str,), False, 2048),
    "properties": ((dict,), False, None),
}
REQUIRED_FIELDS = tuple(name for name, (_, required, _) in EVENT_SCHEMA.items() if required)
EVENT_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_.:-]*$")
# Attribute names the handler sets itself: a producer may not send them.
RESERVED_FIELDS = frozenset(
    ("ingestion_time", "approximate_arrival_time", "shard_id", "sequence_number", "event_date",
     "event_hour", "ingest_lag_ms", "source_stream", "partition_key"))
# Limits of a DynamoDB item (numbers: 38 significant digits, 1E-130 to 9.9E125; 32 levels of nesting).
MAX_DEPTH = 32
MAX_NUMBER = 9.9e125
MIN_NUMBER = 1e-130
# Epoch values above this are milliseconds (1e11 s is the year 5138).
EPOCH_MS_THRESHOLD = 100_000_000_000
# Timestamps outside this range are rejected (2000-01-01 to 2100-01-01).
MIN_EPOCH = 946_684_800
MAX_EPOCH = 4_102_444_800


class SchemaError(ValueError):
    """The record is valid JSON but not a valid event."""


_snake_cache: dict[str, str] = {}
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake_case(name):
    """eventType -> event_type (aliases first); cached, since names repeat."""
    try:
        return _snake_cache[name]
    except KeyError:
        pass
    converted = FIELD_ALIASES.get(name) or _CAMEL.sub(r"_\1", name).lower().replace("-", "_")
    if len(_snake_cache) < 4096:
        _snake_cache[name] = converted
    return converted


def normalize_names(event):
    """Top-level field names in snake_case; a name given twice (eventId and event_id) is an error."""
    out = {}
    for key, value in event.items():
        name = snake_case(key)
        if name in out:
            raise SchemaError(f"field {name} given twice ({key})")
        out[name] = value
    return out


def epoch_of(value):
    """Epoch seconds (float) of an ISO 8601 string or an epoch number in seconds or milliseconds."""
    if isinstance(value, bool):
        raise SchemaError("timestamp: a boolean is not a time")
    if isinstance(value, (int, float)):
        seconds = value / 1000.0 if value > EPOCH_MS_THRESHOLD else float(value)
    else:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise SchemaError(f"timestamp: not ISO 8601 or epoch: {value[:64]!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        seconds = parsed.timestamp()
    if not MIN_EPOCH <= seconds < MAX_EPOCH:
        raise SchemaError(f"timestamp: out of range: {value!r}")
    return seconds


def iso_utc(seconds):
    """Epoch seconds -> '2024-05-01T12:00:00.123Z' (the one stored form)."""
    moment = datetime.fromtimestamp(seconds, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


_MISSING = object()
# (name, exact types accepted, required, maximum string length): exact types, so a
# boolean is never taken for a number.
_RULES = tuple(
    (name, frozenset(types) | ({int, float} if int in types else set()), required, max_length)
    for name, (types, required, max_length) in EVENT_SCHEMA.items()
)


def validate(event):
    """Raise SchemaError unless the (name-normalized) event matches EVENT_SCHEMA."""
    get = event.get
    for name, types, required, max_length in _RULES:
        value = get(name, _MISSING)
        if value is _MISSING:
            if required:
                raise SchemaError(f"{name}: required")
            continue
        kind = type(value)
        if kind not in types:
            raise SchemaError(f"{name}: expected {'/'.join(sorted(t.__name__ for t in types))}, got {kind.__name__}")
        if kind is str and max_length is not None and not 0 < len(value) <= max_length:
            raise SchemaError(f"{name}: length must be 1-{max_length}, got {len(value)}")
    if not RESERVED_FIELDS.isdisjoint(event):
        raise SchemaError(f"{', '.join(sorted(RESERVED_FIELDS.intersection(event)))}: reserved for the preprocessor")
    if not EVENT_TYPE_PATTERN.match(event["event_type"]):
        raise SchemaError(f"event_type: must match {EVENT_TYPE_PATTERN.pattern}")


_INT_LIMIT = 10 ** 38


def _number(value):
    if type(value) is int:
        if -_INT_LIMIT < value < _INT_LIMIT:
            return str(value)
        raise SchemaError("number has more than 38 digits")
    if not math.isfinite(value):
        raise SchemaError("numbers must be finite")
    if value and not MIN_NUMBER <= abs(value) <= MAX_NUMBER:
        raise SchemaError("number out of DynamoDB's range")
    return repr(value)


def attribute_value(value, depth=0):
    """A JSON value as a DynamoDB AttributeValue (low-level client form)."""
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is int or kind is float:
        return {"N": _number(value)}
    if kind is bool:
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if depth >= MAX_DEPTH:
        raise SchemaError(f"nested deeper than {MAX_DEPTH} levels")
    depth += 1
    if kind is dict:
        if "" in value:
            raise SchemaError("map keys must not be empty")
        return {"M": {k: attribute_value(v, depth) for k, v in value.items()}}
    if kind is list:
        return {"L": [attribute_value(v, depth) for v in value]}
    raise SchemaError(f"unsupported value type {kind.__name__}")


def item_of(event):
    """The event as a DynamoDB item (top-level attributes); strings, the common case, inline."""
    item = {}
    for name, value in event.items():
        item[name] = {"S": value} if type(value) is str else attribute_value(value)
    return item
