#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: platform_teardown
short_description: Delete everything the platform made for one environment, layer by layer, found by its tags
description:
  - Finds the environment's resources by their tags (every tag in O(scope_tags)) in every service the
    platform uses, and their untaggable children through a tagged parent or an unambiguous association
    (API stages and deployments go with their API, subscriptions with their topic, event source
    mappings with their function, the AWS Config recorder and delivery channel when the channel writes
    to one of the environment's buckets or the recorder uses one of its roles, a dashboard whose alarm
    widget shows the environment's alarms, the IAM OIDC provider of the environment's EKS cluster).
  - A resource belongs to the layer of its C(Layer) tag; untaggable children to their parent's layer.
  - O(layers) selects the layers. The module finds every selected layer's resources in one pass, then
    deletes them layer by layer in teardown order (the reverse of site.yml's), each layer's in dependency
    order. What an earlier layer's deletes change (the network interfaces a Lambda function or load
    balancer leaves, security group rules) is read again when a later layer needs it. Where AWS deletes
    asynchronously (ECS services, EKS node groups, Fargate profiles and clusters, DAX clusters, NAT
    gateways, the network interfaces Lambda leaves in a VPC) the module waits, at most O(wait_timeout)
    seconds each.
  - Before deleting anything, the module checks every selected layer for blockers (a bucket that holds
    objects or object versions, a table with deletion protection) and fails listing them all, unless
    O(empty_buckets) or O(disable_deletion_protection) allows them. With O(plan_only) it only reports.
  - KMS keys are scheduled for deletion (O(kms_deletion_window_days)) and their aliases deleted;
    a key already pending deletion is gone for the module.
  - In check mode nothing is deleted; RV(resources) and RV(by_layer) list what would be.
author:
  - Ansible toolkit contributors
options:
  scope_tags:
    description:
      - Tags that together mark a resource as the environment's, for example C(Environment),
        C(Platform) and C(ManagedBy). Must not be empty.
    type: dict
    required: true
  layers:
    description: The layers to tear down.
    type: list
    elements: str
    choices: [observability, containers, api, ingestion, messaging, data, foundation]
    required: true
  plan_only:
    description:
      - Only find the resources and the blockers, delete nothing and fail on nothing (RV(blockers) says
        what would stop a teardown).
    type: bool
    default: false
  empty_buckets:
    description: Delete every object version and delete marker of the environment's buckets before deleting them.
    type: bool
    default: false
  disable_deletion_protection:
    description: Turn off the deletion protection of the environment's DynamoDB tables before deleting them.
    type: bool
    default: false
  kms_deletion_window_days:
    description: Waiting period before KMS deletes a key scheduled for deletion (7 to 30 days).
    type: int
    default: 7
  secret_recovery_window_days:
    description:
      - Days Secrets Manager keeps a deleted secret recoverable (7 to 30); V(0) deletes it at once,
        without recovery.
    type: int
    default: 7
  wait_timeout:
    description: Seconds to wait, at most, for each asynchronous deletion.
    type: int
    default: 1200
notes:
  - Resources of other environments, or without every tag in O(scope_tags), are never touched.
  - The AWS client retries throttled calls with jittered backoff.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Find what stops a teardown of dev
  platform_teardown:
    scope_tags: {Environment: dev, Platform: rtap, ManagedBy: ansible-platform-toolkit}
    layers: [observability, containers, api, ingestion, messaging, data, foundation]
    plan_only: true
  register: plan

- name: Tear down the data layer of dev, emptying its buckets
  platform_teardown:
    scope_tags: {Environment: dev, Platform: rtap, ManagedBy: ansible-platform-toolkit}
    layers: [data]
    empty_buckets: true

- name: Tear down the whole of dev, layer by layer
  platform_teardown:
    scope_tags: {Environment: dev, Platform: rtap, ManagedBy: ansible-platform-toolkit}
    layers: [observability, containers, api, ingestion, messaging, data, foundation]
  register: teardown
"""

RETURN = r"""
resources:
  description: The resources deleted (in check mode, that would be), in deletion order, as "type name (id)".
  returned: always
  type: list
  elements: str
  sample: ["sqs-queue rtap-dev-orders (https://sqs.eu-west-1.amazonaws.com/123456789012/rtap-dev-orders)"]
blockers:
  description: What stops the teardown, one line per resource, naming the variable that allows it.
  returned: always
  type: list
  elements: str
  sample: ["bucket rtap-dev-user-files holds 3 object versions or delete markers (teardown_empty_buckets: true deletes them)"]
by_layer:
  description: The resources deleted (in check mode, that would be) per selected layer, in deletion order.
  returned: always
  type: dict
  sample: {messaging: ["sqs-queue rtap-dev-orders (https://sqs.eu-west-1.amazonaws.com/123456789012/rtap-dev-orders)"]}
counts:
  description: Number of resources per layer.
  returned: always
  type: dict
  sample: {data: 5, foundation: 30}
"""

import json
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible.module_utils.teardown import blockers
from ansible.module_utils.teardown import label
from ansible.module_utils.teardown import layer_of
from ansible.module_utils.teardown import ordered
from ansible.module_utils.teardown import resource
from ansible.module_utils.teardown import select_layers
from ansible.module_utils.teardown import tags_match

# Error codes that mean "already gone": a delete of a missing resource is done.
GONE = [
    "ResourceNotFoundException", "NotFoundException", "NoSuchEntity", "NoSuchBucket", "NoSuchEntityException",
    "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NotFound", "WAFNonexistentItemException",
    "TrailNotFoundException", "NoSuchConfigRuleException", "NoSuchConfigurationRecorderException",
    "NoSuchDeliveryChannelException", "ClusterNotFoundException", "ClusterNotFoundFault",
    "SubnetGroupNotFoundFault", "ParameterGroupNotFoundFault", "RepositoryNotFoundException",
    "InvalidVpcID.NotFound", "InvalidSubnetID.NotFound", "InvalidGroup.NotFound", "InvalidRouteTableID.NotFound",
    "InvalidInternetGatewayID.NotFound", "InvalidNatGatewayID.NotFound", "InvalidAllocationID.NotFound",
    "InvalidNetworkAclID.NotFound", "InvalidVpcEndpointId.NotFound", "InvalidFlowLogId.NotFound",
    "LoadBalancerNotFound", "TargetGroupNotFound", "ServiceNotFoundException", "ObjectNotFoundException",
    "NoSuchRemediationConfigurationException",
]


@AWSRetry.jittered_backoff()
def _full_result(paginator, kwargs):
    return paginator.paginate(**kwargs).build_full_result()


def _tag_dict(tags):
    """Tags as a dict from any of AWS's shapes (dict, [{Key, Value}], [{key, value}], [{TagKey, TagValue}])."""
    if isinstance(tags, dict):
        return tags
    result = {}
    for tag in tags or []:
        key = tag.get("Key", tag.get("key", tag.get("TagKey")))
        result[key] = tag.get("Value", tag.get("value", tag.get("TagValue")))
    return result


