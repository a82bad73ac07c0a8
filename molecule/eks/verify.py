"""eks scenario: the cluster in the private subnets, encrypted, logged, with its nodes, Fargate profile, IRSA and add-ons."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
NAME = f"{PREFIX}-eks"
eks, ec2, iam, kms, logs = client("eks"), client("ec2"), client("iam"), client("kms"), client("logs")

cluster = eks.describe_cluster(name=NAME)["cluster"]
assert cluster["status"] == "ACTIVE" and cluster["version"] == "1.33", cluster
private = ec2.describe_subnets(Filters=[{"Name": "tag:Tier", "Values": ["private"]},
                                        {"Name": "tag:Environment", "Values": ["local"]}])["Subnets"]
assert sorted(cluster["resourcesVpcConfig"]["subnetIds"]) == sorted(s["SubnetId"] for s in private)
data_key = kms.describe_key(KeyId=f"alias/{PREFIX}-data")["KeyMetadata"]["Arn"]
assert cluster["encryptionConfig"][0]["provider"]["keyArn"] == data_key
enabled = {t for e in cluster["logging"]["clusterLogging"] if e["enabled"] for t in e["types"]}
assert enabled == {"api", "audit", "authenticator", "controllerManager", "scheduler"}, enabled
group = logs.describe_log_groups(logGroupNamePrefix=f"/aws/eks/{NAME}/cluster")["logGroups"][0]
assert group["kmsKeyId"] == kms.describe_key(KeyId=f"alias/{PREFIX}-logs")["KeyMetadata"]["Arn"]

nodegroup = eks.describe_nodegroup(clusterName=NAME, nodegroupName="general")["nodegroup"]
assert nodegroup["scalingConfig"] == {"minSize": 1, "desiredSize": 1, "maxSize": 2}, nodegroup["scalingConfig"]
assert nodegroup["updateConfig"] == {"maxUnavailable": 1} and nodegroup["labels"] == {"workload": "general"}
profile = eks.describe_fargate_profile(clusterName=NAME, fargateProfileName="jobs")["fargateProfile"]
assert profile["selectors"] == [{"namespace": "jobs", "labels": {"compute": "fargate"}}], profile["selectors"]

issuer = cluster["identity"]["oidc"]["issuer"].split("://", 1)[1]
assert [p for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] if p["Arn"].endswith(issuer)]
assert eks.list_addons(clusterName=NAME)["addons"] == ["coredns", "kube-proxy", "vpc-cni"]
assert eks.list_access_entries(clusterName=NAME)["accessEntries"] == ["arn:aws:iam::123456789012:role/platform-admin"]
attached = {p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=f"{NAME}-node")["AttachedPolicies"]}
assert attached == {"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy"}, attached
print(f"eks: cluster {NAME} verified ({cluster['endpoint']})")
