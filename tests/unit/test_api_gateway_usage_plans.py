"""Unit tests of library/api_gateway_usage_plans.py's pure logic (validation, patch operations,
bindings, secret documents, tags), without AWS."""

import functools
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

REPO = Path(__file__).resolve().parents[2]


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_load("ansible.module_utils.tag_plan", REPO / "module_utils" / "tag_plan.py")
up = _load("api_gateway_usage_plans", REPO / "library" / "api_gateway_usage_plans.py")

STAGE_THROTTLE = {"/todos/GET": {"rate_limit": 100, "burst_limit": 200}}


def plan(**overrides):
    base = {"name": "mobile", "description": "Mobile app", "throttle": {"rate_limit": 50.0, "burst_limit": 100},
            "quota": {"limit": 1000, "period": "DAY", "offset": 0},
            "api_stages": [{"api_id": "abc", "stage": "v1", "throttle": dict(STAGE_THROTTLE)}], "keys": ["app"]}
    base.update(overrides)
    return base


def params(**overrides):
    base = {"plans": [plan()], "keys": [{"name": "app", "description": None, "enabled": True, "secret_name": "p/api-keys/app"}],
            "purge": False, "plan_set": None, "recovery_window_in_days": 30, "tags": None, "purge_tags": True}
    base.update(overrides)
    return base


def live(**overrides):
    """The same plan as GetUsagePlans returns it."""
    base = {"id": "p1", "name": "mobile", "description": "Mobile app", "throttle": {"rateLimit": 50.0, "burstLimit": 100},
            "quota": {"limit": 1000, "period": "DAY", "offset": 0},
            "apiStages": [{"apiId": "abc", "stage": "v1", "throttle": {"/todos/GET": {"rateLimit": 100.0, "burstLimit": 200}}}]}
    base.update(overrides)
    return base


# --- validation ----------------------------------------------------------------------


def test_valid_input_has_no_errors():
    assert up.input_errors(params()) == []


@pytest.mark.parametrize("change, message", [
    (lambda p: p["plans"][0]["throttle"].update(rate_limit=0), "plans[0].throttle.rate_limit: must be a number greater than 0, got 0"),
    (lambda p: p["plans"][0]["throttle"].update(burst_limit=-5), "plans[0].throttle.burst_limit: must be a number greater than 0, got -5"),
    (lambda p: p["plans"][0]["quota"].update(limit=0), "plans[0].quota.limit: must be a number greater than 0, got 0"),
    (lambda p: p["plans"][0]["quota"].update(period="YEAR"), "plans[0].quota.period: must be one of DAY, WEEK, MONTH, got YEAR"),
    (lambda p: p["plans"][0]["quota"].update(offset=-1), "plans[0].quota.offset: must be 0 or more, got -1"),
    (lambda p: p["plans"][0].update(keys=["app", "ghost"]), "plans[0].keys: names keys not declared in keys, got ghost"),
    (lambda p: p["plans"].append(plan()), "plans[].name: must be unique, got mobile more than once"),
    (lambda p: p["keys"].append(dict(p["keys"][0], name="other")), "keys[].secret_name: must be unique, got p/api-keys/app more than once"),
    (lambda p: p["keys"][0].update(secret_name="bad name!"), "keys[0].secret_name: must be 1-512 of"),
    (lambda p: p["plans"][0]["api_stages"][0]["throttle"].update({"todos": {"rate_limit": 1, "burst_limit": 1}}),
     "plans[0].api_stages[0].throttle: keys must be '<resourcePath>/<METHOD>' such as '/todos/GET', got 'todos'"),
    (lambda p: p["plans"][0]["api_stages"][0]["throttle"].update({"/todos/GET": {"rate_limit": 1}}),
     "plans[0].api_stages[0].throttle['/todos/GET'].burst_limit: must be a number greater than 0, got None"),
    (lambda p: p["plans"][0]["api_stages"].append({"api_id": "abc", "stage": "v1", "throttle": {}}), "plans[0].api_stages: an API stage may be listed once"),
    (lambda p: p["plans"][0]["api_stages"][0].update(stage="v1:x"), "plans[0].api_stages[0].stage: must be non-empty without ':' or '/'"),
    (lambda p: p.update(purge=True), "plan_set: is required with purge=true"),
    (lambda p: p.update(recovery_window_in_days=31), "recovery_window_in_days: must be 7-30, got 31"),
])
def test_input_errors_name_the_option(change, message):
    bad = json.loads(json.dumps(params()))
    change(bad)
    errors = up.input_errors(bad)
    assert any(error.startswith(message) for error in errors), errors


