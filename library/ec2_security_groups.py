#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ec2_security_groups
short_description: Create and update a set of VPC security groups and their ingress rules in one run
description:
  - Reconciles several security groups of one VPC in one module run. A group is found by its
    name in the VPC (AWS names are unique per VPC) before it is created, so a retry never makes
    a second group.
  - Every missing group is created first (with its tags, in the create call), then the rules of
    each group are reconciled, so a rule may name any group of the same run by O(groups[].rules[].group_name),
    including a group created by this run and the group itself.
  - Only the difference is applied - rules missing are authorized, rules not declared are revoked
    (with O(purge_rules=true)), and a rule whose only difference is its description gets the new
    description in place (C(UpdateSecurityGroupRuleDescriptionsIngress)).
  - Unlike M(amazon.aws.ec2_security_group), the module never sleeps - a group that a describe
    right after its creation does not show yet is waited for with the C(security_group_exists) waiter.
  - Egress rules are not managed - a new group keeps the allow-all egress rule AWS gives it.
  - AWS cannot change a group's description. When an existing group's description differs from
    O(groups[].description), the module B(fails), naming the group, before it changes anything
    (in check mode too).
  - All the input is checked before any AWS call; the messages name the group, the rule and the option.
  - This module supports check mode and diff mode. The diff holds, per changed group, its
    C(description), C(tags), C(ip_permissions) (in the shape of M(amazon.aws.ec2_security_group)'s
    diff) and C(rule_descriptions) (the descriptions of the rules present on both sides).
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - Only V(present). Delete groups with M(amazon.aws.ec2_security_group).
    choices: ["present"]
    default: present
    type: str
  vpc_id:
    description: The VPC of every group.
    required: true
    type: str
  groups:
    description: The security groups.
    required: true
    type: list
    elements: dict
    suboptions:
      name:
        description: The group name, unique in the VPC.
        required: true
        type: str
      description:
        description:
          - The group description. AWS cannot change it after creation (see above).
        required: true
        type: str
      rules:
        description:
          - The ingress rules. Unset leaves the group's rules alone; V([]) with O(purge_rules=true)
            removes them all.
          - Each rule has one kind of source (O(groups[].rules[].cidr_ip), O(groups[].rules[].cidr_ipv6),
            O(groups[].rules[].group_id) or O(groups[].rules[].group_name)) and, for V(tcp) and V(udp),
            O(groups[].rules[].ports) or O(groups[].rules[].from_port) and O(groups[].rules[].to_port).
        type: list
        elements: dict
        suboptions:
          proto:
            description: The IP protocol; V(-1) and V(all) mean every protocol and every port.
            choices: ["tcp", "udp", "icmp", "-1", "all"]
            default: tcp
            type: str
          ports:
            description:
              - TCP or UDP ports, each a port (V(443)) or a range (V(1024-65535)).
            type: list
            elements: str
          from_port:
            description: First port of the range (TCP, UDP), or the ICMP type (V(-1) for all).
            type: int
          to_port:
            description: Last port of the range (TCP, UDP), or the ICMP code (V(-1) for all).
            type: int
          cidr_ip:
            description: IPv4 CIDR blocks (network addresses, host bits zero).
            type: list
            elements: str
          cidr_ipv6:
            description: IPv6 CIDR blocks (network addresses, host bits zero).
            type: list
            elements: str
          group_id:
            description: Security group IDs (C(sg-...)).
            type: list
            elements: str
          group_name:
            description:
              - Names of security groups in the same VPC - groups of this run or groups that exist.
            type: list
            elements: str
          rule_desc:
            description: The rule's description. Unset means no description.
            type: str
      tags:
        description:
          - The group's tags. Unset leaves the tags of an existing group alone.
        type: dict
  purge_rules:
    description: Revoke ingress rules that are not declared (for groups that give O(groups[].rules)).
    type: bool
    default: true
  purge_tags:
    description: Remove tags that are not declared (for groups that give O(groups[].tags)).
    type: bool
    default: true
