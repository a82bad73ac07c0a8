"""The config_rules and cloudtrail roles on a fresh emulator (after the s3 role's buckets).

One converge, a second run and a --check run; then assertions on the emulator's state:
the recorder and its delivery channel, every declared rule with its identifier and
parameters, the remediation configurations, the trail and the bucket policies. --check on
an empty environment creates nothing; bad input fails in pre-flight, naming the variable.
"""

import json
import os
from pathlib import Path

import pytest
import yaml

from emulator import launcher
from tests.playbook import REPO_ROOT, run_playbook

PLAYBOOK = "tests/integration/playbooks/compliance.yml"
PREFIX = "rtap-local"
ACCOUNT = "123456789012"
DECLARED = yaml.safe_load(Path(REPO_ROOT, "roles/config_rules/defaults/main.yml").read_text())["config_rules_rules"]


def _make_keys(aws_client):
    """What the foundation layer's kms role provides: the data and logs keys."""
    kms = aws_client("kms")
    arns = {}
    for purpose in ("data", "logs"):
        key = kms.create_key(Description=purpose)["KeyMetadata"]
        kms.create_alias(AliasName=f"alias/{PREFIX}-{purpose}", TargetKeyId=key["KeyId"])
        arns[purpose] = key["Arn"]
    return arns


@pytest.fixture(scope="module")
def converged(emulator, aws_client, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)
    env = dict(os.environ, **emulator.env())
    artifacts = tmp_path_factory.mktemp("artifacts")
    keys = _make_keys(aws_client)
    runs = {"first": run_playbook(env, PLAYBOOK, artifacts=artifacts)}
    launcher.reset_api_calls(emulator.url, emulator.ca_bundle)
    runs["second"] = run_playbook(env, PLAYBOOK, artifacts=artifacts)
    rerun_calls = launcher.api_calls(emulator.url, emulator.ca_bundle)
    runs["check"] = run_playbook(env, PLAYBOOK, "--check", "--diff", artifacts=artifacts)
    return {"runs": runs, "keys": keys, "rerun_calls": rerun_calls}


def test_first_run_converges(converged):
    run = converged["runs"]["first"]
    assert run.returncode == 0, run.output[-4000:]
    assert run.recap["changed"] > 0


def test_second_run_changes_nothing(converged):
    run = converged["runs"]["second"]
    assert run.returncode == 0, run.output[-4000:]
    assert run.recap["changed"] == 0, run.changed_tasks


def test_second_run_reads_the_rules_tags_in_one_bulk_call(converged):
    """No mutating call, and the AWS Config reads do not grow with the number of rules:
    one GetResources for the tags of every rule instead of one ListTagsForResource per rule."""
    calls = converged["rerun_calls"]
    assert calls["mutating"] == 0, [c for c in calls["calls"] if c["mutating"]]
    count = {(c["service"], c["operation"]): c["count"] for c in calls["calls"]}
    assert ("config", "ListTagsForResource") not in count, count
    assert count[("resourcegroupstaggingapi", "GetResources")] == 1, count
    config_reads = sum(n for (service, _), n in count.items() if service == "config")
    assert config_reads <= 5 < len(DECLARED), count


def test_check_mode_on_converged_environment_reports_no_change(converged):
    run = converged["runs"]["check"]
    assert run.returncode == 0, run.output[-4000:]
    assert run.recap["changed"] == 0, run.changed_tasks


