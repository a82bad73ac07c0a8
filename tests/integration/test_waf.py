"""The waf role against the emulator: the web ACL's rules, priorities and rate limit, the managed
rule groups, the association to every stage of the REST API, the logging configuration and its
encrypted log group; idempotence, --check, changes and bad input.

The REST API (one mock method, stage v1) and the logs key are made with boto3, as the
api_gateway and kms roles make them, so one converge of the role alone is enough.
"""

import json
import os

import pytest

from emulator import launcher
from tests.playbook import run_playbook

PLAYBOOK = "tests/integration/playbooks/waf.yml"
PREFIX = "rtap-local"
NAME = f"{PREFIX}-api"
LOG_GROUP = f"aws-waf-logs-{PREFIX}-api"
MANAGED = ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"]


def web_acl(wafv2, name=NAME):
    found = [a for a in wafv2.list_web_acls(Scope="REGIONAL")["WebACLs"] if a["Name"] == name]
    if not found:
        return None
    return wafv2.get_web_acl(Name=name, Scope="REGIONAL", Id=found[0]["Id"])["WebACL"]


def add_stage(apigw, api_id, stage):
    apigw.create_deployment(restApiId=api_id, stageName=stage)
    return f"arn:aws:apigateway:eu-west-1::/restapis/{api_id}/stages/{stage}"


