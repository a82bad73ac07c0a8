#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ec2_vpc_endpoints
short_description: A VPC's gateway and interface endpoints, each made at most once
description:
  - Converges a list of VPC endpoints of one VPC. Each endpoint is found by its VPC and service
    (an endpoint that is not deleted, deleting, failed or rejected); a missing one is created with
    its tags in the create call, an existing one gets its route tables (gateway), subnets and
    security groups (interface) and tags converged with C(ModifyVpcEndpoint) and tag calls.
  - C(CreateVpcEndpoint) sent again after its answer was lost makes a second endpoint. The create
    is sent once (C(module_utils/create_once.py)) and a lost answer is followed by a lookup, so
    neither a retry nor a re-run after an interruption makes a duplicate. (The C(client_token)
    option of C(amazon.aws.ec2_vpc_endpoint) cannot be used, as it compares an aware and a naive
    datetime and fails.)
  - Endpoints of the VPC that are not in I(endpoints) are left alone.
  - Does not wait for new endpoints to be C(available) (an interface endpoint takes a minute or
    two); M(platform_wait) waits for them, all together.
  - Supports check mode and diff mode.
options:
  vpc_id:
    description: The VPC.
    type: str
    required: true
  endpoints:
    description: The endpoints, one per service.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The endpoint's C(Name) tag.
        type: str
        required: true
      service:
        description: The full service name, for example C(com.amazonaws.eu-west-1.s3).
        type: str
        required: true
      type:
        description: C(Gateway) (S3, DynamoDB; routes in route tables) or C(Interface) (network interfaces in subnets).
        type: str
        required: true
        choices: [Gateway, Interface]
      route_table_ids:
        description: The route tables of a gateway endpoint (at least one).
        type: list
        elements: str
        default: []
      subnet_ids:
        description: The subnets of an interface endpoint (at least one).
        type: list
        elements: str
        default: []
      security_group_ids:
        description: The security groups of an interface endpoint.
        type: list
        elements: str
        default: []
  tags:
    description: Tags of every endpoint (each also gets its C(Name) tag).
    type: dict
    default: {}
  purge_tags:
    description: Remove tags not in I(tags) (and not C(Name)).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Converge the VPC endpoints
  ec2_vpc_endpoints:
    vpc_id: "{{ network__vpc_id }}"
    endpoints:
      - name: rtap-dev-s3
        service: com.amazonaws.eu-west-1.s3
        type: Gateway
        route_table_ids: [rtb-0a1b2c3d, rtb-0e1f2a3b]
      - name: rtap-dev-logs
        service: com.amazonaws.eu-west-1.logs
        type: Interface
        subnet_ids: [subnet-0a1b2c3d, subnet-0e1f2a3b]
        security_group_ids: [sg-0a1b2c3d]
    tags: {Environment: dev, ManagedBy: ansible-platform-toolkit}
"""

RETURN = r"""
endpoints:
  description: One entry per endpoint, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The endpoint's C(Name) tag.
      returned: always
      type: str
      sample: rtap-dev-s3
    service:
      description: The service name.
      returned: always
      type: str
      sample: com.amazonaws.eu-west-1.s3
    id:
      description: The endpoint's id; empty in check mode for an endpoint still to be created.
      returned: always
      type: str
      sample: vpce-0a1b2c3d4e5f6a7b8
    state:
      description: The endpoint's state as last read (empty in check mode for a new one).
      returned: always
      type: str
      sample: available
    changes:
      description: What the run changed on this endpoint.
      returned: always
      type: list
      elements: str
      sample: ["create", "add route tables rtb-0a1b2c3d"]
endpoint_ids:
  description: Endpoint name to id, for every endpoint given (empty id as for RV(endpoints[].id)).
  returned: always
  type: dict
  sample: {rtap-dev-s3: vpce-0a1b2c3d4e5f6a7b8}
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.create_once import create_once, no_resend_client
from ansible.module_utils.ec2_calls import apply_tags, call
from ansible.module_utils.tag_plan import plan_tags

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)

