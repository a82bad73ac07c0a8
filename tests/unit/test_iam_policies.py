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


TODO_API = {
    "name": "todo-api", "layer": "api", "service": "lambda.amazonaws.com",
    "access": [
        {"type": "dax_cluster", "name": "p-e-dax", "level": "read_write"},
        {"type": "vpc_network_interfaces", "name": "p-e", "level": "attach"},
    ],
}


def statements_with(policy, action):
    return [s for s in policy["Statement"] if action in s["Action"]]


@pytest.mark.parametrize("level, allowed, refused", [
    ("read", {"dax:GetItem", "dax:BatchGetItem", "dax:Query", "dax:Scan", "dax:ConditionCheckItem"}, {"dax:PutItem"}),
    ("read_write", {"dax:GetItem", "dax:Query", "dax:PutItem", "dax:UpdateItem", "dax:DeleteItem", "dax:BatchWriteItem"},
     {"dax:CreateCluster", "dax:DeleteCluster"}),
])
def test_dax_cluster_levels_are_scoped_to_the_cluster(level, allowed, refused):
    component = {"name": "x", "access": [{"type": "dax_cluster", "name": "p-e-dax", "level": level}]}
    statement, = iam_component_policy(component, "111122223333", "eu-west-1", "aws")["Statement"]
    assert statement["Resource"] == ["arn:aws:dax:eu-west-1:111122223333:cache/p-e-dax"]
    assert allowed <= set(statement["Action"]) and not refused & set(statement["Action"])


def test_vpc_network_interfaces_grant_what_lambda_documents_and_no_more():
    policy = iam_component_policy(TODO_API, "111122223333", "eu-west-1", "aws-cn")
    vpc = [s for s in policy["Statement"] if any(a.startswith("ec2:") for a in s["Action"])]
    actions = {a for s in vpc for a in s["Action"]}
    # AWSLambdaVPCAccessExecutionRole's EC2 actions (its logs actions come from the log_group access).
    assert actions == {"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
                       "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"}
    assert len({s["Sid"] for s in policy["Statement"]}) == len(policy["Statement"])


