#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: kinesis_firehose_delivery_stream
short_description: Create, update and delete Amazon Data Firehose delivery streams to S3
description:
  - Creates a Firehose delivery stream that reads a Kinesis data stream (or takes direct puts)
    and delivers to an S3 bucket (extended S3 destination), with buffering, compression,
    SSE-KMS of the delivered objects, CloudWatch error logging and tags.
  - A delivery stream is identified by its O(name). The destination is updated in place
    (UpdateDestination); the source cannot be changed after creation, so a different
    source is reported in RV(immutable_differences) with a warning.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  name:
    description:
      - Name of the delivery stream.
    required: true
    type: str
  state:
    description:
      - V(present) ensures the delivery stream exists with the given settings; V(absent) deletes it.
    choices: ["present", "absent"]
    default: present
    type: str
  source_stream_arn:
    description:
      - ARN of the Kinesis data stream to read. Omit it for a V(DirectPut) delivery stream.
    type: str
  source_role_arn:
    description:
      - IAM role Firehose reads the source stream with. Required with O(source_stream_arn).
    type: str
  bucket_arn:
    description:
      - ARN of the destination bucket. Required with O(state=present).
    type: str
  role_arn:
    description:
      - IAM role Firehose writes to the bucket (and uses the KMS key) with. Required with O(state=present).
    type: str
  prefix:
    description:
      - Key prefix of the delivered objects (may use Firehose expressions such as C(!{timestamp:yyyy}/)).
    type: str
    default: ""
  error_output_prefix:
    description:
      - Key prefix of the objects Firehose could not deliver; required by AWS when O(prefix) uses expressions.
    type: str
    default: ""
  buffering_interval:
    description:
      - Seconds Firehose buffers data before delivering it, 0 to 900.
    type: int
    default: 300
  buffering_size:
    description:
      - MB Firehose buffers before delivering, 1 to 128.
    type: int
    default: 5
  compression_format:
    description:
      - Compression of the delivered objects.
    choices: ["UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"]
    default: UNCOMPRESSED
    type: str
  kms_key_arn:
    description:
      - ARN of the KMS key that encrypts the delivered objects (SSE-KMS). Empty for no KMS encryption.
    type: str
    default: ""
  log_group_name:
    description:
      - CloudWatch Logs group for delivery errors; empty disables error logging.
    type: str
    default: ""
  log_stream_name:
    description:
      - Log stream in O(log_group_name).
    type: str
    default: S3Delivery
  wait:
    description:
      - Wait until the delivery stream is C(ACTIVE) (or gone, when deleted).
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait, in seconds.
    type: int
    default: 600
notes:
  - A delivery stream with a Kinesis source relies on the source stream's server-side
    encryption; Firehose's own DeliveryStreamEncryptionConfiguration applies to DirectPut only.
  - The create is preceded by a lookup by name, and a name conflict on creation (a retry
    of a create that succeeded) makes the module converge the existing delivery stream.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Archive a Kinesis stream to S3, encrypted with a KMS key
  kinesis_firehose_delivery_stream:
    name: raw-archive
    source_stream_arn: arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream
    source_role_arn: arn:aws:iam::123456789012:role/firehose-archive
    bucket_arn: arn:aws:s3:::raw-archive
    role_arn: arn:aws:iam::123456789012:role/firehose-archive
    prefix: "raw/!{timestamp:yyyy/MM/dd}/"
    error_output_prefix: "errors/!{firehose:error-output-type}/"
    compression_format: GZIP
    kms_key_arn: arn:aws:kms:eu-west-1:123456789012:key/0f0e0d0c-0b0a-0908-0706-050403020100
    tags:
      Layer: ingestion

- name: Delete it
  kinesis_firehose_delivery_stream:
    name: raw-archive
    state: absent
"""

RETURN = r"""
delivery_stream:
  description:
    - The delivery stream, as described by AWS (empty in check mode before it exists).
  returned: when O(state=present)
  type: dict
  contains:
    delivery_stream_arn:
      description: ARN of the delivery stream.
      returned: always
      type: str
      sample: arn:aws:firehose:eu-west-1:123456789012:deliverystream/raw-archive
    delivery_stream_status:
      description: Status.
      returned: always
      type: str
      sample: ACTIVE
    delivery_stream_type:
      description: KinesisStreamAsSource or DirectPut.
      returned: always
      type: str
      sample: KinesisStreamAsSource
    tags:
      description: Tags of the delivery stream.
      returned: always
      type: dict
      sample: {"Layer": "ingestion"}
changed_settings:
  description: Destination settings that differed and were (or would be) updated.
  returned: when O(state=present)
  type: list
  elements: str
  sample: ["buffering_interval"]
immutable_differences:
  description: Settings that differ but can only be chosen at creation.
  returned: when O(state=present)
  type: list
  elements: str
  sample: ["source_stream_arn"]
