"""The teardown of the whole converged site (playbooks/teardown.yml). Runs after every other
e2e test: it destroys the shared site.

1. Without the allowances, the teardown refuses, naming the non-empty bucket and the table
   with deletion protection, and deletes nothing.
2. With teardown_empty_buckets and teardown_disable_deletion_protection, nothing carrying the
   environment's tags is left in any service the platform uses (KMS keys: pending deletion).
3. A second teardown changes nothing.
"""

import pytest

from tests.inventory import count, tagged_resources

pytestmark = pytest.mark.destroys_site

TAGS = {"Environment": "local", "Platform": "rtap", "ManagedBy": "ansible-platform-toolkit"}
TEARDOWN = "playbooks/teardown.yml"
ALLOWANCES = ("-e", '{"teardown_empty_buckets": true, "teardown_disable_deletion_protection": true}')


@pytest.fixture(scope="module")
def teardown(converged_site, aws_client):
    assert converged_site.first.returncode == 0, "site.yml failed"
    outputs = converged_site.outputs
    bucket = outputs["s3"]["bucket_names"]["user-files"]
    aws_client("s3").put_object(Bucket=bucket, Key="teardown-test/file.txt", Body=b"kept by a user")
    ddb = aws_client("dynamodb")
    table = sorted(t for t in ddb.list_tables()["TableNames"] if t.startswith("rtap-local-"))[0]
    ddb.update_table(TableName=table, DeletionProtectionEnabled=True)

    runs = {"bucket": bucket, "table": table, "before": tagged_resources(aws_client, TAGS)}
    runs["refused"] = converged_site.run(TEARDOWN)
    runs["after_refusal"] = tagged_resources(aws_client, TAGS)
    runs["first"] = converged_site.run(TEARDOWN, *ALLOWANCES)
    runs["after"] = tagged_resources(aws_client, TAGS)
    runs["second"] = converged_site.run(TEARDOWN, *ALLOWANCES)
    return runs


def test_the_site_holds_resources_in_every_layer(teardown):
    before = teardown["before"]
    for service in ("kms", "iam-role", "ec2-Vpcs", "s3", "dynamodb", "sqs", "sns", "kinesis", "lambda",
                    "cognito-user-pool", "apigateway-rest-api", "ecr", "ecs-cluster", "eks", "cloudwatch-alarm",
                    "config-rule", "cloudtrail", "wafv2", "logs", "secretsmanager"):
        assert before.get(service), f"no {service} on the converged site"


def test_teardown_without_allowances_refuses_and_deletes_nothing(teardown):
    refused = teardown["refused"]
    assert refused.returncode != 0
    assert f"bucket {teardown['bucket']} holds" in refused.output, refused.output[-3000:]
    assert f"table {teardown['table']} has deletion protection" in refused.output
    assert "teardown_empty_buckets" in refused.output and "teardown_disable_deletion_protection" in refused.output
    assert teardown["after_refusal"] == teardown["before"]


def test_teardown_leaves_nothing_carrying_the_environments_tags(teardown, aws_client):
    first = teardown["first"]
    assert first.returncode == 0, first.output[-4000:]
    assert count(teardown["after"]) == 0, teardown["after"]
    kms = aws_client("kms")
    for key_id in teardown["before"]["kms"]:
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"


def test_untaggable_children_are_gone(teardown, aws_client):
    assert teardown["first"].returncode == 0
    config = aws_client("config")
    assert config.describe_configuration_recorders()["ConfigurationRecorders"] == []
    assert config.describe_delivery_channels()["DeliveryChannels"] == []
    assert aws_client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    assert aws_client("lambda").list_event_source_mappings()["EventSourceMappings"] == []
    assert aws_client("sns").list_subscriptions()["Subscriptions"] == []
    assert aws_client("cloudwatch").list_dashboards()["DashboardEntries"] == []
    assert aws_client("ec2").describe_addresses()["Addresses"] == []
    assert aws_client("dax").describe_subnet_groups()["SubnetGroups"] == []


def test_second_teardown_changes_nothing(teardown):
    second = teardown["second"]
    assert second.returncode == 0, second.output[-4000:]
    assert second.recap["changed"] == 0, second.changed_tasks
