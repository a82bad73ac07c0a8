"""library/platform_audit.py against the emulator: each kind of resource, in scope or not,
compliant or not, made with boto3; the module runs through ansible-playbook (normal and --check)."""

import json

import pytest

from tests.playbook import run_playbook

PLAYBOOK = "tests/integration/playbooks/platform_audit.yml"
REGION = "eu-west-1"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def tls_only(bucket):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})


def bucket(s3, name, encryption, block=True, policy=True):
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    if encryption:
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": encryption}]})
    if block:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    if policy:
        s3.put_bucket_policy(Bucket=name, Policy=tls_only(name))


@pytest.fixture(scope="module")
def audit(emulator, aws_client, tmp_path_factory):
    from emulator import launcher  # pylint: disable=import-outside-toplevel

    launcher.reset(emulator.url, emulator.ca_bundle)
    kms, s3, sqs, sns, logs = (aws_client(s) for s in ("kms", "s3", "sqs", "sns", "logs"))
    key = kms.create_key(Description="customer key")["KeyMetadata"]["Arn"]
    # Buckets: compliant; SSE-S3 allowed by name; SSE-S3 not allowed; AWS managed key; no block, no policy.
    bucket(s3, "t-e-good", {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key})
    bucket(s3, "t-e-logs", {"SSEAlgorithm": "AES256"})
    bucket(s3, "t-e-sse-s3", {"SSEAlgorithm": "AES256"})
    bucket(s3, "t-e-aws-key", {"SSEAlgorithm": "aws:kms"})
    bucket(s3, "t-e-open", {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}, block=False, policy=False)
    bucket(s3, "other-team-bucket", None, block=False, policy=False)  # not the platform's
    # Queues, topics, log groups, secrets.
    sqs.create_queue(QueueName="t-e-good", Attributes={"KmsMasterKeyId": key})
    sqs.create_queue(QueueName="t-e-aws-key", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    sqs.create_queue(QueueName="tagged-by-env", tags={"Environment": "e"})
    sqs.create_queue(QueueName="other-team-queue")
    sns.create_topic(Name="t-e-good", Attributes={"KmsMasterKeyId": key})
    sns.create_topic(Name="t-e-plain")
    logs.create_log_group(logGroupName="/aws/lambda/t-e-fn", kmsKeyId=key)
    logs.create_log_group(logGroupName="/aws/lambda/t-e-plain")
    logs.create_log_group(logGroupName="/aws/lambda/other")
    aws_client("secretsmanager").create_secret(Name="t-e-default-key", SecretString="x")
    aws_client("secretsmanager").create_secret(Name="t-e-own-key", SecretString="x", KmsKeyId=key)
    aws_client("dynamodb").create_table(
        TableName="t-e-aws-owned", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    # IAM: a least-privilege role, and one with an allowed unscopable action plus a wildcard.
    iam = aws_client("iam")
    for role, statement in {
        "t-e-tidy": {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "arn:aws:sqs:eu-west-1:123456789012:t-e-good"},
        "t-e-messy": {"Effect": "Allow", "Action": ["ec2:DescribeSubnets", "sqs:*"], "Resource": "*"},
    }.items():
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST)
        iam.put_role_policy(RoleName=role, PolicyName="inline", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [statement]}))
    # Security groups: the declared load balancer port, and SSH elsewhere.
    ec2 = aws_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    for name, port in (("t-e-alb", 443), ("t-e-app", 22), ("t-e-alb-wide", 443)):
        group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])

    results = {}
    for mode in ("run", "check"):
        artifacts = tmp_path_factory.mktemp(mode)
        run = run_playbook(dict(emulator.env()), PLAYBOOK, *(["--check"] if mode == "check" else []), artifacts=artifacts)
        assert run.returncode == 0, run.output[-3000:]
        results[mode] = json.loads((artifacts / "result.json").read_text())
    return results


def found(result):
    return {(f["check"], f["resource"]["name"]) for f in result["findings"]}


def test_check_mode_reads_the_same_and_reports_no_change(audit):
    assert audit["check"]["findings"] == audit["run"]["findings"]
    assert audit["run"]["changed"] is False and audit["check"]["changed"] is False


def test_encryption_findings_name_each_unencrypted_or_aws_keyed_resource(audit):
    encryption = {name for check, name in found(audit["run"]) if check == "encryption-customer-key"}
    assert encryption == {"t-e-sse-s3", "t-e-aws-key", "tagged-by-env", "t-e-plain", "/aws/lambda/t-e-plain",
                          "t-e-default-key", "t-e-aws-owned"}


def test_bucket_findings(audit):
    result = found(audit["run"])
    assert ("s3-public-access-block", "t-e-open") in result and ("s3-tls-only", "t-e-open") in result
    assert not {name for _, name in result} & {"t-e-good", "t-e-logs"}


def test_iam_findings(audit):
    iam = [f for f in audit["run"]["findings"] if f["resource"]["type"] == "AWS::IAM::Role"]
    assert [(f["check"], f["resource"]["name"]) for f in iam] == [("iam-wildcard-action", "t-e-messy")]
    assert "sqs:*" in iam[0]["detail"] and "DescribeSubnets" not in iam[0]["detail"]


def test_security_group_findings(audit):
    groups = sorted(f["resource"]["name"].split()[0] for f in audit["run"]["findings"] if f["check"] == "sg-open-ingress")
    # The exception names exactly t-e-alb: a group whose name only starts with it gets no pass.
    assert groups == ["t-e-alb-wide", "t-e-app"]


def test_resources_outside_the_scope_are_ignored(audit):
    names = {f["resource"]["name"] for f in audit["run"]["findings"]}
    assert not names & {"other-team-bucket", "other-team-queue", "/aws/lambda/other"}
    checks = [f["check"] for f in audit["run"]["findings"]]
    assert audit["run"]["counts"] == {check: checks.count(check) for check in checks}
