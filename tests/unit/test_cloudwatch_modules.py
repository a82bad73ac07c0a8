"""Unit tests for the CloudWatch modules (metric alarms, dashboard, log groups, targets info) and the
observability role's plan filters: the pure logic, without AWS."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


alarms = _load("cloudwatch_metric_alarms", ROOT / "library" / "cloudwatch_metric_alarms.py")
dashboard = _load("cloudwatch_dashboard", ROOT / "library" / "cloudwatch_dashboard.py")
log_groups = _load("cloudwatch_log_groups", ROOT / "library" / "cloudwatch_log_groups.py")
targets_info = _load("observability_targets_info", ROOT / "library" / "observability_targets_info.py")
plan = _load("observability_plan", ROOT / "roles" / "observability" / "filter_plugins" / "observability_plan.py")

TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts"


def plain_alarm(**overrides):
    alarm = dict(name="fn-duration", description="slow", namespace="AWS/Lambda", metric_name="Duration",
                 dimensions={"FunctionName": "fn"}, statistic=None, extended_statistic="p99", unit=None, period=60,
                 metrics=None, evaluation_periods=5, datapoints_to_alarm=3, threshold=24000, comparison="GreaterThanThreshold",
                 treat_missing_data="notBreaching", actions_enabled=True, alarm_actions=None, ok_actions=None,
                 insufficient_data_actions=[], tags=None)
    alarm.update(overrides)
    return alarm


def math_alarm(**overrides):
    stat = {"namespace": "AWS/ApiGateway", "dimensions": {"Stage": "prod", "ApiName": "api"}, "period": 60, "stat": "Sum", "unit": None}
    base = dict(name="api-5xx", namespace=None, metric_name=None, dimensions={}, extended_statistic=None, period=None,
                metrics=[
                           {"id": "rate", "expression": "errors / total * 100", "label": "rate", "return_data": None,
                            "period": None, "metric_stat": None},
                           {"id": "errors", "expression": None, "label": None, "return_data": None, "period": None,
                            "metric_stat": dict(stat, metric_name="5XXError")},
                           {"id": "total", "expression": None, "label": None, "return_data": None, "period": None,
                            "metric_stat": dict(stat, metric_name="Count")},
                ])
    base.update(overrides)
    return plain_alarm(**base)


def described(definition):
    """What DescribeAlarms returns for a put definition (as AWS shapes it)."""
    out = dict(definition, AlarmArn="arn:aws:cloudwatch:eu-west-1:123456789012:alarm:" + definition["AlarmName"],
               StateValue="OK", Dimensions=list(reversed(definition.get("Dimensions", []))))
    out.setdefault("Metrics", [])
    out.setdefault("OKActions", [])
    return out


@pytest.mark.parametrize("alarm", [plain_alarm(), math_alarm()], ids=["plain", "metric math"])
def test_an_alarm_as_described_does_not_differ(alarm):
    desired = alarms.desired_definition(alarm, {"alarm_actions": [TOPIC], "ok_actions": []})
    assert alarms.differing_keys(alarms.live_definition(described(desired)), desired) == []


def test_a_changed_threshold_or_action_differs():
    defaults = {"alarm_actions": [TOPIC], "ok_actions": []}
    live = alarms.live_definition(described(alarms.desired_definition(plain_alarm(), defaults)))
    desired = alarms.desired_definition(plain_alarm(threshold=1000, ok_actions=[TOPIC]), defaults)
    assert alarms.differing_keys(live, desired) == ["OKActions", "Threshold"]


def test_dimensions_are_sorted_and_stringified():
    desired = alarms.desired_definition(plain_alarm(dimensions={"b": 1, "a": "x"}), {})
    assert desired["Dimensions"] == [{"Name": "a", "Value": "x"}, {"Name": "b", "Value": "1"}]


def test_metric_math_defaults_return_data_to_the_expression():
    desired = alarms.desired_definition(math_alarm(), {})
    assert [q["ReturnData"] for q in desired["Metrics"]] == [True, False, False]
    assert "Namespace" not in desired and "Period" not in desired


@pytest.mark.parametrize("alarm, message", [
    (plain_alarm(statistic="Sum"), "exactly one of statistic or extended_statistic"),
    (plain_alarm(period=None), "period is required"),
    (math_alarm(namespace="AWS/Lambda"), "namespace cannot be combined with metrics"),
    (math_alarm(threshold=None), "threshold is required"),
])
def test_invalid_alarms_are_refused(alarm, message):
    assert message in alarms.validate_alarm(alarm)


def test_prune_keeps_declared_and_foreign_alarms():
    found = [{"AlarmName": n, "AlarmArn": n} for n in ("obs-a", "obs-b", "other-c")]
    tags = {"obs-a": {"Owner": "obs"}, "obs-b": {"Owner": "obs"}, "other-c": {"Owner": "obs"}}
    assert alarms.prune_candidates(found, {"obs-a"}, "obs-", None, lambda a: tags[a["AlarmName"]]) == ["obs-b"]
    assert alarms.prune_candidates(found, {"obs-a"}, None, {"Owner": "obs"}, lambda a: tags[a["AlarmName"]]) == ["obs-b", "other-c"]


def test_alarm_tags_merge_defaults_and_own():
    assert alarms.alarm_tags({"tags": None}, None) is None
    assert alarms.alarm_tags({"tags": {"a": 1}}, {"a": "x", "b": "y"}) == {"a": "1", "b": "y"}


def test_dashboard_bodies_compare_as_json():
    body = {"widgets": [{"type": "text", "properties": {"markdown": "x"}}]}
    assert not dashboard.bodies_differ('{"widgets":[{"properties":{"markdown":"x"},"type":"text"}]}', body)
    assert dashboard.bodies_differ('{"widgets":[]}', body)
    assert dashboard.bodies_differ(None, body)
    assert dashboard.parse_body(dashboard.body_text(body)) == body


def test_log_group_changes_only_what_is_requested():
    live = log_groups.live_group({"logGroupName": "/g", "retentionInDays": 30})
    assert log_groups.setting_changes(live, {"retention_days": None, "kms_key_id": None}) == []
    assert log_groups.setting_changes(live, {"retention_days": 30, "kms_key_id": "arn:k"}) == ["kms_key_id"]
    assert log_groups.setting_changes(live, {"retention_days": 7, "kms_key_id": ""}) == ["retention_days"]
    desired = log_groups.desired_group({"name": "/g", "retention_days": None, "kms_key_id": None, "tags": {"a": "b"}},
                                       {"retention_days": 14, "kms_key_id": "k", "tags": {"c": "d"}})
    assert desired == {"name": "/g", "retention_days": 14, "kms_key_id": "k", "tags": {"c": "d", "a": "b"}}
    assert log_groups.group_arn({"arn": "arn:aws:logs:r:1:log-group:/g:*"}) == "arn:aws:logs:r:1:log-group:/g"


def test_metric_keys_of_plain_and_math_alarms():
    assert targets_info.alarm_metric_keys({"Namespace": "AWS/Lambda", "MetricName": "Errors",
                                           "Dimensions": [{"Name": "FunctionName", "Value": "f"}]}) == ["AWS/Lambda|Errors|FunctionName=f"]
    math = {"Metrics": [{"Id": "e", "Expression": "m/1"},
                        {"Id": "m", "MetricStat": {"Metric": {"Namespace": "N", "MetricName": "M", "Dimensions": []}}}]}
    assert targets_info.alarm_metric_keys(math) == ["N|M|"]


SETTINGS = dict(alarm_prefix="p-obs-", resource_prefix="p-", layers={}, period=60, evaluation_periods=5, datapoints_to_alarm=3,
                lambda_errors_threshold=0, lambda_throttles_threshold=0, lambda_duration_timeout_ratio=0.8,
                api_4xx_rate_percent=10, api_5xx_rate_percent=1, api_latency_p99_ms=3000, dynamodb_throttles_threshold=0,
                ecs_cpu_percent=80, ecs_memory_percent=80, eks_cpu_percent=80, eks_memory_percent=80)


def test_alarm_plan_skips_watched_metrics_and_switched_off_layers():
    targets = {"functions": [{"name": "p-fn", "timeout": 10}], "tables": ["p-t"],
               "watched": ["AWS/Lambda|Errors|FunctionName=p-fn"]}
    names = [a["name"] for a in plan.observability_alarm_plan(targets, SETTINGS)]
    assert names == ["p-obs-lambda-fn-throttles", "p-obs-lambda-fn-duration",
                     "p-obs-dynamodb-t-read-throttles", "p-obs-dynamodb-t-write-throttles"]
    duration = plan.observability_alarm_plan(targets, SETTINGS)[1]
    assert duration["threshold"] == 8000.0 and duration["extended_statistic"] == "p99"
    off = dict(SETTINGS, layers={"dynamodb": False})
    assert not [a for a in plan.observability_alarm_plan(targets, off) if "dynamodb" in a["name"]]


def test_log_group_plan_makes_aws_groups_and_fills_only_missing_settings():
    targets = {"rest_apis": [{"id": "abc", "name": "p-api", "stages": [{"name": "s", "execution_logging": True},
                                                                        {"name": "t", "execution_logging": False}]}],
               "ecs_clusters": [{"name": "p-c", "container_insights": False, "services": []}],
               "log_groups": [{"name": "/aws/lambda/p-fn", "retention_days": 14, "kms_key_id": ""},
                              {"name": "/ecs/p/web", "retention_days": 14, "kms_key_id": "k"}]}
    entries = plan.observability_log_group_plan(targets, 30, "k", {"Layer": "observability"})
    assert entries == [
        {"name": "API-Gateway-Execution-Logs_abc/s", "retention_days": 30, "kms_key_id": "k", "tags": {"Layer": "observability"}},
        {"name": "/aws/lambda/p-fn", "kms_key_id": "k"},
    ]


def test_input_errors_name_each_variable():
    good = {name: 1 for name in plan.THRESHOLDS} | {"observability_lambda_duration_timeout_ratio": 0.8,
                                                     "observability_alarm_period_seconds": 60,
                                                     "observability_log_retention_days": 30,
                                                     "observability_alert_emails": ["a@example.com"],
                                                     "observability_alert_https_endpoints": ["https://x.example.com/h"]}
    assert plan.observability_input_errors(good) == []
    bad = dict(good, observability_alarm_period_seconds=90, observability_alert_emails=["nope"],
               observability_alert_https_endpoints=["http://x"], observability_log_retention_days=31,
               observability_ecs_cpu_percent="high")
    errors = plan.observability_input_errors(bad)
    for name in ("observability_alarm_period_seconds", "observability_alert_emails", "observability_alert_https_endpoints",
                 "observability_log_retention_days", "observability_ecs_cpu_percent"):
        assert any(e.startswith(name + ": ") for e in errors), name
