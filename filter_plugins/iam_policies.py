"""Least-privilege IAM documents generated from what a component declares.

A component (see group_vars/all/components.yml) declares the AWS service that
assumes its role, the platform resources it touches with an access level, and
the platform KMS keys (by purpose) it uses. This module turns that into:

- a trust policy for the service, limited to this account (confused deputy);
- an inline policy with named actions only (never a wildcard action), each
  statement scoped to the ARNs of the platform resources it names.
"""

from ansible.errors import AnsibleFilterError

# resource type -> (ARN template, extra ARN templates, {level: [actions]})
# Templates see: partition, region, account, name.
ACCESS = {
    "kinesis_stream": (
        "arn:{partition}:kinesis:{region}:{account}:stream/{name}", [],
        {
            "read": ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                     "kinesis:GetShardIterator", "kinesis:ListShards"],
            "consume": ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                        "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard"],
            "write": ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:DescribeStreamSummary",
                      "kinesis:ListShards"],
        },
    ),
    "dynamodb_table": (
        "arn:{partition}:dynamodb:{region}:{account}:table/{name}",
        ["arn:{partition}:dynamodb:{region}:{account}:table/{name}/index/*",
         "arn:{partition}:dynamodb:{region}:{account}:table/{name}/backup/*"],
        {
            "read": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
                     "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem"],
            "write": ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                      "dynamodb:BatchWriteItem", "dynamodb:DescribeTable"],
            "read_write": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
                           "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem", "dynamodb:PutItem",
                           "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
            # What AWS Backup's role needs to back a table up (no item access).
            "backup": ["dynamodb:DescribeTable", "dynamodb:CreateBackup", "dynamodb:DescribeBackup",
                       "dynamodb:DeleteBackup", "dynamodb:ListTagsOfResource", "dynamodb:StartAwsBackupJob"],
        },
    ),
    "dynamodb_stream": (
        "arn:{partition}:dynamodb:{region}:{account}:table/{name}/stream/*", [],
        {
            "consume": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                        "dynamodb:ListStreams"],
        },
    ),
    "sqs_queue": (
        "arn:{partition}:sqs:{region}:{account}:{name}", [],
        {
            "send": ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
            "consume": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                        "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
        },
    ),
    "sns_topic": (
        "arn:{partition}:sns:{region}:{account}:{name}", [],
        {"publish": ["sns:Publish"]},
    ),
    "s3_bucket": (
        "arn:{partition}:s3:::{name}/*", [],
        {
            "read": ["s3:GetObject"],
            "write": ["s3:PutObject", "s3:AbortMultipartUpload"],
            "read_write": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            # What Firehose documents for its S3 destination role.
            "deliver": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
        },
    ),
    "log_group": (
        "arn:{partition}:logs:{region}:{account}:log-group:{name}:*", [],
        {
            "write": ["logs:CreateLogStream", "logs:PutLogEvents"],
            # What the VPC flow logs service documents for its delivery role.
            "deliver": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups",
                        "logs:DescribeLogStreams"],
        },
    ),
    "secret": (
        "arn:{partition}:secretsmanager:{region}:{account}:secret:{name}-*", [],
        {"read": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]},
    ),
    # A DAX cluster's item API (the DAX client talks to the cluster, not to DynamoDB).
    "dax_cluster": (
        "arn:{partition}:dax:{region}:{account}:cache/{name}", [],
        {
            "read": ["dax:GetItem", "dax:BatchGetItem", "dax:Query", "dax:Scan", "dax:ConditionCheckItem"],
            "read_write": ["dax:GetItem", "dax:BatchGetItem", "dax:Query", "dax:Scan", "dax:ConditionCheckItem",
                           "dax:PutItem", "dax:UpdateItem", "dax:DeleteItem", "dax:BatchWriteItem"],
        },
    ),
    # An ECR repository's images, as the ECS task execution role pulls them (AWS's
    # AmazonECSTaskExecutionRolePolicy, limited to one repository). The pull level also
    # grants ecr:GetAuthorizationToken, on "*" (see UNSCOPED_ACTIONS).
    "ecr_repository": (
        "arn:{partition}:ecr:{region}:{account}:repository/{name}", [],
        {"pull": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]},
    ),
    # What Lambda needs to attach a function to the VPC named `name` (the network role's
    # network_name): the actions of the AWSLambdaVPCAccessExecutionRole managed policy,
    # without its logs actions (the log_group access grants those, on one group only).
    # The statements are built by _vpc_network_interface_statements; the template is the
    # network interfaces Lambda creates.
    "vpc_network_interfaces": (
        "arn:{partition}:ec2:{region}:{account}:network-interface/*", [],
        {
            "attach": ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
                       "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
                       "ec2:UnassignPrivateIpAddresses"],
        },
    ),
}

