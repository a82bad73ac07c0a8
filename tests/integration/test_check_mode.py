"""--check on an empty environment predicts changes and makes none, through every layer."""

from tests.playbook import run_playbook


def test_check_on_an_empty_environment_changes_nothing(fresh_emulator, site_env, aws_client, tmp_path):
    run = run_playbook(site_env, "site.yml", "--check", "--diff", artifacts=tmp_path)

    assert run.returncode == 0, run.output[-4000:]
    # It predicts the roles, the keys and the VPC (whose contents depend on its id), the
    # later layers' resources, down to the user pool and the API...
    assert {"iam : Create the component roles with their least-privilege inline policies",
            "kms : Create the platform keys", "network : Create the VPC and its internet gateway",
            "dynamodb : Converge the tables", "kinesis : Create or update the streams",
            "cognito : Create or update the user pool, its groups, domain and resource servers",
            "api_gateway : Import, deploy and configure the API"} <= set(run.changed_tasks)
    # ...and creates none of them.
    assert [r for r in aws_client("iam").list_roles()["Roles"] if r["RoleName"].startswith("rtap-")] == []
    assert aws_client("kms").list_keys()["Keys"] == []
    assert [v for v in aws_client("ec2").describe_vpcs()["Vpcs"] if not v["IsDefault"]] == []
    assert aws_client("dynamodb").list_tables()["TableNames"] == []
    assert aws_client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"] == []
    assert aws_client("apigateway").get_rest_apis()["items"] == []
    assert aws_client("lambda").list_functions()["Functions"] == []
    assert not (tmp_path / "local" / "outputs.json").exists()
