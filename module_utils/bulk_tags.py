# -*- coding: utf-8 -*-
# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the tags of many resources with one Resource Groups Tagging API call."""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

# GetResources takes at most 100 ARNs in ResourceARNList.
ARN_BATCH = 100


class TagReader:
    """The tags of a known set of resources, read in bulk where that saves calls.

    GetResources with ResourceARNList answers the tags of up to 100 resources at once, but it
    leaves out resources that were never tagged, and it reads an index that AWS updates
    asynchronously. So a resource it does not return is read with the service's own call
    (list_tags(arn)), and confirm(arn) reads that call before a module changes or deletes
    anything because of the tags: a change is never based on a stale index.
    """

    def __init__(self, module, arns, list_tags):
        self.module = module
        self.list_tags = list_tags
        self.confirmed = {}
        arns = sorted({arn for arn in arns if arn})
        # For a single resource the service's own call costs the same and is never stale.
        self.bulk = self._get_resources(arns) if len(arns) > 1 else {}

    def _get_resources(self, arns):
        found = {}
        try:
            client = self.module.client("resourcegroupstaggingapi", retry_decorator=AWSRetry.jittered_backoff())
            for start in range(0, len(arns), ARN_BATCH):
                # No pagination parameters: AWS refuses them together with ResourceARNList.
                response = client.get_resources(ResourceARNList=arns[start:start + ARN_BATCH], aws_retry=True)
                for mapping in response.get("ResourceTagMappingList", []):
                    found[mapping["ResourceARN"]] = boto3_tag_list_to_ansible_dict(mapping.get("Tags", []))
        except is_boto3_error_code("AccessDeniedException"):
            return {}  # no tag:GetResources permission: read each resource with its service's call
        except (
            botocore.exceptions.ClientError,
            botocore.exceptions.BotoCoreError,
        ) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Failed to read tags with the Resource Groups Tagging API")
        return found

    def get(self, arn):
        """The resource's tags: from the bulk read when it returned them, else from list_tags."""
        if arn in self.confirmed or arn not in self.bulk:
            return self.confirm(arn)
        return dict(self.bulk[arn])

    def confirm(self, arn):
        """The resource's tags from its service's own ListTagsForResource (read once)."""
        if arn not in self.confirmed:
            self.confirmed[arn] = self.list_tags(arn)
        return dict(self.confirmed[arn])