def test_recorder_records_everything_with_global_types_in_the_home_region(converged, aws_client):
    config = aws_client("config")
    recorders = config.describe_configuration_recorders()["ConfigurationRecorders"]
    assert len(recorders) == 1
    group = recorders[0]["recordingGroup"]
    assert group["allSupported"] and group["includeGlobalResourceTypes"]
    assert group["recordingStrategy"] == {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"}
    assert recorders[0]["recordingMode"]["recordingFrequency"] == "CONTINUOUS"
    assert recorders[0]["roleARN"] == (
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")
    assert aws_client("iam").get_role(RoleName="AWSServiceRoleForConfig")["Role"]["Arn"] == recorders[0]["roleARN"]
    status = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    assert status[0]["recording"] is True


def test_delivery_channel_writes_to_the_encrypted_config_bucket(converged, aws_client):
    channels = aws_client("config").describe_delivery_channels()["DeliveryChannels"]
    assert len(channels) == 1
    assert channels[0]["s3BucketName"] == f"{PREFIX}-config-snapshots"
    assert channels[0]["s3KmsKeyArn"] == converged["keys"]["data"]
    assert channels[0]["configSnapshotDeliveryProperties"]["deliveryFrequency"] == "TwentyFour_Hours"


def test_every_declared_rule_exists_with_its_identifier_and_parameters(converged, aws_client):
    config = aws_client("config")
    rules = {r["ConfigRuleName"]: r for r in config.describe_config_rules()["ConfigRules"]}
    assert set(rules) == {f"{PREFIX}-{d['rule']}" for d in DECLARED}
    for declared in DECLARED:
        rule = rules[f"{PREFIX}-{declared['rule']}"]
        assert rule["Source"] == {"Owner": "AWS", "SourceIdentifier": declared["identifier"]}
        params = json.loads(rule.get("InputParameters") or "{}")
        expected = {k: str(v).lower() if isinstance(v, bool) else str(v)
                    for k, v in declared.get("input_parameters", {}).items()}
        assert params == expected, rule
        assert rule.get("Scope", {}).get("ComplianceResourceTypes", []) == sorted(declared.get("resource_types", []))
        assert rule.get("MaximumExecutionFrequency") == declared.get("maximum_execution_frequency")
        tags = {t["Key"]: t["Value"] for t in config.list_tags_for_resource(ResourceArn=rule["ConfigRuleArn"])["Tags"]}
        assert tags["Layer"] == "observability" and tags["Environment"] == "local", tags


def test_remediations_run_as_the_least_privilege_automation_role(converged, aws_client):
    config = aws_client("config")
    with_remediation = {f"{PREFIX}-{d['rule']}": d["remediation"] for d in DECLARED if d.get("remediation")}
    described = config.describe_remediation_configurations(ConfigRuleNames=sorted(with_remediation))
    remediations = {r["ConfigRuleName"]: r for r in described["RemediationConfigurations"]}
    assert set(remediations) == set(with_remediation)
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-config-remediation"
    for name, declared in with_remediation.items():
        remediation = remediations[name]
        assert remediation["TargetType"] == "SSM_DOCUMENT" and remediation["TargetId"] == declared["document"]
        assert remediation["Automatic"] is declared["automatic"]
        assert remediation["Parameters"][declared["resource_id_parameter"]] == {"ResourceValue": {"Value": "RESOURCE_ID"}}
        assert remediation["Parameters"]["AutomationAssumeRole"] == {"StaticValue": {"Values": [role_arn]}}
    iam = aws_client("iam")
    trust = iam.get_role(RoleName=f"{PREFIX}-config-remediation")["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "ssm.amazonaws.com"}
    policy = iam.get_role_policy(RoleName=f"{PREFIX}-config-remediation", PolicyName="access")["PolicyDocument"]
    for statement in policy["Statement"]:
        assert all("*" not in action for action in statement["Action"]), statement
        if statement["Resource"] == ["*"]:
            assert statement["Action"] == ["ec2:DescribeSecurityGroups"], statement


def test_trail_is_multi_region_validated_encrypted_and_logging(converged, aws_client):
    cloudtrail = aws_client("cloudtrail")
    trails = cloudtrail.describe_trails(trailNameList=[f"{PREFIX}-trail"])["trailList"]
    assert len(trails) == 1
    trail = trails[0]
    assert trail["S3BucketName"] == f"{PREFIX}-audit-trail"
    assert trail["IsMultiRegionTrail"] and trail["IncludeGlobalServiceEvents"] and trail["LogFileValidationEnabled"]
    assert trail["KmsKeyId"] == converged["keys"]["logs"]
    assert cloudtrail.get_trail_status(Name=f"{PREFIX}-trail")["IsLogging"] is True
    assert trail["CloudWatchLogsLogGroupArn"] == f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/cloudtrail/{PREFIX}-trail:*"
    assert trail["CloudWatchLogsRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-cloudtrail-logs"
    group, = aws_client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/cloudtrail/{PREFIX}-trail")["logGroups"]
    assert group["kmsKeyId"] == converged["keys"]["logs"] and group["retentionInDays"] == 365
    tags = {t["Key"]: t["Value"] for t in cloudtrail.list_tags(ResourceIdList=[trail["TrailARN"]])["ResourceTagList"][0]["TagsList"]}
    assert tags["Layer"] == "observability", tags


def _statements(aws_client, bucket):
    return {s.get("Sid"): s for s in json.loads(aws_client("s3").get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]}


def test_bucket_policies_allow_the_services_only_for_this_account(converged, aws_client):
    config_bucket = f"{PREFIX}-config-snapshots"
    statements = _statements(aws_client, config_bucket)
    delivery = statements["AWSConfigBucketDelivery"]
    assert delivery["Principal"] == {"Service": "config.amazonaws.com"}
    assert delivery["Resource"] == f"arn:aws:s3:::{config_bucket}/AWSLogs/{ACCOUNT}/Config/*"
    assert delivery["Condition"]["StringEquals"] == {"s3:x-amz-acl": "bucket-owner-full-control",
                                                     "aws:SourceAccount": ACCOUNT}
    assert {"AWSConfigBucketPermissionsCheck", "AWSConfigBucketExistenceCheck", "DenyInsecureTransport"} <= set(statements)

    trail_bucket = f"{PREFIX}-audit-trail"
    statements = _statements(aws_client, trail_bucket)
    trail_arn = f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/{PREFIX}-trail"
    write = statements["AWSCloudTrailWrite"]
    assert write["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert write["Resource"] == f"arn:aws:s3:::{trail_bucket}/AWSLogs/{ACCOUNT}/*"
    assert write["Condition"]["StringEquals"] == {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}
    assert statements["AWSCloudTrailAclCheck"]["Condition"]["StringEquals"] == {"aws:SourceArn": trail_arn}
    s3 = aws_client("s3")
    assert s3.get_bucket_versioning(Bucket=trail_bucket)["Status"] == "Enabled"
    assert s3.get_bucket_logging(Bucket=trail_bucket)["LoggingEnabled"]["TargetBucket"] == f"{PREFIX}-logs"
    rules = s3.get_bucket_lifecycle_configuration(Bucket=trail_bucket)["Rules"]
    assert rules[0]["ID"] == "trail-retention" and rules[0]["Expiration"]["Days"] == 180


def test_check_mode_on_empty_environment_creates_nothing(fresh_emulator, aws_env, aws_client, tmp_path):
    _make_keys(aws_client)
    run = run_playbook(aws_env, PLAYBOOK, "--check", artifacts=tmp_path)
    assert run.returncode == 0, run.output[-4000:]
    assert run.recap["changed"] > 0
    config = aws_client("config")
    assert config.describe_configuration_recorders()["ConfigurationRecorders"] == []
    assert config.describe_delivery_channels()["DeliveryChannels"] == []
    assert config.describe_config_rules()["ConfigRules"] == []
    assert aws_client("cloudtrail").describe_trails()["trailList"] == []
    assert [r for r in aws_client("iam").list_roles()["Roles"] if "Config" in r["RoleName"] or r["RoleName"].startswith(PREFIX)] == []


# Several broken rules of one role are reported together, so one run checks them all.
BAD_INPUT = {
    "config_rules input": (
        {"config_rules_home_region": "europe", "config_rules_excluded": ["no-such-rule"],
         "config_rules_rules": [
             {"rule": "pitr", "identifier": "dynamodb pitr"},
             {"rule": "trail", "identifier": "CLOUD_TRAIL_ENABLED", "maximum_execution_frequency": "Daily"},
             {"rule": "pitr-fix", "identifier": "DYNAMODB_PITR_ENABLED", "remediation": {"resource_id_parameter": "TableName"}},
             {"rule": "pitr", "identifier": "DYNAMODB_PITR_ENABLED"}]},
        ["config_rules_home_region", "config_rules_rules[0].identifier", "config_rules_rules[1].maximum_execution_frequency",
         "config_rules_rules[2].remediation", "config_rules_rules: rule 'pitr' is declared twice", "config_rules_excluded"]),
    "trail name too short": ({"cloudtrail_name": "t"}, ["cloudtrail_name"]),
    "key prefix with slashes": ({"cloudtrail_s3_key_prefix": "/trail/"}, ["cloudtrail_s3_key_prefix"]),
}


@pytest.mark.parametrize("extra_vars, expected", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_fails_in_preflight(fresh_emulator, aws_env, aws_client, tmp_path, extra_vars, expected):
    run = run_playbook(aws_env, PLAYBOOK, "-e", json.dumps(extra_vars), artifacts=tmp_path)
    assert run.returncode != 0
    for name in expected:
        assert name in run.output, (name, run.output[-3000:])
    assert run.recap["changed"] == 0
    assert aws_client("config").describe_config_rules()["ConfigRules"] == []
    assert aws_client("s3").list_buckets()["Buckets"] == []
