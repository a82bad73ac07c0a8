"""python -m fake_k8s_api start|stop|status [--port N] [--home DIR]"""

import argparse
import sys

from fake_k8s_api import launcher


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m fake_k8s_api")
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--home", default=None)
    args = parser.parse_args()
    home = launcher.resolve_home(args.home)
    if args.command == "start":
        api = launcher.start(args.port or launcher.default_port(), home)
        print(f"fake Kubernetes API at {api.url} (pid {api.pid}); CA {api.ca_file}; token in {api.token_file}")
        return 0
    if args.command == "stop":
        print("stopped" if launcher.stop(home) else "not running")
        return 0
    api = launcher.status(home)
    if api is None:
        print("not running")
        return 3
    print(f"running, pid {api.pid}, {api.url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
