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


def replace_network_acl_association_of_unknown_id_is_not_found() -> None:
    """ReplaceNetworkAclAssociation with an association id that does not exist (any more) answers
    InvalidAssociationID.NotFound.

    AWS: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
    (InvalidAssociationID.NotFound: "The specified association ID ... does not exist").
    moto's replace_network_acl_association looks the id up with next() and lets StopIteration
    escape: a 500 Internal Server Error. A resent replace (its first answer lost) meets it.
    """
    from moto.ec2.exceptions import InvalidAssociationIdError
    from moto.ec2.models.network_acls import NetworkAclBackend

    original = NetworkAclBackend.replace_network_acl_association

    def replace_network_acl_association(self: Any, association_id: str, network_acl_id: str) -> Any:
        if not any(association_id in acl._associations for acl in self.network_acls.values()):  # pylint: disable=protected-access
            raise InvalidAssociationIdError(association_id)
        return original(self, association_id, network_acl_id)

    NetworkAclBackend.replace_network_acl_association = replace_network_acl_association


FIXES = [
    nat_gateway_tags_use_natgateway_resource_type,
    elastic_ip_tags_use_elastic_ip_resource_type,
    nat_gateways_filter_by_tags,
    replace_network_acl_association_of_unknown_id_is_not_found,
]
