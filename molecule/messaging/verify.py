"""messaging scenario: topics, queues, dead-letter queues, policies and alarms exist; a message fans out."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
ACCOUNT, REGION = "123456789012", "eu-west-1"
KEY = f"alias/{PREFIX}-messaging"
sqs, sns, cloudwatch, kms = client("sqs"), client("sns"), client("cloudwatch"), client("kms")

assert any(a["AliasName"] == KEY for a in kms.list_aliases()["Aliases"]), "the kms role made the messaging key"


def attributes(name):
    url = sqs.get_queue_url(QueueName=f"{PREFIX}-{name}")["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


QUEUES = ["billing", "shipping", "inventory-restock", "order-ledger.fifo", "user-onboarding"]
for name in QUEUES:
    _, source = attributes(name)
    dlq_name = name.replace(".fifo", "-dlq.fifo") if name.endswith(".fifo") else f"{name}-dlq"
    _, dlq = attributes(dlq_name)
    assert source["KmsMasterKeyId"] == KEY and dlq["KmsMasterKeyId"] == KEY, name
    assert source["ReceiveMessageWaitTimeSeconds"] == "20", name
    redrive = json.loads(source["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dlq["QueueArn"] and int(redrive["maxReceiveCount"]) >= 1, name
    assert int(dlq["MessageRetentionPeriod"]) > int(source["MessageRetentionPeriod"]), name
    assert json.loads(dlq["RedriveAllowPolicy"])["sourceQueueArns"] == [source["QueueArn"]], name
    tags = sqs.list_queue_tags(QueueUrl=attributes(name)[0])["Tags"]
    assert tags["Layer"] == "messaging" and tags["Environment"] == "local", tags

TOPICS = ["order-placed", "inventory-low", "order-events.fifo", "user-signed-up", "todo-changed"]
for name in TOPICS:
    arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-{name}"
    topic = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert topic["KmsMasterKeyId"] == KEY, name
    assert (topic.get("FifoTopic") == "true") == name.endswith(".fifo"), name

# Fan-out with a filter: a physical order reaches billing and shipping, a digital one billing only.
order_placed = f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-order-placed"
for fulfillment in ("physical", "digital"):
    sns.publish(TopicArn=order_placed, Message=fulfillment,
                MessageAttributes={"fulfillment": {"DataType": "String", "StringValue": fulfillment}})
received = {}
for name in ("billing", "shipping"):
    url, _ = attributes(name)
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    received[name] = sorted(m["Body"] for m in messages)
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
assert received == {"billing": ["digital", "physical"], "shipping": ["physical"]}, received

alarms = [a["AlarmName"] for a in cloudwatch.describe_alarms(AlarmNamePrefix=PREFIX)["MetricAlarms"]]
assert len([a for a in alarms if a.endswith("-dlq-not-empty")]) == len(QUEUES), alarms
assert len([a for a in alarms if a.endswith("-oldest-message-age")]) == len(QUEUES), alarms
print(f"messaging: {len(TOPICS)} topics, {len(QUEUES)} queues with dead-letter queues, {len(alarms)} alarms verified")
