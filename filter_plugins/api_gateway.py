"""The api_gateway role's input checks (run by the pre-flight play before any AWS call) and the shape of its usage plans."""

import re

STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
ROUTE_PATH = re.compile(r"^(/[A-Za-z0-9._-]+)+$")
METHOD_PATH = re.compile(r"^(/[A-Za-z0-9._{}+-]+)+/(GET|HEAD|OPTIONS)$")
KEY_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
OWN_ROUTES = ("/todos", "/files", "/me", "/events")
CACHE_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")
QUOTA_PERIODS = ("DAY", "WEEK", "MONTH")


def _number(value, low, high=None):
    """value as a float when it is a number in [low, high], else None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number < low or (high is not None and number > high):
        return None
    return number


def _stage_errors(stages):
    errors, seen = [], set()
    if not isinstance(stages, list) or not stages:
        return ["api_gateway_stages: at least one stage, e.g. [{name: v1}]"]
    for index, stage in enumerate(stages):
        where = f"api_gateway_stages[{index}]"
        if not isinstance(stage, dict):
            errors.append(f"{where}: must be a mapping with a name")
            continue
        name = str(stage.get("name", ""))
        if not STAGE_NAME.match(name):
            errors.append(f"{where}.name: 1-128 letters, digits, - or _, got '{name}'")
        elif name in seen:
            errors.append(f"{where}.name: '{name}' is listed twice")
        seen.add(name)
        unknown = sorted(set(stage) - {"name", "description", "deploy", "variables", "canary"})
        if unknown:
            errors.append(f"{where}: unknown key(s) {', '.join(unknown)} (name, description, deploy, variables, canary)")
        for key, value in (stage.get("variables") or {}).items():
            if not re.match(r"^[A-Za-z0-9_]+$", str(key)) or not isinstance(value, str):
                errors.append(f"{where}.variables: '{key}' must be letters, digits or _ with a string value")
        canary = stage.get("canary")
        if canary is not None:
            if not isinstance(canary, dict):
                errors.append(f"{where}.canary: must be a mapping (percent_traffic, variable_overrides, use_stage_cache, promote)")
            elif _number(canary.get("percent_traffic", 10), 0, 100) is None:
                errors.append(f"{where}.canary.percent_traffic: must be 0 to 100, got {canary.get('percent_traffic')!r}")
    return errors


def _route_errors(routes, vpc_links):
    errors = []
    link_names = [link.get("name") for link in vpc_links if isinstance(link, dict)]
    for index, link in enumerate(vpc_links):
        where = f"api_gateway_vpc_links[{index}]"
        if not isinstance(link, dict) or not KEY_NAME.match(str(link.get("name", ""))):
            errors.append(f"{where}.name: 1-64 letters, digits, - or _")
        elif not link.get("target_arns") or not all(
                str(arn).startswith("arn:") and ":loadbalancer/net/" in str(arn) for arn in link["target_arns"]):
            errors.append(f"{where}.target_arns: Network Load Balancer ARNs (REST API VPC links reach NLBs only)")
    if len(set(link_names)) != len(link_names):
        errors.append("api_gateway_vpc_links: names must be unique")
    for index, route in enumerate(routes):
        where = f"api_gateway_http_routes[{index}]"
        if not isinstance(route, dict):
            errors.append(f"{where}: must be a mapping (path, url, vpc_link, public)")
            continue
        path = str(route.get("path", ""))
        if not ROUTE_PATH.match(path):
            errors.append(f"{where}.path: like /orders (segments of letters, digits, . _ -), got '{path}'")
        elif path.split("/")[1] in [own.strip("/") for own in OWN_ROUTES]:
            errors.append(f"{where}.path: {path} collides with the API's own routes ({', '.join(OWN_ROUTES)})")
        url = str(route.get("url", ""))
        if not re.match(r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s{}]*)?$", url):
            errors.append(f"{where}.url: an http(s) URL without spaces or braces, got '{url}'")
        elif not route.get("vpc_link") and not url.startswith("https://"):
            errors.append(f"{where}.url: a backend on the internet must use https, got '{url}'")
        if route.get("vpc_link") and route["vpc_link"] not in link_names:
            errors.append(f"{where}.vpc_link: '{route['vpc_link']}' is not a name in api_gateway_vpc_links")
    return errors


def _usage_errors(plans, keys):
    errors = []
    key_names = [key.get("name") for key in keys if isinstance(key, dict)]
    for index, key in enumerate(keys):
        if not isinstance(key, dict) or not KEY_NAME.match(str(key.get("name", ""))):
            errors.append(f"api_gateway_api_keys[{index}].name: 1-64 letters, digits, - or _")
    if len(set(key_names)) != len(key_names):
        errors.append("api_gateway_api_keys: names must be unique")
    plan_names = []
    for index, plan in enumerate(plans):
        where = f"api_gateway_usage_plans[{index}]"
        if not isinstance(plan, dict) or not KEY_NAME.match(str(plan.get("name", ""))):
            errors.append(f"{where}.name: 1-64 letters, digits, - or _")
            continue
        plan_names.append(plan["name"])
        throttle = plan.get("throttle")
        if throttle is not None and (_number(throttle.get("rate_limit"), 0.001) is None
                                     or _number(throttle.get("burst_limit"), 1) is None):
            errors.append(f"{where}.throttle: rate_limit > 0 and burst_limit >= 1, got {throttle}")
        quota = plan.get("quota")
        if quota is not None and (_number(quota.get("limit"), 1) is None or quota.get("period") not in QUOTA_PERIODS):
            errors.append(f"{where}.quota: limit >= 1 and period one of {', '.join(QUOTA_PERIODS)}, got {quota}")
        for key in plan.get("keys") or []:
            if key not in key_names:
                errors.append(f"{where}.keys: '{key}' is not a name in api_gateway_api_keys")
    if len(set(plan_names)) != len(plan_names):
        errors.append("api_gateway_usage_plans: names must be unique")
    return errors


def api_gateway_input_errors(settings):
    """Every rule the role's input breaks, as 'variable: rule' messages; settings maps variable name -> value."""
    s = settings
    errors = []
    if s["api_gateway_state"] not in ("present", "absent"):
        errors.append(f"api_gateway_state: present or absent, got '{s['api_gateway_state']}'")
    if not re.match(r"^[A-Za-z0-9 ._-]{1,128}$", str(s["api_gateway_name"])):
        errors.append(f"api_gateway_name: 1-128 letters, digits, space . _ -, got '{s['api_gateway_name']}'")
    if s["api_gateway_state"] == "absent":
        return errors
    if s["api_gateway_authorizer"] not in ("lambda", "cognito"):
        errors.append(f"api_gateway_authorizer: lambda or cognito, got '{s['api_gateway_authorizer']}'")
    token_use = s["api_gateway_authorizer_token_use"]
    if not token_use or not set(token_use) <= {"access", "id"}:
        errors.append(f"api_gateway_authorizer_token_use: a non-empty subset of [access, id], got {token_use}")
    if _number(s["api_gateway_authorizer_cache_seconds"], 0, 3600) is None:
        errors.append(f"api_gateway_authorizer_cache_seconds: 0 to 3600, got {s['api_gateway_authorizer_cache_seconds']!r}")
    if s["api_gateway_endpoint_type"] not in ("REGIONAL", "EDGE", "PRIVATE"):
        errors.append(f"api_gateway_endpoint_type: REGIONAL, EDGE or PRIVATE, got '{s['api_gateway_endpoint_type']}'")
    origin = str(s["api_gateway_cors_allow_origin"])
    if origin != "*" and not re.match(r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?$", origin):
        errors.append(f"api_gateway_cors_allow_origin: * or an origin like https://app.example.com, got '{origin}'")
    if _number(s["api_gateway_presigned_url_seconds"], 60, 3600) is None:
        errors.append(f"api_gateway_presigned_url_seconds: 60 to 3600, got {s['api_gateway_presigned_url_seconds']!r}")
    if _number(s["api_gateway_integration_timeout_ms"], 50, 29000) is None:
        errors.append(f"api_gateway_integration_timeout_ms: 50 to 29000, got {s['api_gateway_integration_timeout_ms']!r}")
    for name in ("api_gateway_throttle_rate_limit", "api_gateway_throttle_burst_limit"):
        if _number(s[name], 1) is None:
            errors.append(f"{name}: a number >= 1, got {s[name]!r}")
    if s["api_gateway_execution_logging_level"] not in ("OFF", "ERROR", "INFO"):
        errors.append(f"api_gateway_execution_logging_level: OFF, ERROR or INFO, got '{s['api_gateway_execution_logging_level']}'")
    if str(s["api_gateway_cache_size"]) not in CACHE_SIZES:
        errors.append(f"api_gateway_cache_size: one of {', '.join(CACHE_SIZES)} (GB), got '{s['api_gateway_cache_size']}'")
    if _number(s["api_gateway_cache_ttl_seconds"], 0, 3600) is None:
        errors.append(f"api_gateway_cache_ttl_seconds: 0 to 3600, got {s['api_gateway_cache_ttl_seconds']!r}")
    for method in s["api_gateway_cached_methods"]:
        if not METHOD_PATH.match(str(method)):
            errors.append(f"api_gateway_cached_methods: '{method}' is not <resource path>/GET (or HEAD, OPTIONS)")
    if _number(s["api_gateway_secret_recovery_days"], 7, 30) is None:
        errors.append(f"api_gateway_secret_recovery_days: 7 to 30, got {s['api_gateway_secret_recovery_days']!r}")
    errors += _stage_errors(s["api_gateway_stages"])
    errors += _route_errors(s["api_gateway_http_routes"], s["api_gateway_vpc_links"])
    errors += _usage_errors(s["api_gateway_usage_plans"], s["api_gateway_api_keys"])
    return errors


def api_gateway_module_keys(keys, prefix):
    """The role's API keys as api_gateway_usage_plans takes them: <prefix>-<name>, secret <prefix>/api-keys/<name>."""
    return [{"name": f"{prefix}-{key['name']}", "description": key.get("description", ""),
             "enabled": key.get("enabled", True), "secret_name": f"{prefix}/api-keys/{key['name']}"}
            for key in keys]


def api_gateway_module_plans(plans, prefix, api_id, stage_names):
    """The role's usage plans as api_gateway_usage_plans takes them, each applied to every stage of the API."""
    result = []
    for plan in plans:
        entry = {"name": f"{prefix}-{plan['name']}", "description": plan.get("description", ""),
                 "api_stages": [{"api_id": api_id, "stage": stage} for stage in stage_names] if api_id else [],
                 "keys": [f"{prefix}-{key}" for key in plan.get("keys", [])]}
        for limit in ("throttle", "quota"):
            if plan.get(limit) is not None:
                entry[limit] = plan[limit]
        result.append(entry)
    return result


class FilterModule:
    def filters(self):
        return {"api_gateway_input_errors": api_gateway_input_errors,
                "api_gateway_module_keys": api_gateway_module_keys,
                "api_gateway_module_plans": api_gateway_module_plans}
