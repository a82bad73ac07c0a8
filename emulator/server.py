"""The emulator server process: moto's server over HTTPS, with our fixes applied.

Started in the background by the launcher (`python -m emulator start`); can also
be run in the foreground for debugging:

    python -m emulator.server --port 4566 --home .emulator
"""

import argparse
import os
import sys
from pathlib import Path

from emulator import fixes, tls

HOST = "127.0.0.1"
# Comma-separated fix names (or "all") to skip; used to check that tests catch a missing fix.
DISABLE_FIXES_ENV = "PLATFORM_EMULATOR_DISABLE_FIXES"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator.server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--home", type=Path, required=True)
    args = parser.parse_args(argv)

    cert, key = tls.ensure_certificate(args.home)
    # DESIGN requires AWS managed policies (arn:aws:iam::aws:policy/...) to exist.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    # moto builds some URLs back to itself from MOTO_PORT; never inherit a stale one.
    os.environ["MOTO_PORT"] = str(args.port)

    applied = fixes.apply(disabled=_disabled_fixes())
    print(f"applied fixes: {', '.join(applied) or 'none'}", flush=True)

    import moto.server  # only now: some moto settings are read from the environment at import

    moto.server.main(
        ["--host", HOST, "--port", str(args.port), "--ssl-cert", str(cert), "--ssl-key", str(key)]
    )


def _disabled_fixes() -> set[str]:
    value = os.environ.get(DISABLE_FIXES_ENV, "")
    return {name.strip() for name in value.split(",") if name.strip()}


if __name__ == "__main__":
    sys.exit(main())
