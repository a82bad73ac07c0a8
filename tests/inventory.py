"""What an environment holds on the emulator: every resource that carries a set of tags, read
service by service with boto3 (the tagging API's get_resources does not cover every service
on the emulator, so each service is listed too), plus the KMS keys not pending deletion.

    tagged_resources(aws_client, {"Environment": "local", "ManagedBy": "ansible-platform-toolkit"})
    -> {"sqs": ["https://.../rtap-local-orders", ...], "kms": [...], ...}   (empty services left out)
"""

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError


def _as_dict(tags: Any) -> dict:
    if isinstance(tags, dict):
        return tags
    return {t.get("Key", t.get("key", t.get("TagKey"))): t.get("Value", t.get("value", t.get("TagValue")))
            for t in tags or []}


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> list:
    return client.get_paginator(operation).paginate(**kwargs).build_full_result().get(key, [])


def _tags_or_empty(read: Callable[[], Any]) -> dict:
    try:
        return _as_dict(read())
    except ClientError:
        return {}


def tagged_resources(aws_client: Callable[..., Any], tags: dict[str, str]) -> dict[str, list[str]]:
    def ours(found: Any) -> bool:
        found = _as_dict(found)
        return all(found.get(k) == v for k, v in tags.items())

    c = aws_client
    found: dict[str, list[str]] = {}

    def add(service: str, ident: str) -> None:
        found.setdefault(service, []).append(ident)

    tagging = c("resourcegroupstaggingapi")
    for item in _pages(tagging, "get_resources", "ResourceTagMappingList",
                       TagFilters=[{"Key": k, "Values": [v]} for k, v in tags.items()]):
        arn = item["ResourceARN"]
        # Keys and secrets pending deletion still carry their tags, deleted NAT gateways, endpoints
        # and ECS clusters, services and task definitions stay listed for a while (INACTIVE): those
        # are counted below by their state.
        if not any(kind in arn for kind in (":kms:", ":secretsmanager:", ":ecs:", ":natgateway/", ":vpc-endpoint/")):
            add("tagging-api", arn)

    iam, kms = c("iam"), c("kms")
    for role in _pages(iam, "list_roles", "Roles"):
        if ours(_pages(iam, "list_role_tags", "Tags", RoleName=role["RoleName"])):
            add("iam-role", role["RoleName"])
    for provider in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        if ours(iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=provider["Arn"])["Tags"]):
            add("iam-oidc", provider["Arn"])
    for key in _pages(kms, "list_keys", "Keys"):
        meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        if meta["KeyManager"] == "CUSTOMER" and meta["KeyState"] != "PendingDeletion" \
                and ours(_pages(kms, "list_resource_tags", "Tags", KeyId=key["KeyId"])):
            add("kms", key["KeyId"])

    logs = c("logs")
    for group in _pages(logs, "describe_log_groups", "logGroups"):
        arn = group["arn"].removesuffix(":*")
        if ours(_tags_or_empty(lambda a=arn: logs.list_tags_for_resource(resourceArn=a)["tags"])):
            add("logs", group["logGroupName"])
    ecr = c("ecr")
    for repo in _pages(ecr, "describe_repositories", "repositories"):
        if ours(ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])["tags"]):
            add("ecr", repo["repositoryName"])
    eks = c("eks")
    for name in _pages(eks, "list_clusters", "clusters"):
        if ours(eks.describe_cluster(name=name)["cluster"].get("tags")):
            add("eks", name)
    ecs = c("ecs")
    for arn in _pages(ecs, "list_clusters", "clusterArns"):
        if ours(ecs.list_tags_for_resource(resourceArn=arn)["tags"]) \
                and ecs.describe_clusters(clusters=[arn])["clusters"][0]["status"] != "INACTIVE":
            add("ecs-cluster", arn)
            for service in _pages(ecs, "list_services", "serviceArns", cluster=arn):
                if ecs.describe_services(cluster=arn, services=[service])["services"][0]["status"] != "INACTIVE":
                    add("ecs-service", service)
    for family in _pages(ecs, "list_task_definitions", "taskDefinitionArns", status="ACTIVE"):
        if ours(ecs.list_tags_for_resource(resourceArn=family)["tags"]):
            add("ecs-task-definition", family)
    dax = c("dax")
    for cluster in _pages(dax, "describe_clusters", "Clusters"):
        if ours(dax.list_tags(ResourceName=cluster["ClusterArn"])["Tags"]):
            add("dax", cluster["ClusterName"])
    idp, identity = c("cognito-idp"), c("cognito-identity")
    for pool in _pages(idp, "list_user_pools", "UserPools", MaxResults=60):
        if ours(idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"].get("UserPoolTags")):
            add("cognito-user-pool", pool["Id"])
    for pool in _pages(identity, "list_identity_pools", "IdentityPools", MaxResults=60):
        if ours(identity.describe_identity_pool(IdentityPoolId=pool["IdentityPoolId"]).get("IdentityPoolTags")):
            add("cognito-identity-pool", pool["IdentityPoolId"])
    apigw = c("apigateway")
    for operation, kind in (("get_rest_apis", "rest-api"), ("get_usage_plans", "usage-plan"),
                            ("get_api_keys", "api-key"), ("get_vpc_links", "vpc-link")):
        for item in _pages(apigw, operation, "items"):
            if ours(item.get("tags")):
                add(f"apigateway-{kind}", item["id"])
    lam = c("lambda")
    for function in _pages(lam, "list_functions", "Functions"):
        if ours(lam.list_tags(Resource=function["FunctionArn"])["Tags"]):
            add("lambda", function["FunctionName"])
    kinesis = c("kinesis")
    for stream in _pages(kinesis, "list_streams", "StreamSummaries"):
        if ours(kinesis.list_tags_for_stream(StreamName=stream["StreamName"])["Tags"]):
            add("kinesis", stream["StreamName"])
    sqs = c("sqs")
    for url in _pages(sqs, "list_queues", "QueueUrls"):
        if ours(sqs.list_queue_tags(QueueUrl=url).get("Tags")):
            add("sqs", url)
    sns = c("sns")
    for topic in _pages(sns, "list_topics", "Topics"):
        if ours(sns.list_tags_for_resource(ResourceArn=topic["TopicArn"])["Tags"]):
            add("sns", topic["TopicArn"])
    ddb = c("dynamodb")
    for name in _pages(ddb, "list_tables", "TableNames"):
        arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
        if ours(ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]):
            add("dynamodb", name)
    s3 = c("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        if ours(_tags_or_empty(lambda b=bucket["Name"]: s3.get_bucket_tagging(Bucket=b)["TagSet"])):
            add("s3", bucket["Name"])
    ec2 = c("ec2")
    filters = [{"Name": f"tag:{k}", "Values": [v]} for k, v in tags.items()]
    for operation, key, ident in (
            ("describe_vpcs", "Vpcs", "VpcId"), ("describe_subnets", "Subnets", "SubnetId"),
            ("describe_internet_gateways", "InternetGateways", "InternetGatewayId"),
            ("describe_route_tables", "RouteTables", "RouteTableId"),
            ("describe_security_groups", "SecurityGroups", "GroupId"),
            ("describe_network_acls", "NetworkAcls", "NetworkAclId"),
            ("describe_vpc_endpoints", "VpcEndpoints", "VpcEndpointId")):
        for item in _pages(ec2, operation, key, Filters=filters):
            if str(item.get("State", "")).lower() not in ("deleted", "deleting"):
                add(f"ec2-{key}", item[ident])
    for gateway in _pages(ec2, "describe_nat_gateways", "NatGateways", Filter=filters):
        if gateway["State"] not in ("deleted", "deleting"):
            add("ec2-NatGateways", gateway["NatGatewayId"])
    for address in ec2.describe_addresses(Filters=filters)["Addresses"]:
        add("ec2-Addresses", address["AllocationId"])
    secrets = c("secretsmanager")
    for secret in _pages(secrets, "list_secrets", "SecretList"):
        if ours(secret.get("Tags")):
            add("secretsmanager", secret["Name"])
    config = c("config")
    for rule in _pages(config, "describe_config_rules", "ConfigRules"):
        if ours(_pages(config, "list_tags_for_resource", "Tags", ResourceArn=rule["ConfigRuleArn"])):
            add("config-rule", rule["ConfigRuleName"])
    trail = c("cloudtrail")
    for item in trail.list_trails()["Trails"]:
        listed = trail.list_tags(ResourceIdList=[item["TrailARN"]])["ResourceTagList"]
        if listed and ours(listed[0].get("TagsList")):
            add("cloudtrail", item["Name"])
    waf = c("wafv2")
    for acl in waf.list_web_acls(Scope="REGIONAL")["WebACLs"]:
        if ours(waf.list_tags_for_resource(ResourceARN=acl["ARN"])["TagInfoForResource"].get("TagList")):
            add("wafv2", acl["Name"])
    cloudwatch = c("cloudwatch")
    for alarm in _pages(cloudwatch, "describe_alarms", "MetricAlarms"):
        if ours(cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]):
            add("cloudwatch-alarm", alarm["AlarmName"])
    for dashboard in _pages(cloudwatch, "list_dashboards", "DashboardEntries"):
        add("cloudwatch-dashboard", dashboard["DashboardName"])  # dashboards cannot be tagged: any counts
    backup = c("backup")
    for plan in _pages(backup, "list_backup_plans", "BackupPlansList"):
        if ours(backup.list_tags(ResourceArn=plan["BackupPlanArn"]).get("Tags")):
            add("backup-plan", plan["BackupPlanName"])
    for vault in _pages(backup, "list_backup_vaults", "BackupVaultList"):
        if ours(backup.list_tags(ResourceArn=vault["BackupVaultArn"]).get("Tags")):
            add("backup-vault", vault["BackupVaultName"])
    return found


