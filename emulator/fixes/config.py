"""AWS Config: rule lookups, evaluation modes, recording modes and remediation configurations.

moto 5.2.5 answers an empty list for an unknown rule name when no rule exists yet,
drops a rule's EvaluationModes and a recorder's recordingMode, and has no
remediation configurations at all (HTTP 500). The fixes below restore what the
AWS Config API reference documents.
"""

import json
from typing import Any

_DEFAULT_EVALUATION_MODES = [{"Mode": "DETECTIVE"}]
_DEFAULT_RECORDING_MODE = {"recordingFrequency": "CONTINUOUS", "recordingModeOverrides": []}


def describe_config_rules_rejects_unknown_rule_names() -> None:
    """DescribeConfigRules with a rule name that does not exist fails with NoSuchConfigRuleException.

    AWS: https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConfigRules.html
    (Errors: NoSuchConfigRuleException, "One or more AWS Config rules in the request are
    invalid"). moto 5.2.5 checks the names only when at least one rule exists, so in an
    account without rules it answers an empty list; community.aws.config_rule then fails
    instead of creating the rule.
    """
    from moto.config.exceptions import NoSuchConfigRuleException
    from moto.config.models import ConfigBackend

    original = ConfigBackend.describe_config_rules

    def describe_config_rules(self: Any, config_rule_names: list[str] | None, next_token: str | None) -> Any:
        for name in config_rule_names or []:
            if name not in self.config_rules:
                raise NoSuchConfigRuleException(name)
        return original(self, config_rule_names, next_token)

    ConfigBackend.describe_config_rules = describe_config_rules


def config_rules_keep_their_evaluation_modes() -> None:
    """A config rule has EvaluationModes, DETECTIVE unless PutConfigRule gives others.

    AWS: https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigRule.html
    (EvaluationModes: "The modes the AWS Config rule can be evaluated in. The valid values
    are distinct objects. By default, the value is Detective evaluation mode only.").
    moto 5.2.5 drops the field, so a module that compares it sees a change on every run.
    """
    from moto.config.models import ConfigRule

    original_modify = ConfigRule.modify_fields
    original_to_dict = ConfigRule.to_dict

    def modify_fields(self: Any, region: str, config_rule: dict[str, Any], tags: dict[str, str]) -> None:
        original_modify(self, region, config_rule, tags)
        self._platform_evaluation_modes = config_rule.get("EvaluationModes") or list(_DEFAULT_EVALUATION_MODES)

    def to_dict(self: Any) -> dict[str, Any]:
        data = original_to_dict(self)
        data["EvaluationModes"] = getattr(self, "_platform_evaluation_modes", list(_DEFAULT_EVALUATION_MODES))
        return data

    ConfigRule.modify_fields = modify_fields
    ConfigRule.to_dict = to_dict


def configuration_recorders_keep_their_recording_mode() -> None:
    """A configuration recorder has a recordingMode, CONTINUOUS unless PutConfigurationRecorder gives one.

    AWS: https://docs.aws.amazon.com/config/latest/APIReference/API_RecordingMode.html
    ("recordingFrequency: The default recording frequency that AWS Config uses to record
    configuration changes"; CONTINUOUS or DAILY, with recordingModeOverrides) and
    API_ConfigurationRecorder.html. moto 5.2.5 drops recordingMode from the request and
    from DescribeConfigurationRecorders.
    """
    from moto.config.models import ConfigBackend, ConfigRecorder

    original_put = ConfigBackend.put_configuration_recorder
    original_to_dict = ConfigRecorder.to_dict

    def put_configuration_recorder(self: Any, config_recorder: dict[str, Any]) -> None:
        original_put(self, config_recorder)
        mode = config_recorder.get("recordingMode") or _DEFAULT_RECORDING_MODE
        recorder = self.recorders[config_recorder["name"]]
        recorder._platform_recording_mode = {
            "recordingFrequency": mode.get("recordingFrequency", "CONTINUOUS"),
            "recordingModeOverrides": list(mode.get("recordingModeOverrides") or []),
        }

    def to_dict(self: Any) -> dict[str, Any]:
        data = original_to_dict(self)
        data["recordingMode"] = getattr(self, "_platform_recording_mode", dict(_DEFAULT_RECORDING_MODE))
        return data

    ConfigBackend.put_configuration_recorder = put_configuration_recorder
    ConfigRecorder.to_dict = to_dict


