#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cloudwatch_metric_alarms
short_description: Create, update, delete and prune a set of CloudWatch metric alarms in one run
description:
  - Reconciles a list of CloudWatch metric alarms in one module run. M(amazon.aws.cloudwatch_metric_alarm)
    manages one alarm per task, so a role with many alarms pays one module start per alarm.
  - Plain metric alarms (one metric with a statistic or a percentile) and metric math alarms
    (O(alarms[].metrics) with expressions) are supported.
  - An alarm is identified by its name. C(PutMetricAlarm) is only called for an alarm whose live
    definition differs from the requested one; tags are reconciled separately.
  - With O(prune_name_prefix) or O(prune_tags), alarms that match them but are not listed in O(alarms)
    are deleted, so an alarm removed from a role's declaration disappears on the next run.
  - This module supports check mode and diff mode.
notes:
  - The tags of the alarms are read with one Resource Groups Tagging API C(GetResources) call per 100
    resources (permission C(tag:GetResources));
    C(cloudwatch:ListTagsForResource) is called for a resource that call does not return
    (never tagged) and before any tag change, and for every resource when the permission is missing.
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - V(present) creates or updates the alarms (and prunes, see O(prune_name_prefix));
        V(absent) deletes the alarms listed (only their names are used).
    choices: ["present", "absent"]
    default: present
    type: str
  alarms:
    description: The alarms.
    required: true
    type: list
    elements: dict
    suboptions:
      name:
        description: The alarm name, unique in the account and region.
        required: true
        type: str
      description:
        description: The alarm description.
        type: str
      namespace:
        description: The metric's namespace (plain metric alarms).
        type: str
      metric_name:
        description: The metric's name (plain metric alarms).
        type: str
      dimensions:
        description: The metric's dimensions, as a dict of name to value.
        type: dict
        default: {}
      statistic:
        description: The statistic (plain metric alarms); mutually exclusive with O(alarms[].extended_statistic).
        choices: ["SampleCount", "Average", "Sum", "Minimum", "Maximum"]
        type: str
      extended_statistic:
        description: A percentile such as C(p99) (plain metric alarms).
        type: str
      unit:
        description: The metric's unit.
        type: str
      period:
        description: The period in seconds (plain metric alarms; metric math alarms set it per metric).
        type: int
      metrics:
        description:
          - Metric math alarms only. The metric queries, in the shape of the C(Metrics) parameter of
            C(PutMetricAlarm), written in snake_case; each has an O(alarms[].metrics[].id) and either an
            O(alarms[].metrics[].expression) or a O(alarms[].metrics[].metric_stat).
        type: list
        elements: dict
        suboptions:
          id:
            description: The query's ID, used in expressions.
            required: true
            type: str
          expression:
            description: A metric math expression over other queries' IDs.
            type: str
          label:
            description: A label for the query.
            type: str
          return_data:
            description:
              - Whether this query is the alarm's value. Exactly one query returns data.
                Unset means true for an expression and false for a metric, or true when the alarm has no expression.
            type: bool
          period:
            description: The period in seconds of an expression query.
            type: int
          metric_stat:
            description: The metric and its statistic.
            type: dict
            suboptions:
              namespace:
                description: The metric's namespace.
                required: true
                type: str
              metric_name:
                description: The metric's name.
                required: true
                type: str
              dimensions:
                description: The metric's dimensions, as a dict.
                type: dict
                default: {}
              period:
                description: The period in seconds.
                required: true
                type: int
              stat:
                description: The statistic, for example C(Sum) or C(p99).
                required: true
                type: str
              unit:
                description: The metric's unit.
                type: str
      evaluation_periods:
        description: The number of periods over which data is compared to the threshold.
        type: int
      datapoints_to_alarm:
        description: The number of breaching data points (of O(alarms[].evaluation_periods)) that trigger the alarm.
        type: int
      threshold:
        description: The threshold.
        type: float
      comparison:
        description: The comparison operator.
        choices:
          - GreaterThanOrEqualToThreshold
          - GreaterThanThreshold
          - LessThanThreshold
          - LessThanOrEqualToThreshold
        type: str
      treat_missing_data:
        description: How missing data points are treated.
        choices: ["breaching", "notBreaching", "ignore", "missing"]
        default: missing
        type: str
      actions_enabled:
        description: Whether the alarm's actions run.
        type: bool
        default: true
      alarm_actions:
        description: ARNs notified when the alarm goes to ALARM. Unset means O(alarm_actions).
        type: list
        elements: str
      ok_actions:
        description: ARNs notified when the alarm goes back to OK. Unset means O(ok_actions).
        type: list
        elements: str
      insufficient_data_actions:
        description: ARNs notified when the alarm goes to INSUFFICIENT_DATA.
        type: list
        elements: str
        default: []
      tags:
        description: Tags of this alarm, added to (and overriding) O(tags).
        type: dict
  alarm_actions:
    description: Default alarm actions of every alarm that does not give its own.
    type: list
    elements: str
    default: []
  ok_actions:
    description: Default OK actions of every alarm that does not give its own.
    type: list
    elements: str
    default: []
  tags:
    description: Tags of every alarm. Unset, with no O(alarms[].tags), leaves the tags alone.
    type: dict
    aliases: ["resource_tags"]
  purge_tags:
    description: Remove tags not listed in O(tags) and O(alarms[].tags).
    type: bool
    default: true
  prune_name_prefix:
    description:
      - With O(state=present), delete the metric alarms whose name starts with this prefix
        (and that carry every tag in O(prune_tags), when given) and that O(alarms) does not list.
    type: str
  prune_tags:
    description:
      - With O(state=present), delete the metric alarms that carry all these tags (and whose name
        starts with O(prune_name_prefix), when given) and that O(alarms) does not list.
    type: dict
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Alarms of a function and an API, notifying a topic; older alarms of the owner are pruned
  cloudwatch_metric_alarms:
    alarm_actions: ["arn:aws:sns:eu-west-1:123456789012:alerts"]
    ok_actions: ["arn:aws:sns:eu-west-1:123456789012:alerts"]
    tags: {Owner: observability}
    prune_tags: {Owner: observability}
    alarms:
      - name: orders-duration
        namespace: AWS/Lambda
        metric_name: Duration
        dimensions: {FunctionName: orders}
        extended_statistic: p99
        period: 60
        evaluation_periods: 5
        datapoints_to_alarm: 3
        threshold: 24000
        comparison: GreaterThanThreshold
        treat_missing_data: notBreaching
      - name: api-5xx-rate
        evaluation_periods: 5
        threshold: 5
        comparison: GreaterThanThreshold
        metrics:
          - id: rate
            expression: errors / requests * 100
            label: 5XX rate (%)
          - id: errors
            metric_stat: {namespace: AWS/ApiGateway, metric_name: 5XXError, dimensions: {ApiName: api, Stage: prod}, period: 60, stat: Sum}
          - id: requests
            metric_stat: {namespace: AWS/ApiGateway, metric_name: Count, dimensions: {ApiName: api, Stage: prod}, period: 60, stat: Sum}

