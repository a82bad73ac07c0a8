#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ec2_route_tables
short_description: Create and update a set of route tables of one VPC, their routes, subnets and tags, in one run
description:
  - Reconciles several route tables of one VPC in one module run. A table is found by its C(Name)
    tag (O(route_tables[].name)) together with every tag in O(scope_tags), in the VPC, before it is
    created, so a re-run never makes a second table.
  - A missing table is created with its tags (C(TagSpecifications)) and a client token, so a retried
    create call never makes a second one either.
  - Only the difference is applied - missing routes are created, routes whose target differs are
    replaced in place, undeclared routes deleted (O(purge_routes)); missing subnet associations are
    made (a subnet associated with another table is moved with C(ReplaceRouteTableAssociation)),
    undeclared ones removed (O(purge_subnets)); tags likewise (O(purge_tags)).
  - The local route, routes propagated from a virtual private gateway and the prefix-list routes of
    gateway VPC endpoints are never touched (manage the endpoints with M(amazon.aws.ec2_vpc_endpoint)).
  - Unlike M(amazon.aws.ec2_vpc_route_table), the module never sleeps - a table that a describe right
    after its creation does not show yet is waited for with the C(route_table_exists) waiter.
  - All the input is checked before any AWS call; the messages name the table, the route and the option.
  - This module supports check mode and diff mode. The diff holds, per changed table, its C(tags),
    C(subnets) and C(routes) (destination to target).
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - Only V(present). Delete tables with M(amazon.aws.ec2_vpc_route_table).
    choices: ["present"]
    default: present
    type: str
  vpc_id:
    description: The VPC of every table.
    required: true
    type: str
  scope_tags:
    description:
      - Tags that, with the C(Name) tag, identify the tables as this caller's (for example
        C(Environment) and C(Platform)), so that a table of the same name made by someone else in the
        VPC is never adopted. Every table gets them.
    type: dict
    default: {}
  route_tables:
    description: The route tables.
    required: true
    type: list
    elements: dict
    suboptions:
      name:
        description: The table's C(Name) tag, unique among the tables given.
        required: true
        type: str
      tags:
        description:
          - More tags of the table. The table's tags are O(scope_tags), these and C(Name).
        type: dict
      subnets:
        description:
          - IDs of the subnets to associate with the table. Unset leaves the associations alone;
            V([]) with O(purge_subnets=true) removes them all.
          - A subnet may be given to one table of the run only.
        type: list
        elements: str
      routes:
        description:
          - The routes. Unset leaves the routes alone; V([]) with O(purge_routes=true) removes every
            route but the local one (and the propagated and gateway endpoint routes, see above).
          - Each route has O(route_tables[].routes[].dest) and exactly one target.
        type: list
        elements: dict
        suboptions:
          dest:
            description: The destination, an IPv4 or IPv6 CIDR block (a network address, host bits zero).
            required: true
            type: str
          gateway_id:
            description: An internet gateway (C(igw-...)) or virtual private gateway (C(vgw-...)).
            type: str
          nat_gateway_id:
            description: A NAT gateway (C(nat-...)).
            type: str
          vpc_peering_connection_id:
            description: A VPC peering connection (C(pcx-...)).
            type: str
          transit_gateway_id:
            description: A transit gateway (C(tgw-...)).
            type: str
          network_interface_id:
            description: A network interface (C(eni-...)).
            type: str
          egress_only_gateway_id:
            description: An egress-only internet gateway (C(eigw-...)), for an IPv6 destination.
            type: str
  purge_routes:
    description: Delete routes that are not declared (for tables that give O(route_tables[].routes)).
    type: bool
    default: true
  purge_subnets:
    description: Remove subnet associations that are not declared (for tables that give O(route_tables[].subnets)).
    type: bool
    default: true
  purge_tags:
    description: Remove tags other than O(scope_tags), O(route_tables[].tags) and C(Name).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: A public table and a private one, in one run
  ec2_route_tables:
    vpc_id: vpc-0123456789abcdef0
    scope_tags: {Environment: dev, Platform: shop}
    route_tables:
      - name: shop-dev-public
        subnets: [subnet-0123456789abcdef0, subnet-0fedcba9876543210]
        routes:
          - {dest: 0.0.0.0/0, gateway_id: igw-0123456789abcdef0}
          - {dest: "::/0", gateway_id: igw-0123456789abcdef0}
      - name: shop-dev-private
        tags: {Tier: private}
        subnets: [subnet-0aaaaaaaaaaaaaaaa]
        routes:
          - {dest: 0.0.0.0/0, nat_gateway_id: nat-0123456789abcdef0}
          - {dest: 10.20.0.0/16, vpc_peering_connection_id: pcx-0123456789abcdef0}
  register: route_tables

