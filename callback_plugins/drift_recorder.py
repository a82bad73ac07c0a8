# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: drift_recorder
type: aggregate
short_description: Records what a drift run (playbooks/drift.yml in check mode) would change
description:
  - Active only when the playbook run is C(drift.yml) in check mode; silent otherwise.
  - Every task result that reports C(changed) becomes one finding per setting that differs,
    computed from the result's diff (live value = C(before), declared value = C(after)).
  - Findings are appended, one JSON object a line, to the file named by the fact
    C(drift__record_file), which the first play of C(drift.yml) sets; the last play reads it.
requirements:
  - enabled in ansible.cfg (callbacks_enabled)
"""

import difflib
import json
import os

from ansible import context
from ansible.plugins.callback import CallbackBase

# The fact, set by the drift role's guard, that names the record file.
RECORD_FACT = "drift__record_file"
# Where a result names its resource, in order of preference.
IDENTITY_KEYS = ("name", "table_name", "group_name", "log_group_name", "function_name", "arn", "id", "group_id")
# Keys that are never settings (volatile or informative only).
IGNORED_KEYS = {"owner_id", "user_id", "vpc_peering_connection_id", "peering_status"}


# ---------------------------------------------------------------------------
# Pure logic: diff -> findings (unit tested)
# ---------------------------------------------------------------------------


def _canonical(value):
    return json.dumps(value, sort_keys=True, default=str)


def _rule_strings(permissions):
    """Security group permissions (ec2_security_group's diff shape) as one string per source."""
    rules = set()
    for perm in permissions or []:
        proto = str(perm.get("ip_protocol"))
        proto = "all" if proto == "-1" else proto
        ports = "" if perm.get("from_port") in (None, -1) else f" {perm['from_port']}"
        if perm.get("to_port") not in (None, -1) and str(perm.get("to_port")) != str(perm.get("from_port")):
            ports += f"-{perm['to_port']}"
        sources = [r.get("cidr_ip") for r in perm.get("ip_ranges") or []]
        sources += [r.get("cidr_ipv6") for r in perm.get("ipv6_ranges") or []]
        sources += [p.get("prefix_list_id") for p in perm.get("prefix_list_ids") or []]
        # The group id only: the module's declared side puts the group's own description here.
        sources += [p.get("group_id") or p.get("group_name") for p in perm.get("user_id_group_pairs") or []]
        rules.update(f"{proto}{ports} from {source}" for source in sources)
    return rules


def _normalise(value):
    """Values whose shape differs between the live and the declared side, made comparable."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in IGNORED_KEYS:
                continue
            if key in ("ip_permissions", "ip_permissions_egress") and isinstance(item, list):
                out[key] = sorted(_rule_strings(item))
            else:
                out[key] = _normalise(item)
        return out
    return value


def flatten_differences(live, declared, prefix=""):
    """[(setting, declared, live)] for every leaf that differs, settings as dotted keys.

    Dicts are walked key by key; at the top level only the declared keys count (a key only
    the live side has, such as an ARN, is not a setting), below it a key missing on one
    side is None there (e.g. an extra tag). Lists are compared as sets: each element on one
    side only is one row, with None on the other side (e.g. an extra security group rule:
    declared None, live the rule).
    """
    rows = []
    if isinstance(live, dict) and isinstance(declared, dict):
        keys = set(declared) if not prefix else set(live) | set(declared)
        for key in sorted(keys, key=str):
            rows += flatten_differences(live.get(key), declared.get(key), f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(live, list) and isinstance(declared, list):
        live_set = {_canonical(v): v for v in live}
        declared_set = {_canonical(v): v for v in declared}
        rows += [(prefix, declared_set[k], None) for k in sorted(set(declared_set) - set(live_set))]
        rows += [(prefix, None, live_set[k]) for k in sorted(set(live_set) - set(declared_set))]
        return rows
    if _canonical(live) != _canonical(declared):
        rows.append((prefix, declared, live))
    return rows


def text_differences(live, declared):
    """[(setting, declared, live)] for a text diff: the changed lines."""
    removed, added = [], []
    for line in difflib.ndiff(live.splitlines(), declared.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return [("(text)", "\n".join(added) or None, "\n".join(removed) or None)]


def _is_per_resource(before, after):
    """A diff keyed by resource name: every top-level value on both sides is a dict
    (cloudwatch_log_groups, sqs_queues, sns_topics, ...)."""
    values = list(before.values()) + list(after.values())
    return bool(values) and all(isinstance(v, dict) for v in values)


def diff_findings(result, default_resource):
    """[{resource, setting, declared, live}] for one changed task result."""
    resource = result_resource(result) or default_resource
    diffs = result.get("diff")
    diffs = diffs if isinstance(diffs, list) else [diffs] if diffs else []
    findings = []
    for diff in diffs:
        before, after = diff.get("before"), diff.get("after")
        if isinstance(before, dict) and isinstance(after, dict):
            if not result_resource(result) and _is_per_resource(before, after):
                for name in sorted(set(before) | set(after)):
                    findings += _dict_findings(name, before.get(name), after.get(name))
            else:
                findings += _dict_findings(resource, before, after)
        elif isinstance(before, str) or isinstance(after, str):
            rows = text_differences(before or "", after or "")
            findings += [_finding(resource, *row) for row in rows]
        elif diff.get("prepared"):
            findings.append(_finding(resource, "(changes)", str(diff["prepared"]), None))
    if not findings:
        # The module said "changed" but gave no usable diff: still drift, setting unknown.
        what = "; ".join(str(c) for c in result.get("changes") or []) or result.get("msg") or None
        findings.append(_finding(resource, "(not reported by the module)", what, None))
    return findings


def _dict_findings(resource, before, after):
    if not before:
        return [_finding(resource, "(resource)", "present", "absent")]
    if not after:
        return [_finding(resource, "(resource)", "absent", "present")]
    return [_finding(resource, *row) for row in flatten_differences(_normalise(before), _normalise(after))]


def _finding(resource, setting, declared, live):
    return {"resource": resource, "setting": setting, "declared": declared, "live": live}


def result_resource(result):
    """The resource a result names: its name, ARN or id, looked for at the top, then one level
    down, then in the module's arguments (never in the loop item, whose name may be short)."""
    nested = [v for k, v in result.items() if isinstance(v, dict) and k not in ("diff", "item", "invocation")
              and not k.startswith("_")]
    arguments = (result.get("invocation") or {}).get("module_args") or {}
    for scope in [result, *nested, arguments]:
        for key in IDENTITY_KEYS:
            if isinstance(scope.get(key), str) and scope[key]:
                return scope[key]
    return None


# ---------------------------------------------------------------------------
# The callback
# ---------------------------------------------------------------------------


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "drift_recorder"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.active = False
        self.record_file = None

    def v2_playbook_on_start(self, playbook):
        name = os.path.basename(getattr(playbook, "_file_name", "") or "")
        self.active = name == "drift.yml" and bool(context.CLIARGS.get("check"))

    def v2_runner_on_ok(self, result):
        if not self.active:
            return
        facts = result.result.get("ansible_facts") or {}
        if facts.get(RECORD_FACT):
            self.record_file = facts[RECORD_FACT]
            return
        if result.result.get("results") is None:  # loop results come one by one, below
            self._record(result, result.result)

    def v2_runner_item_on_ok(self, result):
        if self.active:
            self._record(result, result.result)

    def _record(self, result, outcome):
        if not outcome.get("changed") or not self.record_file:
            return
        task = result.task
        role = task._role.get_name() if task._role else ""
        label = outcome.get("_ansible_item_label", outcome.get("item"))
        default = str(label) if label is not None and not isinstance(label, (dict, list)) else task.get_name()
        with open(self.record_file, "a", encoding="utf-8") as record:
            for finding in diff_findings(outcome, default):
                entry = {"host": result.host.get_name(), "role": role, "task": task.name, **finding}
                record.write(json.dumps(entry, sort_keys=True, default=str) + "\n")
