"""The drift report: findings recorded by the drift_recorder callback, read back and shown as a table."""

import json


def _text(value):
    if value is None:
        return "(absent)"
    if isinstance(value, str):
        return value.replace("\n", " | ")
    return json.dumps(value, sort_keys=True)


def drift_findings(record_text):
    """The findings of a record file's text (one JSON object a line), duplicates dropped, sorted."""
    seen, findings = set(), []
    for line in (record_text or "").splitlines():
        if not line.strip():
            continue
        finding = json.loads(line)
        key = json.dumps(finding, sort_keys=True)
        if key not in seen:
            seen.add(key)
            findings.append(finding)
    return sorted(findings, key=lambda f: (f.get("role", ""), f.get("resource", ""), f.get("setting", "")))


def drift_table(findings, width=60):
    """A plain-text table: resource, setting, declared value, live value (and the role : task)."""
    if not findings:
        return "No drift: every resource matches its declared settings."
    header = ("resource", "setting", "declared", "live", "task")
    rows = [tuple(_clip(c, width) for c in (
        str(f.get("resource", "")), str(f.get("setting", "")), _text(f.get("declared")), _text(f.get("live")),
        f"{f.get('role')} : {f.get('task')}" if f.get("role") else str(f.get("task", ""))))
        for f in findings]
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join("{:<%d}" % w for w in widths)
    out = [line.format(*header).rstrip(), line.format(*("-" * w for w in widths)).rstrip()]
    out += [line.format(*r).rstrip() for r in rows]
    resources = len({(f.get("resource"), f.get("host")) for f in findings})
    out.append(f"{len(findings)} setting(s) drifted on {resources} resource(s)")
    return "\n".join(out)


def _clip(text, width):
    return text if len(text) <= width else text[: width - 3] + "..."


class FilterModule:
    def filters(self):
        return {"drift_findings": drift_findings, "drift_table": drift_table}
