#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cognito_app_client
short_description: Create, update and delete a Cognito user pool app client
description:
  - Creates, updates and deletes an app client of an Amazon Cognito user pool.
  - An app client is identified by O(user_pool_id) and O(name); the module lists the
    pool's clients and matches the name before creating, and refuses to act when two
    clients share the name. CreateUserPoolClient takes no client token, so it is sent once;
    when its answer is lost, the client is looked up by name before another is created.
  - Whether the client has a secret is fixed at creation; a different O(generate_secret)
    for an existing client is refused with a message naming the setting.
  - UpdateUserPoolClient resets every setting it is not given, so the module always sends
    every setting it manages.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description: V(present) ensures the client exists with the given settings; V(absent) deletes it.
    choices: ["present", "absent"]
    default: present
    type: str
  user_pool_id:
    description: The ID of the user pool.
    required: true
    type: str
  name:
    description: The name of the app client.
    required: true
    type: str
  generate_secret:
    description: Whether the client has a secret (mobile and browser apps have none).
    type: bool
    default: false
  explicit_auth_flows:
    description: The authentication flows, for example V(ALLOW_USER_SRP_AUTH) and V(ALLOW_REFRESH_TOKEN_AUTH).
    type: list
    elements: str
    default: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  access_token_validity_minutes:
    description: Access token validity, 5 to 1440 minutes.
    type: int
    default: 60
  id_token_validity_minutes:
    description: ID token validity, 5 to 1440 minutes.
    type: int
    default: 60
  refresh_token_validity_days:
    description: Refresh token validity, 1 to 3650 days.
    type: int
    default: 30
  callback_urls:
    description: Where the hosted UI may redirect after sign-in. Empty means the hosted UI is not used.
    type: list
    elements: str
    default: []
  logout_urls:
    description: Where the hosted UI may redirect after sign-out.
    type: list
    elements: str
    default: []
  allowed_oauth_flows:
    description: OAuth flows of the hosted UI (V(code), V(implicit), V(client_credentials)); used only with O(callback_urls).
    type: list
    elements: str
    default: ["code"]
  allowed_oauth_scopes:
    description: OAuth scopes the client may request; used only with O(callback_urls).
    type: list
    elements: str
    default: ["openid", "email", "profile"]
  prevent_user_existence_errors:
    description: Whether authentication errors hide whether the user exists.
    type: bool
    default: true
  enable_token_revocation:
    description: Whether refresh tokens can be revoked.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A mobile app client without secret, SRP and refresh tokens, using the hosted UI
  cognito_app_client:
    user_pool_id: eu-west-1_abc
    name: mobile
    access_token_validity_minutes: 60
    refresh_token_validity_days: 30
    callback_urls: ["myapp://callback"]
"""

RETURN = r"""
client:
  description: The client (id and name); empty when it does not exist (or in check mode before creation).
  returned: always
  type: dict
  sample: {"client_id": "1example23456789", "name": "mobile"}
changes:
  description: The settings that differ (or V(create)/V(delete)).
  returned: always
  type: list
  elements: str
  sample: ["ExplicitAuthFlows"]
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible.module_utils.create_once import create_once
from ansible.module_utils.create_once import no_resend_client

UNITS = {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}


def desired_settings(params):
    hosted_ui = bool(params["callback_urls"])
    settings = {
        "ExplicitAuthFlows": sorted(params["explicit_auth_flows"]),
        "AccessTokenValidity": params["access_token_validity_minutes"],
        "IdTokenValidity": params["id_token_validity_minutes"],
        "RefreshTokenValidity": params["refresh_token_validity_days"],
        "TokenValidityUnits": dict(UNITS),
        "CallbackURLs": sorted(params["callback_urls"]),
        "LogoutURLs": sorted(params["logout_urls"]),
        "AllowedOAuthFlows": sorted(params["allowed_oauth_flows"]) if hosted_ui else [],
        "AllowedOAuthScopes": sorted(params["allowed_oauth_scopes"]) if hosted_ui else [],
        "AllowedOAuthFlowsUserPoolClient": hosted_ui,
        "SupportedIdentityProviders": ["COGNITO"] if hosted_ui else [],
        "PreventUserExistenceErrors": "ENABLED" if params["prevent_user_existence_errors"] else "LEGACY",
        "EnableTokenRevocation": params["enable_token_revocation"],
    }
    return settings


def live_settings(client_description):
    live = {}
    for key, value in desired_settings_template().items():
        current = client_description.get(key, value)
        live[key] = sorted(current) if isinstance(current, list) else current
    live["TokenValidityUnits"] = {k: (client_description.get("TokenValidityUnits") or {}).get(k, v)
                                  for k, v in {"AccessToken": "hours", "IdToken": "hours",
                                               "RefreshToken": "days"}.items()}
    return live


