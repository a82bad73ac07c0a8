"""Unit tests for library/config_rules.py, library/config_recording.py and the role's input checks."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "filter_plugins"))
from config_rules import config_rules_input_errors  # noqa: E402


def _load(name):
    spec = importlib.util.spec_from_file_location(name + "_module", ROOT / "library" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rules_module = _load("config_rules")
recording = _load("config_recording")

PITR = {"name": "p-pitr", "identifier": "DYNAMODB_PITR_ENABLED", "description": "", "input_parameters": {},
        "resource_types": ["AWS::DynamoDB::Table"], "maximum_execution_frequency": None,
        "remediation": {"document": "AWSConfigRemediation-EnablePITRForDynamoDbTable", "resource_id_parameter": "TableName",
                        "resource_type": "AWS::DynamoDB::Table", "automatic": True, "static_parameters": {"AutomationAssumeRole": "arn:r"},
                        "maximum_automatic_attempts": 5, "retry_attempt_seconds": 60,
                        "concurrent_execution_rate_percentage": 10, "error_percentage": 10}}


def _live(spec):
    """What AWS describes after PutConfigRule of spec (with the fields AWS adds)."""
    rule = rules_module.desired_rule(spec)
    return dict(rule, ConfigRuleArn="arn:aws:config:eu-west-1:1:config-rule/config-rule-x", ConfigRuleId="config-rule-x")


def test_a_converged_rule_plans_nothing():
    live_remediation = dict(rules_module.desired_remediation(PITR), Arn="arn:x")
    steps, created, updated, deleted = rules_module.plan(
        [PITR], {"p-pitr": _live(PITR)}, {"p-pitr": live_remediation}, {"p-pitr": {"A": "b"}}, {"A": "b"},
        "present", "p-", True)
    assert (steps, created, updated, deleted) == ([], [], [], [])


def test_new_rule_changed_parameters_and_undeclared_rules():
    other = dict(PITR, name="p-flow", identifier="VPC_FLOW_LOGS_ENABLED", remediation=None, resource_types=[],
                 input_parameters={"trafficType": "ALL"})
    stale = dict(other, input_parameters={"trafficType": "REJECT"})
    gone = dict(other, name="p-gone")
    steps, created, updated, deleted = rules_module.plan(
        [PITR, other], {"p-flow": _live(stale), "p-gone": _live(gone), "q-keep": _live(dict(gone, name="q-keep"))},
        {}, {"p-flow": {}, "p-gone": {}}, {}, "present", "p-", True)
    assert created == ["p-pitr"] and updated == ["p-flow"] and deleted == ["p-gone"]
    assert [s[0] for s in steps] == ["put_rule", "put_remediation", "put_rule", "delete_rule"]


def test_boolean_parameters_are_sent_as_aws_expects():
    rule = rules_module.desired_rule(dict(PITR, input_parameters={"excludePermissionBoundaryPolicy": True}))
    assert rule["InputParameters"] == '{"excludePermissionBoundaryPolicy": "true"}'


def test_recorder_outside_the_home_region_excludes_the_global_types():
    params = {"name": "default", "include_global_resource_types": False, "recording_frequency": "CONTINUOUS",
              "global_resource_types": ["AWS::IAM::User", "AWS::IAM::Role"]}
    wanted = recording.desired_recorder(params, "arn:role")
    assert wanted["recordingGroup"]["recordingStrategy"] == {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"}
    assert wanted["recordingGroup"]["exclusionByResourceTypes"] == {"resourceTypes": ["AWS::IAM::Role", "AWS::IAM::User"]}
    # AWS's answer (extra keys, other order) compares equal: no change on the next run.
    live = {"name": "default", "roleARN": "arn:role", "arn": "arn:aws:config:x", "recordingScope": "PAID",
            "recordingGroup": {"allSupported": False, "includeGlobalResourceTypes": False, "resourceTypes": [],
                               "exclusionByResourceTypes": {"resourceTypes": ["AWS::IAM::User", "AWS::IAM::Role"]},
                               "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"}},
            "recordingMode": {"recordingFrequency": "CONTINUOUS", "recordingModeOverrides": []}}
    assert recording.comparable_recorder(live) == wanted


def test_input_errors_name_the_variable():
    rules = [{"rule": "ok", "identifier": "DYNAMODB_PITR_ENABLED"}, {"rule": "Bad Name", "identifier": "x y"},
             {"rule": "ok", "identifier": "DYNAMODB_PITR_ENABLED", "maximum_execution_frequency": "Daily"}]
    errors = config_rules_input_errors(rules, ["nope"], {"missing": {}}, "europe")
    text = "; ".join(errors)
    for expected in ("config_rules_home_region", "config_rules_rules[1].rule", "config_rules_rules[1].identifier",
                     "config_rules_rules[2].maximum_execution_frequency", "config_rules_rules: rule 'ok' is declared twice",
                     "config_rules_excluded: 'nope'", "config_rules_overrides: 'missing'"):
        assert expected in text, text
    assert config_rules_input_errors([{"rule": "ok", "identifier": "DYNAMODB_PITR_ENABLED"}]) == []
