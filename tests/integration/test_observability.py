"""The observability role on the emulator: alerts topic, alarms, dashboard, log groups.

One module-scoped converge: check mode on an empty environment (nothing made), one
run with bad input (fails before any change, naming each variable), then the
watched resources are made with boto3 (what the earlier layers would have made:
a function, a REST API stage with execution logging, a table, an ECS service in
a Container Insights cluster, an EKS cluster, a stream and queues, a log group
without retention or key, and another role's alarm), and the role runs twice
and in check mode. The messaging and logs keys are made with boto3 (the kms
role's aliases).
"""

import io
import json
import os
import zipfile

import boto3
import pytest

from emulator import launcher
from tests.playbook import run_playbook

PREFIX = "rtap-local"
ACCOUNT, REGION = "123456789012", "eu-west-1"
PLAYBOOK = "tests/integration/playbooks/observability/observability.yml"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-alerts"
SUBSCRIBERS = {"observability_alert_emails": ["oncall@example.com"],
               "observability_alert_https_endpoints": ["https://hooks.example.com/alerts"]}
BAD_INPUT = {
    "observability_ecs_cpu_percent": 150,
    "observability_lambda_duration_timeout_ratio": 2,
    "observability_alarm_period_seconds": 90,
    "observability_alarm_datapoints_to_alarm": 9,
    "observability_log_retention_days": 31,
    "observability_alert_emails": ["not-an-email"],
    "observability_alert_https_endpoints": ["http://hooks.example.com/alerts"],
}


def _seed(c):
    """The resources the earlier layers would have made."""
    role = c("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    c("lambda").create_function(FunctionName=f"{PREFIX}-orders", Runtime="python3.12", Role=role,
                                Handler="handler.handler", Code={"ZipFile": code.getvalue()}, Timeout=30)
    c("logs").create_log_group(logGroupName=f"/aws/lambda/{PREFIX}-orders")  # as Lambda makes it: no retention, no key
    c("dynamodb").create_table(TableName=f"{PREFIX}-todos", BillingMode="PAY_PER_REQUEST",
                               AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                               KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    apigw = c("apigateway")
    api = apigw.create_rest_api(name=f"{PREFIX}-api")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_stage(restApiId=api, stageName="local", deploymentId=apigw.create_deployment(restApiId=api)["id"])
    apigw.update_stage(restApiId=api, stageName="local",
                       patchOperations=[{"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"}])
    ecs = c("ecs")
    ecs.create_cluster(clusterName=f"{PREFIX}-cluster", settings=[{"name": "containerInsights", "value": "enabled"}])
    task = ecs.register_task_definition(family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}])
    ecs.create_service(cluster=f"{PREFIX}-cluster", serviceName=f"{PREFIX}-web", desiredCount=0,
                       taskDefinition=task["taskDefinition"]["taskDefinitionArn"])
    c("eks").create_cluster(name=f"{PREFIX}-eks", roleArn=role, resourcesVpcConfig={"subnetIds": []})
    c("kinesis").create_stream(StreamName=f"{PREFIX}-events", ShardCount=1)
    c("sqs").create_queue(QueueName=f"{PREFIX}-orders")
    c("sqs").create_queue(QueueName=f"{PREFIX}-orders-dlq")
    # Another role's alarm on the function's errors: the role must not duplicate it.
    c("cloudwatch").put_metric_alarm(
        AlarmName=f"{PREFIX}-orders-errors", Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum",
        Dimensions=[{"Name": "FunctionName", "Value": f"{PREFIX}-orders"}], Period=60, EvaluationPeriods=1,
        Threshold=0, ComparisonOperator="GreaterThanThreshold")
    return api


def _nothing_made(c):
    return {
        "topics": c("sns").list_topics()["Topics"],
        "alarms": c("cloudwatch").describe_alarms()["MetricAlarms"],
        "dashboards": c("cloudwatch").list_dashboards()["DashboardEntries"],
        "log_groups": c("logs").describe_log_groups()["logGroups"],
    }


