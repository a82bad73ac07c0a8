#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cloudwatch_log_groups
short_description: Create or adopt a set of CloudWatch Logs log groups with retention, KMS key and tags
description:
  - Reconciles several log groups in one module run. A log group that exists (for example one AWS
    created on the platform's behalf) is adopted, its retention set and its KMS key associated;
    M(amazon.aws.cloudwatchlogs_log_group) only sets the key when it creates the group.
  - The KMS key may be given as a key ARN, key ID, alias name or alias ARN; it is resolved to the
    key ARN, which is what CloudWatch Logs stores.
  - The CloudWatch Logs service principal of the region must be allowed to use the key (key policy).
  - This module supports check mode and diff mode.
notes:
  - The tags of existing log groups are read with one Resource Groups Tagging API C(GetResources) call per 100
    resources (permission C(tag:GetResources));
    C(logs:ListTagsForResource) is called for a resource that call does not return
    (never tagged) and before any tag change, and for every resource when the permission is missing.
author:
  - Ansible toolkit contributors
options:
  state:
    description: V(present) creates or updates the log groups; V(absent) deletes them with their log events.
    choices: ["present", "absent"]
    default: present
    type: str
  log_groups:
    description: The log groups.
    required: true
    type: list
    elements: dict
    suboptions:
      name:
        description: The log group name.
        required: true
        type: str
      retention_days:
        description: Days to keep log events; V(0) keeps them forever. Unset means O(retention_days).
        type: int
      kms_key_id:
        description: The KMS key; an empty string disassociates the key. Unset means O(kms_key_id).
        type: str
      tags:
        description: Tags of this group, added to (and overriding) O(tags).
        type: dict
  retention_days:
    description: Default retention of every group that does not give its own. Unset leaves retention alone.
    type: int
  kms_key_id:
    description: Default KMS key of every group that does not give its own. Unset leaves the key alone.
    type: str
  tags:
    description: Tags of every log group. Unset, with no O(log_groups[].tags), leaves the tags alone.
    type: dict
    aliases: ["resource_tags"]
  purge_tags:
    description: Remove tags not listed in O(tags) and O(log_groups[].tags).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Log groups that AWS would otherwise create unencrypted and kept forever
  cloudwatch_log_groups:
    retention_days: 30
    kms_key_id: alias/logs
    tags: {Layer: observability}
    log_groups:
      - name: /aws/ecs/containerinsights/platform/performance
      - name: API-Gateway-Execution-Logs_a1b2c3d4e5/prod
        retention_days: 90
"""

RETURN = r"""
log_groups:
  description: One entry per log group, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The log group name.
      returned: always
      type: str
      sample: /aws/ecs/containerinsights/platform/performance
    arn:
      description: The log group ARN (without the trailing C(:*)); empty when still to be created in check mode, or deleted.
      returned: always
      type: str
      sample: arn:aws:logs:eu-west-1:123456789012:log-group:/aws/ecs/containerinsights/platform/performance
    action:
      description: What the run did (or would do in check mode).
      returned: always
      type: str
      sample: created
      choices: [created, updated, unchanged, deleted, absent]
    changes:
      description: The settings changed on an existing group.
      returned: always
      type: list
      elements: str
      sample: ["retention_days", "kms_key_id"]
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible.module_utils.bulk_tags import TagReader
from ansible.module_utils.tag_plan import plan_tags


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def desired_group(group, params):
    """The requested settings of one group: None means leave that setting alone."""
    retention = group.get("retention_days")
    if retention is None:
        retention = params.get("retention_days")
    key = group.get("kms_key_id")
    if key is None:
        key = params.get("kms_key_id")
    tags = None
    if params.get("tags") is not None or group.get("tags") is not None:
        tags = dict(params.get("tags") or {})
        tags.update(group.get("tags") or {})
        tags = {str(k): str(v) for k, v in tags.items()}
    return {"name": group["name"], "retention_days": retention, "kms_key_id": key, "tags": tags}


def live_group(described):
    return {
        "name": described["logGroupName"],
        "retention_days": described.get("retentionInDays") or 0,
        "kms_key_id": described.get("kmsKeyId") or "",
    }


def setting_changes(live, desired):
    """The settings (retention_days, kms_key_id) whose requested value differs from the live group."""
    changes = []
    for key in ("retention_days", "kms_key_id"):
        if desired.get(key) is not None and desired[key] != live.get(key):
            changes.append(key)
    return changes


def group_arn(described):
    arn = described.get("logGroupArn") or described.get("arn", "")
    return arn[:-2] if arn.endswith(":*") else arn


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@AWSRetry.jittered_backoff()
def _describe_log_groups(client, prefix):
    paginator = client.get_paginator("describe_log_groups")
    return paginator.paginate(logGroupNamePrefix=prefix).build_full_result().get("logGroups", [])


def describe_group(client, module, name):
    try:
        groups = _describe_log_groups(client, name)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to describe log group {name}")
    return next((g for g in groups if g["logGroupName"] == name), None)


def resolve_key(kms, module, key_id, cache):
    """The key ARN of a key ID, key ARN, alias name or alias ARN ("" stays "")."""
    if not key_id or (key_id.startswith("arn:") and ":key/" in key_id):
        return key_id or ""
    if key_id not in cache:
        try:
            cache[key_id] = kms.describe_key(KeyId=key_id, aws_retry=True)["KeyMetadata"]["Arn"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Failed to find KMS key {key_id}")
    return cache[key_id]


def get_tags(client, module, arn):
    try:
        return client.list_tags_for_resource(resourceArn=arn, aws_retry=True).get("tags", {})
    except is_boto3_error_code("ResourceNotFoundException"):
        return {}
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to list the tags of {arn}")


def call(module, what, method, **params):
    try:
        return method(aws_retry=True, **params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to {what}")


def apply_settings(client, module, name, desired, changes):
    if "retention_days" in changes:
        if desired["retention_days"]:
            call(module, f"set the retention of {name}", client.put_retention_policy,
                 logGroupName=name, retentionInDays=desired["retention_days"])
        else:
            call(module, f"remove the retention of {name}", client.delete_retention_policy, logGroupName=name)
    if "kms_key_id" in changes:
        if desired["kms_key_id"]:
            call(module, f"associate the KMS key of {name}", client.associate_kms_key,
                 logGroupName=name, kmsKeyId=desired["kms_key_id"])
        else:
            call(module, f"disassociate the KMS key of {name}", client.disassociate_kms_key, logGroupName=name)


# ---------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------


def ensure_present(client, kms, module):
    params = module.params
    key_cache = {}
    result = {"changed": False, "log_groups": []}
    before, after = {}, {}
    described = {group["name"]: describe_group(client, module, group["name"]) for group in params["log_groups"]}
    # One bulk read for the tags of every existing group; CloudWatch Logs' own call confirms them before a change.
    reader = TagReader(module, [group_arn(current) for current in described.values() if current],
                       lambda arn: get_tags(client, module, arn))
    for group in params["log_groups"]:
        desired = desired_group(group, params)
        if desired["kms_key_id"] is not None:
            desired["kms_key_id"] = resolve_key(kms, module, desired["kms_key_id"], key_cache)
        name = desired["name"]
        current = described[name]
        if current is None:
            after[name] = {k: v for k, v in desired.items() if v is not None and k != "name"}
            entry = {"name": name, "arn": "", "action": "created", "changes": []}
            if not module.check_mode:
                create = {"logGroupName": name}
                if desired["kms_key_id"]:
                    create["kmsKeyId"] = desired["kms_key_id"]
                if desired["tags"]:
                    create["tags"] = desired["tags"]
                call(module, f"create log group {name}", client.create_log_group, **create)
                if desired["retention_days"]:
                    apply_settings(client, module, name, desired, ["retention_days"])
                created = describe_group(client, module, name)
                entry["arn"] = group_arn(created) if created else ""
        else:
            live = live_group(current)
            arn = group_arn(current)
            current_tags = reader.get(arn)
            tags, to_set, to_unset = plan_tags(current_tags, desired["tags"], params["purge_tags"])
            if to_set or to_unset:
                current_tags = reader.confirm(arn)
                tags, to_set, to_unset = plan_tags(current_tags, desired["tags"], params["purge_tags"])
            changes = setting_changes(live, desired)
            if to_set or to_unset:
                changes.append("tags")
            before[name] = {"retention_days": live["retention_days"], "kms_key_id": live["kms_key_id"], "tags": current_tags}
            after[name] = {
                "retention_days": live["retention_days"] if desired["retention_days"] is None else desired["retention_days"],
                "kms_key_id": live["kms_key_id"] if desired["kms_key_id"] is None else desired["kms_key_id"],
                "tags": tags,
            }
            entry = {"name": name, "arn": arn, "action": "updated" if changes else "unchanged", "changes": changes}
            if changes and not module.check_mode:
                apply_settings(client, module, name, desired, changes)
                if to_unset:
                    call(module, f"untag {name}", client.untag_resource, resourceArn=arn, tagKeys=list(to_unset))
                if to_set:
                    call(module, f"tag {name}", client.tag_resource, resourceArn=arn, tags=to_set)
        result["changed"] |= entry["action"] != "unchanged"
        result["log_groups"].append(entry)
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    return result


def ensure_absent(client, module):
    result = {"changed": False, "log_groups": []}
    before = {}
    for group in module.params["log_groups"]:
        name = group["name"]
        current = describe_group(client, module, name)
        if current:
            before[name] = live_group(current)
            if not module.check_mode:
                try:
                    client.delete_log_group(logGroupName=name, aws_retry=True)
                except is_boto3_error_code("ResourceNotFoundException"):
                    pass
                except (
                    botocore.exceptions.ClientError,
                    botocore.exceptions.BotoCoreError,
                ) as e:  # pylint: disable=duplicate-except
                    module.fail_json_aws(e, msg=f"Failed to delete log group {name}")
        result["changed"] |= current is not None
        result["log_groups"].append({"name": name, "arn": "", "action": "deleted" if current else "absent", "changes": []})
    if module._diff:
        result["diff"] = {"before": before, "after": {}}
    return result


def main():
    group = dict(
        name=dict(required=True),
        retention_days=dict(type="int"),
        kms_key_id=dict(no_log=False),
        tags=dict(type="dict"),
    )
    module = AnsibleAWSModule(
        argument_spec=dict(
            state=dict(default="present", choices=["present", "absent"]),
            log_groups=dict(type="list", elements="dict", required=True, options=group),
            retention_days=dict(type="int"),
            kms_key_id=dict(no_log=False),
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    try:
        client = module.client("logs", retry_decorator=AWSRetry.jittered_backoff())
        kms = module.client("kms", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")
    if module.params["state"] == "present":
        result = ensure_present(client, kms, module)
    else:
        result = ensure_absent(client, module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
