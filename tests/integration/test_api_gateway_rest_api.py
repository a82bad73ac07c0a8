"""library/api_gateway_rest_api.py against the emulator: import and deploy only on change,
stage settings, pinned stages, canary and promotion, check mode, deletion.

One scratch API goes through the steps in order; each test asserts on the emulator's state.
"""

import json
import os

import pytest

from emulator import launcher
from tests.playbook import run_playbook

PLAYBOOK = "tests/integration/playbooks/api_gateway/rest_api.yml"
NAME = "module-test-api"
V1_SETTINGS = {
    "name": "v1", "variables": {"backend": "blue"}, "tracing_enabled": True,
    "method_settings": {"*/*": {"throttling_rate_limit": 100, "throttling_burst_limit": 200, "metrics_enabled": True},
                        "/todos/GET": {"caching_enabled": True, "cache_ttl_seconds": 60}},
    "access_log": {"destination_arn": "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apigateway/module-test",
                   "format": '{"requestId":"$context.requestId"}'},
}


def run(env, **extra):
    return run_playbook(env, PLAYBOOK, "-e", json.dumps(extra))


def imported(playbook_run):
    """The module's `imported` return value, as the playbook printed it."""
    line = next(line for line in playbook_run.output.splitlines() if "IMPORTED=" in line)
    return line.split("IMPORTED=", 1)[1].strip().strip('"') == "True"


@pytest.fixture(scope="module")
def api(emulator, aws_client):
    launcher.reset(emulator.url, emulator.ca_bundle)
    env = dict(os.environ, **emulator.env())
    apigw = aws_client("apigateway")

    def find():
        found = [a for a in apigw.get_rest_apis()["items"] if a["name"] == NAME]
        return found[0] if found else None

    def stage(name="v1"):
        return apigw.get_stage(restApiId=find()["id"], stageName=name)

    def deployments():
        return apigw.get_deployments(restApiId=find()["id"])["items"]

    return env, apigw, find, stage, deployments


def test_first_run_imports_deploys_and_configures_the_stage(api):
    env, apigw, find, stage, deployments = api
    first = run(env, stages=[V1_SETTINGS])
    assert first.returncode == 0, first.output
    assert first.recap["changed"] == 1
    rest_api = find()
    paths = sorted(r["path"] for r in apigw.get_resources(restApiId=rest_api["id"])["items"])
    assert paths == ["/", "/todos"]
    assert apigw.get_tags(resourceArn=f"arn:aws:apigateway:eu-west-1::/restapis/{rest_api['id']}")["tags"]["Purpose"] == "module-test"
    live = stage()
    assert live["variables"] == {"backend": "blue"} and live["tracingEnabled"] is True
    assert live["methodSettings"]["*/*"]["throttlingRateLimit"] == 100.0
    assert live["methodSettings"]["~1todos/GET"]["cacheTtlInSeconds"] == 60
    assert live["accessLogSettings"]["destinationArn"].endswith("/aws/apigateway/module-test")
    assert len(deployments()) == 1


def test_an_unchanged_document_is_neither_imported_nor_deployed(api):
    env, _, _, stage, deployments = api
    before = stage()["deploymentId"]
    again = run(env, stages=[V1_SETTINGS])
    assert again.returncode == 0 and again.recap["changed"] == 0, again.output
    assert imported(again) is False
    assert stage()["deploymentId"] == before and len(deployments()) == 1


def test_check_mode_predicts_a_new_document_and_changes_nothing(api):
    env, _, find, stage, deployments = api
    tag_before = find()["tags"]
    check = run_playbook(env, PLAYBOOK, "-e", json.dumps({"stages": [V1_SETTINGS], "version": "2"}), "--check")
    assert check.returncode == 0 and check.recap["changed"] == 1, check.output
    assert imported(check) is True
    assert find()["tags"] == tag_before and len(deployments()) == 1


def test_a_changed_document_is_imported_and_redeployed(api):
    env, _, find, stage, deployments = api
    before = stage()["deploymentId"]
    changed = run(env, stages=[V1_SETTINGS], version="2")
    assert changed.returncode == 0 and changed.recap["changed"] == 1, changed.output
    assert imported(changed) is True
    assert stage()["deploymentId"] != before and len(deployments()) == 2
    assert stage()["variables"] == {"backend": "blue"}, "a deployment must keep the stage settings"
    assert run(env, stages=[V1_SETTINGS], version="2").recap["changed"] == 0


def test_drifted_stage_settings_are_put_back(api):
    env, apigw, find, stage, _ = api
    apigw.update_stage(restApiId=find()["id"], stageName="v1", patchOperations=[
        {"op": "replace", "path": "/variables/backend", "value": "green"},
        {"op": "replace", "path": "/variables/extra", "value": "x"},
        {"op": "replace", "path": "/tracingEnabled", "value": "false"},
        {"op": "replace", "path": "/~1other/GET/caching/enabled", "value": "true"}])
    fixed = run(env, stages=[V1_SETTINGS], version="2")
    assert fixed.returncode == 0 and fixed.recap["changed"] == 1, fixed.output
    live = stage()
    assert live["variables"] == {"backend": "blue"} and live["tracingEnabled"] is True
    assert "~1other/GET" not in live["methodSettings"]


def test_a_pinned_stage_keeps_its_deployment_while_a_new_stage_gets_the_newest(api):
    env, _, _, stage, _ = api
    v1_deployment = stage()["deploymentId"]
    stages = [dict(V1_SETTINGS, deploy=False), {"name": "v2"}]
    pinned = run(env, stages=stages, version="3")
    assert pinned.returncode == 0, pinned.output
    assert stage("v1")["deploymentId"] == v1_deployment
    assert stage("v2")["deploymentId"] != v1_deployment
    assert run(env, stages=stages, version="3").recap["changed"] == 0


def test_a_canary_gets_the_new_document_and_promotion_makes_it_the_stage_deployment(api):
    env, _, _, stage, _ = api
    main = stage("v2")["deploymentId"]
    canary_stage = {"name": "v2", "canary": {"percent_traffic": 20}}
    to_canary = run(env, stages=[canary_stage], version="4")
    assert to_canary.returncode == 0, to_canary.output
    live = stage("v2")
    assert live["deploymentId"] == main
    assert live["canarySettings"]["percentTraffic"] == 20.0 and live["canarySettings"]["deploymentId"] != main
    assert run(env, stages=[canary_stage], version="4").recap["changed"] == 0
    canary = live["canarySettings"]["deploymentId"]
    promote = run(env, stages=[{"name": "v2", "canary": {"promote": True}}], version="4")
    assert promote.returncode == 0 and promote.recap["changed"] == 1, promote.output
    live = stage("v2")
    assert live["deploymentId"] == canary and not live.get("canarySettings")
    assert run(env, stages=[{"name": "v2"}], version="4").recap["changed"] == 0


def test_bad_stage_input_fails_before_any_call(api):
    env, _, _, stage, deployments = api
    count = len(deployments())
    bad = run(env, stages=[{"name": "v2", "method_settings": {"*/*": {"logging_level": "DEBUG"}}}], version="5")
    assert bad.returncode != 0 and "logging_level" in bad.output
    assert len(deployments()) == count


def test_state_absent_deletes_the_api(api):
    env, _, find, _, _ = api
    gone = run(env, api_state="absent")
    assert gone.returncode == 0 and gone.recap["changed"] == 1, gone.output
    assert find() is None
    assert run(env, api_state="absent").recap["changed"] == 0
