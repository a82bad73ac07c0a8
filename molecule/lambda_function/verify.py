"""lambda_function scenario: the function, its deterministic zip, log group and concurrency."""

import base64
import hashlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
NAME = f"{PREFIX}-molecule-function"
lambda_client, logs, kms = client("lambda"), client("logs"), client("kms")

function = lambda_client.get_function(FunctionName=NAME)
config = function["Configuration"]
assert config["Runtime"] == "python3.12" and config["Handler"] == "handler.lambda_handler", config
assert config["Timeout"] == 30 and config["MemorySize"] == 256, config
assert config["Role"] == f"arn:aws:iam::123456789012:role/{PREFIX}-stream-preprocessor", config
assert config["Environment"]["Variables"] == {"TABLE_NAME": "molecule-table", "DLQ_URL": "https://sqs.example/dlq"}
assert function["Concurrency"]["ReservedConcurrentExecutions"] == 3, function.get("Concurrency")
tags = function["Tags"]
assert tags["Layer"] == "api" and tags["Scenario"] == "lambda_function" and tags["Function"] == NAME, tags

# The deployed code is the deterministic zip in the artifacts folder, deployed once.
zip_path = Path(os.environ["PLATFORM_ARTIFACTS_DIR"]) / "local" / "lambda" / f"{NAME}.zip"
digest = base64.b64encode(hashlib.sha256(zip_path.read_bytes()).digest()).decode()
assert config["CodeSha256"] == digest, (config["CodeSha256"], digest)
versions = [v["Version"] for v in lambda_client.list_versions_by_function(FunctionName=NAME)["Versions"]]
assert versions == ["$LATEST", "1"], versions

group, = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{NAME}")["logGroups"]
assert group["retentionInDays"] == 14, group
assert group["kmsKeyId"] == kms.describe_key(KeyId=f"alias/{PREFIX}-logs")["KeyMetadata"]["Arn"], group
print("lambda_function: function, zip, log group and concurrency verified")
