"""The iam role repairs drift: what is attached by hand is removed, what was
changed by hand is put back, and a converged run changes nothing."""

import json
from collections import Counter

from emulator import launcher
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


def _iam_calls(emulator):
    """{operation: count} of the IAM calls served since the last reset, and the count of mutating calls (any service)."""
    summary = launcher.api_calls(emulator.url, emulator.ca_bundle)
    iam = Counter()
    for call in summary["calls"]:
        if call["service"] == "iam":
            iam[call["operation"]] += call["count"]
    return iam, summary["mutating"]


def test_a_converged_rerun_reads_all_roles_in_a_constant_number_of_calls(fresh_emulator, aws_env, aws_client, tmp_path):
    assert run_playbook(aws_env, PLAYBOOK, artifacts=tmp_path).returncode == 0
    iam = aws_client("iam")
    managed = [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("rtap-local-")]
    assert len(managed) >= 10, managed  # the playbook manages many roles: the bulk read is in use

    launcher.reset_api_calls(fresh_emulator.url, fresh_emulator.ca_bundle)
    again = run_playbook(aws_env, PLAYBOOK, artifacts=tmp_path)
    assert again.returncode == 0 and again.recap["changed"] == 0, again.changed_tasks
    calls, mutating = _iam_calls(fresh_emulator)
    assert mutating == 0, calls
    # One page of each bulk call (the account holds fewer than 1000 roles), nothing role by role.
    assert calls == {"GetAccountAuthorizationDetails": 1, "ListRoles": 1}, calls


def test_the_bulk_read_sees_drift_in_every_compared_field(fresh_emulator, aws_env, aws_client, tmp_path):
    """Description and session duration come from ListRoles, the rest from GetAccountAuthorizationDetails."""
    assert run_playbook(aws_env, PLAYBOOK, artifacts=tmp_path).returncode == 0
    iam = aws_client("iam")
    declared = iam.get_role(RoleName=ROLE)["Role"]
    iam.update_role(RoleName=ROLE, Description="changed by hand", MaxSessionDuration=7200)
    iam.put_role_permissions_boundary(RoleName=ROLE, PermissionsBoundary="arn:aws:iam::aws:policy/PowerUserAccess")
    iam.tag_role(RoleName=ROLE, Tags=[{"Key": "Layer", "Value": "by-hand"}, {"Key": "Extra", "Value": "x"}])

    repair = run_playbook(aws_env, PLAYBOOK, artifacts=tmp_path)
    assert repair.returncode == 0 and repair.recap["changed"] == 1, repair.output[-3000:]
    role = iam.get_role(RoleName=ROLE)["Role"]
    assert role["Description"] == declared["Description"]
    assert role["MaxSessionDuration"] == declared["MaxSessionDuration"]
    assert "PermissionsBoundary" not in role
    assert sorted(role["Tags"], key=lambda t: t["Key"]) == sorted(declared["Tags"], key=lambda t: t["Key"])


def test_absent_deletes_the_roles_with_what_holds_them(fresh_emulator, aws_env, aws_client, tmp_path):
    assert run_playbook(aws_env, PLAYBOOK, artifacts=tmp_path).returncode == 0
    iam = aws_client("iam")
    iam.attach_role_policy(RoleName=ROLE, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_instance_profile(InstanceProfileName="by-hand")
    iam.add_role_to_instance_profile(InstanceProfileName="by-hand", RoleName=ROLE)

    check = run_playbook(aws_env, PLAYBOOK, "-e", "iam_state=absent", "--check", artifacts=tmp_path)
    assert check.returncode == 0 and check.recap["changed"] == 1, check.output[-3000:]
    assert iam.get_role(RoleName=ROLE)["Role"], "--check deleted nothing"

    delete = run_playbook(aws_env, PLAYBOOK, "-e", "iam_state=absent", artifacts=tmp_path)
    assert delete.returncode == 0 and delete.recap["changed"] == 1, delete.output[-3000:]
    assert [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("rtap-local-")] == []
    assert iam.get_instance_profile(InstanceProfileName="by-hand")["InstanceProfile"]["Roles"] == []
