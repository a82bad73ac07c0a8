"""The s3 role on a fresh emulator: converge twice and in --check mode, then assert the
emulator's state bucket by bucket; then deletion, which never removes a bucket that
still holds objects unless asked to. Bad input fails in pre-flight, naming the variable.
"""

import json
import os

import pytest

from emulator import launcher
from tests.playbook import run_playbook

PLAYBOOK = "tests/integration/playbooks/s3.yml"
PREFIX = "rtap-local"
PURPOSES = ("raw-archive", "user-files", "config-snapshots", "audit-trail", "logs")
BUCKETS = {purpose: f"{PREFIX}-{purpose}" for purpose in PURPOSES}
QUEUE = f"{PREFIX}-user-uploads"


def _notifications(queue_arn):
    return {"s3_notifications": [{"bucket": "user-files", "id": "uploads-to-queue", "queue_arn": queue_arn,
                                  "events": ["s3:ObjectCreated:*"], "prefix": "users/"}]}


@pytest.fixture(scope="module")
def converged(emulator, aws_client, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)
    env = dict(os.environ, **emulator.env())
    artifacts = tmp_path_factory.mktemp("artifacts")
    # What the foundation layer's kms role and another layer's queue provide.
    key = aws_client("kms").create_key(Description="data")["KeyMetadata"]
    aws_client("kms").create_alias(AliasName=f"alias/{PREFIX}-data", TargetKeyId=key["KeyId"])
    sqs = aws_client("sqs")
    queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    extra = json.dumps(_notifications(queue_arn))
    runs = {
        "first": run_playbook(env, PLAYBOOK, "-e", extra, artifacts=artifacts),
        "second": run_playbook(env, PLAYBOOK, "-e", extra, artifacts=artifacts),
        "check": run_playbook(env, PLAYBOOK, "-e", extra, "--check", "--diff", artifacts=artifacts),
    }
    return {"runs": runs, "artifacts": artifacts, "env": env, "queue_arn": queue_arn, "queue_url": queue_url}


def test_first_run_converges(converged):
    run = converged["runs"]["first"]
    assert run.returncode == 0, run.output[-4000:]
    assert run.recap["changed"] > 0


def test_second_run_changes_nothing(converged):
    run = converged["runs"]["second"]
    assert run.returncode == 0, run.output[-4000:]
    assert run.recap["changed"] == 0, run.changed_tasks


def test_check_mode_on_converged_environment_reports_no_change(converged):
    run = converged["runs"]["check"]
    assert run.returncode == 0, run.output[-4000:]
    assert run.recap["changed"] == 0, run.changed_tasks


def test_kms_buckets_use_the_data_key_with_a_bucket_key(converged, aws_client):
    s3, kms = aws_client("s3"), aws_client("kms")
    data_key = kms.describe_key(KeyId=f"alias/{PREFIX}-data")["KeyMetadata"]["Arn"]
    for purpose in ("raw-archive", "user-files", "config-snapshots"):
        rule, = s3.get_bucket_encryption(Bucket=BUCKETS[purpose])["ServerSideEncryptionConfiguration"]["Rules"]
        assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": data_key}
        assert rule["BucketKeyEnabled"] is True


def test_log_bucket_uses_sse_s3_as_aws_requires_for_access_logs(converged, aws_client):
    rule, = aws_client("s3").get_bucket_encryption(Bucket=BUCKETS["logs"])["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}


def test_every_bucket_is_versioned_private_owner_enforced_and_tagged(converged, aws_client):
    s3 = aws_client("s3")
    for purpose, bucket in BUCKETS.items():
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert block == {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                         "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
        assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
            {"ObjectOwnership": "BucketOwnerEnforced"}]
        tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
        assert tags["Layer"] == "data" and tags["Purpose"] == purpose and tags["Environment"] == "local"


def test_every_bucket_policy_denies_requests_without_tls(converged, aws_client):
    s3 = aws_client("s3")
    for bucket in BUCKETS.values():
        statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
        deny = [s for s in statements if s["Effect"] == "Deny"]
        assert deny == [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }]


