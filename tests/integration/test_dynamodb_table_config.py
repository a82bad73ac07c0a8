"""library/dynamodb_table_config.py against the emulator: in-place changes, check mode, deletion rules.

One scratch table goes through: create; --check of many changes (nothing changes);
billing, stream view, encryption, class, TTL, PITR and protection changed in place;
deletion refused while protected, and without the allow flag; then deleted.
"""

import json
import os

import pytest

from emulator import launcher
from tests.playbook import run_playbook

PLAYBOOK = "tests/integration/playbooks/dynamodb/table_config.yml"
NAME = "module-test"
CHANGES = {"billing_mode": "PAY_PER_REQUEST", "read_capacity": None, "write_capacity": None,
           "stream_view_type": "NEW_IMAGE", "ttl_attribute": "ttl_b", "point_in_time_recovery": True,
           "table_class": "STANDARD_INFREQUENT_ACCESS", "deletion_protection": True}


@pytest.fixture(scope="module")
def steps(emulator, aws_client):
    launcher.reset(emulator.url, emulator.ca_bundle)
    env = dict(os.environ, **emulator.env())
    key = aws_client("kms").create_key()["KeyMetadata"]
    aws_client("kms").create_alias(AliasName="alias/module-test", TargetKeyId=key["KeyId"])
    ddb = aws_client("dynamodb")
    changes = dict(CHANGES, kms_key_id="alias/module-test")
    changes_json = json.dumps({"settings": changes})
    result = {"key": key}
    result["create"] = run_playbook(env, PLAYBOOK)
    result["created"] = ddb.describe_table(TableName=NAME)["Table"]
    result["check"] = run_playbook(env, PLAYBOOK, "-e", changes_json, "--check", "--diff")
    result["after_check"] = ddb.describe_table(TableName=NAME)["Table"]
    result["apply"] = run_playbook(env, PLAYBOOK, "-e", changes_json)
    result["again"] = run_playbook(env, PLAYBOOK, "-e", changes_json)
    result["applied"] = ddb.describe_table(TableName=NAME)["Table"]
    result["pitr"] = ddb.describe_continuous_backups(TableName=NAME)["ContinuousBackupsDescription"]
    result["ttl"] = ddb.describe_time_to_live(TableName=NAME)["TimeToLiveDescription"]
    absent = dict(changes, state="absent", allow_table_deletion=True)
    result["protected_delete"] = run_playbook(env, PLAYBOOK, "-e", json.dumps({"settings": absent}))
    result["exists_after_protected_delete"] = NAME in ddb.list_tables()["TableNames"]
    run_playbook(env, PLAYBOOK, "-e", json.dumps({"settings": dict(changes, deletion_protection=False)}))
    result["unconfirmed_delete"] = run_playbook(env, PLAYBOOK, "-e", json.dumps(
        {"settings": dict(changes, deletion_protection=False, state="absent")}))
    result["exists_after_unconfirmed_delete"] = NAME in ddb.list_tables()["TableNames"]
    result["delete"] = run_playbook(env, PLAYBOOK, "-e", json.dumps(
        {"settings": dict(changes, deletion_protection=False, state="absent", allow_table_deletion=True)}))
    result["exists_after_delete"] = NAME in ddb.list_tables()["TableNames"]
    return result


def test_create(steps):
    assert steps["create"].returncode == 0, steps["create"].output[-3000:]
    table = steps["created"]
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert table["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"
    assert "SSEDescription" not in table


def test_check_mode_predicts_and_changes_nothing(steps):
    run = steps["check"]
    assert run.returncode == 0, run.output[-3000:]
    assert run.recap["changed"] == 1
    for text in ("billing mode PROVISIONED -> PAY_PER_REQUEST", "disable stream (KEYS_ONLY)", "enable stream (NEW_IMAGE)",
                 "enable point-in-time recovery", "disable time to live on ttl_a", "enable time to live on ttl_b",
                 "enable deletion protection", "table class STANDARD -> STANDARD_INFREQUENT_ACCESS"):
        assert text in run.output, text
    assert steps["after_check"] == steps["created"]


def test_changes_applied_in_place(steps):
    assert steps["apply"].returncode == 0, steps["apply"].output[-3000:]
    assert steps["again"].recap["changed"] == 0, steps["again"].output[-3000:]
    before, table = steps["created"], steps["applied"]
    assert table["TableId"] == before["TableId"] and table["CreationDateTime"] == before["CreationDateTime"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert table["LatestStreamArn"] != before["LatestStreamArn"]  # a re-enabled stream is a new stream
    assert table["SSEDescription"]["KMSMasterKeyArn"] == steps["key"]["Arn"]
    assert table["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
    assert table["DeletionProtectionEnabled"] is True
    assert steps["pitr"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert steps["ttl"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl_b"}


def test_deletion_needs_protection_off_and_the_allow_flag(steps):
    assert steps["protected_delete"].returncode != 0
    assert f"table {NAME}: not deleted, its deletion protection is on" in steps["protected_delete"].output
    assert steps["exists_after_protected_delete"]
    assert steps["unconfirmed_delete"].returncode != 0
    assert "set allow_table_deletion=true to confirm" in steps["unconfirmed_delete"].output
    assert steps["exists_after_unconfirmed_delete"]
    assert steps["delete"].returncode == 0, steps["delete"].output[-3000:]
    assert not steps["exists_after_delete"]
