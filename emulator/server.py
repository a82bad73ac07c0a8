"""The emulator server process: moto's server over HTTPS, with our fixes applied
and the AWS API calls counted (emulator/api_calls.py).

Started in the background by the launcher (`python -m emulator start`); can also
be run in the foreground for debugging:

    python -m emulator.server --port 4566 --home .emulator
"""

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from werkzeug.serving import run_simple

from emulator import fixes, tls
from emulator.api_calls import ApiCallCounter

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

    # Only now: some moto settings are read from the environment at import.
    import moto.server  # pylint: disable=import-outside-toplevel
    from moto.moto_server.werkzeug_app import (  # pylint: disable=import-outside-toplevel
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )

    # What moto.server.main does, with moto's app wrapped by our API call counter.
    signal.signal(signal.SIGINT, moto.server.signal_handler)
    signal.signal(signal.SIGTERM, moto.server.signal_handler)
    moto_app = DomainDispatcherApplication(create_backend_app)
    moto_app.debug = True  # as moto.server.main sets it
    app = ApiCallCounter(moto_app)
    # Load the service models now, in the background, rather than during the first AWS request.
    threading.Thread(target=app.models.load, daemon=True).start()
    run_simple(HOST, args.port, app, threaded=True, ssl_context=(str(cert), str(key)),
               request_handler=MotoRequestHandler)


def _disabled_fixes() -> set[str]:
    value = os.environ.get(DISABLE_FIXES_ENV, "")
    return {name.strip() for name in value.split(",") if name.strip()}


if __name__ == "__main__":
    sys.exit(main())
