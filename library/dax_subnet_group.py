#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: dax_subnet_group
short_description: Create, update and delete DynamoDB Accelerator (DAX) subnet groups
description:
  - Creates, updates and deletes a DAX subnet group, the VPC subnets a DAX cluster's nodes
    are placed in.
  - A subnet group is identified by its O(name). Its description and subnets can be
    changed in place.
  - DAX subnet groups cannot be tagged.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - V(present) ensures that the subnet group exists with the given settings.
      - V(absent) deletes it. AWS refuses to delete a subnet group that a cluster uses.
    choices: ["present", "absent"]
    default: present
    type: str
  name:
    description:
      - The name of the subnet group.
    required: true
    aliases: ["subnet_group_name"]
    type: str
  description:
    description:
      - The description of the subnet group.
      - If not set, a new subnet group gets an empty description and an existing one keeps its own.
    type: str
  subnet_ids:
    description:
      - The IDs of the subnets, all of one VPC.
      - Required when the subnet group is created. If not set, an existing subnet group keeps its subnets.
    type: list
    elements: str
notes:
  - Subnet group names are unique in an account and region, so a retried create finds
    the subnet group it made instead of making another.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Place DAX nodes in two private subnets
  dax_subnet_group:
    name: todo-cache
    description: Private subnets of the to-do service
    subnet_ids:
      - subnet-0123456789abcdef0
      - subnet-0fedcba9876543210

- name: Delete the subnet group
  dax_subnet_group:
    name: todo-cache
    state: absent
"""

RETURN = r"""
subnet_group:
  description:
    - The subnet group, as described by AWS.
    - In check mode, the subnet group as it currently exists (empty if it does not exist yet).
  returned: when O(state=present)
  type: dict
  contains:
    subnet_group_name:
      description: The name of the subnet group.
      returned: always
      type: str
      sample: todo-cache
    description:
      description: The description of the subnet group.
      returned: always
      type: str
      sample: Private subnets of the to-do service
    vpc_id:
      description: The VPC of the subnets.
      returned: always
      type: str
      sample: vpc-0123456789abcdef0
    subnets:
      description: The subnets, with their availability zones.
      returned: always
      type: list
      elements: dict
      sample: [{"subnet_identifier": "subnet-0123456789abcdef0", "subnet_availability_zone": "eu-west-1a"}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible.module_utils.dax import call
from ansible.module_utils.dax import dax_client
from ansible.module_utils.dax import describe_named
from ansible.module_utils.dax import snake


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def live_spec(group):
    """The settings of a described subnet group, keyed like the module options."""
    if not group:
        return {}
    return {
        "name": group["SubnetGroupName"],
        "description": group.get("Description") or "",
        "subnet_ids": sorted(subnet["SubnetIdentifier"] for subnet in group.get("Subnets", [])),
    }


def planned_spec(params, live):
    """The settings after this run: requested values, else the current ones (or AWS's defaults)."""
    planned = {"name": params["name"]}
    planned["description"] = params["description"] if params["description"] is not None else live.get("description", "")
    if params["subnet_ids"] is not None:
        planned["subnet_ids"] = sorted(set(params["subnet_ids"]))
    else:
        planned["subnet_ids"] = live.get("subnet_ids", [])
    return planned


def update_params(live, planned):
    """The UpdateSubnetGroup request that turns live into planned, or None when they agree."""
    params = {}
    if planned["description"] != live["description"]:
        params["Description"] = planned["description"]
    if planned["subnet_ids"] != live["subnet_ids"]:
        params["SubnetIds"] = planned["subnet_ids"]
    if not params:
        return None
    params["SubnetGroupName"] = live["name"]
    return params


# ---------------------------------------------------------------------------
# AWS calls and states
# ---------------------------------------------------------------------------


def describe_subnet_group(client, module, name):
    return describe_named(
        client, module, "describe_subnet_groups", "SubnetGroups", "SubnetGroupNames", name,
        "SubnetGroupNotFoundFault", "DAX subnet group",
    )


def ensure_present(client, module):
    params = module.params
    current = describe_subnet_group(client, module, params["name"])
    live = live_spec(current)
    planned = planned_spec(params, live)
    if current is None and not planned["subnet_ids"]:
        module.fail_json(msg=f"subnet_ids is required to create DAX subnet group {params['name']}")

    update = update_params(live, planned) if current else None
    changed = current is None or update is not None
    result = {"changed": changed, "subnet_group": snake(current)}
    if module._diff:
        result["diff"] = {"before": live, "after": planned}
    if module.check_mode or not changed:
        return result

    response = None
    if current is None:
        response = call(
            client, module, "create_subnet_group", f"Failed to create DAX subnet group {params['name']}",
            ignore_codes=["SubnetGroupAlreadyExistsFault"],
            SubnetGroupName=params["name"], Description=planned["description"], SubnetIds=planned["subnet_ids"],
        )
        if response is None:
            # A retried request whose first attempt succeeded: converge what it made.
            update = update_params(live_spec(describe_subnet_group(client, module, params["name"])), planned)
    if update:
        response = call(client, module, "update_subnet_group",
                        f"Failed to update DAX subnet group {params['name']}", **update)
    if response is None:
        result["subnet_group"] = snake(describe_subnet_group(client, module, params["name"]))
    else:
        result["subnet_group"] = snake(response["SubnetGroup"])
    return result


def ensure_absent(client, module):
    name = module.params["name"]
    current = describe_subnet_group(client, module, name)
    result = {"changed": current is not None}
    if module._diff:
        result["diff"] = {"before": live_spec(current), "after": {}}
    if current is not None and not module.check_mode:
        call(client, module, "delete_subnet_group", f"Failed to delete DAX subnet group {name}",
             ignore_codes=["SubnetGroupNotFoundFault"], SubnetGroupName=name)
    return result


def main():
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        name=dict(required=True, aliases=["subnet_group_name"]),
        description=dict(),
        subnet_ids=dict(type="list", elements="str"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = dax_client(module)
    if module.params["state"] == "present":
        result = ensure_present(client, module)
    else:
        result = ensure_absent(client, module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
