"""Kinesis stream preprocessor: decode, validate, filter, convert, enrich, sink.

Lambda calls lambda_handler with a batch of Kinesis records from one shard:

1. decode each record (base64, then JSON): a record that does not decode, is not
   a valid event (schema.py) or is larger than MAX_RECORD_BYTES goes to the SQS
   dead-letter queue with its original payload, the reason, the shard id and the
   sequence number; it never blocks the batch;
2. drop what FILTER_RULES say to drop;
3. convert: snake_case field names, the timestamp in one form (ISO 8601 UTC, ms);
4. enrich: ingestion time, approximate arrival time, shard, sequence number,
   source stream, event date and hour, ingestion lag;
5. write to the sink table with BatchWriteItem (25 items a call), retrying
   UnprocessedItems with exponential backoff and full jitter.

The item key is the event id, else "<shard id>:<sequence number>", so a replayed
batch overwrites the same items and never duplicates them. Records the sink (or the
dead-letter queue) could not take after the retries are reported in
batchItemFailures, so Lambda retries from them and nothing else is lost
(the event source mapping sets FunctionResponseTypes=[ReportBatchItemFailures]).

Standard library and boto3 only (boto3 ships with the Lambda Python runtime).
"""

import binascii
import gc
import hashlib
import json
import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from botocore.exceptions import BotoCoreError, ClientError

try:  # packaged: the zip's root holds handler.py, config.py and schema.py
    from . import config as config_module
    from . import schema
except ImportError:  # pragma: no cover - how Lambda imports it
    import config as config_module  # type: ignore[no-redef]
    import schema  # type: ignore[no-redef]

LOG = logging.getLogger("stream_preprocessor")
LOG.setLevel(logging.INFO)

BATCH_WRITE_LIMIT = 25  # items per BatchWriteItem call (DynamoDB's limit)
SQS_BATCH_LIMIT = 10  # entries per SendMessageBatch call
SQS_BATCH_BYTES = 262_144  # total size of a SendMessageBatch call
SINK_CONCURRENCY = 4  # BatchWriteItem calls in flight at once
TRANSIENT_CODES = frozenset((
    "ProvisionedThroughputExceededException", "ThrottlingException", "Throttling", "RequestLimitExceeded",
    "InternalServerError", "InternalFailure", "ServiceUnavailable", "TransactionConflictException",
    "LimitExceededException", "RequestThrottled", "KMSThrottlingException", "SlowDown",
    "AWS.SimpleQueueService.InternalError", "KMS.ThrottlingException",
))

_UTC = timezone.utc
_fromtimestamp = datetime.fromtimestamp
_a2b = binascii.a2b_base64


def _reject_constant(name):
    raise ValueError(f"{name} is not a JSON number")


_decode_json = json.JSONDecoder(parse_constant=_reject_constant).decode


