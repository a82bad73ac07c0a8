"""audit scenario: the audit read the roles, keys and buckets, found nothing, and wrote audit.json."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
report = json.loads((Path(os.environ["PLATFORM_ARTIFACTS_DIR"]) / "local" / "audit.json").read_text())
assert report["environment"] == "local" and report["passed"] is True, report
assert report["findings"] == [] and report["counts"] == {}, report["findings"]
checked = report["resources_checked"]
assert checked["AWS::S3::Bucket"] >= 4 and checked["AWS::IAM::Role"] >= 10, checked

# The audit is read-only: the log bucket it allowed SSE-S3 for is still SSE-S3, untouched.
s3 = client("s3")
rule = s3.get_bucket_encryption(Bucket=f"{PREFIX}-logs")["ServerSideEncryptionConfiguration"]["Rules"][0]
assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", rule
print(f"audit: no findings on {sum(checked.values())} resources")
