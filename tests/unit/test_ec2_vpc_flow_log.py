"""Unit tests for library/ec2_vpc_flow_log.py: the pure logic, without AWS."""

import importlib.util
from pathlib import Path

import pytest

MODULE_PATH = Path(__file__).resolve().parents[2] / "library" / "ec2_vpc_flow_log.py"
_spec = importlib.util.spec_from_file_location("ec2_vpc_flow_log", MODULE_PATH)
fl = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fl)

ROLE = "arn:aws:iam::123456789012:role/flow-logs"
OTHER_ROLE = "arn:aws:iam::123456789012:role/other"
GROUP_ARN = "arn:aws:logs:eu-west-1:123456789012:log-group:/vpc/flow-logs"


def params(**overrides):
    """Module parameters as AnsibleModule would hand them over (defaults applied)."""
    base = dict(
        state="present",
        resource_id="vpc-1",
        resource_type="VPC",
        traffic_type=None,
        log_destination_type="cloud-watch-logs",
        log_group_name="/vpc/flow-logs",
        log_destination=None,
        deliver_logs_permission_arn=ROLE,
        max_aggregation_interval=None,
        log_format=None,
        tags=None,
        purge_tags=True,
    )
    base.update(overrides)
    return base


def live(**overrides):
    """A flow log as DescribeFlowLogs returns it."""
    base = {
        "FlowLogId": "fl-1",
        "ResourceId": "vpc-1",
        "LogDestinationType": "cloud-watch-logs",
        "LogGroupName": "/vpc/flow-logs",
        "TrafficType": "ALL",
        "DeliverLogsPermissionArn": ROLE,
        "MaxAggregationInterval": 600,
        "LogFormat": "${version} ${srcaddr}",
        "Tags": [{"Key": "Name", "Value": "x"}],
    }
    base.update(overrides)
    return base


# --- identity -----------------------------------------------------------------


@pytest.mark.parametrize(
    "arn, name",
    [
        (GROUP_ARN, "/vpc/flow-logs"),
        (GROUP_ARN + ":*", "/vpc/flow-logs"),
        ("arn:aws:s3:::bucket", None),
        (None, None),
    ],
)
def test_log_group_name_from_arn(arn, name):
    assert fl.log_group_name_from_arn(arn) == name


def test_log_group_matches_by_name_or_arn():
    by_name = fl.desired_spec(params())
    by_arn = fl.desired_spec(params(log_group_name=None, log_destination=GROUP_ARN))
    assert fl.matches_identity(live(), by_name)
    assert fl.matches_identity(live(), by_arn)
    assert fl.matches_identity(live(LogGroupName=None, LogDestination=GROUP_ARN), by_name)


def test_identity_needs_same_resource_and_destination():
    spec = fl.desired_spec(params())
    assert not fl.matches_identity(live(ResourceId="vpc-2"), spec)
    assert not fl.matches_identity(live(LogGroupName="/other"), spec)


def test_identity_ignores_replaceable_settings():
    spec = fl.desired_spec(params(traffic_type="REJECT", max_aggregation_interval=60))
    assert fl.matches_identity(live(), spec)


def test_s3_identity_tolerates_trailing_slash_and_checks_type():
    spec = fl.desired_spec(params(log_destination_type="s3", log_group_name=None, log_destination="arn:aws:s3:::b/p"))
    s3_log = live(LogDestinationType="s3", LogGroupName=None, LogDestination="arn:aws:s3:::b/p/")
    assert fl.matches_identity(s3_log, spec)
    firehose_log = dict(s3_log, LogDestinationType="kinesis-data-firehose")
    assert not fl.matches_identity(firehose_log, spec)


# --- defaults -----------------------------------------------------------------


def test_defaults_for_vpc():
    spec = fl.desired_spec(params())
    assert spec["traffic_type"] == "ALL"
    assert spec["max_aggregation_interval"] == 600


