#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: iam_openid_connect_provider
short_description: Create, update and delete an IAM OpenID Connect identity provider
description:
  - Makes IAM trust an OpenID Connect issuer, for example an EKS cluster's issuer for IAM roles for
    service accounts (IRSA), with its URL, client IDs (audiences) and server certificate thumbprints.
  - The provider is identified by its URL (IAM keeps one per URL); client IDs, thumbprints and tags
    are updated in place.
  - No collection manages IAM OpenID Connect providers.
  - This module supports check mode and diff mode.
author:
  - Platform toolkit maintainers
options:
  url:
    description: Issuer URL, V(https://...).
    required: true
    type: str
  client_ids:
    description: Audiences allowed in the tokens.
    type: list
    elements: str
    default: [sts.amazonaws.com]
  thumbprints:
    description: SHA-1 thumbprints (40 hex digits) of the issuer's server certificate chain.
    type: list
    elements: str
    default: []
  state:
    description: V(present) creates or updates the provider; V(absent) deletes it.
    choices: [present, absent]
    default: present
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: IRSA for an EKS cluster
  iam_openid_connect_provider:
    url: https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF
    client_ids: [sts.amazonaws.com]
    thumbprints: [9e99a48a9960b14926bb7f3b02e22da2b0ab7280]
    tags:
      Layer: containers
"""

RETURN = r"""
arn:
  description: ARN of the provider (empty in check mode when it would be created, and after deletion).
  returned: always
  type: str
  sample: arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF
changes:
  description: What was (or would be) changed.
  returned: always
  type: list
  elements: str
  sample: ["create provider"]
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)
from ansible.module_utils.tag_plan import plan_tags


def bare_url(url):
    """IAM stores and returns the URL without its scheme."""
    return url.split("://", 1)[-1].rstrip("/")


def normalized(values):
    return sorted({v.lower() for v in values})


def find_provider(client, url):
    for provider in client.list_open_id_connect_providers(aws_retry=True)["OpenIDConnectProviderList"]:
        arn = provider["Arn"]
        if arn.split(":oidc-provider/", 1)[-1] == bare_url(url):
            return arn, client.get_open_id_connect_provider(aws_retry=True, OpenIDConnectProviderArn=arn)
    return None, None


def main():
    argument_spec = dict(
        url=dict(required=True),
        client_ids=dict(type="list", elements="str", default=["sts.amazonaws.com"]),
        thumbprints=dict(type="list", elements="str", default=[]),
        state=dict(default="present", choices=["present", "absent"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if not params["url"].startswith("https://"):
        module.fail_json(msg=f"url: must start with https://, got {params['url']}")
    client = module.client("iam", retry_decorator=AWSRetry.jittered_backoff())
    mutate = not module.check_mode
    changes = []
    try:
        arn, live = find_provider(client, params["url"])
        before = {} if live is None else {
            "url": bare_url(params["url"]), "client_ids": sorted(live.get("ClientIDList", [])),
            "thumbprints": normalized(live.get("ThumbprintList", [])),
            "tags": boto3_tag_list_to_ansible_dict(live.get("Tags", []))}
        if params["state"] == "absent":
            after = {}
            if arn:
                changes.append("delete provider")
                if mutate:
                    client.delete_open_id_connect_provider(aws_retry=True, OpenIDConnectProviderArn=arn)
                arn = ""
        elif live is None:
            changes.append("create provider")
            after = {"url": bare_url(params["url"]), "client_ids": sorted(params["client_ids"]),
                     "thumbprints": normalized(params["thumbprints"]), "tags": params["tags"] or {}}
            if mutate:
                request = dict(Url=params["url"], ClientIDList=params["client_ids"])
                if params["thumbprints"]:
                    request["ThumbprintList"] = params["thumbprints"]
                if params["tags"]:
                    request["Tags"] = ansible_dict_to_boto3_tag_list(params["tags"])
                arn = client.create_open_id_connect_provider(aws_retry=True, **request)["OpenIDConnectProviderArn"]
            else:
                arn = ""
        else:
            tags, to_set, to_unset = plan_tags(before["tags"], params["tags"], params["purge_tags"])
            after = dict(before, client_ids=sorted(params["client_ids"]), tags=tags)
            for client_id in sorted(set(params["client_ids"]) - set(before["client_ids"])):
                changes.append(f"add client id {client_id}")
                if mutate:
                    client.add_client_id_to_open_id_connect_provider(aws_retry=True, OpenIDConnectProviderArn=arn, ClientID=client_id)
            for client_id in sorted(set(before["client_ids"]) - set(params["client_ids"])):
                changes.append(f"remove client id {client_id}")
                if mutate:
                    client.remove_client_id_from_open_id_connect_provider(aws_retry=True, OpenIDConnectProviderArn=arn,
                                                                          ClientID=client_id)
            # Empty thumbprints: leave what IAM holds (AWS fills them in for well-known issuers such as EKS).
            if params["thumbprints"] and normalized(params["thumbprints"]) != before["thumbprints"]:
                changes.append("update thumbprints")
                after["thumbprints"] = normalized(params["thumbprints"])
                if mutate:
                    client.update_open_id_connect_provider_thumbprint(aws_retry=True, OpenIDConnectProviderArn=arn,
                                                                      ThumbprintList=params["thumbprints"])
            if to_set:
                changes.append(f"tag {sorted(to_set)}")
                if mutate:
                    client.tag_open_id_connect_provider(aws_retry=True, OpenIDConnectProviderArn=arn,
                                                        Tags=ansible_dict_to_boto3_tag_list(to_set))
            if to_unset:
                changes.append(f"untag {sorted(to_unset)}")
                if mutate:
                    client.untag_open_id_connect_provider(aws_retry=True, OpenIDConnectProviderArn=arn, TagKeys=to_unset)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Failed to converge the OpenID Connect provider {params['url']}")
    output = {"changed": bool(changes), "changes": changes, "arn": arn or ""}
    if module._diff:
        output["diff"] = {"before": before, "after": after}
    module.exit_json(**output)


if __name__ == "__main__":
    main()
