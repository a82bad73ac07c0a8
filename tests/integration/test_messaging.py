"""The messaging layer (site.yml --tags messaging) on a fresh emulator.

Converges twice and in check mode, then asserts on the emulator's state (what
exists, with which settings) and on real message movement: SNS filter policies,
fan-out, FIFO order and deduplication, dead-letter queues, and queue policies
that refuse senders they do not name. The messaging key is made with boto3 (the
kms role's alias), so the foundation layer's slow network part is not needed.
"""

import json
import os
import subprocess
import sys
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator import launcher
from tests.playbook import REPO_ROOT, run_playbook

PREFIX = "rtap-local"
ACCOUNT = "123456789012"
REGION = "eu-west-1"
# site.yml limited to the layer, as a user runs it: pre-flight, messaging, outputs file.
LAYER = ("site.yml", "--tags", "messaging")


def topic_arn(name):
    return f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-{name}"


def queue_arn(name):
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{PREFIX}-{name}"


@pytest.fixture(scope="module")
def converged(emulator, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)
    kms = boto3.client("kms", endpoint_url=emulator.url, verify=str(emulator.ca_bundle), region_name=REGION,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    key_id = kms.create_key(Description="messaging")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=f"alias/{PREFIX}-messaging", TargetKeyId=key_id)
    env = dict(os.environ, **emulator.env())
    artifacts = tmp_path_factory.mktemp("artifacts")
    runs = {
        "first": run_playbook(env, *LAYER, artifacts=artifacts),
        "second": run_playbook(env, *LAYER, artifacts=artifacts),
        "check": run_playbook(env, *LAYER, "--check", "--diff", artifacts=artifacts),
    }
    return runs, artifacts, env


