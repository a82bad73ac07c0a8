"""Kinesis shard calculator: shards computed from the expected throughput, not guessed.

Per-shard limits of a provisioned Kinesis data stream
(https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html):
writes 1 MB/s or 1,000 records/s, reads 2 MB/s shared by the stream's
(shared-throughput) consumers. With a headroom h (0.25 = 25 % spare):

    shards = max(ceil(in_mb * (1 + h) / 1),
                 ceil(records * (1 + h) / 1000),
                 ceil(in_mb * consumers * (1 + h) / 2)),  at least 1

The arithmetic is exact (fractions of the decimal values as written), so
0.8 MB/s with 25 % headroom is 1 shard, not 2 through a rounding error.
"""

import math
from fractions import Fraction

from ansible.errors import AnsibleFilterError

SHARD_IN_MB_PER_S = 1
SHARD_IN_RECORDS_PER_S = 1000
SHARD_OUT_MB_PER_S = 2
DEFAULT_HEADROOM = 0.25
MIN_RETENTION_HOURS = 24
MAX_RETENTION_HOURS = 8760
MODES = ("provisioned", "on_demand")
SHARD_LEVEL_METRICS = (
    "IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
    "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds", "ALL",
)
# Stream names: 1-128 of [a-zA-Z0-9_.-]; the suffix follows "<platform_prefix>-".
NAME_CHARACTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def _number(value):
    """An exact Fraction of a number (or of a numeric string given with -e); None if not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        return None


def _integer(value):
    number = _number(value)
    return int(number) if number is not None and number.denominator == 1 else None


def kinesis_shard_count(ingest_mb_per_s, records_per_s, consumers, headroom=DEFAULT_HEADROOM):
    """Shards a provisioned stream needs for this throughput (see the module docstring)."""
    in_mb, records, headroom_value = _number(ingest_mb_per_s), _number(records_per_s), _number(headroom)
    readers = _integer(consumers)
    errors = []
    if in_mb is None or in_mb < 0:
        errors.append(f"ingest_mb_per_s: must be a number >= 0, got {ingest_mb_per_s!r}")
    if records is None or records < 0:
        errors.append(f"records_per_s: must be a number >= 0, got {records_per_s!r}")
    if readers is None or readers < 1:
        errors.append(f"consumers: must be a whole number >= 1, got {consumers!r}")
    if headroom_value is None or headroom_value < 0:
        errors.append(f"headroom: must be a number >= 0 (0.25 = 25 % spare), got {headroom!r}")
    if errors:
        raise AnsibleFilterError("kinesis_shard_count: " + "; ".join(errors))
    factor = 1 + headroom_value
    return max(
        1,
        math.ceil(in_mb * factor / SHARD_IN_MB_PER_S),
        math.ceil(records * factor / SHARD_IN_RECORDS_PER_S),
        math.ceil(in_mb * readers * factor / SHARD_OUT_MB_PER_S),
    )


def kinesis_reshard_steps(current, target):
    """Shard counts UpdateShardCount goes through from current to target.

    Each call may at most double or halve the open shard count
    (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html),
    so 1 -> 4 is [2, 4] and 8 -> 3 is [4, 3]. Empty when nothing changes.
    """
    current, target = int(current), int(target)
    if current < 1 or target < 1:
        raise AnsibleFilterError(f"kinesis_reshard_steps: shard counts must be >= 1, got {current} -> {target}")
    steps = []
    while current != target:
        current = min(target, current * 2) if target > current else max(target, math.ceil(current / 2))
        steps.append(current)
    return steps


def kinesis_stream_errors(streams, variable="kinesis_streams", default_headroom=DEFAULT_HEADROOM):
    """Every rule the stream declarations break, as '<variable>: <rule>, got <value>' messages.

    Runs in pre-flight, before any AWS call.
    """
    if not isinstance(streams, list):
        return [f"{variable}: must be a list of stream declarations, got {streams!r}"]
    errors = []
    names = []
    for index, stream in enumerate(streams):
        if not isinstance(stream, dict):
            errors.append(f"{variable}[{index}]: must be a dict, got {stream!r}")
            continue
        name = stream.get("name")
        where = f"{variable}[{name if name else index}]"
        if not isinstance(name, str) or not name or not set(name) <= NAME_CHARACTERS or len(name) > 100:
            errors.append(f"{where}.name: 1-100 characters of letters, digits, '_', '.' and '-', got {name!r}")
        names.append(name)
        mode = stream.get("mode", "provisioned")
        if mode not in MODES:
            errors.append(f"{where}.mode: must be one of {', '.join(MODES)}, got {mode!r}")
        for key in ("ingest_mb_per_s", "records_per_s"):
            value = _number(stream.get(key, 0))
            if value is None or value < 0:
                errors.append(f"{where}.{key}: must be a number >= 0, got {stream.get(key)!r}")
        consumers = _integer(stream.get("consumers", 1))
        if consumers is None or consumers < 1:
            errors.append(f"{where}.consumers: must be a whole number >= 1, got {stream.get('consumers')!r}")
        headroom = _number(stream.get("headroom", default_headroom))
        if headroom is None or headroom < 0:
            errors.append(f"{where}.headroom: must be a number >= 0 (0.25 = 25 % spare), got {stream.get('headroom')!r}")
        retention = _integer(stream.get("retention_hours", MIN_RETENTION_HOURS))
        if retention is None or not MIN_RETENTION_HOURS <= retention <= MAX_RETENTION_HOURS:
            errors.append(
                f"{where}.retention_hours: AWS accepts {MIN_RETENTION_HOURS} to {MAX_RETENTION_HOURS} hours,"
                f" got {stream.get('retention_hours')!r}")
        metrics = stream.get("shard_level_metrics", [])
        if not isinstance(metrics, list) or not set(metrics) <= set(SHARD_LEVEL_METRICS):
            errors.append(
                f"{where}.shard_level_metrics: a list of {', '.join(SHARD_LEVEL_METRICS)}, got {metrics!r}")
        key = stream.get("encryption_key", "data")
        if not isinstance(key, str) or not key or not set(key) <= NAME_CHARACTERS:
            errors.append(f"{where}.encryption_key: a KMS key purpose (e.g. data) or 'none', got {key!r}")
    duplicates = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
    if duplicates:
        errors.append(f"{variable}: each stream name must appear once, got {', '.join(duplicates)} more than once")
    return errors


class FilterModule:
    def filters(self):
        return {
            "kinesis_shard_count": kinesis_shard_count,
            "kinesis_reshard_steps": kinesis_reshard_steps,
            "kinesis_stream_errors": kinesis_stream_errors,
        }
