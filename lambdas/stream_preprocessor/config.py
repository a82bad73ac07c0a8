"""Settings of the stream preprocessor, read from environment variables.

| Variable | Default | Meaning |
|---|---|---|
| TABLE_NAME | (required) | DynamoDB sink table (partition key event_id, type S) |
| DLQ_URL | (required) | SQS queue URL of the dead-letter queue for bad records |
| MAX_RECORD_BYTES | 262144 | decoded records larger than this are dead-lettered as oversize |
| FILTER_RULES | [] | JSON list of drop rules, see parse_filter_rules |
| SINK_MAX_ATTEMPTS | 6 | BatchWriteItem / SendMessageBatch attempts for unprocessed items |
| SINK_BASE_DELAY_MS | 50 | first backoff delay (exponential, full jitter) |
| SINK_MAX_DELAY_MS | 2000 | backoff delay cap |
| DLQ_PAYLOAD_MAX_BYTES | 196608 | base64 payload kept in a DLQ message (SQS messages are at most 256 KiB) |
| TIME_MARGIN_MS | 2000 | stop retrying when the invocation has less time left than this |
"""

import json
import os
from dataclasses import dataclass

FILTER_OPERATORS = ("equals", "in", "prefix", "missing")


class ConfigError(ValueError):
    """An environment variable has a value the function cannot work with."""


@dataclass(frozen=True)
class FilterRule:
    field: str
    operator: str
    value: object

    def matches(self, event):
        if self.operator == "missing":
            return (self.field not in event) is bool(self.value)
        if self.field not in event:
            return False
        actual = event[self.field]
        if self.operator == "equals":
            return actual == self.value
        if self.operator == "in":
            return actual in self.value
        return isinstance(actual, str) and actual.startswith(self.value)


def parse_filter_rules(text):
    """FILTER_RULES: a JSON list of {"field": name, <operator>: value}; a record matching any rule is dropped.

    Operators: equals (any JSON value), in (list), prefix (string), missing (true/false).
    Field names are the stored (snake_case) names.
    """
    try:
        raw = json.loads(text or "[]")
    except ValueError as e:
        raise ConfigError(f"FILTER_RULES: not JSON: {e}") from None
    if not isinstance(raw, list):
        raise ConfigError("FILTER_RULES: must be a JSON list")
    rules = []
    for index, rule in enumerate(raw):
        if not isinstance(rule, dict) or not isinstance(rule.get("field"), str):
            raise ConfigError(f"FILTER_RULES[{index}]: needs a string 'field'")
        operators = [op for op in FILTER_OPERATORS if op in rule]
        if len(operators) != 1 or len(rule) != 2:
            raise ConfigError(f"FILTER_RULES[{index}]: needs exactly one of {', '.join(FILTER_OPERATORS)}")
        operator = operators[0]
        value = rule[operator]
        if operator == "in":
            if not isinstance(value, list):
                raise ConfigError(f"FILTER_RULES[{index}]: 'in' takes a list")
            hashable = all(isinstance(v, (str, int, float, bool)) or v is None for v in value)
            value = frozenset(value) if hashable else tuple(value)
        elif operator == "prefix" and not isinstance(value, str):
            raise ConfigError(f"FILTER_RULES[{index}]: 'prefix' takes a string")
        elif operator == "missing" and not isinstance(value, bool):
            raise ConfigError(f"FILTER_RULES[{index}]: 'missing' takes true or false")
        rules.append(FilterRule(rule["field"], operator, value))
    return tuple(rules)


def _int(environ, name, default, minimum):
    text = environ.get(name, "")
    try:
        value = int(text) if text else default
    except ValueError:
        raise ConfigError(f"{name}: not an integer: {text!r}") from None
    if value < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {value}")
    return value


@dataclass(frozen=True)
class Config:
    table_name: str
    dlq_url: str
    max_record_bytes: int = 262144
    filter_rules: tuple = ()
    sink_max_attempts: int = 6
    sink_base_delay_ms: int = 50
    sink_max_delay_ms: int = 2000
    dlq_payload_max_bytes: int = 196608
    time_margin_ms: int = 2000

    @classmethod
    def from_environ(cls, environ=None):
        environ = os.environ if environ is None else environ
        missing = [name for name in ("TABLE_NAME", "DLQ_URL") if not environ.get(name)]
        if missing:
            raise ConfigError(f"{', '.join(missing)}: required")
        return cls(
            table_name=environ["TABLE_NAME"],
            dlq_url=environ["DLQ_URL"],
            max_record_bytes=_int(environ, "MAX_RECORD_BYTES", 262144, 1),
            filter_rules=parse_filter_rules(environ.get("FILTER_RULES", "")),
            sink_max_attempts=_int(environ, "SINK_MAX_ATTEMPTS", 6, 1),
            sink_base_delay_ms=_int(environ, "SINK_BASE_DELAY_MS", 50, 0),
            sink_max_delay_ms=_int(environ, "SINK_MAX_DELAY_MS", 2000, 0),
            dlq_payload_max_bytes=_int(environ, "DLQ_PAYLOAD_MAX_BYTES", 196608, 1024),
            time_margin_ms=_int(environ, "TIME_MARGIN_MS", 2000, 0),
        )