def test_only_the_read_only_describe_actions_get_every_resource():
    policy = iam_component_policy(TODO_API, "111122223333", "eu-west-1", "aws")
    star = [s for s in policy["Statement"] if "*" in s["Resource"]]
    assert [sorted(s["Action"]) for s in star] == [["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]]
    for statement in policy["Statement"]:
        if statement not in star:
            assert all(r.startswith("arn:aws:") and ":111122223333:" in r for r in statement["Resource"]), statement


def test_network_interfaces_are_made_only_in_the_platforms_subnets_and_groups():
    policy = iam_component_policy(TODO_API, "111122223333", "eu-west-1", "aws")
    create = statements_with(policy, "ec2:CreateNetworkInterface")
    placed = [s for s in create if "Condition" in s]
    assert len(placed) == 1 and placed[0]["Resource"] == [
        "arn:aws:ec2:eu-west-1:111122223333:subnet/*", "arn:aws:ec2:eu-west-1:111122223333:security-group/*"]
    assert placed[0]["Condition"] == {"StringLike": {"aws:ResourceTag/Name": "p-e-*"}}
    interface, = [s for s in create if "Condition" not in s]
    assert interface["Resource"] == ["arn:aws:ec2:eu-west-1:111122223333:network-interface/*"]
    delete, = statements_with(policy, "ec2:DeleteNetworkInterface")
    assert delete["Resource"] == ["arn:aws:ec2:eu-west-1:111122223333:network-interface/*"]


def test_new_access_types_are_validated():
    good = dict(TODO_API, service="lambda.amazonaws.com")
    assert iam_component_errors([good], PURPOSES) == []
    bad = dict(good, access=[{"type": "vpc_network_interfaces", "name": "p-e", "level": "read"},
                             {"type": "dax_cluster", "name": "p-e-dax", "level": "admin"}])
    errors = iam_component_errors([bad], PURPOSES)
    assert len(errors) == 2 and all("not valid" in e for e in errors)


def test_repository_components_render_without_wildcard_actions():
    import yaml
    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / "group_vars" / "all" / "components.yml").read_text()
    components = yaml.safe_load(text.replace("{{ platform_prefix }}", "p-e").replace(
        "{{ s3_bucket_name_suffix | default('') }}", ""))["platform_components"]
    todo, = [c for c in components if c["name"] == "todo-api"]
    kinds = {grant["type"] for grant in todo["access"]}
    assert {"dax_cluster", "vpc_network_interfaces"} <= kinds
    policy = iam_component_policy(todo, "111122223333", "eu-west-1", "aws", "p-e-")
    assert all("*" not in a for s in policy["Statement"] for a in s["Action"])


def test_every_resource_is_refused_for_anything_but_the_unscoped_reads(monkeypatch):
    def describe_and_delete(name, partition, region, account):
        return [{"Sid": "X", "Effect": "Allow", "Action": ["ec2:DescribeSubnets", "ec2:DeleteNetworkInterface"],
                 "Resource": ["*"]}]
    monkeypatch.setattr(iam_policies, "_vpc_network_interface_statements", describe_and_delete)
    with pytest.raises(AnsibleFilterError, match="every resource"):
        iam_component_policy(TODO_API, "1", "r")


ECS_EXECUTION = {
    "name": "ecs-payments-execution", "layer": "containers", "service": "ecs-tasks.amazonaws.com",
    "kms_keys": ["secrets", "logs"],
    "access": [
        {"type": "ecr_repository", "name": "p-e/payments", "level": "pull"},
        {"type": "ecr_repository", "name": "p-e/orders", "level": "pull"},
        {"type": "secret", "name": "p-e/payments/db", "level": "read"},
        {"type": "log_group", "name": "/ecs/p-e/payments", "level": "write"},
    ],
}


def test_ecr_pull_is_scoped_to_the_repository_and_the_token_is_the_only_unscoped_action():
    policy = iam_component_policy(ECS_EXECUTION, "111122223333", "eu-west-1", "aws", "p-e-")
    pull = statements_with(policy, "ecr:BatchGetImage")
    assert [s["Resource"] for s in pull] == [["arn:aws:ecr:eu-west-1:111122223333:repository/p-e/payments"],
                                            ["arn:aws:ecr:eu-west-1:111122223333:repository/p-e/orders"]]
    assert all(sorted(s["Action"]) == ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                       "ecr:GetDownloadUrlForLayer"] for s in pull)
    star = [s for s in policy["Statement"] if "*" in s["Resource"]]
    assert [(s["Action"], s["Resource"]) for s in star] == [(["ecr:GetAuthorizationToken"], ["*"])]
    assert len({s["Sid"] for s in policy["Statement"]}) == len(policy["Statement"])
    assert iam_component_errors([ECS_EXECUTION], PURPOSES) == []


def test_ecr_repository_levels_are_validated():
    bad = dict(ECS_EXECUTION, access=[{"type": "ecr_repository", "name": "p-e/payments", "level": "push"}])
    errors = iam_component_errors([bad], PURPOSES)
    assert len(errors) == 1 and "not valid for ecr_repository" in errors[0]


def test_the_authorization_token_is_the_only_new_unscoped_action(monkeypatch):
    monkeypatch.setitem(iam_policies.UNSCOPED_BY_LEVEL, ("ecr_repository", "pull"),
                        ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"])
    with pytest.raises(AnsibleFilterError, match="every resource"):
        iam_component_policy(ECS_EXECUTION, "1", "r")


def test_repository_ecs_components_render():
    import yaml
    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / "group_vars" / "all" / "components.yml").read_text()
    components = yaml.safe_load(text.replace("{{ platform_prefix }}", "p-e"))["platform_components"]
    ecs = [c for c in components if c["service"] == "ecs-tasks.amazonaws.com"]
    assert {c["name"] for c in ecs} >= {"ecs-payments-task", "ecs-payments-execution"}
    assert iam_component_errors(ecs, PURPOSES) == []
    for component in ecs:
        policy = iam_component_policy(component, "111122223333", "eu-west-1", "aws", "p-e-")
        assert all("*" not in a for s in policy["Statement"] for a in s["Action"])
