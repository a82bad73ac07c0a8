"""Input checks, lifecycle policies and repository policies for the ecr role.

Repository names follow CreateRepository's rules
(https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html):
2 to 256 characters, lowercase letters, digits and . _ - / in the pattern below.
Lifecycle policies follow
https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html.
Everything here runs on plain variables, so the pre-flight play can check the
input before any AWS call.
"""

import re

# CreateRepository's repositoryName pattern.
NAME_PATTERN = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")
KEEP_IMAGES = (1, 1000)
UNTAGGED_DAYS = (1, 3650)
ACCOUNT_ID = re.compile(r"[0-9]{12}")
MUTABILITIES = ("IMMUTABLE", "MUTABLE")
# What another account needs to pull an image (docs: repository-policy-examples.html).
PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


def ecr_repository_name(name, prefix):
    """<platform_prefix>/<name>."""
    return f"{prefix}/{name}"


def _whole(value):
    """An int from an int or a string of digits; None otherwise (booleans are not numbers)."""
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _range_error(variable, value, bounds, what):
    number = _whole(value)
    if number is None or not bounds[0] <= number <= bounds[1]:
        return [f"{variable}: {what} must be a whole number from {bounds[0]} to {bounds[1]}, got {value!r}"]
    return []


def ecr_name_errors(full_name):
    """The repository naming rules `full_name` breaks (empty when it is valid)."""
    errors = []
    if not 2 <= len(full_name) <= 256:
        errors.append(f"must be 2 to 256 characters long, got {len(full_name)}")
    if not NAME_PATTERN.fullmatch(full_name):
        errors.append(
            "must be lowercase letters and digits, in parts separated by one '.', '_' or '-', "
            "and path components separated by '/'"
        )
    return errors


def ecr_input_errors(repositories, prefix, keep_images, untagged_days, allow_mutable=False):
    """Every broken rule of the ecr role's input, as '<variable>: <rule>, got <value>'."""
    errors = []
    errors += _range_error("ecr_keep_images", keep_images, KEEP_IMAGES, "images kept")
    errors += _range_error("ecr_untagged_expire_days", untagged_days, UNTAGGED_DAYS, "days before untagged images expire")
    if not isinstance(repositories, list):
        return errors + [f"ecr_repositories: must be a list of {{name: ...}}, got {repositories!r}"]
    names = []
    for repo in repositories:
        if not isinstance(repo, dict) or not isinstance(repo.get("name"), str) or not repo.get("name"):
            errors.append(f"ecr_repositories: each entry needs a name, got {repo!r}")
            continue
        name = repo["name"]
        names.append(name)
        full_name = ecr_repository_name(name, prefix)
        errors += [f"ecr_repositories: repository name '{full_name}' (platform_prefix/name) {rule}"
                   for rule in ecr_name_errors(full_name)]
        where = f"ecr_repositories: '{name}'"
        if "keep_images" in repo:
            errors += _range_error(where, repo["keep_images"], KEEP_IMAGES, "keep_images")
        if "untagged_expire_days" in repo:
            errors += _range_error(where, repo["untagged_expire_days"], UNTAGGED_DAYS, "untagged_expire_days")
        mutability = repo.get("image_tag_mutability", "IMMUTABLE")
        if mutability not in MUTABILITIES:
            errors.append(f"{where}: image_tag_mutability must be IMMUTABLE or MUTABLE, got {mutability!r}")
        elif mutability == "MUTABLE" and not allow_mutable:
            errors.append(
                f"ecr_allow_mutable_tags: repository '{name}' asks for MUTABLE tags (a pushed tag could be "
                "overwritten); set ecr_allow_mutable_tags=true to allow it, got false"
            )
        accounts = repo.get("pull_account_ids", [])
        if not isinstance(accounts, list):
            errors.append(f"{where}: pull_account_ids must be a list of 12-digit account ids, got {accounts!r}")
        else:
            bad = [a for a in accounts if not ACCOUNT_ID.fullmatch(str(a))]
            if bad:
                errors.append(f"{where}: pull_account_ids must be 12-digit account ids, got {', '.join(map(str, bad))}")
        statements = repo.get("policy_statements", [])
        if not isinstance(statements, list) or not all(isinstance(s, dict) and s.get("Effect") in ("Allow", "Deny")
                                                       for s in statements):
            errors.append(f"{where}: policy_statements must be a list of IAM statements with an Effect, got {statements!r}")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        errors.append(f"ecr_repositories: each name must appear once, got {', '.join(duplicates)} more than once")
    return errors


def ecr_lifecycle_policy(repo, keep_images, untagged_days):
    """The lifecycle policy of one repository.

    Rule 1 expires untagged images `untagged_days` after their push; rule 2 keeps the
    `keep_images` most recent tagged images (tagStatus tagged with the pattern "*", which
    every tag matches) and expires the older ones. Neither rule is tagStatus "any", which
    AWS requires to have the highest priority; the two rules select disjoint images.
    """
    keep = _whole(repo.get("keep_images", keep_images))
    days = _whole(repo.get("untagged_expire_days", untagged_days))
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Expire untagged images {days} days after their push",
                "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                              "countUnit": "days", "countNumber": days},
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": f"Keep the {keep} most recent tagged images",
                "selection": {"tagStatus": "tagged", "tagPatternList": ["*"],
                              "countType": "imageCountMoreThan", "countNumber": keep},
                "action": {"type": "expire"},
            },
        ]
    }


def ecr_repository_policy(repo, partition="aws"):
    """The repository policy of one repository: pull access for the listed accounts plus any
    declared statements; {} when it declares neither (the repository then has no policy)."""
    statements = []
    accounts = sorted({str(a) for a in repo.get("pull_account_ids", [])})
    if accounts:
        statements.append({
            "Sid": "PullFromListedAccounts",
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:{partition}:iam::{account}:root" for account in accounts]},
            "Action": PULL_ACTIONS,
        })
    statements += list(repo.get("policy_statements", []))
    if not statements:
        return {}
    return {"Version": "2012-10-17", "Statement": statements}


class FilterModule:
    def filters(self):
        return {
            "ecr_repository_name": ecr_repository_name,
            "ecr_input_errors": ecr_input_errors,
            "ecr_lifecycle_policy": ecr_lifecycle_policy,
            "ecr_repository_policy": ecr_repository_policy,
        }
