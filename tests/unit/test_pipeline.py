"""The deployment pipeline (bitbucket-pipelines.yml) is valid Bitbucket Pipelines YAML and keeps
the project's promises: checks on every push, dev -> staging -> prod (manual) on main with the
audit and the smoke check after each deploy, a drift pipeline per environment, nothing it calls
missing, every molecule scenario run, and no credentials in the file."""

import copy
import json
import re
import shlex
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
PIPELINE_FILE = REPO_ROOT / "bitbucket-pipelines.yml"
ENVIRONMENTS = ["dev", "staging", "prod"]          # in deployment order
DEPLOYMENT_VARIABLE = "$BITBUCKET_DEPLOYMENT_ENVIRONMENT"


@pytest.fixture(scope="module")
def pipeline():
    return yaml.safe_load(PIPELINE_FILE.read_text())  # anchors and merge keys resolved


@pytest.fixture(scope="module")
def schema():
    vendored = resources.files("check_jsonschema.builtin_schemas.vendor") / "bitbucket-pipelines.json"
    return json.loads(vendored.read_text())


def steps(items):
    """The steps of a pipeline, in order, parallel groups flattened."""
    found = []
    for item in items:
        if "step" in item:
            found.append(item["step"])
        elif "parallel" in item:
            group = item["parallel"]
            found.extend(s["step"] for s in (group["steps"] if isinstance(group, dict) else group))
    return found


def commands(step):
    """The step's shell commands, one per line, with the deployment environment's name filled in."""
    lines = "\n".join(step["script"]).replace(DEPLOYMENT_VARIABLE, step.get("deployment", DEPLOYMENT_VARIABLE))
    return [line.strip() for line in lines.splitlines() if line.strip() and not line.strip().startswith("#")]


def platform_calls(step):
    """(subcommand, environment, extra arguments) of every ./platform command of the step."""
    calls = []
    for line in commands(step):
        if line.startswith("./platform "):
            words = shlex.split(line)
            calls.append((words[1], words[2] if len(words) > 2 else None, words[3:]))
    return calls


def deploy_steps(pipeline):
    return [s for s in steps(pipeline["pipelines"]["branches"]["main"]) if "deployment" in s]


def check_commands(items):
    return [line for s in steps(items) if "deployment" not in s for line in commands(s)]


def test_the_pipeline_is_valid_against_the_bitbucket_pipelines_schema(pipeline, schema):
    jsonschema.Draft7Validator(schema).validate(pipeline)
    # The schema is enforced: a wrong trigger value is rejected.
    broken = copy.deepcopy(pipeline)
    deploy_steps(broken)[-1]["trigger"] = "sometimes"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(broken)


def test_every_push_is_linted_and_tested(pipeline):
    default = pipeline["pipelines"]["default"]
    assert all("deployment" not in s for s in steps(default)), "a push to a branch deploys nothing"
    run = check_commands(default)
    for command in ("yamllint --strict .", "ansible-lint"):
        assert command in run
    assert any(line.startswith("python -m pytest tests/unit") for line in run)
    assert any("molecule test -s" in line for line in run)


