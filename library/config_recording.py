#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: config_recording
short_description: Reconcile the AWS Config recorder, its delivery channel and its recording status
description:
  - Creates or updates the region's AWS Config configuration recorder (role, recording
    group in the current API shape with a recording strategy, recording frequency), its
    delivery channel (S3 bucket, key prefix, KMS key, snapshot frequency), and starts or
    stops recording.
  - The recording group records all supported resource types, either with the global
    IAM resource types (O(include_global_resource_types=true), for the home region) or
    with the global types excluded (a V(EXCLUSION_BY_RESOURCE_TYPES) strategy).
  - When O(role_arn) is not given, the recorder uses AWS Config's service-linked role
    AWSServiceRoleForConfig, which the module creates if it does not exist.
  - O(state=absent) stops recording and deletes the delivery channel and the recorder.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description: Whether the recorder and its delivery channel should exist.
    choices: ["present", "absent"]
    default: present
    type: str
  name:
    description: The name of the recorder and of the delivery channel.
    type: str
    default: default
  role_arn:
    description: The role the recorder uses. Default the service-linked role AWSServiceRoleForConfig.
    type: str
  include_global_resource_types:
    description:
      - Record the global resource types (IAM users, groups, roles, policies). Do it in one region only.
    type: bool
    default: true
  global_resource_types:
    description: The global resource types excluded when O(include_global_resource_types=false).
    type: list
    elements: str
    default: ["AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::Policy"]
  recording_frequency:
    description: How often configuration changes are recorded.
    choices: ["CONTINUOUS", "DAILY"]
    default: CONTINUOUS
    type: str
  s3_bucket_name:
    description: The bucket the delivery channel writes snapshots and history to. Required with O(state=present).
    type: str
  s3_key_prefix:
    description: The key prefix in the bucket.
    type: str
  s3_kms_key_arn:
    description: The KMS key that encrypts the delivered objects.
    type: str
  sns_topic_arn:
    description: A topic notified of configuration changes.
    type: str
  delivery_frequency:
    description: How often configuration snapshots are delivered.
    choices: ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"]
    default: TwentyFour_Hours
    type: str
  recording:
    description: Whether the recorder records (is started).
    type: bool
    default: true
notes:
  - Every call is keyed by the recorder or channel name, so a retry never makes a second one.
  - AWS allows one recorder and one delivery channel per account and region.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Record everything (global types too) and deliver to an encrypted bucket
  config_recording:
    s3_bucket_name: myapp-dev-config-snapshots
    s3_kms_key_arn: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    include_global_resource_types: true

- name: In another region, leave the global types to the home region
  config_recording:
    s3_bucket_name: myapp-dev-config-snapshots
    include_global_resource_types: false
"""

RETURN = r"""
recorder:
  description: The configuration recorder (in check mode, as it is now; empty if none).
  returned: always
  type: dict
  sample: {"name": "default", "role_arn": "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"}
delivery_channel:
  description: The delivery channel (in check mode, as it is now; empty if none).
  returned: always
  type: dict
  sample: {"name": "default", "s3_bucket_name": "myapp-dev-config-snapshots"}
recording:
  description: Whether the recorder records after the run (in check mode, now).
  returned: always
  type: bool
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

