"""Print a short summary of an environment's outputs file.

    python tools/summary.py artifacts/local/outputs.json
"""

import json
import sys
from pathlib import Path


def describe(value):
    if isinstance(value, dict):
        return f"{len(value)}: {', '.join(sorted(value))}" if len(value) <= 6 else f"{len(value)} entries"
    if isinstance(value, list):
        return ", ".join(map(str, value)) if len(value) <= 4 else f"{len(value)} items"
    return str(value)


def application(app):
    """The values an application team asks for first (the file's application section)."""
    api, auth, containers = app.get("api", {}), app.get("auth", {}), app.get("containers", {})
    rows = [
        ("API URL", api.get("url")),
        ("user pool id", auth.get("user_pool_id")),
        ("app client id", auth.get("app_client_id")),
        ("identity pool id", auth.get("identity_pool_id")),
        ("streams", ", ".join(stream["name"] for stream in app.get("streams", {}).values())),
        ("tables", ", ".join(table["name"] for table in app.get("tables", {}).values())),
        ("queues", f"{len(app['queues'])} (URLs in the file)" if app.get("queues") else ""),
        ("topics", f"{len(app['topics'])} (ARNs in the file)" if app.get("topics") else ""),
        ("ECS load balancer", containers.get("ecs", {}).get("load_balancer_dns_name")),
        ("EKS endpoint", containers.get("eks", {}).get("endpoint")),
        ("DAX endpoint", app.get("dax", {}).get("endpoint")),
    ]
    return ["  application:"] + [f"    {name}: {value}" for name, value in rows if value]


def summary(outputs):
    lines = [f"{outputs.get('environment', '?')} in account {outputs.get('account_id', '?')}, {outputs.get('region', '?')}"]
    if outputs.get("application"):
        lines.extend(application(outputs["application"]))
    for section, values in sorted(outputs.items()):
        if isinstance(values, dict) and section != "application":
            lines.append(f"  {section}:")
            lines.extend(f"    {key}: {describe(value)}" for key, value in sorted(values.items()))
    return "\n".join(lines)


def main(path):
    print(summary(json.loads(Path(path).read_text())))
    print(f"(full outputs: {path}; for people: {Path(path).with_name('outputs.md')})")


if __name__ == "__main__":
    main(sys.argv[1])
