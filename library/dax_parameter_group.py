#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: dax_parameter_group
short_description: Create, update and delete DynamoDB Accelerator (DAX) parameter groups
description:
  - Creates, updates and deletes a DAX parameter group and sets its cache TTLs, the
    C(query-ttl-millis) and C(record-ttl-millis) parameters.
  - A parameter group is identified by its O(name). Its parameters change in place and
    apply to the clusters that use it at once.
  - AWS cannot change the description of a parameter group. When O(description) differs
    from the existing one, the module fails and changes nothing.
  - DAX parameter groups cannot be tagged.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - V(present) ensures that the parameter group exists with the given parameters.
      - V(absent) deletes it. AWS refuses to delete a parameter group that a cluster uses.
    choices: ["present", "absent"]
    default: present
    type: str
  name:
    description:
      - The name of the parameter group.
    required: true
    aliases: ["parameter_group_name"]
    type: str
  description:
    description:
      - The description of the parameter group, set when it is created.
      - If not set, a new parameter group gets an empty description.
    type: str
  query_ttl_millis:
    description:
      - How long, in milliseconds, DAX caches the result of a Query or Scan (C(query-ttl-millis)).
      - V(0) means results are never cached.
      - If not set, a new parameter group gets AWS's default (300000) and an existing one keeps its value.
    type: int
  record_ttl_millis:
    description:
      - How long, in milliseconds, DAX keeps an item read by GetItem or BatchGetItem (C(record-ttl-millis)).
      - V(0) means items stay until they are updated through DAX or evicted.
      - If not set, a new parameter group gets AWS's default (300000) and an existing one keeps its value.
    type: int
notes:
  - Parameter group names are unique in an account and region, so a retried create finds
    the parameter group it made instead of making another.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Cache items for 10 minutes and query results for 1 minute
  dax_parameter_group:
    name: todo-cache
    description: TTLs of the to-do cache
    record_ttl_millis: 600000
    query_ttl_millis: 60000

- name: Delete the parameter group
  dax_parameter_group:
    name: todo-cache
    state: absent
"""

RETURN = r"""
parameter_group:
  description:
    - The parameter group with its parameters.
    - In check mode, the parameter group as it currently exists (empty if it does not exist yet).
  returned: when O(state=present)
  type: dict
  contains:
    parameter_group_name:
      description: The name of the parameter group.
      returned: always
      type: str
      sample: todo-cache
    description:
      description: The description of the parameter group.
      returned: always
      type: str
      sample: TTLs of the to-do cache
    parameters:
      description: The parameters by their AWS name, with integer values.
      returned: always
      type: dict
      sample: {"query-ttl-millis": 60000, "record-ttl-millis": 600000}
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible.module_utils.dax import call
from ansible.module_utils.dax import dax_client
from ansible.module_utils.dax import describe_named
from ansible.module_utils.dax import paginate

# Module option -> DAX parameter name.
PARAMETERS = {"query_ttl_millis": "query-ttl-millis", "record_ttl_millis": "record-ttl-millis"}
# The value AWS gives both parameters in a new parameter group.
AWS_DEFAULT_TTL = 300000


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def parameter_values(parameters):
    """{name: int value} of described parameters (non-integer values are kept as strings)."""
    values = {}
    for parameter in parameters:
        value = parameter.get("ParameterValue")
        try:
            values[parameter["ParameterName"]] = int(value)
        except (TypeError, ValueError):
            values[parameter["ParameterName"]] = value
    return values


def live_spec(group, values):
    if not group:
        return {}
    return {"name": group["ParameterGroupName"], "description": group.get("Description") or "", "parameters": values}


def planned_spec(params, live):
    """The parameter group after this run."""
    current = live.get("parameters") or {name: AWS_DEFAULT_TTL for name in PARAMETERS.values()}
    parameters = dict(current)
    for option, name in PARAMETERS.items():
        if params[option] is not None:
            parameters[name] = params[option]
    description = live["description"] if live else (params["description"] or "")
    return {"name": params["name"], "description": description, "parameters": parameters}


def changed_parameters(current_values, planned_values):
    """ParameterNameValues for the parameters whose value changes."""
    return [
        {"ParameterName": name, "ParameterValue": str(value)}
        for name, value in sorted(planned_values.items())
        if current_values.get(name) != value
    ]


def format_group(spec):
    if not spec:
        return {}
    return {"parameter_group_name": spec["name"], "description": spec["description"], "parameters": spec["parameters"]}


# ---------------------------------------------------------------------------
# AWS calls and states
# ---------------------------------------------------------------------------


def describe_parameter_group(client, module, name):
    group = describe_named(
        client, module, "describe_parameter_groups", "ParameterGroups", "ParameterGroupNames", name,
        "ParameterGroupNotFoundFault", "DAX parameter group",
    )
    if group is None:
        return None, {}
    try:
        parameters = paginate(client, "describe_parameters", "Parameters", ParameterGroupName=name)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to describe the parameters of DAX parameter group {name}")
    return group, parameter_values(parameters)


def ensure_present(client, module):
    params = module.params
    name = params["name"]
    for option in PARAMETERS:
        if params[option] is not None and params[option] < 0:
            module.fail_json(msg=f"{option} must be 0 or more, got {params[option]}")

    current, values = describe_parameter_group(client, module, name)
    live = live_spec(current, values)
    if current and params["description"] is not None and params["description"] != live["description"]:
        module.fail_json(
            msg=(
                f"DAX parameter group {name}: description cannot be changed in place (AWS has no API for it); "
                f"it is '{live['description']}', '{params['description']}' was requested. Keep the current "
                "description, or delete the parameter group and create it again."
            ),
            unchangeable_settings=["description"],
        )
    planned = planned_spec(params, live)
    defaults = {parameter: AWS_DEFAULT_TTL for parameter in PARAMETERS.values()}
    updates = changed_parameters(values if current else defaults, planned["parameters"])

    changed = current is None or bool(updates)
    result = {"changed": changed, "parameter_group": format_group(live)}
    if module._diff:
        result["diff"] = {"before": live, "after": planned}
    if module.check_mode or not changed:
        return result

    if current is None:
        created = call(client, module, "create_parameter_group", f"Failed to create DAX parameter group {name}",
                       ignore_codes=["ParameterGroupAlreadyExistsFault"],
                       ParameterGroupName=name, Description=planned["description"])
        if created is None:
            # A retried request whose first attempt succeeded: compare with what it made.
            values = describe_parameter_group(client, module, name)[1]
            updates = changed_parameters(values, planned["parameters"])
    if updates:
        call(client, module, "update_parameter_group", f"Failed to set the parameters of DAX parameter group {name}",
             ParameterGroupName=name, ParameterNameValues=updates)
    current, values = describe_parameter_group(client, module, name)
    result["parameter_group"] = format_group(live_spec(current, values))
    return result


def ensure_absent(client, module):
    name = module.params["name"]
    current, values = describe_parameter_group(client, module, name)
    result = {"changed": current is not None}
    if module._diff:
        result["diff"] = {"before": live_spec(current, values), "after": {}}
    if current is not None and not module.check_mode:
        call(client, module, "delete_parameter_group", f"Failed to delete DAX parameter group {name}",
             ignore_codes=["ParameterGroupNotFoundFault"], ParameterGroupName=name)
    return result


def main():
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        name=dict(required=True, aliases=["parameter_group_name"]),
        description=dict(),
        query_ttl_millis=dict(type="int"),
        record_ttl_millis=dict(type="int"),
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
