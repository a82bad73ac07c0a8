"""Unit tests for library/cognito_*.py: the pure logic, without AWS."""

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def load(name):
    spec = importlib.util.spec_from_file_location(name, REPO / "library" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pool_mod = load("cognito_user_pool")
client_mod = load("cognito_app_client")
identity_mod = load("cognito_identity_pool")

POOL_PARAMS = {"password_policy": {"minimum_length": 12}, "auto_verified_attributes": ["email"],
               "verification_email_option": "CONFIRM_WITH_CODE", "mfa_configuration": "OFF",
               "advanced_security_mode": "OFF", "username_attributes": ["email"]}


def test_pool_settings_fill_policy_defaults_and_match_a_described_pool():
    desired = pool_mod.pool_settings(POOL_PARAMS)
    assert desired["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 12, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": True, "TemporaryPasswordValidityDays": 7}
    described = {"Policies": desired["Policies"], "AutoVerifiedAttributes": ["email"], "MfaConfiguration": "OFF",
                 "UserPoolAddOns": {"AdvancedSecurityMode": "OFF"}, "Id": "x", "Arn": "y"}
    assert pool_mod.live_settings(described) == desired


def test_username_attributes_of_an_existing_pool_are_refused_not_replaced():
    errors = pool_mod.immutable_errors({"UsernameAttributes": ["email"]}, dict(POOL_PARAMS, username_attributes=[]))
    assert len(errors) == 1 and errors[0].startswith("username_attributes: AWS cannot change them")
    assert pool_mod.immutable_errors({"UsernameAttributes": ["email"]}, POOL_PARAMS) == []


def test_group_changes():
    live = [{"GroupName": "admins", "Description": "A", "Precedence": 1}, {"GroupName": "old", "Precedence": 5}]
    wanted = [{"name": "admins", "description": "A", "precedence": 2}, {"name": "users", "description": ""}]
    create, update, delete = pool_mod.group_changes(live, wanted, purge=True)
    assert [g["name"] for g in create] == ["users"] and [g["name"] for g in update] == ["admins"]
    assert delete == ["old"]
    assert pool_mod.group_changes(live, wanted, purge=False)[2] == []


def test_resource_server_scopes_compare_in_any_order():
    live = [{"Identifier": "https://api", "Name": "api", "Scopes": [
        {"ScopeName": "b", "ScopeDescription": "B"}, {"ScopeName": "a", "ScopeDescription": "A"}]}]
    same = [{"identifier": "https://api", "name": "api", "scopes": [{"name": "a", "description": "A"},
                                                                    {"name": "b", "description": "B"}]}]
    assert pool_mod.resource_server_changes(live, same, True) == ([], [], [])
    more = [dict(same[0], scopes=same[0]["scopes"] + [{"name": "c", "description": "C"}])]
    assert pool_mod.resource_server_changes(live, more, True)[1] == more


CLIENT_PARAMS = {"explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                 "access_token_validity_minutes": 60, "id_token_validity_minutes": 60,
                 "refresh_token_validity_days": 30, "callback_urls": [], "logout_urls": [],
                 "allowed_oauth_flows": ["code"], "allowed_oauth_scopes": ["openid"],
                 "prevent_user_existence_errors": True, "enable_token_revocation": True}


def test_app_client_without_hosted_ui_sends_no_oauth_settings():
    desired = client_mod.desired_settings(CLIENT_PARAMS)
    assert desired["AllowedOAuthFlowsUserPoolClient"] is False
    request = client_mod.request(desired)
    assert "AllowedOAuthFlows" not in request and "CallbackURLs" not in request
    assert request["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}


def test_app_client_differences_name_the_settings():
    desired = client_mod.desired_settings(CLIENT_PARAMS)
    described = dict(client_mod.request(desired), ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])
    assert client_mod.differences(client_mod.live_settings(described), desired) == ["ExplicitAuthFlows"]
    assert client_mod.differences(client_mod.live_settings(client_mod.request(desired)), desired) == []


def test_identity_pool_roles_left_alone_unless_given():
    params = {"authenticated_role_arn": None, "unauthenticated_role_arn": None}
    assert identity_mod.desired_roles(params) is None
    params["authenticated_role_arn"] = "arn:aws:iam::123456789012:role/r"
    assert identity_mod.desired_roles(params) == {"authenticated": "arn:aws:iam::123456789012:role/r"}


def test_threat_protection_gets_the_plus_feature_plan():
    enforced = dict(POOL_PARAMS, advanced_security_mode="ENFORCED")
    assert pool_mod.pool_settings(enforced)["UserPoolTier"] == "PLUS"
    assert pool_mod.feature_plan_errors(enforced) == []
    assert "feature_plan" in pool_mod.feature_plan_errors(dict(enforced, feature_plan="ESSENTIALS"))[0]


def test_without_threat_protection_the_pool_keeps_its_feature_plan():
    assert "UserPoolTier" not in pool_mod.pool_settings(POOL_PARAMS)
    lite_pool = {"UserPoolTier": "LITE"}
    assert pool_mod.pool_settings(POOL_PARAMS, lite_pool)["UserPoolTier"] == "LITE"
    assert pool_mod.pool_settings(dict(POOL_PARAMS, feature_plan="ESSENTIALS"), lite_pool)["UserPoolTier"] == "ESSENTIALS"