class Rejected(Exception):
    """A record that goes to the dead-letter queue."""

    def __init__(self, reason, detail):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def iso_utc(seconds):
    return _fromtimestamp(seconds, _UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


class IsoClock:
    """iso_utc with the 'YYYY-MM-DDTHH:MM:SS' part cached per second (records of a batch share seconds)."""

    def __init__(self):
        self.seconds = {}

    def __call__(self, seconds):
        whole = int(seconds // 1)
        micros = round((seconds - whole) * 1_000_000)  # as datetime.fromtimestamp rounds
        if micros >= 1_000_000:
            whole += 1
            micros -= 1_000_000
        prefix = self.seconds.get(whole)
        if prefix is None:
            prefix = self.seconds[whole] = _fromtimestamp(whole, _UTC).isoformat()[:19]
        return f"{prefix}.{micros // 1000:03d}Z"


def decoded_size(data):
    """Bytes a base64 string decodes to, without decoding it."""
    size = len(data) * 3 // 4
    if data.endswith("=="):
        return size - 2
    if data.endswith("="):
        return size - 1
    return size


def decode(data, max_bytes):
    """Base64 text -> event dict (field names normalized and validated); raises Rejected."""
    if decoded_size(data) > max_bytes:
        raise Rejected("oversize", f"record is {decoded_size(data)} bytes, the limit is {max_bytes}")
    try:
        raw = _a2b(data, strict_mode=True)
    except ValueError as e:  # binascii.Error, or non-ASCII text
        raise Rejected("bad_base64", str(e)) from None
    try:
        event = _decode_json(raw.decode("utf-8"))
    except (ValueError, RecursionError) as e:  # JSONDecodeError, UnicodeDecodeError
        raise Rejected("bad_json", str(e)[:256]) from None
    if type(event) is not dict:
        raise Rejected("schema", f"an event is a JSON object, got {type(event).__name__}")
    try:
        event = schema.normalize_names(event)
        schema.validate(event)
    except schema.SchemaError as e:
        raise Rejected("schema", str(e)) from None
    return event


class Batch:
    """What one invocation did with its records (also logged as its summary)."""

    def __init__(self):
        self.records = 0
        self.written = 0
        self.dropped = 0
        self.duplicates = 0
        self.dead_lettered = {}
        self.failed = []
        self.sink_calls = 0
        self.dlq_calls = 0

    def summary(self):
        return {
            "records": self.records, "written": self.written, "dropped": self.dropped,
            "duplicates": self.duplicates, "dead_lettered": dict(self.dead_lettered),
            "failed": len(self.failed), "sink_calls": self.sink_calls, "dlq_calls": self.dlq_calls,
        }


class Retry:
    """Exponential backoff with full jitter, bounded by attempts and the invocation's remaining time."""

    def __init__(self, cfg, context, sleep=time.sleep, rand=random.random):
        self.cfg = cfg
        self.context = context
        self.sleep = sleep
        self.rand = rand

    def wait(self, attempt):
        """Sleep before retry number `attempt` (1-based); False when no retry is left."""
        if attempt >= self.cfg.sink_max_attempts:
            return False
        remaining = getattr(self.context, "get_remaining_time_in_millis", None)
        delay_ms = min(self.cfg.sink_max_delay_ms, self.cfg.sink_base_delay_ms * (2 ** (attempt - 1))) * self.rand()
        if remaining is not None and remaining() - delay_ms < self.cfg.time_margin_ms:
            return False
        self.sleep(delay_ms / 1000.0)
        return True


def _is_transient(error):
    if isinstance(error, BotoCoreError):
        return True
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return code in TRANSIENT_CODES or status >= 500


def _error_code(error):
    return error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else type(error).__name__


def write_chunk(table_client, table_name, chunk, retry, counter):
    """BatchWriteItem one chunk (<= 25 items) until done or out of retries.

    Returns (keys not written, [(key, reason detail)] the table refused outright).
    """
    pending = [{"PutRequest": {"Item": item}} for item in chunk]
    attempt = 0
    while pending:
        attempt += 1
        try:
            counter.append(1)
            response = table_client.batch_write_item(RequestItems={table_name: pending})
        except (ClientError, BotoCoreError) as error:
            if _error_code(error) == "ValidationException":
                # One bad item fails the whole call: find it item by item.
                return put_one_by_one(table_client, table_name, pending, retry, counter)
            if not _is_transient(error) or not retry.wait(attempt):
                LOG.warning("sink write failed: %s", _error_code(error))
                return [r["PutRequest"]["Item"]["event_id"]["S"] for r in pending], []
            continue
        pending = response.get("UnprocessedItems", {}).get(table_name, [])
        if pending and not retry.wait(attempt):
            return [r["PutRequest"]["Item"]["event_id"]["S"] for r in pending], []
    return [], []


def put_one_by_one(table_client, table_name, requests, retry, counter):
    failed, refused = [], []
    for request in requests:
        item = request["PutRequest"]["Item"]
        attempt = 0
        while True:
            attempt += 1
            try:
                counter.append(1)
                table_client.put_item(TableName=table_name, Item=item)
                break
            except (ClientError, BotoCoreError) as error:
                if _error_code(error) == "ValidationException":
                    refused.append((item["event_id"]["S"], str(error)[:256]))
                    break
                if not _is_transient(error) or not retry.wait(attempt):
                    failed.append(item["event_id"]["S"])
                    break
    return failed, refused


def write_items(table_client, table_name, items, retry, batch):
    """Write items (dict key -> item) in chunks of 25; returns (keys not written, refused)."""
    values = list(items.values())
    chunks = [values[i:i + BATCH_WRITE_LIMIT] for i in range(0, len(values), BATCH_WRITE_LIMIT)]
    counter = []
    if len(chunks) <= 1:
        results = [write_chunk(table_client, table_name, chunk, retry, counter) for chunk in chunks]
    else:
        with ThreadPoolExecutor(max_workers=min(SINK_CONCURRENCY, len(chunks))) as pool:
            results = list(pool.map(lambda c: write_chunk(table_client, table_name, c, retry, counter), chunks))
    batch.sink_calls += len(counter)
    failed = [key for result in results for key in result[0]]
    refused = [entry for result in results for entry in result[1]]
    return failed, refused


def dlq_message(record, reason, detail, cfg, now_iso):
    kinesis = record["kinesis"]
    data = kinesis.get("data", "")
    truncated = len(data) > cfg.dlq_payload_max_bytes
    body = {
        "reason": reason,
        "detail": detail,
        "shard_id": record.get("eventID", "").split(":", 1)[0],
        "sequence_number": kinesis["sequenceNumber"],
        "partition_key": kinesis.get("partitionKey"),
        "approximate_arrival_timestamp": kinesis.get("approximateArrivalTimestamp"),
        "event_source_arn": record.get("eventSourceARN"),
        "dead_lettered_at": now_iso,
        "payload": data[:cfg.dlq_payload_max_bytes],
        "payload_truncated": truncated,
    }
    if truncated:
        body["payload_bytes"] = decoded_size(data)
        body["payload_sha256"] = hashlib.sha256(data.encode("ascii", "replace")).hexdigest()
    return json.dumps(body, separators=(",", ":"))


def send_dead_letters(queue_client, cfg, messages, retry, batch):
    """SendMessageBatch (10 messages, 256 KiB a call); returns the sequence numbers not sent."""
    calls, current, size = [], [], 0
    for seq, reason, body in messages:
        entry_size = len(body.encode("utf-8")) + len(reason) + 64
        if current and (len(current) == SQS_BATCH_LIMIT or size + entry_size > SQS_BATCH_BYTES):
            calls.append(current)
            current, size = [], 0
        current.append((seq, reason, body))
        size += entry_size
    if current:
        calls.append(current)

    failed = []
    for call in calls:
        pending = {str(i): entry for i, entry in enumerate(call)}
        attempt = 0
        while pending:
            attempt += 1
            entries = [{"Id": key, "MessageBody": body,
                        "MessageAttributes": {"reason": {"DataType": "String", "StringValue": reason}}}
                       for key, (_, reason, body) in pending.items()]
            try:
                batch.dlq_calls += 1
                response = queue_client.send_message_batch(QueueUrl=cfg.dlq_url, Entries=entries)
            except (ClientError, BotoCoreError) as error:
                if not _is_transient(error) or not retry.wait(attempt):
                    LOG.warning("dead-letter queue send failed: %s", _error_code(error))
                    break
                continue
            pending = {f["Id"]: pending[f["Id"]] for f in response.get("Failed", []) if f["Id"] in pending}
            if pending and not retry.wait(attempt):
                break
        failed.extend(seq for seq, _, _ in pending.values())
    return failed


def process(event, context, table_client, queue_client, cfg, sleep=time.sleep, rand=random.random):
    """Process one Kinesis batch; returns (response for Lambda, Batch)."""
    batch = Batch()
    records = event.get("Records") or []
    batch.records = len(records)
    now = time.time()
    now_iso = iso_utc(now)
    max_bytes = cfg.max_record_bytes
    rules = cfg.filter_rules
    items = {}  # item key -> item
    seq_of = {}  # item key -> sequence number
    dead = []  # (record, reason, detail)
    streams = {}
    item_of = schema.item_of
    epoch_of = schema.epoch_of

    clock = IsoClock()
    now_attr = {"S": now_iso}
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the loop allocates many small dicts and frees none: collections only cost time
    try:
        for record in records:
            kinesis = record["kinesis"]
            seq = kinesis["sequenceNumber"]
            try:
                event_data = decode(kinesis["data"], max_bytes)
                if rules and any(rule.matches(event_data) for rule in rules):
                    batch.dropped += 1
                    continue
                try:
                    seconds = epoch_of(event_data["timestamp"])
                except schema.SchemaError as e:
                    raise Rejected("schema", str(e)) from None
                timestamp = clock(seconds)
                event_data["timestamp"] = timestamp
                shard = record["eventID"].split(":", 1)[0]
                key = event_data.get("event_id") or f"{shard}:{seq}"
                if key in items:
                    batch.duplicates += 1
                    continue
                event_data["event_id"] = key
                try:
                    item = item_of(event_data)
                except schema.SchemaError as e:
                    raise Rejected("schema", str(e)) from None
                # Enrichment, directly in DynamoDB form.
                source_arn = record.get("eventSourceARN", "")
                stream = streams.get(source_arn)
                if stream is None:
                    stream = streams[source_arn] = {"S": source_arn.rsplit("/", 1)[-1]}
                item["ingestion_time"] = now_attr
                arrival = kinesis.get("approximateArrivalTimestamp")
                if arrival is not None:
                    item["approximate_arrival_time"] = {"S": clock(arrival)}
                item["shard_id"] = {"S": shard}
                item["sequence_number"] = {"S": seq}
                item["partition_key"] = {"S": kinesis.get("partitionKey", "")}
                item["source_stream"] = stream
                item["event_date"] = {"S": timestamp[:10]}
                item["event_hour"] = {"N": str(int(timestamp[11:13]))}
                item["ingest_lag_ms"] = {"N": str(int((now - seconds) * 1000))}
                items[key] = item
                seq_of[key] = seq
            except Rejected as rejected:
                dead.append((record, rejected.reason, rejected.detail))
    finally:
        if gc_was_enabled:
            gc.enable()

    retry = Retry(cfg, context, sleep, rand)
    failed_keys, refused = write_items(table_client, cfg.table_name, items, retry, batch) if items else ([], [])
    failed = {seq_of[key] for key in failed_keys}
    batch.written = len(items) - len(failed_keys) - len(refused)
    if refused:
        by_seq = {r["kinesis"]["sequenceNumber"]: r for r in records}
        dead.extend((by_seq[seq_of[key]], "sink_rejected", detail) for key, detail in refused)

    if dead:
        messages = [(r["kinesis"]["sequenceNumber"], reason, dlq_message(r, reason, detail, cfg, now_iso))
                    for r, reason, detail in dead]
        not_sent = set(send_dead_letters(queue_client, cfg, messages, retry, batch))
        failed |= not_sent
        for record, reason, _ in dead:
            if record["kinesis"]["sequenceNumber"] not in not_sent:
                batch.dead_lettered[reason] = batch.dead_lettered.get(reason, 0) + 1

    batch.failed = [r["kinesis"]["sequenceNumber"] for r in records if r["kinesis"]["sequenceNumber"] in failed]
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in batch.failed]}, batch


_runtime = {}


def _clients():
    if not _runtime:
        import boto3  # noqa: PLC0415 - imported once per container, on first use
        from botocore.config import Config as BotoConfig  # noqa: PLC0415

        boto_config = BotoConfig(retries={"mode": "standard", "max_attempts": 3},
                                 connect_timeout=3, read_timeout=10, max_pool_connections=SINK_CONCURRENCY + 2)
        _runtime["config"] = config_module.Config.from_environ()
        _runtime["dynamodb"] = boto3.client("dynamodb", config=boto_config)
        _runtime["sqs"] = boto3.client("sqs", config=boto_config)
    return _runtime["config"], _runtime["dynamodb"], _runtime["sqs"]


def lambda_handler(event, context):
    cfg, dynamodb, sqs = _clients()
    response, batch = process(event, context, dynamodb, sqs, cfg)
    LOG.info(json.dumps({"summary": batch.summary()}))
    return response
