#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cognito_user_pool
short_description: Create, update and delete a Cognito user pool with its groups, domain and resource servers
description:
  - Creates, updates and deletes an Amazon Cognito user pool, and in the same run reconciles
    its password policy, email verification, MFA, advanced security, tags, groups,
    hosted UI domain and resource servers (with their scopes).
  - A user pool is identified by its O(name). CreateUserPool takes no client token and AWS
    allows several pools with one name, so the module lists the pools and matches the name
    before creating; it refuses to act when two pools share the name. CreateUserPool is sent once;
    when its answer is lost, the pool is looked up by name before another is created.
  - Replacing a user pool loses every user in it, so the module replaces one only with
    O(allow_replacement=true). Otherwise settings AWS cannot change in place
    (O(username_attributes)) are refused, before any change, with a message naming the pool,
    the setting and O(allow_replacement) when they differ from the existing pool.
  - Deleting a pool requires O(state=absent) and O(allow_delete=true), and its deletion
    protection off.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - V(present) ensures the pool exists with the given settings.
      - V(absent) deletes the pool (and its domain); requires O(allow_delete=true).
    choices: ["present", "absent"]
    default: present
    type: str
  name:
    description: The name of the user pool.
    required: true
    type: str
  allow_delete:
    description: Must be V(true) for O(state=absent) to delete the pool and every user in it.
    default: false
    type: bool
  allow_replacement:
    description:
      - Must be V(true) for a change AWS can only make with a new pool (O(username_attributes)).
        The pool is then deleted with every user in it (and its domain, groups and app clients)
        and created again with the requested settings. Its id and ARN change.
      - A pool whose deletion protection is on is never replaced.
    default: false
    type: bool
  deletion_protection:
    description: Whether the pool is protected against deletion (DeletionProtection V(ACTIVE)).
    default: false
    type: bool
  password_policy:
    description: The password policy.
    type: dict
    default: {}
    suboptions:
      minimum_length:
        description: Minimum password length, 6 to 99.
        type: int
        default: 8
      require_uppercase:
        description: Whether a password needs an upper case letter.
        type: bool
        default: true
      require_lowercase:
        description: Whether a password needs a lower case letter.
        type: bool
        default: true
      require_numbers:
        description: Whether a password needs a number.
        type: bool
        default: true
      require_symbols:
        description: Whether a password needs a symbol.
        type: bool
        default: true
      temporary_password_validity_days:
        description: Days an administrator-set temporary password stays valid.
        type: int
        default: 7
  username_attributes:
    description:
      - Attributes users may sign in with instead of a user name (V(email), V(phone_number)).
      - Fixed at creation; a different value for an existing pool is refused.
    type: list
    elements: str
    default: []
  auto_verified_attributes:
    description: Attributes Cognito verifies by sending a code (V(email), V(phone_number)).
    type: list
    elements: str
    default: []
  verification_email_option:
    description: How an email address is verified.
    choices: ["CONFIRM_WITH_CODE", "CONFIRM_WITH_LINK"]
    default: CONFIRM_WITH_CODE
    type: str
  mfa_configuration:
    description:
      - V(OFF), V(OPTIONAL) or V(ON). When not V(OFF), time-based one-time passwords
        (software tokens) are the second factor.
    choices: ["OFF", "OPTIONAL", "ON"]
    default: "OFF"
    type: str
  advanced_security_mode:
    description:
      - Cognito advanced security (threat protection) mode.
      - V(AUDIT) and V(ENFORCED) need the Plus feature plan, see O(feature_plan).
    choices: ["OFF", "AUDIT", "ENFORCED"]
    default: "OFF"
    type: str
  feature_plan:
    description:
      - The pool's feature plan (C(UserPoolTier)), which decides what the pool may use and its price.
      - If not set, a pool with O(advanced_security_mode) other than V(OFF) gets V(PLUS) (threat
        protection exists only there), and otherwise the plan is left as it is (a new pool gets
        AWS's default, V(ESSENTIALS)).
      - V(LITE) or V(ESSENTIALS) with O(advanced_security_mode) other than V(OFF) is refused.
    choices: ["LITE", "ESSENTIALS", "PLUS"]
    type: str
  groups:
    description: The groups of the pool.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Group name.
        type: str
        required: true
      description:
        description: Group description.
        type: str
        default: ""
      precedence:
        description: Precedence (lower wins when a user is in several groups).
        type: int
  purge_groups:
    description: Delete groups of the pool that O(groups) does not list.
    type: bool
    default: true
  domain:
    description:
      - The prefix of the hosted UI domain (<domain>.auth.<region>.amazoncognito.com).
      - Empty means the pool has no domain; an existing one is then deleted.
    type: str
    default: ""
  resource_servers:
    description: The resource servers of the pool and their scopes.
    type: list
    elements: dict
    default: []
    suboptions:
      identifier:
        description: The identifier (usually a URL) of the resource server.
        type: str
        required: true
      name:
        description: A friendly name.
        type: str
        required: true
      scopes:
        description: The scopes, each with C(name) and C(description).
        type: list
        elements: dict
        default: []
  purge_resource_servers:
    description: Delete resource servers that O(resource_servers) does not list.
    type: bool
    default: true
notes:
  - Custom schema attributes and SMS configuration are not managed.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A user pool signing in by email, with TOTP MFA optional, a domain and an API scope
  cognito_user_pool:
    name: my-users
    username_attributes: [email]
    auto_verified_attributes: [email]
    password_policy:
      minimum_length: 12
    mfa_configuration: OPTIONAL
    groups:
      - name: admins
        precedence: 1
    domain: my-users-login
    resource_servers:
      - identifier: https://api.example.com
        name: api
        scopes:
          - name: todos.read
            description: Read to-dos
    tags:
      Team: identity

- name: Delete the pool and every user in it
  cognito_user_pool:
    name: my-users
    state: absent
    allow_delete: true
"""

RETURN = r"""
user_pool:
  description: The user pool (id, arn, name, domain); empty when it does not exist (or in check mode before creation).
  returned: always
  type: dict
  sample: {"id": "eu-west-1_abc", "arn": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc",
           "name": "my-users", "domain": "my-users-login"}
changes:
  description: What the run changed (or would change in check mode).
  returned: always
  type: list
  elements: str
  sample: ["create pool", "group admins"]
refused:
  description: The settings that need a new pool, when the run failed because O(allow_replacement) is false
    (nothing was changed).
  returned: when a replacement was refused
  type: list
  elements: str
  sample: ["username_attributes: AWS cannot change them on an existing pool (it has ['email'], requested [])"]
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible.module_utils.create_once import create_once
from ansible.module_utils.create_once import no_resend_client
from ansible.module_utils.tag_plan import plan_tags


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def desired_policies(params):
    policy = params["password_policy"] or {}
    defaults = {"minimum_length": 8, "require_uppercase": True, "require_lowercase": True,
                "require_numbers": True, "require_symbols": True, "temporary_password_validity_days": 7}
    p = {key: (policy.get(key) if policy.get(key) is not None else value) for key, value in defaults.items()}
    return {"PasswordPolicy": {
        "MinimumLength": p["minimum_length"],
        "RequireUppercase": p["require_uppercase"],
        "RequireLowercase": p["require_lowercase"],
        "RequireNumbers": p["require_numbers"],
        "RequireSymbols": p["require_symbols"],
        "TemporaryPasswordValidityDays": p["temporary_password_validity_days"],
    }}


def feature_plan(params, pool=None):
    """The UserPoolTier to send: the requested one, PLUS for threat protection, else the pool's own (or None)."""
    if params.get("feature_plan"):
        return params["feature_plan"]
    if params["advanced_security_mode"] != "OFF":
        return "PLUS"
    return (pool or {}).get("UserPoolTier")


def feature_plan_errors(params):
    plan = params.get("feature_plan")
    if plan in ("LITE", "ESSENTIALS") and params["advanced_security_mode"] != "OFF":
        return [f"feature_plan: advanced_security_mode {params['advanced_security_mode']} (threat protection) "
                f"needs the PLUS feature plan, got {plan}"]
    return []


def pool_settings(params, pool=None):
    """The settings UpdateUserPool takes (it resets whatever is left out, so all are sent)."""
    settings = {
        "DeletionProtection": "ACTIVE" if params.get("deletion_protection") else "INACTIVE",
        "Policies": desired_policies(params),
        "AutoVerifiedAttributes": sorted(params["auto_verified_attributes"]),
        "VerificationMessageTemplate": {"DefaultEmailOption": params["verification_email_option"]},
        "MfaConfiguration": params["mfa_configuration"],
        "UserPoolAddOns": {"AdvancedSecurityMode": params["advanced_security_mode"]},
    }
    tier = feature_plan(params, pool)
    if tier:
        settings["UserPoolTier"] = tier
    return settings


def live_settings(pool):
    policy = pool.get("Policies", {}).get("PasswordPolicy", {})
    return {
        "DeletionProtection": pool.get("DeletionProtection") or "INACTIVE",
        "Policies": {"PasswordPolicy": {key: policy.get(key) for key in (
            "MinimumLength", "RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols",
            "TemporaryPasswordValidityDays")}},
        "AutoVerifiedAttributes": sorted(pool.get("AutoVerifiedAttributes") or []),
        "VerificationMessageTemplate": {
            "DefaultEmailOption": (pool.get("VerificationMessageTemplate") or {}).get("DefaultEmailOption",
                                                                                      "CONFIRM_WITH_CODE")},
        "MfaConfiguration": pool.get("MfaConfiguration", "OFF"),
        "UserPoolAddOns": {"AdvancedSecurityMode": (pool.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode",
                                                                                          "OFF")},
        **({"UserPoolTier": pool["UserPoolTier"]} if pool.get("UserPoolTier") else {}),
    }


def immutable_errors(pool, params):
    """Settings AWS cannot change on an existing pool that differ from the request."""
    errors = []
    live = sorted(pool.get("UsernameAttributes") or [])
    if live != sorted(params["username_attributes"]):
        errors.append(f"username_attributes: AWS cannot change them on an existing pool (it has {live}, "
                      f"requested {sorted(params['username_attributes'])}); replacing the pool would lose every user")
    return errors


def group_changes(live_groups, groups, purge):
    """(groups to create, groups to update, group names to delete)."""
    live = {g["GroupName"]: g for g in live_groups}
    create, update = [], []
    for group in groups:
        current = live.get(group["name"])
        if current is None:
            create.append(group)
        elif (current.get("Description") or "") != (group.get("description") or "") or \
                current.get("Precedence") != group.get("precedence"):
            update.append(group)
    wanted = {g["name"] for g in groups}
    delete = sorted(name for name in live if name not in wanted) if purge else []
    return create, update, delete


def normal_scopes(scopes):
    return sorted(({"ScopeName": s["name"] if "name" in s else s["ScopeName"],
                    "ScopeDescription": s.get("description", s.get("ScopeDescription", "")) or ""}
                   for s in scopes or []), key=lambda s: s["ScopeName"])


def resource_server_changes(live_servers, servers, purge):
    live = {s["Identifier"]: s for s in live_servers}
    create, update = [], []
    for server in servers:
        current = live.get(server["identifier"])
        if current is None:
            create.append(server)
        elif current.get("Name") != server["name"] or \
                normal_scopes(current.get("Scopes")) != normal_scopes(server.get("scopes")):
            update.append(server)
    wanted = {s["identifier"] for s in servers}
    delete = sorted(i for i in live if i not in wanted) if purge else []
    return create, update, delete


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@AWSRetry.jittered_backoff()
def _list_pools(client):
    paginator = client.get_paginator("list_user_pools")
    return paginator.paginate(MaxResults=60).build_full_result()["UserPools"]


def find_pool(client, module, name):
    try:
        matches = [p for p in _list_pools(client) if p["Name"] == name]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to list user pools")
    if len(matches) > 1:
        module.fail_json(msg=f"{len(matches)} user pools are named {name} ({', '.join(sorted(p['Id'] for p in matches))}); "
                             "refusing to act on any of them")
    if not matches:
        return None
    return call(module, client.describe_user_pool, "describe the user pool", UserPoolId=matches[0]["Id"])["UserPool"]


def call(module, method, what, **params):
    try:
        return method(aws_retry=True, **params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to {what}")


@AWSRetry.jittered_backoff()
def _list_groups(client, pool_id):
    paginator = client.get_paginator("list_groups")
    return paginator.paginate(UserPoolId=pool_id).build_full_result()["Groups"]


def list_groups(client, module, pool_id):
    try:
        return _list_groups(client, pool_id)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to list the groups")


@AWSRetry.jittered_backoff()
def _list_resource_servers(client, pool_id):
    paginator = client.get_paginator("list_resource_servers")
    return paginator.paginate(UserPoolId=pool_id, MaxResults=50).build_full_result()["ResourceServers"]


def list_resource_servers(client, module, pool_id):
    try:
        return _list_resource_servers(client, pool_id)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to list the resource servers")


def describe_domain(client, module, domain):
    try:
        return client.describe_user_pool_domain(Domain=domain, aws_retry=True).get("DomainDescription") or {}
    except is_boto3_error_code("ResourceNotFoundException"):
        return {}
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to describe the domain {domain}")


def mfa_config(client, module, pool_id):
    return call(module, client.get_user_pool_mfa_config, "read the MFA configuration", UserPoolId=pool_id)


# ---------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------


def ensure_present(client, module):
    params = module.params
    check = module.check_mode
    changes = []
    errors = feature_plan_errors(params)
    if errors:
        module.fail_json(msg="; ".join(errors))
    pool = find_pool(client, module, params["name"])
    desired = pool_settings(params, pool)
    reasons = immutable_errors(pool, params) if pool else []
    before, after = {}, {"name": params["name"], **desired, "tags": params["tags"] or {}}

    if pool is None:
        changes.append("create pool")
        if check:
            return finish(module, changes, {}, before, after)
        pool = create_pool(client, module, desired)
        current_tags = params["tags"] or {}
        live = live_settings(pool)
    elif reasons:
        pool = replace_pool(client, module, pool, reasons, desired)
        changes.append("replace pool")
        if check:
            return finish(module, changes, {}, {"name": params["name"], "id": pool["Id"]}, after)
        current_tags = params["tags"] or {}
        live = live_settings(pool)
    else:
        current_tags = pool.get("UserPoolTags") or {}
        live = live_settings(pool)
        before = {"name": params["name"], **live, "tags": current_tags}
    pool_id = pool["Id"]

    # MFA: software tokens must be enabled before MfaConfiguration can be ON/OPTIONAL.
    want_totp = params["mfa_configuration"] != "OFF"
    mfa = mfa_config(client, module, pool_id)
    has_totp = (mfa.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled", False)
    if has_totp != want_totp or mfa.get("MfaConfiguration", "OFF") != params["mfa_configuration"]:
        changes.append("mfa")
        if not check:
            call(module, client.set_user_pool_mfa_config, "set the MFA configuration", UserPoolId=pool_id,
                 SoftwareTokenMfaConfiguration={"Enabled": want_totp},
                 MfaConfiguration=params["mfa_configuration"])
        live["MfaConfiguration"] = params["mfa_configuration"]

    # UpdateUserPool resets what it is not given, so it gets every managed setting and the tags.
    tags, to_set, to_unset = plan_tags(current_tags, params["tags"], params["purge_tags"])
    if live != desired:
        changes.append("settings")
    if to_set or to_unset:
        changes.append("tags")
    if (live != desired or to_set or to_unset) and not check:
        call(module, client.update_user_pool, "update the user pool", UserPoolId=pool_id, UserPoolTags=tags, **desired)

    reconcile_groups(client, module, pool_id, changes)
    reconcile_domain(client, module, pool, changes)
    reconcile_resource_servers(client, module, pool_id, changes)
    result_pool = {"id": pool_id, "arn": pool["Arn"], "name": params["name"], "domain": params["domain"]}
    return finish(module, changes, result_pool, before, after)


def create_pool(client, module, desired):
    params = module.params
    create = dict(desired, PoolName=params["name"], MfaConfiguration="OFF", UserPoolTags=params["tags"] or {})
    if params["username_attributes"]:
        create["UsernameAttributes"] = params["username_attributes"]
    # CreateUserPool takes no client token: sent once, and after a lost answer the pool is looked up by name.
    creator = no_resend_client(module, "cognito-idp")
    try:
        return create_once(lambda: creator.create_user_pool(**create)["UserPool"],
                           lambda: find_pool(client, module, params["name"]))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to create the user pool")


def replace_pool(client, module, pool, reasons, desired):
    """Delete the pool and create it again, when allow_replacement says so; refuse before any change otherwise.
    In check mode nothing is changed and the old pool is returned."""
    name = module.params["name"]
    if not module.params["allow_replacement"]:
        module.fail_json(msg=f"user pool {name}: " + "; ".join(reasons) + ". Nothing was changed; "
                             "allow_replacement=true replaces the pool (every user in it is lost).", refused=reasons)
    if pool.get("DeletionProtection") == "ACTIVE":
        module.fail_json(msg=f"user pool {name}: not replaced, its deletion protection is on; turn it off "
                             "(deletion_protection=false) in a run of its own first. Nothing was changed.")
    if module.check_mode:
        return pool
    delete_pool(client, module, pool)
    return create_pool(client, module, desired)


def delete_pool(client, module, pool):
    if pool.get("Domain"):
        call(module, client.delete_user_pool_domain, "delete the domain", Domain=pool["Domain"], UserPoolId=pool["Id"])
    call(module, client.delete_user_pool, "delete the user pool", UserPoolId=pool["Id"])


def reconcile_groups(client, module, pool_id, changes):
    create, update, delete = group_changes(list_groups(client, module, pool_id), module.params["groups"],
                                           module.params["purge_groups"])
    for group in create + update:
        changes.append(f"group {group['name']}")
        if module.check_mode:
            continue
        request = {"GroupName": group["name"], "UserPoolId": pool_id, "Description": group.get("description") or ""}
        if group.get("precedence") is not None:
            request["Precedence"] = group["precedence"]
        method = client.create_group if group in create else client.update_group
        call(module, method, f"write the group {group['name']}", **request)
    for name in delete:
        changes.append(f"delete group {name}")
        if not module.check_mode:
            call(module, client.delete_group, f"delete the group {name}", GroupName=name, UserPoolId=pool_id)


def reconcile_domain(client, module, pool, changes):
    wanted = module.params["domain"]
    current = pool.get("Domain") or ""
    if wanted == current:
        return
    if wanted:
        taken = describe_domain(client, module, wanted)
        if taken.get("UserPoolId") and taken["UserPoolId"] != pool["Id"]:
            module.fail_json(msg=f"domain: {wanted} belongs to another user pool ({taken['UserPoolId']})")
    if current:
        changes.append(f"delete domain {current}")
        if not module.check_mode:
            call(module, client.delete_user_pool_domain, "delete the domain", Domain=current, UserPoolId=pool["Id"])
    if wanted:
        changes.append(f"domain {wanted}")
        if not module.check_mode:
            call(module, client.create_user_pool_domain, "create the domain", Domain=wanted, UserPoolId=pool["Id"])


def reconcile_resource_servers(client, module, pool_id, changes):
    create, update, delete = resource_server_changes(list_resource_servers(client, module, pool_id),
                                                     module.params["resource_servers"],
                                                     module.params["purge_resource_servers"])
    for server in create + update:
        changes.append(f"resource server {server['identifier']}")
        if module.check_mode:
            continue
        method = client.create_resource_server if server in create else client.update_resource_server
        call(module, method, f"write the resource server {server['identifier']}", UserPoolId=pool_id,
             Identifier=server["identifier"], Name=server["name"], Scopes=normal_scopes(server.get("scopes")))
    for identifier in delete:
        changes.append(f"delete resource server {identifier}")
        if not module.check_mode:
            call(module, client.delete_resource_server, f"delete the resource server {identifier}",
                 UserPoolId=pool_id, Identifier=identifier)


def finish(module, changes, pool, before, after):
    result = {"changed": bool(changes), "changes": changes, "user_pool": pool}
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    return result


def ensure_absent(client, module):
    pool = find_pool(client, module, module.params["name"])
    if pool is None:
        return finish(module, [], {}, {}, {})
    if not module.params["allow_delete"]:
        module.fail_json(msg="allow_delete: deleting the user pool loses every user in it; set it to true to confirm")
    if pool.get("DeletionProtection") == "ACTIVE":
        module.fail_json(msg=f"user pool {pool['Name']}: not deleted, its deletion protection is on; turn it off "
                             "(deletion_protection=false) in a run of its own first")
    changes = ["delete pool"]
    if not module.check_mode:
        delete_pool(client, module, pool)
    return finish(module, changes, {}, {"name": pool["Name"], "id": pool["Id"]}, {})


def main():
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        name=dict(required=True),
        allow_delete=dict(type="bool", default=False),
        allow_replacement=dict(type="bool", default=False),
        deletion_protection=dict(type="bool", default=False),
        password_policy=dict(type="dict", default={}, no_log=False, options=dict(
            minimum_length=dict(type="int", default=8),
            require_uppercase=dict(type="bool", default=True),
            require_lowercase=dict(type="bool", default=True),
            require_numbers=dict(type="bool", default=True),
            require_symbols=dict(type="bool", default=True),
            temporary_password_validity_days=dict(type="int", default=7),
        )),
        username_attributes=dict(type="list", elements="str", default=[]),
        auto_verified_attributes=dict(type="list", elements="str", default=[]),
        verification_email_option=dict(default="CONFIRM_WITH_CODE", choices=["CONFIRM_WITH_CODE", "CONFIRM_WITH_LINK"]),
        mfa_configuration=dict(default="OFF", choices=["OFF", "OPTIONAL", "ON"]),
        advanced_security_mode=dict(default="OFF", choices=["OFF", "AUDIT", "ENFORCED"]),
        feature_plan=dict(choices=["LITE", "ESSENTIALS", "PLUS"]),
        groups=dict(type="list", elements="dict", default=[], options=dict(
            name=dict(required=True),
            description=dict(default=""),
            precedence=dict(type="int"),
        )),
        purge_groups=dict(type="bool", default=True),
        domain=dict(default=""),
        resource_servers=dict(type="list", elements="dict", default=[], options=dict(
            identifier=dict(required=True),
            name=dict(required=True),
            scopes=dict(type="list", elements="dict", default=[]),
        )),
        purge_resource_servers=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    minimum = module.params["password_policy"]["minimum_length"]
    if not 6 <= minimum <= 99:
        module.fail_json(msg=f"password_policy.minimum_length: AWS accepts 6 to 99, got {minimum}")
    try:
        client = module.client("cognito-idp", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")
    if module.params["state"] == "present":
        result = ensure_present(client, module)
    else:
        result = ensure_absent(client, module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
