#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: platform_smoke
short_description: Check that the key resource of each platform layer is live and working
description:
  - Reads the live environment (read calls only) and checks that each resource named is present
    and in its working state, the way a smoke test after a deploy does.
  - A resource that does not exist counts as a failed check, never as an error of the module.
  - The module never changes anything; it runs in check mode as in a normal run.
author:
  - Ansible toolkit contributors
options:
  streams:
    description: Kinesis data streams that must be C(ACTIVE).
    type: list
    elements: str
    default: []
  event_source_mappings:
    description: UUIDs of Lambda event source mappings that must be C(Enabled).
    type: list
    elements: str
    default: []
  functions:
    description: Lambda functions that must be C(Active) with their last update C(Successful).
    type: list
    elements: str
    default: []
  tables:
    description: DynamoDB tables that must be C(ACTIVE).
    type: list
    elements: str
    default: []
  queues:
    description: SQS queues (names) that must exist.
    type: list
    elements: str
    default: []
  api_stages:
    description: API Gateway REST API stages, as V(API_ID/STAGE), that must have a deployment.
    type: list
    elements: str
    default: []
  user_pools:
    description: Cognito user pool ids that must exist.
    type: list
    elements: str
    default: []
  eks_clusters:
    description: EKS clusters that must be C(ACTIVE).
    type: list
    elements: str
    default: []
  ecs_services:
    description:
      - ECS services, as V(CLUSTER/SERVICE), that must be C(ACTIVE) with a single deployment (no rollout
        in flight) that has no failed tasks.
    type: list
    elements: str
    default: []
  ecs_require_running_tasks:
    description:
      - Also require each service's running task count to equal its desired count (the steady state
        of the ECS C(services_stable) waiter).
      - Turn it off only where no container can run, such as an emulator.
    type: bool
    default: true
notes:
  - Every call is a read (Describe, Get); the AWS client retries throttled calls with jittered backoff.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Check the key resources of the dev platform
  platform_smoke:
    streams: [rtap-dev-clickstream]
    tables: [rtap-dev-events, rtap-dev-todos]
    queues: [rtap-dev-billing, rtap-dev-billing-dlq]
    api_stages: [a1b2c3d4e5/v1]
    eks_clusters: [rtap-dev-eks]
    ecs_services: [rtap-dev-ecs/payments]
  register: smoke

- name: Fail naming what is not working
  ansible.builtin.assert:
    that: smoke.failures | length == 0
    fail_msg: "{{ smoke.failures | map(attribute='resource') | join(', ') }}"
"""

RETURN = r"""
checks:
  description: Every check made, in the order of the options.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: What was checked, for example V(stream) or V(ecs_service).
      type: str
    resource:
      description: The resource's name (or id), prefixed with its kind, for example V(queue rtap-dev-billing).
      type: str
    state:
      description: The state found, V(missing) when the resource does not exist.
      type: str
    ok:
      description: Whether the resource is in its working state.
      type: bool
  sample:
    - {kind: stream, resource: "stream rtap-dev-clickstream", state: ACTIVE, ok: true}
failures:
  description: The checks that failed (RV(checks) with RV(checks[].ok) false).
  returned: always
  type: list
  elements: dict
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# The error codes that mean "no such resource" for the calls below.
NOT_FOUND = ("ResourceNotFoundException", "NotFoundException", "AWS.SimpleQueueService.NonExistentQueue",
             "QueueDoesNotExist", "ClusterNotFoundException")


