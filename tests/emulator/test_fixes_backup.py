"""The AWS Backup fixes in emulator/fixes/backup.py restore documented AWS behaviour.

Every test here fails on plain moto: check with
PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes_backup.py
"""

from typing import Any

import pytest
from botocore.exceptions import ClientError

RULE = {"RuleName": "daily", "TargetBackupVaultName": "fix-vault", "ScheduleExpression": "cron(0 3 * * ? *)",
        "Lifecycle": {"DeleteAfterDays": 35}}
SELECTION = {"SelectionName": "tables", "IamRoleArn": "arn:aws:iam::123456789012:role/backup",
             "ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "BackupPlan", "ConditionValue": "daily"}]}


@pytest.fixture
def backup(fresh_emulator: Any, aws_client: Any) -> Any:
    client = aws_client("backup")
    client.create_backup_vault(BackupVaultName="fix-vault")
    return client


def create_plan(backup: Any) -> str:
    return backup.create_backup_plan(BackupPlan={"BackupPlanName": "fix-plan", "Rules": [RULE]})["BackupPlanId"]


# --- backup_selections_can_be_created_listed_read_and_deleted ---------------------------

def test_backup_selection_lifecycle(backup: Any) -> None:
    plan_id = create_plan(backup)
    created = backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=SELECTION, CreatorRequestId="req-1")
    assert created["BackupPlanId"] == plan_id and created["SelectionId"]

    # A retry with the same CreatorRequestId returns the same selection.
    again = backup.create_backup_selection(BackupPlanId=plan_id, BackupSelection=SELECTION, CreatorRequestId="req-1")
    assert again["SelectionId"] == created["SelectionId"]

    listed = backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]
    assert [(s["SelectionId"], s["SelectionName"], s["IamRoleArn"]) for s in listed] == [
        (created["SelectionId"], "tables", SELECTION["IamRoleArn"])]
    got = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert got["BackupSelection"]["ListOfTags"] == SELECTION["ListOfTags"]

    backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"] == []
    with pytest.raises(ClientError) as error:
        backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=created["SelectionId"])
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


# --- backup_plans_can_be_updated --------------------------------------------------------

def test_backup_plan_update_replaces_rules_and_version(backup: Any) -> None:
    plan_id = create_plan(backup)
    version = backup.get_backup_plan(BackupPlanId=plan_id)["VersionId"]

    updated = backup.update_backup_plan(BackupPlanId=plan_id, BackupPlan={
        "BackupPlanName": "fix-plan", "Rules": [dict(RULE, Lifecycle={"DeleteAfterDays": 7})]})
    assert updated["BackupPlanId"] == plan_id and updated["VersionId"] != version

    plan = backup.get_backup_plan(BackupPlanId=plan_id)
    assert plan["VersionId"] == updated["VersionId"]
    assert plan["BackupPlan"]["Rules"][0]["Lifecycle"] == {"DeleteAfterDays": 7}


# --- backup_plan_name_is_free_again_after_deletion --------------------------------------

def test_deleted_plan_name_can_be_used_again(backup: Any) -> None:
    first = create_plan(backup)
    backup.delete_backup_plan(BackupPlanId=first)

    second = create_plan(backup)
    assert second != first
    current = [p["BackupPlanId"] for p in backup.list_backup_plans()["BackupPlansList"]]
    assert current == [second]
