"""The S3 fixes in emulator/fixes/s3.py restore documented AWS behaviour; these tests assert it.

Each test fails on plain moto: check with
PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes_s3.py
"""

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

REGION = "eu-west-1"


@pytest.fixture
def s3(fresh_emulator: Any, aws_client: Any) -> Any:
    return aws_client("s3")


def make_bucket(s3: Any, name: str) -> str:
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


def queue_configuration(queue_arn: str, rules: list[dict[str, str]]) -> dict[str, Any]:
    return {"QueueConfigurations": [{
        "Id": "uploads", "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": rules}},
    }]}


# --- s3_notification_filter_rules_accept_aws_rule_names ------------------------------

def test_notification_filter_rules_named_prefix_and_suffix_are_accepted_and_applied(s3: Any, aws_client: Any) -> None:
    sqs = aws_client("sqs")
    bucket = make_bucket(s3, "notify-me")
    queue_url = sqs.create_queue(QueueName="uploads")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # What community.aws.s3_bucket_notification sends: capitalised names, "" for an unused filter.
    rules = [{"Name": "Prefix", "Value": "users/"}, {"Name": "Suffix", "Value": ""}]

    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=queue_configuration(queue_arn, rules))

    stored = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
    assert stored[0]["Filter"]["Key"]["FilterRules"] == rules
    sqs.purge_queue(QueueUrl=queue_url)  # the s3:TestEvent
    s3.put_object(Bucket=bucket, Key="users/u1/photo.jpg", Body=b"1")
    s3.put_object(Bucket=bucket, Key="tmp/other.jpg", Body=b"2")
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    keys = [record["s3"]["object"]["key"] for m in messages for record in json.loads(m["Body"]).get("Records", [])]
    assert keys == ["users%2Fu1%2Fphoto.jpg"]


def test_notification_filter_rule_with_an_unknown_name_is_a_client_error(s3: Any) -> None:
    bucket = make_bucket(s3, "notify-bad")
    configuration = queue_configuration("arn:aws:sqs:eu-west-1:123456789012:uploads",
                                        [{"Name": "Middle", "Value": "x"}])
    with pytest.raises(ClientError) as error:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=configuration)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error.value.response["Error"]["Code"] == "InvalidArgument"


# --- s3_logging_target_policy_check_reads_every_policy_form --------------------------

def test_logging_target_with_tls_only_policy_and_list_resources_is_accepted(s3: Any) -> None:
    source = make_bucket(s3, "app-data")
    target = make_bucket(s3, "app-logs")
    target_arn = f"arn:aws:s3:::{target}"
    s3.put_bucket_policy(Bucket=target, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [target_arn, f"{target_arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": ["logging.s3.amazonaws.com"]},
         "Action": ["s3:PutObject"], "Resource": [f"{target_arn}/s3-access/{source}/*"],
         "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}},
    ]}))

    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": target, "TargetPrefix": f"s3-access/{source}/"}})

    assert s3.get_bucket_logging(Bucket=source)["LoggingEnabled"]["TargetBucket"] == target


def test_logging_target_without_a_grant_is_still_refused(s3: Any) -> None:
    source = make_bucket(s3, "app-data2")
    target = make_bucket(s3, "app-logs2")
    s3.put_bucket_policy(Bucket=target, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"arn:aws:s3:::{target}/*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    with pytest.raises(ClientError) as error:
        s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={"LoggingEnabled": {
            "TargetBucket": target, "TargetPrefix": "x/"}})
    assert error.value.response["Error"]["Code"] == "InvalidTargetBucketForLogging"