@pytest.fixture(scope="module")
def converged(emulator, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)

    def c(service):
        return boto3.client(service, endpoint_url=emulator.url, verify=str(emulator.ca_bundle), region_name=REGION,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    keys = {}
    for purpose in ("messaging", "logs"):
        key = c("kms").create_key(Description=purpose)["KeyMetadata"]
        c("kms").create_alias(AliasName=f"alias/{PREFIX}-{purpose}", TargetKeyId=key["KeyId"])
        keys[purpose] = key["Arn"]
    env = dict(os.environ, **emulator.env())
    artifacts = tmp_path_factory.mktemp("artifacts")
    runs = {"empty_check": run_playbook(env, PLAYBOOK, "--check", artifacts=artifacts)}
    made_by_check = _nothing_made(c)
    runs["bad"] = run_playbook(env, PLAYBOOK, "-e", json.dumps(BAD_INPUT), artifacts=artifacts)
    made_by_bad = _nothing_made(c)
    api = _seed(c)
    extra = ("-e", json.dumps(SUBSCRIBERS))
    runs["first"] = run_playbook(env, PLAYBOOK, *extra, artifacts=artifacts)
    launcher.reset_api_calls(emulator.url, emulator.ca_bundle)
    runs["second"] = run_playbook(env, PLAYBOOK, *extra, artifacts=artifacts)
    rerun_calls = launcher.api_calls(emulator.url, emulator.ca_bundle)
    runs["check"] = run_playbook(env, PLAYBOOK, *extra, "--check", "--diff", artifacts=artifacts)
    return {"runs": runs, "c": c, "keys": keys, "api": api, "env": env, "artifacts": artifacts,
            "made_by_check": made_by_check, "made_by_bad": made_by_bad, "rerun_calls": rerun_calls}


def test_check_mode_on_an_empty_environment_creates_nothing(converged):
    run = converged["runs"]["empty_check"]
    assert run.returncode == 0, run.output[-3000:]
    assert run.recap["changed"] > 0  # it predicts the topic and the dashboard
    assert converged["made_by_check"] == {"topics": [], "alarms": [], "dashboards": [], "log_groups": []}


def test_bad_input_fails_before_any_change_naming_each_variable(converged):
    run = converged["runs"]["bad"]
    assert run.returncode != 0
    for name in BAD_INPUT:
        assert f"{name}: " in run.output, (name, run.output[-3000:])
    assert run.recap["changed"] == 0
    assert converged["made_by_bad"] == {"topics": [], "alarms": [], "dashboards": [], "log_groups": []}


def test_converges_idempotently_and_check_mode_predicts_no_change(converged):
    runs = converged["runs"]
    assert runs["first"].returncode == 0, runs["first"].output[-3000:]
    assert runs["first"].recap["changed"] > 0
    assert runs["second"].returncode == 0 and runs["second"].recap["changed"] == 0, runs["second"].changed_tasks
    assert runs["check"].returncode == 0 and runs["check"].recap["changed"] == 0, runs["check"].changed_tasks


def test_a_rerun_reads_the_tags_of_alarms_and_log_groups_in_bulk(converged):
    """No mutating call; one GetResources per module task (log groups, alarms) instead of one
    ListTagsForResource per alarm and per log group; the CloudWatch reads do not grow with the alarms."""
    calls = converged["rerun_calls"]
    assert calls["mutating"] == 0, [c for c in calls["calls"] if c["mutating"]]
    count = {(c["service"], c["operation"]): c["count"] for c in calls["calls"]}
    assert ("cloudwatch", "ListTagsForResource") not in count, count
    assert ("logs", "ListTagsForResource") not in count, count
    assert count[("resourcegroupstaggingapi", "GetResources")] == 2, count
    alarms = converged["c"]("cloudwatch").describe_alarms(AlarmNamePrefix=f"{PREFIX}-obs-")["MetricAlarms"]
    cloudwatch_reads = sum(n for (service, _), n in count.items() if service == "cloudwatch")
    assert cloudwatch_reads <= 4 < len(alarms), count


def test_alerts_topic_is_encrypted_with_subscribers_and_a_policy_for_cloudwatch(converged):
    sns = converged["c"]("sns")
    attributes = sns.get_topic_attributes(TopicArn=TOPIC)["Attributes"]
    assert attributes["KmsMasterKeyId"] == f"alias/{PREFIX}-messaging"
    statements = {s["Sid"]: s for s in json.loads(attributes["Policy"])["Statement"]}
    publish = statements["CloudWatchAlarmsPublish"]
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"} and publish["Action"] == "sns:Publish"
    assert publish["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    deny = statements["DenyInsecureTransport"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=TOPIC)["Subscriptions"]
    assert sorted((s["Protocol"], s["Endpoint"]) for s in subscriptions) == [
        ("email", "oncall@example.com"), ("https", "https://hooks.example.com/alerts")]


def test_alarms_cover_each_layer_with_the_declared_settings(converged):
    cloudwatch = converged["c"]("cloudwatch")
    alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms(AlarmNamePrefix=f"{PREFIX}-obs-")["MetricAlarms"]}
    own = f"{PREFIX}-obs-"
    assert set(alarms) == {own + n for n in (
        "lambda-orders-throttles", "lambda-orders-duration",  # errors: another role's alarm watches it
        "api-api-local-4xx-rate", "api-api-local-5xx-rate", "api-api-local-latency-p99",
        "dynamodb-todos-read-throttles", "dynamodb-todos-write-throttles",
        "ecs-cluster-web-cpu", "ecs-cluster-web-memory", "eks-eks-node-cpu", "eks-eks-node-memory")}
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [TOPIC] and alarm["OKActions"] == [TOPIC], alarm["AlarmName"]
        assert alarm["EvaluationPeriods"] == 5 and alarm["DatapointsToAlarm"] == 3
        assert alarm["TreatMissingData"] == "notBreaching"
    duration = alarms[own + "lambda-orders-duration"]
    assert (duration["Namespace"], duration["MetricName"], duration["ExtendedStatistic"]) == ("AWS/Lambda", "Duration", "p99")
    assert duration["Threshold"] == 24000.0  # 80 % of the function's 30 s timeout, read from Lambda
    assert duration["Dimensions"] == [{"Name": "FunctionName", "Value": f"{PREFIX}-orders"}]
    rate = alarms[own + "api-api-local-5xx-rate"]
    assert rate["Threshold"] == 1.0
    queries = {q["Id"]: q for q in rate["Metrics"]}
    assert queries["rate"]["ReturnData"] is True and "errors / total * 100" in queries["rate"]["Expression"]
    assert queries["errors"]["MetricStat"]["Metric"]["MetricName"] == "5XXError"
    assert queries["total"]["MetricStat"]["Metric"]["MetricName"] == "Count"
    assert queries["errors"]["MetricStat"]["Metric"]["Dimensions"] == [
        {"Name": "ApiName", "Value": f"{PREFIX}-api"}, {"Name": "Stage", "Value": "local"}]
    throttles = alarms[own + "dynamodb-todos-write-throttles"]
    assert (throttles["MetricName"], throttles["Statistic"], throttles["Threshold"]) == ("WriteThrottleEvents", "Sum", 0.0)
    eks = alarms[own + "eks-eks-node-memory"]
    assert (eks["Namespace"], eks["MetricName"]) == ("ContainerInsights", "node_memory_utilization")
    assert eks["Dimensions"] == [{"Name": "ClusterName", "Value": f"{PREFIX}-eks"}]
    tags = cloudwatch.list_tags_for_resource(ResourceARN=duration["AlarmArn"])["Tags"]
    assert {"Key": "Layer", "Value": "observability"} in tags


def test_dashboard_has_a_row_per_layer_and_the_alarms(converged):
    body = json.loads(converged["c"]("cloudwatch").get_dashboard(DashboardName=f"{PREFIX}-platform")["DashboardBody"])
    rows = [w["properties"]["markdown"] for w in body["widgets"] if w["type"] == "text"]
    assert rows == ["## Ingestion", "## Data", "## Messaging", "## API", "## Containers"]
    metrics = {w["properties"]["title"]: w["properties"]["metrics"] for w in body["widgets"] if w["type"] == "metric"}
    assert metrics["Iterator age (ms)"] == [["AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "StreamName",
                                            f"{PREFIX}-events", {"stat": "Maximum"}]]
    assert metrics["Dead-letter queue depth"][0][3] == f"{PREFIX}-orders-dlq"
    assert [m[3] for m in metrics["Queue depth"]] == [f"{PREFIX}-orders"]
    assert metrics["API 5XX"] == [["AWS/ApiGateway", "5XXError", "ApiName", f"{PREFIX}-api", "Stage", "local", {"stat": "Sum"}]]
    assert {m[0] for m in metrics["CPU utilisation (%)"]} == {"AWS/ECS", "ContainerInsights"}
    alarm_widget, = [w for w in body["widgets"] if w["type"] == "alarm"]
    arns = alarm_widget["properties"]["alarms"]
    assert f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{PREFIX}-orders-errors" in arns
    assert f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{PREFIX}-obs-lambda-orders-duration" in arns


def test_log_groups_have_retention_and_the_logs_key(converged):
    groups = {g["logGroupName"]: g for g in converged["c"]("logs").describe_log_groups()["logGroups"]}
    api = converged["api"]
    expected = {f"API-Gateway-Execution-Logs_{api}/local",
                f"/aws/ecs/containerinsights/{PREFIX}-cluster/performance",
                f"/aws/lambda/{PREFIX}-orders"} | {f"/aws/containerinsights/{PREFIX}-eks/{kind}"
                                                  for kind in ("application", "dataplane", "host", "performance")}
    assert set(groups) == expected
    for name, group in groups.items():
        assert group.get("kmsKeyId") == converged["keys"]["logs"], name
        assert group.get("retentionInDays") == 7, name  # the local inventory's observability_log_retention_days


def test_a_layer_switched_off_loses_its_alarms(converged):
    run = run_playbook(converged["env"], PLAYBOOK, "-e", json.dumps(dict(SUBSCRIBERS, observability_dynamodb_alarms=False)),
                       artifacts=converged["artifacts"])
    assert run.returncode == 0, run.output[-3000:]
    names = [a["AlarmName"] for a in converged["c"]("cloudwatch").describe_alarms(AlarmNamePrefix=f"{PREFIX}-obs-")["MetricAlarms"]]
    assert names and not [n for n in names if "-dynamodb-" in n]


def test_absent_deletes_the_dashboard_own_alarms_and_topic_only(converged):
    run = run_playbook(converged["env"], PLAYBOOK, "-e", json.dumps({"observability_state": "absent"}),
                       artifacts=converged["artifacts"])
    assert run.returncode == 0, run.output[-3000:]
    c = converged["c"]
    assert [a["AlarmName"] for a in c("cloudwatch").describe_alarms()["MetricAlarms"]] == [f"{PREFIX}-orders-errors"]
    assert c("cloudwatch").list_dashboards()["DashboardEntries"] == []
    assert c("sns").list_topics()["Topics"] == []
    assert len(c("logs").describe_log_groups()["logGroups"]) == 7  # log groups stay with their services
