"""Unit tests for library/dynamodb_table_config.py: declared vs live, without AWS."""

import copy
import importlib.util
from pathlib import Path

MODULE_PATH = Path(__file__).resolve().parents[2] / "library" / "dynamodb_table_config.py"
_spec = importlib.util.spec_from_file_location("dynamodb_table_config", MODULE_PATH)
ddb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ddb)

KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1111"


def params(**overrides):
    """Module parameters as AnsibleModule hands them over (defaults applied)."""
    base = dict(
        name="todos", state="present",
        attributes={"user_id": "S", "todo_id": "S", "due_date": "S"},
        partition_key="user_id", sort_key="todo_id",
        global_indexes=[{"name": "by-due-date", "partition_key": "user_id", "sort_key": "due_date",
                         "projection": "ALL", "non_key_attributes": [], "read_capacity": None,
                         "write_capacity": None, "auto_scaling": None}],
        local_indexes=[],
        billing_mode="PAY_PER_REQUEST", read_capacity=None, write_capacity=None, auto_scaling=None,
        stream_view_type="NEW_AND_OLD_IMAGES", point_in_time_recovery=True, ttl_attribute="",
        kms_key_id="alias/data", table_class="STANDARD", deletion_protection=False, tags={"a": "b"},
    )
    base.update(overrides)
    return base


def described(**overrides):
    """The table as DescribeTable returns it for params()."""
    table = {
        "TableName": "todos", "TableId": "id-1", "TableArn": "arn:aws:dynamodb:eu-west-1:123456789012:table/todos",
        "TableStatus": "ACTIVE",
        "AttributeDefinitions": [{"AttributeName": "user_id", "AttributeType": "S"},
                                 {"AttributeName": "todo_id", "AttributeType": "S"},
                                 {"AttributeName": "due_date", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}, {"AttributeName": "todo_id", "KeyType": "RANGE"}],
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
        "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0, "NumberOfDecreasesToday": 0},
        "GlobalSecondaryIndexes": [{
            "IndexName": "by-due-date", "IndexStatus": "ACTIVE",
            "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}, {"AttributeName": "due_date", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}}],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "LatestStreamArn": "arn:aws:dynamodb:eu-west-1:123456789012:table/todos/stream/1",
        "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": KEY_ARN},
        "DeletionProtectionEnabled": False,
    }
    table.update(overrides)
    return table


PITR_ON = {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED"}}


def live(table=None, pitr=PITR_ON, ttl=None, tags=None):
    return ddb.live_spec(table or described(), pitr, ttl or {"TimeToLiveStatus": "DISABLED"}, tags or {"a": "b"})


def plan(desired_params, live_spec):
    desired = ddb.desired_spec(desired_params, KEY_ARN if desired_params["kms_key_id"] else "")
    assert ddb.replacement_reasons("todos", desired, live_spec) == []
    return ddb.plan_updates("todos", desired, live_spec)


def actions(steps):
    return [step["text"] for step in steps]


def test_converged_table_needs_nothing():
    assert plan(params(), live()) == []


def test_new_gsi_is_created_in_place_with_its_attribute():
    p = params(attributes={"user_id": "S", "todo_id": "S", "due_date": "S", "status": "S"})
    p["global_indexes"].append({"name": "by-status", "partition_key": "status", "sort_key": None, "projection": "KEYS_ONLY",
                                "non_key_attributes": [], "read_capacity": None, "write_capacity": None, "auto_scaling": None})
    steps = plan(p, live())
    assert actions(steps) == ["create global secondary index by-status"]
    request = steps[0]["request"]
    assert request["GlobalSecondaryIndexUpdates"] == [{"Create": {
        "IndexName": "by-status", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}}]
    assert {"AttributeName": "status", "AttributeType": "S"} in request["AttributeDefinitions"]


def test_several_gsi_changes_are_one_call_each_deletes_first():
    p = params(attributes={"user_id": "S", "todo_id": "S", "status": "S", "owner": "S"})
    p["global_indexes"] = [
        {"name": "by-status", "partition_key": "status", "sort_key": None, "projection": "ALL", "non_key_attributes": [],
         "read_capacity": None, "write_capacity": None, "auto_scaling": None},
        {"name": "by-owner", "partition_key": "owner", "sort_key": None, "projection": "ALL", "non_key_attributes": [],
         "read_capacity": None, "write_capacity": None, "auto_scaling": None},
    ]
    steps = plan(p, live())
    assert actions(steps) == ["delete global secondary index by-due-date",
                              "create global secondary index by-owner", "create global secondary index by-status"]
    assert all(len(s["request"]["GlobalSecondaryIndexUpdates"]) == 1 for s in steps if "request" in s)


def test_gsi_projection_change_recreates_the_index():
    p = params()
    p["global_indexes"][0]["projection"] = "KEYS_ONLY"
    assert actions(plan(p, live())) == [
        "delete global secondary index by-due-date (its keys or projection change)",
        "create global secondary index by-due-date"]


def test_switch_to_provisioned_sets_table_and_index_capacity():
    p = params(billing_mode="PROVISIONED", read_capacity=10, write_capacity=5)
    steps = plan(p, live())
    assert len(steps) == 1
    assert steps[0]["request"] == {
        "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 5},
        "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "by-due-date", "ProvisionedThroughput": {
            "ReadCapacityUnits": 10, "WriteCapacityUnits": 5}}}],
    }


