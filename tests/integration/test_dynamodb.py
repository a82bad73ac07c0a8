"""The dynamodb role against a fresh emulator: tables, in-place changes, refusals, bad input.

Converges twice and once in --check, then adds a global secondary index (the table is
updated, not recreated) and asks for a key-schema change (refused, nothing touched).
Every assertion reads the emulator's state with boto3.
"""

import copy
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
import yaml

from emulator import launcher
from tests.playbook import REPO_ROOT, run_playbook

PREFIX = "rtap-local"
PLAYBOOK = "tests/integration/playbooks/dynamodb/dynamodb.yml"
VALIDATE = "tests/integration/playbooks/dynamodb/validate.yml"
DEFAULT_TABLES = yaml.safe_load((REPO_ROOT / "roles/dynamodb/defaults/main.yml").read_text())["dynamodb_tables"]


def tables_with(name, **changes):
    tables = copy.deepcopy(DEFAULT_TABLES)
    for table in tables:
        if table["name"] == name:
            table.update(changes)
    return tables


def with_status_index():
    todos = next(t for t in DEFAULT_TABLES if t["name"] == "todos")
    return tables_with("todos", attributes=dict(todos["attributes"], status="S"), global_indexes=todos["global_indexes"] + [
        {"name": "by-status", "partition_key": "user_id", "sort_key": "status", "projection": "KEYS_ONLY"}])


def deploy_change_notifier(aws_client):
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    role = aws_client("iam").create_role(RoleName="test-change-notifier", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return {}\n")
    aws_client("lambda").create_function(FunctionName=f"{PREFIX}-change-notifier", Runtime="python3.12", Role=role["Arn"],
                                         Handler="handler.handler", Code={"ZipFile": code.getvalue()})


@pytest.fixture(scope="module")
def scenario(emulator, aws_client, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)
    env = dict(os.environ, **emulator.env())
    artifacts = tmp_path_factory.mktemp("artifacts")
    kms = aws_client("kms")
    key = kms.create_key(Description="data key made by the test")["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/{PREFIX}-data", TargetKeyId=key["KeyId"])
    ddb = aws_client("dynamodb")

    def run(*args):
        return run_playbook(env, PLAYBOOK, *args, artifacts=artifacts)

    runs = {"first": run(), "second": run(), "check": run("--check", "--diff")}
    before = ddb.describe_table(TableName=f"{PREFIX}-todos")["Table"]
    ddb.put_item(TableName=f"{PREFIX}-todos", Item={"user_id": {"S": "u1"}, "todo_id": {"S": "t1"},
                                                     "due_date": {"S": "2026-12-01"}, "status": {"S": "open"}})
    ddb.put_item(TableName=f"{PREFIX}-events", Item={"event_id": {"S": "e1"}, "expires_at": {"N": "4102444800"}})
    # The change notifier is deployed by another layer; a stand-in lets the stream be wired.
    deploy_change_notifier(aws_client)
    runs["add_index"] = run("-e", json.dumps({"dynamodb_tables": with_status_index()}))
    after_index = ddb.describe_table(TableName=f"{PREFIX}-todos")["Table"]
    # Another view type: a new stream (new ARN); the consumer's mapping must follow it.
    new_view = [dict(t, stream_view_type="NEW_IMAGE") if t["name"] == "todos" else t for t in with_status_index()]
    runs["new_view"] = run("-e", json.dumps({"dynamodb_tables": new_view}))
    runs["key_change"] = run("-e", json.dumps({"dynamodb_tables": tables_with(
        "todos", sort_key="due_date", global_indexes=[], stream_consumers=[])}))
    return {"runs": runs, "key": key, "before": before, "after_index": after_index, "artifacts": artifacts}


def describe(aws_client, name):
    return aws_client("dynamodb").describe_table(TableName=f"{PREFIX}-{name}")["Table"]


def test_first_run_converges(scenario):
    run = scenario["runs"]["first"]
    assert run.returncode == 0, run.output[-4000:]
    assert run.recap["changed"] > 0


def test_second_run_and_check_mode_change_nothing(scenario):
    for name in ("second", "check"):
        run = scenario["runs"][name]
        assert run.returncode == 0, run.output[-4000:]
        assert run.recap["changed"] == 0, (name, run.changed_tasks)


def test_todos_keys_indexes_capacity_stream_and_encryption(scenario, aws_client):
    table = scenario["before"]
    assert table["KeySchema"] == [{"AttributeName": "user_id", "KeyType": "HASH"},
                                  {"AttributeName": "todo_id", "KeyType": "RANGE"}]
    assert {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]} == {
        "user_id": "S", "todo_id": "S", "due_date": "S"}
    index, = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by-due-date"
    assert index["KeySchema"] == [{"AttributeName": "user_id", "KeyType": "HASH"},
                                  {"AttributeName": "due_date", "KeyType": "RANGE"}]
    assert index["Projection"] == {"ProjectionType": "ALL"}
    assert index["ProvisionedThroughput"]["ReadCapacityUnits"] == 10
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert (table["ProvisionedThroughput"]["ReadCapacityUnits"], table["ProvisionedThroughput"]["WriteCapacityUnits"]) == (10, 5)
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["SSEDescription"]["KMSMasterKeyArn"] == scenario["key"]["Arn"]
    assert table["DeletionProtectionEnabled"] is False  # local inventory; true in prod

    ddb = aws_client("dynamodb")
    pitr = ddb.describe_continuous_backups(TableName=f"{PREFIX}-todos")["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert ddb.describe_time_to_live(TableName=f"{PREFIX}-todos")["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]}
    assert tags["Layer"] == "data" and tags["Environment"] == "local" and tags["ManagedBy"] == "ansible-platform-toolkit"
    assert tags["BackupPlan"] == f"{PREFIX}-dynamodb-daily"


