"""Unit tests for library/lambda_package.py, lambda_event_source_mapping.py and
kinesis_firehose_delivery_stream.py: the pure logic, without AWS."""

import base64
import hashlib
import importlib.util
import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

LIBRARY = Path(__file__).resolve().parents[2] / "library"
REPO_ROOT = LIBRARY.parent


def load(name):
    spec = importlib.util.spec_from_file_location(name, LIBRARY / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pkg = load("lambda_package")
esm = load("lambda_event_source_mapping")
fh = load("kinesis_firehose_delivery_stream")

STREAM = "arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream"
DLQ = "arn:aws:sqs:eu-west-1:123456789012:ingest-dlq"
EXCLUDE = ["__pycache__", "*.pyc", "*.pyo", ".*"]


# --- lambda_package ------------------------------------------------------------------------

def make_source(root):
    (root / "pkg").mkdir(parents=True)
    (root / "handler.py").write_text("def lambda_handler(event, context):\n    return 1\n")
    (root / "pkg" / "util.py").write_text("X = 1\n")
    (root / "run.sh").write_text("#!/bin/sh\n")
    os.chmod(root / "run.sh", 0o775)
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "handler.cpython-312.pyc").write_bytes(b"\0")
    (root / "pkg" / "util.pyc").write_bytes(b"\0")
    (root / ".DS_Store").write_bytes(b"\0")
    return root


def test_zip_is_byte_for_byte_deterministic(tmp_path):
    source = make_source(tmp_path / "fn")
    first, files = pkg.build_zip(str(source), EXCLUDE)
    os.utime(source / "handler.py", (1_000_000_000, 1_000_000_000))  # a new mtime changes nothing
    os.chmod(source / "handler.py", 0o600)  # nor does a different non-executable mode
    second, _ = pkg.build_zip(str(source), EXCLUDE)
    assert first == second
    assert files == ["handler.py", "pkg/util.py", "run.sh"], "sorted, no caches or hidden files"


def test_zip_entries_have_fixed_timestamps_and_modes(tmp_path):
    data, _ = pkg.build_zip(str(make_source(tmp_path / "fn")), EXCLUDE)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in infos.values())
        modes = {name: stat.S_IMODE(info.external_attr >> 16) for name, info in infos.items()}
        assert modes == {"handler.py": 0o644, "pkg/util.py": 0o644, "run.sh": 0o755}
        assert archive.read("handler.py").startswith(b"def lambda_handler")
        assert all(info.compress_type == zipfile.ZIP_STORED for info in infos.values())


def test_sha256_is_lambdas_code_sha256_form(tmp_path):
    data, _ = pkg.build_zip(str(make_source(tmp_path / "fn")), EXCLUDE)
    b64, hexdigest = pkg.digests(data)
    assert b64 == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert hexdigest == hashlib.sha256(data).hexdigest()


def run_module(module_args, check=False):
    args = {"ANSIBLE_MODULE_ARGS": dict(module_args, _ansible_check_mode=check)}
    proc = subprocess.run([sys.executable, str(LIBRARY / "lambda_package.py")], input=json.dumps(args),
                          capture_output=True, text=True, check=False, cwd=REPO_ROOT)
    return json.loads(proc.stdout)


def test_module_writes_once_then_reports_no_change(tmp_path):
    source = make_source(tmp_path / "fn")
    dest = tmp_path / "out" / "fn.zip"
    predicted = run_module({"src": str(source), "dest": str(dest)}, check=True)
    assert predicted["changed"] and not dest.exists(), "check mode writes nothing"
    first = run_module({"src": str(source), "dest": str(dest)})
    assert first["changed"] and dest.read_bytes()
    assert first["sha256"] == predicted["sha256"]
    again = run_module({"src": str(source), "dest": str(dest)})
    assert again["changed"] is False and again["sha256"] == first["sha256"]
    (source / "handler.py").write_text("def lambda_handler(event, context):\n    return 2\n")
    changed = run_module({"src": str(source), "dest": str(dest)})
    assert changed["changed"] and changed["sha256"] != first["sha256"]


def test_the_repositorys_function_packages_the_same_twice(tmp_path):
    source = REPO_ROOT / "lambdas" / "stream_preprocessor"
    one, files = pkg.build_zip(str(source), EXCLUDE)
    two, _ = pkg.build_zip(str(source), EXCLUDE)
    assert one == two and {"handler.py", "schema.py", "config.py"} <= set(files)


# --- lambda_event_source_mapping -------------------------------------------------------------