# --- patch operations -----------------------------------------------------------------


def test_converged_plan_needs_no_operation():
    assert up.plan_patch_operations(live(), plan()) == []


def test_numbers_compare_by_value():
    assert up.plan_patch_operations(live(throttle={"rateLimit": 50, "burstLimit": 100.0}), plan()) == []


def test_changed_fields_are_replaced():
    wanted = plan(description="New", throttle={"rate_limit": 7.5, "burst_limit": 100}, quota={"limit": 2000, "period": "WEEK", "offset": 0})
    assert up.plan_patch_operations(live(), wanted) == [
        {"op": "replace", "path": "/description", "value": "New"},
        {"op": "replace", "path": "/throttle/rateLimit", "value": "7.5"},
        {"op": "replace", "path": "/quota/limit", "value": "2000"},
        {"op": "replace", "path": "/quota/period", "value": "WEEK"},
    ]


def test_description_not_set_is_left_alone():
    assert up.plan_patch_operations(live(description="Other"), plan(description=None)) == []


def test_throttle_and_quota_are_added_and_removed():
    assert up.plan_patch_operations(live(), plan(throttle=None, quota=None)) == [
        {"op": "remove", "path": "/throttle"}, {"op": "remove", "path": "/quota"}]
    bare = live()
    del bare["throttle"], bare["quota"]
    assert up.plan_patch_operations(bare, plan()) == [
        {"op": "add", "path": "/throttle/rateLimit", "value": "50"},
        {"op": "add", "path": "/throttle/burstLimit", "value": "100"},
        {"op": "add", "path": "/quota/limit", "value": "1000"},
        {"op": "add", "path": "/quota/offset", "value": "0"},
        {"op": "add", "path": "/quota/period", "value": "DAY"},
    ]


def test_api_stages_and_method_throttles():
    wanted = plan(api_stages=[
        {"api_id": "abc", "stage": "v1", "throttle": {"/todos/GET": {"rate_limit": 100, "burst_limit": 300},
                                                       "/todos/{id}/DELETE": {"rate_limit": 5, "burst_limit": 5}}},
        {"api_id": "abc", "stage": "v2", "throttle": {}},
    ])
    current = live(apiStages=live()["apiStages"] + [{"apiId": "old", "stage": "v0"}])
    assert up.plan_patch_operations(current, wanted) == [
        {"op": "remove", "path": "/apiStages", "value": "old:v0"},
        {"op": "replace", "path": "/apiStages/abc:v1/throttle/~1todos~1GET/burstLimit", "value": "300"},
        {"op": "add", "path": "/apiStages/abc:v1/throttle/~1todos~1{id}~1DELETE/rateLimit", "value": "5"},
        {"op": "add", "path": "/apiStages/abc:v1/throttle/~1todos~1{id}~1DELETE/burstLimit", "value": "5"},
        {"op": "add", "path": "/apiStages", "value": "abc:v2"},
    ]


def test_method_throttle_no_longer_wanted_is_removed():
    assert up.plan_patch_operations(live(), plan(api_stages=[{"api_id": "abc", "stage": "v1", "throttle": {}}])) == [
        {"op": "remove", "path": "/apiStages/abc:v1/throttle/~1todos~1GET"}]


def test_apply_operations_predicts_the_result():
    wanted = plan(throttle={"rate_limit": 9, "burst_limit": 10}, quota=None,
                  api_stages=[{"api_id": "abc", "stage": "v2", "throttle": {"/GET": {"rate_limit": 1, "burst_limit": 2}}}])
    after = up.apply_operations(live(), up.plan_patch_operations(live(), wanted))
    assert after["throttle"] == {"rateLimit": 9.0, "burstLimit": 10}
    assert after["quota"] == {}
    assert up.current_stages(after) == {("abc", "v2"): {"/GET": {"rateLimit": 1.0, "burstLimit": 2}}}
    assert up.plan_patch_operations(dict(after, description="Mobile app"), wanted) == []


