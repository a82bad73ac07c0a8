"""Unit tests for the ecr role's filters (filter_plugins/ecr_repositories.py) and the pure logic of
library/ecr_repository.py, without AWS."""

import importlib.util
import json
from pathlib import Path

import pytest

from filter_plugins.ecr_repositories import (
    ecr_input_errors,
    ecr_lifecycle_policy,
    ecr_name_errors,
    ecr_repository_name,
    ecr_repository_policy,
)

MODULE_PATH = Path(__file__).resolve().parents[2] / "library" / "ecr_repository.py"
_spec = importlib.util.spec_from_file_location("ecr_repository", MODULE_PATH)
mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mod)

PREFIX = "rtap-dev"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/0123abcd-0123-abcd-0123-0123456789ab"


def errors(repositories, keep=30, days=7, allow_mutable=False):
    return ecr_input_errors(repositories, PREFIX, keep, days, allow_mutable)


# --- names and input checks ---------------------------------------------------------------


def test_repository_name_is_prefix_slash_service():
    assert ecr_repository_name("orders", PREFIX) == "rtap-dev/orders"


@pytest.mark.parametrize("name", ["ab", "rtap-dev/orders", "rtap-dev/team_a/orders.v2", "a" * 256])
def test_valid_names(name):
    assert ecr_name_errors(name) == []


@pytest.mark.parametrize("name, rule", [
    ("a", "2 to 256 characters"),
    ("a" * 257, "2 to 256 characters"),
    ("rtap-dev/Orders", "lowercase"),
    ("rtap-dev/orders-", "lowercase"),
    ("rtap-dev//orders", "lowercase"),
    ("rtap-dev/or..ders", "lowercase"),
    ("rtap-dev/orders service", "lowercase"),
])
def test_invalid_names(name, rule):
    assert any(rule in e for e in ecr_name_errors(name)), ecr_name_errors(name)


def test_sample_services_are_valid():
    assert errors([{"name": "orders"}, {"name": "payments", "keep_images": 20}]) == []


def test_every_broken_rule_is_reported_with_its_variable():
    found = errors([
        {"name": "Orders"},
        {"name": "payments", "keep_images": 0, "untagged_expire_days": 4000},
        {"name": "payments"},
        {"name": "legacy", "image_tag_mutability": "MUTABLE"},
        {"name": "shared", "pull_account_ids": ["12345"]},
    ], keep=1001, days=0)
    assert "ecr_keep_images: images kept must be a whole number from 1 to 1000, got 1001" in found
    assert "ecr_untagged_expire_days: days before untagged images expire must be a whole number from 1 to 3650, got 0" in found
    assert any(e.startswith("ecr_repositories: repository name 'rtap-dev/Orders'") for e in found)
    assert "ecr_repositories: 'payments': keep_images must be a whole number from 1 to 1000, got 0" in found
    assert "ecr_repositories: 'payments': untagged_expire_days must be a whole number from 1 to 3650, got 4000" in found
    assert "ecr_repositories: each name must appear once, got payments more than once" in found
    assert any(e.startswith("ecr_allow_mutable_tags: repository 'legacy' asks for MUTABLE") for e in found)
    assert "ecr_repositories: 'shared': pull_account_ids must be 12-digit account ids, got 12345" in found


def test_mutable_tags_need_the_explicit_flag():
    assert errors([{"name": "legacy", "image_tag_mutability": "MUTABLE"}], allow_mutable=True) == []


@pytest.mark.parametrize("value", ["many", True, None, 2.5])
def test_counts_must_be_whole_numbers(value):
    assert any(e.startswith("ecr_keep_images:") for e in errors([{"name": "orders"}], keep=value))


def test_repositories_must_name_each_service():
    assert errors([{"keep_images": 3}]) == ["ecr_repositories: each entry needs a name, got {'keep_images': 3}"]


# --- lifecycle and repository policies ---------------------------------------------------


