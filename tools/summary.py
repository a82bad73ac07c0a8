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


def summary(outputs):
    lines = [f"{outputs.get('environment', '?')} in account {outputs.get('account_id', '?')}, {outputs.get('region', '?')}"]
    for section, values in sorted(outputs.items()):
        if isinstance(values, dict):
            lines.append(f"  {section}:")
            lines.extend(f"    {key}: {describe(value)}" for key, value in sorted(values.items()))
    return "\n".join(lines)


def main(path):
    print(summary(json.loads(Path(path).read_text())))
    print(f"(full outputs: {path})")


if __name__ == "__main__":
    main(sys.argv[1])
