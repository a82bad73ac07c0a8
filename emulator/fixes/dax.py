"""DAX: subnet groups, parameter groups, UpdateCluster and the cluster settings that use them.

moto 5.2.5 implements CreateCluster, DescribeClusters, DeleteCluster, the replication
factor calls and tags, but no subnet or parameter group operation (HTTP 500), no
UpdateCluster, and CreateCluster ignores SubnetGroupName, ParameterGroupName,
SecurityGroupIds and PreferredMaintenanceWindow. The groups are kept on moto's
DAXBackend (per account and region), so /moto-api/reset wipes them with the rest.

AWS API reference: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Accelerator_(DAX).html
"""

import json
from typing import Any

DEFAULT_PARAMETER_GROUP = "default.dax1.0"
# The two parameters a DAX parameter group has, with AWS's defaults
# (DescribeDefaultParameters; https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.cluster-management.html#DAX.cluster-management.custom-settings.ttl).
PARAMETERS = {
    "query-ttl-millis": "Duration in milliseconds for queries to remain cached",
    "record-ttl-millis": "Duration in milliseconds for records to remain valid in cache (Default: 0 = infinite)",
}
PARAMETER_DEFAULT = "300000"
PAGE_SIZE = 100


def _fault(code: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def _subnet_groups(backend: Any) -> dict[str, dict[str, Any]]:
    # Kept in the backend's __dict__: BaseBackend.reset() replaces it, so a reset wipes them.
    return backend.__dict__.setdefault("_platform_subnet_groups", {})


def _parameter_groups(backend: Any) -> dict[str, dict[str, Any]]:
    groups = backend.__dict__.setdefault("_platform_parameter_groups", {})
    if DEFAULT_PARAMETER_GROUP not in groups:
        groups[DEFAULT_PARAMETER_GROUP] = {
            "ParameterGroupName": DEFAULT_PARAMETER_GROUP,
            "Description": "Default parameter group for dax1.0",
            "Values": {name: PARAMETER_DEFAULT for name in PARAMETERS},
        }
    return groups


def _params(response: Any) -> dict[str, Any]:
    return json.loads(response.body or "{}")


def _page(items: list[Any], params: dict[str, Any]) -> tuple[list[Any], str | None]:
    """A page of items for MaxResults/NextToken (the token is the next item's index)."""
    start = int(params.get("NextToken") or 0)
    size = int(params.get("MaxResults") or PAGE_SIZE)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def _live_clusters(backend: Any) -> list[Any]:
    return [cluster for cluster in backend.clusters.values() if cluster.status not in ("deleted",)]


# --- subnet groups ---------------------------------------------------------------------


def dax_subnet_group_operations() -> None:
    """CreateSubnetGroup, DescribeSubnetGroups, UpdateSubnetGroup and DeleteSubnetGroup work.

    AWS: API_dax_CreateSubnetGroup.html, API_dax_DescribeSubnetGroups.html,
    API_dax_UpdateSubnetGroup.html, API_dax_DeleteSubnetGroup.html (Amazon DynamoDB API
    Reference, DAX). A subnet group lists VPC subnets (all of one VPC) with their AZ;
    names are unique (SubnetGroupAlreadyExistsFault), unknown names give
    SubnetGroupNotFoundFault, an unknown subnet InvalidSubnet, and a group that a
    cluster uses cannot be deleted (SubnetGroupInUseFault).
    moto 5.2.5 has none of these operations: DAXResponse has no method, so HTTP 500.
    """
    from moto.dax.responses import DAXResponse
    from moto.ec2.exceptions import InvalidSubnetIdError
    from moto.ec2.models import ec2_backends

    def subnets_of(response: Any, subnet_ids: list[str]) -> tuple[str, list[dict[str, Any]]]:
        if not subnet_ids:
            raise _fault("InvalidParameterValueException", "SubnetIds must contain at least one subnet.")
        ec2 = ec2_backends[response.current_account][response.region]
        subnets = []
        for subnet_id in subnet_ids:
            try:
                subnets.append(ec2.get_subnet(subnet_id))
            except InvalidSubnetIdError:
                raise _fault("InvalidSubnet", f"The subnet identifier {subnet_id} is invalid.") from None
        vpc_ids = {subnet.vpc_id for subnet in subnets}
        if len(vpc_ids) > 1:
            raise _fault("InvalidSubnet", "The subnets of a subnet group must all belong to the same VPC.")
        described = [
            {"SubnetIdentifier": subnet.id, "SubnetAvailabilityZone": subnet.availability_zone,
             "SupportedNetworkTypes": ["ipv4"]}
            for subnet in subnets
        ]
        return vpc_ids.pop(), described

    def get_group(response: Any, name: str) -> dict[str, Any]:
        group = _subnet_groups(response.dax_backend).get(name)
        if group is None:
            raise _fault("SubnetGroupNotFoundFault", f"Subnet group {name} not found.")
        return group

    def create_subnet_group(self: Any) -> str:
        params = _params(self)
        name = params["SubnetGroupName"]
        groups = _subnet_groups(self.dax_backend)
        if name in groups:
            raise _fault("SubnetGroupAlreadyExistsFault", f"Subnet group {name} already exists.")
        vpc_id, subnets = subnets_of(self, params.get("SubnetIds") or [])
        groups[name] = {
            "SubnetGroupName": name,
            "Description": params.get("Description", ""),
            "VpcId": vpc_id,
            "Subnets": subnets,
            "SupportedNetworkTypes": ["ipv4"],
        }
        return json.dumps({"SubnetGroup": groups[name]})

    def describe_subnet_groups(self: Any) -> str:
        params = _params(self)
        names = params.get("SubnetGroupNames") or []
        groups = _subnet_groups(self.dax_backend)
        if names:
            found = [get_group(self, name) for name in names]
        else:
            found = [groups[name] for name in sorted(groups)]
        page, token = _page(found, params)
        body: dict[str, Any] = {"SubnetGroups": page}
        if token:
            body["NextToken"] = token
        return json.dumps(body)

    def update_subnet_group(self: Any) -> str:
        params = _params(self)
        group = get_group(self, params["SubnetGroupName"])
        if "SubnetIds" in params:
            vpc_id, subnets = subnets_of(self, params["SubnetIds"])
            group.update(VpcId=vpc_id, Subnets=subnets)
        if "Description" in params:
            group["Description"] = params["Description"]
        return json.dumps({"SubnetGroup": group})

    def delete_subnet_group(self: Any) -> str:
        name = _params(self)["SubnetGroupName"]
        get_group(self, name)
        users = [c.name for c in _live_clusters(self.dax_backend) if c.subnet_group == name]
        if users:
            raise _fault("SubnetGroupInUseFault", f"Subnet group {name} is in use by cluster {users[0]}.")
        del _subnet_groups(self.dax_backend)[name]
        return json.dumps({"DeletionMessage": f"Subnet group {name} has been deleted."})

    DAXResponse.create_subnet_group = create_subnet_group
    DAXResponse.describe_subnet_groups = describe_subnet_groups
    DAXResponse.update_subnet_group = update_subnet_group
    DAXResponse.delete_subnet_group = delete_subnet_group


# --- parameter groups ------------------------------------------------------------------


def dax_parameter_group_operations() -> None:
    """CreateParameterGroup, DescribeParameterGroups, UpdateParameterGroup, DescribeParameters
    and DeleteParameterGroup work, with the default group default.dax1.0.

    AWS: API_dax_CreateParameterGroup.html, API_dax_DescribeParameterGroups.html,
    API_dax_UpdateParameterGroup.html, API_dax_DescribeParameters.html,
    API_dax_DeleteParameterGroup.html, and DAX.cluster-management.html (TTL settings:
    query-ttl-millis and record-ttl-millis, integers >= 0, default 300000 ms, applied
    immediately). Names are unique (ParameterGroupAlreadyExistsFault), unknown names give
    ParameterGroupNotFoundFault, the default group cannot be modified or deleted, and a
    group that a cluster uses cannot be deleted (InvalidParameterGroupStateFault).
    moto 5.2.5 has none of these operations: DAXResponse has no method, so HTTP 500.
    """
    from moto.dax.responses import DAXResponse

    def get_group(response: Any, name: str) -> dict[str, Any]:
        group = _parameter_groups(response.dax_backend).get(name)
        if group is None:
            raise _fault("ParameterGroupNotFoundFault", f"Parameter group {name} not found.")
        return group

    def public(group: dict[str, Any]) -> dict[str, Any]:
        return {"ParameterGroupName": group["ParameterGroupName"], "Description": group["Description"]}

    def create_parameter_group(self: Any) -> str:
        params = _params(self)
        name = params["ParameterGroupName"]
        groups = _parameter_groups(self.dax_backend)
        if name in groups:
            raise _fault("ParameterGroupAlreadyExistsFault", f"Parameter group {name} already exists.")
        groups[name] = {
            "ParameterGroupName": name,
            "Description": params.get("Description", ""),
            "Values": {parameter: PARAMETER_DEFAULT for parameter in PARAMETERS},
        }
        return json.dumps({"ParameterGroup": public(groups[name])})

    def describe_parameter_groups(self: Any) -> str:
        params = _params(self)
        names = params.get("ParameterGroupNames") or []
        groups = _parameter_groups(self.dax_backend)
        found = [get_group(self, name) for name in names] if names else [groups[n] for n in sorted(groups)]
        page, token = _page([public(group) for group in found], params)
        body: dict[str, Any] = {"ParameterGroups": page}
        if token:
            body["NextToken"] = token
        return json.dumps(body)

    def update_parameter_group(self: Any) -> str:
        params = _params(self)
        name = params["ParameterGroupName"]
        group = get_group(self, name)
        if name == DEFAULT_PARAMETER_GROUP:
            raise _fault("InvalidParameterValueException", f"The default parameter group {name} cannot be modified.")
        changes = params.get("ParameterNameValues") or []
        for change in changes:
            parameter, value = change.get("ParameterName"), change.get("ParameterValue")
            if parameter not in PARAMETERS:
                raise _fault("InvalidParameterValueException", f"Unknown parameter name: {parameter}.")
            if value is None or not str(value).isdigit():
                raise _fault("InvalidParameterValueException",
                             f"Invalid value {value!r} for parameter {parameter}: allowed values are 0-.")
        for change in changes:
            group["Values"][change["ParameterName"]] = str(int(change["ParameterValue"]))
        return json.dumps({"ParameterGroup": public(group)})

    def describe_parameters(self: Any) -> str:
        params = _params(self)
        group = get_group(self, params["ParameterGroupName"])
        parameters = [
            {
                "ParameterName": name,
                "ParameterType": "DEFAULT",
                "ParameterValue": group["Values"][name],
                "NodeTypeSpecificValues": [],
                "Description": description,
                "Source": "user",
                "DataType": "integer",
                "AllowedValues": "0-",
                "IsModifiable": "TRUE",
                "ChangeType": "IMMEDIATE",
            }
            for name, description in PARAMETERS.items()
        ]
        if params.get("Source"):
            parameters = [p for p in parameters if p["Source"] == params["Source"]]
        page, token = _page(parameters, params)
        body: dict[str, Any] = {"Parameters": page}
        if token:
            body["NextToken"] = token
        return json.dumps(body)

    def delete_parameter_group(self: Any) -> str:
        name = _params(self)["ParameterGroupName"]
        get_group(self, name)
        if name == DEFAULT_PARAMETER_GROUP:
            raise _fault("InvalidParameterGroupStateFault", f"The default parameter group {name} cannot be deleted.")
        users = [c.name for c in _live_clusters(self.dax_backend) if c.parameter_group.name == name]
        if users:
            raise _fault("InvalidParameterGroupStateFault",
                         f"Parameter group {name} is in use by cluster {users[0]}.")
        del _parameter_groups(self.dax_backend)[name]
        return json.dumps({"DeletionMessage": f"Parameter group {name} has been deleted."})

    DAXResponse.create_parameter_group = create_parameter_group
    DAXResponse.describe_parameter_groups = describe_parameter_groups
    DAXResponse.update_parameter_group = update_parameter_group
    DAXResponse.describe_parameters = describe_parameters
    DAXResponse.delete_parameter_group = delete_parameter_group


# --- clusters --------------------------------------------------------------------------


def dax_create_cluster_applies_requested_settings() -> None:
    """CreateCluster uses the SubnetGroupName, ParameterGroupName, SecurityGroupIds and
    PreferredMaintenanceWindow it is given, and refuses a name that exists.

    AWS: API_dax_CreateCluster.html: the cluster is placed in the named subnet group
    (SubnetGroupNotFoundFault if it does not exist) and uses the named parameter group
    (ParameterGroupNotFoundFault); "If this parameter [SecurityGroupIds] is not specified,
    DAX assigns the default VPC security group to each node"; an existing name gives
    ClusterAlreadyExistsFault. DescribeClusters (API_dax_Cluster.html) reports SubnetGroup,
    ParameterGroup, SecurityGroups and PreferredMaintenanceWindow.
    moto 5.2.5 ignores those four parameters (every cluster reports subnet group "default",
    parameter group default.dax1.0 and a random security group that does not exist) and
    silently replaces a cluster of the same name.
    """
    from moto.dax.responses import DAXResponse
    from moto.ec2.models import ec2_backends

    original = DAXResponse.create_cluster

    def create_cluster(self: Any) -> str:
        params = _params(self)
        backend = self.dax_backend
        name = params.get("ClusterName") or ""
        if name in backend.clusters:
            raise _fault("ClusterAlreadyExistsFault", f"Cluster {name} already exists.")
        subnet_group = None
        if params.get("SubnetGroupName"):
            subnet_group = _subnet_groups(backend).get(params["SubnetGroupName"])
            if subnet_group is None:
                raise _fault("SubnetGroupNotFoundFault", f"Subnet group {params['SubnetGroupName']} not found.")
        parameter_group = params.get("ParameterGroupName")
        if parameter_group and parameter_group not in _parameter_groups(backend):
            raise _fault("ParameterGroupNotFoundFault", f"Parameter group {parameter_group} not found.")
        ec2 = ec2_backends[self.current_account][self.region]
        security_group_ids = params.get("SecurityGroupIds") or []
        for group_id in security_group_ids:
            if ec2.get_security_group_from_id(group_id) is None:
                raise _fault("InvalidParameterValueException", f"Security group {group_id} does not exist.")

        original(self)
        cluster = backend.clusters[name]
        if subnet_group is not None:
            cluster.subnet_group = subnet_group["SubnetGroupName"]
            zones = [subnet["SubnetAvailabilityZone"] for subnet in subnet_group["Subnets"]]
            for index, node in enumerate(cluster.nodes):
                node.availability_zone = zones[index % len(zones)]
            if not security_group_ids:
                default = ec2.get_default_security_group(subnet_group["VpcId"])
                security_group_ids = [default.id] if default else []
        if security_group_ids:
            cluster.security_groups = [{"SecurityGroupIdentifier": group_id, "Status": "active"}
                                       for group_id in security_group_ids]
        if parameter_group:
            cluster.parameter_group.name = parameter_group
        if params.get("PreferredMaintenanceWindow"):
            cluster.preferred_maintenance_window = params["PreferredMaintenanceWindow"]
        return json.dumps({"Cluster": cluster.to_json()})

    DAXResponse.create_cluster = create_cluster


def dax_tls_cluster_endpoint_uses_daxs_on_port_9111() -> None:
    """A cluster with ClusterEndpointEncryptionType TLS is reached at daxs://...:9111.

    AWS: API_dax_Endpoint.html ("The default ports are 8111 for the "dax" protocol and
    9111 for the "daxs" protocol") and DAXEncryptionInTransit.html (an encrypted cluster's
    endpoint uses the daxs scheme). moto 5.2.5 gives every cluster port 8111 and a dax:// URL.
    """
    from moto.dax.models import DaxCluster, DaxEndpoint

    original_init = DaxCluster.__init__
    original_to_json = DaxEndpoint.to_json

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if self.encryption_type == "TLS":
            self.endpoint.port = 9111
            self.endpoint.tls = True
            for node in self.nodes:
                node.node_endpoint["Port"] = 9111

    def to_json(self: Any, full: bool = False) -> dict[str, Any]:
        result = original_to_json(self, full)
        if getattr(self, "tls", False) and "URL" in result:
            result["URL"] = "daxs://" + result["URL"].split("://", 1)[1]
        return result

    DaxCluster.__init__ = __init__
    DaxEndpoint.to_json = to_json


def dax_update_cluster_operation() -> None:
    """UpdateCluster changes a cluster's description, maintenance window, notification
    topic, parameter group and security groups.

    AWS: API_dax_UpdateCluster.html: ClusterNotFoundFault for an unknown cluster,
    InvalidClusterStateFault unless the cluster is available, ParameterGroupNotFoundFault
    for an unknown parameter group; returns the updated Cluster.
    moto 5.2.5 has no UpdateCluster (HTTP 500).
    """
    from moto.dax.exceptions import ClusterNotFoundFault
    from moto.dax.responses import DAXResponse

    def update_cluster(self: Any) -> str:
        params = _params(self)
        backend = self.dax_backend
        name = params.get("ClusterName")
        cluster = backend.clusters.get(name)
        if cluster is None:
            raise ClusterNotFoundFault()
        if cluster.status != "available":
            raise _fault("InvalidClusterStateFault", f"Cluster {name} is not in the available state.")
        parameter_group = params.get("ParameterGroupName")
        if parameter_group and parameter_group not in _parameter_groups(backend):
            raise _fault("ParameterGroupNotFoundFault", f"Parameter group {parameter_group} not found.")
        if "Description" in params:
            cluster.description = params["Description"]
        if params.get("PreferredMaintenanceWindow"):
            cluster.preferred_maintenance_window = params["PreferredMaintenanceWindow"]
        if parameter_group:
            cluster.parameter_group.name = parameter_group
        if params.get("SecurityGroupIds"):
            cluster.security_groups = [{"SecurityGroupIdentifier": group_id, "Status": "active"}
                                       for group_id in params["SecurityGroupIds"]]
        if params.get("NotificationTopicArn"):
            cluster.notification_configuration = {
                "TopicArn": params["NotificationTopicArn"],
                "TopicStatus": params.get("NotificationTopicStatus", "active"),
            }
        return json.dumps({"Cluster": cluster.to_json()})

    DAXResponse.update_cluster = update_cluster


FIXES = [
    dax_subnet_group_operations,
    dax_parameter_group_operations,
    dax_create_cluster_applies_requested_settings,
    dax_tls_cluster_endpoint_uses_daxs_on_port_9111,
    dax_update_cluster_operation,
]
