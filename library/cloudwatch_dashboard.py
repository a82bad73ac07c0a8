#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cloudwatch_dashboard
short_description: Create, update and delete a CloudWatch dashboard
description:
  - Creates, updates and deletes a CloudWatch dashboard. Neither amazon.aws nor community.aws has a module for dashboards.
  - The dashboard body is compared as JSON (key order and white space do not matter); C(PutDashboard)
    is only called when it differs.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  name:
    description: The dashboard name.
    required: true
    type: str
  body:
    description:
      - The dashboard body (an object with C(widgets)), as a dict or a JSON string.
        Required with O(state=present).
    type: raw
  state:
    description: Whether the dashboard exists.
    choices: ["present", "absent"]
    default: present
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: A dashboard rendered from a template
  cloudwatch_dashboard:
    name: platform
    body: "{{ lookup('ansible.builtin.template', 'dashboard.json.j2') }}"

- name: Delete it
  cloudwatch_dashboard:
    name: platform
    state: absent
"""

RETURN = r"""
dashboard_name:
  description: The dashboard name.
  returned: always
  type: str
  sample: platform
dashboard_arn:
  description: The dashboard ARN; empty when the dashboard does not exist (or is still to be created in check mode).
  returned: always
  type: str
  sample: arn:aws:cloudwatch::123456789012:dashboard/platform
validation_messages:
  description: Warnings AWS returned about the body (the dashboard is still saved).
  returned: when O(state=present) and the dashboard was put
  type: list
  elements: dict
  sample: []
"""

import json

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def parse_body(body):
    """A dashboard body given as a dict or JSON string, as a dict."""
    if body is None:
        return None
    if isinstance(body, (dict, list)):
        return json.loads(json.dumps(body))
    return json.loads(body)


def body_text(body):
    """The canonical JSON text of a body: sorted keys, no spaces, so equal bodies give equal text."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def bodies_differ(live_text, desired):
    if live_text is None:
        return True
    try:
        live = json.loads(live_text)
    except ValueError:
        return True
    return live != desired


def get_dashboard(client, module, name):
    try:
        return client.get_dashboard(DashboardName=name, aws_retry=True)
    except is_boto3_error_code(["ResourceNotFound", "ResourceNotFoundException"]):
        return None
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to get dashboard {name}")


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(required=True),
            body=dict(type="raw"),
            state=dict(default="present", choices=["present", "absent"]),
        ),
        required_if=[["state", "present", ["body"]]],
        supports_check_mode=True,
    )
    name = module.params["name"]
    try:
        desired = parse_body(module.params["body"])
    except ValueError as e:
        module.fail_json(msg=f"body is not valid JSON: {e}")
    if module.params["state"] == "present" and not isinstance(desired, dict):
        module.fail_json(msg="body must be a JSON object with a widgets list")

    try:
        client = module.client("cloudwatch", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    current = get_dashboard(client, module, name)
    before = json.loads(current["DashboardBody"]) if current and current.get("DashboardBody") else {}
    result = {"dashboard_name": name, "dashboard_arn": current["DashboardArn"] if current else ""}

    if module.params["state"] == "absent":
        result["changed"] = current is not None
        if module._diff:
            result["diff"] = {"before": before, "after": {}}
        if current and not module.check_mode:
            try:
                client.delete_dashboards(DashboardNames=[name], aws_retry=True)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg=f"Failed to delete dashboard {name}")
        if current:
            result["dashboard_arn"] = ""
        module.exit_json(**result)

    changed = bodies_differ(current.get("DashboardBody") if current else None, desired)
    result["changed"] = changed
    if module._diff:
        result["diff"] = {"before": before, "after": desired}
    if changed and not module.check_mode:
        try:
            response = client.put_dashboard(DashboardName=name, DashboardBody=body_text(desired), aws_retry=True)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Failed to put dashboard {name}")
        result["validation_messages"] = [camel_dict_to_snake_dict(m) for m in response.get("DashboardValidationMessages", [])]
        current = get_dashboard(client, module, name)
        result["dashboard_arn"] = current["DashboardArn"] if current else ""
    module.exit_json(**result)


if __name__ == "__main__":
    main()
