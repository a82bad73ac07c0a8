#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cognito_identity_pool
short_description: Create, update and delete a Cognito identity pool and its roles
description:
  - Creates, updates and deletes an Amazon Cognito identity pool, its Cognito user pool
    providers, its tags and (through SetIdentityPoolRoles) its authenticated and
    unauthenticated roles.
  - An identity pool is identified by its O(name). CreateIdentityPool takes no client token and
    AWS allows several pools with one name, so the module lists the pools and matches the name
    before creating; it refuses to act when two pools share the name. CreateIdentityPool is sent
    once; when its answer is lost, the pool is looked up by name before another is created.
  - Deleting a pool requires O(state=absent) and O(allow_delete=true).
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description: V(present) ensures the pool exists with the given settings; V(absent) deletes it.
    choices: ["present", "absent"]
    default: present
    type: str
  name:
    description: The name of the identity pool.
    required: true
    type: str
  allow_delete:
    description: Must be V(true) for O(state=absent) to delete the pool (its identities are lost).
    default: false
    type: bool
  allow_unauthenticated_identities:
    description: Whether guests (not signed in) get identities.
    default: false
    type: bool
  allow_classic_flow:
    description: Whether the basic (classic) authentication flow is allowed.
    default: false
    type: bool
  cognito_identity_providers:
    description: The user pool app clients whose tokens the pool accepts.
    type: list
    elements: dict
    default: []
    suboptions:
      provider_name:
        description: The user pool provider name, C(cognito-idp.<region>.amazonaws.com/<user pool id>).
        type: str
        required: true
      client_id:
        description: The app client id.
        type: str
        required: true
      server_side_token_check:
        description: Whether Cognito checks with the user pool that the user is still signed in.
        type: bool
        default: false
  authenticated_role_arn:
    description:
      - The role signed-in users assume. When neither this nor O(unauthenticated_role_arn) is set,
        the pool's roles are left as they are.
    type: str
  unauthenticated_role_arn:
    description: The role guests assume.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: An identity pool for the users of a user pool's mobile app client
  cognito_identity_pool:
    name: my_users
    cognito_identity_providers:
      - provider_name: cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc
        client_id: 1example23456789
  register: identity_pool

- name: Give signed-in users their role
  cognito_identity_pool:
    name: my_users
    cognito_identity_providers:
      - provider_name: cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc
        client_id: 1example23456789
    authenticated_role_arn: arn:aws:iam::123456789012:role/my-users-authenticated
"""

RETURN = r"""
identity_pool:
  description: The pool (id and name); empty when it does not exist (or in check mode before creation).
  returned: always
  type: dict
  sample: {"id": "eu-west-1:0000-1111", "name": "my_users", "roles": {"authenticated": "arn:aws:iam::123456789012:role/r"}}
changes:
  description: What the run changed (or would change in check mode).
  returned: always
  type: list
  elements: str
  sample: ["create", "roles"]
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible.module_utils.create_once import create_once
from ansible.module_utils.create_once import no_resend_client
from ansible.module_utils.tag_plan import plan_tags


def desired_settings(params):
    return {
        "AllowUnauthenticatedIdentities": params["allow_unauthenticated_identities"],
        "AllowClassicFlow": params["allow_classic_flow"],
        "CognitoIdentityProviders": sorted(
            ({"ProviderName": p["provider_name"], "ClientId": p["client_id"],
              "ServerSideTokenCheck": p["server_side_token_check"]} for p in params["cognito_identity_providers"]),
            key=lambda p: (p["ProviderName"], p["ClientId"])),
    }


def live_settings(pool):
    return {
        "AllowUnauthenticatedIdentities": bool(pool.get("AllowUnauthenticatedIdentities")),
        "AllowClassicFlow": bool(pool.get("AllowClassicFlow")),
        "CognitoIdentityProviders": sorted(
            ({"ProviderName": p.get("ProviderName"), "ClientId": p.get("ClientId"),
              "ServerSideTokenCheck": bool(p.get("ServerSideTokenCheck"))}
             for p in pool.get("CognitoIdentityProviders") or []),
            key=lambda p: (p["ProviderName"], p["ClientId"])),
    }


def desired_roles(params):
    """The Roles map for SetIdentityPoolRoles, or None to leave the roles alone."""
    roles = {"authenticated": params["authenticated_role_arn"], "unauthenticated": params["unauthenticated_role_arn"]}
    roles = {key: value for key, value in roles.items() if value}
    return roles or None


