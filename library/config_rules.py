#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: config_rules
short_description: Reconcile a set of AWS Config rules and their remediation configurations
description:
  - Creates, updates and deletes AWS Config rules (AWS managed rules) and their
    remediation configurations (SSM automation documents) in one run.
  - Each rule in O(rules) is compared with the live rule (source identifier, description,
    scope, input parameters, maximum execution frequency, evaluation modes, tags) and its
    remediation configuration; only the differences are applied.
  - With O(purge=true), rules whose name starts with O(name_prefix) and that are not in
    O(rules) are deleted, with their remediation configurations.
  - O(state=absent) deletes every rule in O(rules) (and, with O(purge=true), every rule
    whose name starts with O(name_prefix)).
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description: Whether the rules should exist.
    choices: ["present", "absent"]
    default: present
    type: str
  name_prefix:
    description:
      - The prefix that names the rules this module owns. Used by O(purge).
    type: str
    default: ""
  purge:
    description:
      - Delete the rules named with O(name_prefix) that are not in O(rules).
    type: bool
    default: false
  rules:
    description: The rules.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The rule name.
        type: str
        required: true
      identifier:
        description: The AWS managed rule identifier, for example V(S3_BUCKET_SSL_REQUESTS_ONLY).
        type: str
        required: true
      description:
        description: The rule description.
        type: str
        default: ""
      input_parameters:
        description: The rule's input parameters (values are sent as strings).
        type: dict
        default: {}
      resource_types:
        description: The resource types the rule evaluates (its scope). Empty means every type the rule supports.
        type: list
        elements: str
        default: []
      maximum_execution_frequency:
        description: How often a periodic rule runs.
        type: str
        choices: ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"]
      remediation:
        description:
          - The remediation configuration of the rule. Omit for none (an existing one is deleted).
        type: dict
        suboptions:
          document:
            description: The SSM automation document name.
            type: str
            required: true
          document_version:
            description: The document version.
            type: str
          resource_type:
            description: The type of the resources the document remediates.
            type: str
          resource_id_parameter:
            description: The document parameter that receives the non-compliant resource's ID.
            type: str
            required: true
          static_parameters:
            description: Other document parameters, each a string or a list of strings.
            type: dict
            default: {}
          automatic:
            description: Whether AWS Config runs the remediation by itself.
            type: bool
            default: false
          maximum_automatic_attempts:
            description: Attempts of an automatic remediation.
            type: int
            default: 5
          retry_attempt_seconds:
            description: Seconds over which the attempts are spread.
            type: int
            default: 60
          concurrent_execution_rate_percentage:
            description: Percentage of non-compliant resources remediated at the same time.
            type: int
            default: 10
          error_percentage:
            description: Percentage of errors that stops the remediation.
            type: int
            default: 10
  tags:
    description: Tags of every rule.
    type: dict
    default: {}
notes:
  - PutConfigRule and PutRemediationConfigurations are keyed by rule name, so a retried
    call never makes a second rule.
  - The tags of the rules are read with one Resource Groups Tagging API C(GetResources) call per 100
    resources (permission C(tag:GetResources));
    C(config:ListTagsForResource) is called for a resource that call does not return
    (never tagged) and before any tag change, and for every resource when the permission is missing.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Require TLS-only buckets and point-in-time recovery, remediating PITR automatically
  config_rules:
    name_prefix: myapp-dev-
    purge: true
    tags: {Environment: dev}
    rules:
      - name: myapp-dev-s3-bucket-ssl-requests-only
        identifier: S3_BUCKET_SSL_REQUESTS_ONLY
        resource_types: [AWS::S3::Bucket]
      - name: myapp-dev-dynamodb-pitr-enabled
        identifier: DYNAMODB_PITR_ENABLED
        remediation:
          document: AWSConfigRemediation-EnablePITRForDynamoDbTable
          resource_type: AWS::DynamoDB::Table
          resource_id_parameter: TableName
          static_parameters:
            AutomationAssumeRole: arn:aws:iam::123456789012:role/myapp-dev-config-remediation
          automatic: true