- name: Delete alarms
  cloudwatch_metric_alarms:
    state: absent
    alarms:
      - name: orders-duration
"""

RETURN = r"""
alarms:
  description: One entry per alarm of O(alarms), in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The alarm name.
      returned: always
      type: str
      sample: orders-duration
    arn:
      description: The alarm ARN; empty for an alarm still to be created in check mode, or deleted.
      returned: always
      type: str
      sample: arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-duration
    action:
      description: What the run did (or would do in check mode).
      returned: always
      type: str
      sample: created
      choices: [created, updated, tags, unchanged, deleted, absent]
created:
  description: Names of the alarms created.
  returned: always
  type: list
  elements: str
  sample: ["orders-duration"]
updated:
  description: Names of the alarms whose definition or tags were changed.
  returned: always
  type: list
  elements: str
  sample: []
deleted:
  description: Names of the alarms deleted (listed ones with O(state=absent), pruned ones with O(state=present)).
  returned: always
  type: list
  elements: str
  sample: []
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible.module_utils.bulk_tags import TagReader
from ansible.module_utils.tag_plan import plan_tags

# PutMetricAlarm parameters compared with the described alarm.
DEFINITION_KEYS = (
    "AlarmDescription",
    "ActionsEnabled",
    "OKActions",
    "AlarmActions",
    "InsufficientDataActions",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Period",
    "Unit",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "Metrics",
)
# DescribeAlarms and DeleteAlarms take at most 100 names.
BATCH = 100


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def dimension_list(dimensions):
    """A dict of dimensions as the sorted Name/Value list AWS uses."""
    return [{"Name": str(name), "Value": str(value)} for name, value in sorted((dimensions or {}).items())]


