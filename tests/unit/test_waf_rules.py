"""filter_plugins/waf_rules.py: the managed rule group rules and the input check of the waf role."""

from filter_plugins.waf_rules import waf_input_errors, waf_managed_rules

GROUPS = [{"name": "AWSManagedRulesCommonRuleSet", "priority": 20},
          {"name": "AWSManagedRulesSQLiRuleSet", "priority": 40, "enabled": False}]
VISIBILITY = {"sampled_requests_enabled": True, "cloud_watch_metrics_enabled": True}


def errors(**overrides):
    args = {"name": "rtap-dev-api", "groups": GROUPS, "count_only": [], "excluded_rules": {}, "rate_limit": 2000,
            "rate_priority": 0, "retention_days": 30, "redacted_headers": ["authorization"]}
    args.update(overrides)
    return waf_input_errors(args.pop("name"), **args)


def test_managed_rules_skip_disabled_groups_and_apply_count_and_exclusions():
    rules = waf_managed_rules(GROUPS, VISIBILITY, "acl", ["AWSManagedRulesCommonRuleSet"],
                              {"AWSManagedRulesCommonRuleSet": ["SizeRestrictions_BODY"]})
    assert rules == [{
        "name": "AWSManagedRulesCommonRuleSet", "priority": 20, "override_action": {"count": {}},
        "statement": {"managed_rule_group_statement": {"vendor_name": "AWS", "name": "AWSManagedRulesCommonRuleSet",
                                                       "excluded_rules": [{"name": "SizeRestrictions_BODY"}]}},
        "visibility_config": dict(VISIBILITY, metric_name="acl-AWSManagedRulesCommonRuleSet"),
    }]
    assert "excluded_rules" not in waf_managed_rules(GROUPS, VISIBILITY, "acl")[0]["statement"]["managed_rule_group_statement"]


def test_good_input_has_no_errors():
    assert errors() == []


def test_rate_limit_bounds():
    assert errors(rate_limit=10) == [] and errors(rate_limit=2_000_000_000) == []
    assert errors(rate_limit=9)[0].startswith("waf_rate_limit: AWS accepts 10 to 2000000000")
    assert errors(rate_limit=2_000_000_001) and errors(rate_limit="many")


def test_names_priorities_and_references():
    assert errors(name="has space")[0].startswith("waf_web_acl_name:")
    assert "priorities must be unique" in errors(rate_priority=20)[0]
    # A disabled group's priority does not clash.
    assert errors(rate_priority=40) == []
    assert errors(groups=[{"name": "Nope", "priority": 1}])[0].startswith("waf_managed_rule_groups: 'Nope'")
    assert errors(count_only=["AWSManagedRulesPHPRuleSet"])[0].startswith("waf_count_only_rule_groups:")
    assert errors(excluded_rules={"AWSManagedRulesCommonRuleSet": "x"})[0].startswith("waf_excluded_rules:")
    assert errors(retention_days=10)[0].startswith("waf_log_retention_days:")
    assert errors(redacted_headers=["bad header"])[0].startswith("waf_redacted_headers:")
