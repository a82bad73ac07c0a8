"""The ecr role on a fresh emulator: converge twice and in --check mode, then assert the
emulator's state repository by repository; drift is put back; a repository whose encryption
differs is refused unchanged; deletion never removes a repository that still holds images
unless asked to. Bad input fails in pre-flight, naming the variable, before anything is made.
"""

import json
import os

import pytest

from emulator import launcher
from tests.playbook import run_playbook

PLAYBOOK = "tests/integration/playbooks/ecr.yml"
PREFIX = "rtap-local"
ACCOUNT = "123456789012"
PARTNER = "111122223333"
REPOS = {"orders": f"{PREFIX}/orders", "payments": f"{PREFIX}/payments"}
EXTRA = json.dumps({"ecr_repositories": [{"name": "orders"},
                                          {"name": "payments", "keep_images": 20, "pull_account_ids": [PARTNER]}]})
MANIFEST = json.dumps({
    "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2, "digest": "sha256:" + "a" * 64},
    "layers": [],
})


@pytest.fixture(scope="module")
def converged(emulator, aws_client, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)
    env = dict(os.environ, **emulator.env())
    artifacts = tmp_path_factory.mktemp("artifacts")
    # What the foundation layer's kms role provides.
    key = aws_client("kms").create_key(Description="data")["KeyMetadata"]
    aws_client("kms").create_alias(AliasName=f"alias/{PREFIX}-data", TargetKeyId=key["KeyId"])
    runs = {
        "first": run_playbook(env, PLAYBOOK, "-e", EXTRA, artifacts=artifacts),
        "second": run_playbook(env, PLAYBOOK, "-e", EXTRA, artifacts=artifacts),
        "check": run_playbook(env, PLAYBOOK, "-e", EXTRA, "--check", "--diff", artifacts=artifacts),
    }
    return {"runs": runs, "artifacts": artifacts, "env": env, "key_arn": key["Arn"]}


def describe(aws_client, service):
    return aws_client("ecr").describe_repositories(repositoryNames=[REPOS[service]])["repositories"][0]


def test_first_run_converges(converged):
    run = converged["runs"]["first"]
    assert run.returncode == 0, run.output[-4000:]
    assert run.recap["changed"] > 0


def test_second_run_changes_nothing(converged):
    run = converged["runs"]["second"]
    assert run.returncode == 0, run.output[-4000:]
    assert run.recap["changed"] == 0, run.changed_tasks


def test_check_mode_on_converged_environment_reports_no_change(converged):
    run = converged["runs"]["check"]
    assert run.returncode == 0, run.output[-4000:]
    assert run.recap["changed"] == 0, run.changed_tasks


def test_repositories_scan_on_push_with_immutable_tags_and_the_data_key(converged, aws_client):
    for service in REPOS:
        repo = describe(aws_client, service)
        assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repo["imageTagMutability"] == "IMMUTABLE"
        assert repo["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": converged["key_arn"]}


def test_lifecycle_policy_expires_untagged_images_and_keeps_the_last_tagged_ones(converged, aws_client):
    ecr = aws_client("ecr")

    def rules(service):
        text = ecr.get_lifecycle_policy(repositoryName=REPOS[service])["lifecyclePolicyText"]
        return {r["rulePriority"]: r for r in json.loads(text)["rules"]}

    # orders: the local inventory's ecr_keep_images (5) and ecr_untagged_expire_days (1); payments keeps 20.
    for service, keep in (("orders", 5), ("payments", 20)):
        untagged, tagged = rules(service)[1], rules(service)[2]
        assert untagged["selection"] == {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                         "countUnit": "days", "countNumber": 1}
        assert tagged["selection"] == {"tagStatus": "tagged", "tagPatternList": ["*"],
                                       "countType": "imageCountMoreThan", "countNumber": keep}
        assert untagged["action"] == tagged["action"] == {"type": "expire"}


def test_repository_policy_only_where_declared(converged, aws_client):
    ecr = aws_client("ecr")
    with pytest.raises(ecr.exceptions.RepositoryPolicyNotFoundException):
        ecr.get_repository_policy(repositoryName=REPOS["orders"])
    statement, = json.loads(ecr.get_repository_policy(repositoryName=REPOS["payments"])["policyText"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"AWS": [f"arn:aws:iam::{PARTNER}:root"]}
    assert sorted(statement["Action"]) == ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                           "ecr:GetDownloadUrlForLayer"]


def test_repositories_are_tagged(converged, aws_client):
    for service in REPOS:
        arn = describe(aws_client, service)["repositoryArn"]
        tags = {t["Key"]: t["Value"] for t in aws_client("ecr").list_tags_for_resource(resourceArn=arn)["tags"]}
        assert tags["Layer"] == "containers" and tags["Service"] == service and tags["Environment"] == "local"


