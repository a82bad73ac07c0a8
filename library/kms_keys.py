#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: kms_keys
short_description: Create or update a set of customer-managed KMS keys, each named by its alias
description:
  - Reconciles several symmetric encryption keys in one module run. Each key is found by its alias,
    so a re-run (or a retry after a failure) finds the key it made instead of making another.
  - All the aliases are read with one paginated ListAliases call; each key found then costs at most
    four reads (DescribeKey, GetKeyPolicy, GetKeyRotationStatus, ListResourceTags), fewer when an
    option is left unset. M(amazon.aws.kms_key) makes about twice as many per key, in a loop.
  - Only what differs is changed - description, key policy, rotation, tags - each with its own call.
    Key policies are compared as parsed JSON, so formatting and key order do not count.
  - Every key is read, and every problem found, before anything is changed.
  - CreateKey takes no client token, so a new key is tagged with its alias (tag C(KmsKeyAlias)) in the
    same call, and sent once; when its answer is lost, the module looks for the key by that tag before
    creating another. A key that carries the tag but no alias yet (a run stopped between CreateKey and
    CreateAlias) is taken over and given its alias instead of making a second key; finding it costs
    ListKeys and, for each key without an alias, DescribeKey and ListResourceTags, only when an alias is missing.
  - A key that is pending deletion or disabled under one of the aliases fails the run, naming the
    alias; the module never makes a second key beside it.
  - This module supports check mode and diff mode (the diff is keyed by alias).
author:
  - Ansible toolkit contributors
options:
  keys:
    description: The keys.
    required: true
    type: list
    elements: dict
    suboptions:
      alias:
        description:
          - The alias that names the key, in full (C(alias/...)); not C(alias/aws/...), which AWS reserves.
        required: true
        type: str
      description:
        description: The key's description. Unset leaves it alone (empty on a new key).
        type: str
      policy:
        description:
          - The key policy, as a dict or a JSON string. Unset leaves it alone (the AWS default
            policy on a new key, which gives the account full control).
        type: raw
      enable_key_rotation:
        description: Whether AWS rotates the key material yearly. Unset leaves it alone (off on a new key).
        type: bool
      tags:
        description:
          - Tags of the key. Unset leaves the tags alone; with O(purge_tags=true), other tags are removed.
          - The C(KmsKeyAlias) tag is the module's own (set on a new key, never removed) and cannot be given.
        type: dict
  purge_tags:
    description: Remove tags not listed in O(keys[].tags) (only for keys that give O(keys[].tags)).
    type: bool
    default: true
