"""Integration tests for library/kms_keys.py against the emulator.

The module runs through ansible-playbook (playbooks/kms_keys.yml); what it did is judged
from the emulator's state, read with boto3, and from the AWS calls the emulator counted
(GET /_platform/api-calls), not from the module's own report.
"""

import importlib.util
import json
from pathlib import Path

import pytest

from emulator import launcher
from tests.module_playbook import run_module_playbook

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = Path(__file__).resolve().parent / "playbooks" / "kms_keys.yml"
ACCOUNT_ROOT = "arn:aws:iam::123456789012:root"

_spec = importlib.util.spec_from_file_location("drift_recorder", REPO / "callback_plugins" / "drift_recorder.py")
recorder = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(recorder)


def policy(sid):
    return {"Version": "2012-10-17", "Id": sid, "Statement": [
        {"Sid": "KeyAdministration", "Effect": "Allow", "Principal": {"AWS": ACCOUNT_ROOT},
         "Action": ["kms:DescribeKey", "kms:PutKeyPolicy", "kms:TagResource"], "Resource": "*"},
        {"Sid": "UseByService1", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}},
    ]}


def declared():
    return {"kms_keys": [
        {"alias": "alias/shop-test-data", "description": "shop-test: data at rest", "policy": policy("shop-test-data"),
         "enable_key_rotation": True, "tags": {"Layer": "foundation", "Purpose": "data"}},
        # The policy as a JSON string, the way a template lookup gives it.
        {"alias": "alias/shop-test-logs", "description": "shop-test: log groups",
         "policy": json.dumps(policy("shop-test-logs"), indent=2), "enable_key_rotation": True,
         "tags": {"Layer": "foundation", "Purpose": "logs"}},
    ]}


@pytest.fixture
def kms(fresh_emulator, aws_client):
    return aws_client("kms")


@pytest.fixture
def run(fresh_emulator, aws_env, tmp_path):
    """Run the playbook; return (module result, output, the AWS calls the emulator served during the run)."""
    def go(options, check=False, expect_failure=False):
        launcher.reset_api_calls(fresh_emulator.url, fresh_emulator.ca_bundle)
        done = run_module_playbook(aws_env, PLAYBOOK, options, tmp_path, check=check)
        calls = launcher.api_calls(fresh_emulator.url, fresh_emulator.ca_bundle)
        assert (done.returncode != 0) == expect_failure, done.output
        return done.result, done.output, calls

    return go


def counts(calls, mutating):
    """{operation: count} of the mutating (or the read) calls."""
    return {c["operation"]: c["count"] for c in calls["calls"] if c["mutating"] == mutating}


def live(kms):
    """{alias: the key's settings} of every alias the tests use, read from the emulator."""
    keys = {}
    for alias in kms.list_aliases()["Aliases"]:
        if not alias["AliasName"].startswith("alias/shop-test-") or "TargetKeyId" not in alias:
            continue
        key_id = alias["TargetKeyId"]
        metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        keys[alias["AliasName"]] = {
            "arn": metadata["Arn"],
            "state": metadata["KeyState"],
            "spec": metadata["KeySpec"],
            "usage": metadata["KeyUsage"],
            "description": metadata["Description"],
            "policy": json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]),
            "rotation": kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"],
            "tags": {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key_id)["Tags"]},
        }
    return keys


def expected():
    return {
        "alias/shop-test-data": {"state": "Enabled", "spec": "SYMMETRIC_DEFAULT", "usage": "ENCRYPT_DECRYPT",
                                 "description": "shop-test: data at rest", "policy": policy("shop-test-data"),
                                 "rotation": True,
                                 # KmsKeyAlias: the module's own tag, set by CreateKey
                                 "tags": {"Layer": "foundation", "Purpose": "data", "KmsKeyAlias": "alias/shop-test-data"}},
        "alias/shop-test-logs": {"state": "Enabled", "spec": "SYMMETRIC_DEFAULT", "usage": "ENCRYPT_DECRYPT",
                                 "description": "shop-test: log groups", "policy": policy("shop-test-logs"),
                                 "rotation": True,
                                 # KmsKeyAlias: the module's own tag, set by CreateKey
                                 "tags": {"Layer": "foundation", "Purpose": "logs", "KmsKeyAlias": "alias/shop-test-logs"}},
    }


def without_arns(keys):
    return {alias: {k: v for k, v in key.items() if k != "arn"} for alias, key in keys.items()}


