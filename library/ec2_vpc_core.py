#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ec2_vpc_core
short_description: A VPC, its internet gateway and its NAT gateways' Elastic IPs, each made at most once
description:
  - Converges a VPC found by its C(Name) tag and CIDR block (DNS support and host names, tags),
    its internet gateway (attached, tagged) and the Elastic IPs its NAT gateways use.
  - AWS does not make C(CreateVpc), C(CreateInternetGateway) or C(AllocateAddress) idempotent, and a
    request sent again after its answer was lost makes a second resource. Each is tagged in the
    create call itself and sent once (C(module_utils/create_once.py)); a lost answer is followed by a
    lookup by those tags, so neither a retry nor a re-run after an interruption makes a duplicate.
  - An internet gateway or Elastic IP that an interrupted run made but did not attach or use is
    found by its C(Name) tag and adopted.
  - Supports check mode; a VPC that does not exist yet is reported as a change, without an id.
options:
  name:
    description: The VPC's C(Name) tag.
    type: str
    required: true
  cidr_block:
    description: The VPC's primary IPv4 CIDR block.
    type: str
    required: true
  dns_support:
    description: Resolve DNS names through the Amazon-provided DNS server; omit to leave it as it is.
    type: bool
  dns_hostnames:
    description: Give instances public DNS host names; omit to leave it as it is.
    type: bool
  tags:
    description: Tags of every resource the module manages (each also gets its C(Name) tag).
    type: dict
    default: {}
  purge_tags:
    description: Remove tags not in I(tags) (and not C(Name)).
    type: bool
    default: true
  internet_gateway:
    description: The C(Name) tag of the VPC's internet gateway; omit for a VPC without one.
    type: str
  nat_gateways:
    description:
      - NAT gateways, by C(Name) tag, that need an Elastic IP. Each gets one tagged C(<NAT gateway name>-ip);
        an address the NAT gateway already uses (made before this module managed them) is adopted and tagged.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create the VPC and its internet gateway
  ec2_vpc_core:
    name: rtap-dev-vpc
    cidr_block: 10.20.0.0/16
    dns_support: true
    dns_hostnames: true
    tags: {Environment: dev, ManagedBy: ansible-platform-toolkit}
    internet_gateway: rtap-dev-igw
  register: network__vpc

- name: Allocate the NAT gateways' addresses (once the subnets' zones are known)
  ec2_vpc_core:
    name: rtap-dev-vpc
    cidr_block: 10.20.0.0/16
    tags: {Environment: dev, ManagedBy: ansible-platform-toolkit}
    nat_gateways: [rtap-dev-nat-eu-west-1a]
  register: network__addresses
"""

RETURN = r"""
vpc:
  description: The VPC (C(id) absent in check mode before it exists).
  returned: always
  type: dict
  sample: {id: vpc-0a1b2c3d, cidr_block: 10.20.0.0/16, tags: {Name: rtap-dev-vpc}}
internet_gateway_id:
  description: The internet gateway's id (absent without I(internet_gateway), or in check mode before it exists).
  returned: when internet_gateway is set
  type: str
  sample: igw-0a1b2c3d
elastic_ips:
  description: Allocation id of each NAT gateway's Elastic IP, by NAT gateway name (absent in check mode before it exists).
  returned: always
  type: dict
  sample: {rtap-dev-nat-eu-west-1a: eipalloc-0a1b2c3d}
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


def _tags(item):
    return boto3_tag_list_to_ansible_dict(item.get("Tags", []))


def _specification(kind, tags):
    return [{"ResourceType": kind, "Tags": ansible_dict_to_boto3_tag_list(tags)}]