def test_outputs_name_every_repository_by_service(converged):
    outputs = json.loads((converged["artifacts"] / "local" / "outputs.json").read_text())["ecr"]
    assert outputs["repository_uris"] == {s: f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/{n}" for s, n in REPOS.items()}
    assert outputs["repository_arns"] == {s: f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/{n}" for s, n in REPOS.items()}
    assert outputs["repository_names"] == REPOS


def test_drift_is_put_back_and_check_mode_predicts_it(converged, aws_client):
    ecr = aws_client("ecr")
    ecr.put_image_tag_mutability(repositoryName=REPOS["orders"], imageTagMutability="MUTABLE")
    ecr.delete_repository_policy(repositoryName=REPOS["payments"])

    check = run_playbook(converged["env"], PLAYBOOK, "-e", EXTRA, "--check", artifacts=converged["artifacts"])
    assert check.returncode == 0, check.output[-4000:]
    assert check.recap["changed"] == 1, check.changed_tasks
    assert describe(aws_client, "orders")["imageTagMutability"] == "MUTABLE", "--check changes nothing"

    run = run_playbook(converged["env"], PLAYBOOK, "-e", EXTRA, artifacts=converged["artifacts"])
    assert run.returncode == 0, run.output[-4000:]
    assert describe(aws_client, "orders")["imageTagMutability"] == "IMMUTABLE"
    assert json.loads(ecr.get_repository_policy(repositoryName=REPOS["payments"])["policyText"])["Statement"]


def test_a_repository_encrypted_otherwise_is_refused_unchanged(converged, aws_client):
    ecr = aws_client("ecr")
    ecr.create_repository(repositoryName=f"{PREFIX}/legacy", encryptionConfiguration={"encryptionType": "AES256"})
    extra = json.dumps({"ecr_repositories": [{"name": "legacy"}]})

    run = run_playbook(converged["env"], PLAYBOOK, "-e", extra, artifacts=converged["artifacts"])

    assert run.returncode != 0
    assert (f"Repository {PREFIX}/legacy: encryption type is AES256, requested KMS. AWS sets a repository's "
            "encryption only when it is created") in run.output
    legacy = ecr.describe_repositories(repositoryNames=[f"{PREFIX}/legacy"])["repositories"][0]
    assert legacy["encryptionConfiguration"] == {"encryptionType": "AES256"}
    with pytest.raises(ecr.exceptions.LifecyclePolicyNotFoundException):
        ecr.get_lifecycle_policy(repositoryName=f"{PREFIX}/legacy")
    ecr.delete_repository(repositoryName=f"{PREFIX}/legacy")


def test_deletion_keeps_repositories_that_hold_images(converged, aws_client):
    ecr = aws_client("ecr")
    ecr.put_image(repositoryName=REPOS["orders"], imageManifest=MANIFEST, imageTag="v1")

    refused = run_playbook(converged["env"], PLAYBOOK, "-e", EXTRA, "-e", "ecr_state=absent",
                           artifacts=converged["artifacts"])

    assert refused.returncode != 0
    assert f"ecr_force_delete: {REPOS['orders']} (1 images) still hold images" in refused.output
    remaining = {r["repositoryName"] for r in ecr.describe_repositories()["repositories"]}
    assert remaining == {REPOS["orders"]}, "the empty repository is deleted, the other kept"
    assert ecr.list_images(repositoryName=REPOS["orders"])["imageIds"][0]["imageTag"] == "v1"

    forced = run_playbook(converged["env"], PLAYBOOK, "-e", EXTRA, "-e", "ecr_state=absent",
                          "-e", "ecr_force_delete=true", artifacts=converged["artifacts"])

    assert forced.returncode == 0, forced.output[-4000:]
    assert ecr.describe_repositories()["repositories"] == []


def test_check_mode_on_a_fresh_environment_predicts_the_repositories_and_makes_nothing(fresh_emulator, aws_env,
                                                                                        aws_client, tmp_path):
    # Not even the data key exists yet: --check of a new environment only predicts.
    run = run_playbook(aws_env, PLAYBOOK, "-e", EXTRA, "--check", "--diff", artifacts=tmp_path)

    assert run.returncode == 0, run.output[-4000:]
    assert run.recap["changed"] >= 1
    assert f"changed: [localhost] => (item={REPOS['orders']})" in run.output
    assert f"changed: [localhost] => (item={REPOS['payments']})" in run.output
    assert aws_client("ecr").describe_repositories()["repositories"] == []


# The role's pre-flight check reports every broken rule at once, so one run covers several cases.
BAD_INPUT = {
    "names, lengths, counts, duplicates, mutability": (
        {"ecr_keep_images": 0, "ecr_untagged_expire_days": 3651,
         "ecr_repositories": [{"name": "Orders"}, {"name": "payments", "keep_images": 1001},
                              {"name": "payments"}, {"name": "legacy", "image_tag_mutability": "MUTABLE"},
                              {"name": "a" * 250}]},
        ["ecr_keep_images: images kept must be a whole number from 1 to 1000, got 0",
         "ecr_untagged_expire_days: days before untagged images expire must be a whole number from 1 to 3650, got 3651",
         "ecr_repositories: repository name 'rtap-local/Orders' (platform_prefix/name) must be lowercase",
         "ecr_repositories: 'payments': keep_images must be a whole number from 1 to 1000, got 1001",
         "ecr_repositories: each name must appear once, got payments more than once",
         "ecr_allow_mutable_tags: repository 'legacy' asks for MUTABLE tags",
         "(platform_prefix/name) must be 2 to 256 characters long, got 261"]),
    "count that is not a number": ({"ecr_keep_images": "many"}, ["ecr_keep_images"]),
}


@pytest.mark.parametrize("extra_vars, expected", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_fails_in_preflight_before_any_change(fresh_emulator, aws_env, aws_client, tmp_path, extra_vars, expected):
    run = run_playbook(aws_env, PLAYBOOK, "-e", json.dumps(extra_vars), artifacts=tmp_path)

    assert run.returncode != 0
    for message in expected:
        assert message in run.output, run.output[-3000:]
    assert run.recap["changed"] == 0
    assert "Check every role's input before anything is changed" in run.output
    assert aws_client("ecr").describe_repositories()["repositories"] == []