def test_main_runs_the_same_checks_then_deploys_dev_staging_prod_with_prod_manual(pipeline):
    main = pipeline["pipelines"]["branches"]["main"]
    assert check_commands(main) == check_commands(pipeline["pipelines"]["default"])
    all_steps = steps(main)
    first_deploy = next(i for i, s in enumerate(all_steps) if "deployment" in s)
    assert all("deployment" in s for s in all_steps[first_deploy:]), "every check runs before the first deploy"
    deploys = deploy_steps(pipeline)
    assert [s["deployment"] for s in deploys] == ENVIRONMENTS
    assert [s.get("trigger", "automatic") for s in deploys] == ["automatic", "automatic", "manual"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_deploy_runs_site_yml_then_the_audit_then_the_smoke_check(pipeline, env):
    step = next(s for s in deploy_steps(pipeline) if s["deployment"] == env)
    calls = platform_calls(step)
    assert [(name, target) for name, target, _ in calls] == [("up", env), ("audit", env), ("smoke", env)]
    confirmed = [("-e", "platform_confirm=prod") == tuple(extra) for _, _, extra in calls]
    # prod's preflight refuses any run without the confirmation; no other environment gets one.
    assert confirmed == [env == "prod"] * 3
    assert step.get("artifacts") == ["artifacts/**"]


def test_each_deployment_environment_is_used_once_per_pipeline(pipeline):
    for name, items in [("main", pipeline["pipelines"]["branches"]["main"]),
                        *pipeline["pipelines"]["custom"].items()]:
        used = [s["deployment"] for s in steps(items) if "deployment" in s]
        assert len(used) == len(set(used)), name


def test_a_drift_pipeline_per_environment_runs_the_drift_check(pipeline):
    environments = sorted(p.name for p in (REPO_ROOT / "inventories").iterdir() if p.is_dir() and p.name != "local")
    assert sorted(ENVIRONMENTS) == environments
    custom = pipeline["pipelines"]["custom"]
    for env in environments:
        (step,) = steps(custom[f"drift-{env}"])
        assert step["deployment"] == env
        assert [(name, target) for name, target, _ in platform_calls(step)] == [("drift", env)]
    assert "Schedules" in PIPELINE_FILE.read_text(), "the file says where the drift runs are scheduled"


def test_everything_the_pipeline_calls_exists(pipeline):
    text = PIPELINE_FILE.read_text()
    subcommands = set(re.findall(r"^  ([a-z][a-z0-9-]*)\)", (REPO_ROOT / "platform").read_text(), re.M))
    every_step = [s for items in [pipeline["pipelines"]["default"], pipeline["pipelines"]["branches"]["main"],
                                  *pipeline["pipelines"]["custom"].values()] for s in steps(items)]
    called = {name for s in every_step for name, _, _ in platform_calls(s)}
    assert called and called <= subcommands, called - subcommands
    for env in {target for s in every_step for _, target, _ in platform_calls(s)}:
        assert (REPO_ROOT / "inventories" / env).is_dir(), env
    for path in set(re.findall(r"\bplaybooks/[\w./-]+\.yml\b", text)):
        assert (REPO_ROOT / path).is_file(), path
    for line in check_commands(pipeline["pipelines"]["default"]):
        if line.startswith("python -m pytest"):
            for path in (word for word in line.split()[3:] if word.startswith("tests/")):
                assert (REPO_ROOT / path).exists(), path


def test_every_molecule_scenario_runs_on_every_push(pipeline):
    scenarios = {p.parent.name for p in (REPO_ROOT / "molecule").glob("*/molecule.yml")}
    covered = []
    for line in check_commands(pipeline["pipelines"]["default"]):
        loop = re.fullmatch(r'for scenario in ([\w ]+); do molecule test -s "\$scenario"; done', line)
        covered += loop.group(1).split() if loop else []
    assert sorted(covered) == sorted(scenarios)  # each once


def test_deploys_take_credentials_from_oidc_or_secured_variables_only(pipeline):
    text = PIPELINE_FILE.read_text()
    for step in deploy_steps(pipeline) + [s for items in pipeline["pipelines"]["custom"].values() for s in steps(items)]:
        assert step.get("oidc") is True, step["name"]
        script = "\n".join(step["script"])
        assert 'printf \'%s\' "$BITBUCKET_STEP_OIDC_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"' in script
        assert "export AWS_WEB_IDENTITY_TOKEN_FILE" in script and "${AWS_ROLE_ARN:-}" in script
    # No literal credentials: no access key ids, no 40-character secret keys, no assignments.
    assert not re.search(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b", text)
    assert not re.search(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])", text)
    literal = r"""\b(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|\w*PASSWORD|\w*SECRET\w*|\w*TOKEN)\s*[:=]\s*["']?[^\s$"'{-]"""
    assert not re.search(literal, text, re.I)
    assert "arn:aws:iam::" not in text, "the role to assume is a deployment variable (AWS_ROLE_ARN)"
    assert "variables" not in pipeline


def test_every_step_uses_the_pip_cache_on_a_python_3_12_or_newer_image(pipeline):
    version = re.fullmatch(r"python:3\.(\d+)[\w.-]*", pipeline["image"])
    assert version and int(version.group(1)) >= 12
    every_step = [s for items in [pipeline["pipelines"]["default"], pipeline["pipelines"]["branches"]["main"],
                                  *pipeline["pipelines"]["custom"].values()] for s in steps(items)]
    assert all("pip" in s["caches"] and "image" not in s for s in every_step)