def metric_query(query, has_expression):
    """One entry of O(metrics) as a PutMetricAlarm C(Metrics) item."""
    item = {"Id": query["id"]}
    if query.get("expression"):
        item["Expression"] = query["expression"]
    if query.get("label"):
        item["Label"] = query["label"]
    stat = query.get("metric_stat")
    if stat:
        metric_stat = {
            "Metric": {
                "Namespace": stat["namespace"],
                "MetricName": stat["metric_name"],
                "Dimensions": dimension_list(stat.get("dimensions")),
            },
            "Period": int(stat["period"]),
            "Stat": stat["stat"],
        }
        if stat.get("unit"):
            metric_stat["Unit"] = stat["unit"]
        item["MetricStat"] = metric_stat
    if query.get("period") and not stat:
        item["Period"] = int(query["period"])
    return_data = query.get("return_data")
    if return_data is None:
        return_data = bool(query.get("expression")) or not has_expression
    item["ReturnData"] = bool(return_data)
    return item


def desired_definition(alarm, defaults):
    """The PutMetricAlarm request (without tags) for one alarm of O(alarms)."""
    alarm_actions = alarm.get("alarm_actions")
    ok_actions = alarm.get("ok_actions")
    definition = {
        "AlarmName": alarm["name"],
        "AlarmDescription": alarm.get("description") or None,
        "ActionsEnabled": alarm.get("actions_enabled", True) is not False,
        "AlarmActions": sorted(defaults.get("alarm_actions") or [] if alarm_actions is None else alarm_actions),
        "OKActions": sorted(defaults.get("ok_actions") or [] if ok_actions is None else ok_actions),
        "InsufficientDataActions": sorted(alarm.get("insufficient_data_actions") or []),
        "EvaluationPeriods": int(alarm["evaluation_periods"]),
        "DatapointsToAlarm": int(alarm["datapoints_to_alarm"]) if alarm.get("datapoints_to_alarm") else None,
        "Threshold": float(alarm["threshold"]),
        "ComparisonOperator": alarm["comparison"],
        "TreatMissingData": alarm.get("treat_missing_data") or "missing",
    }
    if alarm.get("metrics"):
        has_expression = any(query.get("expression") for query in alarm["metrics"])
        definition["Metrics"] = [metric_query(query, has_expression) for query in alarm["metrics"]]
    else:
        definition.update(
            {
                "Namespace": alarm["namespace"],
                "MetricName": alarm["metric_name"],
                "Dimensions": dimension_list(alarm.get("dimensions")),
                "Statistic": alarm.get("statistic") or None,
                "ExtendedStatistic": alarm.get("extended_statistic") or None,
                "Period": int(alarm["period"]),
                "Unit": alarm.get("unit") or None,
            }
        )
    return {key: value for key, value in definition.items() if value is not None}


def _clean_query(item):
    query = {key: item[key] for key in ("Id", "Expression", "Label", "Period") if item.get(key) not in (None, "")}
    query["ReturnData"] = item.get("ReturnData", True) is not False
    stat = item.get("MetricStat")
    if stat:
        metric = stat.get("Metric", {})
        query["MetricStat"] = {
            "Metric": {
                "Namespace": metric.get("Namespace"),
                "MetricName": metric.get("MetricName"),
                "Dimensions": sorted(
                    ({"Name": d["Name"], "Value": d["Value"]} for d in metric.get("Dimensions") or []),
                    key=lambda d: d["Name"],
                ),
            },
            "Period": int(stat.get("Period", 0)),
            "Stat": stat.get("Stat"),
        }
        if stat.get("Unit"):
            query["MetricStat"]["Unit"] = stat["Unit"]
        query.pop("Period", None)
    return query


