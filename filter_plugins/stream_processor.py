"""Input checks of the stream_processor role that share code with its Lambda function.

The filter rules are parsed by the function itself (lambdas/stream_preprocessor/config.py);
pre-flight runs that same parser, so a rule the function would refuse fails before any change.
"""

import importlib.util
import json
import os

_CONFIG_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lambdas", "stream_preprocessor", "config.py")
_config_module = None


def _function_config():
    global _config_module  # pylint: disable=global-statement
    if _config_module is None:
        spec = importlib.util.spec_from_file_location("stream_preprocessor_config", _CONFIG_PATH)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _config_module = module
    return _config_module


def stream_processor_filter_rule_errors(rules, variable="stream_processor_filter_rules"):
    """[] when the function accepts the rules, else one "<variable>: <rule>, got <value>" message."""
    config = _function_config()
    try:
        config.parse_filter_rules(json.dumps(rules))
    except (config.ConfigError, TypeError) as e:
        message = str(e).replace("FILTER_RULES", "rule", 1)
        return [f"{variable}: {message}, got {json.dumps(rules, default=str)[:300]}"]
    return []


class FilterModule:
    def filters(self):
        return {"stream_processor_filter_rule_errors": stream_processor_filter_rule_errors}