def count(resources: dict[str, list[str]]) -> int:
    return sum(len(v) for v in resources.values())


_UUID_SUFFIX = re.compile(r"-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def every_resource(aws_client: Callable[..., Any]) -> Counter:
    """Every resource of the kinds the platform makes, tagged or not, counted by an identity that
    does not depend on AWS's generated ids: ("vpc", "rtap-local-vpc", "10.20.0.0/16"), ...

    Two runs of the same site give the same Counter; a resource a retry made twice shows as a count
    of 2, and one nothing declares (an untagged VPC, a key without alias) as an identity of its own.
    The account's defaults (default VPC and its children, AWS managed keys) are left out.
    """
    c = aws_client
    found: Counter = Counter()

    def add(*identity: Any) -> None:
        found[tuple(str(part) for part in identity)] += 1

    ec2 = c("ec2")

    def name_of(item: dict) -> str:
        return _as_dict(item.get("Tags")).get("Name", "<no Name tag>")

    vpcs = {v["VpcId"]: v for v in _pages(ec2, "describe_vpcs", "Vpcs") if not v.get("IsDefault")}
    vpc_names = {vpc_id: name_of(v) for vpc_id, v in vpcs.items()}
    for vpc in vpcs.values():
        add("vpc", name_of(vpc), vpc["CidrBlock"])
    for subnet in _pages(ec2, "describe_subnets", "Subnets"):
        if subnet["VpcId"] in vpcs:
            add("subnet", vpc_names[subnet["VpcId"]], name_of(subnet), subnet["CidrBlock"])
    for gateway in _pages(ec2, "describe_internet_gateways", "InternetGateways"):
        attached = [a["VpcId"] for a in gateway.get("Attachments", []) if a["VpcId"] in vpcs]
        if attached or not any(a["VpcId"] not in vpcs for a in gateway.get("Attachments", [])):
            add("internet-gateway", name_of(gateway), *[vpc_names[v] for v in attached])
    for gateway in _pages(ec2, "describe_nat_gateways", "NatGateways"):
        if gateway["State"] not in ("deleted", "deleting", "failed"):
            add("nat-gateway", name_of(gateway))
    for address in ec2.describe_addresses()["Addresses"]:
        add("elastic-ip", name_of(address))
    for group in _pages(ec2, "describe_security_groups", "SecurityGroups"):
        if group.get("VpcId") in vpcs:
            add("security-group", vpc_names[group["VpcId"]], group["GroupName"])
    for table in _pages(ec2, "describe_route_tables", "RouteTables"):
        if table.get("VpcId") in vpcs:
            main = any(a.get("Main") for a in table.get("Associations", []))
            add("route-table", vpc_names[table["VpcId"]], "main" if main else name_of(table))
    for acl in _pages(ec2, "describe_network_acls", "NetworkAcls"):
        if acl["VpcId"] in vpcs:
            add("network-acl", vpc_names[acl["VpcId"]], "default" if acl.get("IsDefault") else name_of(acl))
    for endpoint in _pages(ec2, "describe_vpc_endpoints", "VpcEndpoints"):
        if endpoint["State"].lower() not in ("deleted", "deleting"):
            add("vpc-endpoint", vpc_names.get(endpoint["VpcId"], endpoint["VpcId"]), endpoint["ServiceName"])
    for log in _pages(ec2, "describe_flow_logs", "FlowLogs"):
        add("flow-log", vpc_names.get(log["ResourceId"], log["ResourceId"]), log.get("LogDestinationType"),
            log.get("TrafficType"))
    for peering in _pages(ec2, "describe_vpc_peering_connections", "VpcPeeringConnections"):
        if peering["Status"]["Code"] not in ("deleted", "rejected", "failed", "expired"):
            add("vpc-peering", name_of(peering))

    kms = c("kms")
    aliases: dict[str, list[str]] = {}
    for alias in _pages(kms, "list_aliases", "Aliases"):
        if "TargetKeyId" in alias:
            aliases.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    for key in _pages(kms, "list_keys", "Keys"):
        meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        if meta["KeyManager"] == "CUSTOMER" and meta["KeyState"] != "PendingDeletion":
            add("kms-key", ",".join(sorted(aliases.get(key["KeyId"], []))) or "<no alias>",
                meta.get("Description", ""))

    iam = c("iam")
    for role in _pages(iam, "list_roles", "Roles"):
        add("iam-role", role["RoleName"])
    for policy in _pages(iam, "list_policies", "Policies", Scope="Local"):
        add("iam-policy", policy["PolicyName"])
    for provider in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        url = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider["Arn"])["Url"]
        add("iam-oidc-provider", url.split("/id/")[0])  # an EKS issuer ends in the cluster's random id

    for group in _pages(c("logs"), "describe_log_groups", "logGroups"):
        add("log-group", group["logGroupName"])
    lam = c("lambda")
    for function in _pages(lam, "list_functions", "Functions"):
        add("lambda-function", function["FunctionName"])
    for mapping in _pages(lam, "list_event_source_mappings", "EventSourceMappings"):
        add("event-source-mapping", mapping["FunctionArn"].split(":")[6], mapping["EventSourceArn"].split(":", 5)[5])
    for stream in _pages(c("kinesis"), "list_streams", "StreamSummaries"):
        add("kinesis-stream", stream["StreamName"])
    for name in c("firehose").list_delivery_streams(Limit=100)["DeliveryStreamNames"]:
        add("firehose-stream", name)
    for url in _pages(c("sqs"), "list_queues", "QueueUrls"):
        add("sqs-queue", url.rsplit("/", 1)[1])
    sns = c("sns")
    for topic in _pages(sns, "list_topics", "Topics"):
        add("sns-topic", topic["TopicArn"].rsplit(":", 1)[1])
    for subscription in _pages(sns, "list_subscriptions", "Subscriptions"):
        add("sns-subscription", subscription["TopicArn"].rsplit(":", 1)[1], subscription["Protocol"],
            subscription["Endpoint"].rsplit(":", 1)[-1].rsplit("/", 1)[-1])
    for name in _pages(c("dynamodb"), "list_tables", "TableNames"):
        add("dynamodb-table", name)
    for bucket in c("s3").list_buckets()["Buckets"]:
        add("s3-bucket", bucket["Name"])
    for repo in _pages(c("ecr"), "describe_repositories", "repositories"):
        add("ecr-repository", repo["repositoryName"])

    eks = c("eks")
    for cluster in _pages(eks, "list_clusters", "clusters"):
        add("eks-cluster", cluster)
        for operation, key, kind in (("list_nodegroups", "nodegroups", "eks-nodegroup"),
                                     ("list_fargate_profiles", "fargateProfileNames", "eks-fargate-profile"),
                                     ("list_addons", "addons", "eks-addon")):
            for name in _pages(eks, operation, key, clusterName=cluster):
                add(kind, cluster, name)
    ecs = c("ecs")
    for arn in _pages(ecs, "list_clusters", "clusterArns"):
        cluster = ecs.describe_clusters(clusters=[arn])["clusters"][0]
        if cluster["status"] != "INACTIVE":
            add("ecs-cluster", cluster["clusterName"])
            for service_arn in _pages(ecs, "list_services", "serviceArns", cluster=arn):
                service = ecs.describe_services(cluster=arn, services=[service_arn])["services"][0]
                if service["status"] != "INACTIVE":
                    add("ecs-service", cluster["clusterName"], service["serviceName"])
    for arn in _pages(ecs, "list_task_definitions", "taskDefinitionArns", status="ACTIVE"):
        add("ecs-task-definition", arn.rsplit("/", 1)[1].rsplit(":", 1)[0])  # a revision too many counts twice

    dax = c("dax")
    for cluster in _pages(dax, "describe_clusters", "Clusters"):
        add("dax-cluster", cluster["ClusterName"])

    idp, identity = c("cognito-idp"), c("cognito-identity")
    for pool in _pages(idp, "list_user_pools", "UserPools", MaxResults=60):
        add("cognito-user-pool", pool["Name"])
        for client in _pages(idp, "list_user_pool_clients", "UserPoolClients", UserPoolId=pool["Id"], MaxResults=60):
            add("cognito-user-pool-client", pool["Name"], client["ClientName"])
    for pool in _pages(identity, "list_identity_pools", "IdentityPools", MaxResults=60):
        add("cognito-identity-pool", pool["IdentityPoolName"])

    apigw = c("apigateway")
    for api in _pages(apigw, "get_rest_apis", "items"):
        add("rest-api", api["name"])
        for resource in _pages(apigw, "get_resources", "items", restApiId=api["id"]):
            add("rest-api-resource", api["name"], resource["path"])
        for stage in apigw.get_stages(restApiId=api["id"])["item"]:
            add("rest-api-stage", api["name"], stage["stageName"])
        for authorizer in _pages(apigw, "get_authorizers", "items", restApiId=api["id"]):
            add("rest-api-authorizer", api["name"], authorizer["name"])
    for operation, kind in (("get_usage_plans", "usage-plan"), ("get_api_keys", "api-key"),
                            ("get_vpc_links", "vpc-link")):
        for item in _pages(apigw, operation, "items"):
            add(kind, item["name"])

    for secret in _pages(c("secretsmanager"), "list_secrets", "SecretList"):
        add("secret", secret["Name"])
    for rule in _pages(c("config"), "describe_config_rules", "ConfigRules"):
        add("config-rule", rule["ConfigRuleName"])
    for trail in c("cloudtrail").list_trails()["Trails"]:
        add("cloudtrail", trail["Name"])
    for acl in c("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"]:
        add("waf-web-acl", acl["Name"])
    cloudwatch = c("cloudwatch")
    for alarm in _pages(cloudwatch, "describe_alarms", "MetricAlarms"):
        add("alarm", _UUID_SUFFIX.sub("", alarm["AlarmName"]))  # target tracking alarms end in a random UUID
    for dashboard in _pages(cloudwatch, "list_dashboards", "DashboardEntries"):
        add("dashboard", dashboard["DashboardName"])
    backup = c("backup")
    for plan in _pages(backup, "list_backup_plans", "BackupPlansList"):
        add("backup-plan", plan["BackupPlanName"])
    for vault in _pages(backup, "list_backup_vaults", "BackupVaultList"):
        add("backup-vault", vault["BackupVaultName"])
    elb = c("elbv2")
    for balancer in _pages(elb, "describe_load_balancers", "LoadBalancers"):
        add("load-balancer", balancer["LoadBalancerName"])
    for group in _pages(elb, "describe_target_groups", "TargetGroups"):
        add("target-group", group["TargetGroupName"])
    return found


def compare(clean: Counter, other: Counter) -> dict[str, list[tuple[tuple[str, ...], int]]]:
    """How `other` differs from a clean run's inventory: identities made more often than in the
    clean run (duplicates, with the extra count), ones the clean run does not have (orphans),
    and ones missing."""
    return {
        "duplicates": sorted((k, n - clean[k]) for k, n in other.items() if k in clean and n > clean[k]),
        "orphans": sorted((k, n) for k, n in other.items() if k not in clean),
        "missing": sorted((k, n - other[k]) for k, n in clean.items() if n > other[k]),
    }