def test_create_request():
    request = up.create_request(plan(), {"Layer": "api"})
    assert request == {
        "name": "mobile", "description": "Mobile app", "throttle": {"rateLimit": 50.0, "burstLimit": 100},
        "quota": {"limit": 1000, "period": "DAY", "offset": 0},
        "apiStages": [{"apiId": "abc", "stage": "v1", "throttle": {"/todos/GET": {"rateLimit": 100.0, "burstLimit": 200}}}],
        "tags": {"Layer": "api"},
    }
    assert up.create_request(plan(throttle=None, quota=None, api_stages=[], description=None), {}) == {"name": "mobile"}


@pytest.mark.parametrize("value, text", [(50, "50"), (50.0, "50"), (7.5, "7.5"), ("12", "12")])
def test_number_text(value, text):
    assert up.number_text(value) == text


# --- bindings, secrets, tags -------------------------------------------------------------


def test_binding_changes():
    assert up.binding_changes(["k1", "k2"], ["k1", "k3"]) == (["k3"], ["k2"])
    assert up.binding_changes([], [None]) == ([None], [])  # check mode: a key not created yet
    assert up.binding_changes(["k1"], ["k1"]) == ([], [])


def test_secret_document_round_trip():
    document = up.secret_document("id1", "v" * 40)
    assert json.loads(document) == {"api_key_id": "id1", "value": "v" * 40}
    assert up.secret_in_sync(document, "id1", "v" * 40)
    assert not up.secret_in_sync(document, "id2", "v" * 40)
    assert not up.secret_in_sync(document, "id1", "other")
    assert not up.secret_in_sync("plain", "id1", "v" * 40)
    assert not up.secret_in_sync(None, "id1", "v" * 40)


def test_set_tag_is_added_without_purging_when_tags_not_set():
    with_set = params(plan_set="s1")
    assert up.resource_tag_plan({"Team": "x"}, with_set) == ({"Team": "x", "UsagePlanSet": "s1"}, {"UsagePlanSet": "s1"}, [])
    assert up.resource_tag_plan({"Team": "x"}, params()) == ({"Team": "x"}, {}, [])


def test_tags_are_purged_when_set():
    tagged = params(plan_set="s1", tags={"Layer": "api"})
    after, to_set, to_unset = up.resource_tag_plan({"Team": "x", "UsagePlanSet": "s1"}, tagged)
    assert after == {"Layer": "api", "UsagePlanSet": "s1"} and to_set == {"Layer": "api"} and to_unset == ["Team"]


def test_arns_carry_the_region_partition():
    assert [up.resource_arn(r, "/usageplans/p1") for r in ("eu-west-1", "cn-north-1", "us-gov-west-1")] == [
        "arn:aws:apigateway:eu-west-1::/usageplans/p1", "arn:aws-cn:apigateway:cn-north-1::/usageplans/p1",
        "arn:aws-us-gov:apigateway:us-gov-west-1::/usageplans/p1"]


# --- create calls without a client token ---------------------------------------------------


class FakeModule:
    def __init__(self):
        self.failed = None

    def fail_json_aws(self, error, msg):
        self.failed = msg
        raise SystemExit(msg)

    def fail_json(self, msg):
        self.failed = msg
        raise SystemExit(msg)


def aws_with(module):
    aws = object.__new__(up.Aws)
    aws.module = module
    return aws


def error(code, status=400):
    return ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       "CreateApiKey")


@pytest.fixture
def no_sleep(monkeypatch):
    """module_utils/create_once.py's back-off, without the waiting."""
    monkeypatch.setattr(up, "create_once", functools.partial(up.create_once, sleep=lambda seconds: None))


def test_create_once_resends_a_throttled_request(no_sleep):
    answers = [error("TooManyRequestsException", 429), {"id": "k1"}]

    def create(**params):
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert aws_with(FakeModule()).create_once("create", create, lambda: None, name="k") == {"id": "k1"}


def test_create_once_looks_up_by_name_after_a_lost_answer(no_sleep):
    calls = []

    def create(**params):
        calls.append(params)
        raise error("InternalFailure", 500)

    assert aws_with(FakeModule()).create_once("create", create, lambda: {"id": "made"}, name="k") == {"id": "made"}
    assert len(calls) == 1, "never sent twice"


def test_create_once_fails_the_module_on_a_refusal(no_sleep):
    calls = []

    def create(**params):
        calls.append(params)
        raise error("BadRequestException")

    module = FakeModule()
    with pytest.raises(SystemExit):
        aws_with(module).create_once("create key k", create, lambda: {"id": "never looked up"}, name="k")
    assert module.failed == "Failed to create key k"
    assert len(calls) == 1
