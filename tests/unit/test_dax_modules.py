"""Unit tests for library/dax_*.py and module_utils/dax.py: the pure logic, without AWS."""

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def load(name, path, register_as=None):
    spec = importlib.util.spec_from_file_location(register_as or name, path)
    module = importlib.util.module_from_spec(spec)
    if register_as:
        sys.modules[register_as] = module
    spec.loader.exec_module(module)
    return module


# The modules import their shared code as ansible.module_utils.dax (ansible.cfg's module_utils).
utils = load("dax", REPO / "module_utils" / "dax.py", register_as="ansible.module_utils.dax")
cluster_mod = load("dax_cluster", REPO / "library" / "dax_cluster.py")
params_mod = load("dax_parameter_group", REPO / "library" / "dax_parameter_group.py")
subnets_mod = load("dax_subnet_group", REPO / "library" / "dax_subnet_group.py")

ROLE = "arn:aws:iam::123456789012:role/dax"


def described_cluster(**overrides):
    """A cluster as DescribeClusters returns it."""
    base = {
        "ClusterName": "cache",
        "ClusterArn": "arn:aws:dax:eu-west-1:123456789012:cache/cache",
        "TotalNodes": 2,
        "NodeType": "dax.t3.small",
        "Status": "available",
        "Nodes": [{"NodeId": "cache-a", "NodeStatus": "available"}, {"NodeId": "cache-b", "NodeStatus": "available"}],
        "PreferredMaintenanceWindow": "sun:03:00-sun:04:00",
        "SubnetGroup": "cache",
        "SecurityGroups": [{"SecurityGroupIdentifier": "sg-2", "Status": "active"},
                           {"SecurityGroupIdentifier": "sg-1", "Status": "active"}],
        "IamRoleArn": ROLE,
        "ParameterGroup": {"ParameterGroupName": "cache", "ParameterApplyStatus": "in-sync"},
        "SSEDescription": {"Status": "ENABLED"},
        "ClusterEndpointEncryptionType": "TLS",
        "Description": "hot reads",
    }
    base.update(overrides)
    return base


def cluster_params(**overrides):
    base = {name: None for name in cluster_mod.SETTINGS}
    base.update(overrides)
    return base


# --- dax_cluster -----------------------------------------------------------------------

def test_live_spec_normalises_the_described_cluster():
    live = cluster_mod.live_spec(described_cluster(PreferredMaintenanceWindow="Sun:03:00-Sun:04:00"))
    assert live["security_group_ids"] == ["sg-1", "sg-2"]
    assert live["sse_enabled"] is True
    assert live["endpoint_encryption_type"] == "TLS"
    assert live["preferred_maintenance_window"] == "sun:03:00-sun:04:00"
    assert live["replication_factor"] == 2


def test_an_unchanged_request_needs_no_call():
    live = cluster_mod.live_spec(described_cluster())
    desired = cluster_mod.desired_spec(cluster_params(
        node_type="dax.t3.small", replication_factor=2, security_group_ids=["sg-2", "sg-1", "sg-1"],
        iam_role_arn=ROLE, sse_enabled=True, endpoint_encryption_type="TLS",
        preferred_maintenance_window="SUN:03:00-sun:04:00", parameter_group_name="cache", subnet_group_name="cache"))
    assert cluster_mod.differing(live, desired, cluster_mod.UNCHANGEABLE) == []
    assert cluster_mod.update_params("cache", live, desired) is None


def test_settings_not_requested_never_differ():
    live = cluster_mod.live_spec(described_cluster())
    assert cluster_mod.differing(live, cluster_mod.desired_spec(cluster_params()), cluster_mod.SETTINGS) == []


def test_unchangeable_settings_are_named():
    live = cluster_mod.live_spec(described_cluster())
    desired = cluster_mod.desired_spec(cluster_params(node_type="dax.r5.large", endpoint_encryption_type="NONE"))
    settings = cluster_mod.differing(live, desired, cluster_mod.UNCHANGEABLE)
    assert settings == ["node_type", "endpoint_encryption_type"]
    message = cluster_mod.unchangeable_message("cache", live, desired, settings)
    assert "node_type, endpoint_encryption_type cannot be changed in place" in message
    assert "'dax.t3.small'" in message and "'dax.r5.large'" in message


def test_updatable_settings_make_one_update_cluster_request():
    live = cluster_mod.live_spec(described_cluster())
    desired = cluster_mod.desired_spec(cluster_params(parameter_group_name="other", security_group_ids=["sg-3"],
                                                      description="hot reads"))
    assert cluster_mod.update_params("cache", live, desired) == {
        "ClusterName": "cache", "ParameterGroupName": "other", "SecurityGroupIds": ["sg-3"]}


