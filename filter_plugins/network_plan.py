"""Subnet plan for the network role: CIDRs computed from the VPC CIDR.

Each tier (public, private, ...) gets one subnet per AZ. The subnet for tier
``t`` in AZ ``a`` is slot ``t * max_azs + a`` of the VPC CIDR split into equal
blocks, so adding an AZ later never renumbers an existing subnet.
"""

import ipaddress
import math

from ansible.errors import AnsibleFilterError

AWS_MIN_PREFIX = 16  # AWS: a VPC or subnet CIDR is between /16 and /28
AWS_MAX_PREFIX = 28


def _network(value):
    """Parse an IPv4 CIDR strictly (host bits must be zero); None if invalid."""
    try:
        net = ipaddress.ip_network(str(value), strict=True)
    except ValueError:
        return None
    return net if net.version == 4 else None


def network_subnet_prefix(vpc_cidr, tier_count, max_azs):
    """Prefix length that fits tier_count * max_azs equal subnets in the VPC."""
    slots = tier_count * max_azs
    return _network(vpc_cidr).prefixlen + max(1, math.ceil(math.log2(slots)))


def network_subnet_plan(vpc_cidr, azs, tiers, max_azs, prefix=None):
    """List the subnets to create: one per (tier, AZ), in a stable order.

    A tier may give its own ``cidrs`` (one per AZ) instead of computed ones.
    """
    max_azs = int(max_azs)
    vpc = _network(vpc_cidr)
    if vpc is None:
        raise AnsibleFilterError(f"network_vpc_cidr: '{vpc_cidr}' is not an IPv4 CIDR")
    prefix = prefix or network_subnet_prefix(vpc_cidr, len(tiers), max_azs)
    blocks = list(vpc.subnets(new_prefix=prefix))
    plan = []
    for tier_index, tier in enumerate(tiers):
        for az_index, az in enumerate(azs):
            explicit = tier.get("cidrs") or []
            cidr = explicit[az_index] if az_index < len(explicit) else str(blocks[tier_index * max_azs + az_index])
            plan.append({
                "tier": tier["name"],
                "public": bool(tier.get("public", False)),
                "az": az,
                "az_index": az_index,
                "cidr": cidr,
            })
    return plan


def _rule_ports(rule):
    """Port numbers of an ec2_security_group rule (ports: [443, "1024-65535"])."""
    ports = []
    for entry in rule.get("ports") or []:
        for part in str(entry).split("-"):
            try:
                ports.append(int(part))
            except ValueError:
                ports.append(-1)
    return ports


def network_input_errors(vpc_cidr, az_count, max_azs, tiers, peerings=None, security_groups=None):
    """Every rule the network role's input breaks, as 'variable: rule' messages.

    Runs before any AWS call, so bad input changes nothing.
    """
    errors = []
    max_azs = int(max_azs)
    vpc = _network(vpc_cidr)
    if vpc is None:
        errors.append(f"network_vpc_cidr: '{vpc_cidr}' is not a valid IPv4 CIDR with its host bits zero (e.g. 10.20.0.0/16)")
    elif not AWS_MIN_PREFIX <= vpc.prefixlen <= AWS_MAX_PREFIX:
        errors.append(f"network_vpc_cidr: AWS accepts a VPC CIDR between /16 and /28, got /{vpc.prefixlen}")

    try:
        az_count = int(az_count)  # -e network_az_count=3 arrives as a string
    except (TypeError, ValueError):
        az_count = None
    if az_count is None or not 1 <= az_count <= max_azs:
        errors.append(f"network_az_count: must be between 1 and network_max_azs ({max_azs}), got {az_count!r}")

    names = [t.get("name") for t in tiers]
    if len(set(names)) != len(names):
        errors.append(f"network_subnet_tiers: tier names must be unique, got {names}")
    if vpc is None or errors:
        return errors

    prefix = network_subnet_prefix(vpc_cidr, len(tiers), max_azs)
    if prefix > AWS_MAX_PREFIX:
        errors.append(
            f"network_vpc_cidr: /{vpc.prefixlen} is too small for {len(tiers)} tiers x {max_azs} AZs "
            f"(subnets would be /{prefix}, AWS's smallest is /28)")
        return errors

    for tier in tiers:
        for cidr in tier.get("cidrs") or []:
            net = _network(cidr)
            if net is None:
                errors.append(f"network_subnet_tiers: tier '{tier['name']}' subnet '{cidr}' is not a valid IPv4 CIDR")
            elif not net.subnet_of(vpc):
                errors.append(f"network_subnet_tiers: tier '{tier['name']}' subnet {cidr} is outside network_vpc_cidr {vpc_cidr}")
            elif net.prefixlen > AWS_MAX_PREFIX:
                errors.append(f"network_subnet_tiers: tier '{tier['name']}' subnet {cidr} is smaller than AWS's /28 minimum")
        if tier.get("cidrs") and len(tier["cidrs"]) < az_count:
            errors.append(
                f"network_subnet_tiers: tier '{tier['name']}' lists {len(tier['cidrs'])} cidrs for {az_count} AZs (network_az_count)")
    if errors:
        return errors

    plan = network_subnet_plan(vpc_cidr, [f"az{i}" for i in range(az_count)], tiers, max_azs)
    for i, first in enumerate(plan):
        for second in plan[i + 1:]:
            if _network(first["cidr"]).overlaps(_network(second["cidr"])):
                errors.append(
                    f"network_subnet_tiers: subnets overlap: {first['tier']} {first['cidr']} "
                    f"and {second['tier']} {second['cidr']}")

    for peering in peerings or []:
        peer = _network(peering.get("peer_cidr"))
        if peer is None:
            errors.append(f"network_peerings: '{peering.get('name')}' peer_cidr '{peering.get('peer_cidr')}' is not a valid IPv4 CIDR")
        elif peer.overlaps(vpc):
            errors.append(f"network_peerings: '{peering.get('name')}' peer_cidr {peer} overlaps network_vpc_cidr {vpc_cidr}")

    for group in security_groups or []:
        for rule in group.get("rules", []):
            for port in _rule_ports(rule):
                if not 0 <= port <= 65535:
                    errors.append(f"network_security_groups: '{group.get('name')}' port {port} is outside 0-65535")
            if rule.get("cidr_ip") and _network(rule["cidr_ip"]) is None:
                errors.append(f"network_security_groups: '{group.get('name')}' cidr_ip '{rule['cidr_ip']}' is not a valid IPv4 CIDR")
    return errors


class FilterModule:
    def filters(self):
        return {
            "network_subnet_plan": network_subnet_plan,
            "network_input_errors": network_input_errors,
        }
