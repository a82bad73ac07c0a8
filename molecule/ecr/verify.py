"""ecr scenario: the sample services' repositories (orders, payments) scan on push, have immutable
tags, are encrypted with the platform's data key, carry the lifecycle policy (untagged images expire
after the local inventory's days, the last tagged images are kept) and the containers layer's tags;
neither has a repository policy (none is declared)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
ecr = client("ecr")
data_key = client("kms").describe_key(KeyId=f"alias/{PREFIX}-data")["KeyMetadata"]["Arn"]

for service in ("orders", "payments"):
    name = f"{PREFIX}/{service}"
    repo, = ecr.describe_repositories(repositoryNames=[name])["repositories"]
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}, repo
    assert repo["imageTagMutability"] == "IMMUTABLE", repo
    assert repo["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": data_key}, repo
    rules = sorted(json.loads(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"])["rules"],
                   key=lambda rule: rule["rulePriority"])
    assert [r["selection"]["tagStatus"] for r in rules] == ["untagged", "tagged"], rules
    assert rules[1]["selection"]["tagPatternList"] == ["*"], rules
    tags = {t["Key"]: t["Value"] for t in ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"]}
    assert tags["Layer"] == "containers" and tags["Service"] == service, tags
    try:
        ecr.get_repository_policy(repositoryName=name)
        raise AssertionError(f"{name} has a repository policy, none is declared")
    except ecr.exceptions.RepositoryPolicyNotFoundException:
        pass
    print(f"ecr: {name} verified (keeps {rules[1]['selection']['countNumber']} tagged images, "
          f"untagged expire after {rules[0]['selection']['countNumber']} days)")
