#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: platform_wait
short_description: Wait for slow AWS resources together, until each is ready
description:
  - Several AWS resources take minutes to become ready (an EKS cluster about 10, a DAX cluster
    several, a node group a few). The toolkit creates them without waiting and waits only where
    something needs them ready, with this module, so that the minutes pass while other work runs.
  - Polls every listed resource in one loop, starting at 1 second and backing off to 15 seconds,
    until all are ready. Fails at once, naming the resource, when one reaches a failed state,
    and after I(timeout) seconds naming those still not ready.
  - Read-only; never reports a change. In check mode a resource that does not exist yet (check
    mode created nothing) is reported as C(absent) and not waited for; outside check mode a
    missing resource is an error.
  - This module supports check mode.
author:
  - Ansible toolkit contributors
options:
  eks_clusters:
    description: EKS cluster names; ready when C(ACTIVE).
    type: list
    elements: str
    default: []
  eks_nodegroups:
    description: EKS managed node groups; ready when C(ACTIVE).
    type: list
    elements: dict
    default: []
    suboptions:
      cluster: {description: The cluster's name., type: str, required: true}
      name: {description: The node group's name., type: str, required: true}
  eks_fargate_profiles:
    description: EKS Fargate profiles; ready when C(ACTIVE).
    type: list
    elements: dict
    default: []
    suboptions:
      cluster: {description: The cluster's name., type: str, required: true}
      name: {description: The profile's name., type: str, required: true}
  eks_addons:
    description: EKS add-ons; ready when C(ACTIVE).
    type: list
    elements: dict
    default: []
    suboptions:
      cluster: {description: The cluster's name., type: str, required: true}
      name: {description: The add-on's name., type: str, required: true}
  dax_clusters:
    description: DAX cluster names; ready when C(available).
    type: list
    elements: str
    default: []
  nat_gateways:
    description: NAT gateway IDs; ready when C(available).
    type: list
    elements: str
    default: []
  vpc_endpoints:
    description: VPC endpoint IDs; ready when C(available) (interface endpoints take a minute or two).
    type: list
    elements: str
    default: []
  wait:
    description:
      - When false, only report each resource's state (C(absent) when it does not exist) and do
        not wait; a missing resource is then not an error.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for all of them, in all.
    type: int
    default: 1800
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Find whether the cluster exists, without waiting
  platform_wait:
    eks_clusters: [rtap-dev]
    wait: false
  register: cluster_state

- name: Wait for the node groups and add-ons before applying workloads
  platform_wait:
    eks_nodegroups:
      - {cluster: rtap-dev, name: general}
    eks_addons:
      - {cluster: rtap-dev, name: coredns}
    timeout: 1800

- name: Wait for the DAX cluster and the NAT gateways
  platform_wait:
    dax_clusters: [rtap-dev-dax]
    nat_gateways: [nat-0123456789abcdef0]
"""

RETURN = r"""
resources:
  description:
    - Each resource, with its last state (C(absent) if it does not exist) and the seconds it took
      to be ready (null when not waited for).
  returned: success
  type: list
  elements: dict
  sample: [{"kind": "eks_nodegroup", "name": "rtap-dev/general", "state": "ACTIVE", "ready_after": 3.1}]
waited:
  description: Seconds spent waiting in all.
  returned: success
  type: float
"""

import time

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.eks import poll_delays  # the back-off of every EKS wait: 1 s doubling to 15 s
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry



def _eks_status(client, operation, key, **names):
    try:
        return getattr(client, operation)(aws_retry=True, **names)[key]["status"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None


def _dax_status(client, name):
    try:
        return client.describe_clusters(aws_retry=True, ClusterNames=[name])["Clusters"][0]["Status"]
    except is_boto3_error_code("ClusterNotFoundFault"):
        return None


def _nat_status(client, gateway_id):
    try:
        gateways = client.describe_nat_gateways(aws_retry=True, NatGatewayIds=[gateway_id])["NatGateways"]
    except is_boto3_error_code("NatGatewayNotFound"):
        return None
    return gateways[0]["State"] if gateways else None


def _endpoint_status(client, endpoint_id):
    try:
        endpoints = client.describe_vpc_endpoints(aws_retry=True, VpcEndpointIds=[endpoint_id])["VpcEndpoints"]
    except is_boto3_error_code("InvalidVpcEndpointId.NotFound"):
        return None
    return endpoints[0]["State"].lower() if endpoints else None


def resources_to_wait_for(module):
    """(kind, name, read the state, ready states, failed states) for every listed resource."""
    params = module.params
    retry = AWSRetry.jittered_backoff()
    waits = []
    if params["eks_clusters"] or params["eks_nodegroups"] or params["eks_fargate_profiles"] or params["eks_addons"]:
        eks = module.client("eks", retry_decorator=retry)
        for name in params["eks_clusters"]:
            waits.append(("eks_cluster", name, lambda n=name: _eks_status(eks, "describe_cluster", "cluster", name=n),
                          {"ACTIVE"}, {"FAILED", "DELETING"}))
        for item in params["eks_nodegroups"]:
            waits.append(("eks_nodegroup", f"{item['cluster']}/{item['name']}",
                          lambda i=item: _eks_status(eks, "describe_nodegroup", "nodegroup",
                                                     clusterName=i["cluster"], nodegroupName=i["name"]),
                          {"ACTIVE"}, {"CREATE_FAILED", "DELETE_FAILED", "DEGRADED", "DELETING"}))
        for item in params["eks_fargate_profiles"]:
            waits.append(("eks_fargate_profile", f"{item['cluster']}/{item['name']}",
                          lambda i=item: _eks_status(eks, "describe_fargate_profile", "fargateProfile",
                                                     clusterName=i["cluster"], fargateProfileName=i["name"]),
                          {"ACTIVE"}, {"CREATE_FAILED", "DELETE_FAILED", "DELETING"}))
        for item in params["eks_addons"]:
            waits.append(("eks_addon", f"{item['cluster']}/{item['name']}",
                          lambda i=item: _eks_status(eks, "describe_addon", "addon",
                                                     clusterName=i["cluster"], addonName=i["name"]),
                          {"ACTIVE"}, {"CREATE_FAILED", "DELETE_FAILED", "DEGRADED", "DELETING"}))
    if params["dax_clusters"]:
        dax = module.client("dax", retry_decorator=retry)
        for name in params["dax_clusters"]:
            waits.append(("dax_cluster", name, lambda n=name: _dax_status(dax, n), {"available"}, {"deleting"}))
    if params["nat_gateways"] or params["vpc_endpoints"]:
        ec2 = module.client("ec2", retry_decorator=retry)
        for gateway_id in params["nat_gateways"]:
            waits.append(("nat_gateway", gateway_id, lambda g=gateway_id: _nat_status(ec2, g),
                          {"available"}, {"failed", "deleting", "deleted"}))
        for endpoint_id in params["vpc_endpoints"]:
            waits.append(("vpc_endpoint", endpoint_id, lambda e=endpoint_id: _endpoint_status(ec2, e),
                          {"available"}, {"failed", "rejected", "deleting", "deleted"}))
    return waits


def main():
    pair = dict(cluster=dict(type="str", required=True), name=dict(type="str", required=True))
    module = AnsibleAWSModule(
        argument_spec=dict(
            eks_clusters=dict(type="list", elements="str", default=[]),
            eks_nodegroups=dict(type="list", elements="dict", options=pair, default=[]),
            eks_fargate_profiles=dict(type="list", elements="dict", options=pair, default=[]),
            eks_addons=dict(type="list", elements="dict", options=pair, default=[]),
            dax_clusters=dict(type="list", elements="str", default=[]),
            nat_gateways=dict(type="list", elements="str", default=[]),
            vpc_endpoints=dict(type="list", elements="str", default=[]),
            wait=dict(type="bool", default=True),
            timeout=dict(type="int", default=1800),
        ),
        supports_check_mode=True,
    )
    if module.params["timeout"] < 1:
        module.fail_json(msg=f"timeout: must be at least 1 second, got {module.params['timeout']}")
    try:
        pending = resources_to_wait_for(module)
        started, delays, results = time.monotonic(), poll_delays(), []
        while pending:
            still = []
            for kind, name, read, ready, failed in pending:
                state = read()
                if not module.params["wait"]:
                    results.append(dict(kind=kind, name=name, state=state or "absent", ready_after=None))
                elif state is None and module.check_mode:
                    results.append(dict(kind=kind, name=name, state="absent", ready_after=None))
                elif state is None:
                    module.fail_json(msg=f"{kind.replace('_', ' ')} {name} does not exist; nothing to wait for")
                elif state in ready:
                    results.append(dict(kind=kind, name=name, state=state,
                                        ready_after=round(time.monotonic() - started, 1)))
                elif state in failed:
                    module.fail_json(msg=f"{kind.replace('_', ' ')} {name} is {state}, it will not become ready",
                                     resources=results)
                else:
                    still.append((kind, name, read, ready, failed, state))
            if not still:
                break
            waited = time.monotonic() - started
            if waited >= module.params["timeout"]:
                module.fail_json(msg="timed out after {0} s waiting for {1}".format(
                    module.params["timeout"], ", ".join(f"{k.replace('_', ' ')} {n} ({s})" for k, n, _r, _a, _f, s in still)),
                    resources=results)
            time.sleep(min(next(delays), module.params["timeout"] - waited))
            pending = [entry[:5] for entry in still]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to read the state of a resource to wait for")
    module.exit_json(changed=False, resources=results, waited=round(time.monotonic() - started, 1))


if __name__ == "__main__":
    main()