def test_objects_round_trip_over_https_under_the_tls_only_policy(converged, aws_client):
    # What this proves: the policy lets TLS requests through (the emulator enforces bucket
    # policies on object requests). What it cannot prove: that plain HTTP is refused; the
    # emulator serves HTTPS only, so no plain-http request can reach it. That half rests on
    # the policy document asserted above, which is AWS's documented TLS-only form.
    s3 = aws_client("s3")
    assert aws_client("s3").meta.endpoint_url.startswith("https://")
    s3.put_object(Bucket=BUCKETS["raw-archive"], Key="probe/tls.txt", Body=b"over tls")
    assert s3.get_object(Bucket=BUCKETS["raw-archive"], Key="probe/tls.txt")["Body"].read() == b"over tls"
    head = s3.head_object(Bucket=BUCKETS["raw-archive"], Key="probe/tls.txt")
    assert head["ServerSideEncryption"] == "aws:kms"
    s3.delete_object(Bucket=BUCKETS["raw-archive"], Key="probe/tls.txt")


def test_access_logs_go_to_the_log_bucket_which_grants_log_delivery(converged, aws_client):
    s3 = aws_client("s3")
    for purpose in ("raw-archive", "user-files", "config-snapshots"):
        logging = s3.get_bucket_logging(Bucket=BUCKETS[purpose])["LoggingEnabled"]
        assert logging == {"TargetBucket": BUCKETS["logs"], "TargetPrefix": f"s3-access/{BUCKETS[purpose]}/"}
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=BUCKETS["logs"])
    statements = json.loads(s3.get_bucket_policy(Bucket=BUCKETS["logs"])["Policy"])["Statement"]
    grants = {s["Condition"]["ArnLike"]["aws:SourceArn"]: s for s in statements if s["Effect"] == "Allow"}
    assert set(grants) == {f"arn:aws:s3:::{BUCKETS[p]}" for p in ("raw-archive", "user-files", "config-snapshots", "audit-trail")}
    for source, grant in grants.items():
        assert grant["Principal"] == {"Service": "logging.s3.amazonaws.com"}
        assert grant["Action"] == "s3:PutObject"
        assert grant["Resource"] == f"arn:aws:s3:::{BUCKETS['logs']}/s3-access/{source.rsplit(':', 1)[1]}/*"
        assert grant["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}


def test_lifecycle_rules(converged, aws_client):
    s3 = aws_client("s3")

    def rules(purpose):
        return {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=BUCKETS[purpose])["Rules"]}

    archive = rules("raw-archive")["archive-tiering"]
    assert archive["Status"] == "Enabled"
    assert archive["Transitions"] == [{"Days": 30, "StorageClass": "STANDARD_IA"},
                                      {"Days": 90, "StorageClass": "GLACIER_IR"}]
    assert archive["Expiration"] == {"Days": 180}  # the local inventory's retention
    assert archive["NoncurrentVersionExpiration"] == {"NoncurrentDays": 7}
    assert archive["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert rules("logs")["log-retention"]["Expiration"] == {"Days": 7}
    assert rules("config-snapshots")["snapshot-retention"]["Transitions"] == [{"Days": 90, "StorageClass": "GLACIER_IR"}]
    assert "Expiration" not in rules("user-files")["old-versions-and-uploads"]


def test_user_files_cors_and_notification(converged, aws_client):
    s3 = aws_client("s3")
    cors, = s3.get_bucket_cors(Bucket=BUCKETS["user-files"])["CORSRules"]
    assert cors["AllowedMethods"] == ["GET", "PUT", "HEAD"] and cors["ExposeHeaders"] == ["ETag"]
    queue_configs = s3.get_bucket_notification_configuration(Bucket=BUCKETS["user-files"])["QueueConfigurations"]
    assert [(q["Id"], q["QueueArn"], q["Events"]) for q in queue_configs] == [
        ("uploads-to-queue", converged["queue_arn"], ["s3:ObjectCreated:*"])]
    assert {"Name": "Prefix", "Value": "users/"} in queue_configs[0]["Filter"]["Key"]["FilterRules"]


def test_outputs_name_every_bucket_by_purpose(converged):
    outputs = json.loads((converged["artifacts"] / "local" / "outputs.json").read_text())["s3"]
    assert outputs["bucket_names"] == BUCKETS
    assert outputs["bucket_arns"] == {p: f"arn:aws:s3:::{b}" for p, b in BUCKETS.items()}
    assert outputs["log_bucket"] == BUCKETS["logs"]


def test_deletion_keeps_buckets_that_hold_objects(converged, aws_client):
    s3 = aws_client("s3")
    s3.put_object(Bucket=BUCKETS["user-files"], Key="users/u1/keep.txt", Body=b"keep me")

    refused = run_playbook(converged["env"], PLAYBOOK, "-e", "s3_state=absent", artifacts=converged["artifacts"])

    assert refused.returncode != 0
    assert f"s3_allow_delete_nonempty: bucket {BUCKETS['user-files']} still holds objects" in refused.output
    remaining = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert BUCKETS["config-snapshots"] in remaining, "nothing is deleted while a bucket holds objects"
    assert BUCKETS["user-files"] in remaining
    assert s3.get_object(Bucket=BUCKETS["user-files"], Key="users/u1/keep.txt")["Body"].read() == b"keep me"

    forced = run_playbook(converged["env"], PLAYBOOK, "-e", "s3_state=absent", "-e", "s3_allow_delete_nonempty=true",
                          artifacts=converged["artifacts"])

    assert forced.returncode == 0, forced.output[-4000:]
    assert not {b["Name"] for b in s3.list_buckets()["Buckets"]} & set(BUCKETS.values())


# The role's pre-flight check reports every broken rule at once, so one run covers several cases.
BAD_INPUT = {
    "names, days, notifications": (
        {"s3_bucket_name_suffix": "-Team_A", "s3_logs_expiration_days": 0,
         "s3_notifications": [{"bucket": "user-files", "id": "n", "events": ["s3:ObjectCreated:*"]}]},
        ["s3_bucket_name_suffix: bucket name 'rtap-local-raw-archive-Team_A'",
         "may contain only lowercase letters, digits, dots and hyphens",
         "s3_buckets: 'logs' lifecycle rule 'log-retention': expiration_days must be a positive number of days, got 0",
         "s3_notifications: 'n': give exactly one of queue_arn, lambda_function_arn"]),
    "bucket declarations": (
        {"s3_buckets": [
            {"purpose": "raw..archive", "access_logging": False},
            {"purpose": "a" * 60, "access_logging": False},
            {"purpose": "archive", "access_logging": False, "lifecycle_rules": [
                {"id": "late", "transitions": [{"days": 90, "storage_class": "GLACIER_IR"}], "expiration_days": 60},
                {"id": "cold", "transitions": [{"days": 30, "storage_class": "COLD_STORAGE"}]},
                {"id": "negative", "noncurrent_expiration_days": -3}]}]},
        ["s3_buckets: bucket name 'rtap-local-raw..archive' (platform_prefix-purpose + s3_bucket_name_suffix) "
         "breaks S3's naming rules: must not contain two adjacent dots",
         "s3_buckets: 'archive' lifecycle rule 'late': transition to GLACIER_IR after 90 days is not before expiration_days 60",
         "s3_buckets: 'archive' lifecycle rule 'cold': storage_class must be one of STANDARD_IA, ONEZONE_IA, "
         "INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE, got 'COLD_STORAGE'",
         "s3_buckets: 'archive' lifecycle rule 'negative': noncurrent_expiration_days must be a positive number of days",
         "breaks S3's naming rules: must be 3 to 63 characters long, got 71"]),
    "days that are not a number": ({"s3_raw_archive_expiration_days": "soon"}, ["s3_raw_archive_expiration_days"]),
}


@pytest.mark.parametrize("extra_vars, expected", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_fails_in_preflight_before_any_change(fresh_emulator, aws_env, aws_client, tmp_path, extra_vars, expected):
    run = run_playbook(aws_env, PLAYBOOK, "-e", json.dumps(extra_vars), artifacts=tmp_path)

    assert run.returncode != 0
    for message in expected:
        assert message in run.output, run.output[-3000:]
    assert run.recap["changed"] == 0
    assert aws_client("s3").list_buckets()["Buckets"] == []
