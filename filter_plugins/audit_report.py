"""Filters of the audit role: its inputs, the platform's unscopable IAM actions, the findings table.

The unscopable actions are the ones the iam role's policy generator allows on Resource "*"
(filter_plugins/iam_policies.py UNSCOPED_ACTIONS): the audit reads that very list.
The severities come from module_utils/platform_audit.py, which the platform_audit module uses.
"""

import importlib.util
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
_loaded = {}


def _load(name, path):
    if name not in _loaded:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _loaded[name] = module
    return _loaded[name]


def _iam_policies():
    return _load("platform_iam_policies", os.path.join(_HERE, "iam_policies.py"))


def _audit_rules():
    return _load("platform_audit_rules", os.path.join(_HERE, "..", "module_utils", "platform_audit.py"))


def audit_unscoped_actions(extra=None):
    """The platform's unscopable actions (iam_policies.UNSCOPED_ACTIONS) plus `extra`, sorted."""
    return sorted(set(_iam_policies().UNSCOPED_ACTIONS) | set(extra or []))


def audit_findings_at(findings, threshold):
    """The findings whose severity is `threshold` or worse."""
    rules = _audit_rules()
    return [f for f in findings or [] if rules.severity_at_least(f["severity"], threshold)]


def audit_findings_table(findings, width=100):
    """A fixed-width table (check, severity, resource type, resource name), each row followed
    by its detail, indented and wrapped at `width` characters."""
    headers = ("CHECK", "SEVERITY", "TYPE", "RESOURCE")
    rows = [(f["check"], f["severity"], f["resource"]["type"], f["resource"]["name"], f["detail"])
            for f in findings or []]
    if not rows:
        return "no findings"
    sizes = [max(len(str(r[i])) for r in rows + [headers]) for i in range(4)]
    lines = ["  ".join(h.ljust(sizes[i]) for i, h in enumerate(headers)).rstrip()]
    for row in rows:
        lines.append("  ".join(str(v).ljust(sizes[i]) for i, v in enumerate(row[:4])).rstrip())
        detail = str(row[4])
        lines.extend("    " + detail[i:i + width] for i in range(0, len(detail), width))
    return "\n".join(lines)


def audit_input_errors(fail_on, name_patterns, scope_tags, open_ingress, sse_s3_buckets, checks,
                       accepted_managed_policies=None):
    """Every rule the audit inputs break, as "<variable>: <rule>, got <value>" messages."""
    errors = []
    severities = _audit_rules().SEVERITIES
    if fail_on not in severities:
        errors.append(f"audit_fail_on: must be one of {list(severities)}, got {fail_on}")
    if not name_patterns and not scope_tags:
        errors.append(f"audit_name_patterns: must not be empty when audit_scope_tags is empty, got {name_patterns}")
    for pattern in name_patterns or []:
        if not isinstance(pattern, str) or not pattern.strip("*"):
            errors.append(f"audit_name_patterns: each pattern must name something besides '*', got {pattern!r}")
    if not isinstance(scope_tags, dict) or any(not isinstance(v, str) for v in (scope_tags or {}).values()):
        errors.append(f"audit_scope_tags: must map tag keys to string values, got {scope_tags}")
    for entry in open_ingress or []:
        ports = entry.get("ports") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not (entry.get("group") or entry.get("tags")):
            errors.append(f"audit_open_ingress: each entry needs a group name pattern or tags, got {entry}")
        elif entry.get("group") and not entry["group"].strip("*"):
            errors.append(f"audit_open_ingress: a group pattern must name something besides '*', got {entry}")
        if not ports or not all(isinstance(p, int) and 0 <= p <= 65535 for p in ports):
            errors.append(f"audit_open_ingress: ports must be a non-empty list of port numbers, got {entry}")
        elif 22 in ports or 3389 in ports:
            errors.append(f"audit_open_ingress: SSH and RDP may never be open to the internet, got {entry}")
    for bucket in sse_s3_buckets or []:
        if not isinstance(bucket, str) or any(c in bucket for c in "*?[") or not bucket:
            errors.append(f"audit_sse_s3_buckets: must be exact bucket names, got {bucket!r}")
    for entry in accepted_managed_policies or []:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) and entry[k].strip()
                                                  for k in ("role", "policy", "reason")):
            errors.append(f"audit_accepted_managed_policies: each entry needs role, policy and reason, got {entry}")
        elif entry["policy"] in _audit_rules().ADMIN_POLICY_NAMES:
            errors.append(f"audit_accepted_managed_policies: administrator policies are never accepted, got {entry}")
        elif not entry["role"].strip("*"):
            errors.append(f"audit_accepted_managed_policies: a role pattern must name something besides '*', got {entry}")
    unknown = sorted(set(checks or []) - {"iam", "encryption", "buckets", "security_groups"})
    if unknown or not checks:
        errors.append(f"audit_checks: must be a non-empty subset of iam, encryption, buckets, security_groups, got {checks}")
    return errors


class FilterModule:
    def filters(self):
        return {
            "audit_unscoped_actions": audit_unscoped_actions,
            "audit_findings_at": audit_findings_at,
            "audit_findings_table": audit_findings_table,
            "audit_input_errors": audit_input_errors,
        }
