"""Integration tests for library/ec2_vpc_flow_log.py against the emulator.

The module runs through ansible-playbook (playbooks/flow_log.yml); what it did
is judged from the emulator's state, read with boto3, not from its own report.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = Path(__file__).resolve().parent / "playbooks" / "flow_log.yml"

LOG_GROUP = "/test/vpc-flow-logs"
TRUST_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def ansible_playbook():
    """The ansible-playbook next to this interpreter (the test venv), else the one on PATH."""
    sibling = Path(sys.executable).with_name("ansible-playbook")
    return str(sibling) if sibling.exists() else shutil.which("ansible-playbook")


@pytest.fixture
def ec2(fresh_emulator, aws_client):
    return aws_client("ec2")


@pytest.fixture
def network(ec2, aws_client):
    """A VPC, a log group and a delivery role: the minimum a flow log needs."""
    vpc_id = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    aws_client("logs").create_log_group(logGroupName=LOG_GROUP)
    role = aws_client("iam").create_role(RoleName="flow-logs", AssumeRolePolicyDocument=TRUST_POLICY)
    return {
        "resource_id": vpc_id,
        "log_group_name": LOG_GROUP,
        "deliver_logs_permission_arn": role["Role"]["Arn"],
    }


@pytest.fixture
def run_flow_log(aws_env, tmp_path):
    """Run the playbook with the given module options; return the module's result."""
    # Our own inventory: only localhost, independent of the project's inventories.
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("localhost ansible_connection=local\n")
    runs = []

    def run(options, check=False):
        runs.append(options)
        result_file = tmp_path / f"result-{len(runs)}.json"
        vars_file = tmp_path / f"vars-{len(runs)}.json"
        vars_file.write_text(json.dumps(dict(options, result_file=str(result_file))))
        command = [ansible_playbook(), "-i", str(inventory), str(PLAYBOOK), "-e", f"@{vars_file}", "--diff"]
        if check:
            command.append("--check")
        env = dict(aws_env, ANSIBLE_LIBRARY=str(REPO / "library"))
        proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"ansible-playbook failed:\n{proc.stdout}\n{proc.stderr}"
        return json.loads(result_file.read_text())

    return run


def flow_logs_of(ec2, resource_id):
    filters = [{"Name": "resource-id", "Values": [resource_id]}]
    return ec2.describe_flow_logs(Filters=filters)["FlowLogs"]


def only_flow_log(ec2, resource_id):
    flow_logs = flow_logs_of(ec2, resource_id)
    assert len(flow_logs) == 1, flow_logs
    return flow_logs[0]


def tags_of(flow_log):
    return {tag["Key"]: tag["Value"] for tag in flow_log.get("Tags", [])}


def test_create_then_rerun_changes_nothing(ec2, network, run_flow_log):
    options = dict(network, flow_log_tags={"Name": "vpc-flow-log", "env": "test"})

    created = run_flow_log(options)

    assert created["changed"] is True
    live = only_flow_log(ec2, network["resource_id"])
    assert live["FlowLogId"] == created["flow_log"]["flow_log_id"]
    assert live["TrafficType"] == "ALL"
    assert live["LogDestinationType"] == "cloud-watch-logs"
    assert live["LogGroupName"] == LOG_GROUP
    assert live["DeliverLogsPermissionArn"] == network["deliver_logs_permission_arn"]
    assert live["MaxAggregationInterval"] == 600
    assert tags_of(live) == {"Name": "vpc-flow-log", "env": "test"}

    rerun = run_flow_log(options)

    assert rerun["changed"] is False
    assert only_flow_log(ec2, network["resource_id"])["FlowLogId"] == live["FlowLogId"]


def test_check_mode_create_creates_nothing(ec2, network, run_flow_log):
    result = run_flow_log(network, check=True)

    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["traffic_type"] == "ALL"
    assert flow_logs_of(ec2, network["resource_id"]) == []


