"""The SNS fix (emulator/fixes/sns.py) restores documented AWS behaviour; the test fails without it.

Check with PLATFORM_EMULATOR_DISABLE_FIXES=sns_publish_succeeds_when_a_delivery_fails \
python -m pytest tests/emulator/test_fixes_sns.py
"""

import json
from collections.abc import Callable
from typing import Any

AwsClient = Callable[..., Any]


def test_sns_publish_succeeds_when_a_delivery_fails(fresh_emulator: Any, aws_client: AwsClient) -> None:
    sns, sqs = aws_client("sns"), aws_client("sqs")
    topic = sns.create_topic(Name="signups")["TopicArn"]
    url = sqs.create_queue(QueueName="onboarding")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                       "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}],
    })})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    # Endpoints the emulator cannot deliver to: no such function (and no Docker), an unreachable URL.
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint="arn:aws:lambda:eu-west-1:123456789012:function:absent")
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://unreachable.invalid/hook")

    message_id = sns.publish(TopicArn=topic, Message="welcome")["MessageId"]

    assert message_id
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url).get("Messages", [])] == ["welcome"]
