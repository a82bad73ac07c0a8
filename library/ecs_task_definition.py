#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ecs_task_definition
short_description: Register an ECS task definition revision only when the definition changed
description:
  - Registers a new revision of the task definition family O(family) when the requested
    definition differs from the latest C(ACTIVE) revision of that family, and leaves the
    family alone when it does not.
  - Unlike C(community.aws.ecs_taskdefinition), every setting is compared (CPU, memory,
    execution role, network mode, compatibilities, runtime platform, volumes and the
    container definitions), against the latest revision only; values AWS fills in with
    their documented defaults (for example C(essential), a container's C(cpu) of 0, a port
    mapping's C(protocol), a health check's C(interval), C(timeout) and C(retries)) do not
    count as differences.
  - Tags are set on the latest revision in place (they never make a new revision).
  - RegisterTaskDefinition takes no client token, so it is sent once; when its answer is lost, the
    latest C(ACTIVE) revision is taken if it is new and is the requested definition, before another is registered.
  - O(state=absent) deregisters every C(ACTIVE) revision of the family.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  family:
    description: Name of the task definition family.
    type: str
    required: true
  state:
    description: C(present) registers a revision when needed; C(absent) deregisters every active revision.
    type: str
    choices: [present, absent]
    default: present
  container_definitions:
    description:
      - The container definitions, exactly as the RegisterTaskDefinition API takes them (camelCase keys).
      - Required with O(state=present).
    type: list
    elements: dict
  task_role_arn:
    description: IAM role the containers assume.
    type: str
  execution_role_arn:
    description: IAM role the ECS agent uses to pull images, read secrets and write logs.
    type: str
  network_mode:
    description: Docker networking mode; Fargate requires C(awsvpc).
    type: str
    choices: [bridge, host, awsvpc, none]
    default: awsvpc
  requires_compatibilities:
    description: Launch types the definition is validated against.
    type: list
    elements: str
    default: [FARGATE]
  cpu:
    description: Task CPU units, as a string (for example C("256")).
    type: str
  memory:
    description: Task memory in MiB, as a string (for example C("512")).
    type: str
  runtime_platform:
    description: The runtimePlatform structure (cpuArchitecture, operatingSystemFamily).
    type: dict
  volumes:
    description: The volumes structure of the API.
    type: list
    elements: dict
    default: []
  tags:
    description: Tags of the task definition. Without it, tags are left as they are.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove tags that O(tags) does not list.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A Fargate task definition, registered again only when it changes
  ecs_task_definition:
    family: rtap-dev-payments
    cpu: "256"
    memory: "512"
    task_role_arn: arn:aws:iam::111122223333:role/rtap-dev-ecs-payments-task
    execution_role_arn: arn:aws:iam::111122223333:role/rtap-dev-ecs-payments-execution
    runtime_platform:
      cpuArchitecture: X86_64
      operatingSystemFamily: LINUX
    container_definitions:
      - name: payments
        image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/rtap-dev/payments:1.4.2
        essential: true
        portMappings:
          - {containerPort: 8080, hostPort: 8080, protocol: tcp}
    tags:
      Layer: containers

- name: Deregister every active revision
  ecs_task_definition:
    family: rtap-dev-payments
    state: absent
"""

RETURN = r"""
task_definition:
  description: The latest active revision after the run, as DescribeTaskDefinition returns it (camelCase keys).
  returned: when O(state=present) and a revision exists (not in check mode before the first registration)
  type: dict
  sample: {"taskDefinitionArn": "arn:aws:ecs:eu-west-1:111122223333:task-definition/rtap-dev-payments:3", "revision": 3}
arn:
  description: ARN of that revision.
  returned: when O(state=present) and a revision exists
  type: str
  sample: arn:aws:ecs:eu-west-1:111122223333:task-definition/rtap-dev-payments:3
revision:
  description: Number of that revision (in check mode, the number the new revision would get).
  returned: when O(state=present)
  type: int
  sample: 3
differences:
  description: The top-level settings that differed from the latest active revision.
  returned: when O(state=present)
  type: list
  elements: str
  sample: ["containerDefinitions"]
deregistered:
  description: ARNs of the revisions deregistered.
  returned: when O(state=absent)
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible.module_utils.create_once import create_once
from ansible.module_utils.create_once import no_resend_client
from ansible.module_utils.tag_plan import plan_tags

# Values AWS documents as the defaults it stores when a field is left out
# (ContainerDefinition, PortMapping, HealthCheck). Anywhere in a container definition
# a key that the request leaves out may carry its default.
CONTAINER_DEFAULTS = {"essential": True, "cpu": 0, "protocol": "tcp", "interval": 30, "timeout": 5, "retries": 3}

COMPARED = ("taskRoleArn", "executionRoleArn", "networkMode", "requiresCompatibilities", "cpu", "memory",
            "runtimePlatform", "volumes", "containerDefinitions")


def _empty(value):
    return value is None or value == [] or value == {} or value == ""


def covers(wanted, live):
    """True when the live value is the wanted one, up to AWS's defaults and empty values."""
    if isinstance(wanted, dict):
        if not isinstance(live, dict):
            return not wanted and _empty(live)
        for key, value in wanted.items():
            if not covers(value, live.get(key)):
                return False
        for key, value in live.items():
            if key in wanted or _empty(value):
                continue
            if key == "hostPort" and value == live.get("containerPort"):
                continue  # awsvpc: the host port is the container port
            if key in CONTAINER_DEFAULTS and CONTAINER_DEFAULTS[key] == value:
                continue
            return False
        return True
    if isinstance(wanted, list):
        live = live or []
        return len(wanted) == len(live) and all(covers(w, v) for w, v in zip(wanted, live))
    if _empty(wanted):
        return _empty(live)
    return wanted == live or (isinstance(wanted, (int, str)) and str(wanted) == str(live))


