"""The stream_processor role (and lambda_function through it) against a fresh emulator.

Converges the ingestion layer with its foundation (iam, kms) and the kinesis role
(the local inventory turns the Firehose archive on), twice and once in --check; then asserts on the emulator's
state with boto3: the function, its zip, log group, concurrency, the DLQ, the event
source mapping, the archive and the alarms. The data layer's table and bucket are
made with boto3 first, as the data layer would.
"""

import base64
import hashlib
import json
import os

import pytest

from emulator import launcher
from tests.playbook import run_playbook

PREFIX = "rtap-local"
PLAYBOOK = "tests/integration/playbooks/stream_processor/stream_processor.yml"
FUNCTION = f"{PREFIX}-stream-preprocessor"
ACCOUNT = "123456789012"
REGION = "eu-west-1"
STREAM_ARN = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{PREFIX}-clickstream"
DLQ_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{PREFIX}-ingest-dlq"
EXTRA = json.dumps({"stream_processor_filter_rules": [{"field": "event_type", "in": ["heartbeat"]}]})


def make_data_layer(aws_client):
    """The sink table and the archive bucket, as the data layer makes them."""
    aws_client("dynamodb").create_table(
        TableName=f"{PREFIX}-events", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "event_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "event_id", "AttributeType": "S"}])
    aws_client("s3").create_bucket(Bucket=f"{PREFIX}-raw-archive",
                                   CreateBucketConfiguration={"LocationConstraint": REGION})


@pytest.fixture(scope="module")
def converged(emulator, aws_client, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)
    make_data_layer(aws_client)
    env = dict(os.environ, **emulator.env())
    artifacts = tmp_path_factory.mktemp("artifacts")
    runs = {
        "first": run_playbook(env, PLAYBOOK, "-e", EXTRA, artifacts=artifacts),
        "second": run_playbook(env, PLAYBOOK, "-e", EXTRA, artifacts=artifacts),
        "check": run_playbook(env, PLAYBOOK, "-e", EXTRA, "--check", "--diff", artifacts=artifacts),
    }
    return runs, artifacts, env


def test_first_run_converges(converged):
    runs, _, _ = converged
    assert runs["first"].returncode == 0, runs["first"].output[-5000:]
    assert runs["first"].recap["changed"] > 0


def test_second_run_changes_nothing(converged):
    runs, _, _ = converged
    assert runs["second"].returncode == 0, runs["second"].output[-5000:]
    assert runs["second"].recap["changed"] == 0, runs["second"].changed_tasks


OWN_ROLES = ("stream_processor : ", "lambda_function : ")


def test_check_mode_on_converged_environment_reports_no_change(converged):
    runs, _, _ = converged
    assert runs["check"].returncode == 0, runs["check"].output[-5000:]
    # Only this layer's roles are judged here (the foundation and kinesis roles have their own tests).
    own = [task for task in runs["check"].changed_tasks if task.startswith(OWN_ROLES)]
    assert own == [], runs["check"].changed_tasks


def test_function_runs_the_deterministic_zip_with_its_settings(converged, aws_client):
    _, artifacts, _ = converged
    function = aws_client("lambda").get_function(FunctionName=FUNCTION)
    config = function["Configuration"]
    assert config["Runtime"] == "python3.12" and config["Handler"] == "handler.lambda_handler"
    assert config["Role"] == f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-stream-preprocessor"
    assert config["Timeout"] == 120 and config["MemorySize"] == 512
    variables = config["Environment"]["Variables"]
    assert variables["TABLE_NAME"] == f"{PREFIX}-events"
    assert variables["DLQ_URL"].endswith(f"/{ACCOUNT}/{PREFIX}-ingest-dlq")
    assert json.loads(variables["FILTER_RULES"]) == [{"field": "event_type", "in": ["heartbeat"]}]
    assert variables["MAX_RECORD_BYTES"] == "262144"
    assert function["Concurrency"]["ReservedConcurrentExecutions"] == 2, "the local inventory's value"
    assert function["Tags"]["Layer"] == "ingestion" and function["Tags"]["ManagedBy"] == "ansible-platform-toolkit"

    zip_bytes = (artifacts / "local" / "lambda" / f"{FUNCTION}.zip").read_bytes()
    assert config["CodeSha256"] == base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode()
    versions = aws_client("lambda").list_versions_by_function(FunctionName=FUNCTION)["Versions"]
    assert len([v for v in versions if v["Version"] != "$LATEST"]) == 1, "the unchanged zip was never redeployed"


def test_log_group_is_encrypted_with_the_logs_key_and_retained(converged, aws_client):
    group, = aws_client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{FUNCTION}")["logGroups"]
    assert group["retentionInDays"] == 7  # the local inventory's value
    logs_key = aws_client("kms").describe_key(KeyId=f"alias/{PREFIX}-logs")["KeyMetadata"]["Arn"]
    assert group["kmsKeyId"] == logs_key


def test_dead_letter_queue_is_encrypted_and_keeps_messages_14_days(converged, aws_client):
    sqs = aws_client("sqs")
    url = sqs.get_queue_url(QueueName=f"{PREFIX}-ingest-dlq")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["MessageRetentionPeriod"] == "1209600"
    assert attributes["KmsMasterKeyId"] == f"alias/{PREFIX}-messaging"
    assert attributes["QueueArn"] == DLQ_ARN
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"]["Layer"] == "ingestion"


def test_event_source_mapping_has_every_option(converged, aws_client):
    mapping, = aws_client("lambda").list_event_source_mappings(EventSourceArn=STREAM_ARN)["EventSourceMappings"]
    assert mapping["FunctionArn"].endswith(f":function:{FUNCTION}")
    assert mapping["State"] == "Enabled"
    assert mapping["BatchSize"] == 100 and mapping["MaximumBatchingWindowInSeconds"] == 1
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == 5 and mapping["MaximumRecordAgeInSeconds"] == 3600
    assert mapping["ParallelizationFactor"] == 1
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": DLQ_ARN}}
    tags = aws_client("lambda").list_tags(Resource=mapping["EventSourceMappingArn"])["Tags"]
    assert tags["Layer"] == "ingestion"


def test_mapping_is_updated_in_place(converged, aws_client):
    _, artifacts, env = converged
    lambda_client = aws_client("lambda")
    before, = lambda_client.list_event_source_mappings(EventSourceArn=STREAM_ARN)["EventSourceMappings"]
    run = run_playbook(env, "tests/integration/playbooks/stream_processor/esm_update.yml",
                       "-e", "esm_batch_size=200", "-e", "esm_enabled=false", artifacts=artifacts)
    assert run.returncode == 0 and run.recap["changed"] == 1, run.output[-3000:]
    after, = lambda_client.list_event_source_mappings(EventSourceArn=STREAM_ARN)["EventSourceMappings"]
    assert after["UUID"] == before["UUID"]
    assert after["BatchSize"] == 200 and after["State"] == "Disabled"
    assert after["DestinationConfig"] == before["DestinationConfig"], "unset options keep their value"


def test_firehose_archives_the_stream_to_the_bucket_with_the_data_key(converged, aws_client):
    stream = aws_client("firehose").describe_delivery_stream(
        DeliveryStreamName=f"{PREFIX}-raw-archive")["DeliveryStreamDescription"]
    assert stream["DeliveryStreamType"] == "KinesisStreamAsSource"
    assert stream["Source"]["KinesisStreamSourceDescription"]["KinesisStreamARN"] == STREAM_ARN
    destination = stream["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert destination["BucketARN"] == f"arn:aws:s3:::{PREFIX}-raw-archive"
    assert destination["RoleARN"] == f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-firehose-archive"
    data_key = aws_client("kms").describe_key(KeyId=f"alias/{PREFIX}-data")["KeyMetadata"]["Arn"]
    assert destination["EncryptionConfiguration"] == {"KMSEncryptionConfig": {"AWSKMSKeyARN": data_key}}
    assert destination["CompressionFormat"] == "GZIP"


def test_alarms_watch_iterator_age_dlq_depth_errors_and_throttles(converged, aws_client):
    alarms = {a["AlarmName"]: a for a in aws_client("cloudwatch").describe_alarms(
        AlarmNamePrefix=FUNCTION)["MetricAlarms"]}
    assert set(alarms) == {f"{FUNCTION}-{n}" for n in ("iterator-age", "dlq-depth", "errors", "throttles")}
    age = alarms[f"{FUNCTION}-iterator-age"]
    assert (age["Namespace"], age["MetricName"], age["Threshold"]) == ("AWS/Lambda", "IteratorAge", 60000)
    assert age["Dimensions"] == [{"Name": "FunctionName", "Value": FUNCTION}]
    depth = alarms[f"{FUNCTION}-dlq-depth"]
    assert (depth["Namespace"], depth["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert depth["Dimensions"] == [{"Name": "QueueName", "Value": f"{PREFIX}-ingest-dlq"}]
    assert alarms[f"{FUNCTION}-errors"]["MetricName"] == "Errors"
    assert alarms[f"{FUNCTION}-throttles"]["MetricName"] == "Throttles"


def test_absent_deletes_what_the_role_made(converged, aws_client):
    """Last of the converged tests: the role's resources go; the stream and table stay."""
    _, artifacts, env = converged
    run = run_playbook(env, PLAYBOOK, "-e", "stream_processor_state=absent", artifacts=artifacts)
    assert run.returncode == 0, run.output[-3000:]
    lambda_client = aws_client("lambda")
    assert lambda_client.list_functions()["Functions"] == []
    assert lambda_client.list_event_source_mappings(EventSourceArn=STREAM_ARN)["EventSourceMappings"] == []
    assert aws_client("sqs").list_queues().get("QueueUrls", []) == []
    assert aws_client("firehose").list_delivery_streams()["DeliveryStreamNames"] == []
    assert aws_client("cloudwatch").describe_alarms(AlarmNamePrefix=FUNCTION)["MetricAlarms"] == []
    groups = [g["logGroupName"] for g in aws_client("logs").describe_log_groups()["logGroups"]]
    assert not [g for g in groups if FUNCTION in g or "raw-archive" in g], groups
    assert aws_client("kinesis").describe_stream_summary(StreamName=f"{PREFIX}-clickstream")
    assert aws_client("dynamodb").describe_table(TableName=f"{PREFIX}-events")


# --- bad input fails in pre-flight, naming the variable, before any change ------------------

BAD_INPUT = {
    "batch size above Lambda's maximum": ({"stream_processor_batch_size": 20000}, ["stream_processor_batch_size:"]),
    "record age below 60 s": ({"stream_processor_max_record_age_seconds": 30}, ["stream_processor_max_record_age_seconds:"]),
    "concurrency below the parallelization factor": (
        {"stream_processor_reserved_concurrency": 1, "stream_processor_parallelization_factor": 2},
        ["stream_processor_reserved_concurrency:"]),
    "filter rule the function refuses": (
        {"stream_processor_filter_rules": [{"field": "event_type", "like": "x"}]}, ["stream_processor_filter_rules:"]),
    "unknown starting position": ({"stream_processor_starting_position": "AT_SEQUENCE"}, ["stream_processor_starting_position"]),
    "every broken rule at once": (
        {"stream_processor_max_record_bytes": 500000, "stream_processor_dlq_name": "dlq.fifo",
         "stream_processor_parallelization_factor": 11},
        ["stream_processor_max_record_bytes:", "stream_processor_dlq_name:", "stream_processor_parallelization_factor:"]),
}


@pytest.mark.parametrize("extra_vars, expected", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_fails_before_any_change(fresh_emulator, aws_env, aws_client, tmp_path, extra_vars, expected):
    run = run_playbook(aws_env, PLAYBOOK, "-e", json.dumps(extra_vars), artifacts=tmp_path)
    assert run.returncode != 0
    assert all(name in run.output for name in expected), run.output[-3000:]
    assert run.recap["changed"] == 0
    assert aws_client("lambda").list_functions()["Functions"] == []
    assert aws_client("sqs").list_queues().get("QueueUrls", []) == []
    assert [r for r in aws_client("iam").list_roles()["Roles"] if r["RoleName"].startswith("rtap-")] == []