def test_lifecycle_policy_expires_untagged_first_then_keeps_the_last_tagged_images():
    policy = ecr_lifecycle_policy({"name": "payments", "keep_images": 20}, 30, 7)
    untagged, tagged = policy["rules"]
    assert untagged["rulePriority"] < tagged["rulePriority"]
    assert untagged["selection"] == {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                     "countUnit": "days", "countNumber": 7}
    assert tagged["selection"] == {"tagStatus": "tagged", "tagPatternList": ["*"],
                                   "countType": "imageCountMoreThan", "countNumber": 20}
    assert all(rule["action"] == {"type": "expire"} for rule in policy["rules"])


def test_lifecycle_policy_defaults_and_per_repository_days():
    policy = ecr_lifecycle_policy({"name": "orders", "untagged_expire_days": "3"}, "30", 7)
    assert [r["selection"]["countNumber"] for r in policy["rules"]] == [3, 30]


def test_no_repository_policy_unless_declared():
    assert ecr_repository_policy({"name": "orders"}) == {}


def test_repository_policy_grants_pull_to_listed_accounts():
    extra = {"Sid": "Deny", "Effect": "Deny", "Principal": "*", "Action": "ecr:DeleteRepository"}
    policy = ecr_repository_policy({"name": "orders", "pull_account_ids": ["222233334444", "111122223333"],
                                    "policy_statements": [extra]}, "aws")
    pull, denied = policy["Statement"]
    assert pull["Principal"] == {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::222233334444:root"]}
    assert pull["Action"] == ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    assert denied == extra


# --- module logic ------------------------------------------------------------------------


def test_documents_are_parsed_from_json_text():
    assert mod.parse_document('{"rules": []}', "lifecycle_policy") == {"rules": []}
    assert mod.parse_document(None, "policy") is None
    with pytest.raises(ValueError, match="policy must be a JSON object"):
        mod.parse_document("[]", "policy")
    with pytest.raises(ValueError, match="lifecycle_policy is not valid JSON"):
        mod.parse_document("{", "lifecycle_policy")


def test_lifecycle_policy_comparison_ignores_rule_order_only():
    policy = ecr_lifecycle_policy({"name": "orders"}, 30, 7)
    reordered = {"rules": list(reversed(policy["rules"]))}
    assert not mod.lifecycle_policy_differs(json.loads(json.dumps(policy)), reordered)
    assert mod.lifecycle_policy_differs(policy, ecr_lifecycle_policy({"name": "orders"}, 31, 7))
    assert mod.lifecycle_policy_differs({}, policy)
    assert not mod.lifecycle_policy_differs({}, {})


def test_repository_policy_comparison_is_iam_style():
    policy = ecr_repository_policy({"name": "o", "pull_account_ids": ["111122223333", "222233334444"]})
    shuffled = json.loads(json.dumps(policy))
    shuffled["Statement"][0]["Principal"]["AWS"].reverse()
    assert not mod.repository_policy_differs(policy, shuffled)
    assert mod.repository_policy_differs(policy, {})
    assert mod.repository_policy_differs({}, policy)
    assert not mod.repository_policy_differs({}, {})


def test_encryption_cannot_change_after_creation():
    kms = mod.desired_encryption("KMS", KEY)
    assert kms == {"encryptionType": "KMS", "kmsKey": KEY}
    assert mod.encryption_mismatch({"encryptionType": "KMS", "kmsKey": KEY}, kms) is None
    assert "encryption type is AES256, requested KMS" in mod.encryption_mismatch({"encryptionType": "AES256"}, kms)
    other = KEY.replace("0123abcd", "ffffffff")
    assert f"KMS key is {other}" in mod.encryption_mismatch({"encryptionType": "KMS", "kmsKey": other}, kms)
    # KMS without a named key (the AWS managed key) accepts the key ECR chose.
    assert mod.encryption_mismatch({"encryptionType": "KMS", "kmsKey": other}, mod.desired_encryption("KMS", None)) is None


def test_settings_changes():
    repo = {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}}
    assert mod.settings_changes(repo, "IMMUTABLE", True) == {}
    assert mod.settings_changes(repo, "MUTABLE", False) == {"image_tag_mutability": "MUTABLE", "scan_on_push": False}
