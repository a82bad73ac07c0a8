"""preflight scenario: the checks and the account lookup change nothing."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

assert [r["RoleName"] for r in client("iam").list_roles()["Roles"] if r["RoleName"].startswith("rtap-")] == []
assert client("kms").list_keys()["Keys"] == []
assert [v for v in client("ec2").describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []
print("preflight: nothing created")