def call(module, method, what, **params):
    try:
        return method(aws_retry=True, **params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to {what}")


@AWSRetry.jittered_backoff()
def _list_pools(client):
    paginator = client.get_paginator("list_identity_pools")
    return paginator.paginate(MaxResults=60).build_full_result()["IdentityPools"]


def find_pool(client, module, name):
    try:
        matches = [p for p in _list_pools(client) if p["IdentityPoolName"] == name]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to list identity pools")
    if len(matches) > 1:
        module.fail_json(msg=f"{len(matches)} identity pools are named {name} "
                             f"({', '.join(sorted(p['IdentityPoolId'] for p in matches))}); refusing to act on any of them")
    if not matches:
        return None
    return call(module, client.describe_identity_pool, "describe the identity pool",
                IdentityPoolId=matches[0]["IdentityPoolId"])


def create_pool(client, module, desired):
    """CreateIdentityPool takes no client token: sent once, and after a lost answer the pool is looked up by name."""
    name = module.params["name"]
    creator = no_resend_client(module, "cognito-identity")
    try:
        return create_once(lambda: creator.create_identity_pool(
            IdentityPoolName=name, IdentityPoolTags=module.params["tags"] or {}, **desired),
            lambda: find_pool(client, module, name))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to create the identity pool")


def main():
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        name=dict(required=True),
        allow_delete=dict(type="bool", default=False),
        allow_unauthenticated_identities=dict(type="bool", default=False),
        allow_classic_flow=dict(type="bool", default=False),
        cognito_identity_providers=dict(type="list", elements="dict", default=[], options=dict(
            provider_name=dict(required=True),
            client_id=dict(required=True),
            server_side_token_check=dict(type="bool", default=False),
        )),
        authenticated_role_arn=dict(),
        unauthenticated_role_arn=dict(),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    try:
        client = module.client("cognito-identity", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    pool = find_pool(client, module, params["name"])
    result = {"changed": False, "changes": [], "identity_pool": {}}

    if params["state"] == "absent":
        if pool:
            if not params["allow_delete"]:
                module.fail_json(msg="allow_delete: deleting the identity pool loses its identities; "
                                     "set it to true to confirm")
            result.update(changed=True, changes=["delete"])
            if not module.check_mode:
                call(module, client.delete_identity_pool, "delete the identity pool",
                     IdentityPoolId=pool["IdentityPoolId"])
        if module._diff:
            result["diff"] = {"before": {"name": params["name"]} if pool else {}, "after": {}}
        module.exit_json(**result)

    desired = desired_settings(params)
    roles = desired_roles(params)
    changes = []
    before = {}
    if pool is None:
        changes.append("create")
        current_roles = {}
        if not module.check_mode:
            pool = create_pool(client, module, desired)
    else:
        current_tags = pool.get("IdentityPoolTags") or {}
        live = live_settings(pool)
        before = {"name": params["name"], **live, "tags": current_tags}
        tags, to_set, to_unset = plan_tags(current_tags, params["tags"], params["purge_tags"])
        if live != desired:
            changes.append("settings")
        if to_set or to_unset:
            changes.append("tags")
        if changes and not module.check_mode:
            # UpdateIdentityPool replaces the whole configuration: every managed setting is sent.
            call(module, client.update_identity_pool, "update the identity pool",
                 IdentityPoolId=pool["IdentityPoolId"], IdentityPoolName=params["name"],
                 IdentityPoolTags=tags, **desired)
        current_roles = call(module, client.get_identity_pool_roles, "read the identity pool roles",
                             IdentityPoolId=pool["IdentityPoolId"]).get("Roles") or {}
        before["roles"] = current_roles

    if roles is not None and roles != current_roles:
        changes.append("roles")
        if not module.check_mode:
            call(module, client.set_identity_pool_roles, "set the identity pool roles",
                 IdentityPoolId=pool["IdentityPoolId"], Roles=roles)

    if pool:
        result["identity_pool"] = {"id": pool["IdentityPoolId"], "name": params["name"],
                                   "roles": roles if roles is not None else current_roles}
    result.update(changed=bool(changes), changes=changes)
    if module._diff:
        result["diff"] = {"before": before, "after": {"name": params["name"], **desired,
                                                      "tags": params["tags"] or {},
                                                      "roles": roles if roles is not None else current_roles}}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
