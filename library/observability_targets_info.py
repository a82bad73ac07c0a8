#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: observability_targets_info
short_description: List, by name prefix, the resources a platform's alarms, dashboard and log groups cover
description:
  - Lists, with read calls only, the Lambda functions, REST APIs and their stages, DynamoDB tables,
    ECS clusters and services, EKS clusters, SQS queues, Kinesis streams and CloudWatch Logs log
    groups whose name starts with O(name_prefix), and the metrics that existing alarms outside
    O(own_alarm_prefix) already watch.
  - One module run replaces about ten info tasks.
author:
  - Ansible toolkit contributors
options:
  name_prefix:
    description: The prefix of every resource name of the platform.
    required: true
    type: str
  own_alarm_prefix:
    description: The name prefix of the caller's own alarms; their metrics are not reported in RV(watched).
    type: str
    default: ""
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: What the observability role watches
  observability_targets_info:
    name_prefix: rtap-dev-
    own_alarm_prefix: rtap-dev-obs-
  register: targets
"""

RETURN = r"""
functions:
  description: Lambda functions, with their timeout in seconds.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "rtap-dev-preprocessor", "timeout": 30}]
rest_apis:
  description: REST APIs with their stages, and whether a stage writes execution logs (C(loggingLevel) INFO or ERROR).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "rtap-dev-api", "id": "a1b2c3d4e5", "stages": [{"name": "dev", "execution_logging": true}]}]
tables:
  description: DynamoDB table names.
  returned: always
  type: list
  elements: str
  sample: ["rtap-dev-events"]
ecs_clusters:
  description: ECS clusters, whether Container Insights is on, and their service names.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "rtap-dev", "container_insights": true, "services": ["rtap-dev-web"]}]
eks_clusters:
  description: EKS cluster names.
  returned: always
  type: list
  elements: str
  sample: ["rtap-dev"]
queues:
  description: SQS queue names.
  returned: always
  type: list
  elements: str
  sample: ["rtap-dev-orders"]
streams:
  description: Kinesis stream names.
  returned: always
  type: list
  elements: str
  sample: ["rtap-dev-events"]
log_groups:
  description: Log groups whose name contains O(name_prefix), with retention (0 = never expire) and KMS key.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "/aws/lambda/rtap-dev-preprocessor", "retention_days": 30, "kms_key_id": ""}]
alarms:
  description: Names of the metric alarms whose name starts with O(name_prefix) (every role's, this caller's included).
  returned: always
  type: list
  elements: str
  sample: ["rtap-dev-orders-dlq-not-empty"]
watched:
  description: "The metrics other alarms watch, each as C(namespace|metric|name=value,...) (dimensions sorted)."
  returned: always
  type: list
  elements: str
  sample: ["AWS/Lambda|Errors|FunctionName=rtap-dev-preprocessor"]
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def metric_key(namespace, metric, dimensions):
    """A metric's identity as one string: namespace|metric|name=value,... (dimensions sorted by name)."""
    dims = ",".join(f"{d['Name']}={d['Value']}" for d in sorted(dimensions or [], key=lambda d: d["Name"]))
    return f"{namespace}|{metric}|{dims}"


def alarm_metric_keys(alarm):
    """The metrics a described alarm watches (several for a metric math alarm)."""
    if alarm.get("Metrics"):
        keys = []
        for query in alarm["Metrics"]:
            metric = (query.get("MetricStat") or {}).get("Metric")
            if metric:
                keys.append(metric_key(metric.get("Namespace"), metric.get("MetricName"), metric.get("Dimensions")))
        return keys
    if alarm.get("MetricName"):
        return [metric_key(alarm.get("Namespace"), alarm["MetricName"], alarm.get("Dimensions"))]
    return []


def paginate(client, operation, key, **params):
    return AWSRetry.jittered_backoff()(
        lambda: client.get_paginator(operation).paginate(**params).build_full_result().get(key, [])
    )()


