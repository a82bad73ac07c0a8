"""What application teams get from a converged site (converged_site): the application section of
artifacts/<env>/outputs.json, outputs.md, and the picture of the environment.

Every value of the application section is checked against the emulator, every platform resource
of those kinds on the emulator is in the section, the links the roles report (redrive policies,
subscriptions, the event source mapping) are the live ones, and `./platform picture` draws them.
"""

import os
import struct
import subprocess
import xml.etree.ElementTree as ElementTree

import pytest

from tests.playbook import REPO_ROOT

PREFIX = "rtap-local"


@pytest.fixture(scope="module")
def outputs(converged_site):
    return converged_site.outputs


@pytest.fixture(scope="module")
def app(outputs):
    return outputs["application"]


def test_the_second_run_rewrites_neither_file(converged_site):
    changed = converged_site.second.changed_tasks
    assert not [task for task in changed if task.startswith("outputs : Write")], changed
    assert (converged_site.artifacts / "local" / "outputs.md").is_file()


def test_streams_and_the_preprocessor_are_the_live_ones(app, outputs, aws_client):
    kinesis, lambda_ = aws_client("kinesis"), aws_client("lambda")
    live = {name for name in kinesis.list_streams()["StreamNames"] if name.startswith(PREFIX)}
    assert {stream["name"] for stream in app["streams"].values()} == live
    for stream in app["streams"].values():
        assert kinesis.describe_stream_summary(StreamName=stream["name"])["StreamDescriptionSummary"]["StreamARN"] == stream["arn"]
    preprocessor = app["preprocessor"]
    assert lambda_.get_function(FunctionName=preprocessor["function_name"])["Configuration"]["FunctionArn"] == preprocessor["function_arn"]
    mappings = lambda_.list_event_source_mappings(FunctionName=preprocessor["function_name"])["EventSourceMappings"]
    processor = outputs["stream_processor"]
    assert [(m["EventSourceArn"], m["DestinationConfig"]["OnFailure"]["Destination"]) for m in mappings] == [
        (processor["event_source_arn"], processor["on_failure_destination"])]
    assert processor["on_failure_destination"] == preprocessor["dlq_arn"]


def test_the_api_url_has_the_live_api_id_and_stage(app, aws_client):
    apigateway = aws_client("apigateway")
    api = app["api"]
    assert apigateway.get_rest_api(restApiId=api["id"])["name"] == api["name"]
    assert apigateway.get_stage(restApiId=api["id"], stageName=api["stage"])["stageName"] == api["stage"]
    assert api["url"] == f"https://{api['id']}.execute-api.eu-west-1.amazonaws.com/{api['stage']}"
    live = {item["id"] for item in apigateway.get_rest_apis()["items"] if item["name"].startswith(PREFIX)}
    assert live == {api["id"]}


