"""config_rules scenario: the recorder records, delivers to the encrypted bucket, the rules and the trail exist."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
config = client("config")
kms = client("kms")
data_key = kms.describe_key(KeyId=f"alias/{PREFIX}-data")["KeyMetadata"]["Arn"]
logs_key = kms.describe_key(KeyId=f"alias/{PREFIX}-logs")["KeyMetadata"]["Arn"]

recorder = config.describe_configuration_recorders()["ConfigurationRecorders"][0]
assert recorder["recordingGroup"]["allSupported"] and recorder["recordingGroup"]["includeGlobalResourceTypes"], recorder
assert recorder["roleARN"].endswith("/AWSServiceRoleForConfig"), recorder
status = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"][0]
assert status["recording"], status
channel = config.describe_delivery_channels()["DeliveryChannels"][0]
assert channel["s3BucketName"] == f"{PREFIX}-config-snapshots" and channel["s3KmsKeyArn"] == data_key, channel

rules = {r["ConfigRuleName"]: r for r in config.describe_config_rules()["ConfigRules"]}
assert f"{PREFIX}-dynamodb-pitr-enabled" in rules and len(rules) >= 19, sorted(rules)
remediations = config.describe_remediation_configurations(ConfigRuleNames=sorted(rules))["RemediationConfigurations"]
assert {r["TargetId"] for r in remediations} >= {"AWSConfigRemediation-EnablePITRForDynamoDbTable"}, remediations

trail = client("cloudtrail").describe_trails(trailNameList=[f"{PREFIX}-trail"])["trailList"][0]
assert trail["IsMultiRegionTrail"] and trail["LogFileValidationEnabled"] and trail["KmsKeyId"] == logs_key, trail
assert trail["CloudWatchLogsRoleArn"].endswith(f":role/{PREFIX}-cloudtrail-logs"), trail
group = client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/cloudtrail/{PREFIX}-trail")["logGroups"][0]
assert group["kmsKeyId"] == logs_key and group["retentionInDays"] > 0, group
assert client("cloudtrail").get_trail_status(Name=f"{PREFIX}-trail")["IsLogging"]
policy = json.loads(client("s3").get_bucket_policy(Bucket=f"{PREFIX}-audit-trail")["Policy"])
assert {"AWSCloudTrailAclCheck", "AWSCloudTrailWrite"} <= {s.get("Sid") for s in policy["Statement"]}, policy
print(f"config_rules: recorder, channel, {len(rules)} rules, {len(remediations)} remediations and the trail verified")
