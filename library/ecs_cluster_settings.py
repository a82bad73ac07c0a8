#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ecs_cluster_settings
short_description: Set the settings (Container Insights) and tags of an existing ECS cluster
description:
  - C(community.aws.ecs_cluster) creates a cluster and its capacity providers but has no
    option for the cluster settings or tags. This module sets them on an existing cluster
    with UpdateCluster and TagResource/UntagResource, only where they differ.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  cluster:
    description: Name of the cluster.
    type: str
    required: true
  container_insights:
    description: The containerInsights setting (C(enhanced), C(enabled) or C(disabled)). Without it, left as it is.
    type: str
    choices: [enhanced, enabled, disabled]
  tags:
    description: Tags of the cluster. Without it, tags are left as they are.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove tags that O(tags) does not list.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Container Insights with enhanced observability, and the platform's tags
  ecs_cluster_settings:
    cluster: rtap-dev-ecs
    container_insights: enhanced
    tags:
      Layer: containers
"""

RETURN = r"""
cluster_arn:
  description: ARN of the cluster.
  returned: success
  type: str
  sample: arn:aws:ecs:eu-west-1:111122223333:cluster/rtap-dev-ecs
settings:
  description: The cluster settings after the run (predicted in check mode).
  returned: success
  type: dict
  sample: {"containerInsights": "enhanced"}
tags:
  description: The cluster tags after the run (predicted in check mode).
  returned: success
  type: dict
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible.module_utils.tag_plan import plan_tags


def describe_cluster(client, module, name):
    try:
        found = client.describe_clusters(aws_retry=True, clusters=[name], include=["SETTINGS", "TAGS"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to describe cluster {name}")
    clusters = [c for c in found.get("clusters", []) if c.get("status") != "INACTIVE"]
    if not clusters:
        module.fail_json(msg=f"cluster {name} does not exist; create it first (community.aws.ecs_cluster)")
    return clusters[0]


def main():
    argument_spec = dict(
        cluster=dict(required=True),
        container_insights=dict(choices=["enhanced", "enabled", "disabled"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to connect to AWS")

    cluster = describe_cluster(client, module, module.params["cluster"])
    settings = {s["name"]: s["value"] for s in cluster.get("settings", [])}
    wanted = dict(settings)
    if module.params["container_insights"] is not None:
        wanted["containerInsights"] = module.params["container_insights"]
    current_tags = boto3_tag_list_to_ansible_dict(cluster.get("tags", []), "key", "value")
    tags, to_set, to_unset = plan_tags(current_tags, module.params["tags"], module.params["purge_tags"])
    update_settings = wanted != settings

    result = {"changed": bool(update_settings or to_set or to_unset), "cluster_arn": cluster["clusterArn"],
              "settings": wanted, "tags": tags}
    if module._diff:
        result["diff"] = {"before": {"settings": settings, "tags": current_tags},
                          "after": {"settings": wanted, "tags": tags}}
    if module.check_mode or not result["changed"]:
        module.exit_json(**result)
    try:
        if update_settings:
            client.update_cluster(aws_retry=True, cluster=cluster["clusterName"],
                                  settings=[{"name": k, "value": v} for k, v in sorted(wanted.items())])
        if to_unset:
            client.untag_resource(aws_retry=True, resourceArn=cluster["clusterArn"], tagKeys=to_unset)
        if to_set:
            client.tag_resource(aws_retry=True, resourceArn=cluster["clusterArn"],
                                tags=ansible_dict_to_boto3_tag_list(to_set, "key", "value"))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to update cluster {cluster['clusterName']}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