def remediation_configurations_can_be_put_described_and_deleted() -> None:
    """PutRemediationConfigurations, DescribeRemediationConfigurations and DeleteRemediationConfiguration work.

    AWS: https://docs.aws.amazon.com/config/latest/APIReference/API_PutRemediationConfigurations.html
    (adds or updates one remediation configuration per rule; answers FailedBatches),
    API_DescribeRemediationConfigurations.html (ConfigRuleNames, at most 25; rules without
    a remediation are left out), API_DeleteRemediationConfiguration.html
    (NoSuchRemediationConfigurationException when the rule has none) and
    API_RemediationConfiguration.html (the fields, with the Arn AWS assigns).
    moto 5.2.5 has none of these actions: every call answers HTTP 500.
    """
    from moto.config.exceptions import InvalidParameterValueException
    from moto.config.responses import ConfigResponse
    from moto.core.exceptions import JsonRESTError
    from moto.moto_api._internal import mock_random

    class NoSuchRemediationConfigurationException(JsonRESTError):
        code = 400

        def __init__(self, rule_name: str) -> None:
            super().__init__("NoSuchRemediationConfigurationException",
                             f"No RemediationConfiguration for rule {rule_name} exists.")

    def remediations(backend: Any) -> dict[str, dict[str, Any]]:
        if not hasattr(backend, "platform_remediations"):
            backend.platform_remediations = {}
        return backend.platform_remediations

    def put_remediation_configurations(self: Any) -> str:
        configurations = self._get_param("RemediationConfigurations") or []
        stored = remediations(self.config_backend)
        for configuration in configurations:
            rule_name = configuration.get("ConfigRuleName")
            if rule_name not in self.config_backend.config_rules:
                raise InvalidParameterValueException(f"The ConfigRule '{rule_name}' provided in the request is invalid.")
            if configuration.get("TargetType") != "SSM_DOCUMENT" or not configuration.get("TargetId"):
                raise InvalidParameterValueException("TargetType must be SSM_DOCUMENT and TargetId the document name.")
            previous = stored.get(rule_name)
            arn = previous["Arn"] if previous else (
                f"arn:aws:config:{self.region}:{self.current_account}:remediation-configuration/"
                f"{rule_name}/{mock_random.uuid4()}")
            entry = {key: value for key, value in configuration.items() if key not in ("Arn", "CreatedByService")}
            entry["Arn"] = arn
            stored[rule_name] = entry
        return json.dumps({"FailedBatches": []})

    def describe_remediation_configurations(self: Any) -> str:
        names = self._get_param("ConfigRuleNames") or []
        stored = remediations(self.config_backend)
        return json.dumps({"RemediationConfigurations": [stored[name] for name in names if name in stored]})

    def delete_remediation_configuration(self: Any) -> str:
        name = self._get_param("ConfigRuleName")
        stored = remediations(self.config_backend)
        if name not in stored:
            raise NoSuchRemediationConfigurationException(name)
        del stored[name]
        return json.dumps({})

    ConfigResponse.put_remediation_configurations = put_remediation_configurations
    ConfigResponse.describe_remediation_configurations = describe_remediation_configurations
    ConfigResponse.delete_remediation_configuration = delete_remediation_configuration


def config_service_linked_role_is_named_aws_service_role_for_config() -> None:
    """CreateServiceLinkedRole for config.amazonaws.com makes the role AWSServiceRoleForConfig.

    AWS: https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles.html
    ("AWS Config uses the service-linked role named AWSServiceRoleForConfig"). moto 5.2.5
    derives the name from the service principal and makes AWSServiceRoleForconfig, so a
    recorder that names the documented role finds none, and creating it fails as a duplicate.
    """
    from moto.iam import models

    models.SERVICE_NAME_CONVERSION.setdefault("config", "Config")


FIXES = [
    describe_config_rules_rejects_unknown_rule_names,
    config_rules_keep_their_evaluation_modes,
    configuration_recorders_keep_their_recording_mode,
    remediation_configurations_can_be_put_described_and_deleted,
    config_service_linked_role_is_named_aws_service_role_for_config,
]
