"""observability scenario: the alerts topic, the alarms of the function and the table, the dashboard, the log groups."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
ACCOUNT, REGION = "123456789012", "eu-west-1"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-alerts"
FUNCTION = f"{PREFIX}-molecule-function"
sns, cloudwatch, logs, kms = client("sns"), client("cloudwatch"), client("logs"), client("kms")

attributes = sns.get_topic_attributes(TopicArn=TOPIC)["Attributes"]
assert attributes["KmsMasterKeyId"] == f"alias/{PREFIX}-messaging", attributes
policy = json.loads(attributes["Policy"])
publish = next(s for s in policy["Statement"] if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"})
assert publish["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}, publish

alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms(AlarmNamePrefix=f"{PREFIX}-obs-")["MetricAlarms"]}
assert set(alarms) == {
    f"{PREFIX}-obs-lambda-molecule-function-errors",
    f"{PREFIX}-obs-lambda-molecule-function-throttles",
    f"{PREFIX}-obs-lambda-molecule-function-duration",
    f"{PREFIX}-obs-dynamodb-events-read-throttles",
    f"{PREFIX}-obs-dynamodb-events-write-throttles",
}, sorted(alarms)
duration = alarms[f"{PREFIX}-obs-lambda-molecule-function-duration"]
assert duration["ExtendedStatistic"] == "p99" and duration["Threshold"] == 24000.0, duration  # 80 % of 30 s
assert all(a["AlarmActions"] == [TOPIC] for a in alarms.values())

body = json.loads(cloudwatch.get_dashboard(DashboardName=f"{PREFIX}-platform")["DashboardBody"])
titles = [w["properties"].get("title") for w in body["widgets"]]
assert "DynamoDB read throttles" in titles and "Alarms" in titles, titles

logs_key = kms.describe_key(KeyId=f"alias/{PREFIX}-logs")["KeyMetadata"]["Arn"]
group, = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{FUNCTION}")["logGroups"]
assert group["kmsKeyId"] == logs_key and group["retentionInDays"], group
