"""stream_processor scenario: function config, event source mapping, DLQ, log group, alarms."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
FUNCTION = f"{PREFIX}-stream-preprocessor"
STREAM_ARN = f"arn:aws:kinesis:eu-west-1:123456789012:stream/{PREFIX}-clickstream"
DLQ_ARN = f"arn:aws:sqs:eu-west-1:123456789012:{PREFIX}-ingest-dlq"
lambda_client, sqs, logs, kms, cloudwatch = (client(s) for s in ("lambda", "sqs", "logs", "kms", "cloudwatch"))

function = lambda_client.get_function(FunctionName=FUNCTION)
config = function["Configuration"]
assert config["Runtime"] == "python3.12" and config["Timeout"] == 120 and config["MemorySize"] == 512, config
assert config["Role"].endswith(f":role/{PREFIX}-stream-preprocessor"), config["Role"]
variables = config["Environment"]["Variables"]
assert variables["TABLE_NAME"] == f"{PREFIX}-events", variables
assert variables["DLQ_URL"].endswith(f"/123456789012/{PREFIX}-ingest-dlq"), variables
assert json.loads(variables["FILTER_RULES"]) == [] and variables["MAX_RECORD_BYTES"] == "262144", variables
assert function["Concurrency"]["ReservedConcurrentExecutions"] == 2, function.get("Concurrency")
assert function["Tags"]["Layer"] == "ingestion", function["Tags"]

mapping, = lambda_client.list_event_source_mappings(EventSourceArn=STREAM_ARN)["EventSourceMappings"]
expected = {
    "BatchSize": 100, "MaximumBatchingWindowInSeconds": 1, "StartingPosition": "TRIM_HORIZON",
    "BisectBatchOnFunctionError": True, "MaximumRetryAttempts": 5, "MaximumRecordAgeInSeconds": 3600,
    "ParallelizationFactor": 1, "FunctionResponseTypes": ["ReportBatchItemFailures"],
    "DestinationConfig": {"OnFailure": {"Destination": DLQ_ARN}}, "State": "Enabled",
}
assert {k: mapping.get(k) for k in expected} == expected, mapping
assert mapping["FunctionArn"].endswith(f":function:{FUNCTION}"), mapping

url = sqs.get_queue_url(QueueName=f"{PREFIX}-ingest-dlq")["QueueUrl"]
attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
assert attributes["MessageRetentionPeriod"] == "1209600", attributes
assert attributes["KmsMasterKeyId"] == f"alias/{PREFIX}-messaging", attributes

group, = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{FUNCTION}")["logGroups"]
assert group["retentionInDays"] == 7, group  # the local inventory's values
assert group["kmsKeyId"] == kms.describe_key(KeyId=f"alias/{PREFIX}-logs")["KeyMetadata"]["Arn"], group

alarms = {a["AlarmName"] for a in cloudwatch.describe_alarms(AlarmNamePrefix=FUNCTION)["MetricAlarms"]}
assert alarms == {f"{FUNCTION}-{n}" for n in ("iterator-age", "dlq-depth", "errors", "throttles")}, alarms
print("stream_processor: function, mapping, DLQ, log group and alarms verified")
