#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ecr_repository
short_description: Create, update and delete an ECR private repository with its tags and policies
description:
  - Creates, updates and deletes an Amazon ECR private repository in the caller's registry.
  - Manages the repository's tag mutability, scan-on-push setting, encryption (at creation),
    lifecycle policy, repository policy and resource tags.
  - AWS sets a repository's encryption only when it is created. When an existing repository's
    encryption differs from O(encryption_type) and O(kms_key), the module fails and changes nothing.
  - O(kms_key) may name the key by alias, key ID or ARN; the module resolves it to the key ARN
    (KMS C(DescribeKey)) before creating or comparing, so the same key never reads as a change.
  - This module supports check mode and diff mode.
  - Unlike M(community.aws.ecs_ecr), it manages tags, predicts changes in check mode on a
    repository that does not exist yet, compares the KMS key by ARN, and refuses to delete a
    repository that holds images unless O(force_delete=true).
author:
  - Ansible toolkit contributors
options:
  name:
    description:
      - The repository name, for example V(rtap-dev/orders).
    required: true
    type: str
  state:
    description:
      - V(present) ensures that the repository exists with the given settings.
      - V(absent) deletes the repository.
    choices: ["present", "absent"]
    default: present
    type: str
  image_tag_mutability:
    description:
      - V(IMMUTABLE) refuses to push an image with a tag that is already in the repository.
    choices: ["MUTABLE", "IMMUTABLE"]
    default: IMMUTABLE
    type: str
  scan_on_push:
    description:
      - Scan each image for known vulnerabilities after it is pushed (basic scanning).
    default: true
    type: bool
  encryption_type:
    description:
      - How images are encrypted at rest. Used when the repository is created and
        compared with an existing repository.
    choices: ["AES256", "KMS"]
    default: AES256
    type: str
  kms_key:
    description:
      - The KMS key (alias, key ID or ARN) with O(encryption_type=KMS).
      - If not set with O(encryption_type=KMS), ECR uses its AWS managed key.
    type: str
  lifecycle_policy:
    description:
      - The lifecycle policy document (a dict or its JSON text).
      - If not set, the lifecycle policy is left as it is, unless O(purge_lifecycle_policy=true).
    type: json
  purge_lifecycle_policy:
    description:
      - Delete the lifecycle policy when O(lifecycle_policy) is not set.
    default: false
    type: bool
  policy:
    description:
      - The repository policy document (a dict or its JSON text).
      - If not set, the repository policy is left as it is, unless O(purge_policy=true).
    type: json
  purge_policy:
    description:
      - Delete the repository policy when O(policy) is not set.
    default: false
    type: bool
  force_delete:
    description:
      - With O(state=absent), also delete a repository that still holds images (and the images).
      - Without it the module fails, before any change, when the repository holds images.
    default: false
    type: bool
notes:
  - The repository name is its identity, so a retried create finds the repository instead
    of making another (C(RepositoryAlreadyExistsException) is read as "it exists").
  - On a repository that holds images, O(state=absent) without O(force_delete) fails with
    the number of images in RV(image_count).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: A repository with immutable tags, scan on push, a customer managed key and a lifecycle policy
  ecr_repository:
    name: rtap-dev/orders
    kms_key: alias/rtap-dev-data
    encryption_type: KMS
    lifecycle_policy:
      rules:
        - rulePriority: 1
          description: Expire untagged images after 7 days
          selection: {tagStatus: untagged, countType: sinceImagePushed, countUnit: days, countNumber: 7}
          action: {type: expire}
    purge_policy: true
    tags:
      Layer: containers

- name: Delete a repository and every image in it
  ecr_repository:
    name: rtap-dev/orders
    state: absent
    force_delete: true
