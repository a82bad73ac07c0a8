"""iam scenario: one role per component, trusted by its service only, with a
least-privilege inline policy and nothing else attached."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "filter_plugins"))
from emulator_client import client  # noqa: E402
from iam_policies import UNSCOPED_ACTIONS  # noqa: E402

PREFIX = "rtap-local"
EXPECTED = {"vpc-flow-logs": "vpc-flow-logs.amazonaws.com", "stream-preprocessor": "lambda.amazonaws.com",
            "todo-api": "lambda.amazonaws.com", "firehose-archive": "firehose.amazonaws.com",
            "dax": "dax.amazonaws.com", "change-notifier": "lambda.amazonaws.com",
            "api-authorizer": "lambda.amazonaws.com", "api-gateway-cloudwatch": "apigateway.amazonaws.com",
            "api-gateway-ingest": "apigateway.amazonaws.com"}
iam = client("iam")

roles = {r["RoleName"]: r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(PREFIX + "-")}
missing = {f"{PREFIX}-{name}" for name in EXPECTED} - set(roles)
assert not missing, f"missing roles: {missing}"
for component, service in EXPECTED.items():
    name = f"{PREFIX}-{component}"
    role = iam.get_role(RoleName=name)["Role"]
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": service}, statement
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"
    tags = {t["Key"]: t["Value"] for t in role.get("Tags", [])}
    assert tags["Component"] == component and tags["ManagedBy"] == "ansible-platform-toolkit", tags
    assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"] == []
    document = iam.get_role_policy(RoleName=name, PolicyName="access")["PolicyDocument"]
    for st in document["Statement"]:
        assert all("*" not in action for action in st["Action"]), st
        # Only the actions AWS cannot scope to a resource may name every resource.
        assert all(r.startswith("arn:aws:") for r in st["Resource"]) \
            or set(st["Action"]) <= UNSCOPED_ACTIONS, st
print(f"iam: {len(EXPECTED)} roles verified")