"""

RETURN = r"""
rules:
  description: The rules after the run, by name (in check mode, as they are now).
  returned: always
  type: dict
  sample: {"myapp-dev-dynamodb-pitr-enabled": {"arn": "arn:aws:config:eu-west-1:123456789012:config-rule/config-rule-abc123",
           "identifier": "DYNAMODB_PITR_ENABLED", "remediation": "AWSConfigRemediation-EnablePITRForDynamoDbTable"}}
created:
  description: Names of the rules created.
  returned: always
  type: list
  elements: str
updated:
  description: Names of the rules whose settings, tags or remediation changed.
  returned: always
  type: list
  elements: str
deleted:
  description: Names of the rules deleted.
  returned: always
  type: list
  elements: str
"""

import json

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible.module_utils.bulk_tags import TagReader

DEFAULT_EVALUATION_MODES = [{"Mode": "DETECTIVE"}]
DESCRIBE_BATCH = 25  # DescribeRemediationConfigurations takes at most 25 rule names


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def desired_rule(spec):
    """The ConfigRule request body for a rule spec (comparable with a described rule)."""
    rule = {
        "ConfigRuleName": spec["name"],
        "Source": {"Owner": "AWS", "SourceIdentifier": spec["identifier"]},
        "ConfigRuleState": "ACTIVE",
        "EvaluationModes": list(DEFAULT_EVALUATION_MODES),
    }
    if spec.get("description"):
        rule["Description"] = spec["description"]
    if spec.get("resource_types"):
        rule["Scope"] = {"ComplianceResourceTypes": sorted(spec["resource_types"])}
    if spec.get("input_parameters"):
        params = {k: str(v) if not isinstance(v, bool) else str(v).lower() for k, v in spec["input_parameters"].items()}
        rule["InputParameters"] = json.dumps(params, sort_keys=True)
    if spec.get("maximum_execution_frequency"):
        rule["MaximumExecutionFrequency"] = spec["maximum_execution_frequency"]
    return rule


def comparable_rule(live):
    """The fields of a described rule that the module manages, normalised."""
    rule = {
        "ConfigRuleName": live["ConfigRuleName"],
        "Source": {"Owner": live["Source"].get("Owner"), "SourceIdentifier": live["Source"].get("SourceIdentifier")},
        "ConfigRuleState": "ACTIVE",
        "EvaluationModes": live.get("EvaluationModes") or list(DEFAULT_EVALUATION_MODES),
    }
    if live.get("Description"):
        rule["Description"] = live["Description"]
    types = (live.get("Scope") or {}).get("ComplianceResourceTypes")
    if types:
        rule["Scope"] = {"ComplianceResourceTypes": sorted(types)}
    if live.get("InputParameters") and json.loads(live["InputParameters"]):
        rule["InputParameters"] = json.dumps(json.loads(live["InputParameters"]), sort_keys=True)
    if live.get("MaximumExecutionFrequency"):
        rule["MaximumExecutionFrequency"] = live["MaximumExecutionFrequency"]
    return rule


def desired_remediation(spec):
    """The RemediationConfiguration for a rule spec, or None."""
    remediation = spec.get("remediation")
    if not remediation:
        return None
    parameters = {remediation["resource_id_parameter"]: {"ResourceValue": {"Value": "RESOURCE_ID"}}}
    for name, value in sorted((remediation.get("static_parameters") or {}).items()):
        values = value if isinstance(value, list) else [value]
        parameters[name] = {"StaticValue": {"Values": [str(v) for v in values]}}
    config = {
        "ConfigRuleName": spec["name"],
        "TargetType": "SSM_DOCUMENT",
        "TargetId": remediation["document"],
        "Parameters": parameters,
        "Automatic": bool(remediation.get("automatic")),
        "ExecutionControls": {"SsmControls": {
            "ConcurrentExecutionRatePercentage": int(remediation.get("concurrent_execution_rate_percentage") or 10),
            "ErrorPercentage": int(remediation.get("error_percentage") or 10),
        }},
    }
    if remediation.get("document_version"):
        config["TargetVersion"] = remediation["document_version"]
    if remediation.get("resource_type"):
        config["ResourceType"] = remediation["resource_type"]
    if config["Automatic"]:
        config["MaximumAutomaticAttempts"] = int(remediation.get("maximum_automatic_attempts") or 5)
        config["RetryAttemptSeconds"] = int(remediation.get("retry_attempt_seconds") or 60)
    return config


def comparable_remediation(live):
    if not live:
        return None
    keys = ("ConfigRuleName", "TargetType", "TargetId", "TargetVersion", "Parameters", "ResourceType",
            "Automatic", "ExecutionControls", "MaximumAutomaticAttempts", "RetryAttemptSeconds")
    config = {key: live[key] for key in keys if live.get(key) is not None}
    config["Automatic"] = bool(live.get("Automatic"))
    if not config["Automatic"]:
        config.pop("MaximumAutomaticAttempts", None)
        config.pop("RetryAttemptSeconds", None)
    return config


def plan(specs, live_rules, live_remediations, live_tags, tags, state, name_prefix, purge):
    """What to do: [(action, name, payload)], action one of put_rule, tag, put_remediation,
    delete_remediation, delete_rule; and the names created, updated, deleted."""
    steps, created, updated, deleted = [], [], [], []
    declared = {spec["name"] for spec in specs}
    if state == "present":
        for spec in specs:
            name = spec["name"]
            wanted = desired_rule(spec)
            live = live_rules.get(name)
            changed = False
            if live is None or comparable_rule(live) != wanted:
                steps.append(("put_rule", name, wanted))
                changed = True
            current_tags = live_tags.get(name, {}) if live else {}
            if live is not None and current_tags != tags:
                steps.append(("tag", name, {"set": {k: v for k, v in tags.items() if current_tags.get(k) != v},
                                            "unset": [k for k in current_tags if k not in tags]}))
                changed = True
            wanted_remediation = desired_remediation(spec)
            live_remediation = comparable_remediation(live_remediations.get(name))
            if wanted_remediation != live_remediation:
                if wanted_remediation is None:
                    steps.append(("delete_remediation", name, None))
                else:
                    steps.append(("put_remediation", name, wanted_remediation))
                changed = True
            if live is None:
                created.append(name)
            elif changed:
                updated.append(name)
    to_delete = [name for name in sorted(live_rules)
                 if (state == "absent" and name in declared)
                 or (purge and name_prefix and name.startswith(name_prefix) and (state == "absent" or name not in declared))]
    for name in to_delete:
        if name in live_remediations:
            steps.append(("delete_remediation", name, None))
        steps.append(("delete_rule", name, None))
        deleted.append(name)
    return steps, created, updated, deleted


def rule_view(rule, remediation):
    view = {
        "identifier": rule["Source"]["SourceIdentifier"],
        "input_parameters": json.loads(rule["InputParameters"]) if rule.get("InputParameters") else {},
        "resource_types": (rule.get("Scope") or {}).get("ComplianceResourceTypes", []),
        "maximum_execution_frequency": rule.get("MaximumExecutionFrequency"),
    }
    if rule.get("ConfigRuleArn"):
        view["arn"] = rule["ConfigRuleArn"]
    if remediation:
        view["remediation"] = remediation["TargetId"]
        view["automatic"] = bool(remediation.get("Automatic"))
    return view


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@AWSRetry.jittered_backoff()
def _describe_rules(client):
    paginator = client.get_paginator("describe_config_rules")
    return paginator.paginate().build_full_result()["ConfigRules"]


def describe_rules(client, module):
    try:
        return {rule["ConfigRuleName"]: rule for rule in _describe_rules(client)}
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to describe the AWS Config rules")


def describe_remediations(client, module, names):
    found = {}
    names = sorted(names)
    for start in range(0, len(names), DESCRIBE_BATCH):
        batch = names[start:start + DESCRIBE_BATCH]
        try:
            response = client.describe_remediation_configurations(ConfigRuleNames=batch, aws_retry=True)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Failed to describe the remediation configurations")
        for config in response.get("RemediationConfigurations", []):
            found[config["ConfigRuleName"]] = config
    return found


def list_tags(client, module, arn):
    try:
        response = client.list_tags_for_resource(ResourceArn=arn, aws_retry=True)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to list the tags of rule {arn}")
    return boto3_tag_list_to_ansible_dict(response.get("Tags", []))


def describe_tags(client, module, rules, wanted):
    """The tags of each rule: one bulk read, confirmed by AWS Config's own call where they differ from wanted."""
    reader = TagReader(module, [rule["ConfigRuleArn"] for rule in rules.values()],
                       lambda arn: list_tags(client, module, arn))
    tags = {}
    for name, rule in rules.items():
        tags[name] = reader.get(rule["ConfigRuleArn"])
        if tags[name] != wanted:
            tags[name] = reader.confirm(rule["ConfigRuleArn"])
    return tags