def live_definition(described):
    """A described metric alarm in the shape of desired_definition()."""
    definition = {"AlarmName": described["AlarmName"]}
    for key in DEFINITION_KEYS:
        value = described.get(key)
        if value in (None, "", []) and key not in ("AlarmActions", "OKActions", "InsufficientDataActions"):
            continue
        definition[key] = value
    for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
        definition[key] = sorted(described.get(key) or [])
    if "Threshold" in definition:
        definition["Threshold"] = float(definition["Threshold"])
    if described.get("Metrics"):
        definition["Metrics"] = [_clean_query(item) for item in described["Metrics"]]
        # A metric math alarm has no metric of its own.
        for key in ("Namespace", "MetricName", "Dimensions", "Statistic", "ExtendedStatistic", "Period", "Unit"):
            definition.pop(key, None)
    elif "Dimensions" in definition or "MetricName" in definition:
        definition["Dimensions"] = sorted(
            ({"Name": d["Name"], "Value": d["Value"]} for d in described.get("Dimensions") or []),
            key=lambda d: d["Name"],
        )
    return definition


def differing_keys(live, desired):
    """The definition keys whose values differ between a live and a desired alarm."""
    keys = set(live) | set(desired)
    return sorted(key for key in keys if live.get(key) != desired.get(key))


def alarm_tags(alarm, default_tags):
    """The tags requested for one alarm, or None to leave them alone."""
    if default_tags is None and alarm.get("tags") is None:
        return None
    tags = dict(default_tags or {})
    tags.update(alarm.get("tags") or {})
    return {str(key): str(value) for key, value in tags.items()}


def prune_candidates(described, declared_names, name_prefix, required_tags, tags_of):
    """Names of described alarms to prune: matching the prefix and tags, not declared."""
    names = []
    for alarm in described:
        name = alarm["AlarmName"]
        if name in declared_names:
            continue
        if name_prefix and not name.startswith(name_prefix):
            continue
        if required_tags:
            tags = tags_of(alarm)
            if any(tags.get(key) != str(value) for key, value in required_tags.items()):
                continue
        names.append(name)
    return sorted(names)


def validate_alarm(alarm):
    """Return an error message for an alarm that cannot be put, or None."""
    name = alarm.get("name")
    if alarm.get("metrics"):
        for key in ("namespace", "metric_name", "statistic", "extended_statistic", "period"):
            if alarm.get(key):
                return f"alarm {name}: {key} cannot be combined with metrics (set it per metric)"
        returning = 0
        has_expression = any(q.get("expression") for q in alarm["metrics"])
        for query in alarm["metrics"]:
            if bool(query.get("expression")) == bool(query.get("metric_stat")):
                return f"alarm {name}: metric {query.get('id')} needs exactly one of expression or metric_stat"
            return_data = query.get("return_data")
            if return_data is None:
                return_data = bool(query.get("expression")) or not has_expression
            returning += 1 if return_data else 0
        if returning != 1:
            return f"alarm {name}: exactly one metric must return data, got {returning}"
    else:
        for key in ("namespace", "metric_name", "period"):
            if not alarm.get(key):
                return f"alarm {name}: {key} is required for a metric alarm without metrics"
        if bool(alarm.get("statistic")) == bool(alarm.get("extended_statistic")):
            return f"alarm {name}: exactly one of statistic or extended_statistic is required"
    for key in ("evaluation_periods", "threshold", "comparison"):
        if alarm.get(key) is None:
            return f"alarm {name}: {key} is required"
    return None


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@AWSRetry.jittered_backoff()
def _describe_alarms(client, **params):
    paginator = client.get_paginator("describe_alarms")
    return paginator.paginate(AlarmTypes=["MetricAlarm"], **params).build_full_result().get("MetricAlarms", [])


