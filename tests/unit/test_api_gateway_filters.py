"""Unit tests for filter_plugins/api_gateway.py: every bad value is named; usage plans take the module's shape."""

import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "filter_plugins"))
from api_gateway import api_gateway_input_errors, api_gateway_module_keys, api_gateway_module_plans  # noqa: E402

DEFAULTS = yaml.safe_load((REPO / "roles/api_gateway/defaults/main.yml").read_text())


def settings(**overrides):
    values = {key: value for key, value in DEFAULTS.items() if key.startswith("api_gateway_")}
    values["api_gateway_name"] = "rtap-local-api"
    values.update(overrides)
    return values


def test_the_defaults_are_valid():
    assert api_gateway_input_errors(settings()) == []


@pytest.mark.parametrize("overrides, variable", [
    ({"api_gateway_authorizer": "iam"}, "api_gateway_authorizer:"),
    ({"api_gateway_authorizer_token_use": ["refresh"]}, "api_gateway_authorizer_token_use:"),
    ({"api_gateway_cors_allow_origin": "https://a.example.com'"}, "api_gateway_cors_allow_origin:"),
    ({"api_gateway_presigned_url_seconds": 86400}, "api_gateway_presigned_url_seconds:"),
    ({"api_gateway_throttle_rate_limit": 0}, "api_gateway_throttle_rate_limit:"),
    ({"api_gateway_cache_size": "2"}, "api_gateway_cache_size:"),
    ({"api_gateway_cached_methods": ["/todos/POST"]}, "api_gateway_cached_methods:"),
    ({"api_gateway_stages": []}, "api_gateway_stages:"),
    ({"api_gateway_stages": [{"name": "v1"}, {"name": "v1"}]}, "api_gateway_stages[1].name:"),
    ({"api_gateway_stages": [{"name": "v1", "canary": {"percent_traffic": 101}}]}, "api_gateway_stages[0].canary.percent_traffic:"),
    ({"api_gateway_stages": [{"name": "v1", "throttle": 5}]}, "api_gateway_stages[0]: unknown key"),
    ({"api_gateway_http_routes": [{"path": "/todos", "url": "https://a.example.com"}]}, "api_gateway_http_routes[0].path:"),
    ({"api_gateway_http_routes": [{"path": "/orders", "url": "http://orders.example.com"}]}, "api_gateway_http_routes[0].url:"),
    ({"api_gateway_http_routes": [{"path": "/orders", "url": "http://orders.internal", "vpc_link": "nope"}]},
     "api_gateway_http_routes[0].vpc_link:"),
    ({"api_gateway_vpc_links": [{"name": "svc", "target_arns": ["arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/x/y"]}]},
     "api_gateway_vpc_links[0].target_arns:"),
    ({"api_gateway_usage_plans": [{"name": "p", "keys": ["missing"]}]}, "api_gateway_usage_plans[0].keys:"),
    ({"api_gateway_usage_plans": [{"name": "p", "quota": {"limit": 10, "period": "YEAR"}}]}, "api_gateway_usage_plans[0].quota:"),
    ({"api_gateway_usage_plans": [{"name": "p", "throttle": {"rate_limit": 0, "burst_limit": 1}}]}, "api_gateway_usage_plans[0].throttle:"),
    ({"api_gateway_api_keys": [{"name": "a b"}]}, "api_gateway_api_keys[0].name:"),
    ({"api_gateway_secret_recovery_days": 3}, "api_gateway_secret_recovery_days:"),
])
def test_each_bad_value_is_reported_with_its_variable(overrides, variable):
    errors = api_gateway_input_errors(settings(**overrides))
    assert any(error.startswith(variable) for error in errors), errors


def test_a_vpc_link_route_may_use_plain_http_inside_the_vpc():
    links = [{"name": "services", "target_arns": ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/int/abc"]}]
    routes = [{"path": "/orders", "url": "http://orders.internal:8080", "vpc_link": "services"}]
    assert api_gateway_input_errors(settings(api_gateway_vpc_links=links, api_gateway_http_routes=routes)) == []


def test_usage_plans_apply_to_every_stage_with_prefixed_names():
    plans = api_gateway_module_plans(DEFAULTS["api_gateway_usage_plans"], "rtap-dev", "abc123", ["v1", "v2"])
    assert plans == [{"name": "rtap-dev-mobile", "description": "The mobile app",
                      "api_stages": [{"api_id": "abc123", "stage": "v1"}, {"api_id": "abc123", "stage": "v2"}],
                      "keys": ["rtap-dev-mobile-app"], "throttle": {"rate_limit": 50, "burst_limit": 100},
                      "quota": {"limit": 1000000, "period": "DAY"}}]
    keys = api_gateway_module_keys(DEFAULTS["api_gateway_api_keys"], "rtap-dev")
    assert keys[0]["name"] == "rtap-dev-mobile-app" and keys[0]["secret_name"] == "rtap-dev/api-keys/mobile-app"