- name: Use a table's ID
  ansible.builtin.debug:
    msg: "{{ route_tables.route_table_ids['shop-dev-private'] }}"
"""

RETURN = r"""
route_tables:
  description: One entry per table, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The table's C(Name) tag.
      returned: always
      type: str
      sample: shop-dev-public
    route_table_id:
      description: The table's ID; empty in check mode for a table still to be created.
      returned: always
      type: str
      sample: rtb-0123456789abcdef0
    changed:
      description: Whether the run created or changed this table.
      returned: always
      type: bool
      sample: true
    created:
      description: Whether the run created this table.
      returned: always
      type: bool
      sample: false
    routes_created:
      description: The routes the run added, as "destination -> target".
      returned: always
      type: list
      elements: str
      sample: ["0.0.0.0/0 -> igw-0123456789abcdef0"]
    routes_replaced:
      description: The routes whose target the run changed, as "destination -> new target".
      returned: always
      type: list
      elements: str
      sample: ["0.0.0.0/0 -> nat-0123456789abcdef0"]
    routes_deleted:
      description: The routes the run removed, as "destination -> target".
      returned: always
      type: list
      elements: str
      sample: ["192.0.2.0/24 -> pcx-0123456789abcdef0"]
    subnets_associated:
      description: The subnets the run associated with the table (new or moved from another table).
      returned: always
      type: list
      elements: str
      sample: ["subnet-0123456789abcdef0"]
    subnets_disassociated:
      description: The subnets that left the table in this run.
      returned: always
      type: list
      elements: str
      sample: []
    subnets:
      description: The table's subnets after the run.
      returned: always
      type: list
      elements: str
      sample: ["subnet-0123456789abcdef0"]
    routes:
      description: The table's managed routes after the run, destination to target.
      returned: always
      type: dict
      sample: {"0.0.0.0/0": "igw-0123456789abcdef0"}
    tags:
      description: The table's tags after the run.
      returned: always
      type: dict
      sample: {"Name": "shop-dev-public", "Environment": "dev"}
route_table_ids:
  description: Table name to ID, for every table given (empty ID as for RV(route_tables[].route_table_id)).
  returned: always
  type: dict
  sample: {"shop-dev-public": "rtb-0123456789abcdef0", "shop-dev-private": "rtb-0fedcba9876543210"}