def apply(client, module, steps, rules, tags):
    for action, name, payload in steps:
        try:
            if action == "put_rule":
                client.put_config_rule(ConfigRule=payload, Tags=ansible_dict_to_boto3_tag_list(tags), aws_retry=True)
            elif action == "tag":
                arn = rules[name]["ConfigRuleArn"]
                if payload["unset"]:
                    client.untag_resource(ResourceArn=arn, TagKeys=payload["unset"], aws_retry=True)
                if payload["set"]:
                    client.tag_resource(ResourceArn=arn, Tags=ansible_dict_to_boto3_tag_list(payload["set"]),
                                        aws_retry=True)
            elif action == "put_remediation":
                response = client.put_remediation_configurations(RemediationConfigurations=[payload], aws_retry=True)
                if response.get("FailedBatches"):
                    module.fail_json(msg=f"Failed to put the remediation configuration of rule {name}",
                                     failed_batches=response["FailedBatches"])
            elif action == "delete_remediation":
                try:
                    client.delete_remediation_configuration(ConfigRuleName=name, aws_retry=True)
                except is_boto3_error_code("NoSuchRemediationConfigurationException"):
                    pass
            elif action == "delete_rule":
                try:
                    client.delete_config_rule(ConfigRuleName=name, aws_retry=True)
                except is_boto3_error_code("NoSuchConfigRuleException"):
                    pass
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg=f"Failed to {action.replace('_', ' ')} for rule {name}")


