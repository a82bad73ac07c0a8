"""The iam role repairs drift: what is attached by hand is removed, what was
changed by hand is put back, and a converged run changes nothing."""

import json

from tests.playbook import run_playbook

PLAYBOOK = "tests/integration/playbooks/iam_roles.yml"
ROLE = "rtap-local-todo-api"


def test_hand_made_changes_are_repaired(fresh_emulator, aws_env, aws_client, tmp_path):
    assert run_playbook(aws_env, PLAYBOOK, artifacts=tmp_path).returncode == 0
    iam = aws_client("iam")
    declared = iam.get_role_policy(RoleName=ROLE, PolicyName="access")["PolicyDocument"]

    iam.attach_role_policy(RoleName=ROLE, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.put_role_policy(RoleName=ROLE, PolicyName="extra", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}))

    check = run_playbook(aws_env, PLAYBOOK, "--check", artifacts=tmp_path)
    assert check.recap["changed"] == 1
    assert iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"], "--check changed nothing"

    repair = run_playbook(aws_env, PLAYBOOK, artifacts=tmp_path)
    assert repair.returncode == 0 and repair.recap["changed"] == 1, repair.output[-3000:]
    assert iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"] == []
    assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == ["access"]
    assert iam.get_role_policy(RoleName=ROLE, PolicyName="access")["PolicyDocument"] == declared
    trust = iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}

    again = run_playbook(aws_env, PLAYBOOK, artifacts=tmp_path)
    assert again.recap["changed"] == 0, again.changed_tasks


MANAGED_PLAYBOOK = "tests/integration/playbooks/eks/managed_policies.yml"
MANAGED_ROLE = "rtap-local-managed-test"
DECLARED = {"arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", "arn:aws:iam::aws:policy/AmazonEKSVPCResourceController"}


def test_declared_managed_policies_are_attached_and_kept_others_detached(fresh_emulator, aws_env, aws_client, tmp_path):
    iam = aws_client("iam")

    def attached():
        return {p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=MANAGED_ROLE)["AttachedPolicies"]}

    assert run_playbook(aws_env, MANAGED_PLAYBOOK, artifacts=tmp_path).returncode == 0
    assert attached() == DECLARED
    assert run_playbook(aws_env, MANAGED_PLAYBOOK, artifacts=tmp_path).recap["changed"] == 0

    iam.attach_role_policy(RoleName=MANAGED_ROLE, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.detach_role_policy(RoleName=MANAGED_ROLE, PolicyArn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy")
    check = run_playbook(aws_env, MANAGED_PLAYBOOK, "--check", artifacts=tmp_path)
    assert check.recap["changed"] == 1
    assert "arn:aws:iam::aws:policy/AdministratorAccess" in attached(), "--check changed nothing"

    repair = run_playbook(aws_env, MANAGED_PLAYBOOK, artifacts=tmp_path)
    assert repair.returncode == 0 and repair.recap["changed"] == 1, repair.output[-3000:]
    assert attached() == DECLARED
