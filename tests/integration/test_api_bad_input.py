"""Bad api layer input fails in the pre-flight play, naming the variable, before any change.

More cases of each rule are unit tests of the checks (tests/unit/test_api_gateway_filters.py):
each run here costs seconds.
"""

import json

import pytest

from tests.playbook import run_playbook

CASES = {
    "unknown authorizer": ({"api_gateway_authorizer": "iam"}, "api_gateway_authorizer"),
    "two stages with one name": ({"api_gateway_stages": [{"name": "v1"}, {"name": "v1"}]},
                                 "api_gateway_stages[1].name: 'v1' is listed twice"),
    "canary over 100 percent": ({"api_gateway_stages": [{"name": "v1", "canary": {"percent_traffic": 150}}]},
                                "api_gateway_stages[0].canary.percent_traffic"),
    "plan naming an unknown key": ({"api_gateway_usage_plans": [{"name": "partners", "keys": ["nobody"]}]},
                                   "api_gateway_usage_plans[0].keys: 'nobody' is not a name in api_gateway_api_keys"),
    "plain http backend on the internet": (
        {"api_gateway_http_routes": [{"path": "/orders", "url": "http://orders.example.com"}]},
        "api_gateway_http_routes[0].url: a backend on the internet must use https"),
    "pre-signed URLs that live a day": ({"api_gateway_presigned_url_seconds": 86400}, "api_gateway_presigned_url_seconds"),
    "threat protection without the Plus plan": (
        {"cognito_advanced_security_mode": "ENFORCED", "cognito_feature_plan": "ESSENTIALS"}, "cognito_feature_plan"),
}


@pytest.mark.parametrize("extra_vars, expected", CASES.values(), ids=CASES.keys())
def test_bad_api_input_fails_before_any_change(fresh_emulator, aws_env, aws_client, tmp_path, extra_vars, expected):
    run = run_playbook(aws_env, "playbooks/api.yml", "-e", json.dumps(extra_vars), artifacts=tmp_path)

    assert run.returncode != 0
    assert expected in run.output, run.output[-3000:]
    assert run.recap["changed"] == 0
    assert aws_client("apigateway").get_rest_apis()["items"] == []
    assert aws_client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"] == []
    assert aws_client("lambda").list_functions()["Functions"] == []
