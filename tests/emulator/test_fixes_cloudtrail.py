"""The CloudTrail fix (emulator/fixes/cloudtrail.py) restores documented AWS behaviour; the test fails without it.

Check with PLATFORM_EMULATOR_DISABLE_FIXES=delete_trail_accepts_the_trail_name_or_arn \
python -m pytest tests/emulator/test_fixes_cloudtrail.py
"""

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

AwsClient = Callable[..., Any]


def test_delete_trail_accepts_the_trail_name_or_arn(fresh_emulator: Any, aws_client: AwsClient) -> None:
    aws_client("s3").create_bucket(Bucket="trail-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    cloudtrail = aws_client("cloudtrail")
    by_arn = cloudtrail.create_trail(Name="by-arn", S3BucketName="trail-bucket")["TrailARN"]
    cloudtrail.create_trail(Name="by-name", S3BucketName="trail-bucket")

    cloudtrail.delete_trail(Name=by_arn)
    cloudtrail.delete_trail(Name="by-name")
    assert cloudtrail.describe_trails()["trailList"] == []
    with pytest.raises(ClientError) as error:
        cloudtrail.delete_trail(Name="by-name")
    assert error.value.response["Error"]["Code"] == "TrailNotFoundException"