notes:
  - Rules whose source is a prefix list, or a group of another account, are not declared by this
    module; with O(purge_rules=true) they are revoked.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: A load balancer group and the group of the services behind it, in one run
  ec2_security_groups:
    vpc_id: vpc-0123456789abcdef0
    groups:
      - name: shop-alb
        description: Load balancers - HTTPS from the internet
        rules:
          - {proto: tcp, ports: [443], cidr_ip: 0.0.0.0/0, rule_desc: HTTPS from clients}
        tags: {Name: shop-alb}
      - name: shop-app
        description: Services behind the load balancers
        rules:
          - {proto: tcp, ports: [8080, "9000-9010"], group_name: shop-alb, rule_desc: From the load balancers}
          - {proto: icmp, from_port: 8, to_port: -1, cidr_ip: 10.0.0.0/16, rule_desc: Ping from the VPC}
        tags: {Name: shop-app}
  register: security_groups

- name: Use a group's ID
  ansible.builtin.debug:
    msg: "{{ security_groups.group_ids['shop-app'] }}"
"""

RETURN = r"""
groups:
  description: One entry per group, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The group name.
      returned: always
      type: str
      sample: shop-app
    group_id:
      description: The group ID; empty in check mode for a group still to be created.
      returned: always
      type: str
      sample: sg-0123456789abcdef0
    changed:
      description: Whether the run created or changed this group.
      returned: always
      type: bool
      sample: true
    created:
      description: Whether the run created this group.
      returned: always
      type: bool
      sample: false
    rules_authorized:
      description: The ingress rules the run added.
      returned: always
      type: list
      elements: str
      sample: ["tcp 8080 from sg-0fedcba9876543210"]
    rules_revoked:
      description: The ingress rules the run removed.
      returned: always
      type: list
      elements: str
      sample: ["tcp 22 from 203.0.113.0/24"]
    rule_descriptions_updated:
      description: The ingress rules whose description the run changed.
      returned: always
      type: list
      elements: str
      sample: ["tcp 443 from 0.0.0.0/0"]
    tags:
      description: The group's tags after the run.
      returned: always
      type: dict
      sample: {"Name": "shop-app"}
group_ids:
  description: Group name to group ID, for every group given (empty ID as for RV(groups[].group_id)).
  returned: always
  type: dict
  sample: {"shop-alb": "sg-0fedcba9876543210", "shop-app": "sg-0123456789abcdef0"}
