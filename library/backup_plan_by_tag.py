#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: backup_plan_by_tag
short_description: An AWS Backup vault, a backup plan and a selection of resources by tag, in one run
description:
  - Ensures that an encrypted AWS Backup vault exists, that a backup plan with the given
    rules (schedule, windows, retention) backs up into it, and that the plan selects the
    resources carrying a tag.
  - The vault and the plan are found by name (ListBackupVaults, ListBackupPlans), so a
    rerun never makes a second one; create requests also carry a CreatorRequestId derived
    from the name.
  - A selection cannot be changed in place; a different role or tag condition replaces it.
  - The encryption key of an existing vault cannot change; a different key is refused.
  - O(state=absent) deletes the selection and the plan. The vault and its recovery points
    are kept (recovery points expire by their retention).
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - V(present) creates or updates the vault, plan and selection; V(absent) deletes the selection and plan.
    choices: ["present", "absent"]
    default: present
    type: str
  vault_name:
    description:
      - Name of the backup vault.
    required: true
    type: str
  vault_kms_key_id:
    description:
      - KMS key (ID, ARN, alias name or alias ARN) encrypting the vault's recovery points.
      - Empty for the AWS Backup managed key.
    type: str
    default: ""
  plan_name:
    description:
      - Name of the backup plan.
    required: true
    type: str
  rules:
    description:
      - The plan's rules. Required with O(state=present).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Rule name.
        required: true
        type: str
      schedule_expression:
        description: When backups start, a cron expression in UTC, for example V(cron(0 3 * * ? *)).
        required: true
        type: str
      start_window_minutes:
        description: Minutes after the scheduled time within which a backup must start.
        type: int
        default: 60
      completion_window_minutes:
        description: Minutes within which a started backup must complete.
        type: int
        default: 480
      delete_after_days:
        description: Days a recovery point is kept.
        required: true
        type: int
  selection_name:
    description:
      - Name of the resource selection; defaults to O(plan_name).
    type: str
  iam_role_arn:
    description:
      - Role AWS Backup assumes to back up the selected resources. Required with O(state=present).
    type: str
  tag_key:
    description:
      - Resources whose tag O(tag_key) equals O(tag_value) are backed up. Required with O(state=present).
    type: str
  tag_value:
    description:
      - See O(tag_key). Required with O(state=present).
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Daily backups of every resource tagged BackupPlan=tables-daily, kept 35 days
  backup_plan_by_tag:
    vault_name: tables
    vault_kms_key_id: alias/platform-data
    plan_name: tables-daily
    rules:
      - name: daily
        schedule_expression: cron(0 3 * * ? *)
        delete_after_days: 35
    iam_role_arn: arn:aws:iam::123456789012:role/backup
    tag_key: BackupPlan
    tag_value: tables-daily
    tags:
      Layer: data

- name: Stop the backups (the vault and its recovery points stay)
  backup_plan_by_tag:
    state: absent
    vault_name: tables
    plan_name: tables-daily
"""

RETURN = r"""
vault_arn:
  description: ARN of the vault (empty in check mode before it exists).
  returned: when O(state=present)
  type: str
  sample: arn:aws:backup:eu-west-1:123456789012:backup-vault:tables
plan_id:
  description: ID of the backup plan (empty in check mode before it exists).
  returned: when O(state=present)
  type: str
  sample: 8f3c2d9e-1b2a-4c3d-9e8f-0a1b2c3d4e5f
plan_arn:
  description: ARN of the backup plan.
  returned: when O(state=present)
  type: str
  sample: arn:aws:backup:eu-west-1:123456789012:backup-plan:8f3c2d9e-1b2a-4c3d-9e8f-0a1b2c3d4e5f
selection_id:
  description: ID of the resource selection.
  returned: when O(state=present)
  type: str
  sample: 5e6f7a8b-1c2d-3e4f-5a6b-7c8d9e0f1a2b
changes:
  description: What the run changed (or, in check mode, would change).
  returned: always
  type: list
  elements: str
  sample: ["create vault tables", "create plan tables-daily"]
