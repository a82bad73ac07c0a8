"""EKS: node group update config and version, cluster VPC config updates, add-ons, access entries.

moto 5.2.5 implements clusters, node groups and Fargate profiles, but drops CreateNodegroup's
updateConfig, gives a node group without a version moto's default version instead of the
cluster's, replaces the whole resourcesVpcConfig on UpdateClusterConfig (losing the subnets),
ignores the cluster's accessConfig, and has no add-on, add-on version, access entry or
UpdateClusterVersion operation (HTTP 404). Add-ons and access entries are kept on moto's
EKSBackend (per account and region), so /moto-api/reset wipes them with the rest.

AWS API reference: https://docs.aws.amazon.com/eks/latest/APIReference/API_Operations.html
"""

import copy
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

# Add-on versions the emulator offers (DescribeAddonVersions), per add-on and cluster
# version; the first version of each list is the default one for that cluster version.
# Representative of what AWS lists (eksctl utils describe-addon-versions), not exhaustive.
ADDON_VERSIONS: dict[str, dict[str, list[str]]] = {
    "vpc-cni": {
        "1.31": ["v1.19.2-eksbuild.1", "v1.18.6-eksbuild.1"],
        "1.32": ["v1.19.2-eksbuild.1", "v1.19.0-eksbuild.1"],
        "1.33": ["v1.19.5-eksbuild.1", "v1.19.2-eksbuild.1"],
        "1.34": ["v1.20.1-eksbuild.1", "v1.19.5-eksbuild.1"],
        "1.35": ["v1.20.4-eksbuild.1", "v1.20.1-eksbuild.1"],
    },
    "coredns": {
        "1.31": ["v1.11.3-eksbuild.1", "v1.11.1-eksbuild.11"],
        "1.32": ["v1.11.4-eksbuild.2", "v1.11.3-eksbuild.1"],
        "1.33": ["v1.12.1-eksbuild.2", "v1.11.4-eksbuild.2"],
        "1.34": ["v1.12.3-eksbuild.1", "v1.12.1-eksbuild.2"],
        "1.35": ["v1.12.4-eksbuild.1", "v1.12.3-eksbuild.1"],
    },
    "kube-proxy": {
        "1.31": ["v1.31.3-eksbuild.2", "v1.31.2-eksbuild.3"],
        "1.32": ["v1.32.0-eksbuild.2", "v1.32.0-eksbuild.1"],
        "1.33": ["v1.33.0-eksbuild.2", "v1.33.0-eksbuild.1"],
        "1.34": ["v1.34.0-eksbuild.2", "v1.34.0-eksbuild.1"],
        "1.35": ["v1.35.0-eksbuild.1"],
    },
}
ADDON_TYPES = {"vpc-cni": "networking", "coredns": "networking", "kube-proxy": "networking"}
# Access policies AWS offers (ListAccessPolicies).
ACCESS_POLICIES = ("AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy", "AmazonEKSEditPolicy", "AmazonEKSViewPolicy")
NEW_ROUTES = (
    "{0}/clusters/(?P<name>[^/]+)/addons$",
    "{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)$",
    "{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)/update$",
    "{0}/addons/supported-versions$",
    "{0}/clusters/(?P<name>[^/]+)/access-entries$",
    "{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)$",
    "{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)/access-policies$",
    "{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)/access-policies/(?P<policyArn>.+)$",
    "{0}/clusters/(?P<name>[^/]+)/updates$",
    "{0}/clusters/(?P<name>[^/]+)/updates/(?P<updateId>[^/]+)$",
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _route_new_operations() -> None:
    from moto.eks import urls
    from moto.eks.responses import EKSResponse

    for route in NEW_ROUTES:
        urls.url_paths.setdefault(route, EKSResponse.dispatch)


def _cluster(backend: Any, name: str) -> Any:
    from moto.eks.exceptions import ResourceNotFoundException

    cluster = backend.clusters.get(name)
    if cluster is None:
        raise ResourceNotFoundException(clusterName=name, nodegroupName=None, fargateProfileName=None,
                                        addonName=None, message=f"No cluster found for name: {name}.")
    return cluster


def _invalid(message: str) -> Exception:
    from moto.eks.exceptions import InvalidParameterException

    return InvalidParameterException(clusterName=None, nodegroupName=None, fargateProfileName=None,
                                     addonName=None, message=message)


def _not_found(message: str) -> Exception:
    from moto.eks.exceptions import ResourceNotFoundException

    return ResourceNotFoundException(clusterName=None, nodegroupName=None, fargateProfileName=None,
                                     addonName=None, message=message)


def _in_use(message: str) -> Exception:
    from moto.eks.exceptions import ResourceInUseException

    return ResourceInUseException(clusterName=None, nodegroupName=None, fargateProfileName=None,
                                  addonName=None, message=message)


def _store(backend: Any, kind: str, cluster_name: str) -> dict[str, Any]:
    # Kept in the backend's __dict__: BaseBackend.reset() replaces it, so a reset wipes them.
    per_cluster = backend.__dict__.setdefault(f"_platform_{kind}", {})
    return per_cluster.setdefault(cluster_name, {})


def _update(update_type: str, params: list[dict[str, str]]) -> dict[str, Any]:
    from moto.moto_api._internal import mock_random

    return {"id": str(mock_random.uuid4()), "status": "Successful", "type": update_type,
            "params": params, "createdAt": _now(), "errors": []}


def _ca_certificate(name: str) -> str:
    """base64 of a PEM self-signed CA certificate, like DescribeCluster's certificateAuthority.data."""
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes")])
    now = _now()
    from datetime import timedelta

    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return base64.b64encode(cert.public_bytes(serialization.Encoding.PEM)).decode("ascii")


# --- node groups ------------------------------------------------------------------------


def create_nodegroup_keeps_update_config_and_cluster_version() -> None:
    """CreateNodegroup keeps updateConfig (default maxUnavailable 1) and uses the cluster's version.

    AWS: https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html:
    updateConfig is part of the request and DescribeNodegroup returns it (AWS sets
    maxUnavailable 1 when none is given); "If you don't specify a Kubernetes version,
    node groups are created with the cluster's version". moto 5.2.5 drops updateConfig
    and gives moto's default version.
    """
    from moto.eks.responses import EKSResponse

    inner = EKSResponse.create_nodegroup

    def create_nodegroup(self: Any) -> Any:
        result = inner(self)
        cluster = self.eks_backend.clusters[self._get_param("name")]
        nodegroup = cluster.nodegroups[self._get_param("nodegroupName")]
        nodegroup.update_config = self._get_param("updateConfig") or {"maxUnavailable": 1}
        if not self._get_param("version"):
            nodegroup.version = cluster.version
        return result

    EKSResponse.create_nodegroup = create_nodegroup


# --- clusters ---------------------------------------------------------------------------


def cluster_vpc_config_and_access_config_follow_aws() -> None:
    """Clusters keep accessConfig, report the VPC config defaults, and UpdateClusterConfig merges.

    AWS: https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html and
    API_VpcConfigResponse.html: DescribeCluster returns vpcId, clusterSecurityGroupId,
    endpointPublicAccess (default true), endpointPrivateAccess (default false),
    publicAccessCidrs (default 0.0.0.0/0) and accessConfig.authenticationMode (default
    CONFIG_MAP). API_UpdateClusterConfig.html changes only the endpoint settings given
    (subnets and security groups stay), may change authenticationMode (only towards API),
    and returns an update. moto 5.2.5 drops accessConfig, returns only what was sent and
    replaces the whole VPC config (losing the subnets).
    """
    from moto.ec2.models import ec2_backends
    from moto.eks.responses import EKSResponse
    from moto.moto_api._internal import mock_random

    inner_create = EKSResponse.create_cluster

    def create_cluster(self: Any) -> Any:
        result = inner_create(self)
        cluster = self.eks_backend.clusters[self._get_param("name")]
        vpc = dict(cluster.resources_vpc_config or {})
        vpc.setdefault("endpointPublicAccess", True)
        vpc.setdefault("endpointPrivateAccess", False)
        vpc.setdefault("publicAccessCidrs", ["0.0.0.0/0"] if vpc["endpointPublicAccess"] else [])
        vpc.setdefault("securityGroupIds", [])
        subnet_ids = vpc.get("subnetIds") or []
        if subnet_ids and "vpcId" not in vpc:
            ec2 = ec2_backends[self.current_account][self.region]
            subnet = ec2.get_subnet(subnet_ids[0])
            vpc["vpcId"] = subnet.vpc_id
        vpc.setdefault("clusterSecurityGroupId", "sg-" + mock_random.get_random_hex(17))
        cluster.resources_vpc_config = vpc
        cluster_id = mock_random.get_random_hex(32).upper()
        cluster.identity = {"oidc": {"issuer": f"https://oidc.eks.{self.region}.amazonaws.com/id/{cluster_id}"}}
        cluster.endpoint = f"https://{cluster_id}.gr7.{self.region}.eks.amazonaws.com"
        cluster.certificate_authority = {"data": _ca_certificate(cluster.name)}
        access = dict(self._get_param("accessConfig") or {})
        cluster.access_config = {"authenticationMode": access.get("authenticationMode", "CONFIG_MAP")}
        return result

    def update_cluster_config(self: Any) -> Any:
        from moto.core.responses import ActionResult

        cluster = _cluster(self.eks_backend, self._get_param("name"))
        params = []
        requested = self._get_param("resourcesVpcConfig") or {}
        if requested:
            vpc = dict(cluster.resources_vpc_config or {})
            for key in ("endpointPublicAccess", "endpointPrivateAccess", "publicAccessCidrs"):
                if key in requested:
                    vpc[key] = requested[key]
                    params.append({"type": key[0].upper() + key[1:], "value": str(requested[key])})
            if not vpc.get("endpointPublicAccess") and not vpc.get("endpointPrivateAccess"):
                raise _invalid("The cluster endpoint must be reachable: enable public or private access.")
            cluster.resources_vpc_config = vpc
            update_type = "EndpointAccessUpdate"
        logging = self._get_param("logging")
        if logging:
            cluster.logging = logging
            params.append({"type": "ClusterLogging", "value": str(logging)})
            update_type = "LoggingUpdate"
        access = self._get_param("accessConfig") or {}
        if access.get("authenticationMode"):
            live = getattr(cluster, "access_config", {}).get("authenticationMode", "CONFIG_MAP")
            wanted = access["authenticationMode"]
            allowed = {"CONFIG_MAP": {"CONFIG_MAP", "API_AND_CONFIG_MAP", "API"},
                       "API_AND_CONFIG_MAP": {"API_AND_CONFIG_MAP", "API"}, "API": {"API"}}[live]
            if wanted not in allowed:
                raise _invalid(f"Unsupported authentication mode update from {live} to {wanted}")
            cluster.access_config = {"authenticationMode": wanted}
            params.append({"type": "AuthenticationMode", "value": wanted})
            update_type = "AccessConfigUpdate"
        if not params:
            raise _invalid("No changes needed")
        return ActionResult({"update": _update(update_type, params)})

    EKSResponse.create_cluster = create_cluster
    EKSResponse.update_cluster_config = update_cluster_config
    # DescribeCluster serializes the cluster's attributes by the output shape's names.
    from moto.eks.models import Cluster

    if not hasattr(Cluster, "access_config"):
        Cluster.access_config = {"authenticationMode": "CONFIG_MAP"}


def update_cluster_version_upgrades_one_minor_version() -> None:
    """UpdateClusterVersion upgrades the control plane by one minor version; DescribeUpdate reads it.

    AWS: https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterVersion.html
    ("you can update only one minor version at a time") and API_DescribeUpdate.html.
    moto 5.2.5 has neither operation (HTTP 404).
    """
    from moto.eks.responses import EKSResponse

    _route_new_operations()

    def update_cluster_version(self: Any) -> Any:
        from moto.core.responses import ActionResult

        cluster = _cluster(self.eks_backend, self._get_param("name"))
        wanted = self._get_param("version")
        major, minor = (int(p) for p in cluster.version.split(".")[:2])
        if wanted != f"{major}.{minor + 1}":
            raise _invalid(f"Unsupported Kubernetes minor version update from {cluster.version} to {wanted}")
        cluster.version = wanted
        update = _update("VersionUpdate", [{"type": "Version", "value": wanted},
                                           {"type": "PlatformVersion", "value": "eks.1"}])
        _store(self.eks_backend, "updates", cluster.name)[update["id"]] = update
        return ActionResult({"update": update})

    def describe_update(self: Any) -> Any:
        from moto.core.responses import ActionResult

        cluster = _cluster(self.eks_backend, self._get_param("name"))
        update = _store(self.eks_backend, "updates", cluster.name).get(self._get_param("updateId"))
        if update is None:
            raise _not_found(f"No update found for ID: {self._get_param('updateId')}")
        return ActionResult({"update": update})

    EKSResponse.update_cluster_version = update_cluster_version
    EKSResponse.describe_update = describe_update


# --- add-ons -----------------------------------------------------------------------------


def addons_and_addon_versions_operations() -> None:
    """CreateAddon, DescribeAddon, ListAddons, UpdateAddon, DeleteAddon and DescribeAddonVersions.

    AWS: https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAddon.html (without
    addonVersion, the default version for the cluster's Kubernetes version),
    API_DescribeAddonVersions.html (compatibilities per clusterVersion with defaultVersion),
    API_UpdateAddon.html, API_DeleteAddon.html. moto 5.2.5 has none of them (HTTP 404).
    """
    from moto.core.responses import ActionResult
    from moto.eks.responses import EKSResponse

    _route_new_operations()

    def versions_for(addon_name: str, cluster_version: str) -> list[str]:
        return ADDON_VERSIONS.get(addon_name, {}).get(cluster_version, [])

    def addon_of(self: Any) -> tuple[Any, dict[str, Any], str]:
        cluster = _cluster(self.eks_backend, self._get_param("name"))
        return cluster, _store(self.eks_backend, "addons", cluster.name), self._get_param("addonName")

    def create_addon(self: Any) -> Any:
        cluster, addons, name = addon_of(self)
        if name in addons:
            raise _in_use(f"Addon already exists: {name}")
        available = versions_for(name, cluster.version)
        if not available:
            raise _invalid(f"Addon {name} specified is not supported in {cluster.version} kubernetes version")
        version = self._get_param("addonVersion") or available[0]
        if version not in available:
            raise _invalid(f"Addon version specified is not supported: {version}")
        addon = {
            "addonName": name, "clusterName": cluster.name, "status": "ACTIVE", "addonVersion": version,
            "health": {"issues": []},
            "addonArn": cluster.arn.replace(":cluster/", ":addon/") + f"/{name}/{self._get_param('addonName')}",
            "createdAt": _now(), "modifiedAt": _now(), "tags": self._get_param("tags") or {},
        }
        if self._get_param("serviceAccountRoleArn"):
            addon["serviceAccountRoleArn"] = self._get_param("serviceAccountRoleArn")
        if self._get_param("configurationValues"):
            addon["configurationValues"] = self._get_param("configurationValues")
        addons[name] = addon
        return ActionResult({"addon": copy.deepcopy(addon)})

    def describe_addon(self: Any) -> Any:
        _, addons, name = addon_of(self)
        if name not in addons:
            raise _not_found(f"No addon: {name} found in cluster: {self._get_param('name')}")
        return ActionResult({"addon": copy.deepcopy(addons[name])})

    def list_addons(self: Any) -> Any:
        _, addons, _ = addon_of(self)
        return ActionResult({"addons": sorted(addons)})

    def update_addon(self: Any) -> Any:
        cluster, addons, name = addon_of(self)
        if name not in addons:
            raise _not_found(f"No addon: {name} found in cluster: {cluster.name}")
        addon, params = addons[name], []
        version = self._get_param("addonVersion")
        if version:
            if version not in versions_for(name, cluster.version):
                raise _invalid(f"Addon version specified is not supported: {version}")
            addon["addonVersion"] = version
            params.append({"type": "AddonVersion", "value": version})
        for key in ("serviceAccountRoleArn", "configurationValues"):
            if self._get_param(key) is not None:
                addon[key] = self._get_param(key)
                params.append({"type": key[0].upper() + key[1:], "value": self._get_param(key)})
        addon["modifiedAt"] = _now()
        return ActionResult({"update": _update("AddonUpdate", params)})

    def delete_addon(self: Any) -> Any:
        cluster, addons, name = addon_of(self)
        if name not in addons:
            raise _not_found(f"No addon: {name} found in cluster: {cluster.name}")
        addon = addons.pop(name)
        return ActionResult({"addon": dict(addon, status="DELETING")})

    def describe_addon_versions(self: Any) -> Any:
        wanted_version = self._get_param("kubernetesVersion")
        wanted_names = self._get_param("addonName")
        result = []
        for name, per_version in sorted(ADDON_VERSIONS.items()):
            if wanted_names and name != wanted_names:
                continue
            versions: dict[str, list[dict[str, Any]]] = {}
            for cluster_version, addon_versions in per_version.items():
                if wanted_version and cluster_version != wanted_version:
                    continue
                for index, addon_version in enumerate(addon_versions):
                    versions.setdefault(addon_version, []).append(
                        {"clusterVersion": cluster_version, "platformVersions": ["*"], "defaultVersion": index == 0})
            if not versions:
                continue
            result.append({
                "addonName": name, "type": ADDON_TYPES[name], "owner": "aws", "publisher": "eks",
                "addonVersions": [{"addonVersion": v, "architecture": ["amd64", "arm64"], "compatibilities": c,
                                   "requiresConfiguration": False, "requiresIamPermissions": name == "vpc-cni"}
                                  for v, c in sorted(versions.items(), reverse=True)],
            })
        return ActionResult({"addons": result})

    inner_delete = EKSResponse.delete_cluster

    def delete_cluster(self: Any) -> Any:
        # Deleting a cluster deletes its add-ons (and its access entries: see below).
        result = inner_delete(self)
        self.eks_backend.__dict__.get("_platform_addons", {}).pop(self._get_param("name"), None)
        self.eks_backend.__dict__.get("_platform_access_entries", {}).pop(self._get_param("name"), None)
        return result

    EKSResponse.delete_cluster = delete_cluster
    EKSResponse.create_addon = create_addon
    EKSResponse.describe_addon = describe_addon
    EKSResponse.list_addons = list_addons
    EKSResponse.update_addon = update_addon
    EKSResponse.delete_addon = delete_addon
    EKSResponse.describe_addon_versions = describe_addon_versions


# --- access entries ---------------------------------------------------------------------


def access_entries_and_access_policies_operations() -> None:
    """Access entries (Create/Describe/List/Update/Delete) and their access policy associations.

    AWS: https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessEntry.html (the
    cluster's authenticationMode must be API or API_AND_CONFIG_MAP; type STANDARD by default;
    username defaults to the principal ARN), API_AssociateAccessPolicy.html (policy ARNs
    arn:aws:eks::aws:cluster-access-policy/<name>; accessScope cluster or namespace),
    API_ListAssociatedAccessPolicies.html, API_DisassociateAccessPolicy.html,
    API_DeleteAccessEntry.html. moto 5.2.5 has none of them (HTTP 404).
    """
    from moto.core.responses import ActionResult
    from moto.eks.responses import EKSResponse

    _route_new_operations()

    def entry_of(self: Any, must_exist: bool = True) -> tuple[Any, dict[str, Any], str]:
        cluster = _cluster(self.eks_backend, self._get_param("name"))
        entries = _store(self.eks_backend, "access_entries", cluster.name)
        principal = unquote(self._get_param("principalArn") or "")
        if must_exist and principal not in entries:
            raise _not_found(f"The specified principalArn could not be found. You can view your available "
                             f"access entries with 'list-access-entries'. ({principal})")
        return cluster, entries, principal

    def create_access_entry(self: Any) -> Any:
        cluster, entries, principal = entry_of(self, must_exist=False)
        mode = getattr(cluster, "access_config", {}).get("authenticationMode", "CONFIG_MAP")
        if mode == "CONFIG_MAP":
            raise _invalid("The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] "
                           "to perform this operation.")
        if principal in entries:
            raise _in_use(f"The specified access entry resource is already in use on this cluster. ({principal})")
        entry = {
            "clusterName": cluster.name, "principalArn": principal,
            "kubernetesGroups": self._get_param("kubernetesGroups") or [],
            "accessEntryArn": cluster.arn.replace(":cluster/", ":access-entry/") + "/role/" + principal.rsplit("/", 1)[-1],
            "createdAt": _now(), "modifiedAt": _now(), "tags": self._get_param("tags") or {},
            "username": self._get_param("username") or principal,
            "type": self._get_param("type") or "STANDARD",
            "_policies": {},
        }
        entries[principal] = entry
        return ActionResult({"accessEntry": {k: v for k, v in entry.items() if not k.startswith("_")}})

    def describe_access_entry(self: Any) -> Any:
        _, entries, principal = entry_of(self)
        return ActionResult({"accessEntry": {k: v for k, v in entries[principal].items() if not k.startswith("_")}})

    def list_access_entries(self: Any) -> Any:
        _, entries, _ = entry_of(self, must_exist=False)
        return ActionResult({"accessEntries": sorted(entries)})

    def update_access_entry(self: Any) -> Any:
        _, entries, principal = entry_of(self)
        entry = entries[principal]
        for key in ("kubernetesGroups", "username"):
            if self._get_param(key) is not None:
                entry[key] = self._get_param(key)
        entry["modifiedAt"] = _now()
        return ActionResult({"accessEntry": {k: v for k, v in entry.items() if not k.startswith("_")}})

    def delete_access_entry(self: Any) -> Any:
        _, entries, principal = entry_of(self)
        del entries[principal]
        return ActionResult({})

    def associate_access_policy(self: Any) -> Any:
        cluster, entries, principal = entry_of(self)
        policy_arn = self._get_param("policyArn")
        if policy_arn.rsplit("/", 1)[-1] not in ACCESS_POLICIES or ":cluster-access-policy/" not in policy_arn:
            raise _invalid(f"The policyArn {policy_arn} is not a valid cluster access policy.")
        scope = self._get_param("accessScope") or {}
        if scope.get("type") not in ("cluster", "namespace"):
            raise _invalid("accessScope.type must be cluster or namespace")
        policy = {"policyArn": policy_arn, "accessScope": {"type": scope["type"], "namespaces": scope.get("namespaces") or []},
                  "associatedAt": _now(), "modifiedAt": _now()}
        entries[principal]["_policies"][policy_arn] = policy
        return ActionResult({"clusterName": cluster.name, "principalArn": principal,
                             "associatedAccessPolicy": policy})

    def list_associated_access_policies(self: Any) -> Any:
        cluster, entries, principal = entry_of(self)
        policies = [entries[principal]["_policies"][k] for k in sorted(entries[principal]["_policies"])]
        return ActionResult({"clusterName": cluster.name, "principalArn": principal,
                             "associatedAccessPolicies": policies})

    def disassociate_access_policy(self: Any) -> Any:
        _, entries, principal = entry_of(self)
        policy_arn = unquote(self._get_param("policyArn"))
        if entries[principal]["_policies"].pop(policy_arn, None) is None:
            raise _not_found(f"The specified policyArn is not associated: {policy_arn}")
        return ActionResult({})

    for function in (create_access_entry, describe_access_entry, list_access_entries, update_access_entry,
                     delete_access_entry, associate_access_policy, list_associated_access_policies,
                     disassociate_access_policy):
        setattr(EKSResponse, function.__name__, function)


# --- tags -------------------------------------------------------------------------------


def tags_work_on_node_groups_fargate_profiles_addons_and_access_entries() -> None:
    """TagResource, UntagResource and ListTagsForResource work on every taggable EKS resource ARN.

    AWS: https://docs.aws.amazon.com/eks/latest/APIReference/API_TagResource.html and
    eks-using-tags.html: clusters, managed node groups, Fargate profiles, add-ons, access
    entries (and more) are taggable. moto 5.2.5 finds only clusters (ResourceNotFoundException
    for a node group ARN), so the stock eks_nodegroup module fails on its second run.
    """
    from moto.eks.models import EKSBackend

    inner_tag, inner_untag, inner_list = EKSBackend.tag_resource, EKSBackend.untag_resource, EKSBackend.list_tags_for_resource

    def holder(backend: Any, arn: str) -> Any:
        for cluster in backend.clusters.values():
            for item in list(cluster.nodegroups.values()) + list(cluster.fargate_profiles.values()):
                if arn in (getattr(item, "arn", None), getattr(item, "fargate_profile_arn", None)):
                    return item
            for kind, key in (("addons", "addonArn"), ("access_entries", "accessEntryArn")):
                for entry in backend.__dict__.get(f"_platform_{kind}", {}).get(cluster.name, {}).values():
                    if entry.get(key) == arn:
                        return entry
        return None

    def get_tags(item: Any) -> dict[str, str]:
        if isinstance(item, dict):
            return item.setdefault("tags", {})
        if item.tags is None:
            item.tags = {}
        return item.tags

    def tag_resource(self: Any, resource_arn: str, tags: dict[str, str]) -> None:
        item = holder(self, resource_arn)
        if item is None:
            return inner_tag(self, resource_arn, tags)
        get_tags(item).update(tags or {})

    def untag_resource(self: Any, resource_arn: str, tag_keys: list[str]) -> None:
        item = holder(self, resource_arn)
        if item is None:
            return inner_untag(self, resource_arn, tag_keys)
        keys = tag_keys if isinstance(tag_keys, list) else [tag_keys]
        for key in keys:
            get_tags(item).pop(key, None)

    def list_tags_for_resource(self: Any, resource_arn: str) -> dict[str, str]:
        item = holder(self, resource_arn)
        return inner_list(self, resource_arn) if item is None else dict(get_tags(item))

    EKSBackend.tag_resource = tag_resource
    EKSBackend.untag_resource = untag_resource
    EKSBackend.list_tags_for_resource = list_tags_for_resource


FIXES = [
    create_nodegroup_keeps_update_config_and_cluster_version,
    cluster_vpc_config_and_access_config_follow_aws,
    update_cluster_version_upgrades_one_minor_version,
    addons_and_addon_versions_operations,
    access_entries_and_access_policies_operations,
    tags_work_on_node_groups_fargate_profiles_addons_and_access_entries,
]
