"""The SQS fixes (emulator/fixes/sqs.py) restore documented AWS behaviour; each test fails without its fix.

Check with PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes_sqs.py
"""

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

AwsClient = Callable[..., Any]
OTHER_ACCOUNT = "210987654321"


@pytest.fixture
def sqs(fresh_emulator: Any, aws_client: AwsClient) -> Any:
    return aws_client("sqs")


def make_queue(sqs: Any, name: str, policy: dict[str, Any] | None = None) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    if policy is not None:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    return url, arn


def client_of_account(emulator: Any, aws_client: AwsClient, account: str, service: str = "sqs") -> Any:
    """A client signed by a role session of another account."""
    credentials = aws_client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/partner",
                                                RoleSessionName="partner-session")["Credentials"]
    return boto3.client(service, endpoint_url=emulator.url, verify=str(emulator.ca_bundle), region_name=emulator.region,
                        aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                        aws_session_token=credentials["SessionToken"])


def bodies(sqs: Any, url: str) -> list[str]:
    return [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]


# --- sqs_queue_attributes_include_redrive_allow_policy ----------------------------------


def test_sqs_queue_attributes_include_redrive_allow_policy(sqs: Any) -> None:
    url, _ = make_queue(sqs, "dlq")
    policy = {"redrivePermission": "byQueue", "sourceQueueArns": ["arn:aws:sqs:eu-west-1:123456789012:src"]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": json.dumps(policy)})

    by_name = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedriveAllowPolicy"])["Attributes"]
    assert json.loads(by_name["RedriveAllowPolicy"]) == policy
    every = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert json.loads(every["RedriveAllowPolicy"]) == policy

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": ""})
    assert "RedriveAllowPolicy" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


# --- sqs_queue_policy_controls_access_from_other_accounts --------------------------------


def test_other_account_is_refused_without_a_queue_policy_grant(sqs: Any, emulator: Any, aws_client: AwsClient) -> None:
    url, _ = make_queue(sqs, "private")
    partner = client_of_account(emulator, aws_client, OTHER_ACCOUNT)
    with pytest.raises(ClientError) as refused:
        partner.send_message(QueueUrl=url, MessageBody="let me in")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert bodies(sqs, url) == []


def test_other_account_sends_when_the_queue_policy_grants_it(sqs: Any, emulator: Any, aws_client: AwsClient) -> None:
    url, arn = make_queue(sqs, "shared")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                       "Action": "sqs:SendMessage", "Resource": arn}],
    })})
    partner = client_of_account(emulator, aws_client, OTHER_ACCOUNT)
    partner.send_message(QueueUrl=url, MessageBody="granted")
    assert bodies(sqs, url) == ["granted"]
    # The grant is for SendMessage only.
    with pytest.raises(ClientError) as refused:
        partner.receive_message(QueueUrl=url)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_explicit_deny_in_the_queue_policy_refuses_the_owner_too(sqs: Any) -> None:
    url, arn = make_queue(sqs, "locked")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn,
                       "Condition": {"StringNotEquals": {"aws:PrincipalAccount": OTHER_ACCOUNT}}}],
    })})
    with pytest.raises(ClientError) as refused:
        sqs.send_message(QueueUrl=url, MessageBody="no")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    # A Deny that does not apply (TLS-only policy, request over TLS) refuses nothing.
    url2, arn2 = make_queue(sqs, "tls-only", {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*",
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}],
    })
    sqs.send_message(QueueUrl=url2, MessageBody="over TLS")
    assert bodies(sqs, url2) == ["over TLS"]


# --- sns_deliveries_to_sqs_need_queue_policy_permission ----------------------------------


def test_sns_delivers_only_from_topics_the_queue_policy_names(sqs: Any, aws_client: AwsClient) -> None:
    sns = aws_client("sns")
    trusted = sns.create_topic(Name="trusted")["TopicArn"]
    other = sns.create_topic(Name="other")["TopicArn"]
    url, arn = make_queue(sqs, "subscriber")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                       "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": trusted}}}],
    })})
    for topic in (trusted, other):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
        sns.publish(TopicArn=topic, Message=f"from {topic.rsplit(':', 1)[1]}")
    assert bodies(sqs, url) == ["from trusted"]


def test_sns_does_not_deliver_to_a_queue_without_a_policy(sqs: Any, aws_client: AwsClient) -> None:
    sns = aws_client("sns")
    topic = sns.create_topic(Name="announcements")["TopicArn"]
    url, arn = make_queue(sqs, "no-policy")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="hello")
    assert bodies(sqs, url) == []
