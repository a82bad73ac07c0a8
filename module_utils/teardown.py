# -*- coding: utf-8 -*-
# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The teardown's decisions, without AWS calls: which resources belong to the environment,
to which layer, in which order they go, and what blocks a teardown.
library/platform_teardown.py reads the live environment and deletes what these functions select.
"""

# Layers in the order a teardown removes them (the reverse of site.yml).
LAYERS = ("observability", "containers", "api", "ingestion", "messaging", "data", "foundation")

# Resource types in deletion order: a resource goes before whatever it depends on
# (a web ACL before the stages it protects, services before their cluster, functions
# before their roles, everything in a VPC before the VPC, keys last).
ORDER = (
    "wafv2-web-acl",
    "cloudwatch-dashboard",
    "cloudwatch-alarm",
    "config-rule",
    "config-recorder",
    "cloudtrail-trail",
    "autoscaling-target",
    "ecs-service",
    "ecs-task-definition",
    "ecs-cluster",
    "elbv2-load-balancer",
    "elbv2-target-group",
    "eks-addon",
    "eks-fargate-profile",
    "eks-nodegroup",
    "eks-cluster",
    "ecr-repository",
    "apigateway-usage-plan",
    "apigateway-api-key",
    "apigateway-rest-api",
    "apigateway-vpc-link",
    "cognito-user-pool",
    "cognito-identity-pool",
    "lambda-event-source-mapping",
    "lambda-function",
    "firehose-delivery-stream",
    "kinesis-stream",
    "sns-subscription",
    "sns-topic",
    "sqs-queue",
    "dax-cluster",
    "dax-subnet-group",
    "dax-parameter-group",
    "dynamodb-table",
    "backup-plan",
    "backup-vault",
    "s3-bucket",
    "secretsmanager-secret",
    "logs-log-group",
    "ec2-flow-log",
    "ec2-vpc-endpoint",
    "ec2-nat-gateway",
    "ec2-elastic-ip",
    "ec2-internet-gateway",
    "ec2-security-group",
    "ec2-network-acl",
    "ec2-route-table",
    "ec2-subnet",
    "ec2-vpc",
    "iam-openid-connect-provider",
    "iam-role",
    "iam-policy",
    "kms-key",
)

# A resource that carries the environment's tags but no Layer tag goes with the last layer.
DEFAULT_LAYER = LAYERS[-1]


def tags_match(tags, scope_tags):
    """True when tags (a dict) carry every key and value of scope_tags."""
    tags = tags or {}
    return bool(scope_tags) and all(tags.get(key) == value for key, value in scope_tags.items())


def layer_of(tags):
    layer = (tags or {}).get("Layer")
    return layer if layer in LAYERS else DEFAULT_LAYER


def resource(rtype, rid, layer, name=None, **extra):
    """One resource to delete: its type, its id (ARN, name or AWS id), its layer and what the deleter needs."""
    return {"type": rtype, "id": rid, "name": name or rid, "layer": layer, "extra": extra}


def ordered(resources):
    """Resources in deletion order: by type (ORDER), then by id, so a run is predictable."""
    rank = {rtype: index for index, rtype in enumerate(ORDER)}
    return sorted(resources, key=lambda r: (rank.get(r["type"], len(ORDER)), r["id"]))


def label(res):
    return f"{res['type']} {res['name']}" if res["name"] == res["id"] else f"{res['type']} {res['name']} ({res['id']})"


def blockers(resources, empty_buckets, disable_deletion_protection):
    """Why the teardown must stop before deleting anything: one line per offending resource,
    naming the variable that allows it."""
    found = []
    for res in ordered(resources):
        extra = res["extra"]
        if res["type"] == "s3-bucket" and extra.get("objects") and not empty_buckets:
            found.append(f"bucket {res['name']} holds {extra['objects']} object versions or delete markers"
                         " (teardown_empty_buckets: true deletes them)")
        if res["type"] == "dynamodb-table" and extra.get("deletion_protection") and not disable_deletion_protection:
            found.append(f"table {res['name']} has deletion protection on"
                         " (teardown_disable_deletion_protection: true turns it off)")
        if res["type"] == "cognito-user-pool" and extra.get("deletion_protection") and not disable_deletion_protection:
            found.append(f"user pool {res['name']} has deletion protection on"
                         " (teardown_disable_deletion_protection: true turns it off)")
    return found


def select_layers(requested):
    """The requested layers in teardown order; unknown names raise ValueError."""
    unknown = sorted(set(requested) - set(LAYERS))
    if unknown:
        raise ValueError(f"unknown layers {unknown}; layers are {list(LAYERS)}")
    return [layer for layer in LAYERS if layer in requested]