def test_creates_the_keys_then_a_rerun_changes_nothing_with_few_reads(kms, run):
    result, _, calls = run(declared())

    state = live(kms)
    assert without_arns(state) == expected()
    assert result["changed"]
    assert result["key_arns"] == {alias: key["arn"] for alias, key in state.items()}
    assert counts(calls, mutating=True) == {"CreateKey": 2, "CreateAlias": 2, "EnableKeyRotation": 2}

    again, _, calls = run(declared())

    assert not again["changed"]
    assert [key["key_arn"] for key in again["keys"]] == [key["arn"] for key in state.values()]
    assert calls["mutating"] == 0, counts(calls, mutating=True)
    assert counts(calls, mutating=False)["ListAliases"] == 1
    assert calls["read"] <= 4 * 2 + 1, counts(calls, mutating=False)
    assert live(kms) == state


def test_drift_is_put_back_with_only_the_difference(kms, run):
    run(declared())
    before = live(kms)
    data_key, logs_key = before["alias/shop-test-data"]["arn"], before["alias/shop-test-logs"]["arn"]
    # Drift: a policy statement dropped, rotation off, a tag added, a description changed.
    drifted_policy = policy("shop-test-data")
    drifted_policy["Statement"].pop()
    kms.put_key_policy(KeyId=data_key, PolicyName="default", Policy=json.dumps(drifted_policy))
    kms.tag_resource(KeyId=data_key, Tags=[{"TagKey": "Owner", "TagValue": "someone"}])
    kms.disable_key_rotation(KeyId=logs_key)
    kms.update_key_description(KeyId=logs_key, Description="edited by hand")
    drifted = live(kms)

    # A check run (what playbooks/drift.yml does) reports the drift, per key, and changes nothing.
    checked, _, calls = run(declared(), check=True)

    assert checked["changed"] and calls["mutating"] == 0
    assert live(kms) == drifted
    findings = {(f["resource"], f["setting"]) for f in recorder.diff_findings(checked, "Apply the keys")}
    assert findings == {
        ("alias/shop-test-data", "policy.Statement"),
        ("alias/shop-test-data", "tags.Owner"),
        ("alias/shop-test-logs", "enable_key_rotation"),
        ("alias/shop-test-logs", "description"),
    }

    result, _, calls = run(declared())

    assert live(kms) == before
    assert counts(calls, mutating=True) == {"PutKeyPolicy": 1, "UntagResource": 1, "EnableKeyRotation": 1,
                                            "UpdateKeyDescription": 1}
    by_alias = {key["alias"]: key for key in result["keys"]}
    assert sorted(by_alias["alias/shop-test-data"]["changes"]) == ["policy", "tags"]
    assert sorted(by_alias["alias/shop-test-logs"]["changes"]) == ["description", "enable_key_rotation"]
    again, _, calls = run(declared())
    assert not again["changed"] and calls["mutating"] == 0


def test_check_mode_changes_nothing_and_predicts_the_change(kms, run):
    result, _, calls = run(declared(), check=True)

    assert result["changed"]
    assert calls["mutating"] == 0, counts(calls, mutating=True)
    assert live(kms) == {}
    assert kms.list_keys()["Keys"] == []
    assert result["key_arns"] == {"alias/shop-test-data": "", "alias/shop-test-logs": ""}


def test_settings_not_given_are_left_alone(kms, run):
    run(declared())
    state = live(kms)
    options = {"kms_keys": [{"alias": key["alias"]} for key in declared()["kms_keys"]]}

    result, _, calls = run(options)

    assert not result["changed"] and calls["mutating"] == 0
    assert counts(calls, mutating=False) == {"ListAliases": 1, "DescribeKey": 2}
    assert live(kms) == state


def test_a_key_pending_deletion_fails_naming_the_alias_and_no_second_key_is_made(kms, run):
    run(declared())
    data_key = live(kms)["alias/shop-test-data"]["arn"]
    kms.schedule_key_deletion(KeyId=data_key, PendingWindowInDays=7)

    _, output, calls = run(declared(), expect_failure=True)

    assert "alias/shop-test-data names key" in output and "PendingDeletion" in output, output[-3000:]
    assert calls["mutating"] == 0  # not even the other, healthy key is touched
    assert len(kms.list_keys()["Keys"]) == 2


BAD_INPUT = {
    "alias without prefix": (0, "alias", "shop-test-data", "keys[0].alias: must start with 'alias/'"),
    "reserved alias": (0, "alias", "alias/aws/data", "keys[0].alias: must start with 'alias/' (not 'alias/aws/')"),
    "policy not JSON": (1, "policy", "{not json", "keys[1].policy (alias/shop-test-logs): not a JSON object"),
    "policy a JSON list": (1, "policy", "[]", "keys[1].policy (alias/shop-test-logs): not a JSON object"),
}


@pytest.mark.parametrize("index, option, value, fragment", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_fails_naming_the_option_before_any_aws_call(kms, run, index, option, value, fragment):
    options = declared()
    options["kms_keys"][index][option] = value

    _, output, calls = run(options, expect_failure=True)

    assert fragment in output, output[-3000:]
    assert calls["total"] == 0
