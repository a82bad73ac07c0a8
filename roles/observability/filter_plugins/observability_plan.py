"""Plan of the observability role: input checks, the alarm catalogue, the log groups to create or adopt.

observability_input_errors checks the role's variables before any AWS call.
observability_alarm_plan turns what observability_targets_info found into the
entries of the cloudwatch_metric_alarms module, one layer after the other,
leaving out metrics another role's alarm already watches.
observability_log_group_plan lists the log groups AWS creates on the platform's
behalf (made ahead with retention and the logs key) and the platform's log groups
that lack a retention or a key.
"""

import re

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# CloudWatch Logs PutRetentionPolicy accepts these values only.
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                  3288, 3653)
LAYERS = ("lambda", "api", "dynamodb", "ecs", "eks")
# name: (minimum, maximum) of each numeric threshold.
THRESHOLDS = {
    "observability_lambda_errors_threshold": (0, 1000000),
    "observability_lambda_throttles_threshold": (0, 1000000),
    "observability_lambda_duration_timeout_ratio": (0.1, 1.0),
    "observability_api_4xx_rate_percent": (0, 100),
    "observability_api_5xx_rate_percent": (0, 100),
    "observability_api_latency_p99_ms": (1, 29000),
    "observability_dynamodb_throttles_threshold": (0, 1000000),
    "observability_ecs_cpu_percent": (1, 100),
    "observability_ecs_memory_percent": (1, 100),
    "observability_eks_cpu_percent": (1, 100),
    "observability_eks_memory_percent": (1, 100),
    "observability_alarm_evaluation_periods": (1, 100),
    "observability_alarm_datapoints_to_alarm": (1, 100),
}
EKS_LOG_KINDS = ("application", "dataplane", "host", "performance")


def _number(value):
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def observability_input_errors(values):
    """Every broken rule of the role's input, as "<variable>: <rule>, got <value>"."""
    errors = []
    for name, (low, high) in THRESHOLDS.items():
        number = _number(values.get(name))
        if number is None or not low <= number <= high:
            errors.append(f"{name}: a number from {low} to {high}, got {values.get(name)!r}")
    evaluation = _number(values.get("observability_alarm_evaluation_periods"))
    datapoints = _number(values.get("observability_alarm_datapoints_to_alarm"))
    if evaluation is not None and datapoints is not None and datapoints > evaluation:
        errors.append("observability_alarm_datapoints_to_alarm: at most observability_alarm_evaluation_periods "
                      f"({values.get('observability_alarm_evaluation_periods')}), got {values.get('observability_alarm_datapoints_to_alarm')!r}")
    period = _number(values.get("observability_alarm_period_seconds"))
    if period is None or period < 60 or period % 60:
        errors.append(f"observability_alarm_period_seconds: a multiple of 60, got {values.get('observability_alarm_period_seconds')!r}")
    retention = values.get("observability_log_retention_days")
    if isinstance(retention, bool) or _number(retention) is None or int(float(retention)) not in RETENTION_DAYS \
            or float(retention) != int(float(retention)):
        errors.append(f"observability_log_retention_days: one of {', '.join(map(str, RETENTION_DAYS))}, got {retention!r}")
    emails = values.get("observability_alert_emails")
    if not isinstance(emails, list):
        errors.append(f"observability_alert_emails: a list of email addresses, got {emails!r}")
    else:
        for email in emails:
            if not isinstance(email, str) or not EMAIL.match(email):
                errors.append(f"observability_alert_emails: an email address, got {email!r}")
    endpoints = values.get("observability_alert_https_endpoints")
    if not isinstance(endpoints, list):
        errors.append(f"observability_alert_https_endpoints: a list of https:// URLs, got {endpoints!r}")
    else:
        for url in endpoints:
            if not isinstance(url, str) or not re.match(r"^https://[^\s/]+", url):
                errors.append(f"observability_alert_https_endpoints: an https:// URL, got {url!r}")
    return errors