def esm_params(**overrides):
    base = dict(state="present", function_name="fn", event_source_arn=STREAM, enabled=True, batch_size=None,
                maximum_batching_window_in_seconds=None, starting_position="TRIM_HORIZON",
                starting_position_timestamp=None, bisect_batch_on_function_error=None, maximum_retry_attempts=None,
                maximum_record_age_in_seconds=None, parallelization_factor=None, function_response_types=None,
                destination_on_failure=None, tumbling_window_in_seconds=None, filter_patterns=None,
                maximum_concurrency=None, tags=None, purge_tags=True)
    base.update(overrides)
    return base


LIVE = {
    "UUID": "u-1", "BatchSize": 100, "MaximumBatchingWindowInSeconds": 0, "StartingPosition": "TRIM_HORIZON",
    "ParallelizationFactor": 1, "MaximumRetryAttempts": -1, "MaximumRecordAgeInSeconds": -1,
    "BisectBatchOnFunctionError": False, "State": "Enabled", "EventSourceArn": STREAM,
    "FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:fn",
}


@pytest.mark.parametrize("arn, kind", [
    (STREAM, "kinesis"), (DLQ, "sqs"),
    ("arn:aws:dynamodb:eu-west-1:123456789012:table/todos/stream/2024-01-01T00:00:00.000", "dynamodb"),
    ("arn:aws:dynamodb:eu-west-1:123456789012:table/todos", None), ("not-an-arn", None),
])
def test_source_kind(arn, kind):
    assert esm.source_kind(arn) == kind


@pytest.mark.parametrize("function, identity", [
    ("fn", ("fn", None)), ("fn:live", ("fn", "live")),
    ("arn:aws:lambda:eu-west-1:123456789012:function:fn", ("fn", None)),
    ("arn:aws:lambda:eu-west-1:123456789012:function:fn:$LATEST", ("fn", None)),
    ("123456789012:function:fn:3", ("fn", "3")),
])
def test_function_identity(function, identity):
    assert esm.function_identity(function) == identity


def test_unchanged_settings_mean_no_update():
    desired = esm.desired_settings(esm_params(batch_size=100, parallelization_factor=1))
    assert esm.differing(esm.live_settings(LIVE), desired, esm.UPDATABLE) == []


def test_changed_settings_are_updated_in_place_with_the_api_shapes():
    desired = esm.desired_settings(esm_params(
        batch_size=500, destination_on_failure=DLQ, function_response_types=["ReportBatchItemFailures"],
        bisect_batch_on_function_error=True, enabled=False, filter_patterns=[{"data": {"type": ["click"]}}]))
    changes = esm.differing(esm.live_settings(LIVE), desired, esm.UPDATABLE)
    assert sorted(changes) == sorted(["batch_size", "destination_on_failure", "function_response_types",
                                      "bisect_batch_on_function_error", "enabled", "filter_patterns"])
    request = esm.update_params("u-1", desired, changes)
    assert request["DestinationConfig"] == {"OnFailure": {"Destination": DLQ}}
    assert request["FilterCriteria"] == {"Filters": [{"Pattern": '{"data":{"type":["click"]}}'}]}
    assert request["Enabled"] is False and request["UUID"] == "u-1"


def test_an_empty_destination_removes_it_and_matches_none():
    live_with = dict(LIVE, DestinationConfig={"OnFailure": {"Destination": DLQ}})
    desired = esm.desired_settings(esm_params(destination_on_failure=""))
    assert esm.differing(esm.live_settings(live_with), desired, esm.UPDATABLE) == ["destination_on_failure"]
    assert esm.api_value("destination_on_failure", "") == {"OnFailure": {}}
    assert esm.differing(esm.live_settings(LIVE), desired, esm.UPDATABLE) == []


def test_starting_position_is_reported_not_changed():
    desired = esm.desired_settings(esm_params(starting_position="LATEST"))
    assert esm.differing(esm.live_settings(LIVE), desired, esm.IMMUTABLE) == ["starting_position"]
    assert "starting_position" not in esm.differing(esm.live_settings(LIVE), desired, esm.UPDATABLE)


