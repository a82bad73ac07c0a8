import pytest
from ansible.errors import AnsibleFilterError

from filter_plugins import iam_policies
from filter_plugins.iam_policies import (
    ACCESS, iam_component_errors, iam_component_policy, iam_key_users, iam_trust_policy)

PURPOSES = ["data", "messaging", "logs", "secrets"]
PREPROCESSOR = {
    "name": "stream-preprocessor", "layer": "ingestion", "service": "lambda.amazonaws.com",
    "kms_keys": ["data", "logs"],
    "access": [
        {"type": "kinesis_stream", "name": "p-e-clickstream", "level": "consume"},
        {"type": "dynamodb_table", "name": "p-e-events", "level": "write"},
        {"type": "s3_bucket", "name": "p-e-raw", "level": "read"},
    ],
}


def test_policy_has_named_actions_scoped_to_platform_arns():
    policy = iam_component_policy(PREPROCESSOR, "111122223333", "eu-west-1", "aws", "p-e-")
    for statement in policy["Statement"]:
        assert all("*" not in action for action in statement["Action"])
        assert all(r.startswith("arn:aws:") for r in statement["Resource"])
    resources = {r for s in policy["Statement"] for r in s["Resource"]}
    assert "arn:aws:kinesis:eu-west-1:111122223333:stream/p-e-clickstream" in resources
    assert "arn:aws:dynamodb:eu-west-1:111122223333:table/p-e-events/index/*" in resources
    assert "arn:aws:s3:::p-e-raw" in resources  # ListBucket goes on the bucket itself
    assert "arn:aws:s3:::p-e-raw/*" in resources


def test_kms_use_is_limited_to_the_declared_aliases():
    policy = iam_component_policy(PREPROCESSOR, "111122223333", "eu-west-1", "aws", "p-e-")
    kms = [s for s in policy["Statement"] if s["Sid"] == "UsePlatformKeys"][0]
    assert kms["Condition"]["ForAnyValue:StringEquals"]["kms:ResourceAliases"] == ["alias/p-e-data", "alias/p-e-logs"]


def test_write_level_never_grants_reads_it_did_not_ask_for():
    policy = iam_component_policy(PREPROCESSOR, "1", "r", "aws")
    table = [s for s in policy["Statement"] if "dynamodb:PutItem" in s["Action"]][0]
    assert "dynamodb:Scan" not in table["Action"]


def test_no_access_level_anywhere_grants_a_wildcard_action():
    for _, _, levels in ACCESS.values():
        for actions in levels.values():
            assert all("*" not in a for a in actions)


def test_wildcard_action_is_refused(monkeypatch):
    monkeypatch.setitem(iam_policies.ACCESS, "sns_topic", ("arn:{partition}:sns:{region}:{account}:{name}", [], {"publish": ["sns:*"]}))
    with pytest.raises(AnsibleFilterError, match="wildcard"):
        iam_component_policy({"name": "x", "access": [{"type": "sns_topic", "name": "t", "level": "publish"}]}, "1", "r")


def test_trust_policy_is_limited_to_the_account():
    trust = iam_trust_policy(PREPROCESSOR, "111122223333")
    statement = trust["Statement"][0]
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}


def test_key_users_are_the_components_declaring_the_key():
    other = {"name": "todo-api", "kms_keys": ["data"]}
    assert iam_key_users([PREPROCESSOR, other], "data", "1", "p-e-") == [
        "arn:aws:iam::1:role/p-e-stream-preprocessor", "arn:aws:iam::1:role/p-e-todo-api"]
    assert iam_key_users([PREPROCESSOR, other], "secrets", "1", "p-e-") == []


@pytest.mark.parametrize("component, fragment", [
    ({"name": "a", "service": "lambda"}, "service principal"),
    ({"name": "a", "service": "lambda.amazonaws.com", "access": [{"type": "ftp", "name": "x", "level": "read"}]}, "unknown"),
    ({"name": "a", "service": "lambda.amazonaws.com", "access": [{"type": "sqs_queue", "name": "x", "level": "admin"}]}, "not valid"),
    ({"name": "a", "service": "lambda.amazonaws.com", "access": [{"type": "sqs_queue", "level": "send"}]}, "no resource name"),
    ({"name": "a", "service": "lambda.amazonaws.com", "kms_keys": ["billing"]}, "does not declare"),
])
def test_component_errors_name_the_variable(component, fragment):
    errors = iam_component_errors([component], PURPOSES)
    assert errors and all(e.startswith("iam_components:") for e in errors) and fragment in " ".join(errors)


def test_duplicate_component():
    component = {"name": "a", "service": "lambda.amazonaws.com"}
    assert any("twice" in e for e in iam_component_errors([component, component], PURPOSES))
