"""Command line: python -m emulator start|stop|status|reset [--port N] [--home DIR] [--latency S]."""

import argparse
import sys
from pathlib import Path

from emulator import launcher

NOT_RUNNING = 3  # LSB status code for "program is not running"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("command", choices=["start", "stop", "status", "reset"])
    parser.add_argument("--port", type=int, default=None,
                        help=f"port to listen on (env {launcher.PORT_ENV}, default {launcher.DEFAULT_PORT})")
    parser.add_argument("--home", type=Path, default=None,
                        help=f"state folder (env {launcher.HOME_ENV}, default <repo>/.emulator)")
    parser.add_argument("--latency", type=float, default=None, metavar="S",
                        help=f"start: slow AWS resources stay creating S seconds per AWS minute "
                             f"(env {launcher.LATENCY_ENV}, default 0: off)")
    args = parser.parse_args(argv)
    command = {"start": _start, "stop": _stop, "status": _status, "reset": _reset}[args.command]
    return command(args)


def _start(args: argparse.Namespace) -> int:
    running = launcher.status(args.home)
    if running and launcher.is_healthy(running.url, running.ca_bundle):
        print(f"emulator already running (pid {running.pid})")
        _print_endpoint(running)
        return 0
    try:
        emulator = launcher.start(args.port, args.home, latency=args.latency)
    except launcher.EmulatorError as error:
        print(f"emulator failed to start: {error}", file=sys.stderr)
        return 1
    print(f"emulator started (pid {emulator.pid})")
    _print_endpoint(emulator)
    return 0


def _stop(args: argparse.Namespace) -> int:
    print("emulator stopped" if launcher.stop(args.home) else "emulator not running")
    return 0


def _status(args: argparse.Namespace) -> int:
    emulator = launcher.status(args.home)
    if emulator is None:
        print("emulator stopped")
        return NOT_RUNNING
    healthy = launcher.is_healthy(emulator.url, emulator.ca_bundle)
    print(f"emulator running (pid {emulator.pid}){'' if healthy else ', not answering yet'}")
    _print_endpoint(emulator)
    return 0


def _reset(args: argparse.Namespace) -> int:
    emulator = launcher.status(args.home)
    if emulator is None:
        print("emulator not running", file=sys.stderr)
        return NOT_RUNNING
    launcher.reset(emulator.url, emulator.ca_bundle)
    print("emulator state reset")
    return 0


def _print_endpoint(emulator: launcher.Emulator) -> None:
    print(f"endpoint:  {emulator.url}")
    print(f"CA bundle: {emulator.ca_bundle}")
    print(f"home:      {emulator.home}")


if __name__ == "__main__":
    sys.exit(main())