"""

import ipaddress
import re

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.ec2_calls import apply_tags, call, wait_until_visible
from ansible.module_utils.tag_plan import plan_tags

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

PROTOCOLS = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "-1": "-1", "all": "-1"}
# What DescribeSecurityGroups may report for a rule created with a protocol number.
PROTOCOL_NUMBERS = {"6": "tcp", "17": "udp", "1": "icmp"}
SOURCES = ("cidr_ip", "cidr_ipv6", "group_id", "group_name")
GROUP_ID = re.compile(r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$")


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
#
# A rule is a key (protocol, from_port, to_port, kind, source) with a description (""
# for none). Protocol "-1" has ports (-1, -1); an ICMP rule's ports are its type and code.
# kind is cidr_ip, cidr_ipv6, group_id, prefix_list_id, or group_name for a group this
# check-mode run would create (it has no ID yet).
# ---------------------------------------------------------------------------


def parse_port_range(value):
    """(low, high) of a port ("443") or a range ("1024-65535"); ValueError if neither."""
    text = str(value).strip()
    low, _, high = text.partition("-")
    low, high = int(low), int(high) if high else int(low)
    return low, high


def _cidr_error(value, version):
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return f"{value!r} is not a valid IPv{version} CIDR block"
    if network.version != version:
        return f"{value!r} is not a valid IPv{version} CIDR block"
    if ipaddress.ip_interface(value).ip != network.network_address:
        return f"{value!r} has host bits set (the network is {network.compressed})"
    return None


def rule_errors(where, rule):
    """Problems of one rule AWS would refuse or misread; where names it (groups[app].rules[0])."""
    errors = []
    protocol = PROTOCOLS[rule["proto"]]
    sources = [key for key in SOURCES if rule.get(key)]
    if len(sources) != 1:
        got = " and ".join(sources) if sources else "none"
        errors.append(f"{where}: give exactly one of {', '.join(SOURCES)}, got {got}")
    ports, from_port, to_port = rule.get("ports"), rule.get("from_port"), rule.get("to_port")
    if ports is not None and (from_port is not None or to_port is not None):
        errors.append(f"{where}.ports: give ports or from_port/to_port, not both")
    elif protocol == "-1":
        if ports or from_port is not None or to_port is not None:
            errors.append(f"{where}.proto: {rule['proto']} covers every port; drop ports, from_port and to_port")
    elif protocol == "icmp":
        if ports:
            errors.append(f"{where}.ports: an ICMP rule takes from_port (ICMP type) and to_port (ICMP code)")
        for option in ("from_port", "to_port"):
            value = rule.get(option)
            if value is not None and not -1 <= value <= 255:
                errors.append(f"{where}.{option}: ICMP type and code are -1 to 255, got {value}")
    else:
        if ports is None and (from_port is None or to_port is None):
            errors.append(f"{where}.ports: a {protocol} rule needs ports, or from_port and to_port")
        ranges = []
        for value in ports or []:
            try:
                ranges.append((value, *parse_port_range(value)))
            except ValueError:
                errors.append(f"{where}.ports: {value!r} is neither a port nor a range such as 1024-65535")
        if ports is None and from_port is not None and to_port is not None:
            ranges.append((f"{from_port}-{to_port}", from_port, to_port))
        for value, low, high in ranges:
            if not (0 <= low <= 65535 and 0 <= high <= 65535):
                errors.append(f"{where}.ports: {value} is out of the port range 0-65535")
            elif low > high:
                errors.append(f"{where}.ports: {value} ends before it starts")
    for cidr in rule.get("cidr_ip") or []:
        problem = _cidr_error(cidr, 4)
        if problem:
            errors.append(f"{where}.cidr_ip: {problem}")
    for cidr in rule.get("cidr_ipv6") or []:
        problem = _cidr_error(cidr, 6)
        if problem:
            errors.append(f"{where}.cidr_ipv6: {problem}")
    for group_id in rule.get("group_id") or []:
        if not GROUP_ID.match(group_id):
            errors.append(f"{where}.group_id: {group_id!r} is not a security group ID (sg-...)")
    return errors


def input_errors(groups):
    """Problems in the groups given, found before any AWS call."""
    errors = []
    names = [group["name"] for group in groups]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        errors.append(f"groups: names must be unique in a VPC, got {', '.join(duplicates)} more than once")
    for group in groups:
        if not group["name"].strip():
            errors.append("groups[].name: must not be empty")
        if not group["description"].strip():
            errors.append(f"groups[{group['name']}].description: must not be empty")
        for index, rule in enumerate(group.get("rules") or []):
            errors += rule_errors(f"groups[{group['name']}].rules[{index}]", rule)
    return errors


def referenced_names(groups):
    """The group names the rules reference."""
    return sorted({name for group in groups for rule in group.get("rules") or [] for name in rule.get("group_name") or []})


def _port_ranges(rule):
    protocol = PROTOCOLS[rule["proto"]]
    if protocol == "-1":
        return [(-1, -1)]
    if protocol == "icmp":
        return [(-1 if rule.get("from_port") is None else rule["from_port"],
                 -1 if rule.get("to_port") is None else rule["to_port"])]
    if rule.get("ports") is not None:
        return [parse_port_range(port) for port in rule["ports"]]
    return [(rule["from_port"], rule["to_port"])]


def _canonical_cidr(value):
    try:
        return ipaddress.ip_network(value, strict=False).compressed
    except ValueError:
        return value


def declared_rules(rules, group_ids):
    """{rule key: description} of the declared rules; group_ids maps the group names known to
    their ID (a name without an ID yet stays a group_name source)."""
    declared = {}
    for rule in rules:
        protocol = PROTOCOLS[rule["proto"]]
        sources = [("cidr_ip", _canonical_cidr(cidr)) for cidr in rule.get("cidr_ip") or []]
        sources += [("cidr_ipv6", _canonical_cidr(cidr)) for cidr in rule.get("cidr_ipv6") or []]
        sources += [("group_id", group_id) for group_id in rule.get("group_id") or []]
        for name in rule.get("group_name") or []:
            sources.append(("group_id", group_ids[name]) if group_ids.get(name) else ("group_name", name))
        for low, high in _port_ranges(rule):
            for kind, source in sources:
                declared[(protocol, low, high, kind, source)] = rule.get("rule_desc") or ""
    return declared


def live_rules(permissions):
    """{rule key: description} of DescribeSecurityGroups' IpPermissions."""
    rules = {}
    for perm in permissions or []:
        protocol = str(perm["IpProtocol"])
        protocol = PROTOCOL_NUMBERS.get(protocol, protocol)
        low, high = (-1, -1) if protocol == "-1" else (perm.get("FromPort", -1), perm.get("ToPort", -1))
        sources = [("cidr_ip", _canonical_cidr(r["CidrIp"]), r) for r in perm.get("IpRanges") or []]
        sources += [("cidr_ipv6", _canonical_cidr(r["CidrIpv6"]), r) for r in perm.get("Ipv6Ranges") or []]
        sources += [("prefix_list_id", r["PrefixListId"], r) for r in perm.get("PrefixListIds") or []]
        sources += [("group_id", r.get("GroupId") or r.get("GroupName"), r) for r in perm.get("UserIdGroupPairs") or []]
        for kind, source, entry in sources:
            rules[(protocol, low, high, kind, source)] = entry.get("Description") or ""
    return rules


