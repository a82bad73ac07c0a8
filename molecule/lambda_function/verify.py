"""lambda_function scenario: the function, its deterministic zip, log group and concurrency;
a second function with a vendored requirement, attached to a VPC."""

import base64
import hashlib
import os
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
NAME = f"{PREFIX}-molecule-function"
lambda_client, logs, kms, ec2, iam = client("lambda"), client("logs"), client("kms"), client("ec2"), client("iam")

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

# The second function: its requirement is in the zip's root, it runs in the VPC's subnets.
VPC_NAME = f"{PREFIX}-molecule-vpc-function"
config = lambda_client.get_function(FunctionName=VPC_NAME)["Configuration"]
lambda_dir = Path(os.environ["PLATFORM_ARTIFACTS_DIR"]) / "local" / "lambda"
zip_path = lambda_dir / f"{VPC_NAME}.zip"
digest = base64.b64encode(hashlib.sha256(zip_path.read_bytes()).digest()).decode()
assert config["CodeSha256"] == digest, (config["CodeSha256"], digest)
names = zipfile.ZipFile(zip_path).namelist()
assert {"handler.py", "requirements.txt", "antlr4/__init__.py", "antlr4_python3_runtime-4.13.2.dist-info/METADATA"} <= set(names)
assert not [n for n in names if n.startswith("bin/") or n.endswith(("/RECORD", "/INSTALLER", "/WHEEL"))], names
assert len(list((lambda_dir / "deps").iterdir())) == 1, "installed once, reused by the idempotence run"
versions = [v["Version"] for v in lambda_client.list_versions_by_function(FunctionName=VPC_NAME)["Versions"]]
assert versions == ["$LATEST", "1"], versions
vpc, = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"{PREFIX}-vpc"]}])["Vpcs"]
subnets = {s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]}
group, = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{PREFIX}-app"]}])["SecurityGroups"]
assert set(config["VpcConfig"]["SubnetIds"]) == subnets and len(subnets) == 2, (config["VpcConfig"], subnets)
assert config["VpcConfig"]["SecurityGroupIds"] == [group["GroupId"]], config["VpcConfig"]

# Its role may attach it to the VPC and use the DAX cluster (iam role, todo-api component).
policy_names = iam.list_role_policies(RoleName=f"{PREFIX}-todo-api")["PolicyNames"]
actions = {action for name in policy_names
           for statement in iam.get_role_policy(RoleName=f"{PREFIX}-todo-api", PolicyName=name)["PolicyDocument"]["Statement"]
           for action in statement["Action"]}
assert {"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "dax:GetItem", "dax:PutItem"} <= actions, actions
print("lambda_function: functions, zips (one with a vendored requirement), VPC, log group and concurrency verified")
