"""dynamodb scenario: the tables have their keys, indexes, capacity, streams, PITR, SSE, TTL and backups."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
ddb, kms = client("dynamodb"), client("kms")
data_key = kms.describe_key(KeyId=f"alias/{PREFIX}-data")["KeyMetadata"]["Arn"]

todos = ddb.describe_table(TableName=f"{PREFIX}-todos")["Table"]
assert [(k["AttributeName"], k["KeyType"]) for k in todos["KeySchema"]] == [("user_id", "HASH"), ("todo_id", "RANGE")]
assert [i["IndexName"] for i in todos["GlobalSecondaryIndexes"]] == ["by-due-date"]
assert todos["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
assert todos["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
assert todos["SSEDescription"]["KMSMasterKeyArn"] == data_key, todos["SSEDescription"]
assert ddb.describe_continuous_backups(TableName=f"{PREFIX}-todos")["ContinuousBackupsDescription"][
    "PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"

events = ddb.describe_table(TableName=f"{PREFIX}-events")["Table"]
assert [(k["AttributeName"], k["KeyType"]) for k in events["KeySchema"]] == [("event_id", "HASH")]
assert events["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
assert events["SSEDescription"]["KMSMasterKeyArn"] == data_key
assert ddb.describe_time_to_live(TableName=f"{PREFIX}-events")["TimeToLiveDescription"] == {
    "TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=events["TableArn"])["Tags"]}
assert tags["Layer"] == "data" and tags["BackupPlan"] == f"{PREFIX}-dynamodb-daily", tags

targets = client("application-autoscaling").describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]
assert sorted(t["ResourceId"] for t in targets) == [f"table/{PREFIX}-todos"] * 2 + [f"table/{PREFIX}-todos/index/by-due-date"] * 2

backup = client("backup")
vault = [v for v in backup.list_backup_vaults()["BackupVaultList"] if v["BackupVaultName"] == f"{PREFIX}-dynamodb"][0]
assert vault["EncryptionKeyArn"] == data_key
plan = [p for p in backup.list_backup_plans()["BackupPlansList"] if p["BackupPlanName"] == f"{PREFIX}-dynamodb-daily"][0]
assert backup.list_backup_selections(BackupPlanId=plan["BackupPlanId"])["BackupSelectionsList"][0]["IamRoleArn"].endswith(
    f":role/{PREFIX}-dynamodb-backup")
print("dynamodb: 2 tables, auto scaling and backups verified")
