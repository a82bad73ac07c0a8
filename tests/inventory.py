"""What an environment holds on the emulator: every resource that carries a set of tags, read
service by service with boto3 (the tagging API's get_resources does not cover every service
on the emulator, so each service is listed too), plus the KMS keys not pending deletion.

    tagged_resources(aws_client, {"Environment": "local", "ManagedBy": "ansible-platform-toolkit"})
    -> {"sqs": ["https://.../rtap-local-orders", ...], "kms": [...], ...}   (empty services left out)
"""

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
