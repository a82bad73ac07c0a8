#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: api_gateway_vpc_link
short_description: Manage an API Gateway (REST API) VPC link to internal Network Load Balancers
description:
  - Creates and deletes a VPC link, through which REST API integrations of type C(HTTP) or
    C(HTTP_PROXY) with C(connectionType=VPC_LINK) reach an internal Network Load Balancer.
  - The link is identified by its O(name); the module fails rather than guess when two links share it.
    CreateVpcLink takes no client token, so it is sent once; when its answer is lost, the link is
    looked up by name before another is created.
  - AWS cannot change a link's targets. When O(target_arns) differ from the existing link's, the
    module fails and changes nothing, unless O(replace=true), which deletes the link and makes a new one
    (its id changes, so the API's document, which names it, must then be deployed again).
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - V(present) ensures that the link exists; V(absent) deletes it.
    choices: ["present", "absent"]
    default: present
    type: str
  name:
    description: The name of the VPC link.
    required: true
    type: str
  description:
    description: The description of a new link.
    type: str
    default: ""
  target_arns:
    description:
      - ARNs of the Network Load Balancers the link reaches (AWS accepts one). Required when O(state=present).
    type: list
    elements: str
  replace:
    description: Replace a link whose targets differ instead of failing.
    type: bool
    default: false
  wait:
    description: Wait until the link is C(AVAILABLE) (AWS takes minutes to make one).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 900
  tags:
    description: Tags of the link.
    type: dict
    aliases: ["resource_tags"]
  purge_tags:
    description: Remove tags not listed in O(tags).
    type: bool
    default: true
notes:
  - CreateVpcLink takes no client token, so the module looks the link up by name first; a run that
    died after the create finds that link.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.
- name: Let the API reach the services' internal load balancer
  api_gateway_vpc_link:
    name: rtap-dev-services
    target_arns:
      - arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/rtap-dev-services/0123456789abcdef
    tags:
      Environment: dev
  register: link
"""

RETURN = r"""
vpc_link:
  description: The link (in check mode before it exists, C(id) is empty).
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: The link's id, the C(connectionId) of the integrations that use it.
      type: str
      returned: always
      sample: abc123
    name:
      description: The link's name.
      type: str
      returned: always
    status:
      description: PENDING, AVAILABLE, DELETING or FAILED.
      type: str
      returned: always
      sample: AVAILABLE
    target_arns:
      description: The load balancers.
      type: list
      elements: str
      returned: always
"""

import time

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible.module_utils.apigateway import call
from ansible.module_utils.apigateway import resource_arn
from ansible.module_utils.create_once import create_once
from ansible.module_utils.create_once import no_resend_client
from ansible.module_utils.tag_plan import plan_tags


def find_link(client, module, name):
    try:
        links = client.get_paginator("get_vpc_links").paginate().build_full_result().get("items", [])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to list VPC links")
    found = [link for link in links if link.get("name") == name]
    if len(found) > 1:
        module.fail_json(msg=f"Several VPC links are named {name} ({', '.join(sorted(f['id'] for f in found))})")
    return found[0] if found else None


def create_link(client, module, name, targets):
    """CreateVpcLink takes no client token: sent once, and after a lost answer the link is looked up by
    name (with these targets: a link being replaced may still be listed)."""
    params = module.params
    creator = no_resend_client(module, "apigateway")

    def find_new():
        link = find_link(client, module, name)
        return link if link and sorted(link.get("targetArns", [])) == targets else None

    try:
        return create_once(lambda: creator.create_vpc_link(name=name, description=params["description"],
                                                           targetArns=targets, tags=params["tags"] or {}),
                           find_new)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to create VPC link {name}")


def link_arn(module, link_id):
    return resource_arn(module.region, f"/vpclinks/{link_id}")


def wait_available(client, module, link):
    deadline = time.time() + module.params["wait_timeout"]
    while link.get("status") == "PENDING" and time.time() < deadline:
        time.sleep(10)
        link = call(client, module, "get_vpc_link", "Failed to read the VPC link", vpcLinkId=link["id"])
    if link.get("status") != "AVAILABLE":
        module.fail_json(msg=f"VPC link {link.get('name')} is {link.get('status')}: {link.get('statusMessage', '')}",
                         vpc_link=format_link(link))
    return link


def format_link(link):
    link = link or {}
    return {"id": link.get("id", ""), "name": link.get("name", ""), "status": link.get("status", ""),
            "target_arns": link.get("targetArns", [])}


def ensure_present(client, module):
    params = module.params
    name, targets = params["name"], sorted(params["target_arns"] or [])
    if not targets:
        module.fail_json(msg="target_arns: at least one Network Load Balancer ARN")
    link = find_link(client, module, name)
    before = format_link(link) if link else {}
    changed = False
    if link is not None and sorted(link.get("targetArns", [])) != targets:
        if not params["replace"]:
            module.fail_json(msg=(f"VPC link {name}: AWS cannot change its targets ({link.get('targetArns')} -> {targets}); "
                                  "set replace=true to delete it and make a new one (its id changes)"))
        changed = True
        if not module.check_mode:
            call(client, module, "delete_vpc_link", f"Failed to delete VPC link {name}", vpcLinkId=link["id"])
        link = None
    if link is None:
        changed = True
        if module.check_mode:
            after = {"id": "", "name": name, "status": "", "target_arns": targets}
            return {"changed": True, "vpc_link": after, "diff": {"before": before, "after": after}}
        link = create_link(client, module, name, targets)
    else:
        current_tags = link.get("tags") or {}
        _, to_set, to_unset = plan_tags(current_tags, params["tags"], params["purge_tags"])
        if to_set or to_unset:
            changed = True
            if not module.check_mode:
                if to_unset:
                    call(client, module, "untag_resource", "Failed to untag the VPC link",
                         resourceArn=link_arn(module, link["id"]), tagKeys=to_unset)
                if to_set:
                    call(client, module, "tag_resource", "Failed to tag the VPC link",
                         resourceArn=link_arn(module, link["id"]), tags=to_set)
    if params["wait"] and not module.check_mode:
        link = wait_available(client, module, link)
    result = {"changed": changed, "vpc_link": format_link(link)}
    if module._diff:
        result["diff"] = {"before": before, "after": format_link(link)}
    return result


def ensure_absent(client, module):
    link = find_link(client, module, module.params["name"])
    if link is not None and not module.check_mode:
        call(client, module, "delete_vpc_link", f"Failed to delete VPC link {module.params['name']}",
             ignore_codes=["NotFoundException"], vpcLinkId=link["id"])
    return {"changed": link is not None}


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            state=dict(default="present", choices=["present", "absent"]),
            name=dict(required=True),
            description=dict(default=""),
            target_arns=dict(type="list", elements="str"),
            replace=dict(type="bool", default=False),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=900),
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=True),
        ),
        required_if=[("state", "present", ["target_arns"])],
        supports_check_mode=True,
    )
    client = module.client("apigateway", retry_decorator=AWSRetry.jittered_backoff())
    result = ensure_present(client, module) if module.params["state"] == "present" else ensure_absent(client, module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