def main():
    remediation_spec = dict(
        document=dict(required=True),
        document_version=dict(),
        resource_type=dict(),
        resource_id_parameter=dict(required=True),
        static_parameters=dict(type="dict", default={}),
        automatic=dict(type="bool", default=False),
        maximum_automatic_attempts=dict(type="int", default=5),
        retry_attempt_seconds=dict(type="int", default=60),
        concurrent_execution_rate_percentage=dict(type="int", default=10),
        error_percentage=dict(type="int", default=10),
    )
    rule_spec = dict(
        name=dict(required=True),
        identifier=dict(required=True),
        description=dict(default=""),
        input_parameters=dict(type="dict", default={}),
        resource_types=dict(type="list", elements="str", default=[]),
        maximum_execution_frequency=dict(
            choices=["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"]),
        remediation=dict(type="dict", options=remediation_spec),
    )
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        name_prefix=dict(default=""),
        purge=dict(type="bool", default=False),
        rules=dict(type="list", elements="dict", options=rule_spec, default=[]),
        tags=dict(type="dict", default={}),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    try:
        client = module.client("config", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    live_rules = describe_rules(client, module)
    relevant = {n: r for n, r in live_rules.items()
                if n in {s["name"] for s in params["rules"]} or (params["name_prefix"] and n.startswith(params["name_prefix"]))}
    live_remediations = describe_remediations(client, module, relevant)
    tags = {str(k): str(v) for k, v in (params["tags"] or {}).items()}
    live_tags = describe_tags(client, module, relevant, tags)
    steps, created, updated, deleted = plan(params["rules"], relevant, live_remediations, live_tags, tags,
                                            params["state"], params["name_prefix"], params["purge"])

    result = {"changed": bool(steps), "created": created, "updated": updated, "deleted": deleted}
    if module._diff:
        result["diff"] = {
            "before": {n: rule_view(relevant[n], live_remediations.get(n)) for n in sorted(set(updated + deleted))},
            "after": {s["name"]: rule_view(desired_rule(s), desired_remediation(s))
                      for s in params["rules"] if s["name"] in created + updated},
        }
    if steps and not module.check_mode:
        apply(client, module, steps, relevant, tags)
        relevant = {n: r for n, r in describe_rules(client, module).items() if n in relevant or n in created}
        live_remediations = describe_remediations(client, module, relevant)
    result["rules"] = {n: rule_view(r, live_remediations.get(n)) for n, r in sorted(relevant.items())}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
