"""The smoke check (playbooks/smoke.yml) on the whole platform, converged once (converged_site).

On the converged site every layer's key resource is live and the check passes, in --check
too. A resource broken by hand makes it fail, naming the resource and its state; each case
restores what it broke, so later tests find the site as site.yml left it.
"""

import pytest

PREFIX = "rtap-local"
# What SQS reports about a queue but takes no part in creating one.
READ_ONLY_QUEUE_ATTRIBUTES = {"QueueArn", "CreatedTimestamp", "LastModifiedTimestamp", "ApproximateNumberOfMessages",
                              "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"}


def test_the_converged_site_passes_the_smoke_check(converged_site):
    run = converged_site.run("playbooks/smoke.yml", "--check")
    assert run.returncode == 0, run.output[-3000:]
    assert run.recap["changed"] == 0
    # Each layer's key resource was checked, by the names the deploy wrote to the outputs file.
    outputs = converged_site.outputs
    for resource in (f"stream {PREFIX}-clickstream", f"event_source_mapping {outputs['stream_processor']['event_source_mapping_uuid']}",
                     f"table {PREFIX}-todos", f"table {PREFIX}-events", f"queue {PREFIX}-shipping-dlq",
                     f"queue {PREFIX}-ingest-dlq", f"api_stage {outputs['api_gateway']['api_id']}/v1",
                     f"user_pool {outputs['cognito']['user_pool_id']}", f"eks_cluster {PREFIX}-eks",
                     f"ecs_service {PREFIX}-ecs/payments", f"function {PREFIX}-todo-api"):
        assert resource in run.output, resource
    assert "resources live and working" in run.output


def test_a_disabled_event_source_mapping_fails_the_smoke_check(converged_site, aws_client):
    uuid = converged_site.outputs["stream_processor"]["event_source_mapping_uuid"]
    lambda_client = aws_client("lambda")
    lambda_client.update_event_source_mapping(UUID=uuid, Enabled=False)
    try:
        assert lambda_client.get_event_source_mapping(UUID=uuid)["State"] == "Disabled"
        run = converged_site.run("playbooks/smoke.yml")
    finally:
        lambda_client.update_event_source_mapping(UUID=uuid, Enabled=True)
    assert run.returncode != 0 and run.recap["failed"] == 1
    assert f"not working: event_source_mapping {uuid} is Disabled" in run.output
    assert lambda_client.get_event_source_mapping(UUID=uuid)["State"] == "Enabled"


@pytest.fixture
def deleted_queue(aws_client):
    """Deletes the shipping queue's dead-letter queue, then makes it again as it was."""
    sqs = aws_client("sqs")
    name = f"{PREFIX}-shipping-dlq"
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    tags = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
    sqs.delete_queue(QueueUrl=url)
    yield name
    kept = {key: value for key, value in attributes.items() if key not in READ_ONLY_QUEUE_ATTRIBUTES}
    sqs.create_queue(QueueName=name, Attributes=kept, tags=tags)
    restored = sqs.get_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"],
                                        AttributeNames=["All"])["Attributes"]
    assert {key: restored.get(key) for key in kept} == kept


def test_a_deleted_queue_fails_the_smoke_check(converged_site, deleted_queue):
    run = converged_site.run("playbooks/smoke.yml")
    assert run.returncode != 0 and run.recap["failed"] == 1
    assert f"not working: queue {deleted_queue} is missing" in run.output
