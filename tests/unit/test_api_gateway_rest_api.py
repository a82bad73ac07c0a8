"""Unit tests for library/api_gateway_rest_api.py: document hashing, stage and canary plans."""

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("api_gateway_rest_api", REPO / "library" / "api_gateway_rest_api.py")
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)

DOC = {"openapi": "3.0.1", "info": {"title": "ignored", "version": "1"},
       "paths": {"/todos": {"get": {"responses": {"200": {"description": "ok"}}}}}}


def stage(**overrides):
    base = {"name": "v1", "description": "", "deploy": True, "variables": {}, "tracing_enabled": False,
            "cache_cluster_enabled": False, "cache_cluster_size": "0.5", "access_log": None,
            "method_settings": {}, "canary": None}
    base.update(overrides)
    return base


def test_the_hash_ignores_key_order_and_format_but_not_content():
    _, digest = mod.load_definition(DOC, "api", None)
    yaml_text = "paths:\n  /todos:\n    get:\n      responses:\n        '200': {description: ok}\ninfo: {version: '1', title: x}\nopenapi: 3.0.1\n"
    assert mod.load_definition(yaml_text, "api", None)[1] == digest
    changed = {**DOC, "paths": {"/todos": {"get": {"responses": {"201": {"description": "ok"}}}}}}
    assert mod.load_definition(changed, "api", None)[1] != digest
    assert mod.load_definition(DOC, "other-name", None)[1] != digest  # the name is part of the document


def test_the_document_gets_the_name_and_description():
    document, _ = mod.load_definition(DOC, "rtap-dev-api", "front door")
    assert document["info"] == {"title": "rtap-dev-api", "description": "front door", "version": "1"}
    assert DOC["info"]["title"] == "ignored"  # the caller's dict is not changed


@pytest.mark.parametrize("definition, message", [
    ({"swagger": "2.0", "paths": {"/a": {}}}, "OpenAPI 3"),
    ({"openapi": "3.0.1", "paths": {}}, "no paths"),
    ("[1, 2", "not JSON or YAML"),
    (["a"], "mapping"),
])
def test_bad_documents_are_refused(definition, message):
    with pytest.raises(mod.InputError, match=message):
        mod.load_definition(definition, "api", None)


def test_method_setting_paths_are_escaped_like_aws_wants():
    assert mod.method_setting_patch_prefix("*/*") == "/*/*"
    assert mod.method_setting_patch_prefix(mod.method_setting_key("/todos/{id}/GET")) == "/~1todos~1{id}/GET"
    assert mod.method_setting_key("~1todos/GET") == "todos/GET"


def test_method_settings_only_patch_what_differs_and_remove_undeclared_methods():
    live = {"*/*": {"throttlingRateLimit": 100.0, "throttlingBurstLimit": 200, "metricsEnabled": True},
            "todos/GET": {"cachingEnabled": True}, "old/GET": {"cachingEnabled": True}}
    desired = {"*/*": {"throttling_rate_limit": 100, "throttling_burst_limit": 300, "metrics_enabled": True},
               "/todos/GET": {"caching_enabled": True, "cache_ttl_seconds": 60}}
    assert mod.method_settings_ops(live, desired) == [
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "300"},
        {"op": "replace", "path": "/~1todos/GET/caching/ttlInSeconds", "value": "60"},
        {"op": "remove", "path": "/~1old/GET"},
    ]


def test_a_converged_stage_needs_no_operation():
    live = {"description": "", "tracingEnabled": True, "cacheClusterEnabled": False, "variables": {"a": "b"},
            "accessLogSettings": {"destinationArn": "arn:log", "format": "$context.requestId"},
            "methodSettings": {"*/*": {"metricsEnabled": True}}}
    wanted = stage(tracing_enabled=True, variables={"a": "b"}, method_settings={"*/*": {"metrics_enabled": True}},
                   access_log={"destination_arn": "arn:log", "format": "$context.requestId"})
    assert mod.stage_settings_ops(live, wanted) == []
    drifted = dict(live, variables={"a": "c", "extra": "x"}, accessLogSettings=None)
    assert mod.stage_settings_ops(drifted, wanted) == [
        {"op": "replace", "path": "/variables/a", "value": "b"},
        {"op": "remove", "path": "/variables/extra"},
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": "arn:log"},
        {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"},
    ]


class FakeManager:
    """Deployment descriptions by id, as GetDeployment would give them."""

    def __init__(self, hashes):
        self.hashes = hashes

    def deployment_hash(self, api_id, deployment_id):
        return self.hashes.get(deployment_id, "")


CANARY = {"percent_traffic": 10.0, "variable_overrides": {}, "use_stage_cache": False, "promote": False}


def test_an_unchanged_document_is_not_deployed_again():
    manager = FakeManager({"d1": "new"})
    assert mod.deployment_plan(manager, "api", {"deploymentId": "d1"}, stage(), "new") == ([], False, False)


def test_a_changed_document_is_deployed_unless_the_stage_is_pinned():
    manager = FakeManager({"d1": "old"})
    assert mod.deployment_plan(manager, "api", {"deploymentId": "d1"}, stage(), "new") == ([], True, False)
    assert mod.deployment_plan(manager, "api", {"deploymentId": "d1"}, stage(deploy=False), "new") == ([], False, False)


def test_with_a_canary_a_changed_document_goes_to_the_canary_once():
    manager = FakeManager({"d1": "old", "c1": "new"})
    assert mod.deployment_plan(manager, "api", {"deploymentId": "d1"}, stage(canary=CANARY), "new") == ([], True, True)
    live = {"deploymentId": "d1", "canarySettings": {"deploymentId": "c1", "percentTraffic": 10.0}}
    assert mod.deployment_plan(manager, "api", live, stage(canary=CANARY), "new") == ([], False, False)
    more = dict(CANARY, percent_traffic=50)
    assert mod.deployment_plan(manager, "api", live, stage(canary=more), "new")[0] == [
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "50.0"}]


def test_promotion_and_rollback_of_a_canary():
    manager = FakeManager({"d1": "old", "c1": "new"})
    live = {"deploymentId": "d1", "canarySettings": {"deploymentId": "c1", "percentTraffic": 10.0}}
    promote = dict(CANARY, promote=True)
    assert mod.deployment_plan(manager, "api", live, stage(canary=promote), "new") == ([
        {"op": "replace", "path": "/deploymentId", "value": "c1"},
        {"op": "remove", "path": "/canarySettings"}], False, False)
    # Canary no longer declared: removed, and the stage then gets the document itself.
    assert mod.deployment_plan(manager, "api", live, stage(), "new") == (
        [{"op": "remove", "path": "/canarySettings"}], True, False)


@pytest.mark.parametrize("stages, message", [
    ([stage(name="v 1")], "stages\\[0\\].name"),
    ([stage(), stage()], "listed twice"),
    ([stage(variables={"a-b": "x"})], "variables"),
    ([stage(method_settings={"/todos/FETCH": {}})], "HTTP method"),
    ([stage(method_settings={"*/*": {"throttle": 1}})], "unknown setting"),
    ([stage(method_settings={"*/*": {"logging_level": "DEBUG"}})], "logging_level"),
    ([stage(canary=dict(CANARY, percent_traffic=120))], "percent_traffic"),
])
def test_bad_stages_are_refused_with_the_option_name(stages, message):
    with pytest.raises(mod.InputError, match=message):
        mod.validate_stages(stages)