"""

import time

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

DESTINATION_SETTINGS = (
    "bucket_arn", "role_arn", "prefix", "error_output_prefix", "buffering_interval", "buffering_size",
    "compression_format", "kms_key_arn", "log_group_name", "log_stream_name",
)
SOURCE_SETTINGS = ("source_stream_arn", "source_role_arn")


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def desired_settings(params):
    return {name: params.get(name) for name in DESTINATION_SETTINGS + SOURCE_SETTINGS}


def destination_config(settings):
    """The ExtendedS3DestinationConfiguration / Update for the settings."""
    config = {
        "RoleARN": settings["role_arn"],
        "BucketARN": settings["bucket_arn"],
        "Prefix": settings["prefix"] or "",
        "ErrorOutputPrefix": settings["error_output_prefix"] or "",
        "BufferingHints": {"IntervalInSeconds": settings["buffering_interval"], "SizeInMBs": settings["buffering_size"]},
        "CompressionFormat": settings["compression_format"],
        "EncryptionConfiguration": (
            {"KMSEncryptionConfig": {"AWSKMSKeyARN": settings["kms_key_arn"]}}
            if settings["kms_key_arn"] else {"NoEncryptionConfig": "NoEncryption"}
        ),
        "CloudWatchLoggingOptions": (
            {"Enabled": True, "LogGroupName": settings["log_group_name"], "LogStreamName": settings["log_stream_name"]}
            if settings["log_group_name"] else {"Enabled": False}
        ),
    }
    return config


def live_settings(description):
    """The settings of a described delivery stream, keyed like the module options."""
    destinations = description.get("Destinations") or [{}]
    destination = destinations[0].get("ExtendedS3DestinationDescription") or destinations[0].get("S3DestinationDescription") or {}
    hints = destination.get("BufferingHints") or {}
    kms = (destination.get("EncryptionConfiguration") or {}).get("KMSEncryptionConfig") or {}
    logging = destination.get("CloudWatchLoggingOptions") or {}
    source = (description.get("Source") or {}).get("KinesisStreamSourceDescription") or {}
    return {
        "bucket_arn": destination.get("BucketARN"),
        "role_arn": destination.get("RoleARN"),
        "prefix": destination.get("Prefix") or "",
        "error_output_prefix": destination.get("ErrorOutputPrefix") or "",
        "buffering_interval": hints.get("IntervalInSeconds"),
        "buffering_size": hints.get("SizeInMBs"),
        "compression_format": destination.get("CompressionFormat", "UNCOMPRESSED"),
        "kms_key_arn": kms.get("AWSKMSKeyARN", ""),
        "log_group_name": logging.get("LogGroupName", "") if logging.get("Enabled") else "",
        "log_stream_name": logging.get("LogStreamName", "") if logging.get("Enabled") else "",
        "source_stream_arn": source.get("KinesisStreamARN"),
        "source_role_arn": source.get("RoleARN"),
    }


def differing(live, desired, names):
    """Names whose desired value differs; an unset log stream does not matter without a log group."""
    result = []
    for name in names:
        if name == "log_stream_name" and not desired.get("log_group_name"):
            continue
        if desired.get(name) is not None and desired[name] != live.get(name):
            result.append(name)
    return result


def create_params(params, tags):
    request = {
        "DeliveryStreamName": params["name"],
        "DeliveryStreamType": "KinesisStreamAsSource" if params["source_stream_arn"] else "DirectPut",
        "ExtendedS3DestinationConfiguration": destination_config(desired_settings(params)),
    }
    if params["source_stream_arn"]:
        request["KinesisStreamSourceConfiguration"] = {
            "KinesisStreamARN": params["source_stream_arn"],
            "RoleARN": params["source_role_arn"],
        }
    if tags:
        request["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return request


def format_stream(description, tags):
    if not description:
        return {}
    result = camel_dict_to_snake_dict(normalize_boto3_result(description))
    result["delivery_stream_arn"] = description.get("DeliveryStreamARN")
    result["tags"] = tags
    return result


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


def describe(client, module, name):
    try:
        return client.describe_delivery_stream(DeliveryStreamName=name, aws_retry=True)["DeliveryStreamDescription"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to describe delivery stream {name}")


@AWSRetry.jittered_backoff()
def _list_tags(client, name):
    tags, start = [], None
    while True:
        params = {"DeliveryStreamName": name}
        if start:
            params["ExclusiveStartTagKey"] = start
        response = client.list_tags_for_delivery_stream(**params)
        tags.extend(response.get("Tags", []))
        if not response.get("HasMoreTags") or not response.get("Tags"):
            return tags
        start = response["Tags"][-1]["Key"]


def get_tags(client, module, name):
    try:
        return boto3_tag_list_to_ansible_dict(_list_tags(client, name))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to list the tags of {name}")


def wait_for(client, module, name, gone=False):
    if not module.params["wait"]:
        return describe(client, module, name)
    deadline = time.time() + module.params["wait_timeout"]
    while True:
        current = describe(client, module, name)
        if gone and current is None:
            return None
        if not gone and current and current.get("DeliveryStreamStatus") == "ACTIVE":
            return current
        if not gone and current and current.get("DeliveryStreamStatus", "").endswith("FAILED"):
            module.fail_json(msg=f"Delivery stream {name} is {current['DeliveryStreamStatus']}",
                             delivery_stream=format_stream(current, {}))
        if time.time() >= deadline:
            module.fail_json(msg=f"Timed out waiting for delivery stream {name}")
        time.sleep(5)


# ---------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------


def ensure_present(client, module):
    params = module.params
    name = params["name"]
    desired = desired_settings(params)
    current = describe(client, module, name)
    current_tags = get_tags(client, module, name) if current else {}
    tags_after, to_set, to_unset = current_tags, {}, []
    if params["tags"] is not None:
        to_set, to_unset = compare_aws_tags(current_tags, params["tags"], params["purge_tags"])
        tags_after = {k: v for k, v in current_tags.items() if k not in to_unset}
        tags_after.update(to_set)

    if current:
        live = live_settings(current)
        changes = differing(live, desired, DESTINATION_SETTINGS)
        immutable = differing(live, desired, SOURCE_SETTINGS)
        before = dict(live, tags=current_tags)
        after = dict(live, tags=tags_after)
        after.update({k: desired[k] for k in changes})
    else:
        changes, immutable, before = [], [], {}
        after = dict(desired, tags=tags_after)
    for setting in immutable:
        module.warn(f"{setting} can only be set when the delivery stream is created; it stays as it is")

    changed = bool(not current or changes or to_set or to_unset)
    result = {"changed": changed, "changed_settings": changes, "immutable_differences": immutable,
              "delivery_stream": format_stream(current, current_tags)}
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    if module.check_mode or not changed:
        return result

    if not current:
        try:
            client.create_delivery_stream(aws_retry=True, **create_params(params, params["tags"] or {}))
        except is_boto3_error_code("ResourceInUseException"):
            return ensure_present(client, module)  # an earlier attempt created it
        except (
            botocore.exceptions.ClientError,
            botocore.exceptions.BotoCoreError,
        ) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg=f"Failed to create delivery stream {name}")
        current = wait_for(client, module, name)
    else:
        if changes:
            current = wait_for(client, module, name)
            try:
                client.update_destination(
                    DeliveryStreamName=name,
                    CurrentDeliveryStreamVersionId=current["VersionId"],
                    DestinationId=current["Destinations"][0]["DestinationId"],
                    ExtendedS3DestinationUpdate=destination_config(desired),
                    aws_retry=True,
                )
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg=f"Failed to update delivery stream {name}")
        try:
            if to_unset:
                client.untag_delivery_stream(DeliveryStreamName=name, TagKeys=to_unset, aws_retry=True)
            if to_set:
                client.tag_delivery_stream(DeliveryStreamName=name, Tags=ansible_dict_to_boto3_tag_list(to_set),
                                           aws_retry=True)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Failed to tag delivery stream {name}")
        current = wait_for(client, module, name)
    result["delivery_stream"] = format_stream(current, get_tags(client, module, name))
    return result


def ensure_absent(client, module):
    name = module.params["name"]
    current = describe(client, module, name)
    result = {"changed": current is not None and current.get("DeliveryStreamStatus") != "DELETING"}
    if module._diff:
        result["diff"] = {"before": live_settings(current) if current else {}, "after": {}}
    if result["changed"] and not module.check_mode:
        try:
            client.delete_delivery_stream(DeliveryStreamName=name, aws_retry=True)
        except is_boto3_error_code("ResourceNotFoundException"):
            pass
        except (
            botocore.exceptions.ClientError,
            botocore.exceptions.BotoCoreError,
        ) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg=f"Failed to delete delivery stream {name}")
        wait_for(client, module, name, gone=True)
    return result


def main():
    argument_spec = dict(
        name=dict(required=True),
        state=dict(default="present", choices=["present", "absent"]),
        source_stream_arn=dict(),
        source_role_arn=dict(),
        bucket_arn=dict(),
        role_arn=dict(),
        prefix=dict(default=""),
        error_output_prefix=dict(default=""),
        buffering_interval=dict(type="int", default=300),
        buffering_size=dict(type="int", default=5),
        compression_format=dict(default="UNCOMPRESSED", choices=["UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"]),
        kms_key_arn=dict(default="", no_log=False),
        log_group_name=dict(default=""),
        log_stream_name=dict(default="S3Delivery"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[["state", "present", ["bucket_arn", "role_arn"]]],
        required_together=[["source_stream_arn", "source_role_arn"]],
    )
    params = module.params
    if params["state"] == "present":
        if not 0 <= params["buffering_interval"] <= 900:
            module.fail_json(msg=f"buffering_interval: must be 0 to 900, got {params['buffering_interval']}")
        if not 1 <= params["buffering_size"] <= 128:
            module.fail_json(msg=f"buffering_size: must be 1 to 128, got {params['buffering_size']}")
    try:
        client = module.client("firehose", retry_decorator=AWSRetry.jittered_backoff(
            catch_extra_error_codes=["LimitExceededException"]))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    result = ensure_present(client, module) if params["state"] == "present" else ensure_absent(client, module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