class Smoke:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.checks = []
        self._clients = {}

    def client(self, service):
        if service not in self._clients:
            self._clients[service] = self.module.client(service, retry_decorator=AWSRetry.jittered_backoff())
        return self._clients[service]

    def call(self, service, operation, **kwargs):
        """The call's answer, or None when the resource does not exist."""
        try:
            return getattr(self.client(service), operation)(aws_retry=True, **kwargs)
        except is_boto3_error_code(NOT_FOUND):
            return None
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"{service} {operation} failed")

    def record(self, kind, name, state, ok):
        self.checks.append({"kind": kind, "resource": f"{kind} {name}", "state": state, "ok": ok})

    def run(self):
        p = self.params
        for name in p["streams"]:
            found = self.call("kinesis", "describe_stream_summary", StreamName=name)
            state = found["StreamDescriptionSummary"]["StreamStatus"] if found else "missing"
            self.record("stream", name, state, state == "ACTIVE")
        for uuid in p["event_source_mappings"]:
            found = self.call("lambda", "get_event_source_mapping", UUID=uuid)
            state = found["State"] if found else "missing"
            self.record("event_source_mapping", uuid, state, state == "Enabled")
        for name in p["functions"]:
            found = self.call("lambda", "get_function_configuration", FunctionName=name)
            state = f"{found.get('State', 'Active')}/{found.get('LastUpdateStatus', 'Successful')}" if found else "missing"
            self.record("function", name, state, state == "Active/Successful")
        for name in p["tables"]:
            found = self.call("dynamodb", "describe_table", TableName=name)
            state = found["Table"]["TableStatus"] if found else "missing"
            self.record("table", name, state, state == "ACTIVE")
        for name in p["queues"]:
            found = self.call("sqs", "get_queue_url", QueueName=name)
            self.record("queue", name, "present" if found else "missing", bool(found))
        for stage in p["api_stages"]:
            api_id, stage_name = stage.split("/", 1)
            found = self.call("apigateway", "get_stage", restApiId=api_id, stageName=stage_name)
            deployed = bool(found and found.get("deploymentId"))
            state = ("deployed" if deployed else "not deployed") if found else "missing"
            self.record("api_stage", stage, state, deployed)
        for pool_id in p["user_pools"]:
            found = self.call("cognito-idp", "describe_user_pool", UserPoolId=pool_id)
            self.record("user_pool", pool_id, "present" if found else "missing", bool(found))
        for name in p["eks_clusters"]:
            found = self.call("eks", "describe_cluster", name=name)
            state = found["cluster"]["status"] if found else "missing"
            self.record("eks_cluster", name, state, state == "ACTIVE")
        for service in p["ecs_services"]:
            self.ecs_service(*service.split("/", 1))
        return {"changed": False, "checks": self.checks, "failures": [c for c in self.checks if not c["ok"]]}

    def ecs_service(self, cluster, service):
        found = self.call("ecs", "describe_services", cluster=cluster, services=[service])
        services = (found or {}).get("services", [])
        if not services:
            self.record("ecs_service", f"{cluster}/{service}", "missing", False)
            return
        svc = services[0]
        deployments = svc.get("deployments", [])
        problems = []
        if svc["status"] != "ACTIVE":
            problems.append(svc["status"])
        if len(deployments) != 1:
            problems.append(f"{len(deployments)} deployments")
        if any(d.get("failedTasks", 0) for d in deployments):
            problems.append("failed tasks")
        if self.params["ecs_require_running_tasks"] and svc["runningCount"] != svc["desiredCount"]:
            problems.append(f"{svc['runningCount']}/{svc['desiredCount']} tasks running")
        self.record("ecs_service", f"{cluster}/{service}", ", ".join(problems) or "steady", not problems)


def main():
    argument_spec = dict(
        streams=dict(type="list", elements="str", default=[]),
        event_source_mappings=dict(type="list", elements="str", default=[]),
        functions=dict(type="list", elements="str", default=[]),
        tables=dict(type="list", elements="str", default=[]),
        queues=dict(type="list", elements="str", default=[]),
        api_stages=dict(type="list", elements="str", default=[]),
        user_pools=dict(type="list", elements="str", default=[]),
        eks_clusters=dict(type="list", elements="str", default=[]),
        ecs_services=dict(type="list", elements="str", default=[]),
        ecs_require_running_tasks=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    module.exit_json(**Smoke(module).run())


if __name__ == "__main__":
    main()
