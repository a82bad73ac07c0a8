"""The Resource Groups Tagging API fixes (emulator/fixes/resourcegroupstaggingapi.py) restore documented
AWS behaviour; each test fails without its fix.

Check with PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes_resourcegroupstaggingapi.py
"""

from collections.abc import Callable
from typing import Any

AwsClient = Callable[..., Any]


def put_rule(config: Any, name: str, tags: dict[str, str]) -> str:
    rule = {"ConfigRuleName": name, "Source": {"Owner": "AWS", "SourceIdentifier": "DYNAMODB_PITR_ENABLED"}}
    config.put_config_rule(ConfigRule=rule, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    return config.describe_config_rules(ConfigRuleNames=[name])["ConfigRules"][0]["ConfigRuleArn"]


def test_get_resources_lists_tagged_config_rules(fresh_emulator: Any, aws_client: AwsClient) -> None:
    config, tagging = aws_client("config"), aws_client("resourcegroupstaggingapi")
    tagged = put_rule(config, "tagged", {"Layer": "observability"})
    untagged = put_rule(config, "untagged", {})

    by_type = tagging.get_resources(ResourceTypeFilters=["config:config-rule"])["ResourceTagMappingList"]
    assert by_type == [{"ResourceARN": tagged, "Tags": [{"Key": "Layer", "Value": "observability"}]}]

    by_arn = tagging.get_resources(ResourceARNList=[tagged, untagged])["ResourceTagMappingList"]
    assert [m["ResourceARN"] for m in by_arn] == [tagged]  # never-tagged resources are not returned

    by_tag = tagging.get_resources(TagFilters=[{"Key": "Layer", "Values": ["observability"]}])
    assert tagged in [m["ResourceARN"] for m in by_tag["ResourceTagMappingList"]]


def test_get_resources_answers_an_arn_list_in_one_response(fresh_emulator: Any, aws_client: AwsClient) -> None:
    logs, tagging = aws_client("logs"), aws_client("resourcegroupstaggingapi")
    arns = []
    for number in range(60):  # more than moto's 50 resources and 100 tags per page
        name = f"/platform/group-{number:02}"
        logs.create_log_group(logGroupName=name, tags={"Layer": "observability", "Owner": "platform"})
        arns.append(logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["logGroupArn"])

    response = tagging.get_resources(ResourceARNList=arns)

    assert sorted(m["ResourceARN"] for m in response["ResourceTagMappingList"]) == sorted(arns)
    assert not response.get("PaginationToken")