def discover(module, prefix, own_alarm_prefix):
    retry = AWSRetry.jittered_backoff()
    client = {s: module.client(s, retry_decorator=retry) for s in
              ("lambda", "apigateway", "dynamodb", "ecs", "eks", "sqs", "kinesis", "logs", "cloudwatch")}
    facts = {}
    facts["functions"] = sorted(
        ({"name": f["FunctionName"], "timeout": f.get("Timeout", 3)}
         for f in paginate(client["lambda"], "list_functions", "Functions") if f["FunctionName"].startswith(prefix)),
        key=lambda f: f["name"],
    )
    apis = []
    for api in paginate(client["apigateway"], "get_rest_apis", "items"):
        if not api.get("name", "").startswith(prefix):
            continue
        stages = client["apigateway"].get_stages(restApiId=api["id"], aws_retry=True).get("item", [])
        apis.append({
            "name": api["name"],
            "id": api["id"],
            "stages": sorted(
                ({"name": s["stageName"],
                  "execution_logging": any(v.get("loggingLevel") in ("INFO", "ERROR") for v in (s.get("methodSettings") or {}).values())}
                 for s in stages),
                key=lambda s: s["name"],
            ),
        })
    facts["rest_apis"] = sorted(apis, key=lambda a: a["name"])
    facts["tables"] = sorted(t for t in paginate(client["dynamodb"], "list_tables", "TableNames") if t.startswith(prefix))
    clusters = []
    arns = paginate(client["ecs"], "list_clusters", "clusterArns")
    for start in range(0, len(arns), 100):
        described = client["ecs"].describe_clusters(clusters=arns[start:start + 100], include=["SETTINGS"], aws_retry=True)
        for cluster in described.get("clusters", []):
            if not cluster["clusterName"].startswith(prefix) or cluster.get("status") != "ACTIVE":
                continue
            settings = {s["name"]: s.get("value") for s in cluster.get("settings") or []}
            services = paginate(client["ecs"], "list_services", "serviceArns", cluster=cluster["clusterArn"])
            clusters.append({
                "name": cluster["clusterName"],
                "container_insights": settings.get("containerInsights") in ("enabled", "enhanced"),
                "services": sorted(arn.split("/")[-1] for arn in services),
            })
    facts["ecs_clusters"] = sorted(clusters, key=lambda c: c["name"])
    facts["eks_clusters"] = sorted(c for c in paginate(client["eks"], "list_clusters", "clusters") if c.startswith(prefix))
    urls = client["sqs"].list_queues(QueueNamePrefix=prefix, aws_retry=True).get("QueueUrls", [])
    facts["queues"] = sorted(url.rsplit("/", 1)[-1] for url in urls)
    facts["streams"] = sorted(s for s in paginate(client["kinesis"], "list_streams", "StreamNames") if s.startswith(prefix))
    facts["log_groups"] = sorted(
        ({"name": g["logGroupName"], "retention_days": g.get("retentionInDays") or 0, "kms_key_id": g.get("kmsKeyId") or ""}
         for g in paginate(client["logs"], "describe_log_groups", "logGroups") if prefix in g["logGroupName"]),
        key=lambda g: g["name"],
    )
    watched = set()
    alarms = paginate(client["cloudwatch"], "describe_alarms", "MetricAlarms", AlarmTypes=["MetricAlarm"])
    facts["alarms"] = sorted(a["AlarmName"] for a in alarms if a["AlarmName"].startswith(prefix))
    for alarm in alarms:
        if own_alarm_prefix and alarm["AlarmName"].startswith(own_alarm_prefix):
            continue
        watched.update(alarm_metric_keys(alarm))
    facts["watched"] = sorted(watched)
    return facts


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(name_prefix=dict(required=True), own_alarm_prefix=dict(default="")),
        supports_check_mode=True,
    )
    try:
        facts = discover(module, module.params["name_prefix"], module.params["own_alarm_prefix"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to list the platform's resources")
    module.exit_json(changed=False, **facts)


if __name__ == "__main__":
    main()