"""

import ipaddress
import re
import uuid

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.ec2_calls import apply_tags, call, wait_until_visible
from ansible.module_utils.tag_plan import plan_tags

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

# Route target option -> (the field of CreateRoute and of DescribeRouteTables' routes, the ID prefixes).
TARGETS = {
    "gateway_id": ("GatewayId", ("igw-", "vgw-")),
    "nat_gateway_id": ("NatGatewayId", ("nat-",)),
    "vpc_peering_connection_id": ("VpcPeeringConnectionId", ("pcx-",)),
    "transit_gateway_id": ("TransitGatewayId", ("tgw-",)),
    "network_interface_id": ("NetworkInterfaceId", ("eni-",)),
    "egress_only_gateway_id": ("EgressOnlyInternetGatewayId", ("eigw-",)),
}
# A live route's target: the first of these fields it has (an instance route has an interface too).
LIVE_TARGET_FIELDS = ("NatGatewayId", "VpcPeeringConnectionId", "TransitGatewayId", "EgressOnlyInternetGatewayId",
                      "GatewayId", "NetworkInterfaceId", "InstanceId", "CarrierGatewayId", "LocalGatewayId", "CoreNetworkArn")
SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
#
# A table's routes are {destination: target ID}, destinations as canonical CIDR text.
# ---------------------------------------------------------------------------


def _cidr_error(value):
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return f"{value!r} is not an IPv4 or IPv6 CIDR block"
    if ipaddress.ip_interface(value).ip != network.network_address:
        return f"{value!r} has host bits set (the network is {network.compressed})"
    return None


def canonical_cidr(value):
    try:
        return ipaddress.ip_network(value, strict=False).compressed
    except ValueError:
        return value


def route_errors(where, route):
    """Problems of one declared route; where names it (route_tables[public].routes[0])."""
    errors = []
    problem = _cidr_error(route["dest"])
    if problem:
        errors.append(f"{where}.dest: {problem}")
    targets = [option for option in TARGETS if route.get(option)]
    if len(targets) != 1:
        errors.append(f"{where}: give exactly one target of {', '.join(TARGETS)}, got {' and '.join(targets) or 'none'}")
    for option in targets:
        prefixes = TARGETS[option][1]
        if not route[option].startswith(prefixes):
            errors.append(f"{where}.{option}: {route[option]!r} is not an ID starting with {' or '.join(prefixes)}")
    if route.get("egress_only_gateway_id") and not problem and ipaddress.ip_network(route["dest"], strict=False).version != 6:
        errors.append(f"{where}.egress_only_gateway_id: an egress-only internet gateway takes IPv6 destinations only")
    return errors


def input_errors(route_tables, scope_tags):
    """Problems in the tables given, found before any AWS call."""
    errors = []
    names = [table["name"] for table in route_tables]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        errors.append(f"route_tables: names must be unique, got {', '.join(duplicates)} more than once")
    owners = {}
    for table in route_tables:
        where = f"route_tables[{table['name']}]"
        if not table["name"].strip():
            errors.append("route_tables[].name: must not be empty")
        tags = table.get("tags") or {}
        if "Name" in tags and str(tags["Name"]) != table["name"]:
            errors.append(f"{where}.tags: Name is the table's name, {table['name']!r}, not {tags['Name']!r}")
        clashes = sorted(key for key, value in tags.items() if key in scope_tags and str(value) != str(scope_tags[key]))
        if clashes:
            errors.append(f"{where}.tags: {', '.join(clashes)} differ from scope_tags, which identify the table")
        dests = [canonical_cidr(route["dest"]) for route in table.get("routes") or []]
        repeated = sorted({dest for dest in dests if dests.count(dest) > 1})
        if repeated:
            errors.append(f"{where}.routes: one route per destination, got {', '.join(repeated)} more than once")
        for index, route in enumerate(table.get("routes") or []):
            errors += route_errors(f"{where}.routes[{index}]", route)
        for subnet_id in table.get("subnets") or []:
            if not SUBNET_ID.match(subnet_id):
                errors.append(f"{where}.subnets: {subnet_id!r} is not a subnet ID (subnet-...)")
            elif owners.setdefault(subnet_id, table["name"]) != table["name"]:
                errors.append(f"{where}.subnets: {subnet_id} is given to {owners[subnet_id]} too; a subnet has one route table")
    return errors


def desired_tags(table, scope_tags):
    tags = {str(k): str(v) for k, v in scope_tags.items()}
    tags.update({str(k): str(v) for k, v in (table.get("tags") or {}).items()})
    tags["Name"] = table["name"]
    return tags


def declared_routes(routes):
    """{destination: (target field, target ID)} of the declared routes."""
    declared = {}
    for route in routes:
        option = next(option for option in TARGETS if route.get(option))
        declared[canonical_cidr(route["dest"])] = (TARGETS[option][0], route[option])
    return declared


def live_routes(routes):
    """{destination: (target field, target ID)} of the routes this module manages: those made with
    CreateRoute to a CIDR block (not the local route, propagated routes or endpoint prefix lists)."""
    live = {}
    for route in routes or []:
        dest = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
        if route.get("Origin") != "CreateRoute" or not dest:
            continue
        field = next((f for f in LIVE_TARGET_FIELDS if route.get(f)), "")
        target = route.get(field, "")
        if field == "GatewayId" and target.startswith("nat-"):  # some answers put a NAT gateway there
            field = "NatGatewayId"
        live[canonical_cidr(dest)] = (field, target)
    return live


def plan_routes(live, declared, purge):
    """(routes to create, routes to replace, routes to delete), each {destination: (field, target)}."""
    to_create = {dest: target for dest, target in declared.items() if dest not in live}
    to_replace = {dest: target for dest, target in declared.items() if dest in live and live[dest] != target}
    to_delete = {dest: target for dest, target in live.items() if dest not in declared} if purge else {}
    return to_create, to_replace, to_delete


def routes_after(live, declared, purge):
    after = {} if purge else dict(live)
    after.update(declared)
    return after


def route_label(dest, target):
    return f"{dest} -> {target[1]}"


def route_view(routes):
    return {dest: target[1] for dest, target in sorted(routes.items())}


def find_tables(described, names, scope_tags):
    """{name: table} of the described tables that carry the Name and every scope tag, and the
    names that more than one table carries (ambiguous)."""
    found, ambiguous = {}, set()
    for table in described:
        tags = {tag["Key"]: tag["Value"] for tag in table.get("Tags") or []}
        name = tags.get("Name")
        if name in names and all(tags.get(k) == str(v) for k, v in scope_tags.items()):
            if name in found:
                ambiguous.add(name)
            found[name] = table
    return found, sorted(ambiguous)


def subnet_associations(described):
    """{subnet ID: (route table ID, association ID)} of the explicit subnet associations."""
    owners = {}
    for table in described:
        for association in table.get("Associations") or []:
            if association.get("SubnetId") and not association.get("Main") and \
                    association.get("AssociationState", {}).get("State", "associated") == "associated":
                owners[association["SubnetId"]] = (table["RouteTableId"], association["RouteTableAssociationId"])
    return owners


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@AWSRetry.jittered_backoff()
def _describe_route_tables(client, **params):
    return client.get_paginator("describe_route_tables").paginate(**params).build_full_result().get("RouteTables", [])


def describe_vpc_tables(client, module, vpc_id):
    try:
        return _describe_route_tables(client, Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to describe the route tables of {vpc_id}")



def create_table(client, module, vpc_id, name, tags):
    table = call(module, f"create route table {name}", client.create_route_table, VpcId=vpc_id,
                 ClientToken=str(uuid.uuid4()),
                 TagSpecifications=[{"ResourceType": "route-table", "Tags": ansible_dict_to_boto3_tag_list(tags)}])
    return table["RouteTable"]["RouteTableId"]


def _destination(dest):
    return {"DestinationIpv6CidrBlock": dest} if ":" in dest else {"DestinationCidrBlock": dest}


def apply_table_changes(client, module, table_id, name, plan):
    to_create, to_replace, to_delete, to_set, to_unset, to_associate, to_disassociate = plan
    for dest, (field, target) in sorted(to_replace.items()):
        call(module, f"replace the route to {dest} of {name}", client.replace_route,
             RouteTableId=table_id, **_destination(dest), **{field: target})
    for dest, (field, target) in sorted(to_create.items()):
        call(module, f"create the route to {dest} of {name}", client.create_route,
             done_if=("RouteAlreadyExists",), RouteTableId=table_id, **_destination(dest), **{field: target})
    for dest in sorted(to_delete):
        call(module, f"delete the route to {dest} of {name}", client.delete_route, done_if=("InvalidRoute.NotFound",),
             RouteTableId=table_id, **_destination(dest))
    apply_tags(module, client, name, table_id, to_set, to_unset)
    for subnet_id, current_association in sorted(to_associate.items()):
        if current_association:  # associated with another table: move it here
            call(module, f"move {subnet_id} to {name}", client.replace_route_table_association,
                 AssociationId=current_association, RouteTableId=table_id)
        else:
            call(module, f"associate {subnet_id} with {name}", client.associate_route_table,
                 done_if=("Resource.AlreadyAssociated",), RouteTableId=table_id, SubnetId=subnet_id)
    for association_id in to_disassociate:
        call(module, f"disassociate a subnet from {name}", client.disassociate_route_table,
             done_if=("InvalidAssociationID.NotFound",), AssociationId=association_id)


# ---------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------


def ensure_present(client, module):
    params = module.params
    vpc_id, tables, scope_tags = params["vpc_id"], params["route_tables"], params["scope_tags"]
    names = [table["name"] for table in tables]
    described = describe_vpc_tables(client, module, vpc_id)
    found, ambiguous = find_tables(described, set(names), scope_tags)
    if ambiguous:
        module.fail_json(msg=f"route_tables: more than one table in {vpc_id} carries the Name and scope tags of "
                             f"{', '.join(ambiguous)}; delete the extra ones")
    owners = subnet_associations(described)
    # Subnets some table of the run declares: another table of the run never disassociates them
    # (the declaring table moves them).
    claimed = {subnet_id: table["name"] for table in tables for subnet_id in table.get("subnets") or []}

    table_ids = {name: table["RouteTableId"] for name, table in found.items()}
    new = [table for table in tables if table["name"] not in found]
    if not module.check_mode:
        for table in new:
            table_ids[table["name"]] = create_table(client, module, vpc_id, table["name"], desired_tags(table, scope_tags))
        wait_until_visible(client, module, "route tables", [table_ids[table["name"]] for table in new])

    results, before, after = [], {}, {}
    for table in tables:
        name = table["name"]
        current = found.get(name)
        table_id = table_ids.get(name, "")
        wanted_tags = desired_tags(table, scope_tags)
        live_tags = {t["Key"]: t["Value"] for t in (current or {}).get("Tags") or []} if current else dict(wanted_tags)
        tags, to_set, to_unset = plan_tags(live_tags, wanted_tags, params["purge_tags"])

        live = live_routes(current["Routes"]) if current else {}
        if table.get("routes") is None:
            declared, purge = {}, False
        else:
            declared, purge = declared_routes(table["routes"]), params["purge_routes"]
        to_create, to_replace, to_delete = plan_routes(live, declared, purge)

        live_subnets = {s: owner[1] for s, owner in owners.items() if current and owner[0] == current["RouteTableId"]}
        wanted_subnets = table.get("subnets")
        to_associate = {s: owners.get(s, (None, None))[1] for s in wanted_subnets or [] if s not in live_subnets}
        leaving = {s for s in live_subnets if claimed.get(s, name) != name}  # moved by another table of the run
        if wanted_subnets is not None and params["purge_subnets"]:
            leaving |= {s for s in live_subnets if s not in wanted_subnets}
        to_disassociate = [live_subnets[s] for s in sorted(leaving) if s not in claimed]
        subnets = sorted((set(live_subnets) - leaving) | set(to_associate))

        changed = current is None or bool(to_create or to_replace or to_delete or to_set or to_unset
                                          or to_associate or leaving)
        results.append({
            "name": name,
            "route_table_id": table_id,
            "changed": changed,
            "created": current is None,
            "routes_created": [route_label(d, t) for d, t in sorted(to_create.items())],
            "routes_replaced": [route_label(d, t) for d, t in sorted(to_replace.items())],
            "routes_deleted": [route_label(d, t) for d, t in sorted(to_delete.items())],
            "subnets_associated": sorted(to_associate),
            "subnets_disassociated": sorted(leaving),
            "subnets": subnets,
            "routes": route_view(routes_after(live, declared, purge)),
            "tags": tags,
        })
        if changed:
            after[name] = {"tags": tags, "subnets": subnets, "routes": route_view(routes_after(live, declared, purge))}
            before[name] = {"tags": live_tags, "subnets": sorted(live_subnets), "routes": route_view(live)} if current else {}
        if changed and not module.check_mode:
            apply_table_changes(client, module, table_id, name,
                                (to_create, to_replace, to_delete, to_set, to_unset, to_associate, to_disassociate))

    output = {
        "changed": any(result["changed"] for result in results),
        "route_tables": results,
        "route_table_ids": {result["name"]: result["route_table_id"] for result in results},
    }
    if module._diff:
        output["diff"] = {"before": before, "after": after}
    return output


def main():
    route_options = dict(dest=dict(type="str", required=True), **{option: dict(type="str") for option in TARGETS})
    table_options = dict(
        name=dict(type="str", required=True),
        tags=dict(type="dict"),
        subnets=dict(type="list", elements="str"),
        routes=dict(type="list", elements="dict", options=route_options),
    )
    module = AnsibleAWSModule(
        argument_spec=dict(
            state=dict(default="present", choices=["present"]),
            vpc_id=dict(type="str", required=True),
            scope_tags=dict(type="dict", default={}),
            route_tables=dict(type="list", elements="dict", required=True, options=table_options),
            purge_routes=dict(type="bool", default=True),
            purge_subnets=dict(type="bool", default=True),
            purge_tags=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    errors = input_errors(module.params["route_tables"], module.params["scope_tags"])
    if errors:
        module.fail_json(msg="; ".join(errors))
    try:
        client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")
    module.exit_json(**ensure_present(client, module))


if __name__ == "__main__":
    main()