@pytest.fixture(scope="module")
def converged(emulator, aws_client):
    """The API and key, a --check run on the empty environment, the converge, a second run and a --check."""
    launcher.reset(emulator.url, emulator.ca_bundle)
    env = dict(os.environ, **emulator.env())
    kms, apigw, wafv2 = aws_client("kms"), aws_client("apigateway"), aws_client("wafv2")
    key_arn = kms.create_key(Description="logs")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName=f"alias/{PREFIX}-logs", TargetKeyId=key_arn)
    api_id = apigw.create_rest_api(name=NAME)["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    stage_arn = add_stage(apigw, api_id, "v1")

    runs = {"check_empty": run_playbook(env, PLAYBOOK, "--check")}
    runs["acl_after_check"] = web_acl(wafv2)
    runs["first"] = run_playbook(env, PLAYBOOK)
    runs["second"] = run_playbook(env, PLAYBOOK)
    runs["check"] = run_playbook(env, PLAYBOOK, "--check", "--diff")
    return {"env": env, "api_id": api_id, "stage_arn": stage_arn, "key_arn": key_arn, **runs}


def test_check_mode_on_an_empty_environment_predicts_and_creates_nothing(converged):
    run = converged["check_empty"]
    assert run.returncode == 0, run.output
    assert {"waf : Create the encrypted WAF log group", "waf : Create the web ACL with its rules"} <= set(run.changed_tasks)
    assert converged["acl_after_check"] is None


def test_second_run_and_check_change_nothing(converged):
    assert converged["first"].returncode == 0, converged["first"].output
    for name in ("second", "check"):
        run = converged[name]
        assert run.returncode == 0, run.output
        assert run.recap["changed"] == 0, (name, run.changed_tasks)


def test_rules_priorities_and_rate_limit(converged, aws_client):
    acl = web_acl(aws_client("wafv2"))
    assert acl["DefaultAction"] == {"Allow": {}}
    by_priority = sorted(acl["Rules"], key=lambda rule: rule["Priority"])
    assert [(r["Name"], r["Priority"]) for r in by_priority] == [("rate-limit-per-ip", 0)] + list(zip(MANAGED, (10, 20, 30)))
    rate = by_priority[0]
    assert rate["Statement"]["RateBasedStatement"] == {"Limit": 1000, "AggregateKeyType": "IP", "EvaluationWindowSec": 300}
    assert rate["Action"] == {"Block": {}}
    for rule in by_priority[1:]:
        assert rule["Statement"]["ManagedRuleGroupStatement"] == {"VendorName": "AWS", "Name": rule["Name"]}, rule
        assert rule["OverrideAction"] == {"None": {}}
    for rule in acl["Rules"]:
        visibility = rule["VisibilityConfig"]
        assert visibility["CloudWatchMetricsEnabled"] and visibility["SampledRequestsEnabled"], rule
        assert visibility["MetricName"] == f"{NAME}-{rule['Name']}", visibility
    assert acl["VisibilityConfig"]["MetricName"] == NAME
    tags = aws_client("wafv2").list_tags_for_resource(ResourceARN=acl["ARN"])["TagInfoForResource"]["TagList"]
    tags = {t["Key"]: t["Value"] for t in tags}
    assert tags["Layer"] == "observability" and tags["Environment"] == "local" and tags["ManagedBy"], tags


def test_web_acl_protects_the_stage(converged, aws_client):
    wafv2 = aws_client("wafv2")
    acl = web_acl(wafv2)
    assert wafv2.list_resources_for_web_acl(WebACLArn=acl["ARN"], ResourceType="API_GATEWAY")["ResourceArns"] == [
        converged["stage_arn"]]
    assert wafv2.get_web_acl_for_resource(ResourceArn=converged["stage_arn"])["WebACL"]["ARN"] == acl["ARN"]


def test_logging_goes_to_an_encrypted_log_group_without_the_authorization_header(converged, aws_client):
    acl = web_acl(aws_client("wafv2"))
    logging = aws_client("wafv2").get_logging_configuration(ResourceArn=acl["ARN"])["LoggingConfiguration"]
    assert logging["LogDestinationConfigs"] == [f"arn:aws:logs:eu-west-1:123456789012:log-group:{LOG_GROUP}"]
    assert logging["RedactedFields"] == [{"SingleHeader": {"Name": "authorization"}}]
    group, = aws_client("logs").describe_log_groups(logGroupNamePrefix=LOG_GROUP)["logGroups"]
    assert group["kmsKeyId"] == converged["key_arn"] and group["retentionInDays"] == 7, group
    assert aws_client("logs").list_tags_log_group(logGroupName=LOG_GROUP)["tags"]["Layer"] == "observability"


def test_check_reports_a_changed_log_group_and_leaves_it_the_run_restores_it(converged, aws_client):
    """A retention changed and the key removed by hand: --check (the drift run) reports the group
    changed and leaves both as they are; a normal run puts back the role's retention and key."""
    logs = aws_client("logs")
    logs.put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=30)
    logs.disassociate_kms_key(logGroupName=LOG_GROUP)

    check = run_playbook(converged["env"], PLAYBOOK, "--check", "--diff")
    assert check.returncode == 0, check.output
    assert "waf : Create the encrypted WAF log group" in check.changed_tasks
    group, = logs.describe_log_groups(logGroupNamePrefix=LOG_GROUP)["logGroups"]
    assert group["retentionInDays"] == 30 and not group.get("kmsKeyId"), group

    run = run_playbook(converged["env"], PLAYBOOK)
    assert run.returncode == 0, run.output
    assert run.changed_tasks == ["waf : Create the encrypted WAF log group"], run.changed_tasks
    group, = logs.describe_log_groups(logGroupNamePrefix=LOG_GROUP)["logGroups"]
    assert group["retentionInDays"] == 7 and group["kmsKeyId"] == converged["key_arn"], group


def test_changes_new_stages_and_count_mode_are_applied(converged, aws_client):
    """A new stage is protected, the rate limit and a group's count override change, SQLi joins:
    --check predicts it without changing anything, the run applies it, a second run changes nothing."""
    wafv2, apigw = aws_client("wafv2"), aws_client("apigateway")
    v2 = add_stage(apigw, converged["api_id"], "v2")
    groups = [{"name": name, "priority": priority} for name, priority in zip(MANAGED, (10, 20, 30))]
    groups.append({"name": "AWSManagedRulesSQLiRuleSet", "priority": 40})
    extra = {"waf_rate_limit": 500, "waf_managed_rule_groups": groups,
             "waf_count_only_rule_groups": ["AWSManagedRulesCommonRuleSet"],
             "waf_excluded_rules": {"AWSManagedRulesKnownBadInputsRuleSet": ["Log4JRCE_HEADER"]}}
    check = run_playbook(converged["env"], PLAYBOOK, "--check", "-e", json.dumps(extra))
    assert check.returncode == 0, check.output
    assert {"waf : Create the web ACL with its rules",
            "waf : Protect every stage of the REST API and log the web ACL's requests"} <= set(check.changed_tasks)
    assert len(web_acl(wafv2)["Rules"]) == 4 and wafv2.get_web_acl_for_resource(ResourceArn=v2).get("WebACL") is None

    run = run_playbook(converged["env"], PLAYBOOK, "-e", json.dumps(extra))
    assert run.returncode == 0, run.output
    again = run_playbook(converged["env"], PLAYBOOK, "-e", json.dumps(extra))
    assert again.recap["changed"] == 0, again.changed_tasks

    rules = {r["Name"]: r for r in web_acl(wafv2)["Rules"]}
    assert rules["rate-limit-per-ip"]["Statement"]["RateBasedStatement"]["Limit"] == 500
    assert rules["AWSManagedRulesCommonRuleSet"]["OverrideAction"] == {"Count": {}}
    assert rules["AWSManagedRulesKnownBadInputsRuleSet"]["Statement"]["ManagedRuleGroupStatement"]["ExcludedRules"] == [
        {"Name": "Log4JRCE_HEADER"}]
    assert rules["AWSManagedRulesSQLiRuleSet"]["Priority"] == 40
    protected = wafv2.list_resources_for_web_acl(WebACLArn=web_acl(wafv2)["ARN"], ResourceType="API_GATEWAY")
    assert sorted(protected["ResourceArns"]) == sorted([converged["stage_arn"], v2])


