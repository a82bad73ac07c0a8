"""Integration tests for library/api_gateway_usage_plans.py against the emulator.

The module runs through ansible-playbook (playbooks/api_gateway_usage_plans.yml); what it
did is judged from the emulator's state, read with boto3, not from its own report. A
REST API with a MOCK integration and a deployed stage is made with boto3 first.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = Path(__file__).resolve().parent / "playbooks" / "api_gateway_usage_plans.yml"
KMS_ALIAS = "alias/rtap-local-secrets"
SET = "rtap-local-api"
RECORDER = Path(__file__).resolve().parent / "aws_call_recorder"  # sitecustomize.py: logs every AWS call
READ_ONLY = ("Get", "List", "Describe")


def ansible_playbook():
    sibling = Path(sys.executable).with_name("ansible-playbook")
    return str(sibling) if sibling.exists() else shutil.which("ansible-playbook")


@pytest.fixture
def apigw(fresh_emulator, aws_client):
    return aws_client("apigateway")


@pytest.fixture
def secrets(fresh_emulator, aws_client):
    return aws_client("secretsmanager")


@pytest.fixture
def world(apigw, aws_client):
    """A REST API with GET /todos (MOCK integration) deployed to stages v1 and v2, and the secrets KMS key."""
    api_id = apigw.create_rest_api(name="todo")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    todos = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="todos")["id"]
    apigw.put_method(restApiId=api_id, resourceId=todos, httpMethod="GET", authorizationType="NONE", apiKeyRequired=True)
    apigw.put_integration(restApiId=api_id, resourceId=todos, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.create_deployment(restApiId=api_id, stageName="v1")
    apigw.create_deployment(restApiId=api_id, stageName="v2")
    kms = aws_client("kms")
    key_id = kms.create_key(Description="secrets")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=KMS_ALIAS, TargetKeyId=key_id)
    return {"api_id": api_id, "kms_key_id": key_id}


@pytest.fixture
def run(aws_env, fresh_emulator, tmp_path):
    """Run the playbook with the given module options; return (module result, full output, mutating AWS calls)."""
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("localhost ansible_connection=local\n")
    runs = []

    def go(options, check=False, expect_failure=False):
        runs.append(options)
        result_file = tmp_path / f"result-{len(runs)}.json"
        vars_file = tmp_path / f"vars-{len(runs)}.json"
        calls_file = tmp_path / f"calls-{len(runs)}.log"
        vars_file.write_text(json.dumps(dict(options, result_file=str(result_file))))
        command = [ansible_playbook(), "-i", str(inventory), str(PLAYBOOK), "-e", f"@{vars_file}", "--diff", "-v"]
        if check:
            command.append("--check")
        env = dict(aws_env, ANSIBLE_LIBRARY=str(REPO / "library"), ANSIBLE_NOCOLOR="1",
                   PYTHONPATH=str(RECORDER), PLATFORM_TEST_AWS_CALL_LOG=str(calls_file))
        proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
        output = proc.stdout + proc.stderr
        calls = calls_file.read_text().split("\n") if calls_file.exists() else []
        mutating = [call for call in calls if call and not call.split(" ", 1)[1].startswith(READ_ONLY)]
        if expect_failure:
            assert proc.returncode != 0, output
            assert calls == [], "bad input fails before any AWS call"
            return None, output, mutating
        assert proc.returncode == 0, f"ansible-playbook failed:\n{output}"
        return json.loads(result_file.read_text()), output, mutating

    return go


def options(world, mobile_rate=50.0, mobile_keys=("mobile-app", "partner"), partner_keys=("partner",), extra_stage=False):
    stages = [{"api_id": world["api_id"], "stage": "v1", "throttle": {"/todos/GET": {"rate_limit": 100, "burst_limit": 200}}}]
    if extra_stage:
        stages.append({"api_id": world["api_id"], "stage": "v2", "throttle": {"/todos/GET": {"rate_limit": 2.5, "burst_limit": 5}}})
    return {
        "usage_plans": [
            {
                "name": "rtap-local-mobile",
                "description": "Mobile app",
                "throttle": {"rate_limit": mobile_rate, "burst_limit": 100},
                "quota": {"limit": 100000, "period": "DAY"},
                "api_stages": stages,
                "keys": list(mobile_keys),
            },
            {
                "name": "rtap-local-partners",
                "quota": {"limit": 5000, "period": "MONTH", "offset": 0},
                "api_stages": [{"api_id": world["api_id"], "stage": "v2"}],
                "keys": list(partner_keys),
            },
        ],
        "usage_plan_keys": [
            {"name": "mobile-app", "description": "The mobile app's key", "secret_name": "rtap-local/api-keys/mobile-app"},
            {"name": "partner", "secret_name": "rtap-local/api-keys/partner"},
        ],
        "secret_kms_key_id": KMS_ALIAS,
        "usage_plan_tags": {"Layer": "api"},
        "plan_set": SET,
        "purge": True,
        "recovery_window_in_days": 7,
    }


def plans_by_name(apigw):
    return {plan["name"]: plan for plan in apigw.get_usage_plans()["items"]}


def keys_by_name(apigw):
    return {key["name"]: key for key in apigw.get_api_keys(includeValues=True)["items"]}


def bound(apigw, plan_id):
    return sorted(item["name"] for item in apigw.get_usage_plan_keys(usagePlanId=plan_id)["items"])


def secret_value(secrets, name):
    return json.loads(secrets.get_secret_value(SecretId=name)["SecretString"])


def snapshot(apigw, secrets):
    """Everything the module manages, to show a run changed nothing."""
    plans = plans_by_name(apigw)
    return {
        "plans": plans,
        "bindings": {name: bound(apigw, plan["id"]) for name, plan in plans.items()},
        "keys": {name: {k: v for k, v in key.items() if k != "lastUpdatedDate"} for name, key in keys_by_name(apigw).items()},
        "secrets": {s["Name"]: (s.get("SecretVersionsToStages"), s.get("Tags")) for s in secrets.list_secrets()["SecretList"]},
    }


def test_lifecycle(world, run, apigw, secrets, aws_client):
    api_id = world["api_id"]

    # Check mode on an empty account: everything is predicted, nothing is made.
    predicted, _, mutating = run(options(world), check=True)
    assert predicted["changed"] is True and mutating == []
    assert [p["created"] for p in predicted["plans"]] == [True, True] and [k["created"] for k in predicted["keys"]] == [True, True]
    assert plans_by_name(apigw) == {} and keys_by_name(apigw) == {} and secrets.list_secrets()["SecretList"] == []

    # First run: plans, keys, bindings and secrets are created.
    first, output, mutating = run(options(world))
    assert first["changed"] is True and mutating, "the call recorder sees the module's calls"
    assert "no_log" not in output, "no option that looks like a secret lacks a no_log decision"
    plans, keys = plans_by_name(apigw), keys_by_name(apigw)
    mobile = plans["rtap-local-mobile"]
    assert mobile["description"] == "Mobile app"
    assert mobile["throttle"] == {"rateLimit": 50.0, "burstLimit": 100}
    assert mobile["quota"] == {"limit": 100000, "period": "DAY", "offset": 0}
    assert mobile["apiStages"] == [{"apiId": api_id, "stage": "v1",
                                    "throttle": {"/todos/GET": {"rateLimit": 100.0, "burstLimit": 200}}}]
    assert mobile["tags"] == {"Layer": "api", "UsagePlanSet": SET}
    partners = plans["rtap-local-partners"]
    assert "throttle" not in partners and partners["quota"]["period"] == "MONTH"
    assert partners["apiStages"] == [{"apiId": api_id, "stage": "v2"}]
    assert bound(apigw, mobile["id"]) == ["mobile-app", "partner"]
    assert bound(apigw, partners["id"]) == ["partner"]
    assert keys["mobile-app"]["enabled"] is True and keys["mobile-app"]["description"] == "The mobile app's key"
    assert keys["mobile-app"]["tags"] == {"Layer": "api", "UsagePlanSet": SET}
    for name in ("mobile-app", "partner"):
        key = keys[name]
        value = apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"]
        assert secret_value(secrets, f"rtap-local/api-keys/{name}") == {"api_key_id": key["id"], "value": value}
        assert value not in output, "a key value was printed"
        assert value not in json.dumps(first)
        secret = secrets.describe_secret(SecretId=f"rtap-local/api-keys/{name}")
        assert aws_client("kms").describe_key(KeyId=secret["KmsKeyId"])["KeyMetadata"]["KeyId"] == world["kms_key_id"]
        assert {"Key": "UsagePlanSet", "Value": SET} in secret["Tags"]
    assert [k["secret_arn"] for k in first["keys"]] == [secrets.describe_secret(SecretId=k["secret_name"])["ARN"] for k in first["keys"]]

    # Second run: nothing to do, and no mutating call.
    converged = snapshot(apigw, secrets)
    second, _, mutating = run(options(world))
    assert second["changed"] is False, second
    assert mutating == []
    assert snapshot(apigw, secrets) == converged

    # Check mode on the converged state: changed=0.
    check, _, mutating = run(options(world), check=True)
    assert check["changed"] is False and mutating == []

    # Check mode with a changed throttle: the change is predicted, nothing is changed.
    predicted, _, mutating = run(options(world, mobile_rate=75.5), check=True)
    assert predicted["changed"] is True and mutating == []
    assert predicted["plans"][0]["patch_operations"] == [{"op": "replace", "path": "/throttle/rateLimit", "value": "75.5"}]
    assert snapshot(apigw, secrets) == converged

    # The throttle changed and a throttled stage added: updated in place, same plan id.
    changed, _, _ = run(options(world, mobile_rate=75.5, extra_stage=True))
    assert changed["changed"] is True
    after = plans_by_name(apigw)["rtap-local-mobile"]
    assert after["id"] == mobile["id"] and after["throttle"] == {"rateLimit": 75.5, "burstLimit": 100}
    assert after["apiStages"][1] == {"apiId": api_id, "stage": "v2", "throttle": {"/todos/GET": {"rateLimit": 2.5, "burstLimit": 5}}}
    assert run(options(world, mobile_rate=75.5, extra_stage=True))[0]["changed"] is False

    # A key removed from a plan is unbound (and only from that plan).
    unbound, _, _ = run(options(world, mobile_rate=75.5, mobile_keys=("mobile-app",)))
    assert unbound["changed"] is True
    assert bound(apigw, mobile["id"]) == ["mobile-app"] and bound(apigw, partners["id"]) == ["partner"]
    assert [s["stage"] for s in plans_by_name(apigw)["rtap-local-mobile"]["apiStages"]] == ["v1"]

    # A deleted secret is recreated, and a secret holding another value is rewritten, with the key's value.
    secrets.delete_secret(SecretId="rtap-local/api-keys/mobile-app", ForceDeleteWithoutRecovery=True)
    secrets.put_secret_value(SecretId="rtap-local/api-keys/partner", SecretString='{"value": "stale"}')
    repair_check, _, _ = run(options(world, mobile_rate=75.5, mobile_keys=("mobile-app",)), check=True)
    assert [k["secret_changed"] for k in repair_check["keys"]] == [True, True]
    repaired, output, _ = run(options(world, mobile_rate=75.5, mobile_keys=("mobile-app",)))
    assert [k["secret_changed"] for k in repaired["keys"]] == [True, True]
    for name in ("mobile-app", "partner"):
        key = keys[name]
        value = apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"]
        assert secret_value(secrets, f"rtap-local/api-keys/{name}") == {"api_key_id": key["id"], "value": value}
        assert value not in output
    assert run(options(world, mobile_rate=75.5, mobile_keys=("mobile-app",)))[0]["changed"] is False

    # state=absent in check mode: predicted, nothing deleted.
    predicted, _, mutating = run(dict(options(world), usage_plans_state="absent"), check=True)
    assert predicted["changed"] is True and mutating == [] and len(plans_by_name(apigw)) == 2

    # state=absent: plans and keys deleted, secrets scheduled for deletion.
    gone, _, _ = run(dict(options(world), usage_plans_state="absent"))
    assert gone["changed"] is True
    assert plans_by_name(apigw) == {} and keys_by_name(apigw) == {}
    for name in ("mobile-app", "partner"):
        assert secrets.describe_secret(SecretId=f"rtap-local/api-keys/{name}").get("DeletedDate")
    assert run(dict(options(world), usage_plans_state="absent"))[0]["changed"] is False


def test_purge_removes_what_is_no_longer_declared(world, run, apigw, secrets):
    run(options(world))
    other = apigw.create_usage_plan(name="not-ours")["id"]  # no plan-set tag: never purged
    smaller = options(world, partner_keys=())
    smaller["usage_plans"] = smaller["usage_plans"][:1]
    smaller["usage_plans"][0]["keys"] = ["mobile-app"]
    smaller["usage_plan_keys"] = smaller["usage_plan_keys"][:1]

    predicted, _, mutating = run(smaller, check=True)
    assert predicted["removed"] == {"plans": ["rtap-local-partners"], "keys": ["partner"],
                                    "secrets": ["rtap-local/api-keys/partner"]}
    assert mutating == [] and "rtap-local-partners" in plans_by_name(apigw)

    purged, _, _ = run(smaller)
    assert purged["removed"] == predicted["removed"]
    assert set(plans_by_name(apigw)) == {"rtap-local-mobile", "not-ours"}
    assert set(keys_by_name(apigw)) == {"mobile-app"}
    assert secrets.describe_secret(SecretId="rtap-local/api-keys/partner").get("DeletedDate")
    assert apigw.get_usage_plan(usagePlanId=other)["name"] == "not-ours"
    assert run(smaller)[0]["changed"] is False


@pytest.mark.parametrize("change, option", [
    (lambda o: o["usage_plans"][0]["throttle"].update(rate_limit=0), "plans[0].throttle.rate_limit"),
    (lambda o: o["usage_plans"][0]["api_stages"][0]["throttle"].update({"/todos/GET": {"rate_limit": 5, "burst_limit": -1}}),
     "plans[0].api_stages[0].throttle['/todos/GET'].burst_limit"),
    (lambda o: o["usage_plans"][1].update(keys=["nobody"]), "plans[1].keys"),
    (lambda o: o["usage_plans"][0]["quota"].update(period="YEAR"), "period"),
    (lambda o: o.update(recovery_window_in_days=3), "recovery_window_in_days"),
])
def test_bad_input_fails_before_any_call(world, run, apigw, secrets, change, option):
    bad = options(world)
    change(bad)
    _, output, mutating = run(bad, expect_failure=True)
    assert option in output
    assert mutating == [] and plans_by_name(apigw) == {} and keys_by_name(apigw) == {}
    with pytest.raises(ClientError):
        secrets.describe_secret(SecretId="rtap-local/api-keys/mobile-app")


def test_changed_secret_kms_key_re_encrypts_the_value(world, run, apigw, secrets, aws_client):
    run(options(world))
    kms = aws_client("kms")
    other = kms.create_key(Description="other secrets")["KeyMetadata"]
    kms.create_alias(AliasName="alias/other-secrets", TargetKeyId=other["KeyId"])

    rekeyed, _, mutating = run(dict(options(world), secret_kms_key_id=other["Arn"]))
    assert [k["secret_changed"] for k in rekeyed["keys"]] == [True, True]
    assert sorted(mutating) == ["secretsmanager UpdateSecret", "secretsmanager UpdateSecret"]
    for key in rekeyed["keys"]:
        secret = secrets.describe_secret(SecretId=key["secret_name"])
        assert kms.describe_key(KeyId=secret["KmsKeyId"])["KeyMetadata"]["KeyId"] == other["KeyId"]
        value = apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"]
        assert secret_value(secrets, key["secret_name"]) == {"api_key_id": key["id"], "value": value}
    # The same key named by its alias: nothing to do.
    again, _, mutating = run(dict(options(world), secret_kms_key_id="alias/other-secrets"))
    assert again["changed"] is False and mutating == []