def _provisioned_table(read=10, write=5):
    table = described(BillingModeSummary={"BillingMode": "PROVISIONED"},
                      ProvisionedThroughput={"ReadCapacityUnits": read, "WriteCapacityUnits": write})
    table["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"] = {"ReadCapacityUnits": read, "WriteCapacityUnits": write}
    return table


def test_capacity_change_without_auto_scaling_is_applied():
    p = params(billing_mode="PROVISIONED", read_capacity=20, write_capacity=5)
    steps = plan(p, live(_provisioned_table()))
    assert steps[0]["request"]["ProvisionedThroughput"] == {"ReadCapacityUnits": 20, "WriteCapacityUnits": 5}


def test_capacity_owned_by_auto_scaling_is_left_alone():
    scaling = {"min_read": 5, "max_read": 100, "min_write": 5, "max_write": 50}
    p = params(billing_mode="PROVISIONED", read_capacity=5, write_capacity=5, auto_scaling=scaling)
    assert plan(p, live(_provisioned_table(read=42, write=17))) == []


def test_stream_view_type_change_disables_then_enables():
    steps = plan(params(stream_view_type="NEW_IMAGE"), live())
    assert [s["request"] for s in steps] == [
        {"StreamSpecification": {"StreamEnabled": False}},
        {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}}]


def test_pitr_ttl_sse_class_and_protection():
    p = params(point_in_time_recovery=False, ttl_attribute="expires_at", kms_key_id="", table_class="STANDARD_INFREQUENT_ACCESS",
               deletion_protection=True)
    steps = plan(p, live())
    assert actions(steps) == [
        "encrypt with the AWS owned key", "table class STANDARD -> STANDARD_INFREQUENT_ACCESS",
        "enable deletion protection", "disable point-in-time recovery", "enable time to live on expires_at"]
    assert steps[0]["request"] == {"SSESpecification": {"Enabled": False}}


def test_ttl_attribute_change_disables_the_old_one_first():
    steps = plan(params(ttl_attribute="expires_at"), live(ttl={"TimeToLiveStatus": "ENABLED", "AttributeName": "old_ttl"}))
    assert [(s["enabled"], s["attribute"]) for s in steps] == [(False, "old_ttl"), (True, "expires_at")]


def test_key_schema_change_is_refused_naming_table_and_attribute():
    desired = ddb.desired_spec(params(attributes={"owner_id": "S", "todo_id": "S", "due_date": "S"}, partition_key="owner_id"), KEY_ARN)
    reasons = ddb.replacement_reasons("todos", desired, live())
    assert len(reasons) == 1
    assert "table todos" in reasons[0] and "partition key" in reasons[0]
    assert "'user_id' (S)" in reasons[0] and "'owner_id' (S)" in reasons[0]


def test_key_type_change_and_dropped_sort_key_are_refused():
    desired = ddb.desired_spec(params(attributes={"user_id": "N", "due_date": "S"}, sort_key=None), KEY_ARN)
    reasons = ddb.replacement_reasons("todos", desired, live())
    assert [r.split(":")[1].split(" is ")[0].strip() for r in reasons] == ["partition key", "sort key"]
    assert "'user_id' (N)" in reasons[0] and "'todo_id' (S)" in reasons[1]


