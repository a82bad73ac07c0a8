# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The audit's judgements, without AWS calls: IAM policy documents, bucket policies,
security group rules, scope. library/platform_audit.py reads the live environment
and hands what it read to these functions.
"""

import fnmatch
import json
from urllib.parse import unquote

SEVERITIES = ("low", "medium", "high", "critical")

# AWS managed policies that grant administrator rights, or the rights to become one.
ADMIN_POLICY_NAMES = frozenset({"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"})

# Verbs of read-only actions (the part after "service:").
READ_VERBS = ("Describe", "Get", "List", "BatchGet", "BatchCheck", "Head", "View")

# Condition keys that say nothing about WHICH resource or principal a statement applies to.
NON_RESTRICTING_CONDITION_KEYS = frozenset({
    "aws:securetransport", "aws:currenttime", "aws:epochtime", "aws:multifactorauthpresent",
    "aws:multifactorauthage", "aws:requestedregion", "aws:viaawsservice", "aws:tokenissuetime",
    "aws:useragent", "aws:referer",
})


def finding(check, severity, resource_type, name, detail, arn=None):
    resource = {"type": resource_type, "name": name}
    if arn:
        resource["arn"] = arn
    return {"check": check, "severity": severity, "resource": resource, "detail": detail}


def as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def load_document(document):
    """A policy document as a dict (IAM returns URL-encoded JSON strings through some clients)."""
    if isinstance(document, dict):
        return document
    text = document
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(unquote(text))


def statements(document):
    return [s for s in as_list(load_document(document).get("Statement")) if isinstance(s, dict)]


def is_read_action(action):
    verb = action.split(":", 1)[1] if ":" in action else action
    return verb.startswith(READ_VERBS)


def is_wildcard_action(action):
    """'*', 'service:*', or a pattern that can match a write action ('s3:Put*', 'ec2:*Instance*')."""
    if "*" not in action and "?" not in action:
        return False
    if action == "*" or action.endswith(":*"):
        return True
    verb = action.split(":", 1)[1] if ":" in action else action
    head = verb.split("*", 1)[0].split("?", 1)[0]
    return not head.startswith(READ_VERBS)


def restricting_conditions(statement):
    """The statement's condition keys that narrow the resources or principals it applies to."""
    keys = []
    for operator, block in (statement.get("Condition") or {}).items():
        if not isinstance(block, dict):
            continue
        for key in block:
            if key.lower() not in NON_RESTRICTING_CONDITION_KEYS:
                keys.append(f"{operator}:{key}")
    return keys


def policy_findings(document, unscoped_actions):
    """(check, severity, detail) for every problem of an identity policy document.

    - iam-admin-rights: Allow of every action ("*", or NotAction) on every resource, or iam:* on "*".
    - iam-wildcard-action: Allow of "*", "service:*", a write pattern ("s3:Put*"), or NotAction.
    - iam-unscoped-write: Allow of a write action on Resource "*" (or NotResource) without a condition
      that narrows it, unless the action is one of `unscoped_actions` (actions that have no
      resource-level permissions, declared by the platform).
    """
    allowed_unscoped = set(unscoped_actions or [])
    problems = []
    for index, statement in enumerate(statements(document)):
        if statement.get("Effect") != "Allow":
            continue
        label = statement.get("Sid") or f"statement {index + 1}"
        actions = as_list(statement.get("Action"))
        not_actions = as_list(statement.get("NotAction"))
        resources = as_list(statement.get("Resource"))
        every_resource = "*" in resources or "NotResource" in statement
        narrowed = restricting_conditions(statement)
        if every_resource and not narrowed and ("*" in actions or "NotAction" in statement):
            what = "every action" if "*" in actions else f"every action except {sorted(not_actions)}"
            problems.append(("iam-admin-rights", "critical", f"{label}: allows {what} on every resource"))
            continue
        if every_resource and not narrowed and "iam:*" in actions:
            problems.append(("iam-admin-rights", "critical", f"{label}: allows iam:* on every resource"))
            continue
        if "NotAction" in statement:
            problems.append(("iam-wildcard-action", "high",
                             f"{label}: allows every action except {sorted(not_actions)} (NotAction)"))
            continue
        wild = sorted(a for a in actions if is_wildcard_action(a))
        if wild:
            problems.append(("iam-wildcard-action", "high", f"{label}: wildcard actions {wild}"))
        if every_resource and not narrowed:
            writes = sorted(a for a in actions if a not in wild and a not in allowed_unscoped and not is_read_action(a))
            if writes:
                problems.append(("iam-unscoped-write", "high",
                                 f"{label}: write actions {writes} on Resource \"*\""))
    return problems


