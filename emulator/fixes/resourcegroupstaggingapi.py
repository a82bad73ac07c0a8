"""Resource Groups Tagging API: GetResources covers AWS Config rules and answers an ARN list at once.

moto 5.2.5 leaves AWS Config out of GetResources (its Config backend does not join the
tagging API), and pages a ResourceARNList answer after 50 resources or 100 tags although
AWS accepts no pagination parameter together with ResourceARNList.
"""

from collections.abc import Iterator
from typing import Any


def get_resources_lists_tagged_config_rules() -> None:
    """GetResources returns tagged AWS Config rules (resource type config:config-rule).

    AWS: "The GetResources, GetTagKeys, and GetTagValues operations support all resource
    types" (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/supported-services.html),
    and GetResources returns "all the tagged or previously tagged resources that are located in
    the specified Amazon Web Services Region for the account"
    (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html);
    a config rule's ARN is arn:aws:config:<region>:<account>:config-rule/config-rule-<id>.
    moto 5.2.5's ConfigBackend is not a TaggableResourcesMixin, so GetResources never returns
    a config rule, whatever its tags.
    """
    from moto.config.models import config_backends
    from moto.core.resource_tagging import TaggedResource, make_tag_matcher, match_resource_type
    from moto.resourcegroupstaggingapi.models import ResourceGroupsTaggingAPIBackend

    original = ResourceGroupsTaggingAPIBackend._get_resources_generator

    def config_rules(self: Any) -> Iterator[TaggedResource]:
        if self.account_id not in config_backends:
            return
        backends = config_backends[self.account_id]
        if self.region_name not in backends:
            return
        for rule in backends[self.region_name].config_rules.values():
            yield TaggedResource(arn=rule.config_rule_arn, tags=dict(rule.tags or {}),
                                 resource_type="config:config-rule")

    def _get_resources_generator(
        self: Any,
        tag_filters: list[dict[str, Any]] | None = None,
        resource_type_filters: list[str] | None = None,
        resource_arn_list: list[str] | None = None,
    ) -> Iterator[Any]:
        yield from original(self, tag_filters, resource_type_filters, resource_arn_list)
        tag_matcher = make_tag_matcher(tag_filters)
        for resource in config_rules(self):
            if (resource.tags and match_resource_type(resource.resource_type, resource_type_filters)
                    and tag_matcher(resource.tags)
                    and (not resource_arn_list or resource.arn in resource_arn_list)):
                yield resource

    ResourceGroupsTaggingAPIBackend._get_resources_generator = _get_resources_generator


def get_resources_answers_an_arn_list_in_one_response() -> None:
    """GetResources with ResourceARNList returns every listed resource in one response.

    AWS: "You can't specify both this parameter and any of the pagination parameters
    (ResourcesPerPage, TagsPerPage, PaginationToken) in the same request. If you do, you get an
    Invalid Parameter exception." The list holds at most 100 ARNs
    (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html),
    so its answer cannot be paged. moto 5.2.5 applies its default page limits (50 resources,
    100 tags) to it as well and returns a PaginationToken that AWS would refuse.
    """
    from moto.resourcegroupstaggingapi.models import ResourceGroupsTaggingAPIBackend

    original = ResourceGroupsTaggingAPIBackend.get_resources

    def get_resources(self: Any, pagination_token: str | None = None, resources_per_page: int = 50,
                      tags_per_page: int = 100, tag_filters: list[dict[str, Any]] | None = None,
                      resource_type_filters: list[str] | None = None,
                      resource_arn_list: list[str] | None = None) -> Any:
        if resource_arn_list:
            # Limits no answer reaches: one more than the ARNs, each with at most 50 tags.
            resources_per_page = len(resource_arn_list) + 1
            tags_per_page = 50 * len(resource_arn_list) + 1
        return original(self, pagination_token, resources_per_page, tags_per_page, tag_filters,
                        resource_type_filters, resource_arn_list)

    ResourceGroupsTaggingAPIBackend.get_resources = get_resources


FIXES = [get_resources_lists_tagged_config_rules, get_resources_answers_an_arn_list_in_one_response]
