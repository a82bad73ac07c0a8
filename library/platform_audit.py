#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: platform_audit
short_description: Audit the platform's live AWS resources for security findings
description:
  - Reads the live environment (read calls only) and returns a finding for every platform
    resource that breaks one of the platform's security promises.
  - A resource is in scope when its name matches one of O(name_patterns), or when it carries
    every tag in O(scope_tags). Everything else in the account is ignored.
  - V(iam) checks every inline and attached (customer or AWS managed) policy of every platform
    IAM role; no administrator rights, no wildcard or NotAction actions, and no write action on
    Resource C(*) unless it is one of O(unscoped_actions) or a condition narrows it.
  - V(encryption) checks that DynamoDB tables, Kinesis streams, SQS queues, SNS topics, S3 buckets,
    CloudWatch Logs log groups, Secrets Manager secrets, ECR repositories and EKS cluster secrets
    are encrypted with a customer managed KMS key. The buckets in O(sse_s3_buckets) may use SSE-S3 instead.
    DAX clusters must have encryption at rest on (DAX supports only an AWS owned key).
  - V(buckets) checks that every bucket blocks public access (all four settings), has a policy
    statement that denies requests with C(aws:SecureTransport=false), and has no policy statement
    that allows everyone without a condition.
  - V(security_groups) checks that no security group allows ingress from C(0.0.0.0/0) or C(::/0),
    except where O(open_ingress) declares it.
  - The module never changes anything; it runs in check mode as in a normal run.
author:
  - Ansible toolkit contributors
