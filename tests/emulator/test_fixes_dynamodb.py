"""The DynamoDB fixes in emulator/fixes/dynamodb.py restore documented AWS behaviour.

Every test here fails on plain moto: check with
PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes_dynamodb.py
"""

import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

PLAYBOOKS = Path(__file__).parent / "playbooks"
ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")
KEY = [{"AttributeName": "pk", "KeyType": "HASH"}]
ATTRIBUTES = [{"AttributeName": "pk", "AttributeType": "S"}]


@pytest.fixture
def dynamodb(fresh_emulator: Any, aws_client: Any) -> Any:
    return aws_client("dynamodb")


def create_table(dynamodb: Any, name: str = "fix-test", **extra: Any) -> dict[str, Any]:
    return dynamodb.create_table(TableName=name, KeySchema=KEY, AttributeDefinitions=ATTRIBUTES,
                                 BillingMode="PAY_PER_REQUEST", **extra)["TableDescription"]


def describe(dynamodb: Any, name: str = "fix-test") -> dict[str, Any]:
    return dynamodb.describe_table(TableName=name)["Table"]


# --- dynamodb_describe_table_returns_table_id -------------------------------------------

def test_describe_table_returns_a_stable_table_id(dynamodb: Any) -> None:
    created = create_table(dynamodb)
    table_id = describe(dynamodb)["TableId"]

    assert str(uuid.UUID(table_id)) == table_id
    assert created["TableId"] == table_id
    dynamodb.update_table(TableName="fix-test", DeletionProtectionEnabled=False)
    assert describe(dynamodb)["TableId"] == table_id
    # A new table of the same name is another table.
    dynamodb.delete_table(TableName="fix-test")
    create_table(dynamodb)
    assert describe(dynamodb)["TableId"] != table_id


def test_stock_dynamodb_table_module_is_idempotent(fresh_emulator: Any, aws_env: dict[str, str],
                                                   tmp_path: Path) -> None:
    def run() -> dict[str, int]:
        env = dict(aws_env, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="False",
                   ANSIBLE_INVENTORY_UNPARSED_WARNING="False")
        result = subprocess.run([str(ANSIBLE_PLAYBOOK), str(PLAYBOOKS / "dynamodb_table_stock_module.yml")],
                                env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        recap = re.search(r"^localhost\s*:(.*)$", result.stdout, re.MULTILINE)
        assert recap, result.stdout
        return {name: int(count) for name, count in re.findall(r"(\w+)=(\d+)", recap.group(1))}

    assert run()["changed"] == 1
    assert run()["changed"] == 0


# --- dynamodb_sse_description_names_the_key_arn -----------------------------------------

def test_sse_description_names_the_key_arn(dynamodb: Any, aws_client: Any) -> None:
    kms = aws_client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/fix-test-data", TargetKeyId=key["KeyId"])

    create_table(dynamodb, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/fix-test-data"})
    create_table(dynamodb, "by-id", SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key["KeyId"]})

    for name in ("fix-test", "by-id"):
        sse = describe(dynamodb, name)["SSEDescription"]
        assert sse == {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key["Arn"]}


# --- dynamodb_update_table_applies_sse_and_table_class ---------------------------------

def test_table_class_is_kept_and_updated(dynamodb: Any) -> None:
    create_table(dynamodb, TableClass="STANDARD_INFREQUENT_ACCESS")
    assert describe(dynamodb)["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"

    dynamodb.update_table(TableName="fix-test", TableClass="STANDARD")
    assert describe(dynamodb)["TableClassSummary"]["TableClass"] == "STANDARD"


def test_update_table_changes_the_encryption_key(dynamodb: Any, aws_client: Any) -> None:
    kms = aws_client("kms")
    first, second = (kms.create_key()["KeyMetadata"] for _ in range(2))
    create_table(dynamodb, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": first["Arn"]})

    dynamodb.update_table(TableName="fix-test",
                          SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": second["Arn"]})
    assert describe(dynamodb)["SSEDescription"]["KMSMasterKeyArn"] == second["Arn"]

    # Enabled=false: back to the AWS owned key, which DescribeTable does not report.
    dynamodb.update_table(TableName="fix-test", SSESpecification={"Enabled": False})
    assert "SSEDescription" not in describe(dynamodb)


# --- dynamodb_stream_can_be_enabled_again_after_disabling ------------------------------

def test_stream_can_be_enabled_again_after_disabling(dynamodb: Any) -> None:
    create_table(dynamodb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    first_arn = describe(dynamodb)["LatestStreamArn"]

    dynamodb.update_table(TableName="fix-test", StreamSpecification={"StreamEnabled": False})
    assert "StreamSpecification" not in describe(dynamodb)

    dynamodb.update_table(TableName="fix-test", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    table = describe(dynamodb)
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert table["LatestStreamArn"] != first_arn