def test_create_request_carries_encryption_and_tags():
    desired = cluster_mod.desired_spec(cluster_params(
        node_type="dax.t3.small", replication_factor=1, iam_role_arn=ROLE, sse_enabled=True,
        endpoint_encryption_type="TLS", subnet_group_name="cache", security_group_ids=["sg-1"]))
    params = cluster_mod.create_params("cache", desired, {"Layer": "data"})
    assert params["SSESpecification"] == {"Enabled": True}
    assert params["ClusterEndpointEncryptionType"] == "TLS"
    assert params["Tags"] == [{"Key": "Layer", "Value": "data"}]
    assert "ParameterGroupName" not in params and "Description" not in params


def test_sse_disabled_is_sent_explicitly():
    desired = cluster_mod.desired_spec(cluster_params(node_type="dax.t3.small", replication_factor=1,
                                                      iam_role_arn=ROLE, sse_enabled=False))
    assert cluster_mod.create_params("cache", desired, None)["SSESpecification"] == {"Enabled": False}


def test_a_cluster_is_available_only_with_every_node():
    assert cluster_mod.is_available(described_cluster())
    assert not cluster_mod.is_available(described_cluster(Status="modifying"))
    assert not cluster_mod.is_available(described_cluster(Nodes=[{"NodeStatus": "creating"}]))
    assert not cluster_mod.is_available(None)


def test_tags_are_purged_only_when_asked():
    assert cluster_mod.plan_tags({"a": "1", "b": "2"}, {"a": "1"}, True) == ({"a": "1"}, {}, ["b"])
    assert cluster_mod.plan_tags({"a": "1", "b": "2"}, {"a": "3"}, False) == ({"a": "3", "b": "2"}, {"a": "3"}, [])
    assert cluster_mod.plan_tags({"a": "1"}, None, True) == ({"a": "1"}, {}, [])


# --- dax_parameter_group ---------------------------------------------------------------

def group_params(**overrides):
    base = {"name": "cache", "description": None, "query_ttl_millis": None, "record_ttl_millis": None}
    base.update(overrides)
    return base


def test_new_parameter_group_starts_from_aws_defaults():
    planned = params_mod.planned_spec(group_params(query_ttl_millis=60000, description="TTLs"), {})
    assert planned == {"name": "cache", "description": "TTLs",
                       "parameters": {"query-ttl-millis": 60000, "record-ttl-millis": 300000}}
    defaults = {"query-ttl-millis": 300000, "record-ttl-millis": 300000}
    assert params_mod.changed_parameters(defaults, planned["parameters"]) == [
        {"ParameterName": "query-ttl-millis", "ParameterValue": "60000"}]


def test_parameters_not_requested_keep_their_value():
    values = params_mod.parameter_values([{"ParameterName": "query-ttl-millis", "ParameterValue": "60000"},
                                          {"ParameterName": "record-ttl-millis", "ParameterValue": "0"}])
    live = params_mod.live_spec({"ParameterGroupName": "cache", "Description": "d"}, values)
    planned = params_mod.planned_spec(group_params(record_ttl_millis=0), live)
    assert planned["parameters"] == {"query-ttl-millis": 60000, "record-ttl-millis": 0}
    assert params_mod.changed_parameters(values, planned["parameters"]) == []


# --- dax_subnet_group ------------------------------------------------------------------

def test_subnet_group_update_only_when_something_differs():
    live = subnets_mod.live_spec({"SubnetGroupName": "cache", "Description": "d",
                                  "Subnets": [{"SubnetIdentifier": "subnet-2"}, {"SubnetIdentifier": "subnet-1"}]})
    same = subnets_mod.planned_spec({"name": "cache", "description": None, "subnet_ids": ["subnet-1", "subnet-2"]}, live)
    assert subnets_mod.update_params(live, same) is None
    other = subnets_mod.planned_spec({"name": "cache", "description": None, "subnet_ids": ["subnet-3"]}, live)
    assert subnets_mod.update_params(live, other) == {"SubnetGroupName": "cache", "SubnetIds": ["subnet-3"]}


# --- module_utils/dax.py ---------------------------------------------------------------

def test_polls_start_fast_and_stay_within_the_timeout():
    delays = list(utils.poll_delays(100))
    assert delays[:3] == [1, 1, 2]
    assert sum(delays) == 100
    assert max(utils.poll_delays(3600)) == utils.POLL_DELAY_MAX


def test_wait_until_returns_the_last_value():
    answers = iter([(False, "creating"), (False, "creating"), (True, "available")])
    slept = []
    assert utils.wait_until(lambda: next(answers), 60, sleep=slept.append) == (True, "available")
    assert slept == [1, 1]
    assert utils.wait_until(lambda: (False, "creating"), 2, sleep=slept.append) == (False, "creating")