def describe_alarms(client, module, names=None, prefix=None):
    try:
        if prefix is not None or names is None:
            return _describe_alarms(client, **({"AlarmNamePrefix": prefix} if prefix else {}))
        found = []
        for start in range(0, len(names), BATCH):
            found.extend(_describe_alarms(client, AlarmNames=names[start:start + BATCH]))
        return found
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to describe metric alarms")


def get_tags(client, module, arn):
    try:
        return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceARN=arn, aws_retry=True).get("Tags", []))
    except is_boto3_error_code("ResourceNotFoundException"):
        return {}
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to list the tags of {arn}")


def put_alarm(client, module, definition, tags):
    params = dict(definition)
    if tags:
        params["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    try:
        client.put_metric_alarm(aws_retry=True, **params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to put metric alarm {definition['AlarmName']}")


def update_tags(client, module, arn, to_set, to_unset):
    try:
        if to_unset:
            client.untag_resource(ResourceARN=arn, TagKeys=list(to_unset), aws_retry=True)
        if to_set:
            client.tag_resource(ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(to_set), aws_retry=True)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to tag {arn}")


def delete_alarms(client, module, names):
    if not names or module.check_mode:
        return
    try:
        for start in range(0, len(names), BATCH):
            client.delete_alarms(AlarmNames=names[start:start + BATCH], aws_retry=True)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to delete metric alarms {', '.join(names)}")


def alarm_arn(client, module, name, described):
    if name in described:
        return described[name]["AlarmArn"]
    if module.check_mode:
        return ""
    found = describe_alarms(client, module, names=[name])
    return found[0]["AlarmArn"] if found else ""


# ---------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------


def ensure_present(client, module):
    params = module.params
    alarms = params["alarms"]
    names = [alarm["name"] for alarm in alarms]
    described = {a["AlarmName"]: a for a in describe_alarms(client, module, names=names)} if names else {}
    defaults = {"alarm_actions": params["alarm_actions"], "ok_actions": params["ok_actions"]}

    def list_tags(arn):
        return get_tags(client, module, arn)

    # One bulk read for the tags of every declared alarm; CloudWatch's own call confirms them before a change.
    reader = TagReader(module, [a["AlarmArn"] for a in described.values()], list_tags)

    result = {"changed": False, "alarms": [], "created": [], "updated": [], "deleted": []}
    before, after = {}, {}
    for alarm in alarms:
        name = alarm["name"]
        desired = desired_definition(alarm, defaults)
        wanted_tags = alarm_tags(alarm, params["tags"])
        current = described.get(name)
        if current is None:
            action = "created"
            after[name] = dict(desired, Tags=wanted_tags or {})
            if not module.check_mode:
                put_alarm(client, module, desired, wanted_tags)
            result["created"].append(name)
        else:
            live = live_definition(current)
            current_tags = reader.get(current["AlarmArn"])
            tags, to_set, to_unset = plan_tags(current_tags, wanted_tags, params["purge_tags"])
            if to_set or to_unset:
                current_tags = reader.confirm(current["AlarmArn"])
                tags, to_set, to_unset = plan_tags(current_tags, wanted_tags, params["purge_tags"])
            differing = differing_keys(live, desired)
            before[name] = dict(live, Tags=current_tags)
            after[name] = dict(desired if differing else live, Tags=tags)
            action = "updated" if differing else ("tags" if to_set or to_unset else "unchanged")
            if action != "unchanged":
                result["updated"].append(name)
            if not module.check_mode:
                if differing:
                    # PutMetricAlarm only applies tags to a new alarm; existing ones are tagged below.
                    put_alarm(client, module, desired, None)
                if to_set or to_unset:
                    update_tags(client, module, current["AlarmArn"], to_set, to_unset)
        result["alarms"].append({"name": name, "action": action, "arn": alarm_arn(client, module, name, described)})

    if params["prune_name_prefix"] or params["prune_tags"]:
        candidates = describe_alarms(client, module, prefix=params["prune_name_prefix"] or None)
        undeclared = [a for a in candidates if a["AlarmName"] not in names]
        prune_reader = TagReader(module, [a["AlarmArn"] for a in undeclared] if params["prune_tags"] else [], list_tags)
        pruned = prune_candidates(undeclared, set(names), params["prune_name_prefix"], params["prune_tags"],
                                  lambda alarm: prune_reader.get(alarm["AlarmArn"]))
        if params["prune_tags"]:
            # Delete only alarms whose tags CloudWatch itself confirms.
            pruned = prune_candidates([a for a in undeclared if a["AlarmName"] in pruned], set(names),
                                      params["prune_name_prefix"], params["prune_tags"],
                                      lambda alarm: prune_reader.confirm(alarm["AlarmArn"]))
        by_name = {a["AlarmName"]: a for a in candidates}
        for name in pruned:
            before[name] = dict(live_definition(by_name[name]))
        delete_alarms(client, module, pruned)
        result["deleted"] = pruned

    result["changed"] = bool(result["created"] or result["updated"] or result["deleted"])
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    return result


def ensure_absent(client, module):
    names = [alarm["name"] for alarm in module.params["alarms"]]
    described = {a["AlarmName"]: a for a in describe_alarms(client, module, names=names)} if names else {}
    deleted = [name for name in names if name in described]
    delete_alarms(client, module, deleted)
    result = {
        "changed": bool(deleted),
        "alarms": [{"name": n, "arn": "", "action": "deleted" if n in described else "absent"} for n in names],
        "created": [],
        "updated": [],
        "deleted": deleted,
    }
    if module._diff:
        result["diff"] = {"before": {n: live_definition(described[n]) for n in deleted}, "after": {}}
    return result


def main():
    metric_stat = dict(
        namespace=dict(required=True),
        metric_name=dict(required=True),
        dimensions=dict(type="dict", default={}),
        period=dict(type="int", required=True),
        stat=dict(required=True),
        unit=dict(),
    )
    metric = dict(
        id=dict(required=True),
        expression=dict(),
        label=dict(),
        return_data=dict(type="bool"),
        period=dict(type="int"),
        metric_stat=dict(type="dict", options=metric_stat),
    )
    alarm = dict(
        name=dict(required=True),
        description=dict(),
        namespace=dict(),
        metric_name=dict(),
        dimensions=dict(type="dict", default={}),
        statistic=dict(choices=["SampleCount", "Average", "Sum", "Minimum", "Maximum"]),
        extended_statistic=dict(),
        unit=dict(),
        period=dict(type="int"),
        metrics=dict(type="list", elements="dict", options=metric),
        evaluation_periods=dict(type="int"),
        datapoints_to_alarm=dict(type="int"),
        threshold=dict(type="float"),
        comparison=dict(
            choices=[
                "GreaterThanOrEqualToThreshold",
                "GreaterThanThreshold",
                "LessThanThreshold",
                "LessThanOrEqualToThreshold",
            ]
        ),
        treat_missing_data=dict(default="missing", choices=["breaching", "notBreaching", "ignore", "missing"]),
        actions_enabled=dict(type="bool", default=True),
        alarm_actions=dict(type="list", elements="str"),
        ok_actions=dict(type="list", elements="str"),
        insufficient_data_actions=dict(type="list", elements="str", default=[]),
        tags=dict(type="dict"),
    )
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        alarms=dict(type="list", elements="dict", required=True, options=alarm),
        alarm_actions=dict(type="list", elements="str", default=[]),
        ok_actions=dict(type="list", elements="str", default=[]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        prune_name_prefix=dict(),
        prune_tags=dict(type="dict"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    names = [a["name"] for a in module.params["alarms"]]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        module.fail_json(msg=f"alarm names must be unique, repeated: {', '.join(duplicates)}")
    if module.params["state"] == "present":
        for item in module.params["alarms"]:
            error = validate_alarm(item)
            if error:
                module.fail_json(msg=error)

    try:
        client = module.client("cloudwatch", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    if module.params["state"] == "present":
        result = ensure_present(client, module)
    else:
        result = ensure_absent(client, module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
