"""Every secret the platform makes is in Secrets Manager, encrypted with the secrets key, tagged
with the platform's tags, and its value is never printed nor written to the outputs file.

The convergence is the smallest that makes secrets: kms, iam, cognito and api_gateway (the usage
plan API key secrets <prefix>/api-keys/<key>). The ecs role's service secrets need the containers
layer (network, cluster, load balancer); they are made by the same kind of task with the same
key and tags (see docs/secrets.md) and are checked here only when a run made them.
"""

import json
import os

import pytest

from emulator import launcher
from tests.playbook import run_playbook

PLAYBOOK = "tests/integration/playbooks/secrets.yml"
PREFIX = "rtap-local"
PLATFORM_TAGS = {"Project": "realtime-analytics-platform", "Platform": "rtap", "Environment": "local",
                 "ManagedBy": "ansible-platform-toolkit"}


@pytest.fixture(scope="module")
def converged(emulator, aws_client, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)
    env = dict(os.environ, **emulator.env())
    artifacts = tmp_path_factory.mktemp("secrets-artifacts")
    run = run_playbook(env, PLAYBOOK, artifacts=artifacts)
    assert run.returncode == 0, run.output[-5000:]
    secrets = aws_client("secretsmanager").get_paginator("list_secrets").paginate().build_full_result()["SecretList"]
    return {"run": run, "artifacts": artifacts,
            "secrets": [s for s in secrets if s["Name"].startswith(f"{PREFIX}/") or s["Name"].startswith(f"{PREFIX}-")]}


def test_the_api_key_secret_exists(converged):
    assert f"{PREFIX}/api-keys/mobile-app" in [s["Name"] for s in converged["secrets"]]


def test_every_platform_secret_uses_the_secrets_key(converged, aws_client):
    secrets_key = aws_client("kms").describe_key(KeyId=f"alias/{PREFIX}-secrets")["KeyMetadata"]
    for secret in converged["secrets"]:
        key = secret.get("KmsKeyId", "")
        # Secrets Manager answers with the key id, ARN or alias it was given.
        assert key in {secrets_key["KeyId"], secrets_key["Arn"], f"alias/{PREFIX}-secrets"}, (secret["Name"], key)


def test_every_platform_secret_carries_the_platform_tags(converged):
    for secret in converged["secrets"]:
        tags = {t["Key"]: t["Value"] for t in secret.get("Tags", [])}
        assert PLATFORM_TAGS.items() <= tags.items(), (secret["Name"], tags)
        assert tags.get("Layer"), (secret["Name"], tags)


def test_secret_values_are_neither_printed_nor_in_the_outputs(converged, aws_client):
    sm = aws_client("secretsmanager")
    assert list(converged["artifacts"].rglob("outputs.json")), "the outputs role wrote no outputs.json"
    output = converged["run"].output
    for secret in converged["secrets"]:
        value = sm.get_secret_value(SecretId=secret["ARN"])["SecretString"]
        assert value not in output, secret["Name"]
        for path in converged["artifacts"].rglob("*"):
            if path.is_file():
                assert value not in path.read_text(errors="replace"), (secret["Name"], path.name)