# Bucket-level actions (on the bucket ARN, not its objects) by s3_bucket level.
S3_BUCKET_ACTIONS = {
    "read": ["s3:ListBucket"],
    "read_write": ["s3:ListBucket"],
    "deliver": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
}

KMS_ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]

# The only actions that may have Resource "*": they have no resource-level permissions
# in their service's authorization (an ARN there would never match).
# - ec2:Describe*: read-only.
# - ecr:GetAuthorizationToken: returns a registry login token; which images it can pull
#   is still decided per repository by BatchGetImage/GetDownloadUrlForLayer.
UNSCOPED_ACTIONS = {"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ecr:GetAuthorizationToken"}
# Statements added on "*" next to an access level that needs them.
UNSCOPED_BY_LEVEL = {("ecr_repository", "pull"): ["ecr:GetAuthorizationToken"]}


def _vpc_network_interface_statements(name, partition, region, account):
    """Lambda's VPC access, as tight as EC2's authorization allows.

    - Describe* support no resource-level permissions: Resource "*" (read-only).
    - CreateNetworkInterface is authorized on the new interface AND on the subnet and
      security groups it is made in. The VPC's id is not known when the roles are made
      (IAM runs before the network role), so the subnets and security groups are
      matched by the Name tag the network role gives each of them ("<name>-..."):
      an interface can be made only in this platform's subnets, with its groups.
      The new interface itself has no id or tag yet: it is limited to this account
      and region.
    - Delete/Assign/UnassignPrivateIpAddresses act on interfaces Lambda made, which
      carry no tag of ours; Lambda documents that DeleteNetworkInterface must allow all
      of the function's interface ids, so they are limited to this account's and
      region's network interfaces.
    """
    ec2 = f"arn:{partition}:ec2:{region}:{account}"
    sid = _statement_id(name)
    return [
        {
            "Sid": f"DescribeVpcNetwork{sid}",
            "Effect": "Allow",
            "Action": ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
            "Resource": ["*"],
        },
        {
            "Sid": f"CreateNetworkInterface{sid}",
            "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface"],
            "Resource": [f"{ec2}:network-interface/*"],
        },
        {
            "Sid": f"CreateNetworkInterfaceIn{sid}",
            "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface"],
            "Resource": [f"{ec2}:subnet/*", f"{ec2}:security-group/*"],
            "Condition": {"StringLike": {"aws:ResourceTag/Name": f"{name}-*"}},
        },
        {
            "Sid": f"ManageNetworkInterfaces{sid}",
            "Effect": "Allow",
            "Action": ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
            "Resource": [f"{ec2}:network-interface/*"],
        },
    ]


def _statement_id(text):
    return "".join(part.capitalize() for part in text.replace("/", "-").replace(".", "-").replace("_", "-").split("-") if part)


