"""The teardown (playbooks/teardown.yml) of two layers on a fresh emulator.

site.yml --tags foundation,messaging converges the environment; a --check teardown lists
what it would delete and deletes nothing, a --tags messaging teardown removes that layer only
and says what went, the teardown removes every resource carrying the environment's tags, and a
second teardown changes nothing. Bad input and an unconfirmed
teardown of a protected environment fail before any AWS call.
"""

import json
import os
import re

import pytest

from emulator import launcher
from tests.inventory import count, tagged_resources
from tests.playbook import run_playbook

TAGS = {"Environment": "local", "Platform": "rtap", "ManagedBy": "ansible-platform-toolkit"}
TEARDOWN = "playbooks/teardown.yml"


@pytest.fixture(scope="module")
def site(emulator, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)
    env = dict(os.environ, **emulator.env())
    artifacts = tmp_path_factory.mktemp("artifacts")
    converge = run_playbook(env, "site.yml", "--tags", "foundation,messaging", artifacts=artifacts)
    assert converge.returncode == 0, converge.output[-4000:]
    return env, artifacts


@pytest.fixture(scope="module")
def runs(site, aws_client):
    env, artifacts = site
    before = tagged_resources(aws_client, TAGS)
    check = run_playbook(env, TEARDOWN, "--check", "--diff", artifacts=artifacts)
    after_check = tagged_resources(aws_client, TAGS)
    messaging = run_playbook(env, TEARDOWN, "--tags", "messaging", artifacts=artifacts)
    after_messaging = tagged_resources(aws_client, TAGS)
    first = run_playbook(env, TEARDOWN, artifacts=artifacts)
    after = tagged_resources(aws_client, TAGS)
    second = run_playbook(env, TEARDOWN, artifacts=artifacts)
    return {"before": before, "check": check, "after_check": after_check, "messaging": messaging,
            "after_messaging": after_messaging, "first": first, "after": after, "second": second}


def test_the_layers_made_tagged_resources(runs):
    before = runs["before"]
    for service in ("iam-role", "kms", "ec2-Vpcs", "ec2-Subnets", "ec2-NatGateways", "sqs", "sns"):
        assert before.get(service), f"no {service} after the converge: {sorted(before)}"


def test_check_mode_lists_and_deletes_nothing(runs):
    check = runs["check"]
    assert check.returncode == 0, check.output[-4000:]
    assert runs["after_check"] == runs["before"]
    queue = runs["before"]["sqs"][0]
    assert queue in check.output  # --diff lists every resource, queues by URL
    assert runs["before"]["ec2-Vpcs"][0] in check.output
    assert check.recap["changed"] > 0


def test_a_tagged_teardown_removes_that_layer_only_and_says_what_went(runs):
    messaging, before, after = runs["messaging"], runs["before"], runs["after_messaging"]
    assert messaging.returncode == 0, messaging.output[-4000:]
    assert not after.get("sqs") and not after.get("sns"), after
    for service in ("iam-role", "ec2-Vpcs", "ec2-Subnets", "ec2-NatGateways"):
        assert after.get(service) == before[service], service
    # The per-layer report names the layer and what went in it, and no other layer.
    assert re.search(r"^\s+messaging:$", messaging.output, re.M), messaging.output[-3000:]
    assert not re.search(r"^\s+foundation:$", messaging.output, re.M)
    assert before["sqs"][0] in messaging.output


def test_teardown_removes_every_tagged_resource(runs):
    first = runs["first"]
    assert first.returncode == 0, first.output[-4000:]
    assert count(runs["after"]) == 0, runs["after"]


def test_keys_are_scheduled_for_deletion_and_their_aliases_gone(runs, aws_client):
    kms = aws_client("kms")
    for key_id in runs["before"]["kms"]:
        meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        assert meta["KeyState"] == "PendingDeletion"
    aliases = [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
    assert not [a for a in aliases if a.startswith("alias/rtap-local-")]


def test_second_teardown_changes_nothing(runs):
    second = runs["second"]
    assert second.returncode == 0, second.output[-4000:]
    assert second.recap["changed"] == 0, second.changed_tasks


BAD_INPUT = {
    "window not a number": ({"teardown_kms_deletion_window_days": "soon"}, "teardown_kms_deletion_window_days"),
    "window below the AWS minimum": ({"teardown_kms_deletion_window_days": 3}, "teardown_kms_deletion_window_days"),
    "secret window out of range": ({"teardown_secret_recovery_window_days": 3}, "teardown_secret_recovery_window_days"),
    "switch not a boolean": ({"teardown_empty_buckets": "maybe"}, "teardown_empty_buckets: must be true or false"),
    "protected environment unconfirmed": ({"platform_requires_confirmation": True}, "teardown_confirm"),
    "protected environment confirmed for another": (
        {"platform_requires_confirmation": True, "teardown_confirm": "dev"}, "teardown_confirm"),
}


@pytest.mark.parametrize("extra_vars, expected", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_fails_before_any_aws_call(tmp_path, extra_vars, expected):
    # No emulator credentials or endpoint: any AWS call would fail differently.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    run = run_playbook(env, TEARDOWN, "-e", json.dumps(extra_vars), artifacts=tmp_path)
    assert run.returncode != 0
    assert expected in run.output, run.output[-3000:]
    assert "Tear down the selected layers" not in run.output  # the first AWS call


def test_prod_refuses_without_confirmation(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    run = run_playbook(env, TEARDOWN, inventory="inventories/prod", artifacts=tmp_path)
    assert run.returncode != 0
    assert "teardown_confirm: tearing down 'prod'" in run.output, run.output[-3000:]
    assert "-e teardown_confirm=prod" in run.output
    assert "Tear down the selected layers" not in run.output


def test_elastic_ips_of_the_nat_gateways_are_released(runs, aws_client):
    assert runs["first"].returncode == 0
    assert aws_client("ec2").describe_addresses()["Addresses"] == []
