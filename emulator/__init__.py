"""Local AWS emulator: moto's server over HTTPS, with fixes for moto's deviations from AWS.

Use `python -m emulator start|stop|status|reset`, or the functions re-exported here.
"""

from emulator.launcher import (
    Emulator,
    EmulatorError,
    api_calls,
    reset,
    reset_api_calls,
    start,
    status,
    stop,
)

__all__ = ["Emulator", "EmulatorError", "api_calls", "reset", "reset_api_calls", "start", "status", "stop"]
