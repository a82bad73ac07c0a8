"""Unit tests for library/backup_plan_by_tag.py: the pure logic, without AWS."""

import importlib.util
from pathlib import Path

MODULE_PATH = Path(__file__).resolve().parents[2] / "library" / "backup_plan_by_tag.py"
_spec = importlib.util.spec_from_file_location("backup_plan_by_tag", MODULE_PATH)
bp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bp)

ROLE = "arn:aws:iam::123456789012:role/backup"


def test_rules_compare_without_the_fields_aws_adds():
    want = bp.desired_rules([{"name": "daily", "schedule_expression": "cron(0 3 * * ? *)", "delete_after_days": 35,
                              "start_window_minutes": 60, "completion_window_minutes": 480}], "vault")
    described = {"Rules": [dict(want[0], RuleId="r-1", ScheduleExpressionTimezone="Etc/UTC", EnableContinuousBackup=False)]}
    assert bp.live_rules(described) == want
    shorter = bp.desired_rules([{"name": "daily", "schedule_expression": "cron(0 3 * * ? *)", "delete_after_days": 7}], "vault")
    assert bp.live_rules(described) != shorter


def test_selection_matches_only_the_same_role_and_single_tag_condition():
    desired = bp.desired_selection("tables", ROLE, "BackupPlan", "daily")
    assert bp.selection_matches(dict(desired, Resources=[], NotResources=[], Conditions={"StringEquals": []}), desired)
    assert not bp.selection_matches(None, desired)
    assert not bp.selection_matches(dict(desired, IamRoleArn=ROLE + "-other"), desired)
    assert not bp.selection_matches(dict(desired, Resources=["arn:aws:dynamodb:eu-west-1:123456789012:table/*"]), desired)
    other_tag = bp.desired_selection("tables", ROLE, "BackupPlan", "weekly")
    assert not bp.selection_matches(other_tag, desired)


def test_request_ids_are_stable_and_distinct():
    assert bp.request_id("vault", "v") == bp.request_id("vault", "v")
    assert bp.request_id("vault", "v") != bp.request_id("plan", "v")
    assert len(bp.request_id("plan", "x" * 300)) <= 50
