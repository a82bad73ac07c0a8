"""The ECR fix (emulator/fixes/ecr.py) restores documented AWS behaviour; each test fails without it.

Check with PLATFORM_EMULATOR_DISABLE_FIXES=ecr_lifecycle_policy_rules_follow_documented_constraints \
python -m pytest tests/emulator/test_fixes_ecr.py
"""

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

REPO = "fix/lifecycle"


def rule(priority: int, status: str, **selection: Any) -> dict[str, Any]:
    selection = {"tagStatus": status, "countType": "imageCountMoreThan", "countNumber": 5, **selection}
    return {"rulePriority": priority, "selection": selection, "action": {"type": "expire"}}


@pytest.fixture
def ecr(fresh_emulator: Any, aws_client: Any) -> Any:
    client = aws_client("ecr")
    client.create_repository(repositoryName=REPO)
    return client


INVALID = {
    "duplicate priorities": [rule(1, "untagged"), rule(1, "tagged", tagPatternList=["*"])],
    "any rule not last": [rule(1, "any"), rule(2, "untagged")],
    "tagged without a tag list": [rule(1, "tagged")],
    "untagged with a tag list": [rule(1, "untagged", tagPrefixList=["v"])],
    "five wildcards": [rule(1, "tagged", tagPatternList=["*a*b*c*d*"])],
    "age without a unit": [rule(1, "untagged", countType="sinceImagePushed")],
}


@pytest.mark.parametrize("rules", INVALID.values(), ids=INVALID.keys())
def test_invalid_lifecycle_policies_are_refused(ecr: Any, rules: list[dict[str, Any]]) -> None:
    with pytest.raises(ClientError) as refused:
        ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=json.dumps({"rules": rules}))
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError):
        ecr.get_lifecycle_policy(repositoryName=REPO)


def test_documented_valid_policies_are_accepted(ecr: Any) -> None:
    rules = [
        rule(1, "untagged", countType="sinceImagePushed", countUnit="days", countNumber=7),
        rule(2, "tagged", tagPatternList=["*"]),
        rule(3, "tagged", tagPrefixList=["release"]),
        rule(10, "any", countNumber=100),
    ]
    ecr.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=json.dumps({"rules": rules}))
    stored = json.loads(ecr.get_lifecycle_policy(repositoryName=REPO)["lifecyclePolicyText"])
    assert stored == {"rules": rules}