"""

import hashlib

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible.module_utils.tag_plan import plan_tags


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def request_id(kind, name):
    """CreatorRequestId for a create call: the same for every retry of the same resource."""
    return hashlib.sha256(f"{kind}:{name}".encode("utf-8")).hexdigest()[:50]


def desired_rules(rules, vault_name):
    return [
        {
            "RuleName": rule["name"],
            "TargetBackupVaultName": vault_name,
            "ScheduleExpression": rule["schedule_expression"],
            "StartWindowMinutes": int(rule.get("start_window_minutes") or 60),
            "CompletionWindowMinutes": int(rule.get("completion_window_minutes") or 480),
            "Lifecycle": {"DeleteAfterDays": int(rule["delete_after_days"])},
        }
        for rule in rules
    ]


def live_rules(plan):
    """The comparable part of a described plan's rules (AWS adds ids and defaults)."""
    rules = []
    for rule in (plan or {}).get("Rules", []):
        rules.append({
            "RuleName": rule.get("RuleName"),
            "TargetBackupVaultName": rule.get("TargetBackupVaultName"),
            "ScheduleExpression": rule.get("ScheduleExpression"),
            "StartWindowMinutes": rule.get("StartWindowMinutes"),
            "CompletionWindowMinutes": rule.get("CompletionWindowMinutes"),
            "Lifecycle": {"DeleteAfterDays": (rule.get("Lifecycle") or {}).get("DeleteAfterDays")},
        })
    return sorted(rules, key=lambda r: r["RuleName"] or "")


def desired_selection(name, role_arn, tag_key, tag_value):
    return {
        "SelectionName": name,
        "IamRoleArn": role_arn,
        "ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": tag_key, "ConditionValue": tag_value}],
    }


