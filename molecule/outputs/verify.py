"""outputs scenario: artifacts/<env>/outputs.json holds what the emulator holds."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

outputs = json.loads((Path(os.environ["PLATFORM_ARTIFACTS_DIR"]) / "local" / "outputs.json").read_text())
assert outputs["environment"] == "local" and outputs["account_id"] == "123456789012", outputs
kms, iam = client("kms"), client("iam")
for purpose, arn in outputs["kms"]["key_arns"].items():
    assert kms.describe_key(KeyId=f"alias/rtap-local-{purpose}")["KeyMetadata"]["Arn"] == arn, purpose
for component, arn in outputs["iam"]["role_arns"].items():
    assert iam.get_role(RoleName=f"rtap-local-{component}")["Role"]["Arn"] == arn, component
print("outputs: file matches the emulator")
