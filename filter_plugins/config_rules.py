"""Input checks of the config_rules role (run by pre-flight before any AWS call)."""

import re

FREQUENCIES = ("One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours")
REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$")
RULE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
IDENTIFIER = re.compile(r"^[A-Z0-9_]{3,128}$")


def config_rules_input_errors(rules, excluded=None, overrides=None, home_region=""):
    """Every broken rule of the role's input, as '<variable>: <rule>, got <value>' messages."""
    errors = []
    if home_region and not REGION.match(str(home_region)):
        errors.append(f"config_rules_home_region: must be empty or an AWS region name (e.g. eu-west-1), got '{home_region}'")
    if not isinstance(rules, list):
        return errors + [f"config_rules_rules: must be a list of rules, got {rules!r}"]
    names = []
    for index, rule in enumerate(rules):
        where = f"config_rules_rules[{index}]"
        if not isinstance(rule, dict):
            errors.append(f"{where}: must be a dict with rule and identifier, got {rule!r}")
            continue
        name = rule.get("rule")
        names.append(name)
        if not RULE.match(str(name or "")):
            errors.append(f"{where}.rule: must be 1-64 lowercase letters, digits or dashes, got '{name}'")
        if not IDENTIFIER.match(str(rule.get("identifier") or "")):
            errors.append(f"{where}.identifier: must be an AWS managed rule identifier (e.g. S3_BUCKET_SSL_REQUESTS_ONLY), got '{rule.get('identifier')}'")
        frequency = rule.get("maximum_execution_frequency")
        if frequency and frequency not in FREQUENCIES:
            errors.append(f"{where}.maximum_execution_frequency: must be one of {', '.join(FREQUENCIES)}, got '{frequency}'")
        if not isinstance(rule.get("input_parameters", {}), dict):
            errors.append(f"{where}.input_parameters: must be a dict, got {rule.get('input_parameters')!r}")
        remediation = rule.get("remediation")
        if remediation is not None:
            if not isinstance(remediation, dict) or not remediation.get("document") or not remediation.get("resource_id_parameter"):
                errors.append(f"{where}.remediation: must give document and resource_id_parameter, got {remediation!r}")
    for name in sorted({n for n in names if names.count(n) > 1 and n}):
        errors.append(f"config_rules_rules: rule '{name}' is declared twice, got {names.count(name)} entries")
    for name in excluded or []:
        if name not in names:
            errors.append(f"config_rules_excluded: '{name}' is not a rule in config_rules_rules, got '{name}'")
    for name in (overrides or {}):
        if name not in names:
            errors.append(f"config_rules_overrides: '{name}' is not a rule in config_rules_rules, got '{name}'")
    return errors


class FilterModule:
    def filters(self):
        return {"config_rules_input_errors": config_rules_input_errors}
