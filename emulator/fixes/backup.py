"""AWS Backup: backup selections and backup plan updates, which moto does not implement."""

import json
from typing import Any


def _plan_id(path: str) -> str:
    """The backup plan id in /backup/plans/<id>[/selections/[<selection id>]]."""
    return path.split("/backup/plans/", 1)[1].split("/", 1)[0]


def backup_selections_can_be_created_listed_read_and_deleted() -> None:
    """CreateBackupSelection, GetBackupSelection, ListBackupSelections and DeleteBackupSelection work.

    AWS: https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupSelection.html
    (PUT /backup/plans/{backupPlanId}/selections/, returns SelectionId, BackupPlanId,
    CreationDate; a repeated CreatorRequestId returns the same selection),
    API_GetBackupSelection.html, API_ListBackupSelections.html, API_DeleteBackupSelection.html.
    moto 5.2.5 routes these requests to BackupResponse, which has no method for them: every
    call answers HTTP 500, so amazon.aws.backup_selection (how a backup plan selects the
    resources it backs up, e.g. by tag) cannot be used.
    """
    from moto.backup.exceptions import AlreadyExistsException, ResourceNotFoundException
    from moto.backup.responses import BackupResponse
    from moto.core.utils import unix_time
    from moto.moto_api._internal import mock_random

    def selections(backend: Any) -> dict[str, dict[str, Any]]:
        if not hasattr(backend, "platform_selections"):
            backend.platform_selections = {}
        return backend.platform_selections

    def plan_selections(self: Any) -> tuple[str, dict[str, dict[str, Any]]]:
        plan_id = _plan_id(self.path)
        plan = self.backup_backend.plans.get(plan_id)
        if plan is None or plan.deletion_date is not None:
            raise ResourceNotFoundException(msg=f"Backup plan {plan_id} not found")
        return plan_id, {k: v for k, v in selections(self.backup_backend).items() if v["BackupPlanId"] == plan_id}

    def create_backup_selection(self: Any) -> str:
        plan_id, existing = plan_selections(self)
        params = json.loads(self.body)
        selection = params["BackupSelection"]
        request_id = params.get("CreatorRequestId")
        for found in existing.values():
            if request_id and found.get("CreatorRequestId") == request_id:
                break
            if found["BackupSelection"]["SelectionName"] == selection["SelectionName"]:
                raise AlreadyExistsException(msg=f"Backup selection {selection['SelectionName']} already exists")
        else:
            selection_id = str(mock_random.uuid4())
            found = {"SelectionId": selection_id, "BackupPlanId": plan_id, "CreationDate": unix_time(),
                     "BackupSelection": selection}
            if request_id:
                found["CreatorRequestId"] = request_id
            selections(self.backup_backend)[selection_id] = found
        return json.dumps({k: found[k] for k in ("SelectionId", "BackupPlanId", "CreationDate")})

    def get_backup_selection(self: Any) -> str:
        _, existing = plan_selections(self)
        selection_id = self.path.rstrip("/").rsplit("/", 1)[1]
        if selection_id not in existing:
            raise ResourceNotFoundException(msg=f"Backup selection {selection_id} not found")
        return json.dumps(existing[selection_id])

    def list_backup_selections(self: Any) -> str:
        _, existing = plan_selections(self)
        listed = []
        for found in existing.values():
            item = {k: found[k] for k in ("SelectionId", "BackupPlanId", "CreationDate") if k in found}
            item["SelectionName"] = found["BackupSelection"]["SelectionName"]
            item["IamRoleArn"] = found["BackupSelection"]["IamRoleArn"]
            if "CreatorRequestId" in found:
                item["CreatorRequestId"] = found["CreatorRequestId"]
            listed.append(item)
        return json.dumps({"BackupSelectionsList": listed})

    def delete_backup_selection(self: Any) -> str:
        _, existing = plan_selections(self)
        selection_id = self.path.rstrip("/").rsplit("/", 1)[1]
        if selection_id not in existing:
            raise ResourceNotFoundException(msg=f"Backup selection {selection_id} not found")
        del selections(self.backup_backend)[selection_id]
        return "{}"

    BackupResponse.create_backup_selection = create_backup_selection
    BackupResponse.get_backup_selection = get_backup_selection
    BackupResponse.list_backup_selections = list_backup_selections
    BackupResponse.delete_backup_selection = delete_backup_selection


def backup_plans_can_be_updated() -> None:
    """UpdateBackupPlan replaces the plan's rules and gives the plan a new VersionId.

    AWS: https://docs.aws.amazon.com/aws-backup/latest/devguide/API_UpdateBackupPlan.html
    (POST /backup/plans/{backupPlanId}: "Updates the specified backup plan. The new version
    is uniquely identified by its ID."). moto 5.2.5 has no UpdateBackupPlan: HTTP 500, so
    a changed schedule or retention cannot be applied (amazon.aws.backup_plan fails).
    """
    from moto.backup.exceptions import ResourceNotFoundException
    from moto.backup.models import Plan
    from moto.backup.responses import BackupResponse
    from moto.moto_api._internal import mock_random

    def update_backup_plan(self: Any) -> str:
        plan_id = _plan_id(self.path)
        plan = self.backup_backend.plans.get(plan_id)
        if plan is None or plan.deletion_date is not None:
            raise ResourceNotFoundException(msg="Failed reading Backup plan with provided version")
        backup_plan = json.loads(self.body)["BackupPlan"]
        # A new Plan fills the rule defaults (windows, timezone, rule ids) as CreateBackupPlan does.
        updated = Plan(backup_plan=backup_plan, creator_request_id=plan.creator_request_id, backend=self.backup_backend)
        plan.backup_plan = updated.backup_plan
        plan.advanced_backup_settings = updated.advanced_backup_settings
        plan.version_id = mock_random.get_random_string(length=48)
        return json.dumps(plan.to_dict())

    BackupResponse.update_backup_plan = update_backup_plan


def backup_plan_name_is_free_again_after_deletion() -> None:
    """CreateBackupPlan accepts the name of a deleted backup plan.

    AWS: https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupPlan.html
    (AlreadyExistsException: "The required resource already exists") and
    API_DeleteBackupPlan.html: a deleted plan no longer exists (ListBackupPlans shows it
    only with IncludeDeleted, with its DeletionDate). moto 5.2.5 compares the new name with
    every plan it ever made, deleted ones included, so a plan deleted by a teardown can
    never be made again.
    """
    from moto.backup.models import BackupBackend

    original = BackupBackend.create_backup_plan

    def create_backup_plan(self: Any, backup_plan: dict[str, Any], backup_plan_tags: dict[str, str],
                           creator_request_id: str) -> Any:
        deleted = {k: v for k, v in self.plans.items() if v.deletion_date is not None}
        for plan_id in deleted:
            del self.plans[plan_id]
        try:
            return original(self, backup_plan, backup_plan_tags, creator_request_id)
        finally:
            self.plans.update(deleted)

    BackupBackend.create_backup_plan = create_backup_plan


FIXES = [
    backup_selections_can_be_created_listed_read_and_deleted,
    backup_plans_can_be_updated,
    backup_plan_name_is_free_again_after_deletion,
]