def _key(namespace, metric, dimensions):
    dims = ",".join(f"{name}={value}" for name, value in sorted(dimensions.items()))
    return f"{namespace}|{metric}|{dims}"


def _short(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


def observability_alarm_plan(targets, settings):
    """The cloudwatch_metric_alarms entries for what targets holds, layer by layer.

    settings: alarm_prefix (own alarms' name prefix), resource_prefix (the platform's
    '<prefix>-'), layers (dict layer -> enabled), period, evaluation_periods,
    datapoints_to_alarm, and the thresholds (names without the observability_ prefix).
    """
    targets = targets or {}
    watched = set(targets.get("watched") or [])
    prefix = settings["alarm_prefix"]
    resource_prefix = settings["resource_prefix"]
    period = int(settings["period"])
    common = {
        "evaluation_periods": int(settings["evaluation_periods"]),
        "datapoints_to_alarm": int(settings["datapoints_to_alarm"]),
        "treat_missing_data": "notBreaching",
    }
    layers = settings.get("layers") or {}
    alarms = []

    def plain(name, description, namespace, metric, dimensions, threshold, statistic=None, extended=None,
              comparison="GreaterThanThreshold"):
        if _key(namespace, metric, dimensions) in watched:
            return
        alarm = dict(common, name=prefix + name, description=description, namespace=namespace, metric_name=metric,
                     dimensions=dict(dimensions), period=period, threshold=float(threshold), comparison=comparison)
        if extended:
            alarm["extended_statistic"] = extended
        else:
            alarm["statistic"] = statistic
        alarms.append(alarm)

    def rate(name, description, namespace, errors_metric, total_metric, dimensions, threshold):
        if _key(namespace, errors_metric, dimensions) in watched:
            return
        stat = {"namespace": namespace, "dimensions": dict(dimensions), "period": period, "stat": "Sum"}
        alarms.append(dict(common, name=prefix + name, description=description, threshold=float(threshold),
                           comparison="GreaterThanThreshold", metrics=[
                               {"id": "rate", "expression": "IF(total > 0, errors / total * 100, 0)",
                                "label": f"{errors_metric} rate (%)", "return_data": True},
                               {"id": "errors", "metric_stat": dict(stat, metric_name=errors_metric), "return_data": False},
                               {"id": "total", "metric_stat": dict(stat, metric_name=total_metric), "return_data": False},
                           ]))

    if layers.get("lambda", True):
        for function in targets.get("functions") or []:
            name, short = function["name"], _short(function["name"], resource_prefix)
            dims = {"FunctionName": name}
            plain(f"lambda-{short}-errors", f"{name} raised errors", "AWS/Lambda", "Errors", dims,
                  settings["lambda_errors_threshold"], statistic="Sum")
            plain(f"lambda-{short}-throttles", f"{name} was throttled", "AWS/Lambda", "Throttles", dims,
                  settings["lambda_throttles_threshold"], statistic="Sum")
            limit = round(float(function["timeout"]) * 1000 * float(settings["lambda_duration_timeout_ratio"]))
            plain(f"lambda-{short}-duration", f"{name} p99 duration is near its {function['timeout']} s timeout",
                  "AWS/Lambda", "Duration", dims, limit, extended="p99")
    if layers.get("api", True):
        for api in targets.get("rest_apis") or []:
            short = _short(api["name"], resource_prefix)
            for stage in api.get("stages") or []:
                dims = {"ApiName": api["name"], "Stage": stage["name"]}
                base = f"api-{short}-{stage['name']}"
                rate(f"{base}-4xx-rate", f"{api['name']} {stage['name']}: 4XX responses (% of requests)",
                     "AWS/ApiGateway", "4XXError", "Count", dims, settings["api_4xx_rate_percent"])
                rate(f"{base}-5xx-rate", f"{api['name']} {stage['name']}: 5XX responses (% of requests)",
                     "AWS/ApiGateway", "5XXError", "Count", dims, settings["api_5xx_rate_percent"])
                plain(f"{base}-latency-p99", f"{api['name']} {stage['name']}: p99 latency (ms)", "AWS/ApiGateway",
                      "Latency", dims, settings["api_latency_p99_ms"], extended="p99")
    if layers.get("dynamodb", True):
        for table in targets.get("tables") or []:
            short = _short(table, resource_prefix)
            for kind in ("Read", "Write"):
                plain(f"dynamodb-{short}-{kind.lower()}-throttles", f"{table}: {kind.lower()} requests throttled",
                      "AWS/DynamoDB", f"{kind}ThrottleEvents", {"TableName": table},
                      settings["dynamodb_throttles_threshold"], statistic="Sum")
    if layers.get("ecs", True):
        for cluster in targets.get("ecs_clusters") or []:
            for service in cluster.get("services") or []:
                dims = {"ClusterName": cluster["name"], "ServiceName": service}
                base = f"ecs-{_short(cluster['name'], resource_prefix)}-{_short(service, resource_prefix)}"
                plain(f"{base}-cpu", f"{service}: CPU utilisation (%)", "AWS/ECS", "CPUUtilization", dims,
                      settings["ecs_cpu_percent"], statistic="Average")
                plain(f"{base}-memory", f"{service}: memory utilisation (%)", "AWS/ECS", "MemoryUtilization", dims,
                      settings["ecs_memory_percent"], statistic="Average")
    if layers.get("eks", True):
        for cluster in targets.get("eks_clusters") or []:
            dims = {"ClusterName": cluster}
            base = f"eks-{_short(cluster, resource_prefix) or 'cluster'}"
            plain(f"{base}-node-cpu", f"{cluster}: node CPU utilisation (%)", "ContainerInsights",
                  "node_cpu_utilization", dims, settings["eks_cpu_percent"], statistic="Average")
            plain(f"{base}-node-memory", f"{cluster}: node memory utilisation (%)", "ContainerInsights",
                  "node_memory_utilization", dims, settings["eks_memory_percent"], statistic="Average")
    return alarms


def observability_log_group_plan(targets, retention_days, kms_key_arn, tags=None):
    """The cloudwatch_log_groups entries: groups AWS would create, and platform groups lacking retention or key.

    Groups AWS creates on the platform's behalf get the role's retention and the logs key.
    Groups the platform's roles made themselves keep their role's retention; only a missing
    retention (never expire) or a missing key is set here, so no two roles fight over a value.
    """
    targets = targets or {}
    managed = []
    for api in targets.get("rest_apis") or []:
        for stage in api.get("stages") or []:
            if stage.get("execution_logging"):
                managed.append(f"API-Gateway-Execution-Logs_{api['id']}/{stage['name']}")
    for cluster in targets.get("ecs_clusters") or []:
        if cluster.get("container_insights"):
            managed.append(f"/aws/ecs/containerinsights/{cluster['name']}/performance")
    for cluster in targets.get("eks_clusters") or []:
        managed.extend(f"/aws/containerinsights/{cluster}/{kind}" for kind in EKS_LOG_KINDS)
    plan = [{"name": name, "retention_days": int(retention_days), "kms_key_id": kms_key_arn, "tags": dict(tags or {})}
            for name in managed]
    for group in targets.get("log_groups") or []:
        if group["name"] in managed:
            continue
        entry = {"name": group["name"]}
        if not group.get("retention_days"):
            entry["retention_days"] = int(retention_days)
        if not group.get("kms_key_id"):
            entry["kms_key_id"] = kms_key_arn
        if len(entry) > 1:
            plan.append(entry)
    return plan


def observability_subscriptions(emails, https_endpoints):
    """The sns_topics subscriptions of the alerts topic."""
    return [{"protocol": "email", "endpoint": e} for e in emails or []] + \
        [{"protocol": "https", "endpoint": u} for u in https_endpoints or []]


class FilterModule:
    def filters(self):
        return {
            "observability_input_errors": observability_input_errors,
            "observability_alarm_plan": observability_alarm_plan,
            "observability_log_group_plan": observability_log_group_plan,
            "observability_subscriptions": observability_subscriptions,
        }