def test_cognito_ids_are_the_live_ones(app, aws_client):
    idp, identity = aws_client("cognito-idp"), aws_client("cognito-identity")
    auth = app["auth"]
    pool = idp.describe_user_pool(UserPoolId=auth["user_pool_id"])["UserPool"]
    assert pool["Arn"] == auth["user_pool_arn"]
    assert idp.describe_user_pool_client(UserPoolId=auth["user_pool_id"], ClientId=auth["app_client_id"])["UserPoolClient"]
    assert identity.describe_identity_pool(IdentityPoolId=auth["identity_pool_id"])["IdentityPoolId"] == auth["identity_pool_id"]
    assert auth["issuer"] == f"https://cognito-idp.eu-west-1.amazonaws.com/{auth['user_pool_id']}"
    pools = {p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"].startswith(PREFIX)}
    assert pools == {auth["user_pool_id"]}


def test_tables_are_the_live_ones_with_their_streams(app, aws_client):
    dynamodb = aws_client("dynamodb")
    live = {name for name in dynamodb.list_tables()["TableNames"] if name.startswith(PREFIX)}
    assert {table["name"] for table in app["tables"].values()} == live
    for table in app["tables"].values():
        description = dynamodb.describe_table(TableName=table["name"])["Table"]
        assert description["TableArn"] == table["arn"]
        assert description.get("LatestStreamArn", "") == table["stream_arn"]


def test_every_platform_queue_is_in_the_file_and_resolves(app, outputs, aws_client):
    sqs = aws_client("sqs")
    queues = app["queues"]
    urls = {queue["url"] for queue in queues.values()} | {queue["dlq_url"] for queue in queues.values() if queue["dlq_url"]}
    assert set(sqs.list_queues(QueueNamePrefix=PREFIX)["QueueUrls"]) == urls
    for queue in queues.values():
        for url, arn in ((queue["url"], queue["arn"]), (queue["dlq_url"], queue["dlq_arn"])):
            if url:
                assert sqs.get_queue_url(QueueName=url.rsplit("/", 1)[-1])["QueueUrl"] == url
                assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"] == arn
    for name, target in outputs["messaging"]["redrive_targets"].items():
        policy = sqs.get_queue_attributes(QueueUrl=queues[name]["url"], AttributeNames=["RedrivePolicy"])["Attributes"]
        assert f'"{target}"' in policy["RedrivePolicy"] and target == queues[name]["dlq_arn"]


def test_every_platform_topic_is_in_the_file_with_its_live_subscriptions(app, outputs, aws_client):
    sns = aws_client("sns")
    live = {topic["TopicArn"] for topic in sns.list_topics()["Topics"] if f":{PREFIX}-" in topic["TopicArn"]}
    assert set(app["topics"].values()) == live
    for name, subscriptions in outputs["messaging"]["subscriptions"].items():
        arn = app["topics"][name]
        listed = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        assert sorted((s["Protocol"], s["Endpoint"]) for s in listed) == sorted(
            (s["protocol"], s["endpoint"]) for s in subscriptions)


def test_every_platform_bucket_is_in_the_file(app, aws_client):
    s3 = aws_client("s3")
    live = {bucket["Name"] for bucket in s3.list_buckets()["Buckets"] if bucket["Name"].startswith(PREFIX)}
    assert {bucket["name"] for bucket in app["buckets"].values()} == live
    assert all(bucket["arn"] == f"arn:aws:s3:::{bucket['name']}" for bucket in app["buckets"].values())


def test_container_clusters_load_balancers_and_dax_are_the_live_ones(app, aws_client):
    containers = app["containers"]
    eks = aws_client("eks").describe_cluster(name=containers["eks"]["cluster_name"])["cluster"]
    assert (eks["endpoint"], eks["arn"]) == (containers["eks"]["endpoint"], containers["eks"]["cluster_arn"])
    ecs = aws_client("ecs").describe_clusters(clusters=[containers["ecs"]["cluster_name"]])["clusters"]
    assert [cluster["clusterArn"] for cluster in ecs] == [containers["ecs"]["cluster_arn"]]
    balancers = {lb["DNSName"] for lb in aws_client("elbv2").describe_load_balancers()["LoadBalancers"]}
    assert {containers["ecs"]["load_balancer_dns_name"], containers["ecs"]["alb_dns_name"]} <= balancers
    dax = aws_client("dax").describe_clusters(ClusterNames=[app["dax"]["cluster_name"]])["Clusters"][0]
    endpoint = dax["ClusterDiscoveryEndpoint"]
    assert app["dax"]["endpoint"] == f"{endpoint['Address']}:{endpoint['Port']}"


def test_outputs_md_shows_the_values_per_layer(app, converged_site):
    page = (converged_site.artifacts / "local" / "outputs.md").read_text()
    for heading in ("## Ingestion", "## API and sign-in", "## Data", "## Messaging", "## Containers"):
        assert heading in page
    values = [app["api"]["url"], app["auth"]["user_pool_id"], app["auth"]["app_client_id"], app["auth"]["identity_pool_id"],
              app["containers"]["eks"]["endpoint"], app["containers"]["ecs"]["load_balancer_dns_name"], app["dax"]["endpoint"],
              *(queue["url"] for queue in app["queues"].values()), *(queue["dlq_url"] for queue in app["queues"].values()),
              *app["topics"].values(), *(table["arn"] for table in app["tables"].values()),
              *(stream["arn"] for stream in app["streams"].values())]
    missing = [value for value in values if value and value not in page]
    assert not missing


def svg_graph(svg_file):
    """(node id -> its label text, edges as (from id, to id)) read back from graphviz's SVG."""
    ns = {"svg": "http://www.w3.org/2000/svg"}
    root = ElementTree.parse(svg_file).getroot()
    nodes, edges = {}, set()
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        title = group.find("svg:title", ns)
        if group.get("class") == "node":
            nodes[title.text] = " ".join(text.text or "" for text in group.iter("{http://www.w3.org/2000/svg}text"))
        elif group.get("class") == "edge":
            source, target = title.text.split("->")
            edges.add((source, target))
    return nodes, edges


def test_platform_picture_draws_the_provisioned_flows(app, outputs, converged_site):
    env = dict(converged_site.env, PLATFORM_ARTIFACTS_DIR=str(converged_site.artifacts))
    run = subprocess.run(["./platform", "picture", "local"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                         timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    folder = converged_site.artifacts / "local"
    assert (folder / "platform.dot").read_text().startswith("digraph platform {")
    png = (folder / "platform.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 800 and height > 800 and len(png) > 50_000

    nodes, edges = svg_graph(folder / "platform.svg")

    def node(*words):
        found = [node_id for node_id, text in nodes.items() if all(word in text for word in words)]
        assert len(found) == 1, (words, found)
        return found[0]

    stream = node("Kinesis stream", app["streams"]["clickstream"]["name"])
    preprocessor = node("Lambda", app["preprocessor"]["function_name"])
    api = node("REST API", app["api"]["name"])
    flows = {
        "producers -> stream": (node("producers"), stream),
        "stream -> preprocessor": (stream, preprocessor),
        "preprocessor -> table": (preprocessor, node("DynamoDB table", app["preprocessor"]["table_name"])),
        "preprocessor -> its DLQ": (preprocessor, node("dead-letter queue", os.path.basename(app["preprocessor"]["dlq_url"]))),
        "/events -> stream": (api, stream),
        "API -> authorizer": (api, node("Lambda", outputs["api_gateway"]["authorizer_function"])),
        "API -> to-do function": (api, node("Lambda", outputs["api_gateway"]["todo_function"])),
        "to-do function -> table": (node("Lambda", outputs["api_gateway"]["todo_function"]),
                                    node("DynamoDB table", app["tables"]["todos"]["name"])),
        "topic -> queue": (node("SNS topic", f"{PREFIX}-order-placed"), node("SQS queue", f"{PREFIX}-billing")),
        "queue -> DLQ": (node("SQS queue", f"{PREFIX}-billing"), node("dead-letter queue", f"{PREFIX}-billing-dlq")),
        "ALB -> ECS service": (node("ALB"), node("ECS service", "payments")),
        "CloudTrail -> bucket": (node("CloudTrail"), node("S3 bucket", outputs["cloudtrail"]["bucket"])),
        "Config -> bucket": (node("AWS Config recorder"), node("S3 bucket", outputs["config_rules"]["delivery_bucket"])),
        "WAF -> API": (node("WAF web ACL"), api),
    }
    missing = [name for name, edge in flows.items() if edge not in edges]
    assert not missing, missing