options:
  checks:
    description:
      - The groups of checks to run.
    type: list
    elements: str
    choices: ["iam", "encryption", "buckets", "security_groups"]
    default: ["iam", "encryption", "buckets", "security_groups"]
  name_patterns:
    description:
      - Shell-style patterns (C(*) matches any text, including C(/)) of the names of platform
        resources, for example V(rtap-prod-*) or V(/aws/*rtap-prod-*).
    type: list
    elements: str
    default: []
  scope_tags:
    description:
      - Tags that together mark a resource as the platform's, whatever its name.
      - Empty to scope by name only.
    type: dict
    default: {}
  unscoped_actions:
    description:
      - IAM actions that may be allowed on Resource C(*) because their service has no
        resource-level permissions for them.
    type: list
    elements: str
    default: []
  accepted_managed_policies:
    description:
      - AWS managed policies that AWS requires on a service's role and whose unscoped write actions
        are accepted on the roles named, for example V(AmazonEKSClusterPolicy) on the EKS cluster role.
      - Their findings are returned in RV(accepted), not in RV(findings). Administrator policies are
        never accepted.
    type: list
    elements: dict
    default: []
    suboptions:
      role:
        description: Shell-style pattern of the role's name.
        type: str
        required: true
      policy:
        description: Name of the AWS managed policy.
        type: str
        required: true
      reason:
        description: Why the policy is needed, shown beside each accepted finding.
        type: str
        required: true
  sse_s3_buckets:
    description:
      - Buckets that may use SSE-S3 (AES256) default encryption instead of a customer managed key,
        for example the server access log bucket (S3 server access logging does not support SSE-KMS).
    type: list
    elements: str
    default: []
  open_ingress:
    description:
      - Security group ingress from C(0.0.0.0/0) or C(::/0) that is allowed.
    type: list
    elements: dict
    default: []
    suboptions:
      group:
        description: Shell-style pattern of the security group's name.
        type: str
      tags:
        description: Tags the security group must carry.
        type: dict
        default: {}
      protocol:
        description: IP protocol of the rule.
        type: str
        default: tcp
      ports:
        description: Ports that may be open; the rule's whole port range must be in this list.
        type: list
        elements: int
        required: true
notes:
  - Every call is a read (Describe, Get, List); the AWS client retries throttled calls with jittered backoff.
  - A key is customer managed when KMS DescribeKey returns C(KeyManager=CUSTOMER).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: Audit the prod platform
  platform_audit:
    name_patterns: ["rtap-prod-*", "/aws/*rtap-prod-*", "/rtap/prod/*"]
    scope_tags: {Environment: prod, ManagedBy: ansible-platform-toolkit}
    unscoped_actions: [ec2:DescribeNetworkInterfaces, ec2:DescribeSubnets, ecr:GetAuthorizationToken]
    sse_s3_buckets: [rtap-prod-logs]
    open_ingress:
      - {group: rtap-prod-alb, ports: [443]}
  register: audit

- name: Fail on any finding
  ansible.builtin.assert:
    that: audit.findings | length == 0
"""

RETURN = r"""
findings:
  description: One entry per problem found, sorted by check and resource.
  returned: always
  type: list
  elements: dict
  contains:
    check:
      description: The check that failed, for example V(encryption-customer-key).
      returned: always
      type: str
      sample: encryption-customer-key
    severity:
      description: V(low), V(medium), V(high) or V(critical).
      returned: always
      type: str
      sample: high
    resource:
      description: The resource; C(type) (CloudFormation type name), C(name) and, where known, C(arn).
      returned: always
      type: dict
      sample: {"type": "AWS::SQS::Queue", "name": "rtap-prod-orders", "arn": "arn:aws:sqs:eu-west-1:123456789012:rtap-prod-orders"}
    detail:
      description: What is wrong.
      returned: always
      type: str
      sample: not encrypted with a KMS key
accepted:
  description: >-
    Findings on AWS managed policies declared in O(accepted_managed_policies), each with the C(reason)
    it is accepted; they do not count as findings.
  returned: always
  type: list
  elements: dict
  sample: [{"check": "iam-unscoped-write", "severity": "high", "reason": "EKS requires it on the cluster role",
            "resource": {"type": "AWS::IAM::Role", "name": "rtap-prod-eks-cluster"},
            "detail": "managed policy arn:aws:iam::aws:policy/AmazonEKSClusterPolicy: ..."}]
counts:
  description: Number of findings per check.
  returned: always
  type: dict
  sample: {"encryption-customer-key": 1}
resources_checked:
  description: Number of platform resources checked, per resource type.
  returned: always
  type: dict
  sample: {"AWS::SQS::Queue": 4}
"""

import fnmatch

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible.module_utils.platform_audit import ADMIN_POLICY_NAMES
from ansible.module_utils.platform_audit import denies_insecure_transport
from ansible.module_utils.platform_audit import finding
from ansible.module_utils.platform_audit import in_scope
from ansible.module_utils.platform_audit import ingress_allowed
from ansible.module_utils.platform_audit import open_ingress
from ansible.module_utils.platform_audit import policy_findings
from ansible.module_utils.platform_audit import port_text
from ansible.module_utils.platform_audit import public_statements
from ansible.module_utils.platform_audit import summarize

ENCRYPTION = "encryption-customer-key"


@AWSRetry.jittered_backoff()
def _full_result(paginator, kwargs):
    return paginator.paginate(**kwargs).build_full_result()


class Auditor:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.findings = []
        self.accepted = []
        self.checked = {}
        self._clients = {}
        self._key_managers = {}
        self.region = None
        self.partition = "aws"

    # --- plumbing -----------------------------------------------------------------------
    def client(self, service):
        if service not in self._clients:
            self._clients[service] = self.module.client(service, retry_decorator=AWSRetry.jittered_backoff())
        return self._clients[service]

    def call(self, service, operation, **kwargs):
        try:
            return getattr(self.client(service), operation)(aws_retry=True, **kwargs)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"{service} {operation} failed")

    def paginate(self, service, operation, key, **kwargs):
        try:
            return _full_result(self.client(service).get_paginator(operation), kwargs).get(key, [])
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"{service} {operation} failed")

    def scoped(self, name, tags_getter):
        """In scope by name, else by tags (read only when the name does not decide)."""
        if in_scope(name, {}, self.params["name_patterns"], {}):
            return True
        if not self.params["scope_tags"]:
            return False
        return in_scope(name, tags_getter(), [], self.params["scope_tags"])

    def count(self, resource_type):
        self.checked[resource_type] = self.checked.get(resource_type, 0) + 1

    def add(self, check, severity, resource_type, name, detail, arn=None):
        self.findings.append(finding(check, severity, resource_type, name, detail, arn))

    def key_manager(self, key_id):
        """CUSTOMER or AWS for a key id, ARN, alias name or alias ARN; None when it cannot be read."""
        if key_id not in self._key_managers:
            try:
                meta = self.client("kms").describe_key(aws_retry=True, KeyId=key_id)["KeyMetadata"]
                self._key_managers[key_id] = meta.get("KeyManager")
            except is_boto3_error_code(["NotFoundException", "AccessDeniedException"]):
                self._key_managers[key_id] = None
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
                self.module.fail_json_aws(e, msg=f"kms describe_key {key_id} failed")
        return self._key_managers[key_id]

    def check_key(self, resource_type, name, arn, key_id, what="encrypted", missing=None):
        """A finding unless key_id names a customer managed key."""
        if not key_id:
            self.add(ENCRYPTION, "high", resource_type, name, missing or f"not {what} with a KMS key", arn)
            return
        if key_id.split(":")[-1].startswith("alias/aws/"):  # AWS reserves alias/aws/* for its managed keys
            self.add(ENCRYPTION, "high", resource_type, name,
                     f"{what} with the AWS managed key {key_id}, not a customer managed key", arn)
            return
        manager = self.key_manager(key_id)
        if manager is None:
            self.add(ENCRYPTION, "high", resource_type, name, f"{what} with key {key_id}, which cannot be described", arn)
        elif manager != "CUSTOMER":
            self.add(ENCRYPTION, "high", resource_type, name,
                     f"{what} with the AWS managed key {key_id}, not a customer managed key", arn)

    # --- IAM ----------------------------------------------------------------------------
    def audit_iam(self):
        unscoped = self.params["unscoped_actions"]
        for role in self.paginate("iam", "list_roles", "Roles"):
            name = role["RoleName"]
            if not self.scoped(name, lambda n=name: boto3_tag_list_to_ansible_dict(
                    self.paginate("iam", "list_role_tags", "Tags", RoleName=n))):
                continue
            self.count("AWS::IAM::Role")
            for policy_name in self.paginate("iam", "list_role_policies", "PolicyNames", RoleName=name):
                document = self.call("iam", "get_role_policy", RoleName=name, PolicyName=policy_name)["PolicyDocument"]
                for check, severity, detail in policy_findings(document, unscoped):
                    self.add(check, severity, "AWS::IAM::Role", name, f"inline policy {policy_name}: {detail}", role["Arn"])
            for attached in self.paginate("iam", "list_attached_role_policies", "AttachedPolicies", RoleName=name):
                policy_arn, policy_name = attached["PolicyArn"], attached["PolicyName"]
                if policy_name in ADMIN_POLICY_NAMES and ":iam::aws:policy/" in policy_arn:
                    self.add("iam-admin-rights", "critical", "AWS::IAM::Role", name,
                             f"AWS managed policy {policy_name} is attached", role["Arn"])
                    continue
                version = self.call("iam", "get_policy", PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
                document = self.call("iam", "get_policy_version", PolicyArn=policy_arn,
                                     VersionId=version)["PolicyVersion"]["Document"]
                reason = self.accepted_reason(name, policy_arn, policy_name)
                for check, severity, detail in policy_findings(document, unscoped):
                    self.add(check, severity, "AWS::IAM::Role", name, f"managed policy {policy_arn}: {detail}", role["Arn"])
                    if reason:
                        self.accepted.append(dict(self.findings.pop(), reason=reason))

    def accepted_reason(self, role_name, policy_arn, policy_name):
        """Why an AWS managed policy is accepted on this role, or None."""
        if ":iam::aws:policy/" not in policy_arn:
            return None
        for accepted in self.params["accepted_managed_policies"]:
            if accepted["policy"] == policy_name and fnmatch.fnmatchcase(role_name, accepted["role"]):
                return accepted["reason"]
        return None

    # --- encryption ---------------------------------------------------------------------
    def audit_dynamodb(self):
        for table in self.paginate("dynamodb", "list_tables", "TableNames"):
            described = self.call("dynamodb", "describe_table", TableName=table)["Table"]
            arn = described["TableArn"]
            if not self.scoped(table, lambda a=arn: boto3_tag_list_to_ansible_dict(
                    self.call("dynamodb", "list_tags_of_resource", ResourceArn=a).get("Tags", []))):
                continue
            self.count("AWS::DynamoDB::Table")
            sse = described.get("SSEDescription") or {}
            key = sse.get("KMSMasterKeyArn") if sse.get("Status") in ("ENABLED", "UPDATING") else None
            self.check_key("AWS::DynamoDB::Table", table, arn, key,
                           missing="encrypted with an AWS owned key, not a customer managed KMS key")

    def audit_kinesis(self):
        for summary in self.paginate("kinesis", "list_streams", "StreamSummaries"):
            name, arn = summary["StreamName"], summary["StreamARN"]
            if not self.scoped(name, lambda a=arn: {t["Key"]: t.get("Value", "") for t in self.call(
                    "kinesis", "list_tags_for_stream", StreamARN=a).get("Tags", [])}):
                continue
            self.count("AWS::Kinesis::Stream")
            described = self.call("kinesis", "describe_stream_summary", StreamARN=arn)["StreamDescriptionSummary"]
            key = described.get("KeyId") if described.get("EncryptionType") == "KMS" else None
            self.check_key("AWS::Kinesis::Stream", name, arn, key)

    def audit_sqs(self):
        for url in self.paginate("sqs", "list_queues", "QueueUrls"):
            name = url.rstrip("/").rsplit("/", 1)[-1]
            if not self.scoped(name, lambda u=url: self.call("sqs", "list_queue_tags", QueueUrl=u).get("Tags", {})):
                continue
            self.count("AWS::SQS::Queue")
            attributes = self.call("sqs", "get_queue_attributes", QueueUrl=url,
                                   AttributeNames=["QueueArn", "KmsMasterKeyId", "SqsManagedSseEnabled"])["Attributes"]
            key = attributes.get("KmsMasterKeyId")
            if not key and attributes.get("SqsManagedSseEnabled") == "true":
                self.add(ENCRYPTION, "high", "AWS::SQS::Queue", name,
                         "encrypted with SQS managed keys (SSE-SQS), not a customer managed key", attributes.get("QueueArn"))
                continue
            self.check_key("AWS::SQS::Queue", name, attributes.get("QueueArn"), key)

    def audit_sns(self):
        for topic in self.paginate("sns", "list_topics", "Topics"):
            arn = topic["TopicArn"]
            name = arn.rsplit(":", 1)[-1]
            if not self.scoped(name, lambda a=arn: boto3_tag_list_to_ansible_dict(
                    self.call("sns", "list_tags_for_resource", ResourceArn=a).get("Tags", []))):
                continue
            self.count("AWS::SNS::Topic")
            attributes = self.call("sns", "get_topic_attributes", TopicArn=arn)["Attributes"]
            self.check_key("AWS::SNS::Topic", name, arn, attributes.get("KmsMasterKeyId"))

    def audit_log_groups(self):
        for group in self.paginate("logs", "describe_log_groups", "logGroups"):
            name = group["logGroupName"]
            arn = group.get("logGroupArn") or group.get("arn", "").removesuffix(":*")
            if not self.scoped(name, lambda a=arn: self.call("logs", "list_tags_for_resource", resourceArn=a).get("tags", {})):
                continue
            self.count("AWS::Logs::LogGroup")
            self.check_key("AWS::Logs::LogGroup", name, arn, group.get("kmsKeyId"))

    def audit_secrets(self):
        for secret in self.paginate("secretsmanager", "list_secrets", "SecretList"):
            name = secret["Name"]
            if not self.scoped(name, lambda s=secret: boto3_tag_list_to_ansible_dict(s.get("Tags", []))):
                continue
            self.count("AWS::SecretsManager::Secret")
            # No KmsKeyId: the AWS managed key aws/secretsmanager.
            self.check_key("AWS::SecretsManager::Secret", name, secret["ARN"], secret.get("KmsKeyId") or "alias/aws/secretsmanager")

    def audit_dax(self):
        """DAX encrypts at rest only with an AWS owned key: the check is that encryption is on."""
        for cluster in self.paginate("dax", "describe_clusters", "Clusters"):
            name, arn = cluster["ClusterName"], cluster["ClusterArn"]
            if not self.scoped(name, lambda a=arn: boto3_tag_list_to_ansible_dict(
                    self.call("dax", "list_tags", ResourceName=a).get("Tags", []))):
                continue
            self.count("AWS::DAX::Cluster")
            if (cluster.get("SSEDescription") or {}).get("Status") not in ("ENABLED", "ENABLING"):
                self.add(ENCRYPTION, "high", "AWS::DAX::Cluster", name, "server-side encryption at rest is off", arn)

    def audit_ecr(self):
        for repository in self.paginate("ecr", "describe_repositories", "repositories"):
            name, arn = repository["repositoryName"], repository["repositoryArn"]
            if not self.scoped(name, lambda a=arn: boto3_tag_list_to_ansible_dict(
                    self.call("ecr", "list_tags_for_resource", resourceArn=a).get("tags", []))):
                continue
            self.count("AWS::ECR::Repository")
            encryption = repository.get("encryptionConfiguration") or {}
            if encryption.get("encryptionType") != "KMS":
                self.add(ENCRYPTION, "high", "AWS::ECR::Repository", name,
                         f"encrypted with {encryption.get('encryptionType', 'AES256')}, not a customer managed KMS key", arn)
                continue
            self.check_key("AWS::ECR::Repository", name, arn, encryption.get("kmsKey") or "alias/aws/ecr")

    def audit_eks(self):
        for name in self.paginate("eks", "list_clusters", "clusters"):
            cluster = self.call("eks", "describe_cluster", name=name)["cluster"]
            if not self.scoped(name, lambda c=cluster: c.get("tags", {})):
                continue
            self.count("AWS::EKS::Cluster")
            keys = [c.get("provider", {}).get("keyArn") for c in cluster.get("encryptionConfig") or []
                    if "secrets" in c.get("resources", [])]
            self.check_key("AWS::EKS::Cluster", name, cluster["arn"], keys[0] if keys else None,
                           what="Kubernetes secrets encrypted")

    # --- buckets ------------------------------------------------------------------------
    def bucket_tags(self, name):
        try:
            return boto3_tag_list_to_ansible_dict(self.client("s3").get_bucket_tagging(aws_retry=True, Bucket=name)["TagSet"])
        except is_boto3_error_code("NoSuchTagSet"):
            return {}
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"s3 get_bucket_tagging {name} failed")

    def s3_read(self, operation, missing, name):
        """The answer of an S3 Get call, or None when the bucket has no such configuration."""
        try:
            return getattr(self.client("s3"), operation)(aws_retry=True, Bucket=name)
        except is_boto3_error_code(missing):
            return None
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"s3 {operation} {name} failed")

    def audit_buckets(self, encryption, policies):
        for bucket in self.paginate("s3", "list_buckets", "Buckets"):
            name = bucket["Name"]
            if not self.scoped(name, lambda n=name: self.bucket_tags(n)):
                continue
            self.count("AWS::S3::Bucket")
            arn = f"arn:{self.partition}:s3:::{name}"
            if encryption:
                self.audit_bucket_encryption(name, arn)
            if policies:
                self.audit_bucket_access(name, arn)

    def audit_bucket_encryption(self, name, arn):
        answer = self.s3_read("get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError", name) or {}
        rules = answer.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
        default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if rules else {}
        algorithm = default.get("SSEAlgorithm")
        if algorithm == "AES256" and name in self.params["sse_s3_buckets"]:
            return
        if algorithm not in ("aws:kms", "aws:kms:dsse"):
            self.add(ENCRYPTION, "high", "AWS::S3::Bucket", name,
                     f"default encryption is {algorithm or 'not set'}, not SSE-KMS with a customer managed key", arn)
            return
        self.check_key("AWS::S3::Bucket", name, arn, default.get("KMSMasterKeyID") or "alias/aws/s3",
                       what="default-encrypted")

    def audit_bucket_access(self, name, arn):
        block = (self.s3_read("get_public_access_block", "NoSuchPublicAccessBlockConfiguration", name) or {}).get(
            "PublicAccessBlockConfiguration", {})
        off = sorted(k for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
                     if not block.get(k))
        if off:
            self.add("s3-public-access-block", "high", "AWS::S3::Bucket", name,
                     f"public access block settings not enabled: {off}", arn)
        policy = (self.s3_read("get_bucket_policy", "NoSuchBucketPolicy", name) or {}).get("Policy")
        if not policy:
            self.add("s3-tls-only", "medium", "AWS::S3::Bucket", name,
                     "no bucket policy, so no statement denies aws:SecureTransport=false", arn)
            return
        if not denies_insecure_transport(policy):
            self.add("s3-tls-only", "medium", "AWS::S3::Bucket", name,
                     "no policy statement denies requests with aws:SecureTransport=false", arn)
        public = public_statements(policy)
        if public:
            self.add("s3-public-policy", "critical", "AWS::S3::Bucket", name,
                     f"policy statements {public} allow Principal \"*\" without a restricting condition", arn)

    # --- security groups ----------------------------------------------------------------
    def audit_security_groups(self):
        for group in self.paginate("ec2", "describe_security_groups", "SecurityGroups"):
            name = group["GroupName"]
            tags = boto3_tag_list_to_ansible_dict(group.get("Tags", []))
            if not in_scope(name, tags, self.params["name_patterns"], self.params["scope_tags"]):
                continue
            self.count("AWS::EC2::SecurityGroup")
            arn = f"arn:{self.partition}:ec2:{self.region}:{group.get('OwnerId')}:security-group/{group['GroupId']}"
            for permission in group.get("IpPermissions", []):
                ranges = open_ingress(permission)
                if ranges and not ingress_allowed(name, tags, permission, self.params["open_ingress"]):
                    self.add("sg-open-ingress", "high", "AWS::EC2::SecurityGroup", f"{name} ({group['GroupId']})",
                             f"ingress {port_text(permission)} from {', '.join(ranges)}", arn)

    # --- run ----------------------------------------------------------------------------
    def run(self):
        checks = self.params["checks"]
        self.region = self.module.region
        self.partition = self.call("sts", "get_caller_identity")["Arn"].split(":")[1]
        if "iam" in checks:
            self.audit_iam()
        if "encryption" in checks:
            for audit in (self.audit_dynamodb, self.audit_kinesis, self.audit_sqs, self.audit_sns,
                          self.audit_log_groups, self.audit_secrets, self.audit_dax, self.audit_ecr, self.audit_eks):
                audit()
        if "encryption" in checks or "buckets" in checks:
            self.audit_buckets("encryption" in checks, "buckets" in checks)
        if "security_groups" in checks:
            self.audit_security_groups()
        findings = sorted(self.findings, key=lambda f: (f["check"], f["resource"]["type"], f["resource"]["name"], f["detail"]))
        return {"changed": False, "findings": findings, "counts": summarize(findings),
                "accepted": sorted(self.accepted, key=lambda f: (f["resource"]["name"], f["detail"])),
                "resources_checked": dict(sorted(self.checked.items()))}


def main():
    argument_spec = dict(
        checks=dict(type="list", elements="str", choices=["iam", "encryption", "buckets", "security_groups"],
                    default=["iam", "encryption", "buckets", "security_groups"]),
        name_patterns=dict(type="list", elements="str", default=[]),
        scope_tags=dict(type="dict", default={}),
        unscoped_actions=dict(type="list", elements="str", default=[]),
        sse_s3_buckets=dict(type="list", elements="str", default=[]),
        accepted_managed_policies=dict(type="list", elements="dict", default=[], options=dict(
            role=dict(type="str", required=True),
            policy=dict(type="str", required=True),
            reason=dict(type="str", required=True),
        )),
        open_ingress=dict(type="list", elements="dict", default=[], options=dict(
            group=dict(type="str"),
            tags=dict(type="dict", default={}),
            protocol=dict(type="str", default="tcp"),
            ports=dict(type="list", elements="int", required=True),
        )),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    if not module.params["name_patterns"] and not module.params["scope_tags"]:
        module.fail_json(msg="name_patterns or scope_tags must say which resources are the platform's")
    module.exit_json(**Auditor(module).run())


if __name__ == "__main__":
    main()