"""

RETURN = r"""
repository:
  description:
    - The repository, as described by AWS, with its tags.
    - In check mode, the repository as it currently exists (empty if it does not exist yet).
  returned: when O(state=present)
  type: dict
  contains:
    created_at:
      description: When the repository was created.
      returned: always
      type: str
      sample: "2024-01-01T12:00:00+00:00"
    encryption_configuration:
      description: The encryption type and KMS key ARN.
      returned: always
      type: dict
      sample: {"encryption_type": "KMS", "kms_key": "arn:aws:kms:eu-west-1:123456789012:key/0123abcd-0123-abcd-0123-0123456789ab"}
    image_scanning_configuration:
      description: Whether images are scanned on push.
      returned: always
      type: dict
      sample: {"scan_on_push": true}
    image_tag_mutability:
      description: The tag mutability setting.
      returned: always
      type: str
      sample: IMMUTABLE
    registry_id:
      description: The account ID of the registry.
      returned: always
      type: str
      sample: "123456789012"
    repository_arn:
      description: The ARN of the repository.
      returned: always
      type: str
      sample: arn:aws:ecr:eu-west-1:123456789012:repository/rtap-dev/orders
    repository_name:
      description: The name of the repository.
      returned: always
      type: str
      sample: rtap-dev/orders
    repository_uri:
      description: The URI to push to and pull from.
      returned: always
      type: str
      sample: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/rtap-dev/orders
    tags:
      description: The tags of the repository.
      returned: always
      type: dict
      sample: {"Layer": "containers"}
lifecycle_policy:
  description: The lifecycle policy after the run (empty if there is none).
  returned: when O(state=present)
  type: dict
policy:
  description: The repository policy after the run (empty if there is none).
  returned: when O(state=present)
  type: dict
image_count:
  description: The number of images in the repository.
  returned: when O(state=absent) and the repository exists
  type: int
  sample: 3