SERVICE_LINKED_ROLE = "AWSServiceRoleForConfig"
SERVICE_LINKED_PATH = "/aws-service-role/config.amazonaws.com/"


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def desired_recorder(params, role_arn):
    if params["include_global_resource_types"]:
        group = {"allSupported": True, "includeGlobalResourceTypes": True, "resourceTypes": [],
                 "exclusionByResourceTypes": {"resourceTypes": []},
                 "recordingStrategy": {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"}}
    else:
        group = {"allSupported": False, "includeGlobalResourceTypes": False, "resourceTypes": [],
                 "exclusionByResourceTypes": {"resourceTypes": sorted(params["global_resource_types"])},
                 "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"}}
    return {"name": params["name"], "roleARN": role_arn, "recordingGroup": group,
            "recordingMode": {"recordingFrequency": params["recording_frequency"], "recordingModeOverrides": []}}


def comparable_recorder(live):
    """The managed fields of a described recorder, with AWS's defaults filled in."""
    if not live:
        return None
    group = live.get("recordingGroup") or {}
    mode = live.get("recordingMode") or {}
    return {
        "name": live["name"],
        "roleARN": live.get("roleARN"),
        "recordingGroup": {
            "allSupported": bool(group.get("allSupported")),
            "includeGlobalResourceTypes": bool(group.get("includeGlobalResourceTypes")),
            "resourceTypes": sorted(group.get("resourceTypes") or []),
            "exclusionByResourceTypes": {
                "resourceTypes": sorted((group.get("exclusionByResourceTypes") or {}).get("resourceTypes") or [])},
            "recordingStrategy": {"useOnly": (group.get("recordingStrategy") or {}).get(
                "useOnly", "ALL_SUPPORTED_RESOURCE_TYPES" if group.get("allSupported") else "INCLUSION_BY_RESOURCE_TYPES")},
        },
        "recordingMode": {"recordingFrequency": mode.get("recordingFrequency", "CONTINUOUS"),
                          "recordingModeOverrides": mode.get("recordingModeOverrides") or []},
    }


def desired_channel(params):
    channel = {"name": params["name"], "s3BucketName": params["s3_bucket_name"],
               "configSnapshotDeliveryProperties": {"deliveryFrequency": params["delivery_frequency"]}}
    for key, option in (("s3KeyPrefix", "s3_key_prefix"), ("s3KmsKeyArn", "s3_kms_key_arn"),
                        ("snsTopicARN", "sns_topic_arn")):
        if params.get(option):
            channel[key] = params[option]
    return channel


def comparable_channel(live):
    if not live:
        return None
    channel = {"name": live["name"], "s3BucketName": live.get("s3BucketName"),
               "configSnapshotDeliveryProperties": {"deliveryFrequency": (live.get(
                   "configSnapshotDeliveryProperties") or {}).get("deliveryFrequency", "TwentyFour_Hours")}}
    for key in ("s3KeyPrefix", "s3KmsKeyArn", "snsTopicARN"):
        if live.get(key):
            channel[key] = live[key]
    return channel


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


def _call(module, what, function, **kwargs):
    try:
        return function(aws_retry=True, **kwargs)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to {what}")


def describe(client, module, name):
    recorders = _call(module, "describe the configuration recorders", client.describe_configuration_recorders)
    recorder = next((r for r in recorders.get("ConfigurationRecorders", []) if r["name"] == name), None)
    channels = _call(module, "describe the delivery channels", client.describe_delivery_channels)
    channel = next((c for c in channels.get("DeliveryChannels", []) if c["name"] == name), None)
    recording = False
    if recorder:
        status = _call(module, "describe the recorder status", client.describe_configuration_recorder_status,
                       ConfigurationRecorderNames=[name])
        recording = any(s.get("recording") for s in status.get("ConfigurationRecordersStatus", []))
    return recorder, channel, recording


def service_linked_role_arn(iam, module, partition, account):
    """The ARN of AWSServiceRoleForConfig; created unless in check mode. Second value: created?"""
    arn = f"arn:{partition}:iam::{account}:role{SERVICE_LINKED_PATH}{SERVICE_LINKED_ROLE}"
    try:
        iam.get_role(RoleName=SERVICE_LINKED_ROLE, aws_retry=True)
        return arn, False
    except is_boto3_error_code("NoSuchEntity"):
        pass
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Failed to read the AWS Config service-linked role")
    if not module.check_mode:
        try:
            response = iam.create_service_linked_role(AWSServiceName="config.amazonaws.com", aws_retry=True)
            arn = response["Role"]["Arn"]
        except is_boto3_error_code("InvalidInput"):
            pass  # created meanwhile
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg="Failed to create the AWS Config service-linked role")
    return arn, True