def test_create_request_carries_every_option():
    params = esm_params(batch_size=500, maximum_batching_window_in_seconds=5, bisect_batch_on_function_error=True,
                        maximum_retry_attempts=5, maximum_record_age_in_seconds=3600, parallelization_factor=2,
                        function_response_types=["ReportBatchItemFailures"], destination_on_failure=DLQ)
    request = esm.create_params(params, esm.desired_settings(params), {"Layer": "ingestion"})
    assert request == {
        "FunctionName": "fn", "EventSourceArn": STREAM, "Enabled": True, "StartingPosition": "TRIM_HORIZON",
        "BatchSize": 500, "MaximumBatchingWindowInSeconds": 5, "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": 5, "MaximumRecordAgeInSeconds": 3600, "ParallelizationFactor": 2,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "DestinationConfig": {"OnFailure": {"Destination": DLQ}}, "Tags": {"Layer": "ingestion"},
    }


def test_duplicates_keep_the_one_already_right():
    wrong = dict(LIVE, UUID="a", BatchSize=10)
    right = dict(LIVE, UUID="b", BatchSize=100)
    kept, duplicates = esm.pick_mapping([wrong, right], esm.desired_settings(esm_params(batch_size=100)))
    assert kept["UUID"] == "b" and [d["UUID"] for d in duplicates] == ["a"]


@pytest.mark.parametrize("overrides, message", [
    ({"batch_size": 0}, "batch_size"),
    ({"maximum_record_age_in_seconds": 30}, "maximum_record_age_in_seconds"),
    ({"parallelization_factor": 11}, "parallelization_factor"),
    ({"event_source_arn": DLQ, "starting_position": None, "bisect_batch_on_function_error": True},
     "bisect_batch_on_function_error: only valid for Kinesis and DynamoDB streams"),
    ({"maximum_concurrency": 5}, "maximum_concurrency: only valid for SQS queues"),
    ({"event_source_arn": DLQ + ".fifo", "starting_position": None, "batch_size": 11}, "FIFO"),
    ({"filter_patterns": ["{nope"]}, "filter_patterns"),
    ({"event_source_arn": "arn:aws:s3:::bucket"}, "event_source_arn"),
])
def test_parameter_errors(overrides, message):
    assert any(message in error for error in esm.param_errors(esm_params(**overrides)))


def test_valid_parameters_have_no_error():
    assert esm.param_errors(esm_params(batch_size=10000, maximum_record_age_in_seconds=-1,
                                       maximum_retry_attempts=-1, parallelization_factor=10)) == []


# --- kinesis_firehose_delivery_stream ---------------------------------------------------------

def firehose_params(**overrides):
    base = dict(name="raw", state="present", source_stream_arn=STREAM, source_role_arn="arn:aws:iam::1:role/fh",
                bucket_arn="arn:aws:s3:::raw", role_arn="arn:aws:iam::1:role/fh", prefix="raw/",
                error_output_prefix="", buffering_interval=300, buffering_size=5, compression_format="GZIP",
                kms_key_arn="arn:aws:kms:eu-west-1:1:key/k", log_group_name="", log_stream_name="S3Delivery",
                tags=None, purge_tags=True)
    base.update(overrides)
    return base


def test_firehose_description_round_trips_to_no_change():
    params = firehose_params()
    config = fh.destination_config(fh.desired_settings(params))
    description = {
        "Destinations": [{"DestinationId": "d-1", "ExtendedS3DestinationDescription": config}],
        "Source": {"KinesisStreamSourceDescription": {"KinesisStreamARN": STREAM, "RoleARN": params["source_role_arn"]}},
    }
    live = fh.live_settings(description)
    desired = fh.desired_settings(params)
    assert fh.differing(live, desired, fh.DESTINATION_SETTINGS + fh.SOURCE_SETTINGS) == []
    assert fh.differing(live, fh.desired_settings(firehose_params(buffering_interval=60)), fh.DESTINATION_SETTINGS) \
        == ["buffering_interval"]
    assert fh.differing(live, fh.desired_settings(firehose_params(source_stream_arn=STREAM + "2")),
                        fh.SOURCE_SETTINGS) == ["source_stream_arn"]


def test_firehose_create_request():
    request = fh.create_params(firehose_params(), {"Layer": "ingestion"})
    assert request["DeliveryStreamType"] == "KinesisStreamAsSource"
    assert request["KinesisStreamSourceConfiguration"]["KinesisStreamARN"] == STREAM
    s3 = request["ExtendedS3DestinationConfiguration"]
    assert s3["EncryptionConfiguration"] == {"KMSEncryptionConfig": {"AWSKMSKeyARN": "arn:aws:kms:eu-west-1:1:key/k"}}
    assert s3["CloudWatchLoggingOptions"] == {"Enabled": False}
    assert request["Tags"] == [{"Key": "Layer", "Value": "ingestion"}]