class Teardown:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.scope = module.params["scope_tags"]
        self._clients = {}
        self.found = []
        self.vpc_ids = []
        self.role_arns = {}
        self.revoked_layers = set()

    # --- plumbing -----------------------------------------------------------------------
    def client(self, service):
        if service not in self._clients:
            self._clients[service] = self.module.client(service, retry_decorator=AWSRetry.jittered_backoff())
        return self._clients[service]

    def call(self, service, operation, /, **kwargs):
        try:
            return getattr(self.client(service), operation)(aws_retry=True, **kwargs)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"{service} {operation} failed")

    def paginate(self, service, operation, key, /, **kwargs):
        try:
            return _full_result(self.client(service).get_paginator(operation), kwargs).get(key, [])
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"{service} {operation} failed")

    def read(self, service, operation, key, /, default=None, **kwargs):
        """A read whose 'not found' answer means the resource is gone (default)."""
        try:
            answer = getattr(self.client(service), operation)(aws_retry=True, **kwargs)
            return answer.get(key, default) if key else answer
        except is_boto3_error_code(GONE):
            return default
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"{service} {operation} failed")

    def delete(self, service, operation, /, **kwargs):
        """A delete call; a resource already gone counts as deleted."""
        try:
            getattr(self.client(service), operation)(aws_retry=True, **kwargs)
        except is_boto3_error_code(GONE):
            pass
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"{service} {operation} {kwargs} failed")

    def wait(self, what, gone):
        """Poll gone() until it is true, at most wait_timeout seconds."""
        deadline = time.monotonic() + self.params["wait_timeout"]
        delay = 2
        while not gone():
            if time.monotonic() > deadline:
                self.module.fail_json(msg=f"timed out after {self.params['wait_timeout']}s waiting for {what} to be deleted")
            time.sleep(delay)
            delay = min(delay * 2, 30)

    def add(self, rtype, rid, tags, name=None, **extra):
        if tags_match(tags, self.scope):
            self.found.append(resource(rtype, rid, layer_of(tags), name, **extra))
            return True
        return False

    def child(self, rtype, rid, layer, name=None, **extra):
        self.found.append(resource(rtype, rid, layer, name, **extra))

    # --- discovery, one method per service ----------------------------------------------
    def find_kms(self):
        for key in self.paginate("kms", "list_keys", "Keys"):
            meta = self.read("kms", "describe_key", "KeyMetadata", KeyId=key["KeyId"])
            if not meta or meta.get("KeyManager") != "CUSTOMER" or meta.get("KeyState") in ("PendingDeletion", "PendingReplicaDeletion"):
                continue
            tags = _tag_dict(self.paginate("kms", "list_resource_tags", "Tags", KeyId=key["KeyId"]))
            aliases = [a["AliasName"] for a in self.paginate("kms", "list_aliases", "Aliases", KeyId=key["KeyId"])]
            self.add("kms-key", key["KeyId"], tags, name=", ".join(aliases) or key["KeyId"], aliases=aliases)

    def find_iam(self):
        for role in self.paginate("iam", "list_roles", "Roles"):
            if role["Path"].startswith("/aws-service-role/"):
                continue
            tags = _tag_dict(self.paginate("iam", "list_role_tags", "Tags", RoleName=role["RoleName"]))
            if self.add("iam-role", role["RoleName"], tags):
                self.role_arns[role["RoleName"]] = role["Arn"]
        for policy in self.paginate("iam", "list_policies", "Policies", Scope="Local"):
            tags = _tag_dict(self.paginate("iam", "list_policy_tags", "Tags", PolicyArn=policy["Arn"]))
            self.add("iam-policy", policy["Arn"], tags, name=policy["PolicyName"])

    def find_oidc_providers(self, issuers):
        """Tagged providers, and the providers of the environment's EKS clusters' issuers."""
        urls = {issuer.replace("https://", "") for issuer in issuers}
        for provider in self.call("iam", "list_open_id_connect_providers").get("OpenIDConnectProviderList", []):
            arn = provider["Arn"]
            tags = _tag_dict(self.paginate("iam", "list_open_id_connect_provider_tags", "Tags", OpenIDConnectProviderArn=arn))
            if not self.add("iam-openid-connect-provider", arn, tags) and arn.split("oidc-provider/", 1)[-1] in urls:
                self.child("iam-openid-connect-provider", arn, "containers")

    def find_logs(self):
        for group in self.paginate("logs", "describe_log_groups", "logGroups"):
            arn = group["arn"][:-2] if group["arn"].endswith(":*") else group["arn"]
            tags = self.read("logs", "list_tags_for_resource", "tags", default={}, resourceArn=arn)
            self.add("logs-log-group", group["logGroupName"], tags)

    def find_secrets(self):
        for secret in self.paginate("secretsmanager", "list_secrets", "SecretList"):
            self.add("secretsmanager-secret", secret["ARN"], _tag_dict(secret.get("Tags")), name=secret["Name"])

    def find_s3(self):
        for bucket in self.paginate("s3", "list_buckets", "Buckets"):
            name = bucket["Name"]
            tags = _tag_dict(self.read("s3", "get_bucket_tagging", "TagSet", default=[], Bucket=name))
            if tags_match(tags, self.scope):
                versions = self.paginate("s3", "list_object_versions", "Versions", Bucket=name)
                markers = self.paginate("s3", "list_object_versions", "DeleteMarkers", Bucket=name)
                self.add("s3-bucket", name, tags, objects=len(versions) + len(markers))

    def find_dynamodb(self):
        for name in self.paginate("dynamodb", "list_tables", "TableNames"):
            table = self.read("dynamodb", "describe_table", "Table", TableName=name)
            if not table or table.get("TableStatus") == "DELETING":
                continue
            tags = _tag_dict(self.paginate("dynamodb", "list_tags_of_resource", "Tags", ResourceArn=table["TableArn"]))
            if self.add("dynamodb-table", name, tags, deletion_protection=table.get("DeletionProtectionEnabled", False)):
                self.find_scalable_targets("dynamodb", [f"table/{name}"], layer_of(tags))

    def find_backup(self):
        for plan in self.paginate("backup", "list_backup_plans", "BackupPlansList"):
            tags = self.read("backup", "list_tags", "Tags", default={}, ResourceArn=plan["BackupPlanArn"])
            self.add("backup-plan", plan["BackupPlanId"], tags, name=plan["BackupPlanName"])
        for vault in self.paginate("backup", "list_backup_vaults", "BackupVaultList"):
            tags = self.read("backup", "list_tags", "Tags", default={}, ResourceArn=vault["BackupVaultArn"])
            self.add("backup-vault", vault["BackupVaultName"], tags, recovery_points=vault.get("NumberOfRecoveryPoints", 0))

    def find_dax(self):
        parameter_groups = set()
        for cluster in self.paginate("dax", "describe_clusters", "Clusters"):
            tags = _tag_dict(self.read("dax", "list_tags", "Tags", default=[], ResourceName=cluster["ClusterArn"]))
            if cluster.get("Status") != "deleting" and self.add("dax-cluster", cluster["ClusterName"], tags):
                parameter_groups.add(cluster.get("ParameterGroup", {}).get("ParameterGroupName"))
        # Subnet and parameter groups cannot be tagged: a subnet group in the environment's VPC, and
        # the parameter group of one of its clusters, are the environment's.
        for group in self.paginate("dax", "describe_subnet_groups", "SubnetGroups"):
            if group.get("VpcId") in self.vpc_ids:
                self.child("dax-subnet-group", group["SubnetGroupName"], "data")
        for name in sorted(parameter_groups - {None, "default.dax1.0"}):
            self.child("dax-parameter-group", name, "data")

    def find_messaging(self):
        for topic in self.paginate("sns", "list_topics", "Topics"):
            arn = topic["TopicArn"]
            tags = _tag_dict(self.read("sns", "list_tags_for_resource", "Tags", default=[], ResourceArn=arn))
            if self.add("sns-topic", arn, tags, name=arn.split(":")[-1]):
                for sub in self.paginate("sns", "list_subscriptions_by_topic", "Subscriptions", TopicArn=arn):
                    if sub["SubscriptionArn"].startswith("arn:"):  # not PendingConfirmation
                        self.child("sns-subscription", sub["SubscriptionArn"], layer_of(tags), name=sub.get("Endpoint"))
        for url in self.paginate("sqs", "list_queues", "QueueUrls"):
            tags = self.read("sqs", "list_queue_tags", "Tags", default={}, QueueUrl=url)
            self.add("sqs-queue", url, tags, name=url.rsplit("/", 1)[-1])

    def find_ingestion(self):
        for stream in self.paginate("kinesis", "list_streams", "StreamSummaries"):
            if stream.get("StreamStatus") == "DELETING":
                continue
            tags = _tag_dict(self.read("kinesis", "list_tags_for_stream", "Tags", default=[], StreamName=stream["StreamName"]))
            self.add("kinesis-stream", stream["StreamName"], tags)
        for name in self.firehose_names():
            described = self.read("firehose", "describe_delivery_stream", "DeliveryStreamDescription", default={},
                                  DeliveryStreamName=name)
            if described.get("DeliveryStreamStatus", "DELETING") == "DELETING":
                continue
            tags = _tag_dict(self.read("firehose", "list_tags_for_delivery_stream", "Tags", default=[], DeliveryStreamName=name))
            self.add("firehose-delivery-stream", name, tags)
        for function in self.paginate("lambda", "list_functions", "Functions"):
            arn = function["FunctionArn"]
            tags = self.read("lambda", "list_tags", "Tags", default={}, Resource=arn)
            if self.add("lambda-function", function["FunctionName"], tags):
                for mapping in self.paginate("lambda", "list_event_source_mappings", "EventSourceMappings",
                                             FunctionName=function["FunctionName"]):
                    self.child("lambda-event-source-mapping", mapping["UUID"], layer_of(tags),
                               name=f"{mapping.get('EventSourceArn')} -> {function['FunctionName']}")

    def firehose_names(self):
        """ListDeliveryStreams has no paginator: page by the last name seen."""
        names, page = [], self.call("firehose", "list_delivery_streams", Limit=100)
        names += page.get("DeliveryStreamNames", [])
        while page.get("HasMoreDeliveryStreams") and names:
            page = self.call("firehose", "list_delivery_streams", Limit=100, ExclusiveStartDeliveryStreamName=names[-1])
            names += page.get("DeliveryStreamNames", [])
        return names

    def find_api(self):
        for api in self.paginate("apigateway", "get_rest_apis", "items"):
            self.add("apigateway-rest-api", api["id"], api.get("tags"), name=api["name"])
        for plan in self.paginate("apigateway", "get_usage_plans", "items"):
            self.add("apigateway-usage-plan", plan["id"], plan.get("tags"), name=plan["name"], stages=plan.get("apiStages", []))
        for key in self.paginate("apigateway", "get_api_keys", "items"):
            self.add("apigateway-api-key", key["id"], key.get("tags"), name=key.get("name"))
        for link in self.paginate("apigateway", "get_vpc_links", "items"):
            self.add("apigateway-vpc-link", link["id"], link.get("tags"), name=link.get("name"))
        for pool in self.paginate("cognito-idp", "list_user_pools", "UserPools", MaxResults=60):
            described = self.read("cognito-idp", "describe_user_pool", "UserPool", default={}, UserPoolId=pool["Id"])
            self.add("cognito-user-pool", pool["Id"], described.get("UserPoolTags"), name=pool["Name"],
                     domain=described.get("Domain"), deletion_protection=described.get("DeletionProtection") == "ACTIVE")
        for pool in self.paginate("cognito-identity", "list_identity_pools", "IdentityPools", MaxResults=60):
            described = self.read("cognito-identity", "describe_identity_pool", None, default={}, IdentityPoolId=pool["IdentityPoolId"])
            self.add("cognito-identity-pool", pool["IdentityPoolId"], described.get("IdentityPoolTags"),
                     name=pool["IdentityPoolName"])

    def find_containers(self):
        for name in self.paginate("ecr", "describe_repositories", "repositories"):
            arn = name["repositoryArn"]
            tags = _tag_dict(self.read("ecr", "list_tags_for_resource", "tags", default=[], resourceArn=arn))
            self.add("ecr-repository", name["repositoryName"], tags)
        for arn in self.paginate("ecs", "list_clusters", "clusterArns"):
            tags = _tag_dict(self.read("ecs", "list_tags_for_resource", "tags", default=[], resourceArn=arn))
            cluster = arn.rsplit("/", 1)[-1]
            # A deleted cluster or service stays listed for a while as INACTIVE.
            described = self.read("ecs", "describe_clusters", "clusters", default=[], clusters=[arn])
            if not described or described[0].get("status") == "INACTIVE" or not self.add("ecs-cluster", arn, tags, name=cluster):
                continue
            service_arns = self.paginate("ecs", "list_services", "serviceArns", cluster=arn)
            active = [s["serviceArn"] for start in range(0, len(service_arns), 10)
                      for s in self.call("ecs", "describe_services", cluster=arn, services=service_arns[start:start + 10])["services"]
                      if s.get("status") != "INACTIVE"]
            for service_arn in active:
                service = service_arn.rsplit("/", 1)[-1]
                self.child("ecs-service", service_arn, layer_of(tags), name=service, cluster=arn)
                self.find_scalable_targets("ecs", [f"service/{cluster}/{service}"], layer_of(tags))
        for family in self.paginate("ecs", "list_task_definition_families", "families", status="ACTIVE"):
            for arn in self.paginate("ecs", "list_task_definitions", "taskDefinitionArns", familyPrefix=family, status="ACTIVE"):
                tags = _tag_dict(self.read("ecs", "list_tags_for_resource", "tags", default=[], resourceArn=arn))
                self.add("ecs-task-definition", arn, tags, name=arn.rsplit("/", 1)[-1])
        for balancer in self.paginate("elbv2", "describe_load_balancers", "LoadBalancers"):
            self.add("elbv2-load-balancer", balancer["LoadBalancerArn"], self.elb_tags(balancer["LoadBalancerArn"]),
                     name=balancer["LoadBalancerName"])
        for group in self.paginate("elbv2", "describe_target_groups", "TargetGroups"):
            self.add("elbv2-target-group", group["TargetGroupArn"], self.elb_tags(group["TargetGroupArn"]),
                     name=group["TargetGroupName"])
        issuers = []
        for name in self.paginate("eks", "list_clusters", "clusters"):
            cluster = self.read("eks", "describe_cluster", "cluster", default={}, name=name)
            if not cluster or cluster.get("status") == "DELETING" or not self.add("eks-cluster", name, cluster.get("tags")):
                continue
            layer = layer_of(cluster.get("tags"))
            issuers.append(cluster.get("identity", {}).get("oidc", {}).get("issuer", ""))
            for addon in self.paginate("eks", "list_addons", "addons", clusterName=name):
                self.child("eks-addon", f"{name}/{addon}", layer, cluster=name, addon=addon)
            for profile in self.paginate("eks", "list_fargate_profiles", "fargateProfileNames", clusterName=name):
                self.child("eks-fargate-profile", f"{name}/{profile}", layer, cluster=name, profile=profile)
            for group in self.paginate("eks", "list_nodegroups", "nodegroups", clusterName=name):
                self.child("eks-nodegroup", f"{name}/{group}", layer, cluster=name, nodegroup=group)
        self.find_oidc_providers([i for i in issuers if i])

    def find_scalable_targets(self, namespace, resource_ids, layer):
        """Application Auto Scaling targets (and so their policies and alarms) of a tagged resource."""
        for target in self.paginate("application-autoscaling", "describe_scalable_targets", "ScalableTargets",
                                    ServiceNamespace=namespace):
            if target["ResourceId"] in resource_ids or any(target["ResourceId"].startswith(r + "/index/") for r in resource_ids):
                self.child("autoscaling-target", f"{target['ResourceId']} {target['ScalableDimension']}", layer,
                           namespace=namespace, resource_id=target["ResourceId"], dimension=target["ScalableDimension"])

    def elb_tags(self, arn):
        described = self.read("elbv2", "describe_tags", "TagDescriptions", default=[], ResourceArns=[arn])
        return _tag_dict(described[0]["Tags"]) if described else {}

    def find_observability(self):
        alarm_arns, other_alarm_arns = set(), set()
        topics = {r["id"]: r["layer"] for r in self.found if r["type"] == "sns-topic"}
        for alarm in self.paginate("cloudwatch", "describe_alarms", "MetricAlarms"):
            tags = _tag_dict(self.read("cloudwatch", "list_tags_for_resource", "Tags", default=[], ResourceARN=alarm["AlarmArn"]))
            actions = set(alarm.get("AlarmActions", []) + alarm.get("OKActions", []) + alarm.get("InsufficientDataActions", []))
            if self.add("cloudwatch-alarm", alarm["AlarmName"], tags):
                alarm_arns.add(alarm["AlarmArn"])
            elif not tags and actions & set(topics):
                # An untagged alarm that notifies one of the environment's topics is the environment's.
                self.child("cloudwatch-alarm", alarm["AlarmName"], topics[sorted(actions & set(topics))[0]])
                alarm_arns.add(alarm["AlarmArn"])
            else:
                other_alarm_arns.add(alarm["AlarmArn"])
        # Dashboards cannot be tagged: one whose alarm widgets show this environment's alarms and no
        # other existing alarm is the environment's.
        for entry in self.paginate("cloudwatch", "list_dashboards", "DashboardEntries"):
            body = self.read("cloudwatch", "get_dashboard", "DashboardBody", default="{}", DashboardName=entry["DashboardName"])
            shown = set()
            for widget in json.loads(body or "{}").get("widgets", []):
                if widget.get("type") == "alarm":
                    shown.update(widget.get("properties", {}).get("alarms", []))
            if shown & alarm_arns and not shown & other_alarm_arns:
                self.child("cloudwatch-dashboard", entry["DashboardName"], "observability")
        for trail in self.call("cloudtrail", "list_trails").get("Trails", []):
            if trail.get("HomeRegion") != self.module.region:
                continue
            described = self.read("cloudtrail", "list_tags", "ResourceTagList", default=[], ResourceIdList=[trail["TrailARN"]])
            tags = _tag_dict(described[0].get("TagsList", [])) if described else {}
            self.add("cloudtrail-trail", trail["TrailARN"], tags, name=trail["Name"])
        for rule in self.paginate("config", "describe_config_rules", "ConfigRules"):
            tags = _tag_dict(self.paginate("config", "list_tags_for_resource", "Tags", ResourceArn=rule["ConfigRuleArn"]))
            self.add("config-rule", rule["ConfigRuleName"], tags)
        for acl in self.call("wafv2", "list_web_acls", Scope="REGIONAL").get("WebACLs", []):
            tags = self.call("wafv2", "list_tags_for_resource", ResourceARN=acl["ARN"]).get("TagInfoForResource", {})
            self.add("wafv2-web-acl", acl["ARN"], _tag_dict(tags.get("TagList")), name=acl["Name"],
                     acl_name=acl["Name"], acl_id=acl["Id"])

    def find_config_recorder(self, bucket_names, role_arns):
        """The recorder and delivery channel are the environment's when the channel writes to one of its
        buckets or the recorder records with one of its roles (there is one recorder per region)."""
        channels = self.read("config", "describe_delivery_channels", "DeliveryChannels", default=[])
        recorders = self.read("config", "describe_configuration_recorders", "ConfigurationRecorders", default=[])
        ours = any(c.get("s3BucketName") in bucket_names for c in channels) or \
            any(r.get("roleARN") in role_arns for r in recorders)
        if ours:
            for recorder in recorders:
                self.child("config-recorder", recorder["name"], "observability",
                           channels=[c["name"] for c in channels])

    def find_network(self):
        filters = [{"Name": f"tag:{k}", "Values": [v]} for k, v in self.scope.items()]
        for vpc in self.paginate("ec2", "describe_vpcs", "Vpcs", Filters=filters):
            self.vpc_ids.append(vpc["VpcId"])
            self.add("ec2-vpc", vpc["VpcId"], _tag_dict(vpc.get("Tags")))
        in_vpcs = [{"Name": "vpc-id", "Values": self.vpc_ids}] if self.vpc_ids else None
        listings = (
            ("ec2-flow-log", "describe_flow_logs", "FlowLogs", "FlowLogId", filters),
            ("ec2-vpc-endpoint", "describe_vpc_endpoints", "VpcEndpoints", "VpcEndpointId", filters),
            ("ec2-nat-gateway", "describe_nat_gateways", "NatGateways", "NatGatewayId", filters),
            ("ec2-elastic-ip", "describe_addresses", "Addresses", "AllocationId", filters),
            ("ec2-internet-gateway", "describe_internet_gateways", "InternetGateways", "InternetGatewayId", filters),
            ("ec2-subnet", "describe_subnets", "Subnets", "SubnetId", filters),
            ("ec2-route-table", "describe_route_tables", "RouteTables", "RouteTableId", filters),
            ("ec2-network-acl", "describe_network_acls", "NetworkAcls", "NetworkAclId", filters),
            ("ec2-security-group", "describe_security_groups", "SecurityGroups", "GroupId", filters),
        )
        for rtype, operation, key, id_key, query in listings:
            if operation == "describe_addresses":
                items = self.call("ec2", operation, Filters=query).get(key, [])
            elif operation in ("describe_nat_gateways", "describe_flow_logs"):  # these two call it Filter
                items = self.paginate("ec2", operation, key, Filter=query)
            else:
                items = self.paginate("ec2", operation, key, Filters=query)
            for item in items:
                # Deleted NAT gateways and endpoints stay listed for a while; default groups and ACLs go with the VPC.
                if str(item.get("State", "")).lower() in ("deleted", "deleting") or item.get("IsDefault") \
                        or item.get("GroupName") == "default":
                    continue
                if rtype == "ec2-nat-gateway":  # its Elastic IP stays allocated unless released
                    for address in item.get("NatGatewayAddresses", []):
                        if address.get("AllocationId"):
                            self.child("ec2-elastic-ip", address["AllocationId"], layer_of(_tag_dict(item.get("Tags"))))
                if rtype == "ec2-route-table" and any(a.get("Main") for a in item.get("Associations", [])):
                    continue
                self.add(rtype, item[id_key], _tag_dict(item.get("Tags")), name=item.get("GroupName"), vpc=item.get("VpcId"),
                         attachments=item.get("Attachments"), associations=item.get("Associations"))
        # Security groups of the environment's VPC that AWS made for it (e.g. EKS's cluster group) carry
        # the cluster's tags, not the platform's: they go with the VPC when nothing else claims them.
        if in_vpcs:
            ours = {r["id"] for r in self.found if r["type"] == "ec2-security-group"}
            for group in self.paginate("ec2", "describe_security_groups", "SecurityGroups", Filters=in_vpcs):
                if group["GroupName"] != "default" and group["GroupId"] not in ours:
                    self.child("ec2-security-group", group["GroupId"], "foundation", name=group["GroupName"], vpc=group["VpcId"])

    def discover(self):
        self.find_network()
        self.find_kms()
        self.find_iam()
        self.find_logs()
        self.find_secrets()
        self.find_s3()
        self.find_dynamodb()
        self.find_backup()
        self.find_dax()
        self.find_messaging()
        self.find_ingestion()
        self.find_api()
        self.find_containers()
        self.find_observability()
        self.find_config_recorder({r["id"] for r in self.found if r["type"] == "s3-bucket"},
                                  set(self.role_arns.values()))
        return ordered(self.found)

    # --- deleters, one per resource type ------------------------------------------------
    def delete_resource(self, res, selected):
        if res["type"] == "ec2-security-group" and res["layer"] not in self.revoked_layers:
            # Groups whose rules name each other cannot be deleted one by one: revoke every rule of the
            # layer's groups first, as they are now (an earlier layer's deletes may have changed them,
            # e.g. deleting an EKS cluster deletes its group).
            self.revoked_layers.add(res["layer"])
            group_ids = [g["id"] for g in selected if g["type"] == "ec2-security-group" and g["layer"] == res["layer"]]
            for group in self.paginate("ec2", "describe_security_groups", "SecurityGroups",
                                       Filters=[{"Name": "group-id", "Values": group_ids}]):
                self.revoke_rules(group)
        getattr(self, "delete_" + res["type"].replace("-", "_"))(res)

    def revoke_rules(self, group):
        if group.get("IpPermissions"):
            self.delete("ec2", "revoke_security_group_ingress", GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
        if group.get("IpPermissionsEgress"):
            self.delete("ec2", "revoke_security_group_egress", GroupId=group["GroupId"],
                        IpPermissions=group["IpPermissionsEgress"])

    def delete_wafv2_web_acl(self, res):
        for arn in self.read("wafv2", "list_resources_for_web_acl", "ResourceArns", default=[], WebACLArn=res["id"],
                             ResourceType="API_GATEWAY"):
            self.delete("wafv2", "disassociate_web_acl", ResourceArn=arn)
        self.delete("wafv2", "delete_logging_configuration", ResourceArn=res["id"])
        acl = self.read("wafv2", "get_web_acl", None, Name=res["extra"]["acl_name"], Scope="REGIONAL", Id=res["extra"]["acl_id"])
        if acl:
            self.delete("wafv2", "delete_web_acl", Name=res["extra"]["acl_name"], Scope="REGIONAL",
                        Id=res["extra"]["acl_id"], LockToken=acl["LockToken"])

    def delete_cloudwatch_dashboard(self, res):
        self.delete("cloudwatch", "delete_dashboards", DashboardNames=[res["id"]])

    def delete_cloudwatch_alarm(self, res):
        self.delete("cloudwatch", "delete_alarms", AlarmNames=[res["id"]])

    def delete_config_rule(self, res):
        if self.read("config", "describe_remediation_configurations", "RemediationConfigurations", default=[],
                     ConfigRuleNames=[res["id"]]):
            self.delete("config", "delete_remediation_configuration", ConfigRuleName=res["id"])
        self.delete("config", "delete_config_rule", ConfigRuleName=res["id"])

    def delete_config_recorder(self, res):
        self.delete("config", "stop_configuration_recorder", ConfigurationRecorderName=res["id"])
        for channel in res["extra"]["channels"]:
            self.delete("config", "delete_delivery_channel", DeliveryChannelName=channel)
        self.delete("config", "delete_configuration_recorder", ConfigurationRecorderName=res["id"])

    def delete_cloudtrail_trail(self, res):
        self.delete("cloudtrail", "delete_trail", Name=res["id"])

    def delete_autoscaling_target(self, res):
        # The policies first: deleting a policy deletes the alarms Application Auto Scaling made for it.
        target = {"ServiceNamespace": res["extra"]["namespace"], "ResourceId": res["extra"]["resource_id"],
                  "ScalableDimension": res["extra"]["dimension"]}
        for policy in self.paginate("application-autoscaling", "describe_scaling_policies", "ScalingPolicies", **target):
            self.delete("application-autoscaling", "delete_scaling_policy", PolicyName=policy["PolicyName"], **target)
        self.delete("application-autoscaling", "deregister_scalable_target", **target)

    def delete_ecs_service(self, res):
        cluster = res["extra"]["cluster"]
        self.delete("ecs", "delete_service", cluster=cluster, service=res["id"], force=True)

        def drained():
            services = self.read("ecs", "describe_services", "services", default=[], cluster=cluster, services=[res["id"]])
            return all(s.get("status") == "INACTIVE" for s in services)
        self.wait(f"ECS service {res['name']}", drained)

    def delete_ecs_task_definition(self, res):
        self.delete("ecs", "deregister_task_definition", taskDefinition=res["id"])

    def delete_ecs_cluster(self, res):
        self.delete("ecs", "delete_cluster", cluster=res["id"])

    def delete_elbv2_load_balancer(self, res):
        self.delete("elbv2", "delete_load_balancer", LoadBalancerArn=res["id"])
        self.wait(f"load balancer {res['name']}", lambda: not self.read(
            "elbv2", "describe_load_balancers", "LoadBalancers", default=[], LoadBalancerArns=[res["id"]]))

    def delete_elbv2_target_group(self, res):
        self.delete("elbv2", "delete_target_group", TargetGroupArn=res["id"])

    def delete_eks_addon(self, res):
        extra = res["extra"]
        self.delete("eks", "delete_addon", clusterName=extra["cluster"], addonName=extra["addon"])
        self.wait(f"EKS add-on {res['id']}", lambda: not self.read(
            "eks", "describe_addon", "addon", clusterName=extra["cluster"], addonName=extra["addon"]))

    def delete_eks_fargate_profile(self, res):
        extra = res["extra"]
        self.delete("eks", "delete_fargate_profile", clusterName=extra["cluster"], fargateProfileName=extra["profile"])
        self.wait(f"Fargate profile {res['id']}", lambda: not self.read(
            "eks", "describe_fargate_profile", "fargateProfile", clusterName=extra["cluster"], fargateProfileName=extra["profile"]))

    def delete_eks_nodegroup(self, res):
        extra = res["extra"]
        self.delete("eks", "delete_nodegroup", clusterName=extra["cluster"], nodegroupName=extra["nodegroup"])
        self.wait(f"node group {res['id']}", lambda: not self.read(
            "eks", "describe_nodegroup", "nodegroup", clusterName=extra["cluster"], nodegroupName=extra["nodegroup"]))

    def delete_eks_cluster(self, res):
        self.delete("eks", "delete_cluster", name=res["id"])
        self.wait(f"EKS cluster {res['id']}", lambda: not self.read("eks", "describe_cluster", "cluster", name=res["id"]))

    def delete_ecr_repository(self, res):
        self.delete("ecr", "delete_repository", repositoryName=res["id"], force=True)

    def delete_apigateway_usage_plan(self, res):
        # A plan still attached to stages cannot be deleted: detach them first.
        operations = [{"op": "remove", "path": "/apiStages", "value": f"{s['apiId']}:{s['stage']}"} for s in res["extra"]["stages"]]
        if operations:
            self.delete("apigateway", "update_usage_plan", usagePlanId=res["id"], patchOperations=operations)
        self.delete("apigateway", "delete_usage_plan", usagePlanId=res["id"])

    def delete_apigateway_api_key(self, res):
        self.delete("apigateway", "delete_api_key", apiKey=res["id"])

    def delete_apigateway_rest_api(self, res):
        self.delete("apigateway", "delete_rest_api", restApiId=res["id"])  # its stages and deployments go with it

    def delete_apigateway_vpc_link(self, res):
        self.delete("apigateway", "delete_vpc_link", vpcLinkId=res["id"])

    def delete_cognito_user_pool(self, res):
        if res["extra"].get("domain"):
            self.delete("cognito-idp", "delete_user_pool_domain", UserPoolId=res["id"], Domain=res["extra"]["domain"])
        if res["extra"].get("deletion_protection"):
            self.delete("cognito-idp", "update_user_pool", UserPoolId=res["id"], DeletionProtection="INACTIVE")
        self.delete("cognito-idp", "delete_user_pool", UserPoolId=res["id"])

    def delete_cognito_identity_pool(self, res):
        self.delete("cognito-identity", "delete_identity_pool", IdentityPoolId=res["id"])

    def delete_lambda_event_source_mapping(self, res):
        self.delete("lambda", "delete_event_source_mapping", UUID=res["id"])

    def delete_lambda_function(self, res):
        self.delete("lambda", "delete_function", FunctionName=res["id"])

    def delete_firehose_delivery_stream(self, res):
        self.delete("firehose", "delete_delivery_stream", DeliveryStreamName=res["id"])

    def delete_kinesis_stream(self, res):
        self.delete("kinesis", "delete_stream", StreamName=res["id"], EnforceConsumerDeletion=True)

    def delete_sns_subscription(self, res):
        self.delete("sns", "unsubscribe", SubscriptionArn=res["id"])

    def delete_sns_topic(self, res):
        self.delete("sns", "delete_topic", TopicArn=res["id"])

    def delete_sqs_queue(self, res):
        self.delete("sqs", "delete_queue", QueueUrl=res["id"])

    def delete_dax_cluster(self, res):
        self.delete("dax", "delete_cluster", ClusterName=res["id"])

        def gone():
            clusters = self.read("dax", "describe_clusters", "Clusters", default=[], ClusterNames=[res["id"]])
            return not clusters
        self.wait(f"DAX cluster {res['id']}", gone)

    def delete_dax_subnet_group(self, res):
        self.delete("dax", "delete_subnet_group", SubnetGroupName=res["id"])

    def delete_dax_parameter_group(self, res):
        self.delete("dax", "delete_parameter_group", ParameterGroupName=res["id"])

    def delete_dynamodb_table(self, res):
        if res["extra"].get("deletion_protection"):
            self.delete("dynamodb", "update_table", TableName=res["id"], DeletionProtectionEnabled=False)
        self.delete("dynamodb", "delete_table", TableName=res["id"])

    def delete_backup_plan(self, res):
        for selection in self.paginate("backup", "list_backup_selections", "BackupSelectionsList", BackupPlanId=res["id"]):
            self.delete("backup", "delete_backup_selection", BackupPlanId=res["id"], SelectionId=selection["SelectionId"])
        self.delete("backup", "delete_backup_plan", BackupPlanId=res["id"])

    def delete_backup_vault(self, res):
        # A vault must be empty to be deleted; its recovery points go with the environment.
        points = self.paginate("backup", "list_recovery_points_by_backup_vault", "RecoveryPoints",
                               BackupVaultName=res["id"]) if res["extra"]["recovery_points"] else []
        for point in points:
            self.delete("backup", "delete_recovery_point", BackupVaultName=res["id"], RecoveryPointArn=point["RecoveryPointArn"])
        self.delete("backup", "delete_backup_vault", BackupVaultName=res["id"])

    def delete_s3_bucket(self, res):
        if res["extra"].get("objects"):
            for key in ("Versions", "DeleteMarkers"):
                entries = self.paginate("s3", "list_object_versions", key, Bucket=res["id"])
                for start in range(0, len(entries), 1000):
                    batch = [{"Key": e["Key"], "VersionId": e["VersionId"]} for e in entries[start:start + 1000]]
                    self.delete("s3", "delete_objects", Bucket=res["id"], Delete={"Objects": batch, "Quiet": True})
        self.delete("s3", "delete_bucket", Bucket=res["id"])

    def delete_secretsmanager_secret(self, res):
        window = self.params["secret_recovery_window_days"]
        options = {"ForceDeleteWithoutRecovery": True} if window == 0 else {"RecoveryWindowInDays": window}
        self.delete("secretsmanager", "delete_secret", SecretId=res["id"], **options)

    def delete_logs_log_group(self, res):
        self.delete("logs", "delete_log_group", logGroupName=res["id"])

    def delete_ec2_flow_log(self, res):
        self.delete("ec2", "delete_flow_logs", FlowLogIds=[res["id"]])

    def delete_ec2_vpc_endpoint(self, res):
        self.delete("ec2", "delete_vpc_endpoints", VpcEndpointIds=[res["id"]])

    def delete_ec2_nat_gateway(self, res):
        self.delete("ec2", "delete_nat_gateway", NatGatewayId=res["id"])

        def gone():
            gateways = self.read("ec2", "describe_nat_gateways", "NatGateways", default=[], NatGatewayIds=[res["id"]])
            return all(g["State"] == "deleted" for g in gateways)
        self.wait(f"NAT gateway {res['id']}", gone)

    def delete_ec2_elastic_ip(self, res):
        self.delete("ec2", "release_address", AllocationId=res["id"])

    def delete_ec2_internet_gateway(self, res):
        for attachment in res["extra"].get("attachments") or []:
            self.delete("ec2", "detach_internet_gateway", InternetGatewayId=res["id"], VpcId=attachment["VpcId"])
        self.delete("ec2", "delete_internet_gateway", InternetGatewayId=res["id"])

    def delete_ec2_security_group(self, res):
        # Lambda in a VPC releases its network interfaces some minutes after the function is deleted;
        # interfaces already released ("available") are deleted here.
        def interfaces_gone():
            busy = 0
            for interface in self.paginate("ec2", "describe_network_interfaces", "NetworkInterfaces",
                                           Filters=[{"Name": "group-id", "Values": [res["id"]]}]):
                if interface.get("Status") == "available":
                    self.delete("ec2", "delete_network_interface", NetworkInterfaceId=interface["NetworkInterfaceId"])
                else:
                    busy += 1
            return busy == 0
        self.wait(f"the network interfaces of security group {res['name']}", interfaces_gone)
        self.delete("ec2", "delete_security_group", GroupId=res["id"])

    def delete_ec2_subnet(self, res):
        self.delete("ec2", "delete_subnet", SubnetId=res["id"])

    def delete_ec2_route_table(self, res):
        for association in res["extra"].get("associations") or []:
            if association.get("RouteTableAssociationId") and not association.get("Main"):
                self.delete("ec2", "disassociate_route_table", AssociationId=association["RouteTableAssociationId"])
        self.delete("ec2", "delete_route_table", RouteTableId=res["id"])

    def delete_ec2_network_acl(self, res):
        # A network ACL that subnets use cannot be deleted: give them back the VPC's default ACL first.
        acls = self.read("ec2", "describe_network_acls", "NetworkAcls", default=[], NetworkAclIds=[res["id"]])
        associations = [a["NetworkAclAssociationId"] for acl in acls for a in acl.get("Associations", [])]
        if associations:
            default = self.call("ec2", "describe_network_acls", Filters=[
                {"Name": "vpc-id", "Values": [res["extra"]["vpc"]]}, {"Name": "default", "Values": ["true"]}])["NetworkAcls"]
            for association in associations:
                self.delete("ec2", "replace_network_acl_association", AssociationId=association,
                            NetworkAclId=default[0]["NetworkAclId"])
        self.delete("ec2", "delete_network_acl", NetworkAclId=res["id"])

    def delete_ec2_vpc(self, res):
        self.delete("ec2", "delete_vpc", VpcId=res["id"])

    def delete_iam_openid_connect_provider(self, res):
        self.delete("iam", "delete_open_id_connect_provider", OpenIDConnectProviderArn=res["id"])

    def delete_iam_role(self, res):
        name = res["id"]
        for profile in self.paginate("iam", "list_instance_profiles_for_role", "InstanceProfiles", RoleName=name):
            self.delete("iam", "remove_role_from_instance_profile", InstanceProfileName=profile["InstanceProfileName"], RoleName=name)
            self.delete("iam", "delete_instance_profile", InstanceProfileName=profile["InstanceProfileName"])
        for policy in self.paginate("iam", "list_attached_role_policies", "AttachedPolicies", RoleName=name):
            self.delete("iam", "detach_role_policy", RoleName=name, PolicyArn=policy["PolicyArn"])
        for policy_name in self.paginate("iam", "list_role_policies", "PolicyNames", RoleName=name):
            self.delete("iam", "delete_role_policy", RoleName=name, PolicyName=policy_name)
        self.delete("iam", "delete_role", RoleName=name)

    def delete_iam_policy(self, res):
        for version in self.paginate("iam", "list_policy_versions", "Versions", PolicyArn=res["id"]):
            if not version["IsDefaultVersion"]:
                self.delete("iam", "delete_policy_version", PolicyArn=res["id"], VersionId=version["VersionId"])
        self.delete("iam", "delete_policy", PolicyArn=res["id"])

    def delete_kms_key(self, res):
        for alias in res["extra"]["aliases"]:
            self.delete("kms", "delete_alias", AliasName=alias)
        self.delete("kms", "schedule_key_deletion", KeyId=res["id"], PendingWindowInDays=self.params["kms_deletion_window_days"])

    # --- run ----------------------------------------------------------------------------
    def run(self):
        layers = select_layers(self.params["layers"])
        selected = [r for r in self.discover() if r["layer"] in layers]
        stops = blockers(selected, self.params["empty_buckets"], self.params["disable_deletion_protection"])
        listed = [label(r) for r in selected]
        by_layer = {layer: [label(r) for r in selected if r["layer"] == layer] for layer in layers}
        counts = {layer: len(labels) for layer, labels in by_layer.items()}
        result = {"resources": listed, "blockers": stops, "counts": counts, "by_layer": by_layer,
                  "diff": {"before": "\n".join(listed) + ("\n" if listed else ""), "after": ""}}
        if self.params["plan_only"]:
            return dict(result, changed=False)
        if stops:
            self.module.fail_json(msg="refusing to tear down, nothing was deleted: " + "; ".join(stops), **result)
        if not self.module.check_mode:
            for layer in layers:  # reverse layer order, then dependency order inside each
                for res in selected:
                    if res["layer"] == layer:
                        self.delete_resource(res, selected)
        return dict(result, changed=bool(selected))


def main():
    argument_spec = dict(
        scope_tags=dict(type="dict", required=True),
        layers=dict(type="list", elements="str", required=True,
                    choices=["observability", "containers", "api", "ingestion", "messaging", "data", "foundation"]),
        plan_only=dict(type="bool", default=False),
        empty_buckets=dict(type="bool", default=False),
        disable_deletion_protection=dict(type="bool", default=False),
        kms_deletion_window_days=dict(type="int", default=7),
        secret_recovery_window_days=dict(type="int", default=7),
        wait_timeout=dict(type="int", default=1200),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    if not module.params["scope_tags"]:
        module.fail_json(msg="scope_tags must not be empty: they say which resources are the environment's")
    if not 7 <= module.params["kms_deletion_window_days"] <= 30:
        module.fail_json(msg="kms_deletion_window_days must be 7 to 30")
    window = module.params["secret_recovery_window_days"]
    if window != 0 and not 7 <= window <= 30:
        module.fail_json(msg="secret_recovery_window_days must be 0 (no recovery) or 7 to 30")
    module.exit_json(**Teardown(module).run())


if __name__ == "__main__":
    main()
