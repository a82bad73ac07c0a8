"""Unit tests for library/wafv2_web_acl_config.py: the pure logic, without AWS."""

import importlib.util
from pathlib import Path

MODULE_PATH = Path(__file__).resolve().parents[2] / "library" / "wafv2_web_acl_config.py"
_spec = importlib.util.spec_from_file_location("wafv2_web_acl_config", MODULE_PATH)
mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mod)

STAGE = "arn:aws:apigateway:eu-west-1::/restapis/abc/stages/{}"
GROUP = "arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-shop"


def test_plan_associations_adds_missing_and_purges_others():
    current = [STAGE.format("v1"), STAGE.format("old")]
    wanted = [STAGE.format("v1"), STAGE.format("v2")]
    assert mod.plan_associations(current, wanted, True) == (
        [STAGE.format("v2")], [STAGE.format("old")], sorted([STAGE.format("v1"), STAGE.format("v2")]))
    to_associate, to_disassociate, after = mod.plan_associations(current, wanted, False)
    assert to_disassociate == [] and STAGE.format("old") in after
    assert mod.plan_associations(wanted, wanted, True)[:2] == ([], [])


def test_logging_view_compares_headers_case_insensitively():
    live = {"ResourceArn": "acl", "LogDestinationConfigs": [GROUP],
            "RedactedFields": [{"SingleHeader": {"Name": "Authorization"}}, {"UriPath": {}}]}
    params = {"state": "present", "log_destination": GROUP, "redacted_headers": ["authorization"]}
    assert mod.logging_view(live) == mod.desired_logging(params) == {
        "log_destination": GROUP, "redacted_headers": ["authorization"]}
    assert mod.logging_view(None) == {}
    assert mod.desired_logging(dict(params, log_destination=None)) == {}
    assert mod.desired_logging(dict(params, state="absent")) == {}


def test_logging_request_shape():
    request = mod.logging_request("acl-arn", {"log_destination": GROUP, "redacted_headers": ["authorization"]})
    assert request == {"ResourceArn": "acl-arn", "LogDestinationConfigs": [GROUP],
                       "RedactedFields": [{"SingleHeader": {"Name": "authorization"}}]}