def plan_rules(live, declared, purge):
    """(rules to authorize, rules to revoke, rules whose description to update), each {key: description}."""
    to_authorize = {key: desc for key, desc in declared.items() if key not in live}
    to_revoke = {key: desc for key, desc in live.items() if key not in declared} if purge else {}
    to_describe = {key: desc for key, desc in declared.items() if key in live and live[key] != desc}
    return to_authorize, to_revoke, to_describe


def rule_label(key):
    """A rule as one line, as the drift report prints it: "tcp 22 from 203.0.113.0/24"."""
    protocol, low, high, _kind, source = key
    ports = "" if low in (None, -1) else f" {low}"
    if high not in (None, -1) and high != low:
        ports += f"-{high}"
    return f"{'all' if protocol == '-1' else protocol}{ports} from {source}"


def to_ip_permissions(rules, with_descriptions=True):
    """IpPermissions for Authorize/Revoke/UpdateSecurityGroupRuleDescriptions, one per protocol and ports."""
    permissions = {}
    for key in sorted(rules):
        protocol, low, high, kind, source = key
        perm = permissions.get((protocol, low, high))
        if perm is None:
            perm = {"IpProtocol": protocol}
            if protocol != "-1":
                perm.update(FromPort=low, ToPort=high)
            permissions[(protocol, low, high)] = perm
        field, entry = {
            "cidr_ip": ("IpRanges", {"CidrIp": source}),
            "cidr_ipv6": ("Ipv6Ranges", {"CidrIpv6": source}),
            "prefix_list_id": ("PrefixListIds", {"PrefixListId": source}),
            "group_id": ("UserIdGroupPairs", {"GroupId": source}),
        }[kind]
        if with_descriptions and rules[key]:
            entry["Description"] = rules[key]
        perm.setdefault(field, []).append(entry)
    return list(permissions.values())


