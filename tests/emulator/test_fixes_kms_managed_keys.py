"""The fix in emulator/fixes/kms.py (AWS managed keys) restores documented AWS behaviour; these tests assert it.

Each test fails on plain moto: check with
PLATFORM_EMULATOR_DISABLE_FIXES=kms_aws_managed_keys_report_key_manager_aws \
    python -m pytest tests/emulator/test_fixes_kms_managed_keys.py
"""

from typing import Any

import pytest


@pytest.fixture(name="kms")
def kms_fixture(fresh_emulator: Any, aws_client: Any) -> Any:
    return aws_client("kms")


@pytest.mark.parametrize("alias", ["alias/aws/s3", "alias/aws/secretsmanager", "alias/aws/sqs", "alias/aws/kinesis"])
def test_describe_key_on_a_predefined_alias_returns_an_aws_managed_key(kms: Any, alias: str) -> None:
    meta = kms.describe_key(KeyId=alias)["KeyMetadata"]
    assert meta["KeyManager"] == "AWS"
    assert kms.describe_key(KeyId=meta["Arn"])["KeyMetadata"]["KeyId"] == meta["KeyId"]  # the same key again
    assert kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"] == meta["KeyId"]
    assert alias in [a["AliasName"] for a in kms.list_aliases(KeyId=meta["KeyId"])["Aliases"]]


def test_customer_keys_stay_customer_managed(kms: Any) -> None:
    key = kms.create_key(Description="mine")["KeyMetadata"]
    kms.describe_key(KeyId="alias/aws/s3")
    assert kms.describe_key(KeyId=key["Arn"])["KeyMetadata"]["KeyManager"] == "CUSTOMER"
