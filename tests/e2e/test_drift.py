"""Drift detection on the converged site: three hand-made drifts (a log group's retention, a
table's point-in-time recovery, an extra security group rule) are reported by playbooks/drift.yml
with their declared and live values, and nothing else; site.yml repairs exactly them; a second
drift run is clean. Three whole-site runs in all."""

import json
import re

PREFIX = "rtap-local"
FLOW_LOG_GROUP = "/rtap/local/vpc-flow-logs"
TABLE = f"{PREFIX}-todos"
EXTRA_RULE = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
              "IpRanges": [{"CidrIp": "203.0.113.0/24", "Description": "hand-made"}]}


def drift_report(site):
    return json.loads((site.artifacts / "local" / "drift.json").read_text())


def app_group(aws_client):
    return aws_client("ec2").describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [f"{PREFIX}-app"]}])["SecurityGroups"][0]


def pitr_status(aws_client):
    return aws_client("dynamodb").describe_continuous_backups(TableName=TABLE)[
        "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]


def retention(aws_client):
    return aws_client("logs").describe_log_groups(logGroupNamePrefix=FLOW_LOG_GROUP)["logGroups"][0].get("retentionInDays")


def test_hand_made_drift_is_reported_then_repaired_by_site_yml(converged_site, aws_client):
    # The local inventory declares 7 days; the todos table has PITR on; the app group has one rule.
    assert retention(aws_client) == 7
    assert pitr_status(aws_client) == "ENABLED"
    group = app_group(aws_client)
    aws_client("logs").put_retention_policy(logGroupName=FLOW_LOG_GROUP, retentionInDays=30)
    aws_client("dynamodb").update_continuous_backups(
        TableName=TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    aws_client("ec2").authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[EXTRA_RULE])

    drift = converged_site.run("playbooks/drift.yml", "--check", "--diff")

    assert drift.returncode != 0, drift.output[-4000:]
    report = drift_report(converged_site)
    assert report["drifted"] is True
    assert sorted((f["resource"], f["setting"], f["declared"], f["live"]) for f in report["findings"]) == [
        (FLOW_LOG_GROUP, "retention_days", 7, 30),
        (f"{PREFIX}-app", "ip_permissions", None, "tcp 22 from 203.0.113.0/24"),
        (TABLE, "point_in_time_recovery", True, False),
    ], report["findings"]
    assert {f["resource"]: f["role"] for f in report["findings"]}[FLOW_LOG_GROUP] == "network"
    assert re.search(rf"Drift: 3 setting\(s\) on .*{re.escape(FLOW_LOG_GROUP)}.* differ from the declared", drift.output)
    table = drift.output[drift.output.index("TASK [drift : Show the drift report"):]
    assert re.search(rf"{FLOW_LOG_GROUP} +retention_days +7 +30 ", table)
    assert re.search(rf"{PREFIX}-app +ip_permissions +\(absent\) +tcp 22 from 203\.0\.113\.0/24 ", table)
    assert re.search(rf"{TABLE} +point_in_time_recovery +true +false ", table)
    assert "3 setting(s) drifted on 3 resource(s)" in table
    # The drift run changed nothing.
    assert retention(aws_client) == 30
    assert pitr_status(aws_client) == "DISABLED"

    repair = converged_site.run("site.yml")

    assert repair.returncode == 0, repair.output[-4000:]
    # Check mode predicted the repair exactly: the tasks that change are the ones reported.
    assert sorted(repair.changed_tasks) == sorted({f"{f['role']} : {f['task']}" for f in report["findings"]})
    assert retention(aws_client) == 7
    assert pitr_status(aws_client) == "ENABLED"
    rules = app_group(aws_client)["IpPermissions"]
    assert [(r["IpProtocol"], r["FromPort"]) for r in rules] == [("tcp", 8080)]

    again = converged_site.run("playbooks/drift.yml", "--check", "--diff")

    assert again.returncode == 0, again.output[-4000:]
    assert again.recap["changed"] == 0
    clean = drift_report(converged_site)
    assert clean["drifted"] is False and clean["findings"] == []
    assert "No drift: every resource matches its declared settings." in again.output
