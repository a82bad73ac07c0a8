"""--check on an empty environment predicts changes and makes none."""

from tests.playbook import run_playbook


def test_check_on_an_empty_environment_changes_nothing(fresh_emulator, aws_env, aws_client, tmp_path):
    run = run_playbook(aws_env, "site.yml", "--tags", "foundation", "--check", "--diff", artifacts=tmp_path)

    assert run.returncode == 0, run.output[-4000:]
    # It predicts the roles, the keys and the VPC (whose contents depend on its id)...
    assert {"iam : Create the component roles with their least-privilege inline policies",
            "kms : Create the platform keys", "network : Create the VPC"} <= set(run.changed_tasks)
    # ...and creates none of them.
    assert [r for r in aws_client("iam").list_roles()["Roles"] if r["RoleName"].startswith("rtap-")] == []
    assert aws_client("kms").list_keys()["Keys"] == []
    assert [v for v in aws_client("ec2").describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []
    assert not (tmp_path / "local" / "outputs.json").exists()
