"""s3 scenario: every bucket is encrypted, versioned, private, owner-enforced, TLS-only, with lifecycle rules and access logs."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
s3, kms = client("s3"), client("kms")
data_key = kms.describe_key(KeyId=f"alias/{PREFIX}-data")["KeyMetadata"]["Arn"]
buckets = {p: f"{PREFIX}-{p}" for p in ("raw-archive", "user-files", "config-snapshots", "logs")}

for purpose, bucket in buckets.items():
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    if purpose == "logs":  # server access log targets must use SSE-S3
        assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}, rule
        assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    else:
        assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": data_key}, rule
        assert rule["BucketKeyEnabled"] is True, rule
        logging = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
        assert logging == {"TargetBucket": buckets["logs"], "TargetPrefix": f"s3-access/{bucket}/"}, logging
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4, block
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}]
    statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    deny = [s for s in statements if s["Sid"] == "DenyInsecureTransport"][0]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}, deny
    assert deny["Resource"] == [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"], deny
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"], bucket

archive = s3.get_bucket_lifecycle_configuration(Bucket=buckets["raw-archive"])["Rules"][0]
assert [t["StorageClass"] for t in archive["Transitions"]] == ["STANDARD_IA", "GLACIER_IR"], archive
assert s3.get_bucket_cors(Bucket=buckets["user-files"])["CORSRules"][0]["AllowedMethods"] == ["GET", "PUT", "HEAD"]
s3.put_object(Bucket=buckets["user-files"], Key="users/verify/probe.txt", Body=b"tls")
assert s3.get_object(Bucket=buckets["user-files"], Key="users/verify/probe.txt")["Body"].read() == b"tls"
print(f"s3: {len(buckets)} buckets verified")