def test_defaults_for_transit_gateway():
    spec = fl.desired_spec(params(resource_type="TransitGateway", resource_id="tgw-1"))
    assert spec["traffic_type"] is None
    assert spec["max_aggregation_interval"] == 60


# --- which settings differ ------------------------------------------------------


def test_no_difference():
    assert fl.differing_settings(live(), fl.desired_spec(params())) == []


def test_differences_are_named():
    spec = fl.desired_spec(params(traffic_type="REJECT", deliver_logs_permission_arn=OTHER_ROLE))
    assert fl.differing_settings(live(), spec) == ["traffic_type", "deliver_logs_permission_arn"]


def test_interval_and_format_differ():
    spec = fl.desired_spec(params(max_aggregation_interval=60, log_format="${version}"))
    assert fl.differing_settings(live(), spec) == ["max_aggregation_interval", "log_format"]


def test_unset_options_never_differ():
    spec = fl.desired_spec(params(deliver_logs_permission_arn=None, log_format=None))
    assert fl.differing_settings(live(DeliverLogsPermissionArn=OTHER_ROLE, LogFormat="custom"), spec) == []


def test_transit_gateway_traffic_type_is_not_compared():
    spec = fl.desired_spec(params(resource_type="TransitGateway", resource_id="tgw-1"))
    tgw_log = live(ResourceId="tgw-1", TrafficType=None, MaxAggregationInterval=60)
    assert fl.differing_settings(tgw_log, spec) == []


def test_planned_spec_keeps_current_values_of_unset_options():
    spec = fl.desired_spec(params(traffic_type="REJECT", deliver_logs_permission_arn=None))
    planned = fl.planned_spec(spec, live(LogFormat="custom"))
    assert planned["traffic_type"] == "REJECT"
    assert planned["log_format"] == "custom"
    assert planned["deliver_logs_permission_arn"] == ROLE


def test_pick_prefers_a_flow_log_with_the_requested_settings():
    spec = fl.desired_spec(params(traffic_type="REJECT"))
    wrong = live(FlowLogId="fl-a")
    right = live(FlowLogId="fl-b", TrafficType="REJECT")
    assert fl.pick_flow_log([wrong, right], spec) == (right, [wrong])
    assert fl.pick_flow_log([], spec) == (None, [])


# --- tags -----------------------------------------------------------------------


def test_tags_not_given_are_kept():
    assert fl.plan_tags({"a": "1"}, None, True) == ({"a": "1"}, {}, [])


def test_tags_purged():
    after, to_set, to_unset = fl.plan_tags({"a": "1", "b": "2", "aws:x": "y"}, {"a": "1", "c": "3"}, True)
    assert after == {"a": "1", "c": "3", "aws:x": "y"}
    assert to_set == {"c": "3"}
    assert sorted(to_unset) == ["b"]


def test_tags_merged_without_purge():
    after, to_set, to_unset = fl.plan_tags({"a": "1", "b": "2"}, {"b": "3"}, False)
    assert after == {"a": "1", "b": "3"}
    assert to_set == {"b": "3"}
    assert to_unset == []


# --- client token ---------------------------------------------------------------


def test_client_token_is_deterministic_and_fits_aws_limit():
    spec = fl.desired_spec(params())
    token = fl.client_token(spec)
    assert token == fl.client_token(fl.desired_spec(params()))
    assert len(token) <= 64 and token.isascii()


def test_client_token_ignores_tags():
    # Tags are not part of the token: they do not make a different flow log.
    assert fl.client_token(fl.desired_spec(params(tags={"a": "1"}))) == fl.client_token(fl.desired_spec(params()))


@pytest.mark.parametrize(
    "change",
    [
        {"resource_id": "vpc-2"},
        {"log_group_name": "/other"},
        {"traffic_type": "REJECT"},
        {"deliver_logs_permission_arn": OTHER_ROLE},
        {"max_aggregation_interval": 60},
        {"log_format": "${version}"},
    ],
)
def test_client_token_changes_with_the_request(change):
    assert fl.client_token(fl.desired_spec(params(**change))) != fl.client_token(fl.desired_spec(params()))


