"""lambda_function's VPC (and environment) input is checked by its validate.yml (what the pre-flight play
runs) and reported with the variable's name, before any AWS call."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SUBNETS = ["subnet-0123456789abcdef0", "subnet-89abcdef"]
GROUPS = ["sg-0123456789abcdef0"]

PLAYBOOK = """---
- name: Validate the lambda_function input only
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Run the role's checks
      ansible.builtin.include_role:
        name: lambda_function
        tasks_from: validate
"""

BASE = {
    "platform_env": "local",
    "lambda_function_name": "rtap-local-fn",
    "lambda_function_source": "stream_preprocessor",
    "lambda_function_role_arn": "arn:aws:iam::123456789012:role/rtap-local-fn",
    "lambda_function_layer": "api",
}

CASES = {
    "subnets without security groups": (
        {"lambda_function_vpc_subnet_ids": SUBNETS},
        "lambda_function_vpc_subnet_ids: set together with lambda_function_vpc_security_group_ids"),
    "security groups without subnets": (
        {"lambda_function_vpc_security_group_ids": GROUPS},
        "lambda_function_vpc_subnet_ids: set together with lambda_function_vpc_security_group_ids"),
    "not a subnet id": (
        {"lambda_function_vpc_subnet_ids": ["vpc-0123456789abcdef0"], "lambda_function_vpc_security_group_ids": GROUPS},
        "lambda_function_vpc_subnet_ids: must be subnet ids (subnet-...), got 'vpc-0123456789abcdef0'"),
    "not a security group id": (
        {"lambda_function_vpc_subnet_ids": SUBNETS, "lambda_function_vpc_security_group_ids": ["app"]},
        "lambda_function_vpc_security_group_ids: must be security group ids (sg-...), got 'app'"),
    "six security groups": (
        {"lambda_function_vpc_subnet_ids": SUBNETS,
         "lambda_function_vpc_security_group_ids": [f"sg-0000000{i}" for i in range(6)]},
        "lambda_function_vpc_security_group_ids: at most 5 security groups, got 6"),
    "environment key that is not a name": (
        {"lambda_function_environment": {"1ST": "x"}},
        "lambda_function_environment: key '1ST' must start with a letter"),
}


def validate(tmp_path, extra):
    playbook = tmp_path / "validate.yml"
    playbook.write_text(PLAYBOOK)
    env = dict(os.environ, ANSIBLE_ROLES_PATH=str(REPO_ROOT / "roles"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"))
    command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", "localhost,", str(playbook),
               "-e", json.dumps(dict(BASE, **extra)), "-e", f"ansible_python_interpreter={sys.executable}"]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, env=env, check=False, timeout=120)


@pytest.mark.parametrize("extra, expected", CASES.values(), ids=CASES.keys())
def test_bad_vpc_input_is_named(tmp_path, extra, expected):
    run = validate(tmp_path, extra)
    assert run.returncode != 0
    assert expected in run.stdout, run.stdout[-3000:]


def test_good_vpc_input_and_no_vpc_pass(tmp_path):
    for extra in [{}, {"lambda_function_vpc_subnet_ids": SUBNETS, "lambda_function_vpc_security_group_ids": GROUPS}]:
        run = validate(tmp_path, extra)
        assert run.returncode == 0, run.stdout[-3000:]