def _principal_is_everyone(principal):
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in as_list(principal.get("AWS"))
    return False


def denies_insecure_transport(document):
    """A Deny of every principal when aws:SecureTransport is false (AWS's documented TLS-only statement)."""
    for statement in statements(document):
        if statement.get("Effect") != "Deny" or not _principal_is_everyone(statement.get("Principal")):
            continue
        actions = as_list(statement.get("Action"))
        if not ({"*", "s3:*"} & set(actions)):
            continue
        for operator, block in (statement.get("Condition") or {}).items():
            if operator.lower() != "bool" or not isinstance(block, dict):
                continue
            for key, value in block.items():
                if key.lower() == "aws:securetransport" and [str(v).lower() for v in as_list(value)] == ["false"]:
                    return True
    return False


def public_statements(document):
    """Labels of Allow statements whose principal is everyone, with no condition that narrows them."""
    labels = []
    for index, statement in enumerate(statements(document)):
        if statement.get("Effect") != "Allow":
            continue
        if not _principal_is_everyone(statement.get("Principal")) and "NotPrincipal" not in statement:
            continue
        if restricting_conditions(statement):
            continue
        labels.append(statement.get("Sid") or f"statement {index + 1}")
    return labels


def open_ingress(permission):
    """The world-open ranges (0.0.0.0/0, ::/0) of an ingress permission."""
    ranges = [r.get("CidrIp") for r in permission.get("IpRanges", []) if r.get("CidrIp") == "0.0.0.0/0"]
    ranges += [r.get("CidrIpv6") for r in permission.get("Ipv6Ranges", []) if r.get("CidrIpv6") == "::/0"]
    return ranges


def port_text(permission):
    protocol = str(permission.get("IpProtocol"))
    if protocol == "-1":
        return "all traffic"
    low, high = permission.get("FromPort"), permission.get("ToPort")
    ports = str(low) if low == high else f"{low}-{high}"
    return f"{protocol}/{ports}"


def ingress_allowed(group_name, group_tags, permission, exceptions):
    """True when an exception {group, tags, ports, protocol} covers the whole permission."""
    protocol = str(permission.get("IpProtocol"))
    if protocol == "-1":
        return False
    low, high = permission.get("FromPort"), permission.get("ToPort")
    for exception in exceptions or []:
        pattern = exception.get("group")
        tags = exception.get("tags") or {}
        if pattern and not fnmatch.fnmatchcase(group_name, pattern):
            continue
        if not pattern and not tags:
            continue
        if any(group_tags.get(k) != v for k, v in tags.items()):
            continue
        if protocol != str(exception.get("protocol") or "tcp"):
            continue
        ports = [int(p) for p in exception.get("ports") or []]
        if low is not None and high is not None and all(p in ports for p in range(int(low), int(high) + 1)):
            return True
    return False


def in_scope(name, tags, name_patterns, scope_tags):
    """A platform resource: its name matches a pattern, or it carries every scope tag."""
    if any(fnmatch.fnmatchcase(name or "", p) for p in name_patterns or []):
        return True
    return bool(scope_tags) and all((tags or {}).get(k) == v for k, v in scope_tags.items())


def severity_at_least(severity, threshold):
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


def summarize(findings):
    counts = {}
    for item in findings:
        counts[item["check"]] = counts.get(item["check"], 0) + 1
    return dict(sorted(counts.items()))