def test_client_token_changes_with_replaced_flow_log_and_salt():
    spec = fl.desired_spec(params())
    tokens = {fl.client_token(spec), fl.client_token(spec, ["fl-1"]), fl.client_token(spec, salt="fl-1")}
    assert len(tokens) == 3
    assert fl.client_token(spec, ["fl-1", "fl-2"]) == fl.client_token(spec, ["fl-2", "fl-1"])


# --- request and result shaping ------------------------------------------------


def test_create_params_cloudwatch():
    spec = fl.desired_spec(params())
    request = fl.create_params(spec, {"Name": "x"}, "tok")
    assert request == {
        "ResourceIds": ["vpc-1"],
        "ResourceType": "VPC",
        "LogDestinationType": "cloud-watch-logs",
        "LogGroupName": "/vpc/flow-logs",
        "TrafficType": "ALL",
        "DeliverLogsPermissionArn": ROLE,
        "MaxAggregationInterval": 600,
        "ClientToken": "tok",
        "TagSpecifications": [{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "Name", "Value": "x"}]}],
    }


def test_create_params_transit_gateway_has_no_traffic_type():
    spec = fl.desired_spec(
        params(resource_type="TransitGateway", resource_id="tgw-1", log_destination_type="s3", log_group_name=None)
    )
    spec["log_destination"] = "arn:aws:s3:::b"
    request = fl.create_params(spec, {}, "tok")
    assert "TrafficType" not in request
    assert "TagSpecifications" not in request
    assert request["LogDestination"] == "arn:aws:s3:::b"


def test_format_flow_log_snake_cases_and_keeps_tag_keys():
    result = fl.format_flow_log(live(Tags=[{"Key": "CamelKey", "Value": "v"}]))
    assert result["flow_log_id"] == "fl-1"
    assert result["deliver_logs_permission_arn"] == ROLE
    assert result["tags"] == {"CamelKey": "v"}
    assert fl.format_flow_log(None) == {}


# --- behaviour with a fake EC2 client -------------------------------------------


class FakeModuleFailed(Exception):
    pass


class FakeModule:
    def __init__(self, check_mode=False, **overrides):
        self.params = params(**overrides)
        self.check_mode = check_mode
        self._diff = True

    def fail_json(self, **kwargs):
        raise FakeModuleFailed(kwargs["msg"])

    def fail_json_aws(self, exception, msg=None, **kwargs):
        raise FakeModuleFailed(f"{msg}: {exception}")


class FakePaginator:
    """describe_flow_logs paginator over FakeEC2's flow logs, honouring ids and the resource-id filter."""

    def __init__(self, client):
        self.client = client
        self.request = {}

    def paginate(self, **request):
        self.request = request
        return self

    def build_full_result(self):
        logs = list(self.client.flow_logs.values())
        if self.request.get("FlowLogIds"):
            logs = [log for log in logs if log["FlowLogId"] in self.request["FlowLogIds"]]
        for name_values in self.request.get("Filters", []):
            assert name_values["Name"] == "resource-id"
            logs = [log for log in logs if log["ResourceId"] in name_values["Values"]]
        return {"FlowLogs": [dict(log) for log in logs]}