def iam_component_errors(components, key_purposes):
    """Every rule the declared components break, as 'variable: rule' messages."""
    errors = []
    names = [c.get("name") for c in components]
    for name in {n for n in names if names.count(n) > 1}:
        errors.append(f"iam_components: component '{name}' is declared twice")
    for component in components:
        name = component.get("name", "?")
        if not component.get("service", "").endswith(".amazonaws.com"):
            errors.append(f"iam_components: '{name}' service must be an AWS service principal (*.amazonaws.com)")
        for grant in component.get("access", []):
            kind, level = grant.get("type"), grant.get("level")
            if kind not in ACCESS:
                errors.append(f"iam_components: '{name}' access type '{kind}' is unknown; known: {sorted(ACCESS)}")
            elif level not in ACCESS[kind][2]:
                errors.append(f"iam_components: '{name}' access level '{level}' is not valid for {kind}; valid: {sorted(ACCESS[kind][2])}")
            if not grant.get("name"):
                errors.append(f"iam_components: '{name}' access to {kind} has no resource name")
        for purpose in component.get("kms_keys", []):
            if purpose not in key_purposes:
                errors.append(f"iam_components: '{name}' uses KMS key '{purpose}', which kms_keys does not declare; declared: {sorted(key_purposes)}")
    return errors


def iam_trust_policy(component, account):
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": component["service"]},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": str(account)}},
        }],
    }


def iam_component_policy(component, account, region, partition="aws", key_alias_prefix=""):
    """The component's inline policy: one statement per resource access."""
    statements = []
    for grant in component.get("access", []):
        kind, level, name = grant["type"], grant["level"], grant["name"]
        arn, extra, levels = ACCESS[kind]
        if kind == "vpc_network_interfaces":
            statements.extend(_vpc_network_interface_statements(name, partition, region, account))
            continue
        fields = dict(partition=partition, region=region, account=account, name=name)
        resources = [t.format(**fields) for t in [arn] + extra]
        if kind == "s3_bucket" and level in S3_BUCKET_ACTIONS:
            statements.append({
                "Sid": _statement_id(f"{level}-bucket-{name}"),
                "Effect": "Allow",
                "Action": list(S3_BUCKET_ACTIONS[level]),
                "Resource": [f"arn:{partition}:s3:::{name}"],
            })
        statements.append({
            "Sid": _statement_id(f"{level}-{kind}-{name}"),
            "Effect": "Allow",
            "Action": list(levels[level]),
            "Resource": resources,
        })
        unscoped = UNSCOPED_BY_LEVEL.get((kind, level))
        if unscoped and not any(s["Resource"] == ["*"] and s["Action"] == unscoped for s in statements):
            statements.append({
                "Sid": _statement_id(f"{level}-{kind}-authorization"),
                "Effect": "Allow",
                "Action": list(unscoped),
                "Resource": ["*"],
            })
    if component.get("kms_keys"):
        # Key ids are random, so the keys are named by alias: the role may use
        # a key only while it carries one of the platform's aliases for it.
        aliases = [f"alias/{key_alias_prefix}{purpose}" for purpose in component["kms_keys"]]
        statements.append({
            "Sid": "UsePlatformKeys",
            "Effect": "Allow",
            "Action": list(KMS_ACTIONS),
            "Resource": [f"arn:{partition}:kms:{region}:{account}:key/*"],
            "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": aliases}},
        })
    for statement in statements:
        wild = [a for a in statement["Action"] if "*" in a]
        if wild:
            raise AnsibleFilterError(f"iam_components: '{component['name']}' would get wildcard actions {wild}")
        unscoped = sorted(set(statement["Action"]) - UNSCOPED_ACTIONS)
        if "*" in statement["Resource"] and unscoped:
            raise AnsibleFilterError(f"iam_components: '{component['name']}' would get {unscoped} on every resource")
    return {"Version": "2012-10-17", "Statement": statements}


def iam_role_arn(component, account, role_prefix, partition="aws"):
    return f"arn:{partition}:iam::{account}:role/{role_prefix}{component['name']}"


def iam_key_users(components, purpose, account, role_prefix, partition="aws"):
    """ARNs of the component roles that declare the KMS key `purpose`."""
    return sorted(iam_role_arn(c, account, role_prefix, partition)
                  for c in components if purpose in c.get("kms_keys", []))


class FilterModule:
    def filters(self):
        return {
            "iam_component_errors": iam_component_errors,
            "iam_trust_policy": iam_trust_policy,
            "iam_component_policy": iam_component_policy,
            "iam_key_users": iam_key_users,
            "iam_role_arn": iam_role_arn,
        }