def selection_matches(live, desired):
    """True when a described selection selects what desired asks for, with the same role."""
    if not live:
        return False
    tags = sorted((t.get("ConditionType"), t.get("ConditionKey"), t.get("ConditionValue")) for t in live.get("ListOfTags") or [])
    return (live.get("IamRoleArn") == desired["IamRoleArn"]
            and tags == [("STRINGEQUALS", desired["ListOfTags"][0]["ConditionKey"], desired["ListOfTags"][0]["ConditionValue"])]
            and not live.get("Resources") and not live.get("NotResources")
            and not any((live.get("Conditions") or {}).get(k) for k in ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")))


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


def _errors():
    return (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


@AWSRetry.jittered_backoff()
def _list(client, operation, key, **params):
    """All pages of a Backup list call (NextToken)."""
    items, token = [], None
    while True:
        page = getattr(client, operation)(**dict(params, NextToken=token) if token else params)
        items += page.get(key, [])
        token = page.get("NextToken")
        if not token:
            return items


def find_vault(client, module, name):
    try:
        vaults = _list(client, "list_backup_vaults", "BackupVaultList")
    except _errors() as e:
        module.fail_json_aws(e, msg="Failed to list backup vaults")
    return next((v for v in vaults if v["BackupVaultName"] == name), None)


def find_plan(client, module, name):
    """(plan summary, plan document) of the plan named name, or (None, None).

    Without a current plan, the summary is {"deleted": [ids of deleted plans of that name]}.
    """
    try:
        plans = _list(client, "list_backup_plans", "BackupPlansList", IncludeDeleted=True)
        found = next((p for p in plans if p.get("BackupPlanName") == name and not p.get("DeletionDate")), None)
        if not found:
            deleted = sorted(p["BackupPlanId"] for p in plans if p.get("BackupPlanName") == name)
            return {"deleted": deleted}, None
        plan = client.get_backup_plan(BackupPlanId=found["BackupPlanId"], aws_retry=True)
    except _errors() as e:
        module.fail_json_aws(e, msg=f"Failed to describe backup plan {name}")
    return found, plan["BackupPlan"]


def find_selection(client, module, plan_id, name):
    try:
        selections = _list(client, "list_backup_selections", "BackupSelectionsList", BackupPlanId=plan_id)
        found = next((s for s in selections if s.get("SelectionName") == name), None)
        if not found:
            return None, None
        selection = client.get_backup_selection(BackupPlanId=plan_id, SelectionId=found["SelectionId"], aws_retry=True)
    except _errors() as e:
        module.fail_json_aws(e, msg=f"Failed to describe backup selection {name}")
    return found["SelectionId"], selection["BackupSelection"]


def get_tags(client, module, arn):
    try:
        return client.list_tags(ResourceArn=arn, aws_retry=True).get("Tags", {})
    except _errors() as e:
        module.fail_json_aws(e, msg=f"Failed to list the tags of {arn}")


def update_tags(client, module, arn, to_set, to_unset):
    try:
        if to_unset:
            client.untag_resource(ResourceArn=arn, TagKeyList=list(to_unset), aws_retry=True)
        if to_set:
            client.tag_resource(ResourceArn=arn, Tags=to_set, aws_retry=True)
    except _errors() as e:
        module.fail_json_aws(e, msg=f"Failed to tag {arn}")


def resolve_kms_key(client, module, key_id):
    if not key_id or (key_id.startswith("arn:") and ":key/" in key_id):
        return key_id
    try:
        return client.describe_key(KeyId=key_id, aws_retry=True)["KeyMetadata"]["Arn"]
    except is_boto3_error_code("NotFoundException"):
        if module.check_mode:
            return key_id
        module.fail_json(msg=f"vault_kms_key_id: KMS key {key_id} does not exist")
    except _errors() as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to look up KMS key {key_id}")


# ---------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------


def ensure_vault(client, kms, module, changes, diff):
    params = module.params
    name = params["vault_name"]
    key_arn = resolve_kms_key(kms, module, params["vault_kms_key_id"])
    vault = find_vault(client, module, name)
    if vault is None:
        changes.append(f"create vault {name}")
        diff["after"]["vault"] = {"name": name, "encryption_key_arn": key_arn, "tags": params["tags"] or {}}
        if module.check_mode:
            return ""
        request = {"BackupVaultName": name, "CreatorRequestId": request_id("vault", name)}
        if key_arn:
            request["EncryptionKeyArn"] = key_arn
        if params["tags"]:
            request["BackupVaultTags"] = params["tags"]
        try:
            return client.create_backup_vault(aws_retry=True, **request)["BackupVaultArn"]
        except is_boto3_error_code("AlreadyExistsException"):
            return find_vault(client, module, name)["BackupVaultArn"]
        except _errors() as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg=f"Failed to create backup vault {name}")

    arn = vault["BackupVaultArn"]
    if key_arn and vault.get("EncryptionKeyArn") and vault["EncryptionKeyArn"] != key_arn:
        module.fail_json(msg=f"vault {name}: encrypted with {vault['EncryptionKeyArn']} but {key_arn} is asked for; "
                             "AWS cannot change a vault's key (use a new vault_name). Nothing was changed.")
    current = get_tags(client, module, arn)
    after, to_set, to_unset = plan_tags(current, params["tags"], params["purge_tags"])
    diff["before"]["vault"] = {"name": name, "encryption_key_arn": vault.get("EncryptionKeyArn", ""), "tags": current}
    diff["after"]["vault"] = {"name": name, "encryption_key_arn": vault.get("EncryptionKeyArn", ""), "tags": after}
    if to_set or to_unset:
        changes.append(f"tag vault {name}")
        if not module.check_mode:
            update_tags(client, module, arn, to_set, to_unset)
    return arn


def ensure_plan(client, module, changes, diff):
    params = module.params
    name = params["plan_name"]
    rules = desired_rules(params["rules"], params["vault_name"])
    summary, plan = find_plan(client, module, name)
    document = {"BackupPlanName": name, "Rules": rules}
    if plan is None:
        changes.append(f"create plan {name}")
        diff["after"]["plan"] = {"name": name, "rules": sorted(rules, key=lambda r: r["RuleName"]), "tags": params["tags"] or {}}
        if module.check_mode:
            return "", ""
        # A plan made again after a deletion must not replay the deleted plan's request.
        token = request_id("plan", ":".join([name] + summary["deleted"]))
        request = {"BackupPlan": document, "CreatorRequestId": token}
        if params["tags"]:
            request["BackupPlanTags"] = params["tags"]
        try:
            created = client.create_backup_plan(aws_retry=True, **request)
        except _errors() as e:
            module.fail_json_aws(e, msg=f"Failed to create backup plan {name}")
        return created["BackupPlanId"], created["BackupPlanArn"]

    plan_id, arn = summary["BackupPlanId"], summary["BackupPlanArn"]
    have = live_rules(plan)
    want = sorted(rules, key=lambda r: r["RuleName"])
    current = get_tags(client, module, arn)
    after, to_set, to_unset = plan_tags(current, params["tags"], params["purge_tags"])
    diff["before"]["plan"] = {"name": name, "rules": have, "tags": current}
    diff["after"]["plan"] = {"name": name, "rules": want, "tags": after}
    if have != want:
        changes.append(f"update the rules of plan {name}")
        if not module.check_mode:
            try:
                client.update_backup_plan(BackupPlanId=plan_id, BackupPlan=document, aws_retry=True)
            except _errors() as e:
                module.fail_json_aws(e, msg=f"Failed to update backup plan {name}")
    if to_set or to_unset:
        changes.append(f"tag plan {name}")
        if not module.check_mode:
            update_tags(client, module, arn, to_set, to_unset)
    return plan_id, arn


def ensure_selection(client, module, plan_id, changes, diff):
    params = module.params
    name = params["selection_name"] or params["plan_name"]
    desired = desired_selection(name, params["iam_role_arn"], params["tag_key"], params["tag_value"])
    selection_id, live = find_selection(client, module, plan_id, name) if plan_id else (None, None)
    diff["before"]["selection"] = live or {}
    diff["after"]["selection"] = desired
    if selection_matches(live, desired):
        diff["after"]["selection"] = live
        return selection_id
    changes.append(f"{'replace' if live else 'create'} selection {name}")
    if module.check_mode:
        return selection_id or ""
    try:
        if live:
            client.delete_backup_selection(BackupPlanId=plan_id, SelectionId=selection_id, aws_retry=True)
        # Salted with the selection it replaces, so that the replacement is not the replayed original.
        token = request_id("selection", f"{plan_id}:{name}:{desired['IamRoleArn']}:{params['tag_key']}="
                                        f"{params['tag_value']}:{selection_id or ''}")
        created = client.create_backup_selection(BackupPlanId=plan_id, BackupSelection=desired,
                                                 CreatorRequestId=token, aws_retry=True)
    except _errors() as e:
        module.fail_json_aws(e, msg=f"Failed to create backup selection {name}")
    return created["SelectionId"]


def ensure_absent(client, module):
    params = module.params
    changes = []
    summary, plan = find_plan(client, module, params["plan_name"])
    if plan is not None:
        name = params["selection_name"] or params["plan_name"]
        selection_id, _live = find_selection(client, module, summary["BackupPlanId"], name)
        if selection_id:
            changes.append(f"delete selection {name}")
        changes.append(f"delete plan {params['plan_name']}")
        if not module.check_mode:
            try:
                if selection_id:
                    client.delete_backup_selection(BackupPlanId=summary["BackupPlanId"], SelectionId=selection_id, aws_retry=True)
                client.delete_backup_plan(BackupPlanId=summary["BackupPlanId"], aws_retry=True)
            except _errors() as e:
                module.fail_json_aws(e, msg=f"Failed to delete backup plan {params['plan_name']}")
    return {"changed": bool(changes), "changes": changes}


def main():
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        vault_name=dict(required=True),
        vault_kms_key_id=dict(default="", no_log=False),
        plan_name=dict(required=True),
        rules=dict(
            type="list", elements="dict", default=[],
            options=dict(
                name=dict(required=True),
                schedule_expression=dict(required=True),
                start_window_minutes=dict(type="int", default=60),
                completion_window_minutes=dict(type="int", default=480),
                delete_after_days=dict(type="int", required=True),
            ),
        ),
        selection_name=dict(),
        iam_role_arn=dict(),
        tag_key=dict(no_log=False),
        tag_value=dict(),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[["state", "present", ["rules", "iam_role_arn", "tag_key", "tag_value"]]],
    )
    try:
        client = module.client("backup", retry_decorator=AWSRetry.jittered_backoff())
        kms = module.client("kms", retry_decorator=AWSRetry.jittered_backoff())
    except _errors() as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    if module.params["state"] == "absent":
        module.exit_json(**ensure_absent(client, module))

    changes = []
    diff = {"before": {}, "after": {}}
    vault_arn = ensure_vault(client, kms, module, changes, diff)
    plan_id, plan_arn = ensure_plan(client, module, changes, diff)
    selection_id = ensure_selection(client, module, plan_id, changes, diff)
    result = {"changed": bool(changes), "changes": changes, "vault_arn": vault_arn, "plan_id": plan_id,
              "plan_arn": plan_arn, "selection_id": selection_id}
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