class FakeEC2:
    """Just enough of EC2 to drive the module functions; records mutating calls."""

    def __init__(self, flow_logs=(), replay=None):
        self.flow_logs = {log["FlowLogId"]: log for log in flow_logs}
        self.replay = replay or {}  # client token -> stale flow log id AWS answers with
        self.calls = []

    def get_paginator(self, name):
        assert name == "describe_flow_logs"
        return FakePaginator(self)

    def create_flow_logs(self, aws_retry=False, **request):
        self.calls.append(("create_flow_logs", request))
        token = request["ClientToken"]
        if token in self.replay:
            return {"FlowLogIds": [self.replay[token]], "Unsuccessful": []}
        new_id = f"fl-new{len(self.calls)}"
        tags = request["TagSpecifications"][0]["Tags"] if "TagSpecifications" in request else []
        self.flow_logs[new_id] = live(FlowLogId=new_id, TrafficType=request.get("TrafficType"), Tags=tags)
        return {"FlowLogIds": [new_id], "Unsuccessful": []}

    def delete_flow_logs(self, aws_retry=False, FlowLogIds=()):
        self.calls.append(("delete_flow_logs", list(FlowLogIds)))
        for flow_log_id in FlowLogIds:
            self.flow_logs.pop(flow_log_id, None)
        return {"Unsuccessful": []}


@pytest.fixture
def ec2_factory(monkeypatch):
    monkeypatch.setattr(fl, "VISIBLE_DELAY", 0)
    return FakeEC2


def test_stale_client_token_is_salted_and_retried(ec2_factory):
    spec = fl.desired_spec(params())
    first_token = fl.client_token(spec)
    client = ec2_factory(replay={first_token: "fl-deleted"})

    created = fl.create_flow_log(client, FakeModule(), spec, {}, [])

    tokens = [request["ClientToken"] for _name, request in client.calls]
    assert tokens == [first_token, fl.client_token(spec, salt="fl-deleted")]
    assert created["FlowLogId"] in client.flow_logs


def test_check_mode_reports_replacement_without_mutating(ec2_factory):
    client = ec2_factory(flow_logs=[live()])
    module = FakeModule(check_mode=True, traffic_type="REJECT")

    result = fl.ensure_present(client, module, fl.desired_spec(module.params))

    assert result["changed"] is True
    assert result["replaced_settings"] == ["traffic_type"]
    assert result["diff"]["before"]["traffic_type"] == "ALL"
    assert result["diff"]["after"]["traffic_type"] == "REJECT"
    assert client.calls == []


def test_replacement_deletes_then_creates_and_keeps_tags(ec2_factory):
    client = ec2_factory(flow_logs=[live()])
    module = FakeModule(traffic_type="REJECT")

    result = fl.ensure_present(client, module, fl.desired_spec(module.params))

    assert [name for name, _request in client.calls] == ["delete_flow_logs", "create_flow_logs"]
    create_request = client.calls[1][1]
    assert create_request["ClientToken"] == fl.client_token(
        fl.planned_spec(fl.desired_spec(module.params), live()), ["fl-1"]
    )
    assert result["flow_log"]["traffic_type"] == "REJECT"
    assert result["flow_log"]["tags"] == {"Name": "x"}


def test_matching_flow_log_is_left_alone(ec2_factory):
    client = ec2_factory(flow_logs=[live()])
    module = FakeModule()

    result = fl.ensure_present(client, module, fl.desired_spec(module.params))

    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]
    assert client.calls == []


def test_absent_in_check_mode_does_not_delete(ec2_factory):
    client = ec2_factory(flow_logs=[live()])
    module = FakeModule(check_mode=True, state="absent")

    result = fl.ensure_absent(client, module, fl.desired_spec(module.params))

    assert result["changed"] is True
    assert result["diff"]["before"]["flow_log_ids"] == ["fl-1"]
    assert client.calls == []


def test_duplicates_are_deleted_and_the_matching_one_kept(ec2_factory):
    client = ec2_factory(flow_logs=[live(FlowLogId="fl-a", TrafficType="REJECT"), live(FlowLogId="fl-b")])
    module = FakeModule()

    result = fl.ensure_present(client, module, fl.desired_spec(module.params))

    assert result["changed"] is True
    assert result["replaced_settings"] == []
    assert result["diff"]["before"]["duplicate_flow_log_ids"] == ["fl-a"]
    assert client.calls == [("delete_flow_logs", ["fl-a"])]
    assert list(client.flow_logs) == ["fl-b"]