class Converger:
    def __init__(self, module, client, create_client):
        self.module, self.client, self.create_client = module, client, create_client
        self.changed = False

    def describe(self, what, operation, key, **params):
        return call(self.module, f"describe {what}", getattr(self.client, operation), **params)[key]

    def tagged(self, what, operation, key, name, **params):
        filters = [{"Name": "tag:Name", "Values": [name]}, *params.pop("Filters", [])]
        return self.describe(what, operation, key, Filters=filters, **params)

    def single(self, what, found):
        if len(found) > 1:
            self.module.fail_json(msg=f"{len(found)} {what} match: {', '.join(found)}; delete the extra ones")
        return found[0] if found else None

    def converge_tags(self, resource_id, current, desired):
        _, to_set, to_unset = plan_tags(current, desired, self.module.params["purge_tags"])
        if not self.module.check_mode:
            apply_tags(self.module, self.client, resource_id, resource_id, to_set, to_unset)
        self.changed |= bool(to_set or to_unset)

    def vpc(self, name, cidr, tags):
        def find():
            vpcs = self.tagged(f"the VPCs named {name}", "describe_vpcs", "Vpcs", name,
                               Filters=[{"Name": "cidr-block-association.cidr-block", "Values": [cidr]}])
            vpc = self.single(f"VPCs named {name} with CIDR {cidr}", [v["VpcId"] for v in vpcs])
            return next(v for v in vpcs if v["VpcId"] == vpc) if vpc else None

        vpc = find()
        if vpc is None:
            self.changed = True
            if self.module.check_mode:
                return None
            vpc = create_once(
                lambda: self.create_client.create_vpc(CidrBlock=cidr,
                                                      TagSpecifications=_specification("vpc", tags))["Vpc"],
                find)
            self.client.get_waiter("vpc_exists").wait(VpcIds=[vpc["VpcId"]], WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        else:
            self.converge_tags(vpc["VpcId"], _tags(vpc), tags)
        for attribute, wanted in (("enableDnsSupport", self.module.params["dns_support"]),
                                  ("enableDnsHostnames", self.module.params["dns_hostnames"])):
            if wanted is None:
                continue
            now = call(self.module, f"read {attribute}", self.client.describe_vpc_attribute,
                       VpcId=vpc["VpcId"], Attribute=attribute)[attribute[0].upper() + attribute[1:]]["Value"]
            if now != wanted:
                self.changed = True
                if not self.module.check_mode:
                    call(self.module, f"set {attribute}", self.client.modify_vpc_attribute, VpcId=vpc["VpcId"],
                         **{attribute[0].upper() + attribute[1:]: {"Value": wanted}})
        return vpc

    def internet_gateway(self, vpc_id, name, tags):
        attached = self.describe("the VPC's internet gateway", "describe_internet_gateways", "InternetGateways",
                                 Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])

        def find():  # by name: one that a lost answer or an interruption left unattached
            found = self.tagged(f"the internet gateways named {name}", "describe_internet_gateways",
                                "InternetGateways", name)
            found = [g for g in found if all(a["VpcId"] == vpc_id for a in g.get("Attachments", []))]
            gateway = self.single(f"internet gateways named {name}", [g["InternetGatewayId"] for g in found])
            return next(g for g in found if g["InternetGatewayId"] == gateway) if gateway else None

        gateway = attached[0] if attached else find()
        if gateway is None:
            self.changed = True
            if self.module.check_mode:
                return None
            gateway = create_once(
                lambda: self.create_client.create_internet_gateway(
                    TagSpecifications=_specification("internet-gateway", tags))["InternetGateway"],
                find)
        else:
            self.converge_tags(gateway["InternetGatewayId"], _tags(gateway), tags)
        if not any(a["VpcId"] == vpc_id for a in gateway.get("Attachments", [])):
            self.changed = True
            if not self.module.check_mode:
                call(self.module, "attach the internet gateway", self.client.attach_internet_gateway,
                     InternetGatewayId=gateway["InternetGatewayId"], VpcId=vpc_id)
        return gateway["InternetGatewayId"]

    def elastic_ip(self, name, nat_gateway, tags):
        def find():
            found = self.tagged(f"the Elastic IPs named {name}", "describe_addresses", "Addresses", name)
            address = self.single(f"Elastic IPs named {name}", [a["AllocationId"] for a in found])
            return next(a for a in found if a["AllocationId"] == address) if address else None

        address = find()
        if address is None and nat_gateway:  # in use by its NAT gateway before this module managed it
            gateways = self.tagged(f"the NAT gateways named {nat_gateway}", "describe_nat_gateways", "NatGateways",
                                   nat_gateway, Filters=[{"Name": "state", "Values": ["pending", "available"]}])
            allocations = [a["AllocationId"] for g in gateways for a in g.get("NatGatewayAddresses", [])
                           if a.get("AllocationId")]
            if allocations:
                address = self.describe("the NAT gateway's address", "describe_addresses", "Addresses",
                                        AllocationIds=allocations[:1])[0]
        if address is None:
            self.changed = True
            if self.module.check_mode:
                return None
            address = create_once(
                lambda: self.create_client.allocate_address(Domain="vpc",
                                                            TagSpecifications=_specification("elastic-ip", tags)),
                find)
        else:
            self.converge_tags(address["AllocationId"], _tags(address), tags)
        return address["AllocationId"]


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            cidr_block=dict(type="str", required=True),
            dns_support=dict(type="bool"),
            dns_hostnames=dict(type="bool"),
            tags=dict(type="dict", default={}),
            purge_tags=dict(type="bool", default=True),
            internet_gateway=dict(type="str"),
            nat_gateways=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    converger = Converger(module, client, no_resend_client(module, "ec2"))

    def tags(name):
        return {**params["tags"], "Name": name}

    try:
        vpc = converger.vpc(params["name"], params["cidr_block"], tags(params["name"]))
        result = {"vpc": {"cidr_block": params["cidr_block"], "tags": tags(params["name"])}, "elastic_ips": {}}
        if vpc is not None:
            result["vpc"]["id"] = vpc["VpcId"]
            if params["internet_gateway"]:
                gateway = converger.internet_gateway(vpc["VpcId"], params["internet_gateway"],
                                                     tags(params["internet_gateway"]))
                if gateway:
                    result["internet_gateway_id"] = gateway
        for nat_gateway in params["nat_gateways"]:
            allocation = converger.elastic_ip(f"{nat_gateway}-ip", nat_gateway, tags(f"{nat_gateway}-ip"))
            if allocation:
                result["elastic_ips"][nat_gateway] = allocation
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to converge the VPC")
    module.exit_json(changed=converger.changed, **result)


if __name__ == "__main__":
    main()