def desired_definition(params):
    definition = {
        "family": params["family"],
        "networkMode": params["network_mode"],
        "requiresCompatibilities": sorted(params["requires_compatibilities"]),
        "containerDefinitions": params["container_definitions"],
        "volumes": params["volumes"] or [],
    }
    for option, key in (("task_role_arn", "taskRoleArn"), ("execution_role_arn", "executionRoleArn"),
                        ("cpu", "cpu"), ("memory", "memory"), ("runtime_platform", "runtimePlatform")):
        if params[option] is not None:
            definition[key] = params[option]
    return definition


def differences(definition, live):
    if not live:
        return list(COMPARED)
    found = []
    for key in COMPARED:
        wanted = definition.get(key)
        current = live.get(key)
        if key == "requiresCompatibilities":
            current = sorted(current or [])
        if not covers(wanted, current):
            found.append(key)
    return found


@AWSRetry.jittered_backoff()
def _describe(client, family):
    return client.describe_task_definition(taskDefinition=family, include=["TAGS"])


def latest_active(client, module, family):
    """The latest ACTIVE revision of exactly this family (DescribeTaskDefinition by family name) and its tags."""
    try:
        found = _describe(client, family)
    except is_boto3_error_code("ClientException"):
        return None, {}
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to describe task definition family {family}")
    definition = found["taskDefinition"]
    if definition.get("status") != "ACTIVE" or definition.get("family") != family:
        return None, {}
    return definition, boto3_tag_list_to_ansible_dict(found.get("tags", []))


def active_arns(client, module, family):
    try:
        paginator = client.get_paginator("list_task_definitions")
        arns = paginator.paginate(familyPrefix=family, status="ACTIVE").build_full_result()["taskDefinitionArns"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to list task definitions of {family}")
    # familyPrefix matches by prefix: keep exactly this family.
    return sorted(arn for arn in arns if arn.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family)


def register_once(client, module, definition, request, live):
    """RegisterTaskDefinition takes no client token: it is sent once, and after a lost answer the
    family's latest ACTIVE revision is taken when it is newer than `live` and is the definition asked for."""
    creator = no_resend_client(module, "ecs")

    def find():
        latest, _ = latest_active(client, module, definition["family"])
        newer = latest and (live is None or latest["revision"] > live["revision"])
        return latest if newer and not differences(definition, latest) else None

    return create_once(lambda: creator.register_task_definition(**request)["taskDefinition"], find)


def diff_view(definition, tags):
    view = {key: definition.get(key) for key in COMPARED if key in definition}
    view["tags"] = tags
    return view


def ensure_present(client, module):
    params = module.params
    definition = desired_definition(params)
    live, live_tags = latest_active(client, module, params["family"])
    found = differences(definition, live)
    register = bool(found)
    base_tags = {} if register else live_tags
    tags, to_set, to_unset = plan_tags(base_tags, params["tags"], params["purge_tags"])
    if register:
        to_set, to_unset = tags, []

    result = {"changed": bool(register or to_set or to_unset), "differences": found}
    if module._diff:
        result["diff"] = {"before": diff_view(live, live_tags) if live else {}, "after": diff_view(definition, tags)}
    if live:
        result.update(task_definition=normalize_boto3_result(live), arn=live["taskDefinitionArn"],
                      revision=live["revision"])
    if module.check_mode or not result["changed"]:
        if register and module.check_mode:
            result["revision"] = (live["revision"] + 1) if live else None
        return result

    try:
        if register:
            request = dict(definition)
            if tags:
                request["tags"] = ansible_dict_to_boto3_tag_list(tags, "key", "value")
            created = register_once(client, module, definition, request, live)
        else:
            if to_unset:
                client.untag_resource(aws_retry=True, resourceArn=live["taskDefinitionArn"], tagKeys=to_unset)
            if to_set:
                client.tag_resource(aws_retry=True, resourceArn=live["taskDefinitionArn"],
                                    tags=ansible_dict_to_boto3_tag_list(to_set, "key", "value"))
            created = live
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to register task definition {params['family']}")
    result.update(task_definition=normalize_boto3_result(created), arn=created["taskDefinitionArn"],
                  revision=created["revision"])
    return result


def ensure_absent(client, module):
    arns = active_arns(client, module, module.params["family"])
    result = {"changed": bool(arns), "deregistered": arns}
    if module._diff:
        result["diff"] = {"before": {"active_revisions": arns}, "after": {"active_revisions": []}}
    if module.check_mode:
        return result
    for arn in arns:
        try:
            client.deregister_task_definition(aws_retry=True, taskDefinition=arn)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Failed to deregister {arn}")
    return result


def main():
    argument_spec = dict(
        family=dict(required=True),
        state=dict(default="present", choices=["present", "absent"]),
        container_definitions=dict(type="list", elements="dict"),
        task_role_arn=dict(),
        execution_role_arn=dict(),
        network_mode=dict(default="awsvpc", choices=["bridge", "host", "awsvpc", "none"]),
        requires_compatibilities=dict(type="list", elements="str", default=["FARGATE"]),
        cpu=dict(),
        memory=dict(),
        runtime_platform=dict(type="dict"),
        volumes=dict(type="list", elements="dict", default=[]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[["state", "present", ["container_definitions"]]],
    )
    try:
        client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    if module.params["state"] == "present":
        result = ensure_present(client, module)
    else:
        result = ensure_absent(client, module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