# Every broken rule is reported at once, so one pre-flight run checks them all.
BAD_INPUT = {
    "waf_web_acl_name": "bad-input-acl",
    "waf_rate_limit": 5,
    "waf_managed_rule_groups": [{"name": "AWSManagedRulesMadeUp", "priority": 10},
                                {"name": "AWSManagedRulesCommonRuleSet", "priority": 0}],
    "waf_count_only_rule_groups": ["AWSManagedRulesPHPRuleSet"],
    "waf_log_retention_days": 10,
}
MESSAGES = [
    "waf_rate_limit: AWS accepts 10 to 2000000000 requests per 5 minutes, got 5",
    "waf_managed_rule_groups: 'AWSManagedRulesMadeUp' is not an AWS managed rule group",
    "waf_managed_rule_groups: priorities must be unique, AWSManagedRulesCommonRuleSet and rate-limit-per-ip",
    "waf_count_only_rule_groups: names a group not in waf_managed_rule_groups, got 'AWSManagedRulesPHPRuleSet'",
    "waf_log_retention_days: one of CloudWatch Logs' retention values",
]


@pytest.fixture(scope="module")
def bad_input_run(converged):
    return run_playbook(converged["env"], PLAYBOOK, "-e", json.dumps(BAD_INPUT))


@pytest.mark.parametrize("message", MESSAGES, ids=[m.split(":")[0] + f"-{i}" for i, m in enumerate(MESSAGES)])
def test_bad_input_fails_in_preflight_with_the_variable_name(bad_input_run, message):
    assert bad_input_run.returncode != 0
    assert message in bad_input_run.output, bad_input_run.output[-3000:]
    # The failure is the pre-flight play's: no role task ran.
    assert "PLAY [The waf role]" not in bad_input_run.output


def test_bad_input_creates_nothing(bad_input_run, aws_client):
    assert web_acl(aws_client("wafv2"), "bad-input-acl") is None
    assert not aws_client("logs").describe_log_groups(logGroupNamePrefix="aws-waf-logs-bad-input-acl")["logGroups"]


def test_absent_detaches_and_deletes_everything(converged, aws_client):
    wafv2, apigw = aws_client("wafv2"), aws_client("apigateway")
    acl_arn = web_acl(wafv2)["ARN"]
    run = run_playbook(converged["env"], PLAYBOOK, "-e", json.dumps({"waf_state": "absent"}))
    assert run.returncode == 0, run.output

    assert web_acl(wafv2) is None
    for stage in apigw.get_stages(restApiId=converged["api_id"])["item"]:
        arn = f"arn:aws:apigateway:eu-west-1::/restapis/{converged['api_id']}/stages/{stage['stageName']}"
        assert wafv2.get_web_acl_for_resource(ResourceArn=arn).get("WebACL") is None, arn
    assert not wafv2.list_logging_configurations(Scope="REGIONAL").get("LoggingConfigurations"), acl_arn
    assert not aws_client("logs").describe_log_groups(logGroupNamePrefix=LOG_GROUP)["logGroups"]
