"""The drift report without AWS: diffs -> per-setting findings (callback_plugins/drift_recorder.py)
and findings -> table (filter_plugins/drift.py)."""

import importlib.util
import json

from filter_plugins.drift import drift_findings, drift_table
from tests.conftest import REPO_ROOT

_spec = importlib.util.spec_from_file_location("drift_recorder", REPO_ROOT / "callback_plugins" / "drift_recorder.py")
recorder = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(recorder)


def rows(findings):
    return [(f["resource"], f["setting"], f["declared"], f["live"]) for f in findings]


# --- flattening ----------------------------------------------------------------------------

def test_nested_dicts_become_dotted_settings_with_declared_and_live_values():
    live = {"billing_mode": "PAY_PER_REQUEST", "sse": {"enabled": True, "key": "k1"}, "tags": {"a": "1"}}
    declared = {"billing_mode": "PAY_PER_REQUEST", "sse": {"enabled": True, "key": "k2"}, "tags": {"a": "1"}}
    assert recorder.flatten_differences(live, declared) == [("sse.key", "k2", "k1")]


def test_a_top_level_key_only_the_live_side_has_is_not_a_setting_but_an_extra_tag_is():
    live = {"arn": "arn:aws:x", "tags": {"a": "1", "extra": "2"}}
    declared = {"tags": {"a": "1"}}
    assert recorder.flatten_differences(live, declared) == [("tags.extra", None, "2")]


def test_lists_compare_as_sets_one_row_per_element_on_one_side_only():
    assert recorder.flatten_differences({"subnets": ["b", "a", "c"]}, {"subnets": ["a", "b", "d"]}) == \
        [("subnets", "d", None), ("subnets", None, "c")]
    assert recorder.flatten_differences({"subnets": ["b", "a"]}, {"subnets": ["a", "b"]}) == []


def test_text_diffs_give_the_changed_lines():
    assert recorder.text_differences("a\nb\nc\n", "a\nB\nc\n") == [("(text)", "B", "b")]


# --- task results -> findings ----------------------------------------------------------------

def test_a_per_resource_diff_names_each_resource():
    result = {"changed": True, "log_groups": [{"name": "/g1"}, {"name": "/g2"}], "diff": {
        "before": {"/g1": {"retention_days": 30, "kms_key_id": "k", "tags": {}},
                   "/g2": {"retention_days": 7, "kms_key_id": "k", "tags": {}}},
        "after": {"/g1": {"retention_days": 7, "kms_key_id": "k", "tags": {}},
                  "/g2": {"retention_days": 7, "kms_key_id": "k", "tags": {}}}}}
    assert rows(recorder.diff_findings(result, "task name")) == [("/g1", "retention_days", 7, 30)]


def test_a_resource_the_run_would_create_is_one_row():
    result = {"changed": True, "log_groups": [], "diff": {"before": {}, "after": {"/g1": {"retention_days": 7}}}}
    assert rows(recorder.diff_findings(result, "t")) == [("/g1", "(resource)", "present", "absent")]


def test_the_resource_is_named_from_the_result_not_from_the_loop_item():
    result = {"changed": True, "item": {"name": "todos"}, "table": {"table_name": "rtap-local-todos"},
              "diff": {"before": {"point_in_time_recovery": False, "billing_mode": "PAY_PER_REQUEST"},
                       "after": {"point_in_time_recovery": True, "billing_mode": "PAY_PER_REQUEST"}}}
    assert rows(recorder.diff_findings(result, "todos")) == [("rtap-local-todos", "point_in_time_recovery", True, False)]


def test_an_extra_security_group_rule_is_one_row_and_shape_differences_are_not_drift():
    """ec2_security_group: the live side comes from DescribeSecurityGroups, the declared side from
    the module's rules (other keys, the group's description on group pairs, ports as given)."""
    live_rules = [
        {"ip_protocol": "tcp", "from_port": 8080, "to_port": 8080, "ip_ranges": [], "ipv6_ranges": [],
         "prefix_list_ids": [], "user_id_group_pairs": [
             {"description": "From the load balancers", "group_id": "sg-alb", "user_id": "123456789012"}]},
        {"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "ip_ranges": [{"cidr_ip": "203.0.113.0/24"}],
         "ipv6_ranges": [], "prefix_list_ids": [], "user_id_group_pairs": []},
    ]
    declared_rules = [
        {"ip_protocol": "tcp", "from_port": 8080, "to_port": 8080, "ip_ranges": [], "ipv6_ranges": [],
         "prefix_list_ids": [], "user_id_group_pairs": [
             {"description": "Services behind the load balancers", "group_id": "sg-alb",
              "group_name": "rtap-local-alb", "user_id": "123456789012", "vpc_id": "vpc-1"}]},
    ]
    egress = [{"ip_protocol": "-1", "ip_ranges": [{"cidr_ip": "0.0.0.0/0"}]}]
    result = {"changed": True, "group_name": "rtap-local-app", "group_id": "sg-app", "diff": [{
        "before": {"group_name": "rtap-local-app", "ip_permissions": live_rules, "ip_permissions_egress": egress,
                   "security_group_arn": "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-app"},
        "after": {"group_name": "rtap-local-app", "ip_permissions": declared_rules, "ip_permissions_egress": egress},
    }]}
    assert rows(recorder.diff_findings(result, "t")) == \
        [("rtap-local-app", "ip_permissions", None, "tcp 22 from 203.0.113.0/24")]


def test_a_change_without_a_diff_is_still_reported():
    result = {"changed": True, "changes": ["enable point-in-time recovery"], "name": "rtap-local-todos"}
    assert rows(recorder.diff_findings(result, "t")) == \
        [("rtap-local-todos", "(not reported by the module)", "enable point-in-time recovery", None)]


# --- report ----------------------------------------------------------------------------------

def finding(resource, setting, declared, live, role="network", task="Create it"):
    return {"host": "localhost", "role": role, "task": task, "resource": resource, "setting": setting,
            "declared": declared, "live": live}


def test_the_record_is_read_back_without_duplicates_in_a_stable_order():
    one = finding("/g1", "retention_days", 7, 30)
    two = finding("rtap-local-todos", "point_in_time_recovery", True, False, role="dynamodb")
    record = "\n".join(json.dumps(f) for f in (one, two, one)) + "\n"
    assert drift_findings(record) == [two, one]
    assert drift_findings("") == []


def test_the_table_shows_resource_setting_declared_and_live_values():
    table = drift_table([finding("/g1", "retention_days", 7, 30),
                         finding("rtap-local-app", "ip_permissions", None, "tcp 22 from 203.0.113.0/24")])
    lines = table.splitlines()
    assert lines[0].split() == ["resource", "setting", "declared", "live", "task"]
    assert lines[2].split() == ["/g1", "retention_days", "7", "30", "network", ":", "Create", "it"]
    assert lines[3].split()[:3] == ["rtap-local-app", "ip_permissions", "(absent)"]
    assert "tcp 22 from 203.0.113.0/24" in lines[3]
    assert lines[-1] == "2 setting(s) drifted on 2 resource(s)"


def test_an_empty_report_says_so():
    assert drift_table([]) == "No drift: every resource matches its declared settings."