LIVE_STATES = ["pendingAcceptance", "pending", "available", "modifying"]
# What ModifyVpcEndpoint adds or removes, per endpoint type: (option, describe key, add/remove suffix)
MEMBERS = {
    "Gateway": [("route_table_ids", "RouteTableIds", "RouteTableIds")],
    "Interface": [("subnet_ids", "SubnetIds", "SubnetIds"), ("security_group_ids", None, "SecurityGroupIds")],
}


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def input_errors(endpoints):
    """What is wrong with the endpoints option, each naming the entry and the rule it breaks."""
    errors, seen = [], set()
    for index, endpoint in enumerate(endpoints):
        where = f"endpoints[{index}] ({endpoint['name']})"
        if endpoint["service"] in seen:
            errors.append(f"{where}: service {endpoint['service']} is given twice (one endpoint per service)")
        seen.add(endpoint["service"])
        if endpoint["type"] == "Gateway":
            if not endpoint["route_table_ids"]:
                errors.append(f"{where}: a gateway endpoint needs route_table_ids")
            if endpoint["subnet_ids"] or endpoint["security_group_ids"]:
                errors.append(f"{where}: subnet_ids and security_group_ids are for interface endpoints")
        else:
            if not endpoint["subnet_ids"]:
                errors.append(f"{where}: an interface endpoint needs subnet_ids")
            if endpoint["route_table_ids"]:
                errors.append(f"{where}: route_table_ids are for gateway endpoints")
    return errors


def current_members(found, key):
    """The ids an existing endpoint has under key (security groups are listed as Groups)."""
    if key is None:
        return [g["GroupId"] for g in found.get("Groups", [])]
    return list(found.get(key) or [])


def plan_members(endpoint, found):
    """{ModifyVpcEndpoint parameter: ids} that makes the found endpoint's members the desired ones."""
    request = {}
    for option, key, suffix in MEMBERS[endpoint["type"]]:
        current, desired = current_members(found, key), endpoint[option]
        to_add = [i for i in desired if i not in current]
        to_remove = [i for i in current if i not in desired]
        if to_add:
            request[f"Add{suffix}"] = to_add
        if to_remove:
            request[f"Remove{suffix}"] = to_remove
    return request


def describe_changes(request):
    """Readable changes of a ModifyVpcEndpoint request, e.g. "add route tables rtb-1"."""
    words = {"RouteTableIds": "route tables", "SubnetIds": "subnets", "SecurityGroupIds": "security groups"}
    changes = []
    for parameter, ids in request.items():
        verb = "add" if parameter.startswith("Add") else "remove"
        changes.append(f"{verb} {words[parameter[len(verb):]]} {', '.join(ids)}")
    return changes


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


class Endpoints:
    def __init__(self, module, client, create_client):
        self.module, self.client, self.create_client = module, client, create_client

    def live(self, vpc_id, service=None):
        """{service: its endpoint} of the VPC's endpoints that are not gone (of one service if given)."""
        filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "vpc-endpoint-state", "Values": LIVE_STATES}]
        if service:
            filters.append({"Name": "service-name", "Values": [service]})
        endpoints, token = [], None
        while True:
            page = call(self.module, f"describe the endpoints of {vpc_id}", self.client.describe_vpc_endpoints,
                        Filters=filters, **({"NextToken": token} if token else {}))
            endpoints += page["VpcEndpoints"]
            token = page.get("NextToken")
            if not token:
                break
        found = {}
        for endpoint in endpoints:
            if endpoint["ServiceName"] in found:
                ids = f"{found[endpoint['ServiceName']]['VpcEndpointId']}, {endpoint['VpcEndpointId']}"
                self.module.fail_json(msg=f"several endpoints of {endpoint['ServiceName']} in {vpc_id} ({ids}); "
                                          "delete the extra ones")
            found[endpoint["ServiceName"]] = endpoint
        return found

    def create(self, vpc_id, endpoint, tags):
        request = {"VpcId": vpc_id, "ServiceName": endpoint["service"], "VpcEndpointType": endpoint["type"],
                   "TagSpecifications": [{"ResourceType": "vpc-endpoint", "Tags": ansible_dict_to_boto3_tag_list(tags)}]}
        if endpoint["type"] == "Gateway":
            request["RouteTableIds"] = endpoint["route_table_ids"]
        else:
            request["SubnetIds"] = endpoint["subnet_ids"]
            if endpoint["security_group_ids"]:
                request["SecurityGroupIds"] = endpoint["security_group_ids"]
        try:
            return create_once(lambda: self.create_client.create_vpc_endpoint(**request)["VpcEndpoint"],
                               lambda: self.live(vpc_id, endpoint["service"]).get(endpoint["service"]))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"Failed to create the endpoint {endpoint['name']}")

    def converge_tags(self, endpoint_id, current, desired):
        _, to_set, to_unset = plan_tags(current, desired, self.module.params["purge_tags"])
        if not self.module.check_mode:
            apply_tags(self.module, self.client, endpoint_id, endpoint_id, to_set, to_unset)
        return [f"tags {', '.join(sorted([*to_set, *to_unset]))}"] if to_set or to_unset else []


