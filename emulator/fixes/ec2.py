"""EC2: tag resource types and filters of NAT gateways and Elastic IPs."""

from typing import Any


def nat_gateway_tags_use_natgateway_resource_type() -> None:
    """DescribeTags reports NAT gateway (nat-...) tags with resource type "natgateway".

    AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeTags.html
    (filter resource-type: "... | natgateway | ...") and API_TagSpecification.html.
    moto derives the type from the id prefix via moto.ec2.utils.EC2_PREFIX_TO_RESOURCE,
    which maps "nat" to "nat-gateway", so `resource-type=natgateway` finds nothing and
    amazon.aws.ec2_vpc_nat_gateway re-adds its tags on every run (never idempotent).
    """
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE

    # Mutate in place: moto.ec2.models.tags imported this very dict.
    EC2_PREFIX_TO_RESOURCE["nat"] = "natgateway"


def elastic_ip_tags_use_elastic_ip_resource_type() -> None:
    """DescribeTags reports Elastic IP (eipalloc-...) tags with resource type "elastic-ip".

    AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeTags.html
    (filter resource-type: "... | elastic-ip | ..."). moto's EC2_PREFIX_TO_RESOURCE
    maps "eipalloc" to "vpc-elastic-ip".
    """
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE

    EC2_PREFIX_TO_RESOURCE["eipalloc"] = "elastic-ip"


def nat_gateways_filter_by_tags() -> None:
    """DescribeNatGateways supports the tag:<key>, tag-key (and tag-value) filters.

    AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNatGateways.html
    moto's NatGatewayBackend.describe_nat_gateways only knows nat-gateway-id, vpc-id,
    subnet-id and state, and silently ignores the tag filters (returns every gateway).
    """
    from moto.ec2.models.nat_gateways import NatGatewayBackend
    from moto.ec2.utils import generic_filter, is_tag_filter

    original = NatGatewayBackend.describe_nat_gateways

    def describe_nat_gateways(self: Any, filters: Any, nat_gateway_ids: Any) -> list[Any]:
        filters = filters or {}
        tag_filters = {name: values for name, values in filters.items() if is_tag_filter(name)}
        other_filters = {name: values for name, values in filters.items() if name not in tag_filters}
        gateways = original(self, other_filters, nat_gateway_ids)
        return generic_filter(tag_filters, gateways)

    NatGatewayBackend.describe_nat_gateways = describe_nat_gateways


FIXES = [
    nat_gateway_tags_use_natgateway_resource_type,
    elastic_ip_tags_use_elastic_ip_resource_type,
    nat_gateways_filter_by_tags,
]