def _snake_permission(key, description):
    """One rule in ec2_security_group's diff shape (what the drift report reads)."""
    protocol, low, high, kind, source = key
    perm = {"ip_protocol": protocol, "ip_ranges": [], "ipv6_ranges": [], "prefix_list_ids": [], "user_id_group_pairs": []}
    if protocol != "-1":
        perm.update(from_port=low, to_port=high)
    field, entry = {
        "cidr_ip": ("ip_ranges", {"cidr_ip": source}),
        "cidr_ipv6": ("ipv6_ranges", {"cidr_ipv6": source}),
        "prefix_list_id": ("prefix_list_ids", {"prefix_list_id": source}),
        "group_id": ("user_id_group_pairs", {"group_id": source}),
        "group_name": ("user_id_group_pairs", {"group_name": source}),
    }[kind]
    if description:
        entry["description"] = description
    perm[field].append(entry)
    return perm


def diff_views(before_state, after_state):
    """(before, after) of one group for the diff; each state is (description, tags, {rule key: description})."""
    shared = sorted(set(before_state[2]) & set(after_state[2]))

    def view(state):
        description, tags, rules = state
        return {
            "description": description,
            "tags": dict(tags),
            "ip_permissions": [_snake_permission(key, rules[key]) for key in sorted(rules)],
            # The drift report compares ip_permissions without descriptions: a description that
            # differs on a rule both sides have shows here.
            "rule_descriptions": {rule_label(key): rules[key] for key in shared},
        }

    return view(before_state), view(after_state)


def rules_after(live, declared, purge):
    after = {} if purge else dict(live)
    after.update(declared)
    return after


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@AWSRetry.jittered_backoff()
def _describe_security_groups(client, **params):
    paginator = client.get_paginator("describe_security_groups")
    return paginator.paginate(**params).build_full_result().get("SecurityGroups", [])


def find_groups(client, module, vpc_id, names):
    """{name: group as DescribeSecurityGroups returns it} of the named groups in the VPC."""
    if not names:
        return {}
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": sorted(names)}]
    try:
        found = _describe_security_groups(client, Filters=filters)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to describe the security groups of {vpc_id}")
    return {group["GroupName"]: group for group in found if group["GroupName"] in names}



def create_group(client, module, vpc_id, group):
    params = {"GroupName": group["name"], "Description": group["description"], "VpcId": vpc_id}
    if group.get("tags"):
        params["TagSpecifications"] = [{"ResourceType": "security-group",
                                        "Tags": ansible_dict_to_boto3_tag_list(group["tags"])}]
    return call(module, f"create security group {group['name']}", client.create_security_group, **params)["GroupId"]


def apply_group_changes(client, module, group_id, name, plan):
    to_authorize, to_revoke, to_describe, to_set, to_unset = plan
    # Authorize before revoking: a replaced rule never leaves a gap.
    if to_authorize:
        call(module, f"authorize the new rules of {name}", client.authorize_security_group_ingress,
             done_if=("InvalidPermission.Duplicate",), GroupId=group_id, IpPermissions=to_ip_permissions(to_authorize))
    if to_revoke:
        call(module, f"revoke the undeclared rules of {name}", client.revoke_security_group_ingress,
             done_if=("InvalidPermission.NotFound",), GroupId=group_id, IpPermissions=to_ip_permissions(to_revoke, with_descriptions=False))
    if to_describe:
        call(module, f"update the rule descriptions of {name}", client.update_security_group_rule_descriptions_ingress,
             GroupId=group_id, IpPermissions=to_ip_permissions(to_describe))
    apply_tags(module, client, name, group_id, to_set, to_unset)


# ---------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------


