"""The AWS Config fixes (emulator/fixes/config.py) restore documented AWS behaviour; each test fails without its fix.

Check with PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes_config.py
"""

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

AwsClient = Callable[..., Any]
ROLE = "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"


@pytest.fixture
def config(fresh_emulator: Any, aws_client: AwsClient) -> Any:
    return aws_client("config")


def put_rule(config: Any, name: str, **extra: Any) -> None:
    rule = {"ConfigRuleName": name, "Source": {"Owner": "AWS", "SourceIdentifier": "DYNAMODB_PITR_ENABLED"}}
    config.put_config_rule(ConfigRule={**rule, **extra})


def test_describe_config_rules_rejects_unknown_rule_names(config: Any) -> None:
    with pytest.raises(ClientError) as error:
        config.describe_config_rules(ConfigRuleNames=["missing"])
    assert error.value.response["Error"]["Code"] == "NoSuchConfigRuleException"


def test_config_rules_keep_their_evaluation_modes(config: Any) -> None:
    put_rule(config, "detective")
    put_rule(config, "both", EvaluationModes=[{"Mode": "DETECTIVE"}, {"Mode": "PROACTIVE"}])
    rules = {r["ConfigRuleName"]: r for r in config.describe_config_rules()["ConfigRules"]}
    assert rules["detective"]["EvaluationModes"] == [{"Mode": "DETECTIVE"}]
    assert rules["both"]["EvaluationModes"] == [{"Mode": "DETECTIVE"}, {"Mode": "PROACTIVE"}]


def test_configuration_recorders_keep_their_recording_mode(config: Any) -> None:
    group = {"allSupported": True, "includeGlobalResourceTypes": True}
    config.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": ROLE, "recordingGroup": group})
    recorder = config.describe_configuration_recorders()["ConfigurationRecorders"][0]
    assert recorder["recordingMode"] == {"recordingFrequency": "CONTINUOUS", "recordingModeOverrides": []}
    daily = {"recordingFrequency": "DAILY", "recordingModeOverrides": []}
    config.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": ROLE, "recordingGroup": group,
                                                             "recordingMode": daily})
    assert config.describe_configuration_recorders()["ConfigurationRecorders"][0]["recordingMode"] == daily


def test_remediation_configurations_can_be_put_described_and_deleted(config: Any) -> None:
    put_rule(config, "pitr")
    remediation = {
        "ConfigRuleName": "pitr", "TargetType": "SSM_DOCUMENT",
        "TargetId": "AWSConfigRemediation-EnablePITRForDynamoDbTable", "ResourceType": "AWS::DynamoDB::Table",
        "Parameters": {"TableName": {"ResourceValue": {"Value": "RESOURCE_ID"}},
                       "AutomationAssumeRole": {"StaticValue": {"Values": ["arn:aws:iam::123456789012:role/r"]}}},
        "Automatic": True, "MaximumAutomaticAttempts": 3, "RetryAttemptSeconds": 60,
    }
    assert config.put_remediation_configurations(RemediationConfigurations=[remediation])["FailedBatches"] == []
    described = config.describe_remediation_configurations(ConfigRuleNames=["pitr", "other"])["RemediationConfigurations"]
    assert len(described) == 1
    arn = described[0].pop("Arn")
    assert arn.startswith("arn:aws:config:") and ":remediation-configuration/pitr/" in arn
    assert described[0] == remediation

    config.put_remediation_configurations(RemediationConfigurations=[{**remediation, "Automatic": False}])
    again = config.describe_remediation_configurations(ConfigRuleNames=["pitr"])["RemediationConfigurations"][0]
    assert again["Arn"] == arn and again["Automatic"] is False

    config.delete_remediation_configuration(ConfigRuleName="pitr")
    assert config.describe_remediation_configurations(ConfigRuleNames=["pitr"])["RemediationConfigurations"] == []
    with pytest.raises(ClientError) as error:
        config.delete_remediation_configuration(ConfigRuleName="pitr")
    assert error.value.response["Error"]["Code"] == "NoSuchRemediationConfigurationException"


def test_config_service_linked_role_is_named_aws_service_role_for_config(fresh_emulator: Any, aws_client: AwsClient) -> None:
    iam = aws_client("iam")
    role = iam.create_service_linked_role(AWSServiceName="config.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForConfig"
    assert role["Path"] == "/aws-service-role/config.amazonaws.com/"
    assert iam.get_role(RoleName="AWSServiceRoleForConfig")["Role"]["Arn"] == role["Arn"]
