"""Filters of the waf role: the web ACL's managed rule group rules, and the input check.

- waf_managed_rules: the managed rule groups declared in waf_managed_rule_groups as rules of
  community.aws.wafv2_web_acl (snake_case of the WAFv2 Rule), with override-to-count and
  excluded rules per environment.
- waf_input_errors: every rule the role's input breaks, as "<variable>: <rule>, got <value>".
"""

import re

# The AWS managed rule groups of vendor AWS (WAF Developer Guide, "AWS Managed Rules rule
# groups list"): baseline, use-case specific and IP reputation groups. Bot Control, ATP and
# ACFP are left out on purpose: they are paid and need their own configuration.
KNOWN_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesAdminProtectionRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesLinuxRuleSet",
    "AWSManagedRulesUnixRuleSet",
    "AWSManagedRulesWindowsRuleSet",
    "AWSManagedRulesPHPRuleSet",
    "AWSManagedRulesWordPressRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
)
# RateBasedStatement.Limit (WAF API Reference, RateBasedStatement; Developer Guide,
# "Rate-based rule high-level settings": "The lowest limit setting allowed is 10").
RATE_LIMIT_MIN = 10
RATE_LIMIT_MAX = 2_000_000_000
# Web ACL names: 1-128 of A-Z a-z 0-9 _ - (WAF API Reference, CreateWebACL Name pattern).
WEB_ACL_NAME = re.compile(r"^[\w-]{1,128}$", re.ASCII)
# CloudWatch Logs retention values (PutRetentionPolicy retentionInDays).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
                      1096, 1827, 2192, 2557, 2922, 3288, 3653)
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$")


def _enabled(group):
    return bool(group.get("enabled", True))


def waf_managed_rules(groups, visibility, metric_prefix, count_only=(), excluded_rules=None):
    """The rules of the enabled managed rule groups, in the given order."""
    excluded_rules = excluded_rules or {}
    rules = []
    for group in groups:
        if not _enabled(group):
            continue
        name = group["name"]
        statement = {"vendor_name": "AWS", "name": name}
        excluded = list(group.get("excluded_rules") or []) + list(excluded_rules.get(name) or [])
        if excluded:
            statement["excluded_rules"] = [{"name": rule} for rule in dict.fromkeys(excluded)]
        rules.append({
            "name": name,
            "priority": int(group["priority"]),
            "override_action": {"count": {}} if name in count_only else {"none": {}},
            "statement": {"managed_rule_group_statement": statement},
            "visibility_config": dict(visibility, metric_name=f"{metric_prefix}-{name}"),
        })
    return rules


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def waf_input_errors(name, groups, count_only, excluded_rules, rate_limit, rate_priority,
                     retention_days, redacted_headers):
    """Every rule the waf role's input breaks; runs before any AWS call."""
    errors = []
    if not isinstance(name, str) or not WEB_ACL_NAME.match(name):
        errors.append(f"waf_web_acl_name: 1 to 128 letters, digits, _ or -, got {name!r}")

    limit = _int(rate_limit)
    if limit is None or not RATE_LIMIT_MIN <= limit <= RATE_LIMIT_MAX:
        errors.append(f"waf_rate_limit: AWS accepts {RATE_LIMIT_MIN} to {RATE_LIMIT_MAX} requests per 5 minutes, "
                      f"got {rate_limit!r}")
    priorities = {"rate-limit-per-ip": _int(rate_priority)}
    if priorities["rate-limit-per-ip"] is None or priorities["rate-limit-per-ip"] < 0:
        errors.append(f"waf_rate_limit_priority: a priority is an integer >= 0, got {rate_priority!r}")

    declared = []
    for group in groups or []:
        group_name = group.get("name") if isinstance(group, dict) else None
        if group_name not in KNOWN_MANAGED_RULE_GROUPS:
            errors.append(f"waf_managed_rule_groups: {group_name!r} is not an AWS managed rule group this role "
                          f"knows ({', '.join(KNOWN_MANAGED_RULE_GROUPS)}), got {group_name!r}")
            continue
        declared.append(group_name)
        priority = _int(group.get("priority"))
        if priority is None or priority < 0:
            errors.append(f"waf_managed_rule_groups: {group_name} needs a priority >= 0, got {group.get('priority')!r}")
        elif _enabled(group):
            priorities[group_name] = priority
    if len(declared) != len(set(declared)):
        errors.append(f"waf_managed_rule_groups: each group may appear once, got {declared}")
    seen = {}
    for rule, priority in priorities.items():
        if priority is not None and priority in seen:
            errors.append(f"waf_managed_rule_groups: priorities must be unique, {rule} and {seen[priority]} "
                          f"both have priority {priority}, got {priority}")
        seen.setdefault(priority, rule)

    for group_name in count_only or []:
        if group_name not in declared:
            errors.append(f"waf_count_only_rule_groups: names a group not in waf_managed_rule_groups, got {group_name!r}")
    if not isinstance(excluded_rules, dict):
        errors.append(f"waf_excluded_rules: a mapping of rule group name to rule names, got {excluded_rules!r}")
    else:
        for group_name, rules in excluded_rules.items():
            if group_name not in declared:
                errors.append(f"waf_excluded_rules: names a group not in waf_managed_rule_groups, got {group_name!r}")
            if not isinstance(rules, list) or not all(isinstance(r, str) and r for r in rules):
                errors.append(f"waf_excluded_rules: {group_name} needs a list of rule names, got {rules!r}")

    if _int(retention_days) not in LOG_RETENTION_DAYS:
        errors.append(f"waf_log_retention_days: one of CloudWatch Logs' retention values "
                      f"({', '.join(map(str, LOG_RETENTION_DAYS))}), got {retention_days!r}")
    for header in redacted_headers or []:
        if not isinstance(header, str) or not HEADER_NAME.match(header):
            errors.append(f"waf_redacted_headers: an HTTP header name, got {header!r}")
    return errors


class FilterModule:
    def filters(self):
        return {
            "waf_managed_rules": waf_managed_rules,
            "waf_input_errors": waf_input_errors,
        }