def ensure_present(client, module):
    params = module.params
    vpc_id, groups = params["vpc_id"], params["groups"]
    names = [group["name"] for group in groups]
    found = find_groups(client, module, vpc_id, set(names) | set(referenced_names(groups)))

    # Everything that would fail is found before the first change.
    errors = [f"groups[{group['name']}].rules: no security group named {name} in {vpc_id} (nor in groups)"
              for group in groups for rule in group.get("rules") or [] for name in rule.get("group_name") or []
              if name not in found and name not in names]
    errors += [f"groups[{group['name']}].description: security group {group['name']} ({found[group['name']]['GroupId']}) "
               f"has the description {found[group['name']]['Description']!r}, not {group['description']!r}; AWS cannot "
               "change a group's description: declare the current one, or delete the group so that it is re-created"
               for group in groups if group["name"] in found and found[group["name"]]["Description"] != group["description"]]
    if errors:
        module.fail_json(msg="; ".join(errors))

    group_ids = {name: group["GroupId"] for name, group in found.items()}
    new = [group for group in groups if group["name"] not in found]
    if not module.check_mode:
        for group in new:
            group_ids[group["name"]] = create_group(client, module, vpc_id, group)
        wait_until_visible(client, module, "security groups", [group_ids[group["name"]] for group in new])

    results, before, after = [], {}, {}
    for group in groups:
        name = group["name"]
        current = found.get(name)
        live_tags = {tag["Key"]: tag["Value"] for tag in (current or {}).get("Tags") or []}
        live = live_rules(current["IpPermissions"]) if current else {}
        if current is None:
            # A new group has its declared tags (from the create call) and no ingress rule.
            live_tags = {str(k): str(v) for k, v in (group.get("tags") or {}).items()}
        if group.get("rules") is None:
            declared, purge = {}, False
        else:
            declared, purge = declared_rules(group["rules"], group_ids), params["purge_rules"]
        desired_tags = None if group.get("tags") is None else {str(k): str(v) for k, v in group["tags"].items()}
        tags, to_set, to_unset = plan_tags(live_tags, desired_tags, params["purge_tags"])
        to_authorize, to_revoke, to_describe = plan_rules(live, declared, purge)

        changed = current is None or bool(to_authorize or to_revoke or to_describe or to_set or to_unset)
        results.append({
            "name": name,
            "group_id": group_ids.get(name, ""),
            "changed": changed,
            "created": current is None,
            "rules_authorized": [rule_label(key) for key in sorted(to_authorize)],
            "rules_revoked": [rule_label(key) for key in sorted(to_revoke)],
            "rule_descriptions_updated": [rule_label(key) for key in sorted(to_describe)],
            "tags": tags,
        })
        if changed:
            after_state = (group["description"], tags, rules_after(live, declared, purge))
            if current is None:
                before[name], after[name] = {}, diff_views(after_state, after_state)[1]
            else:
                before[name], after[name] = diff_views((current["Description"], live_tags, live), after_state)
        if changed and not module.check_mode:
            apply_group_changes(client, module, group_ids[name], name,
                                (to_authorize, to_revoke, to_describe, to_set, to_unset))

    output = {
        "changed": any(result["changed"] for result in results),
        "groups": results,
        "group_ids": {result["name"]: result["group_id"] for result in results},
    }
    if module._diff:
        output["diff"] = {"before": before, "after": after}
    return output


def main():
    rule_options = dict(
        proto=dict(type="str", default="tcp", choices=list(PROTOCOLS)),
        ports=dict(type="list", elements="str"),
        from_port=dict(type="int"),
        to_port=dict(type="int"),
        cidr_ip=dict(type="list", elements="str"),
        cidr_ipv6=dict(type="list", elements="str"),
        group_id=dict(type="list", elements="str"),
        group_name=dict(type="list", elements="str"),
        rule_desc=dict(type="str"),
    )
    group_options = dict(
        name=dict(type="str", required=True),
        description=dict(type="str", required=True),
        rules=dict(type="list", elements="dict", options=rule_options),
        tags=dict(type="dict"),
    )
    module = AnsibleAWSModule(
        argument_spec=dict(
            state=dict(default="present", choices=["present"]),
            vpc_id=dict(type="str", required=True),
            groups=dict(type="list", elements="dict", required=True, options=group_options),
            purge_rules=dict(type="bool", default=True),
            purge_tags=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    errors = input_errors(module.params["groups"])
    if errors:
        module.fail_json(msg="; ".join(errors))
    try:
        client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")
    module.exit_json(**ensure_present(client, module))


if __name__ == "__main__":
    main()