def test_lsi_changes_are_refused():
    p = params(attributes={"user_id": "S", "todo_id": "S", "due_date": "S", "status": "S"},
               local_indexes=[{"name": "by-status", "sort_key": "status", "projection": "ALL", "non_key_attributes": []}])
    reasons = ddb.replacement_reasons("todos", ddb.desired_spec(p, KEY_ARN), live())
    assert reasons and "local secondary index by-status" in reasons[0] and "'status'" in reasons[0]


def test_scaling_plan_registers_and_deregisters():
    scaling = {"min_read": 5, "max_read": 100, "min_write": 5, "max_write": 50}
    desired = ddb.desired_spec(params(billing_mode="PROVISIONED", read_capacity=5, write_capacity=5, auto_scaling=scaling), KEY_ARN)
    targets = ddb.scaling_targets("todos", desired)
    assert sorted(targets) == [
        ("table/todos", "dynamodb:table:ReadCapacityUnits"), ("table/todos", "dynamodb:table:WriteCapacityUnits"),
        ("table/todos/index/by-due-date", "dynamodb:index:ReadCapacityUnits"),
        ("table/todos/index/by-due-date", "dynamodb:index:WriteCapacityUnits")]
    steps = ddb.plan_scaling(targets, {})
    assert [s["action"] for s in steps].count("register_scalable_target") == 4
    assert [s["action"] for s in steps].count("put_scaling_policy") == 4

    live_targets = copy.deepcopy(targets)
    assert ddb.plan_scaling(targets, live_targets) == []
    # On-demand: every target goes.
    on_demand = ddb.desired_spec(params(), KEY_ARN)
    assert [s["action"] for s in ddb.plan_scaling(ddb.scaling_targets("todos", on_demand), live_targets)] == \
        ["deregister_scalable_target"] * 4


def test_live_scaling_targets_read_back_as_declared():
    scaling = {"min_read": 5, "max_read": 100, "min_write": 5, "max_write": 50, "target_utilization": 70}
    desired = ddb.desired_spec(params(billing_mode="PROVISIONED", read_capacity=5, write_capacity=5,
                                      auto_scaling=scaling, global_indexes=[]), KEY_ARN)
    targets = ddb.scaling_targets("todos", desired)
    described_targets = [{"ResourceId": r, "ScalableDimension": d, "MinCapacity": t["min"], "MaxCapacity": t["max"]}
                         for (r, d), t in targets.items()]
    policies = [{"ResourceId": r, "ScalableDimension": d, "PolicyName": t["policy_name"], "PolicyType": "TargetTrackingScaling",
                 "TargetTrackingScalingPolicyConfiguration": dict(t["policy"], TargetValue=70)}
                for (r, d), t in targets.items()]
    assert ddb.plan_scaling(targets, ddb.live_scaling_targets(described_targets, policies)) == []


def test_create_request_has_everything():
    p = params(billing_mode="PROVISIONED", read_capacity=10, write_capacity=5,
               attributes={"user_id": "S", "todo_id": "S", "due_date": "S", "status": "S"},
               local_indexes=[{"name": "by-status", "sort_key": "status", "projection": "INCLUDE", "non_key_attributes": ["title"]}])
    request = ddb.create_request("todos", ddb.desired_spec(p, KEY_ARN), {"a": "b"})
    assert request["KeySchema"] == [{"AttributeName": "user_id", "KeyType": "HASH"}, {"AttributeName": "todo_id", "KeyType": "RANGE"}]
    assert [a["AttributeName"] for a in request["AttributeDefinitions"]] == ["user_id", "todo_id", "due_date", "status"]
    assert request["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"] == {"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}
    assert request["LocalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["title"]}
    assert request["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert request["SSESpecification"] == {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY_ARN}
    assert request["Tags"] == [{"Key": "a", "Value": "b"}]


def test_live_spec_defaults_for_missing_fields():
    spec = ddb.live_spec({"TableName": "t", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    assert spec["billing_mode"] == "PROVISIONED"  # AWS omits BillingModeSummary for old provisioned tables
    assert spec["table_class"] == "STANDARD"
    assert spec["stream_view_type"] == "DISABLED"
    assert spec["kms_key_arn"] == "" and spec["ttl_attribute"] == "" and not spec["point_in_time_recovery"]