def test_check_mode_reports_change_but_leaves_emulator_alone(ec2, network, run_flow_log):
    run_flow_log(network)
    before = only_flow_log(ec2, network["resource_id"])

    result = run_flow_log(dict(network, traffic_type="REJECT"), check=True)

    assert result["changed"] is True
    assert result["replaced_settings"] == ["traffic_type"]
    assert result["diff"]["before"]["traffic_type"] == "ALL"
    assert result["diff"]["after"]["traffic_type"] == "REJECT"
    after = only_flow_log(ec2, network["resource_id"])
    assert after["FlowLogId"] == before["FlowLogId"]
    assert after["TrafficType"] == "ALL"


def test_changed_settings_replace_the_flow_log(ec2, network, run_flow_log):
    run_flow_log(dict(network, flow_log_tags={"Name": "vpc-flow-log"}))
    original = only_flow_log(ec2, network["resource_id"])
    options = dict(network, traffic_type="REJECT", max_aggregation_interval=60, log_format="${version} ${action}")

    result = run_flow_log(options)

    assert result["changed"] is True
    assert result["replaced_settings"] == ["traffic_type", "max_aggregation_interval", "log_format"]
    replacement = only_flow_log(ec2, network["resource_id"])
    assert replacement["FlowLogId"] != original["FlowLogId"]
    assert replacement["FlowLogId"] == result["flow_log"]["flow_log_id"]
    assert replacement["TrafficType"] == "REJECT"
    assert replacement["MaxAggregationInterval"] == 60
    assert replacement["LogFormat"] == "${version} ${action}"
    # Tags were not given this time, so they carry over to the replacement.
    assert tags_of(replacement) == {"Name": "vpc-flow-log"}

    assert run_flow_log(options)["changed"] is False
    assert only_flow_log(ec2, network["resource_id"])["FlowLogId"] == replacement["FlowLogId"]


def test_tags_are_updated_in_place(ec2, network, run_flow_log):
    run_flow_log(dict(network, flow_log_tags={"a": "1", "b": "2"}))
    flow_log_id = only_flow_log(ec2, network["resource_id"])["FlowLogId"]

    purged = run_flow_log(dict(network, flow_log_tags={"a": "1", "c": "3"}))

    assert purged["changed"] is True
    assert purged["replaced_settings"] == []
    live = only_flow_log(ec2, network["resource_id"])
    assert live["FlowLogId"] == flow_log_id
    assert tags_of(live) == {"a": "1", "c": "3"}

    merged = run_flow_log(dict(network, flow_log_tags={"d": "4"}, purge_tags=False))

    assert merged["changed"] is True
    live = only_flow_log(ec2, network["resource_id"])
    assert live["FlowLogId"] == flow_log_id
    assert tags_of(live) == {"a": "1", "c": "3", "d": "4"}


def test_absent_deletes_and_then_changes_nothing(ec2, network, run_flow_log):
    run_flow_log(network)
    absent = dict(network, flow_log_state="absent")

    deleted = run_flow_log(absent)

    assert deleted["changed"] is True
    assert flow_logs_of(ec2, network["resource_id"]) == []

    assert run_flow_log(absent)["changed"] is False
    assert flow_logs_of(ec2, network["resource_id"]) == []


def test_destinations_are_separate_flow_logs(ec2, network, fresh_emulator, aws_client, run_flow_log):
    aws_client("s3").create_bucket(
        Bucket="flow-log-bucket", CreateBucketConfiguration={"LocationConstraint": fresh_emulator.region}
    )
    s3_options = {
        "resource_id": network["resource_id"],
        "log_destination_type": "s3",
        # A bucket ARN without a folder: moto 5.2.5 takes "bucket/folder/" for the bucket name.
        "log_destination": "arn:aws:s3:::flow-log-bucket",
    }

    assert run_flow_log(network)["changed"] is True
    assert run_flow_log(s3_options)["changed"] is True
    assert run_flow_log(s3_options)["changed"] is False
    destinations = {fl["LogDestinationType"] for fl in flow_logs_of(ec2, network["resource_id"])}
    assert destinations == {"cloud-watch-logs", "s3"}

    assert run_flow_log(dict(network, flow_log_state="absent"))["changed"] is True
    remaining = only_flow_log(ec2, network["resource_id"])
    assert remaining["LogDestination"] == "arn:aws:s3:::flow-log-bucket"