@pytest.fixture(scope="module")
def sqs(converged, emulator):
    return boto3.client("sqs", endpoint_url=emulator.url, verify=str(emulator.ca_bundle), region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def sns(converged, emulator):
    return boto3.client("sns", endpoint_url=emulator.url, verify=str(emulator.ca_bundle), region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def url_of(sqs, name):
    return sqs.get_queue_url(QueueName=f"{PREFIX}-{name}")["QueueUrl"]


def attributes_of(sqs, name):
    return sqs.get_queue_attributes(QueueUrl=url_of(sqs, name), AttributeNames=["All"])["Attributes"]


def drain(sqs, name, max_rounds=5):
    """Every message now in the queue (received and deleted), bodies and attributes."""
    url, messages = url_of(sqs, name), []
    for _ in range(max_rounds):
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                    MessageAttributeNames=["All"], AttributeNames=["All"]).get("Messages", [])
        if not batch:
            break
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        messages += batch
    return messages


def attribute(value, data_type="String"):
    return {"DataType": data_type, "StringValue": str(value)}


# --- convergence ------------------------------------------------------------------


def test_first_run_converges(converged):
    runs, _, _ = converged
    assert runs["first"].returncode == 0, runs["first"].output[-4000:]
    assert runs["first"].recap["changed"] > 0


def test_second_run_changes_nothing(converged):
    runs, _, _ = converged
    assert runs["second"].returncode == 0, runs["second"].output[-4000:]
    assert runs["second"].recap["changed"] == 0, runs["second"].changed_tasks


def test_check_mode_on_converged_environment_reports_no_change(converged):
    runs, _, _ = converged
    assert runs["check"].returncode == 0, runs["check"].output[-4000:]
    assert runs["check"].recap["changed"] == 0, runs["check"].changed_tasks


# --- what exists ------------------------------------------------------------------


def test_queues_have_dead_letter_queues_kms_and_long_polling(sqs):
    billing = attributes_of(sqs, "billing")
    assert billing["VisibilityTimeout"] == "60"
    assert billing["ReceiveMessageWaitTimeSeconds"] == "20"
    assert billing["MessageRetentionPeriod"] == "345600"
    assert billing["KmsMasterKeyId"] == f"alias/{PREFIX}-messaging"
    assert json.loads(billing["RedrivePolicy"]) == {"deadLetterTargetArn": queue_arn("billing-dlq"), "maxReceiveCount": 5}
    assert json.loads(billing["RedriveAllowPolicy"]) == {"redrivePermission": "denyAll"}

    dlq = attributes_of(sqs, "billing-dlq")
    assert int(dlq["MessageRetentionPeriod"]) == 1209600 > int(billing["MessageRetentionPeriod"])
    assert dlq["KmsMasterKeyId"] == f"alias/{PREFIX}-messaging"
    assert json.loads(dlq["RedriveAllowPolicy"]) == {"redrivePermission": "byQueue", "sourceQueueArns": [queue_arn("billing")]}

    assert json.loads(attributes_of(sqs, "shipping")["RedrivePolicy"])["maxReceiveCount"] == 3
    onboarding = attributes_of(sqs, "user-onboarding")
    assert int(attributes_of(sqs, "user-onboarding-dlq")["MessageRetentionPeriod"]) == 604800 > int(onboarding["MessageRetentionPeriod"])

    ledger = attributes_of(sqs, "order-ledger.fifo")
    assert ledger["FifoQueue"] == "true" and ledger["ContentBasedDeduplication"] == "true"
    assert json.loads(ledger["RedrivePolicy"])["deadLetterTargetArn"] == queue_arn("order-ledger-dlq.fifo")
    assert attributes_of(sqs, "order-ledger-dlq.fifo")["FifoQueue"] == "true"

    tags = sqs.list_queue_tags(QueueUrl=url_of(sqs, "billing"))["Tags"]
    assert tags["Layer"] == "messaging" and tags["Environment"] == "local" and tags["ManagedBy"] == "ansible-platform-toolkit"


def test_queue_policies_name_only_the_subscribing_topics(sqs):
    def allowed_sources(name):
        policy = json.loads(attributes_of(sqs, name)["Policy"])
        allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
        assert all(s["Principal"] == {"Service": "sns.amazonaws.com"} and s["Action"] == "sqs:SendMessage" for s in allows)
        deny = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
        assert deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        return [arn for s in allows for arn in s["Condition"]["ArnEquals"]["aws:SourceArn"]]

    assert allowed_sources("billing") == [topic_arn("order-placed")]
    assert allowed_sources("shipping") == [topic_arn("order-placed")]
    assert allowed_sources("inventory-restock") == [topic_arn("inventory-low")]
    assert allowed_sources("order-ledger.fifo") == [topic_arn("order-events.fifo")]
    assert allowed_sources("billing-dlq") == []


def test_topics_are_encrypted_and_fifo_where_declared(sns):
    for name in ("order-placed", "inventory-low", "order-events.fifo", "user-signed-up", "todo-changed"):
        attributes = sns.get_topic_attributes(TopicArn=topic_arn(name))["Attributes"]
        assert attributes["KmsMasterKeyId"] == f"alias/{PREFIX}-messaging", name
        if not name.endswith(".fifo"):  # FIFO topics deliver to SQS only: no HTTP/S retry policy
            assert json.loads(attributes["DeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 10
        tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=topic_arn(name))["Tags"]}
        assert tags["Layer"] == "messaging" and tags["Topic"] == name
    fifo = sns.get_topic_attributes(TopicArn=topic_arn("order-events.fifo"))["Attributes"]
    assert fifo["FifoTopic"] == "true" and fifo["ContentBasedDeduplication"] == "true"
    assert sns.get_topic_attributes(TopicArn=topic_arn("order-placed"))["Attributes"]["DisplayName"] == "Order placed"


def test_subscriptions_fan_out_with_filters_and_raw_delivery(sns):
    def subscriptions(name):
        found = {}
        for sub in sns.list_subscriptions_by_topic(TopicArn=topic_arn(name))["Subscriptions"]:
            found[(sub["Protocol"], sub["Endpoint"])] = sns.get_subscription_attributes(
                SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
        return found

    order = subscriptions("order-placed")
    assert set(order) == {("sqs", queue_arn("billing")), ("sqs", queue_arn("shipping"))}
    assert order[("sqs", queue_arn("billing"))]["RawMessageDelivery"] == "true"
    assert not json.loads(order[("sqs", queue_arn("billing"))].get("FilterPolicy") or "{}")
    shipping = order[("sqs", queue_arn("shipping"))]
    assert json.loads(shipping["FilterPolicy"]) == {"fulfillment": ["physical"]}
    assert shipping["FilterPolicyScope"] == "MessageAttributes"

    inventory = subscriptions("inventory-low")
    restock = inventory[("sqs", queue_arn("inventory-restock"))]
    assert restock["FilterPolicyScope"] == "MessageBody"
    assert ("email", "platform-ops@example.com") in inventory

    # moto cannot deliver to Lambda or to real HTTPS endpoints: these are checked for existence only.
    signed_up = subscriptions("user-signed-up")
    assert set(signed_up) == {
        ("sqs", queue_arn("user-onboarding")),
        ("lambda", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{PREFIX}-welcome-mailer"),
        ("https", "https://crm.example.com/hooks/user-signed-up"),
    }
    assert signed_up[("https", "https://crm.example.com/hooks/user-signed-up")].get("RawMessageDelivery") == "false"


def test_alarms_watch_every_dead_letter_queue_and_oldest_message(converged, emulator):
    cloudwatch = boto3.client("cloudwatch", endpoint_url=emulator.url, verify=str(emulator.ca_bundle), region_name=REGION,
                              aws_access_key_id="testing", aws_secret_access_key="testing")
    alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms(AlarmNamePrefix=PREFIX)["MetricAlarms"]}
    depth = alarms[f"{PREFIX}-billing-dlq-not-empty"]
    assert depth["MetricName"] == "ApproximateNumberOfMessagesVisible" and depth["Namespace"] == "AWS/SQS"
    assert depth["Dimensions"] == [{"Name": "QueueName", "Value": f"{PREFIX}-billing-dlq"}]
    assert depth["Threshold"] == 0 and depth["ComparisonOperator"] == "GreaterThanThreshold"
    age = alarms[f"{PREFIX}-order-ledger-oldest-message-age"]
    assert age["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert age["Dimensions"] == [{"Name": "QueueName", "Value": f"{PREFIX}-order-ledger.fifo"}]
    assert age["Threshold"] == 900
    assert len([n for n in alarms if n.endswith("-dlq-not-empty")]) == 5
    assert len([n for n in alarms if n.endswith("-oldest-message-age")]) == 5


def test_outputs_file_matches_the_emulator(converged, sqs):
    _, artifacts, _ = converged
    outputs = json.loads((artifacts / "local" / "outputs.json").read_text())["messaging"]
    assert outputs["topic_arns"]["order-placed"] == topic_arn("order-placed")
    assert outputs["queue_urls"]["billing"] == url_of(sqs, "billing")
    assert outputs["queue_arns"]["order-ledger.fifo"] == queue_arn("order-ledger.fifo")
    assert outputs["dlq_urls"]["shipping"] == url_of(sqs, "shipping-dlq")


# --- message movement ---------------------------------------------------------------


def test_message_reaches_exactly_the_queues_whose_filters_match(sns, sqs):
    for name in ("billing", "shipping"):
        drain(sqs, name)
    sns.publish(TopicArn=topic_arn("order-placed"), Message='{"order": "A-1"}',
                MessageAttributes={"fulfillment": attribute("physical")})
    sns.publish(TopicArn=topic_arn("order-placed"), Message='{"order": "A-2"}',
                MessageAttributes={"fulfillment": attribute("digital")})

    billing = drain(sqs, "billing")
    shipping = drain(sqs, "shipping")
    assert sorted(m["Body"] for m in billing) == ['{"order": "A-1"}', '{"order": "A-2"}']
    assert [m["Body"] for m in shipping] == ['{"order": "A-1"}']
    # Raw delivery keeps the publisher's message attributes.
    assert shipping[0]["MessageAttributes"]["fulfillment"]["StringValue"] == "physical"


def test_body_scope_filter_matches_on_the_message_body(sns, sqs):
    drain(sqs, "inventory-restock")
    sns.publish(TopicArn=topic_arn("inventory-low"), Message=json.dumps({"sku": "S-1", "quantity": 4}))
    sns.publish(TopicArn=topic_arn("inventory-low"), Message=json.dumps({"sku": "S-2", "quantity": 40}))
    assert [json.loads(m["Body"])["sku"] for m in drain(sqs, "inventory-restock")] == ["S-1"]


def test_topic_with_lambda_and_https_subscribers_still_delivers_to_its_queue(sns, sqs):
    drain(sqs, "user-onboarding")
    sns.publish(TopicArn=topic_arn("user-signed-up"), Message='{"user": "u-1"}')
    assert [m["Body"] for m in drain(sqs, "user-onboarding")] == ['{"user": "u-1"}']


def test_fifo_keeps_order_within_a_group_and_drops_duplicate_ids(sns, sqs):
    drain(sqs, "order-ledger.fifo")
    for step in ("created", "paid", "shipped"):
        sns.publish(TopicArn=topic_arn("order-events.fifo"), Message=f'{{"order": "F-1", "event": "{step}"}}',
                    MessageGroupId="order-F-1", MessageDeduplicationId=f"F-1-{step}")
    # The same deduplication id again (a producer's retry): delivered once.
    sns.publish(TopicArn=topic_arn("order-events.fifo"), Message='{"order": "F-1", "event": "paid"}',
                MessageGroupId="order-F-1", MessageDeduplicationId="F-1-paid")

    url, events = url_of(sqs, "order-ledger.fifo"), []
    for _ in range(6):
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"],
                                    WaitTimeSeconds=0).get("Messages", [])
        if not batch:
            break
        for message in batch:
            assert message["Attributes"]["MessageGroupId"] == "order-F-1"
            events.append(json.loads(message["Body"])["event"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert events == ["created", "paid", "shipped"]


def test_message_received_max_receive_count_times_lands_in_the_dlq_intact(sqs):
    drain(sqs, "shipping-dlq")
    url = url_of(sqs, "shipping")
    body = json.dumps({"order": "D-1", "note": "poison"})
    sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes={"fulfillment": attribute("physical")})
    max_receive_count = json.loads(attributes_of(sqs, "shipping")["RedrivePolicy"])["maxReceiveCount"]
    for _ in range(max_receive_count):
        # A consumer that fails: receives, never deletes (visibility 0 so it is visible again at once).
        received = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, MaxNumberOfMessages=1,
                                       WaitTimeSeconds=0).get("Messages", [])
        assert [m["Body"] for m in received] == [body]
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, WaitTimeSeconds=0).get("Messages", []) == []

    moved = drain(sqs, "shipping-dlq")
    assert [m["Body"] for m in moved] == [body]
    assert moved[0]["MessageAttributes"]["fulfillment"]["StringValue"] == "physical"


def test_send_from_a_principal_the_queue_policy_does_not_allow_is_refused(sqs, emulator):
    url = url_of(sqs, "billing")
    sts = boto3.client("sts", endpoint_url=emulator.url, verify=str(emulator.ca_bundle), region_name=REGION,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    credentials = sts.assume_role(RoleArn="arn:aws:iam::210987654321:role/outsider",
                                  RoleSessionName="intruder")["Credentials"]
    outsider = boto3.client("sqs", endpoint_url=emulator.url, verify=str(emulator.ca_bundle), region_name=REGION,
                            aws_access_key_id=credentials["AccessKeyId"],
                            aws_secret_access_key=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"])
    with pytest.raises(ClientError) as refused:
        outsider.send_message(QueueUrl=url, MessageBody="not yours")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert drain(sqs, "billing") == []


def test_delivery_from_a_topic_the_queue_policy_does_not_name_is_refused(sns, sqs):
    drain(sqs, "billing")
    rogue = sns.create_topic(Name=f"rogue-{uuid.uuid4().hex[:8]}")["TopicArn"]
    sns.subscribe(TopicArn=rogue, Protocol="sqs", Endpoint=queue_arn("billing"), Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=rogue, Message="from a topic the queue does not trust")
    sns.publish(TopicArn=topic_arn("order-placed"), Message="from the subscribed topic")
    assert [m["Body"] for m in drain(sqs, "billing")] == ["from the subscribed topic"]


def test_sns_publish_module_sends_attributes_and_fifo_ids(converged, sqs):
    _, _, env = converged
    drain(sqs, "shipping")
    ansible = os.path.join(os.path.dirname(sys.executable), "ansible")
    args = {"topic": f"{PREFIX}-order-placed", "message": {"order": "P-1"},
            "message_attributes": {"fulfillment": "physical", "items": 3}}
    proc = subprocess.run([ansible, "localhost", "-i", "inventories/local", "-m", "sns_publish", "-a", json.dumps(args)],
                          cwd=REPO_ROOT, env=dict(env, ANSIBLE_NOCOLOR="1"), capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "CHANGED" in proc.stdout, proc.stdout + proc.stderr
    shipped = drain(sqs, "shipping")
    assert [json.loads(m["Body"]) for m in shipped] == [{"order": "P-1"}]
    assert shipped[0]["MessageAttributes"]["items"] == {"DataType": "Number", "StringValue": "3"}

    drain(sqs, "order-ledger.fifo")
    args = {"topic": topic_arn("order-events.fifo"), "message": "ledger entry",
            "message_group_id": "g-1", "message_deduplication_id": "d-1"}
    for mode in ([], ["--check"]):
        proc = subprocess.run([ansible, "localhost", "-i", "inventories/local", "-m", "sns_publish", "-a", json.dumps(args), *mode],
                              cwd=REPO_ROOT, env=dict(env, ANSIBLE_NOCOLOR="1"), capture_output=True, text=True, check=False)
        assert proc.returncode == 0 and "CHANGED" in proc.stdout, proc.stdout + proc.stderr
    # The check-mode run sent nothing: exactly one message.
    assert [m["Body"] for m in drain(sqs, "order-ledger.fifo")] == ["ledger entry"]


# --- change in place (last: it changes the converged state) --------------------------------


def test_changed_queue_attribute_is_applied_in_place(converged, sqs):
    _, artifacts, env = converged
    url = url_of(sqs, "billing")
    drain(sqs, "billing")
    created = attributes_of(sqs, "billing")["CreatedTimestamp"]
    sqs.send_message(QueueUrl=url, MessageBody="still here")

    queues = [
        {"name": "billing", "visibility_timeout": 90, "retention_seconds": 172800},
        {"name": "shipping", "visibility_timeout": 120, "max_receive_count": 3},
        {"name": "inventory-restock"},
        {"name": "order-ledger.fifo", "fifo": True, "visibility_timeout": 60},
        {"name": "user-onboarding", "retention_seconds": 86400, "dlq_retention_seconds": 604800},
    ]
    run = run_playbook(env, *LAYER, "-e", json.dumps({"messaging_queues": queues}), artifacts=artifacts)
    assert run.returncode == 0, run.output[-4000:]
    assert run.changed_tasks == ["messaging : Create the queues and their dead-letter queues"], run.changed_tasks

    after = attributes_of(sqs, "billing")
    assert after["VisibilityTimeout"] == "90" and after["MessageRetentionPeriod"] == "172800"
    assert url_of(sqs, "billing") == url and after["CreatedTimestamp"] == created, "updated in place, not re-created"
    assert [m["Body"] for m in drain(sqs, "billing")] == ["still here"]
