"""ECR: lifecycle policy validation."""

from typing import Any


def ecr_lifecycle_policy_rules_follow_documented_constraints() -> None:
    """PutLifecyclePolicy refuses rules that break the documented lifecycle policy constraints.

    AWS (https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html):
    - each rule needs a unique rulePriority, and a rule with tagStatus "any" must have the
      highest rulePriority;
    - tagStatus "tagged" needs a tagPrefixList or a tagPatternList; "untagged" must omit both;
    - a tagPatternList string has at most four wildcards (*);
    - countUnit is required when countType is sinceImagePushed.
    The policy is "evaluated before being associated with a repository"
    (lifecycle_policy_examples.html); an invalid one is refused with InvalidParameterException.
    moto (moto/ecr/policy_validation.py EcrLifecyclePolicyValidator) checks only the JSON
    shape and the enum values, so it stored policies AWS refuses (for example a policy whose
    "any" rule is not last, or two rules with the same priority).
    """
    from moto.ecr.exceptions import InvalidParameterException
    from moto.ecr.policy_validation import EcrLifecyclePolicyValidator

    prefix = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: "

    def rule_errors(rules: list[dict[str, Any]]) -> list[str]:
        errors = []
        priorities = [rule.get("rulePriority") for rule in rules]
        if len(set(priorities)) != len(priorities):
            errors.append(f"rulePriority values must be unique, got {priorities}")
        for rule in rules:
            selection = rule.get("selection", {})
            status = selection.get("tagStatus")
            lists = [key for key in ("tagPrefixList", "tagPatternList") if selection.get(key)]
            if status == "any" and rule.get("rulePriority") != max(priorities):
                errors.append("a rule with tagStatus any must have the highest rulePriority")
            if status == "tagged" and not lists:
                errors.append("tagStatus tagged needs a tagPrefixList or a tagPatternList")
            if status == "untagged" and lists:
                errors.append("tagStatus untagged must omit tagPrefixList and tagPatternList")
            for pattern in selection.get("tagPatternList") or []:
                if str(pattern).count("*") > 4:
                    errors.append(f"tag pattern {pattern} has more than four wildcards")
            if selection.get("countType") == "sinceImagePushed" and not selection.get("countUnit"):
                errors.append("countUnit is required with countType sinceImagePushed")
        return errors

    original_validate = EcrLifecyclePolicyValidator.validate

    def validate(self: Any) -> None:
        original_validate(self)  # the JSON shape and enum values, as moto checks them
        errors = rule_errors(self._rules)
        if errors:
            raise InvalidParameterException(prefix + "; ".join(errors) + "'")

    EcrLifecyclePolicyValidator.validate = validate


FIXES = [ecr_lifecycle_policy_rules_follow_documented_constraints]
