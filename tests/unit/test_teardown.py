"""Unit tests for library/platform_teardown.py and module_utils/teardown.py: the pure logic, without AWS."""

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def load(name, path, register_as=None):
    spec = importlib.util.spec_from_file_location(register_as or name, path)
    module = importlib.util.module_from_spec(spec)
    if register_as:
        sys.modules[register_as] = module
    spec.loader.exec_module(module)
    return module


utils = load("teardown", REPO / "module_utils" / "teardown.py", register_as="ansible.module_utils.teardown")
teardown_mod = load("platform_teardown", REPO / "library" / "platform_teardown.py")

SCOPE = {"Environment": "dev", "Platform": "rtap", "ManagedBy": "ansible-platform-toolkit"}


def test_a_resource_is_the_environments_only_with_every_scope_tag():
    assert utils.tags_match(dict(SCOPE, Layer="data"), SCOPE)
    assert not utils.tags_match(dict(SCOPE, Environment="prod"), SCOPE)
    assert not utils.tags_match({"Environment": "dev"}, SCOPE)
    assert not utils.tags_match(None, SCOPE)


def test_empty_scope_matches_nothing():
    assert not utils.tags_match(SCOPE, {})


def test_layer_comes_from_the_layer_tag_else_the_last_layer():
    assert utils.layer_of({"Layer": "api"}) == "api"
    assert utils.layer_of({"Layer": "unknown"}) == "foundation"
    assert utils.layer_of({}) == "foundation"


def test_layers_are_selected_in_reverse_site_order():
    assert utils.select_layers(["foundation", "data", "observability"]) == ["observability", "data", "foundation"]
    with pytest.raises(ValueError, match="unknown layers \\['network'\\]"):
        utils.select_layers(["network"])


def test_dependents_are_deleted_before_what_they_depend_on():
    found = [utils.resource(t, t, "foundation") for t in
             ("kms-key", "ec2-vpc", "ec2-subnet", "iam-role", "lambda-function", "lambda-event-source-mapping",
              "eks-cluster", "eks-nodegroup", "sns-topic", "sns-subscription", "ec2-nat-gateway", "ec2-elastic-ip")]
    order = [r["type"] for r in utils.ordered(found)]

    def before(a, b):
        return order.index(a) < order.index(b)

    assert before("lambda-event-source-mapping", "lambda-function")
    assert before("eks-nodegroup", "eks-cluster")
    assert before("sns-subscription", "sns-topic")
    assert before("ec2-nat-gateway", "ec2-elastic-ip")
    assert before("ec2-subnet", "ec2-vpc")
    assert before("lambda-function", "iam-role")
    assert order[-1] == "kms-key"


def test_blockers_name_every_offender_and_the_variable_that_allows_it():
    found = [
        utils.resource("s3-bucket", "rtap-dev-user-files", "data", objects=3),
        utils.resource("s3-bucket", "rtap-dev-empty", "data", objects=0),
        utils.resource("s3-bucket", "rtap-dev-logs", "data", objects=1),
        utils.resource("dynamodb-table", "rtap-dev-todos", "data", deletion_protection=True),
        utils.resource("dynamodb-table", "rtap-dev-open", "data", deletion_protection=False),
    ]
    stops = utils.blockers(found, empty_buckets=False, disable_deletion_protection=False)
    assert len(stops) == 3
    assert any("rtap-dev-user-files holds 3" in s and "teardown_empty_buckets" in s for s in stops)
    assert any("rtap-dev-logs" in s for s in stops)
    assert any("rtap-dev-todos" in s and "teardown_disable_deletion_protection" in s for s in stops)
    only_table = utils.blockers(found, empty_buckets=True, disable_deletion_protection=False)
    assert len(only_table) == 1 and "rtap-dev-todos" in only_table[0]
    assert utils.blockers(found, empty_buckets=True, disable_deletion_protection=True) == []


def test_label_shows_name_and_id_when_they_differ():
    assert utils.label(utils.resource("sqs-queue", "https://q/rtap-dev-a", "messaging", name="rtap-dev-a")) == \
        "sqs-queue rtap-dev-a (https://q/rtap-dev-a)"
    assert utils.label(utils.resource("dynamodb-table", "rtap-dev-todos", "data")) == "dynamodb-table rtap-dev-todos"


def test_every_resource_type_has_a_deleter_and_every_deleter_a_place_in_the_order():
    deleters = {name[len("delete_"):].replace("_", "-") for name in dir(teardown_mod.Teardown)
                if name.startswith("delete_") and name != "delete_resource"}
    assert deleters == set(utils.ORDER)


def test_tags_are_read_from_every_aws_shape():
    expected = {"Environment": "dev"}
    assert teardown_mod._tag_dict([{"Key": "Environment", "Value": "dev"}]) == expected
    assert teardown_mod._tag_dict([{"key": "Environment", "value": "dev"}]) == expected
    assert teardown_mod._tag_dict([{"TagKey": "Environment", "TagValue": "dev"}]) == expected
    assert teardown_mod._tag_dict(expected) == expected
    assert teardown_mod._tag_dict(None) == {}
