"""The CloudWatch Logs fix (emulator/fixes/logs.py) restores documented AWS behaviour; the test fails without it.

Check with PLATFORM_EMULATOR_DISABLE_FIXES=logs_associate_kms_key_sets_the_log_group_key \
python -m pytest tests/emulator/test_fixes_logs.py
"""

from collections.abc import Callable
from typing import Any

import pytest

AwsClient = Callable[..., Any]


def test_logs_associate_kms_key_sets_the_log_group_key(fresh_emulator: Any, aws_client: AwsClient) -> None:
    logs, kms = aws_client("logs"), aws_client("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName="/aws/made-by-aws")

    logs.associate_kms_key(logGroupName="/aws/made-by-aws", kmsKeyId=key)
    assert logs.describe_log_groups(logGroupNamePrefix="/aws/made-by-aws")["logGroups"][0]["kmsKeyId"] == key

    logs.disassociate_kms_key(logGroupName="/aws/made-by-aws")
    assert "kmsKeyId" not in logs.describe_log_groups(logGroupNamePrefix="/aws/made-by-aws")["logGroups"][0]

    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.associate_kms_key(logGroupName="/aws/absent", kmsKeyId=key)
