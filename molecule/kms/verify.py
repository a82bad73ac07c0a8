"""kms scenario: the keys exist with rotation, aliases, tags and least-privilege policies."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
kms = client("kms")

aliases = {a["AliasName"]: a["TargetKeyId"] for a in kms.list_aliases()["Aliases"]}
for purpose in ("data", "messaging", "logs", "secrets"):
    key_id = aliases[f"alias/{PREFIX}-{purpose}"]
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyManager"] == "CUSTOMER" and meta["Enabled"], meta
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"], purpose
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key_id)["Tags"]}
    assert tags["Purpose"] == purpose and tags["Layer"] == "foundation" and tags["Environment"] == "local", tags
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    actions = [a for s in policy["Statement"] for a in s["Action"]]
    assert all("*" not in a for a in actions), actions
    admin = [s for s in policy["Statement"] if s["Sid"] == "KeyAdministration"][0]
    assert "kms:Decrypt" not in admin["Action"]
    assert admin["Principal"]["AWS"] == ["arn:aws:iam::123456789012:root"]

assert len([a for a in aliases if a.startswith(f"alias/{PREFIX}-")]) == 4
print("kms: 4 keys verified")
