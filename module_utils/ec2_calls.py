# -*- coding: utf-8 -*-
# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EC2 calls shared by the modules that reconcile EC2 resources
(ec2_security_groups, ec2_route_tables, ec2_vpc_core, ec2_vpc_endpoints)."""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list


def call(module, what, method, done_if=(), **params):
    """method(**params) with the module's retries; fail the module with "Failed to <what>".

    done_if: error codes that mean the change is already made (None is returned): botocore sends a
    request again when its answer is lost, and the second answer of an add that worked is then
    "already exists" (InvalidPermission.Duplicate, RouteAlreadyExists, ...), of a removal "not found".
    """
    try:
        return method(aws_retry=True, **params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        if isinstance(e, botocore.exceptions.ClientError) and e.response.get("Error", {}).get("Code") in done_if:
            return None
        module.fail_json_aws(e, msg=f"Failed to {what}")


def apply_tags(module, client, what, resource_id, to_set, to_unset):
    """Remove the tag keys to_unset and set the tags to_set ({key: value}) of one EC2 resource."""
    if to_unset:
        call(module, f"untag {what}", client.delete_tags, Resources=[resource_id], Tags=[{"Key": key} for key in to_unset])
    if to_set:
        call(module, f"tag {what}", client.create_tags, Resources=[resource_id], Tags=ansible_dict_to_boto3_tag_list(to_set))


# kind: (describe operation, ids parameter, result key, id key, not-found code, waiter)
_KINDS = {
    "security groups": ("describe_security_groups", "GroupIds", "SecurityGroups", "GroupId",
                        "InvalidGroup.NotFound", "security_group_exists"),
    "route tables": ("describe_route_tables", "RouteTableIds", "RouteTables", "RouteTableId",
                     "InvalidRouteTableID.NotFound", "route_table_exists"),
}


def wait_until_visible(client, module, kind, ids):
    """Return once a describe shows the new resources of this kind: at once when it already
    does (one call), else through botocore's waiter (EC2 is eventually consistent), never a
    fixed sleep."""
    if not ids:
        return
    operation, ids_param, key, id_key, not_found, waiter = _KINDS[kind]
    try:
        seen = {item[id_key] for item in getattr(client, operation)(aws_retry=True, **{ids_param: ids})[key]}
    except is_boto3_error_code(not_found):
        seen = set()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to describe the new {kind}")
    missing = [item_id for item_id in ids if item_id not in seen]
    if missing:
        try:
            client.get_waiter(waiter).wait(**{ids_param: missing}, WaiterConfig={"Delay": 2, "MaxAttempts": 60})
        except botocore.exceptions.WaiterError as e:
            module.fail_json_aws(e, msg=f"The {kind} {', '.join(missing)} did not appear")
