"""The Lambda fix in emulator/fixes/awslambda.py restores documented AWS behaviour.

Fails on plain moto: check with
PLATFORM_EMULATOR_DISABLE_FIXES=event_source_mapping_is_unique_per_source_and_function \\
    python -m pytest tests/emulator/test_fixes_lambda.py
"""

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

AwsClient = Callable[..., Any]
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def code_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def lambda_handler(event, context):\n    return {}\n")
    return buffer.getvalue()


@pytest.fixture
def setup(fresh_emulator: Any, aws_client: AwsClient) -> tuple[Any, str, list[str]]:
    role = aws_client("iam").create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    lambda_client = aws_client("lambda")
    functions = [lambda_client.create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                               Handler="handler.lambda_handler", Code={"ZipFile": code_zip()})
                 ["FunctionArn"] for name in ("fn-a", "fn-b")]
    kinesis = aws_client("kinesis")
    kinesis.create_stream(StreamName="events", ShardCount=1)
    stream = kinesis.describe_stream_summary(StreamName="events")["StreamDescriptionSummary"]["StreamARN"]
    return lambda_client, stream, functions


def test_event_source_mapping_is_unique_per_source_and_function(setup: Any) -> None:
    lambda_client, stream, (fn_a, _) = setup
    first = lambda_client.create_event_source_mapping(FunctionName="fn-a", EventSourceArn=stream,
                                                      StartingPosition="TRIM_HORIZON")
    for function in ("fn-a", fn_a):  # by name, and by ARN: the same function
        with pytest.raises(ClientError) as raised:
            lambda_client.create_event_source_mapping(FunctionName=function, EventSourceArn=stream,
                                                      StartingPosition="LATEST")
        error = raised.value.response
        assert error["Error"]["Code"] == "ResourceConflictException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
        assert first["UUID"] in error["Error"]["Message"]
    assert [m["UUID"] for m in lambda_client.list_event_source_mappings(EventSourceArn=stream)["EventSourceMappings"]] \
        == [first["UUID"]]


def test_another_function_may_read_the_same_source(setup: Any) -> None:
    lambda_client, stream, _ = setup
    for name in ("fn-a", "fn-b"):
        lambda_client.create_event_source_mapping(FunctionName=name, EventSourceArn=stream, StartingPosition="LATEST")
    assert len(lambda_client.list_event_source_mappings(EventSourceArn=stream)["EventSourceMappings"]) == 2