def snake(value):
    return camel_dict_to_snake_dict(value) if value else {}


def ensure_present(client, module):
    params = module.params
    if not params["s3_bucket_name"]:
        module.fail_json(msg="s3_bucket_name is required with state=present")
    recorder, channel, recording = describe(client, module, params["name"])
    changed = False
    role_arn = params["role_arn"]
    if not role_arn:
        sts = module.client("sts", retry_decorator=AWSRetry.jittered_backoff())
        identity = _call(module, "identify the account", sts.get_caller_identity)
        iam = module.client("iam", retry_decorator=AWSRetry.jittered_backoff())
        role_arn, changed = service_linked_role_arn(iam, module, identity["Arn"].split(":")[1], identity["Account"])

    wanted_recorder = desired_recorder(params, role_arn)
    wanted_channel = desired_channel(params)
    put_recorder = comparable_recorder(recorder) != wanted_recorder
    put_channel = comparable_channel(channel) != wanted_channel
    toggle = recording != params["recording"]
    changed = changed or put_recorder or put_channel or toggle
    result = {"changed": changed}
    if module._diff:
        result["diff"] = {
            "before": {"recorder": comparable_recorder(recorder) or {}, "delivery_channel": comparable_channel(channel) or {},
                       "recording": recording},
            "after": {"recorder": wanted_recorder, "delivery_channel": wanted_channel, "recording": params["recording"]},
        }
    if not module.check_mode:
        if put_recorder:
            _call(module, "put the configuration recorder", client.put_configuration_recorder,
                  ConfigurationRecorder=wanted_recorder)
        if put_channel:
            _call(module, "put the delivery channel", client.put_delivery_channel, DeliveryChannel=wanted_channel)
        if toggle:
            action = client.start_configuration_recorder if params["recording"] else client.stop_configuration_recorder
            _call(module, "start or stop the recorder", action, ConfigurationRecorderName=params["name"])
        if changed:
            recorder, channel, recording = describe(client, module, params["name"])
    result.update(recorder=snake(recorder), delivery_channel=snake(channel), recording=recording)
    return result


def ensure_absent(client, module):
    name = module.params["name"]
    recorder, channel, recording = describe(client, module, name)
    changed = bool(recorder or channel)
    result = {"changed": changed, "recorder": {}, "delivery_channel": {}, "recording": False}
    if module._diff:
        result["diff"] = {"before": {"recorder": comparable_recorder(recorder) or {},
                                     "delivery_channel": comparable_channel(channel) or {}, "recording": recording},
                          "after": {}}
    if module.check_mode:
        return result
    if recording:
        _call(module, "stop the recorder", client.stop_configuration_recorder, ConfigurationRecorderName=name)
    if channel:
        _call(module, "delete the delivery channel", client.delete_delivery_channel, DeliveryChannelName=name)
    if recorder:
        _call(module, "delete the recorder", client.delete_configuration_recorder, ConfigurationRecorderName=name)
    return result


def main():
    frequencies = ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"]
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        name=dict(default="default"),
        role_arn=dict(),
        include_global_resource_types=dict(type="bool", default=True),
        global_resource_types=dict(type="list", elements="str",
                                   default=["AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::Policy"]),
        recording_frequency=dict(default="CONTINUOUS", choices=["CONTINUOUS", "DAILY"]),
        s3_bucket_name=dict(),
        s3_key_prefix=dict(),
        s3_kms_key_arn=dict(),
        sns_topic_arn=dict(),
        delivery_frequency=dict(default="TwentyFour_Hours", choices=frequencies),
        recording=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        client = module.client("config", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")
    if module.params["state"] == "present":
        result = ensure_present(client, module)
    else:
        result = ensure_absent(client, module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