"""

import json

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible.module_utils.tag_plan import plan_tags

# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def parse_document(value, what):
    """A policy given as a dict or as JSON text, as a dict; None stays None.

    Raises ValueError naming `what` when the text is not a JSON object.
    """
    if value is None:
        return None
    if isinstance(value, dict):
        return value
    try:
        document = json.loads(value)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{what} is not valid JSON: {e}") from e
    if not isinstance(document, dict):
        raise ValueError(f"{what} must be a JSON object")
    return document


def canonical_lifecycle_policy(document):
    """A lifecycle policy with its rules in priority order, for comparison."""
    if not document:
        return {}
    canonical = dict(document)
    canonical["rules"] = sorted(document.get("rules", []), key=lambda rule: rule.get("rulePriority", 0))
    return canonical


def lifecycle_policy_differs(current, desired):
    return canonical_lifecycle_policy(current) != canonical_lifecycle_policy(desired)


def repository_policy_differs(current, desired):
    """IAM-style comparison: list order and the account-id/root-ARN forms do not count."""
    if not current and not desired:
        return False
    if not current or not desired:
        return True
    return compare_policies(current, desired)


def desired_encryption(encryption_type, kms_key_arn):
    """The encryptionConfiguration a repository should have (kmsKey only when a key is named)."""
    config = {"encryptionType": encryption_type}
    if encryption_type == "KMS" and kms_key_arn:
        config["kmsKey"] = kms_key_arn
    return config


def encryption_mismatch(current, desired):
    """Why an existing repository's encryption differs from the desired one (None when it does not).

    A KMS repository without a named key uses ECR's AWS managed key: any key is accepted then.
    """
    current = current or {"encryptionType": "AES256"}
    if current.get("encryptionType") != desired["encryptionType"]:
        return f"encryption type is {current.get('encryptionType')}, requested {desired['encryptionType']}"
    if desired.get("kmsKey") and current.get("kmsKey") != desired["kmsKey"]:
        return f"KMS key is {current.get('kmsKey')}, requested {desired['kmsKey']}"
    return None


def settings_changes(repository, mutability, scan_on_push):
    """The in-place settings that differ: {'image_tag_mutability': ..., 'scan_on_push': ...}."""
    changes = {}
    if repository.get("imageTagMutability") != mutability:
        changes["image_tag_mutability"] = mutability
    if repository.get("imageScanningConfiguration", {}).get("scanOnPush", False) != scan_on_push:
        changes["scan_on_push"] = scan_on_push
    return changes


def diff_view(name, mutability, scan_on_push, encryption, lifecycle_policy, policy, tags):
    return {
        "repository_name": name,
        "image_tag_mutability": mutability,
        "scan_on_push": scan_on_push,
        "encryption_configuration": camel_dict_to_snake_dict(encryption or {}),
        "lifecycle_policy": lifecycle_policy or {},
        "policy": policy or {},
        "tags": tags or {},
    }


def format_repository(repository, tags):
    if not repository:
        return {}
    result = camel_dict_to_snake_dict(normalize_boto3_result(repository))
    result["tags"] = tags or {}
    return result


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


def describe_repository(client, module, name):
    try:
        return client.describe_repositories(repositoryNames=[name], aws_retry=True)["repositories"][0]
    except is_boto3_error_code("RepositoryNotFoundException"):
        return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to describe repository {name}")


def get_tags(client, module, arn):
    try:
        return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(resourceArn=arn, aws_retry=True)["tags"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to list the tags of {arn}")


def get_lifecycle_policy(client, module, name):
    try:
        text = client.get_lifecycle_policy(repositoryName=name, aws_retry=True)["lifecyclePolicyText"]
    except is_boto3_error_code(["LifecyclePolicyNotFoundException", "RepositoryNotFoundException"]):
        return {}
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to read the lifecycle policy of {name}")
    return json.loads(text)


def get_repository_policy(client, module, name):
    try:
        text = client.get_repository_policy(repositoryName=name, aws_retry=True)["policyText"]
    except is_boto3_error_code(["RepositoryPolicyNotFoundException", "RepositoryNotFoundException"]):
        return {}
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to read the repository policy of {name}")
    return json.loads(text)


def resolve_kms_key(module, kms_key):
    """The ARN of the key named by alias, key ID or ARN (fails clearly when there is no such key)."""
    if not kms_key:
        return None
    kms = module.client("kms", retry_decorator=AWSRetry.jittered_backoff())
    try:
        return kms.describe_key(KeyId=kms_key, aws_retry=True)["KeyMetadata"]["Arn"]
    except is_boto3_error_code("NotFoundException"):
        if module.check_mode:
            return kms_key  # an earlier layer's key that a real run would have made: predict with its name
        module.fail_json(msg=f"KMS key {kms_key} does not exist")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to describe KMS key {kms_key}")


@AWSRetry.jittered_backoff()
def _list_images(client, name):
    paginator = client.get_paginator("list_images")
    return paginator.paginate(repositoryName=name).build_full_result()["imageIds"]


def count_images(client, module, name):
    """The number of distinct images (digests) in the repository."""
    try:
        images = _list_images(client, name)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to list the images of {name}")
    return len({image.get("imageDigest") for image in images})


def create_repository(client, module, name, mutability, scan_on_push, encryption, tags):
    try:
        return client.create_repository(
            repositoryName=name,
            imageTagMutability=mutability,
            imageScanningConfiguration={"scanOnPush": scan_on_push},
            encryptionConfiguration=encryption,
            tags=ansible_dict_to_boto3_tag_list(tags or {}),
            aws_retry=True,
        )["repository"]
    except is_boto3_error_code("RepositoryAlreadyExistsException"):
        # A retried request whose first attempt succeeded: the name is the repository's identity.
        return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to create repository {name}")


def call(module, what, method, **params):
    try:
        return method(aws_retry=True, **params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to {what}")


# ---------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------


def ensure_present(client, module):
    params = module.params
    name = params["name"]
    mutability = params["image_tag_mutability"]
    scan_on_push = params["scan_on_push"]
    try:
        lifecycle_policy = parse_document(params["lifecycle_policy"], "lifecycle_policy")
        policy = parse_document(params["policy"], "policy")
    except ValueError as e:
        module.fail_json(msg=str(e))
    if params["kms_key"] and params["encryption_type"] != "KMS":
        module.fail_json(msg="kms_key can only be used with encryption_type=KMS")
    encryption = desired_encryption(params["encryption_type"], resolve_kms_key(module, params["kms_key"]))

    repository = describe_repository(client, module, name)
    if repository:
        mismatch = encryption_mismatch(repository.get("encryptionConfiguration"), encryption)
        if mismatch:
            module.fail_json(
                msg=(
                    f"Repository {name}: {mismatch}. AWS sets a repository's encryption only when it is "
                    "created; to change it, create a new repository and push the images to it."
                )
            )
        current_tags = get_tags(client, module, repository["repositoryArn"])
        current_lifecycle = get_lifecycle_policy(client, module, name)
        current_policy = get_repository_policy(client, module, name)
    else:
        current_tags, current_lifecycle, current_policy = {}, {}, {}

    tags, to_set, to_unset = plan_tags(current_tags, params["tags"], params["purge_tags"])
    want_lifecycle = current_lifecycle if lifecycle_policy is None and not params["purge_lifecycle_policy"] else lifecycle_policy or {}
    want_policy = current_policy if policy is None and not params["purge_policy"] else policy or {}
    lifecycle_changed = lifecycle_policy_differs(current_lifecycle, want_lifecycle)
    policy_changed = repository_policy_differs(current_policy, want_policy)
    settings = settings_changes(repository, mutability, scan_on_push) if repository else {}

    changed = not repository or bool(settings or to_set or to_unset or lifecycle_changed or policy_changed)
    result = {
        "changed": changed,
        "repository": format_repository(repository, current_tags),
        "lifecycle_policy": current_lifecycle,
        "policy": current_policy,
    }
    if module._diff:
        before = {}
        if repository:
            before = diff_view(
                name, repository.get("imageTagMutability"),
                repository.get("imageScanningConfiguration", {}).get("scanOnPush", False),
                repository.get("encryptionConfiguration"), current_lifecycle, current_policy, current_tags,
            )
        after_encryption = repository.get("encryptionConfiguration") if repository else encryption
        result["diff"] = {
            "before": before,
            "after": diff_view(name, mutability, scan_on_push, after_encryption, want_lifecycle, want_policy, tags),
        }
    if module.check_mode or not changed:
        return result

    if not repository:
        repository = create_repository(client, module, name, mutability, scan_on_push, encryption, tags)
        if repository is None:
            # It existed after all (a retry): converge it like any existing repository.
            return ensure_present(client, module)
    else:
        if "image_tag_mutability" in settings:
            call(module, f"set the tag mutability of {name}", client.put_image_tag_mutability,
                 repositoryName=name, imageTagMutability=mutability)
        if "scan_on_push" in settings:
            call(module, f"set the scanning configuration of {name}", client.put_image_scanning_configuration,
                 repositoryName=name, imageScanningConfiguration={"scanOnPush": scan_on_push})
        if to_unset:
            call(module, f"untag {name}", client.untag_resource, resourceArn=repository["repositoryArn"], tagKeys=to_unset)
        if to_set:
            call(module, f"tag {name}", client.tag_resource, resourceArn=repository["repositoryArn"],
                 tags=ansible_dict_to_boto3_tag_list(to_set))
    if lifecycle_changed:
        if want_lifecycle:
            call(module, f"put the lifecycle policy of {name}", client.put_lifecycle_policy,
                 repositoryName=name, lifecyclePolicyText=json.dumps(want_lifecycle))
        else:
            call(module, f"delete the lifecycle policy of {name}", client.delete_lifecycle_policy, repositoryName=name)
    if policy_changed:
        if want_policy:
            call(module, f"set the repository policy of {name}", client.set_repository_policy,
                 repositoryName=name, policyText=json.dumps(want_policy))
        else:
            call(module, f"delete the repository policy of {name}", client.delete_repository_policy, repositoryName=name)

    repository = describe_repository(client, module, name) or repository
    result["repository"] = format_repository(repository, get_tags(client, module, repository["repositoryArn"]))
    result["lifecycle_policy"] = want_lifecycle
    result["policy"] = want_policy
    return result


def ensure_absent(client, module):
    name = module.params["name"]
    repository = describe_repository(client, module, name)
    if not repository:
        return {"changed": False}
    image_count = count_images(client, module, name)
    if image_count and not module.params["force_delete"]:
        module.fail_json(
            msg=f"Repository {name} still holds {image_count} images; it is deleted only with force_delete=true",
            image_count=image_count,
        )
    result = {"changed": True, "image_count": image_count}
    if module._diff:
        result["diff"] = {"before": {"repository_name": name, "image_count": image_count}, "after": {}}
    if module.check_mode:
        return result
    try:
        client.delete_repository(repositoryName=name, force=module.params["force_delete"], aws_retry=True)
    except is_boto3_error_code("RepositoryNotFoundException"):
        pass  # already gone
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to delete repository {name}")
    return result


def main():
    argument_spec = dict(
        name=dict(required=True),
        state=dict(default="present", choices=["present", "absent"]),
        image_tag_mutability=dict(default="IMMUTABLE", choices=["MUTABLE", "IMMUTABLE"]),
        scan_on_push=dict(type="bool", default=True),
        encryption_type=dict(default="AES256", choices=["AES256", "KMS"]),
        kms_key=dict(no_log=False),
        lifecycle_policy=dict(type="json"),
        purge_lifecycle_policy=dict(type="bool", default=False),
        policy=dict(type="json"),
        purge_policy=dict(type="bool", default=False),
        force_delete=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        client = module.client("ecr", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    if module.params["state"] == "present":
        result = ensure_present(client, module)
    else:
        result = ensure_absent(client, module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