def converge(module, endpoints_api, vpc_id, endpoint, found):
    """Create or update one endpoint (found: its live endpoint or None); (result, diff before, diff after)."""
    tags = {**module.params["tags"], "Name": endpoint["name"]}
    result = {"name": endpoint["name"], "service": endpoint["service"], "id": "", "state": "", "changes": []}
    if found is None:
        result["changes"].append("create")
        if module.check_mode:
            return result, None, {"type": endpoint["type"], "tags": tags}
        found = endpoints_api.create(vpc_id, endpoint, tags)
        before = None
    else:
        before = {"type": found["VpcEndpointType"], "tags": boto3_tag_list_to_ansible_dict(found.get("Tags", []))}
        request = plan_members(endpoint, found)
        if request:
            result["changes"] += describe_changes(request)
            if not module.check_mode:
                call(module, f"modify the endpoint {endpoint['name']}", endpoints_api.client.modify_vpc_endpoint,
                     VpcEndpointId=found["VpcEndpointId"], **request)
        result["changes"] += endpoints_api.converge_tags(found["VpcEndpointId"], before["tags"], tags)
    result["id"], result["state"] = found["VpcEndpointId"], found.get("State", "")
    return result, before, {"type": endpoint["type"], "tags": tags}


def main():
    endpoint_spec = dict(
        name=dict(type="str", required=True),
        service=dict(type="str", required=True),
        type=dict(type="str", required=True, choices=["Gateway", "Interface"]),
        route_table_ids=dict(type="list", elements="str", default=[]),
        subnet_ids=dict(type="list", elements="str", default=[]),
        security_group_ids=dict(type="list", elements="str", default=[]),
    )
    module = AnsibleAWSModule(
        argument_spec=dict(
            vpc_id=dict(type="str", required=True),
            endpoints=dict(type="list", elements="dict", required=True, options=endpoint_spec),
            tags=dict(type="dict", default={}),
            purge_tags=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    errors = input_errors(module.params["endpoints"])
    if errors:
        module.fail_json(msg="; ".join(errors))
    endpoints_api = Endpoints(module, module.client("ec2", retry_decorator=AWSRetry.jittered_backoff()),
                              no_resend_client(module, "ec2"))
    vpc_id = module.params["vpc_id"]
    live = endpoints_api.live(vpc_id)  # one read for every endpoint of the VPC
    results, diff = [], {"before": {}, "after": {}}
    for endpoint in module.params["endpoints"]:
        result, before, after = converge(module, endpoints_api, vpc_id, endpoint, live.get(endpoint["service"]))
        results.append(result)
        if result["changes"]:
            diff["before"][endpoint["name"]] = before
            diff["after"][endpoint["name"]] = after
    output = {"changed": any(r["changes"] for r in results), "endpoints": results,
              "endpoint_ids": {r["name"]: r["id"] for r in results}}
    if module._diff:  # pylint: disable=protected-access
        output["diff"] = diff
    module.exit_json(**output)


if __name__ == "__main__":
    main()
