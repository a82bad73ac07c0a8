"""The audit (playbooks/audit.yml) against the whole platform, converged once by site.yml (converged_site).

On the fresh site the audit passes, in --check too, and changes nothing. Then each
violation a person could make by hand on a platform resource makes the audit fail,
naming the resource and the check in its output and in artifacts/<env>/audit.json;
each case undoes its violation, so the cases are independent.
"""

import json
import re
from contextlib import contextmanager

import pytest

from tests.playbook import run_playbook

PREFIX = "rtap-local"
ACCOUNT = "123456789012"

# AWS managed policies AWS requires on the EKS roles (audit_accepted_managed_policies): their
# write actions on Resource "*" are reported as accepted, never as findings.
ACCEPTED = {
    (f"{PREFIX}-eks-cluster", "AmazonEKSClusterPolicy"),
    (f"{PREFIX}-eks-node", "AmazonEKS_CNI_Policy"),
    (f"{PREFIX}-eks-node", "AmazonEKSWorkerNodePolicy"),
}


@pytest.fixture(scope="module")
def site(converged_site):
    baseline = converged_site.run("playbooks/audit.yml", "--check")
    return {"env": converged_site.env, "artifacts": converged_site.artifacts, "baseline": baseline,
            "report": report(converged_site.artifacts)}


def report(artifacts):
    return json.loads((artifacts / "local" / "audit.json").read_text())


def keys(findings):
    return {(f["check"], f["resource"]["type"], f["resource"]["name"], f["detail"]) for f in findings}


def test_the_audit_reads_every_kind_of_platform_resource_and_changes_nothing_in_check_mode(site):
    baseline, audit = site["baseline"], site["report"]
    assert baseline.recap["changed"] == 0, baseline.changed_tasks
    assert audit["environment"] == "local" and audit["time"].endswith("Z")
    assert set(audit["resources_checked"]) >= {
        "AWS::IAM::Role", "AWS::DynamoDB::Table", "AWS::Kinesis::Stream", "AWS::SQS::Queue", "AWS::SNS::Topic",
        "AWS::S3::Bucket", "AWS::Logs::LogGroup", "AWS::SecretsManager::Secret", "AWS::EC2::SecurityGroup",
        "AWS::ECR::Repository", "AWS::EKS::Cluster", "AWS::DAX::Cluster"}
    accepted = {(f["resource"]["name"], re.search(r":policy/([\w+=,.@-]+):", f["detail"]).group(1))
                for f in audit["accepted"]}
    assert accepted == ACCEPTED, audit["accepted"]
    assert all(f["check"] == "iam-unscoped-write" and f["reason"] for f in audit["accepted"])


def test_a_fresh_site_passes_the_audit(site):
    assert site["report"]["findings"] == [], site["report"]["findings"]
    assert site["baseline"].returncode == 0, site["baseline"].output[-3000:]


@contextmanager
def unencrypted_queue(aws):
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=f"{PREFIX}-hand-made")["QueueUrl"]
    try:
        yield ("encryption-customer-key", "AWS::SQS::Queue", f"{PREFIX}-hand-made")
    finally:
        sqs.delete_queue(QueueUrl=url)


@contextmanager
def public_bucket_policy(aws):
    s3, bucket = aws("s3"), f"{PREFIX}-raw-archive"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    public = json.loads(policy)
    public["Statement"].append({"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                "Resource": f"arn:aws:s3:::{bucket}/*"})
    # As on AWS: a public policy needs BlockPublicPolicy (and RestrictPublicBuckets to take effect) off first.
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=dict(
        block, BlockPublicPolicy=False, RestrictPublicBuckets=False))
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public))
    try:
        yield ("s3-public-policy", "AWS::S3::Bucket", bucket)
    finally:
        s3.put_bucket_policy(Bucket=bucket, Policy=policy)
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)


@contextmanager
def admin_policy_on_a_platform_role(aws):
    iam, role = aws("iam"), f"{PREFIX}-todo-api"
    arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    try:
        yield ("iam-admin-rights", "AWS::IAM::Role", role)
    finally:
        iam.detach_role_policy(RoleName=role, PolicyArn=arn)


@contextmanager
def open_ssh_rule(aws):
    ec2 = aws("ec2")
    group = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{PREFIX}-app"]}])["SecurityGroups"][0]
    rule = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=rule)
    try:
        yield ("sg-open-ingress", "AWS::EC2::SecurityGroup", f"{PREFIX}-app ({group['GroupId']})")
    finally:
        ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=rule)


@pytest.mark.parametrize("violation", [unencrypted_queue, public_bucket_policy, admin_policy_on_a_platform_role,
                                       open_ssh_rule], ids=lambda v: v.__name__)
def test_a_hand_made_violation_fails_the_audit_naming_resource_and_check(site, aws_client, violation):
    with violation(aws_client) as (check, resource_type, name):
        run = run_playbook(site["env"], "playbooks/audit.yml", artifacts=site["artifacts"])
        audit = report(site["artifacts"])
    assert run.returncode != 0, run.output[-3000:]
    assert run.recap["changed"] == 0
    new = keys(audit["findings"]) - keys(site["report"]["findings"])
    assert (check, resource_type, name) in {k[:3] for k in new}, audit["findings"]
    assert audit["counts"][check] >= 1
    failure = run.output[run.output.index("TASK [audit : Fail on findings at"):]
    assert f"{check} on {name}" in failure
    table = run.output[run.output.index("TASK [audit : Show the findings"):run.output.index("TASK [audit : Create")]
    assert any(check in line and resource_type in line and name in line for line in table.splitlines()), table
