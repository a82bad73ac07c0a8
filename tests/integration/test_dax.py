"""The dax role and the dax_* modules against the emulator.

The role's prerequisites are made with boto3, shaped exactly as the foundation
makes them (subnets tagged Platform/Environment/Tier by the network role, the
`<prefix>-app` security group, the `<prefix>-dax` IAM role); molecule/dax runs the
real chain (iam, kms, network, dax). The dax role then runs alone, as when the data
layer runs without the foundation (it finds the network by its tags), twice and in
check mode. In-place and refused changes drive the dax_cluster module directly on
the cluster the role made. Every assertion reads the emulator's state with boto3,
never a module's own report. Bad input runs last: it wipes the emulator.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from emulator import launcher
from tests.playbook import run_playbook

PREFIX = "rtap-local"
NAME = f"{PREFIX}-dax"
REPO = Path(__file__).resolve().parents[2]
PLAYBOOKS = Path(__file__).resolve().parent / "playbooks" / "dax"
DAX_PLAYBOOK = str(PLAYBOOKS / "dax.yml")
TAGS = {"Platform": "rtap", "Environment": "local", "ManagedBy": "ansible-platform-toolkit", "Layer": "foundation"}
DAX_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "dax.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def tag_spec(resource_type, **extra):
    return [{"ResourceType": resource_type,
             "Tags": [{"Key": k, "Value": v} for k, v in dict(TAGS, **extra).items()]}]


def make_foundation(aws_client):
    """What the network and iam roles leave for the data layer (see roles/network/tasks/vpc.yml)."""
    ec2 = aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16",
                            TagSpecifications=tag_spec("vpc", Name=f"{PREFIX}-vpc"))["Vpc"]["VpcId"]
    for tier, cidr, az in (("public", "10.20.0.0/19", "eu-west-1a"), ("private", "10.20.128.0/19", "eu-west-1a"),
                           ("private", "10.20.160.0/19", "eu-west-1b")):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az,
                          TagSpecifications=tag_spec("subnet", Name=f"{PREFIX}-{tier}-{az}", Tier=tier))
    ec2.create_security_group(GroupName=f"{PREFIX}-app", Description="Services behind the load balancers",
                              VpcId=vpc_id, TagSpecifications=tag_spec("security-group", Name=f"{PREFIX}-app"))
    aws_client("iam").create_role(RoleName=NAME, AssumeRolePolicyDocument=json.dumps(DAX_TRUST))


@pytest.fixture(scope="module")
def converged(emulator, aws_client, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)
    make_foundation(aws_client)
    env = dict(os.environ, **emulator.env())
    artifacts = tmp_path_factory.mktemp("artifacts")
    return {
        "first": run_playbook(env, DAX_PLAYBOOK, artifacts=artifacts),
        "second": run_playbook(env, DAX_PLAYBOOK, artifacts=artifacts),
        "check": run_playbook(env, DAX_PLAYBOOK, "--check", "--diff", artifacts=artifacts),
        "artifacts": artifacts,
    }


@pytest.fixture
def dax(converged, aws_client):
    return aws_client("dax")


def cluster_of(dax):
    clusters = dax.describe_clusters(ClusterNames=[NAME])["Clusters"]
    assert len(clusters) == 1, clusters
    return clusters[0]


def tags(items):
    return {t["Key"]: t["Value"] for t in items}


def test_first_run_converges(converged):
    assert converged["first"].returncode == 0, converged["first"].output[-4000:]
    assert converged["first"].recap["changed"] >= 4  # security group, subnet group, parameter group, cluster


def test_second_run_changes_nothing(converged):
    assert converged["second"].returncode == 0, converged["second"].output[-4000:]
    assert converged["second"].recap["changed"] == 0, converged["second"].changed_tasks


def test_check_mode_on_converged_environment_reports_no_change(converged):
    assert converged["check"].returncode == 0, converged["check"].output[-4000:]
    assert converged["check"].recap["changed"] == 0, converged["check"].changed_tasks


def test_subnet_group_is_the_private_subnets(dax, aws_client):
    ec2 = aws_client("ec2")
    private = ec2.describe_subnets(Filters=[{"Name": "tag:Tier", "Values": ["private"]},
                                            {"Name": "tag:Environment", "Values": ["local"]}])["Subnets"]
    assert len(private) == 2
    group, = dax.describe_subnet_groups(SubnetGroupNames=[NAME])["SubnetGroups"]
    assert sorted(s["SubnetIdentifier"] for s in group["Subnets"]) == sorted(s["SubnetId"] for s in private)
    assert group["VpcId"] == private[0]["VpcId"]
    assert {s["SubnetAvailabilityZone"] for s in group["Subnets"]} == {"eu-west-1a", "eu-west-1b"}


def test_parameter_group_has_the_ttls(dax):
    parameters = {p["ParameterName"]: p["ParameterValue"]
                  for p in dax.describe_parameters(ParameterGroupName=NAME)["Parameters"]}
    assert parameters == {"record-ttl-millis": "300000", "query-ttl-millis": "60000"}


def test_cluster_settings_encryption_and_role(dax, aws_client):
    cluster = cluster_of(dax)
    assert cluster["Status"] == "available"
    assert cluster["NodeType"] == "dax.t3.small" and cluster["TotalNodes"] == 1
    assert cluster["SubnetGroup"] == NAME
    assert cluster["ParameterGroup"]["ParameterGroupName"] == NAME
    assert cluster["SSEDescription"]["Status"] == "ENABLED"
    assert cluster["ClusterEndpointEncryptionType"] == "TLS"
    assert cluster["ClusterDiscoveryEndpoint"]["Port"] == 9111
    assert cluster["ClusterDiscoveryEndpoint"]["URL"].startswith("daxs://")
    assert cluster["PreferredMaintenanceWindow"] == "sun:03:00-sun:04:00"
    assert cluster["IamRoleArn"] == aws_client("iam").get_role(RoleName=NAME)["Role"]["Arn"]
    cluster_tags = tags(dax.list_tags(ResourceName=cluster["ClusterArn"])["Tags"])
    assert cluster_tags["Layer"] == "data" and cluster_tags["Environment"] == "local"
    assert cluster_tags["ManagedBy"] == "ansible-platform-toolkit"


def test_security_group_allows_tls_port_from_the_app_only(dax, aws_client):
    ec2 = aws_client("ec2")
    group_ids = [g["SecurityGroupIdentifier"] for g in cluster_of(dax)["SecurityGroups"]]
    assert len(group_ids) == 1
    group, = ec2.describe_security_groups(GroupIds=group_ids)["SecurityGroups"]
    assert group["GroupName"] == NAME
    app, = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{PREFIX}-app"]}])["SecurityGroups"]
    rules = [(p["IpProtocol"], p["FromPort"], p["ToPort"], [g["GroupId"] for g in p["UserIdGroupPairs"]], p["IpRanges"])
             for p in group["IpPermissions"]]
    assert rules == [("tcp", 9111, 9111, [app["GroupId"]], [])]
    assert tags(group["Tags"])["Layer"] == "data"


def test_outputs_file_has_name_endpoint_and_arn(converged, dax):
    outputs = json.loads((converged["artifacts"] / "local" / "outputs.json").read_text())["dax"]
    cluster = cluster_of(dax)
    assert outputs["cluster_name"] == NAME
    assert outputs["cluster_arn"] == cluster["ClusterArn"]
    assert outputs["endpoint"] == f"{cluster['ClusterDiscoveryEndpoint']['Address']}:9111"
    assert outputs["url"] == cluster["ClusterDiscoveryEndpoint"]["URL"]


# --- the dax_cluster module on the role's cluster --------------------------------------

@pytest.fixture
def apply_cluster(converged, aws_env, tmp_path):
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("localhost ansible_connection=local\n")

    def run(check=False, **options):
        result_file = tmp_path / "result.json"
        vars_file = tmp_path / "vars.json"
        vars_file.write_text(json.dumps(dict(options, cluster_name=NAME, result_file=str(result_file))))
        command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory),
                   str(PLAYBOOKS / "dax_cluster.yml"), "-e", f"@{vars_file}", "--diff"]
        if check:
            command.append("--check")
        proc = subprocess.run(command, cwd=REPO, env=aws_env, capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return json.loads(result_file.read_text())

    return run


def test_replication_factor_change_is_applied_in_place(dax, apply_cluster):
    before = cluster_of(dax)

    predicted = apply_cluster(check=True, replication_factor=2)
    assert predicted["changed"] is True
    assert predicted["diff"]["after"]["replication_factor"] == 2
    assert cluster_of(dax)["TotalNodes"] == 1, "check mode changed the cluster"

    grown = apply_cluster(replication_factor=2)
    assert grown["changed"] is True
    after = cluster_of(dax)
    assert after["ClusterArn"] == before["ClusterArn"]
    assert after["TotalNodes"] == 2 and len(after["Nodes"]) == 2
    assert after["Status"] == "available"

    shrunk = apply_cluster(replication_factor=1)
    assert shrunk["changed"] is True
    assert cluster_of(dax)["TotalNodes"] == 1
    assert apply_cluster(replication_factor=1)["changed"] is False


@pytest.mark.parametrize("options, setting", [
    ({"node_type": "dax.r5.large"}, "node_type"),
    ({"endpoint_encryption_type": "NONE", "sse_enabled": False}, "sse_enabled, endpoint_encryption_type"),
])
def test_settings_aws_cannot_change_are_refused(dax, apply_cluster, options, setting):
    before = cluster_of(dax)

    result = apply_cluster(replication_factor=2, **options)

    assert result.get("failed") is True
    assert f"{setting} cannot be changed in place" in result["msg"]
    after = cluster_of(dax)
    assert after["ClusterArn"] == before["ClusterArn"]
    assert (after["NodeType"], after["TotalNodes"], after["ClusterEndpointEncryptionType"]) == (
        before["NodeType"], before["TotalNodes"], before["ClusterEndpointEncryptionType"])


# --- teardown --------------------------------------------------------------------------

def test_state_absent_deletes_the_cluster_then_its_groups(dax, aws_env, aws_client, tmp_path):
    run = run_playbook(aws_env, DAX_PLAYBOOK, "-e", "dax_state=absent", artifacts=tmp_path)

    assert run.returncode == 0, run.output[-4000:]
    assert dax.describe_clusters()["Clusters"] == []
    assert dax.describe_subnet_groups()["SubnetGroups"] == []
    assert [g["ParameterGroupName"] for g in dax.describe_parameter_groups()["ParameterGroups"]] == ["default.dax1.0"]
    groups = aws_client("ec2").describe_security_groups(Filters=[{"Name": "group-name", "Values": [NAME]}])
    assert groups["SecurityGroups"] == []
    # The network and the role it used are left alone.
    assert aws_client("ec2").describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [f"{PREFIX}-app"]}])["SecurityGroups"]


# --- bad input (runs last: wipes the emulator) -----------------------------------------

BAD_INPUT = {
    "node type not dax.*": ({"dax_node_type": "r5.large"}, ["dax_node_type: must be a DAX node type"]),
    "replication factor 0": ({"dax_replication_factor": 0}, ["dax_replication_factor: must be between 1 and 10"]),
    "replication factor 11": ({"dax_replication_factor": 11}, ["dax_replication_factor: must be between 1 and 10"]),
    "negative TTL": ({"dax_record_ttl_millis": -1}, ["dax_record_ttl_millis: must be 0 or more"]),
    "several at once": (
        {"dax_query_ttl_millis": -5, "dax_name": "rtap-local-dax-cache-1", "dax_maintenance_window": "sunday 3am"},
        ["dax_query_ttl_millis: must be 0 or more", "dax_name: a DAX cluster name is 1 to 20",
         "dax_maintenance_window: must be ddd:hh24:mi-ddd:hh24:mi"]),
}


@pytest.mark.parametrize("extra_vars, expected", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_fails_in_preflight(fresh_emulator, aws_env, aws_client, tmp_path, extra_vars, expected):
    run = run_playbook(aws_env, DAX_PLAYBOOK, "-e", json.dumps(extra_vars), artifacts=tmp_path)

    assert run.returncode != 0
    for message in expected:
        assert message in run.output, run.output[-3000:]
    # It failed in the pre-flight play, before the DAX play started.
    assert "PLAY [DAX]" not in run.output
    assert run.recap["changed"] == 0
    dax = aws_client("dax")
    assert dax.describe_clusters()["Clusters"] == []
    assert dax.describe_subnet_groups()["SubnetGroups"] == []
    assert [g["ParameterGroupName"] for g in dax.describe_parameter_groups()["ParameterGroups"]] == ["default.dax1.0"]