notes:
  - New keys are C(SYMMETRIC_DEFAULT) keys for C(ENCRYPT_DECRYPT).
  - Use M(amazon.aws.kms_key) with O(amazon.aws.kms_key#module:state=absent) to schedule a key's deletion.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Two rotated keys with their policies and tags
  kms_keys:
    keys:
      - alias: alias/shop-prod-data
        description: "shop-prod: data at rest"
        policy: "{{ lookup('ansible.builtin.template', 'data_key_policy.json.j2') }}"
        enable_key_rotation: true
        tags: {Layer: foundation, Purpose: data}
      - alias: alias/shop-prod-logs
        description: "shop-prod: log groups"
        enable_key_rotation: true
        tags: {Layer: foundation, Purpose: logs}
  register: keys

- name: Use one of them
  ansible.builtin.debug:
    msg: "{{ keys.key_arns['alias/shop-prod-data'] }}"
"""

RETURN = r"""
keys:
  description:
    - One entry per key, in the order given.
    - In check mode, a key that does not exist yet has an empty key ID and ARN.
  returned: always
  type: list
  elements: dict
  contains:
    alias:
      description: The key's alias.
      returned: always
      type: str
      sample: alias/shop-prod-data
    key_id:
      description: The key ID.
      returned: always
      type: str
      sample: 1234abcd-12ab-34cd-56ef-1234567890ab
    key_arn:
      description: The key ARN.
      returned: always
      type: str
      sample: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    changed:
      description: Whether this key was created or updated.
      returned: always
      type: bool
      sample: true
    created:
      description: Whether this run created the key.
      returned: always
      type: bool
      sample: false
    changes:
      description:
        - The settings this run changed on an existing key.
        - V(alias) when the key was one a stopped run had created but not named yet.
      returned: always
      type: list
      elements: str
      sample: ["policy", "tags"]
key_arns:
  description: The key ARN of each alias (empty for a key still to be created in check mode).
  returned: always
  type: dict
  sample: {"alias/shop-prod-data": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
"""

import json
import re

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.create_once import create_once
from ansible.module_utils.create_once import no_resend_client
from ansible.module_utils.tag_plan import plan_tags

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# What AWS accepts in an alias name; alias/aws/ is reserved for AWS managed keys.
ALIAS_PATTERN = re.compile(r"^alias/(?!aws/)[A-Za-z0-9/_-]+$")
SETTINGS = ("description", "policy", "enable_key_rotation", "tags")
# Set on a new key in CreateKey: finds a key whose create answer was lost, or whose alias was never made.
ALIAS_TAG = "KmsKeyAlias"


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def parse_policy(policy):
    """The policy as a dict; raises ValueError for a string that is not a JSON object."""
    if policy is None or isinstance(policy, dict):
        return policy
    parsed = json.loads(policy)
    if not isinstance(parsed, dict):
        raise ValueError("a key policy is a JSON object")
    return parsed


def canonical(policy):
    return json.dumps(policy, sort_keys=True, separators=(",", ":"))


def desired_keys(keys):
    """(the keys with parsed policies and string tags, [input errors]); checked before any AWS call."""
    errors, desired = [], []
    aliases = [key["alias"] for key in keys]
    duplicates = sorted({alias for alias in aliases if aliases.count(alias) > 1})
    if duplicates:
        errors.append(f"keys[].alias: each alias must appear once, got {', '.join(duplicates)} more than once")
    for index, key in enumerate(keys):
        alias = key["alias"]
        if not ALIAS_PATTERN.match(alias):
            errors.append(f"keys[{index}].alias: must start with 'alias/' (not 'alias/aws/') "
                          f"and use letters, digits, / _ -; got '{alias}'")
        try:
            policy = parse_policy(key.get("policy"))
        except ValueError as e:
            errors.append(f"keys[{index}].policy ({alias}): not a JSON object: {e}")
            policy = None
        tags = key.get("tags")
        if tags and ALIAS_TAG in tags:
            errors.append(f"keys[{index}].tags ({alias}): {ALIAS_TAG} is set by the module, leave it out")
        desired.append({
            "alias": alias,
            "description": key.get("description"),
            "policy": policy,
            "enable_key_rotation": key.get("enable_key_rotation"),
            "tags": None if tags is None else {str(k): str(v) for k, v in tags.items()},
        })
    return desired, errors


def setting_changes(live, desired):
    """The settings whose requested value (not None) differs from the live key."""
    changes = []
    for setting in ("description", "enable_key_rotation"):
        if desired[setting] is not None and desired[setting] != live[setting]:
            changes.append(setting)
    if desired["policy"] is not None and canonical(desired["policy"]) != canonical(live["policy"]):
        changes.append("policy")
    return changes


def settings_view(settings):
    """The managed settings of a key, for the diff (unset ones left out)."""
    return {name: settings[name] for name in SETTINGS if settings.get(name) is not None}


def unusable_state_message(alias, metadata):
    state = metadata.get("KeyState")
    advice = {
        "PendingDeletion": "cancel its deletion (aws kms cancel-key-deletion, then aws kms enable-key) "
                           "or delete the alias to have a new key made",
        "Disabled": "enable it (aws kms enable-key) or delete the alias to have a new key made",
    }.get(state, "wait until it is Enabled")
    return f"{alias} names key {metadata['KeyId']}, which is {state}: {advice}"


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@AWSRetry.jittered_backoff()
def _list_keys(client):
    paginator = client.get_paginator("list_keys")
    return paginator.paginate(PaginationConfig={"PageSize": 100}).build_full_result().get("Keys", [])


@AWSRetry.jittered_backoff()
def _list_aliases(client):
    paginator = client.get_paginator("list_aliases")
    return paginator.paginate(PaginationConfig={"PageSize": 100}).build_full_result().get("Aliases", [])


# Right after CreateKey, AWS may not know the new key everywhere yet.
@AWSRetry.jittered_backoff(catch_extra_error_codes=["NotFoundException"])
def _new_key_call(method, **params):
    return method(**params)


def call(module, what, method, **params):
    try:
        return method(aws_retry=True, **params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to {what}")


def key_ids_by_alias(client, module):
    try:
        aliases = _list_aliases(client)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to list the KMS aliases")
    return {alias["AliasName"]: alias["TargetKeyId"] for alias in aliases if alias.get("TargetKeyId")}


def key_tags(client, module, key_id):
    tags, params = {}, {"KeyId": key_id, "Limit": 50}
    while True:
        page = call(module, f"list the tags of key {key_id}", client.list_resource_tags, **params)
        tags.update({tag["TagKey"]: tag["TagValue"] for tag in page.get("Tags", [])})
        if not page.get("Truncated"):
            return tags
        params["Marker"] = page["NextMarker"]


def read_key(client, module, key_id, desired):
    """The key's metadata and the live value of each setting the caller manages (others None)."""
    metadata = call(module, f"describe key {key_id}", client.describe_key, KeyId=key_id)["KeyMetadata"]
    live = {"description": metadata.get("Description", ""), "policy": None, "enable_key_rotation": None, "tags": None}
    if metadata.get("KeyState") != "Enabled":
        return metadata, live  # the caller fails; the other reads could fail on such a key
    if desired["policy"] is not None:
        policy = call(module, f"read the policy of key {key_id}", client.get_key_policy, KeyId=key_id, PolicyName="default")
        live["policy"] = json.loads(policy["Policy"])
    if desired["enable_key_rotation"] is not None:
        status = call(module, f"read the rotation status of key {key_id}", client.get_key_rotation_status, KeyId=key_id)
        live["enable_key_rotation"] = status["KeyRotationEnabled"]
    if desired["tags"] is not None:
        live["tags"] = key_tags(client, module, key_id)
        live["tags"].pop(ALIAS_TAG, None)  # the module's own tag: neither compared nor purged
    return metadata, live


def keys_without_alias(client, module, key_ids):
    """{alias tag: key metadata} of the enabled customer keys that no alias names but that carry
    ALIAS_TAG: keys a run created without finishing (lost CreateKey answer, or stopped before CreateAlias)."""
    named = set(key_ids.values())
    try:
        listed = _list_keys(client)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to list the KMS keys")
    found = {}
    for key in listed:
        if key["KeyId"] in named:
            continue
        metadata = call(module, f"describe key {key['KeyId']}", client.describe_key, KeyId=key["KeyId"])["KeyMetadata"]
        if metadata.get("KeyManager") != "CUSTOMER" or metadata.get("KeyState") != "Enabled":
            continue
        alias = key_tags(client, module, key["KeyId"]).get(ALIAS_TAG)
        if alias and alias not in found:
            found[alias] = metadata
    return found


def create_key(client, module, desired):
    alias = desired["alias"]
    params = {"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT", "Description": desired["description"] or ""}
    if desired["policy"] is not None:
        params["Policy"] = json.dumps(desired["policy"])
    tags = dict(desired["tags"] or {}, **{ALIAS_TAG: alias})
    params["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in tags.items()]
    creator = no_resend_client(module, "kms")
    try:
        metadata = create_once(lambda: creator.create_key(**params)["KeyMetadata"],
                               lambda: keys_without_alias(client, module, key_ids_by_alias(client, module)).get(alias))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to create the key for {alias}")
    try:
        _new_key_call(client.create_alias, AliasName=alias, TargetKeyId=metadata["KeyId"])
        if desired["enable_key_rotation"]:
            _new_key_call(client.enable_key_rotation, KeyId=metadata["KeyId"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Created key {metadata['KeyId']} but failed to finish it as {alias} "
                                    f"(a re-run finds it by its {ALIAS_TAG} tag and finishes it)")
    return metadata


def update_key(client, module, key_id, desired, changes, to_set, to_unset):
    alias = desired["alias"]
    if "alias" in changes:
        call(module, f"create the alias {alias}", client.create_alias, AliasName=alias, TargetKeyId=key_id)
    if "description" in changes:
        call(module, f"update the description of {alias}", client.update_key_description,
             KeyId=key_id, Description=desired["description"])
    if "policy" in changes:
        call(module, f"put the policy of {alias}", client.put_key_policy,
             KeyId=key_id, PolicyName="default", Policy=json.dumps(desired["policy"]))
    if "enable_key_rotation" in changes:
        method = client.enable_key_rotation if desired["enable_key_rotation"] else client.disable_key_rotation
        call(module, f"change the rotation of {alias}", method, KeyId=key_id)
    if to_unset:
        call(module, f"untag {alias}", client.untag_resource, KeyId=key_id, TagKeys=list(to_unset))
    if to_set:
        call(module, f"tag {alias}", client.tag_resource, KeyId=key_id,
             Tags=[{"TagKey": k, "TagValue": v} for k, v in to_set.items()])


# ---------------------------------------------------------------------------
# Plan, then apply
# ---------------------------------------------------------------------------


def plan(client, module, wanted):
    """One plan entry per key: what exists, what changes; fails on any unusable key before a change."""
    key_ids = key_ids_by_alias(client, module)
    if any(desired["alias"] not in key_ids for desired in wanted):
        # A key a stopped run created but did not name is given its alias, not made again.
        unnamed = {alias: metadata["KeyId"] for alias, metadata in keys_without_alias(client, module, key_ids).items()}
    else:
        unnamed = {}
    plans, problems = [], []
    for desired in wanted:
        alias = desired["alias"]
        entry = {"desired": desired, "metadata": None, "changes": [], "to_set": {}, "to_unset": []}
        key_id = key_ids.get(alias) or unnamed.get(alias)
        if key_id:
            metadata, live = read_key(client, module, key_id, desired)
            entry["metadata"] = metadata
            if metadata.get("KeyState") != "Enabled":
                problems.append(unusable_state_message(alias, metadata))
            else:
                entry["changes"] = ([] if alias in key_ids else ["alias"]) + setting_changes(live, desired)
                tags, entry["to_set"], entry["to_unset"] = plan_tags(live["tags"], desired["tags"], module.params["purge_tags"])
                if entry["to_set"] or entry["to_unset"]:
                    entry["changes"].append("tags")
                entry["before"] = settings_view(live)
                after = {name: live[name] if desired[name] is None else desired[name] for name in SETTINGS}
                after["tags"] = tags if desired["tags"] is not None else None
                entry["after"] = settings_view(after)
        plans.append(entry)
    if problems:
        module.fail_json(msg="; ".join(problems))
    return plans


def apply(client, module, plans):
    result = {"changed": False, "keys": [], "key_arns": {}}
    before, after = {}, {}
    for entry in plans:
        desired, metadata = entry["desired"], entry["metadata"]
        alias = desired["alias"]
        created = metadata is None
        if created:
            after[alias] = settings_view(dict(desired, description=desired["description"] or ""))
            if not module.check_mode:
                metadata = create_key(client, module, desired)
        elif entry["changes"]:
            before[alias], after[alias] = entry["before"], entry["after"]
            if not module.check_mode:
                update_key(client, module, metadata["KeyId"], desired, entry["changes"], entry["to_set"], entry["to_unset"])
        metadata = metadata or {}
        key = {"alias": alias, "key_id": metadata.get("KeyId", ""), "key_arn": metadata.get("Arn", ""),
               "changed": created or bool(entry["changes"]), "created": created, "changes": entry["changes"]}
        result["keys"].append(key)
        result["key_arns"][alias] = key["key_arn"]
        result["changed"] |= key["changed"]
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    return result


def main():
    key_options = dict(
        alias=dict(type="str", required=True),
        description=dict(type="str"),
        policy=dict(type="raw"),
        enable_key_rotation=dict(type="bool"),
        tags=dict(type="dict"),
    )
    module = AnsibleAWSModule(
        argument_spec=dict(
            keys=dict(type="list", elements="dict", required=True, options=key_options),
            purge_tags=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    wanted, errors = desired_keys(module.params["keys"])
    if errors:
        module.fail_json(msg="; ".join(errors))

    try:
        client = module.client("kms", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    module.exit_json(**apply(client, module, plan(client, module, wanted)))


if __name__ == "__main__":
    main()