def desired_settings_template():
    """Every managed key with AWS's value when the key is not reported."""
    return {"ExplicitAuthFlows": [], "AccessTokenValidity": None, "IdTokenValidity": None,
            "RefreshTokenValidity": 30, "TokenValidityUnits": {}, "CallbackURLs": [], "LogoutURLs": [],
            "AllowedOAuthFlows": [], "AllowedOAuthScopes": [], "AllowedOAuthFlowsUserPoolClient": False,
            "SupportedIdentityProviders": [], "PreventUserExistenceErrors": "LEGACY",
            "EnableTokenRevocation": True}


def differences(live, desired):
    return sorted(key for key in desired if live.get(key) != desired[key])


def request(settings):
    """The request form: empty lists left out (AWS refuses empty OAuth lists with the flag off)."""
    return {key: value for key, value in settings.items() if value != []}


@AWSRetry.jittered_backoff()
def _list_clients(client, pool_id):
    paginator = client.get_paginator("list_user_pool_clients")
    return paginator.paginate(UserPoolId=pool_id, MaxResults=60).build_full_result()["UserPoolClients"]


def call(module, method, what, **params):
    try:
        return method(aws_retry=True, **params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to {what}")


def find_client(client, module):
    params = module.params
    try:
        matches = [c for c in _list_clients(client, params["user_pool_id"]) if c["ClientName"] == params["name"]]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to list the app clients")
    if len(matches) > 1:
        module.fail_json(msg=f"{len(matches)} app clients of {params['user_pool_id']} are named {params['name']}; "
                             "refusing to act on any of them")
    if not matches:
        return None
    return call(module, client.describe_user_pool_client, "describe the app client",
                UserPoolId=params["user_pool_id"], ClientId=matches[0]["ClientId"])["UserPoolClient"]


def create_client(client, module, desired):
    """CreateUserPoolClient takes no client token: sent once, and after a lost answer the client is
    looked up by name in the pool."""
    params = module.params
    creator = no_resend_client(module, "cognito-idp")
    try:
        return create_once(lambda: creator.create_user_pool_client(
            UserPoolId=params["user_pool_id"], ClientName=params["name"], GenerateSecret=params["generate_secret"],
            **request(desired))["UserPoolClient"], lambda: find_client(client, module))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to create the app client")


def main():
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        user_pool_id=dict(required=True),
        name=dict(required=True),
        generate_secret=dict(type="bool", default=False),
        explicit_auth_flows=dict(type="list", elements="str",
                                 default=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]),
        access_token_validity_minutes=dict(type="int", default=60),
        id_token_validity_minutes=dict(type="int", default=60),
        refresh_token_validity_days=dict(type="int", default=30),
        callback_urls=dict(type="list", elements="str", default=[]),
        logout_urls=dict(type="list", elements="str", default=[]),
        allowed_oauth_flows=dict(type="list", elements="str", default=["code"]),
        allowed_oauth_scopes=dict(type="list", elements="str", default=["openid", "email", "profile"]),
        prevent_user_existence_errors=dict(type="bool", default=True),
        enable_token_revocation=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    try:
        client = module.client("cognito-idp", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    current = find_client(client, module)
    desired = desired_settings(params)
    result = {"changed": False, "changes": [], "client": {}}
    before = {"name": params["name"], **live_settings(current)} if current else {}

    if params["state"] == "absent":
        if current:
            result.update(changed=True, changes=["delete"])
            if not module.check_mode:
                call(module, client.delete_user_pool_client, "delete the app client",
                     UserPoolId=params["user_pool_id"], ClientId=current["ClientId"])
        if module._diff:
            result["diff"] = {"before": before, "after": {}}
        module.exit_json(**result)

    after = {"name": params["name"], **desired}
    if current is None:
        result.update(changed=True, changes=["create"])
        if not module.check_mode:
            created = create_client(client, module, desired)
            result["client"] = {"client_id": created["ClientId"], "name": params["name"]}
    else:
        has_secret = bool(current.get("ClientSecret"))
        if has_secret != params["generate_secret"]:
            module.fail_json(msg=f"generate_secret: AWS cannot add or remove the secret of an existing client "
                                 f"(it has {'a' if has_secret else 'no'} secret); delete the client to change it")
        changes = differences(live_settings(current), desired)
        result.update(changed=bool(changes), changes=changes,
                      client={"client_id": current["ClientId"], "name": params["name"]})
        if changes and not module.check_mode:
            call(module, client.update_user_pool_client, "update the app client",
                 UserPoolId=params["user_pool_id"], ClientId=current["ClientId"], ClientName=params["name"],
                 **request(desired))
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
