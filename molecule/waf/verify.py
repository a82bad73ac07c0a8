"""waf scenario: the web ACL <prefix>-api has the rate-based rule and the managed rule groups, protects
stage v1 of the REST API, and logs to its KMS-encrypted log group with the Authorization header redacted."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
wafv2, apigw, logs, kms = client("wafv2"), client("apigateway"), client("logs"), client("kms")

summary, = [a for a in wafv2.list_web_acls(Scope="REGIONAL")["WebACLs"] if a["Name"] == f"{PREFIX}-api"]
acl = wafv2.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])["WebACL"]
assert acl["DefaultAction"] == {"Allow": {}}, acl["DefaultAction"]
rules = {r["Name"]: r for r in acl["Rules"]}
assert set(rules) == {"rate-limit-per-ip", "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet",
                      "AWSManagedRulesKnownBadInputsRuleSet"}, sorted(rules)
rate = rules["rate-limit-per-ip"]
assert rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP" and rate["Action"] == {"Block": {}}, rate
assert rate["Statement"]["RateBasedStatement"]["Limit"] == 1000, rate  # the local inventory's limit
assert all(r["VisibilityConfig"]["CloudWatchMetricsEnabled"] for r in acl["Rules"])
assert rules["AWSManagedRulesCommonRuleSet"]["OverrideAction"] == {"None": {}}
tags = {t["Key"]: t["Value"] for t in wafv2.list_tags_for_resource(ResourceARN=acl["ARN"])["TagInfoForResource"]["TagList"]}
assert tags["Layer"] == "observability" and tags["Environment"] == "local", tags

api, = [a for a in apigw.get_rest_apis()["items"] if a["name"] == f"{PREFIX}-api"]
stage_arn = f"arn:aws:apigateway:eu-west-1::/restapis/{api['id']}/stages/v1"
assert wafv2.list_resources_for_web_acl(WebACLArn=acl["ARN"], ResourceType="API_GATEWAY")["ResourceArns"] == [stage_arn]
assert wafv2.get_web_acl_for_resource(ResourceArn=stage_arn)["WebACL"]["ARN"] == acl["ARN"]

log_group_name = f"aws-waf-logs-{PREFIX}-api"
logging = wafv2.get_logging_configuration(ResourceArn=acl["ARN"])["LoggingConfiguration"]
assert logging["LogDestinationConfigs"] == [f"arn:aws:logs:eu-west-1:123456789012:log-group:{log_group_name}"], logging
assert logging["RedactedFields"] == [{"SingleHeader": {"Name": "authorization"}}], logging
group, = logs.describe_log_groups(logGroupNamePrefix=log_group_name)["logGroups"]
logs_key = kms.describe_key(KeyId=f"alias/{PREFIX}-logs")["KeyMetadata"]["Arn"]
assert group["kmsKeyId"] == logs_key and group["retentionInDays"] == 7, group
print("waf: web ACL, association and logging verified")