def test_todos_auto_scaling_tracks_table_and_index(scenario, aws_client):
    scaling = aws_client("application-autoscaling")
    targets = {(t["ResourceId"], t["ScalableDimension"]): (t["MinCapacity"], t["MaxCapacity"])
               for t in scaling.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]}
    todos = f"table/{PREFIX}-todos"
    assert targets[(todos, "dynamodb:table:ReadCapacityUnits")] == (10, 200)
    assert targets[(todos, "dynamodb:table:WriteCapacityUnits")] == (5, 50)
    assert targets[(f"{todos}/index/by-due-date", "dynamodb:index:ReadCapacityUnits")] == (10, 200)
    policies = scaling.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"]
    tracking = {(p["ResourceId"], p["ScalableDimension"]): p["TargetTrackingScalingPolicyConfiguration"] for p in policies}
    read = tracking[(todos, "dynamodb:table:ReadCapacityUnits")]
    assert read["TargetValue"] == 70.0
    assert read["PredefinedMetricSpecification"]["PredefinedMetricType"] == "DynamoDBReadCapacityUtilization"
    # The on-demand events table has no scalable target.
    assert not [key for key in targets if key[0].startswith(f"table/{PREFIX}-events")]


def test_events_on_demand_with_ttl(scenario, aws_client):
    table = describe(aws_client, "events")
    assert table["KeySchema"] == [{"AttributeName": "event_id", "KeyType": "HASH"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "StreamSpecification" not in table
    assert table["SSEDescription"]["KMSMasterKeyArn"] == scenario["key"]["Arn"]
    ttl = aws_client("dynamodb").describe_time_to_live(TableName=f"{PREFIX}-events")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_added_index_updates_the_table_in_place(scenario, aws_client):
    run = scenario["runs"]["add_index"]
    assert run.returncode == 0, run.output[-4000:]
    # The index, and the stream's mapping to the change notifier deployed since the first run.
    assert run.changed_tasks == ["dynamodb : Converge the tables", "dynamodb : Map each stream to its consumers"]
    before, after = scenario["before"], scenario["after_index"]
    assert sorted(i["IndexName"] for i in after["GlobalSecondaryIndexes"]) == ["by-due-date", "by-status"]
    # Same table: creation time and id unchanged, and the item written before is still there.
    assert after["CreationDateTime"] == before["CreationDateTime"]
    assert after["TableId"] == before["TableId"]
    assert after["ItemCount"] == 1
    # The new index is auto scaled like the others.
    targets = aws_client("application-autoscaling").describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]
    assert f"table/{PREFIX}-todos/index/by-status" in {t["ResourceId"] for t in targets}


def test_key_schema_change_is_refused_and_nothing_is_touched(scenario, aws_client):
    run = scenario["runs"]["key_change"]
    assert run.returncode != 0
    assert f"table {PREFIX}-todos: sort key is 'todo_id' (S) on AWS but declared 'due_date' (S)" in run.output, run.output[-3000:]
    assert run.recap["changed"] == 0
    table = describe(aws_client, "todos")
    assert table["TableId"] == scenario["before"]["TableId"]
    assert table["KeySchema"] == scenario["before"]["KeySchema"]
    assert sorted(i["IndexName"] for i in table["GlobalSecondaryIndexes"]) == ["by-due-date", "by-status"]
    items = aws_client("dynamodb").scan(TableName=f"{PREFIX}-todos")["Items"]
    assert items == [{"user_id": {"S": "u1"}, "todo_id": {"S": "t1"}, "due_date": {"S": "2026-12-01"}, "status": {"S": "open"}}]
    assert aws_client("dynamodb").get_item(TableName=f"{PREFIX}-events", Key={"event_id": {"S": "e1"}}).get("Item")


def test_outputs_name_tables_arns_and_streams(scenario, aws_client):
    outputs = json.loads((Path(scenario["artifacts"]) / "local" / "outputs.json").read_text())["dynamodb"]
    todos, events = describe(aws_client, "todos"), describe(aws_client, "events")
    assert outputs["table_names"] == {"events": f"{PREFIX}-events", "todos": f"{PREFIX}-todos"}
    assert outputs["table_arns"] == {"events": events["TableArn"], "todos": todos["TableArn"]}
    assert outputs["stream_arns"] == {"events": "", "todos": todos["LatestStreamArn"]}


def test_backup_plan_selects_the_tables_by_tag(scenario, aws_client):
    backup = aws_client("backup")
    vault, = [v for v in backup.list_backup_vaults()["BackupVaultList"] if v["BackupVaultName"] == f"{PREFIX}-dynamodb"]
    assert vault["EncryptionKeyArn"] == scenario["key"]["Arn"]
    plan_summary, = [p for p in backup.list_backup_plans()["BackupPlansList"]
                     if p["BackupPlanName"] == f"{PREFIX}-dynamodb-daily"]
    rule, = backup.get_backup_plan(BackupPlanId=plan_summary["BackupPlanId"])["BackupPlan"]["Rules"]
    assert rule["TargetBackupVaultName"] == f"{PREFIX}-dynamodb"
    assert rule["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert rule["Lifecycle"]["DeleteAfterDays"] == 7  # local inventory
    selection_id = backup.list_backup_selections(BackupPlanId=plan_summary["BackupPlanId"])["BackupSelectionsList"][0]["SelectionId"]
    selection = backup.get_backup_selection(BackupPlanId=plan_summary["BackupPlanId"], SelectionId=selection_id)["BackupSelection"]
    assert selection["IamRoleArn"] == f"arn:aws:iam::123456789012:role/{PREFIX}-dynamodb-backup"
    assert selection["ListOfTags"] == [{"ConditionType": "STRINGEQUALS", "ConditionKey": "BackupPlan",
                                        "ConditionValue": f"{PREFIX}-dynamodb-daily"}]
    # Both tables carry the tag the selection looks for.
    ddb = aws_client("dynamodb")
    for name in ("events", "todos"):
        arn = describe(aws_client, name)["TableArn"]
        tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}
        assert tags["BackupPlan"] == f"{PREFIX}-dynamodb-daily"


def test_todos_stream_feeds_the_change_notifier(scenario, aws_client):
    run = scenario["runs"]["new_view"]
    assert run.returncode == 0, run.output[-4000:]
    todos = describe(aws_client, "todos")
    assert todos["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    assert todos["LatestStreamArn"] != scenario["after_index"]["LatestStreamArn"]
    # One mapping, from the current stream: the one from the former stream was removed.
    mapping, = aws_client("lambda").list_event_source_mappings(FunctionName=f"{PREFIX}-change-notifier")["EventSourceMappings"]
    assert mapping["EventSourceArn"] == todos["LatestStreamArn"]
    assert mapping["BatchSize"] == 100
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == 5
    assert mapping["MaximumRecordAgeInSeconds"] == 3600
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # Before the function existed, the first run said so instead of failing.
    assert f"stream consumer {PREFIX}-change-notifier does not" in scenario["runs"]["first"].output


BAD_INPUT = {
    "unknown key attribute in a GSI": (
        tables_with("todos", global_indexes=[{"name": "by-due", "partition_key": "user_id", "sort_key": "due"}]),
        "dynamodb_tables: table 'todos' global index 'by-due' sort_key names an unknown attribute"),
    "attribute type other than S/N/B": (
        tables_with("events", attributes={"event_id": "STRING"}),
        "dynamodb_tables: table 'events' attribute 'event_id' type must be S, N or B, got 'STRING'"),
    "provisioned capacity of 0": (
        tables_with("todos", read_capacity=0),
        "dynamodb_tables: table 'todos' read_capacity must be a whole number of at least 1, got 0"),
    "provisioned capacity with on-demand": (
        tables_with("events", write_capacity=5),
        "dynamodb_tables: table 'events' write_capacity is only valid with billing_mode PROVISIONED"),
    "TTL attribute that is a key": (
        tables_with("events", ttl_attribute="event_id"),
        "dynamodb_tables: table 'events' ttl_attribute must not be a key attribute of the table or an index, got 'event_id'"),
}


@pytest.mark.parametrize("tables, expected", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_fails_at_role_entry(emulator, aws_env, tmp_path, tables, expected):
    run = run_playbook(aws_env, VALIDATE, "-e", json.dumps({"dynamodb_tables": tables}), artifacts=tmp_path)
    assert run.returncode != 0
    assert expected in run.output, run.output[-3000:]


def test_bad_input_fails_in_preflight_before_any_change(fresh_emulator, aws_env, aws_client, tmp_path):
    tables, expected = BAD_INPUT["unknown key attribute in a GSI"]
    run = run_playbook(aws_env, "playbooks/data.yml", "-e", json.dumps({"dynamodb_tables": tables}), artifacts=tmp_path)
    assert run.returncode != 0
    assert expected in run.output, run.output[-3000:]
    assert run.recap["changed"] == 0
    assert aws_client("dynamodb").list_tables()["TableNames"] == []
