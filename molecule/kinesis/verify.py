"""kinesis scenario: the clickstream stream exists with its computed shards, retention, KMS encryption with
the data key, shard-level metrics, tags and a throttling alarm (local inventory values)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
NAME = f"{PREFIX}-clickstream"
kinesis = client("kinesis")

summary = kinesis.describe_stream_summary(StreamName=NAME)["StreamDescriptionSummary"]
assert summary["StreamStatus"] == "ACTIVE", summary
assert summary["StreamModeDetails"]["StreamMode"] == "PROVISIONED", summary
# 0.5 MB/s, 500 records/s, 2 consumers, 25 % headroom: 1 shard.
shards = kinesis.list_shards(StreamName=NAME)["Shards"]
open_shards = [s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
assert len(open_shards) == 1, shards
assert summary["RetentionPeriodHours"] == 24, summary
assert summary["EncryptionType"] == "KMS" and summary["KeyId"] == f"alias/{PREFIX}-data", summary
data_key = client("kms").describe_key(KeyId=f"alias/{PREFIX}-data")["KeyMetadata"]
assert data_key["KeyManager"] == "CUSTOMER" and data_key["Enabled"], data_key
metrics = sorted(m for entry in summary["EnhancedMonitoring"] for m in entry["ShardLevelMetrics"])
assert metrics == ["IncomingBytes", "WriteProvisionedThroughputExceeded"], metrics
tags = {t["Key"]: t["Value"] for t in kinesis.list_tags_for_stream(StreamName=NAME)["Tags"]}
assert tags["Layer"] == "ingestion" and tags["Environment"] == "local" and tags["Stream"] == "clickstream", tags
assert tags["ManagedBy"] == "ansible-platform-toolkit" and tags["Platform"] == "rtap", tags

alarm, = client("cloudwatch").describe_alarms(AlarmNames=[f"{NAME}-write-throttles"])["MetricAlarms"]
assert alarm["Namespace"] == "AWS/Kinesis" and alarm["MetricName"] == "WriteProvisionedThroughputExceeded", alarm
assert alarm["Dimensions"] == [{"Name": "StreamName", "Value": NAME}], alarm
assert alarm["ComparisonOperator"] == "GreaterThanThreshold" and alarm["Threshold"] == 0.0, alarm

assert [s for s in kinesis.list_streams()["StreamNames"] if s.startswith(PREFIX)] == [NAME]
print(f"kinesis: {NAME} verified")
