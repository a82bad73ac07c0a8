"""Stateful-resource guards (issue 12): a converge that would replace or empty a stateful
resource is refused unless its allow variable says so.

Each guard makes a resource with boto3, runs one role (tests/integration/playbooks/
stateful_guards.yml) with a change that would replace or delete it, once without its allow
variable and once with it, and reads the emulator's state after each run:
- refused: the run failed, its message names the resource and the allow variable, and the
  resource is still there, unchanged (same id, same data);
- done: with the allow variable the run succeeded and the resource was replaced or deleted.

check_all(env, emulator) runs every guard and returns one row per guard for the suite's report.
The guards use resources of their own (named <prefix>-stateful-guard), never the platform's,
and remove what they made, so they can run on an emulator that holds a converged site.
"""

import json
from collections.abc import Callable
from pathlib import Path

import boto3
import yaml
from botocore.exceptions import ClientError

from tests.playbook import PlaybookRun, run_playbook

PREFIX = "rtap-local"
GUARD = "stateful-guard"
NAME = f"{PREFIX}-{GUARD}"
PLAYBOOK = "tests/integration/playbooks/stateful_guards.yml"
DATA_KEY_ALIAS = f"alias/{PREFIX}-data"


def flat(output: str) -> str:
    """The output with YAML line wrapping undone."""
    return " ".join(output.split())


def run_role(env: dict, role: str, **extra_vars) -> PlaybookRun:
    return run_playbook(env, PLAYBOOK, "-e", json.dumps(dict(extra_vars, stateful_guards_role=role)))


def refused(run: PlaybookRun, *names: str) -> bool:
    """The run failed and its output names every one of names (the resource, the allow variable)."""
    text = flat(run.output)
    return run.returncode != 0 and all(name in text for name in names)


class Clients:
    def __init__(self, emulator):
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                region_name=emulator.region)
        self._make = lambda service: session.client(service, endpoint_url=emulator.url,
                                                    verify=str(emulator.ca_bundle))

    def __getattr__(self, service):
        return self._make(service.replace("_", "-"))


def ensure_data_key(aws: Clients) -> None:
    """The kms role's data key, which the dynamodb and s3 roles look up by alias."""
    kms = aws.kms
    if not any(a["AliasName"] == DATA_KEY_ALIAS for a in kms.list_aliases()["Aliases"]):
        key_id = kms.create_key(Description="data")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=DATA_KEY_ALIAS, TargetKeyId=key_id)


def row(name: str, refused_without: bool, done_with: bool, detail: str = "") -> dict:
    return {"name": name, "refused_without_allowance": refused_without,
            "done_with_allowance": done_with, "detail": detail}


# ---------------------------------------------------------------------------
# DynamoDB: a declared sort key the existing table does not have needs a new table.
# ---------------------------------------------------------------------------

DYNAMODB_TABLE = {"name": GUARD, "description": "stateful guard", "attributes": {"id": "S", "created_at": "N"},
                  "partition_key": "id", "sort_key": "created_at", "billing_mode": "PAY_PER_REQUEST",
                  "stream_view_type": "DISABLED", "point_in_time_recovery": False, "ttl_attribute": "",
                  "backup": False}


def dynamodb_state(ddb) -> dict:
    table = ddb.describe_table(TableName=NAME)["Table"]
    return {"id": table["TableId"], "keys": sorted((k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]),
            "items": ddb.scan(TableName=NAME, Select="COUNT")["Count"]}


def check_dynamodb(env: dict, aws: Clients) -> dict:
    ddb = aws.dynamodb
    ensure_data_key(aws)
    drop_table(ddb)
    ddb.create_table(TableName=NAME, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    ddb.put_item(TableName=NAME, Item={"id": {"S": "kept"}})
    before = dynamodb_state(ddb)
    try:
        common = {"dynamodb_tables": [DYNAMODB_TABLE], "dynamodb_backup_enabled": False}
        run = run_role(env, "dynamodb", **common)
        refused_without = refused(run, NAME, "sort key", "dynamodb_allow_table_replacement") \
            and dynamodb_state(ddb) == before
        run = run_role(env, "dynamodb", dynamodb_allow_table_replacement=True, **common)
        after = dynamodb_state(ddb)
        done_with = run.returncode == 0 and after["id"] != before["id"] \
            and after["keys"] == [("created_at", "RANGE"), ("id", "HASH")] and after["items"] == 0
        return row("dynamodb: key schema change replaces the table", refused_without, done_with,
                   "" if done_with else run.output[-2000:])
    finally:
        drop_table(ddb)


def drop_table(ddb) -> None:
    try:
        ddb.delete_table(TableName=NAME)
        ddb.get_waiter("table_not_exists").wait(TableName=NAME, WaiterConfig={"Delay": 1})
    except ddb.exceptions.ResourceNotFoundException:
        pass


# ---------------------------------------------------------------------------
# Kinesis: an undeclared stream is left alone; one marked absent is deleted only when allowed.
# ---------------------------------------------------------------------------

def stream_status(kinesis) -> str:
    try:
        return kinesis.describe_stream_summary(StreamName=NAME)["StreamDescriptionSummary"]["StreamStatus"]
    except kinesis.exceptions.ResourceNotFoundException:
        return "GONE"


def check_kinesis(env: dict, aws: Clients) -> dict:
    kinesis = aws.kinesis
    if stream_status(kinesis) == "GONE":
        kinesis.create_stream(StreamName=NAME, ShardCount=1)
        kinesis.get_waiter("stream_exists").wait(StreamName=NAME, WaiterConfig={"Delay": 1})
    kinesis.put_record(StreamName=NAME, Data=b"kept", PartitionKey="kept")
    try:
        undeclared = run_role(env, "kinesis", kinesis_streams=[])
        marked = run_role(env, "kinesis", kinesis_streams=[{"name": GUARD, "state": "absent"}])
        refused_without = undeclared.returncode == 0 and refused(marked, NAME, "kinesis_allow_delete") \
            and stream_status(kinesis) == "ACTIVE"
        run = run_role(env, "kinesis", kinesis_streams=[{"name": GUARD, "state": "absent"}], kinesis_allow_delete=True)
        done_with = run.returncode == 0 and stream_status(kinesis) == "GONE"
        return row("kinesis: stream marked absent (undeclared ones left alone)", refused_without, done_with,
                   "" if done_with else run.output[-2000:])
    finally:
        if stream_status(kinesis) != "GONE":
            kinesis.delete_stream(StreamName=NAME, EnforceConsumerDeletion=True)


# ---------------------------------------------------------------------------
# S3: a bucket that holds objects is neither emptied nor deleted unless allowed.
# ---------------------------------------------------------------------------

S3_VARS = {"s3_buckets": [{"purpose": GUARD, "description": "stateful guard", "encryption": "s3",
                           "versioning": False, "access_logging": False}],
           "s3_log_bucket_purpose": GUARD, "s3_extra_policy_statements": {}, "s3_state": "absent"}


def bucket_objects(s3) -> list[str] | None:
    """The bucket's keys; None when there is no bucket."""
    try:
        return [o["Key"] for o in s3.list_objects_v2(Bucket=NAME).get("Contents", [])]
    except ClientError as e:
        if e.response["Error"]["Code"] in ("NoSuchBucket", "404"):
            return None
        raise


def check_s3(env: dict, aws: Clients) -> dict:
    s3 = aws.s3
    ensure_data_key(aws)
    if bucket_objects(s3) is None:
        s3.create_bucket(Bucket=NAME, CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name})
    s3.put_object(Bucket=NAME, Key="kept.txt", Body=b"kept")
    try:
        run = run_role(env, "s3", **S3_VARS)
        refused_without = refused(run, NAME, "s3_allow_delete_nonempty") and bucket_objects(s3) == ["kept.txt"]
        run = run_role(env, "s3", s3_allow_delete_nonempty=True, **S3_VARS)
        done_with = run.returncode == 0 and bucket_objects(s3) is None
        return row("s3: bucket with objects", refused_without, done_with, "" if done_with else run.output[-2000:])
    finally:
        if bucket_objects(s3) is not None:
            for key in bucket_objects(s3):
                s3.delete_object(Bucket=NAME, Key=key)
            s3.delete_bucket(Bucket=NAME)


# ---------------------------------------------------------------------------
# KMS: scheduling a key's deletion is refused unless allowed.
# ---------------------------------------------------------------------------

KMS_ALIAS = f"alias/{NAME}"
KMS_VARS = {"kms_keys": [{"purpose": GUARD, "description": "stateful guard", "via_services": [],
                          "service_principals": []}],
            "kms_components": [], "kms_state": "absent", "kms_deletion_window_days": 7}


def key_state(kms, key_id: str) -> str:
    return kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]


def check_kms(env: dict, aws: Clients) -> dict:
    kms = aws.kms
    # A fresh key each time: an earlier run's key is pending deletion.
    if any(a["AliasName"] == KMS_ALIAS for a in kms.list_aliases()["Aliases"]):
        kms.delete_alias(AliasName=KMS_ALIAS)
    key_id = kms.create_key(Description="stateful guard")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=KMS_ALIAS, TargetKeyId=key_id)
    try:
        run = run_role(env, "kms", **KMS_VARS)
        refused_without = refused(run, KMS_ALIAS, "kms_allow_key_deletion") and key_state(kms, key_id) == "Enabled"
        run = run_role(env, "kms", kms_allow_key_deletion=True, **KMS_VARS)
        done_with = run.returncode == 0 and key_state(kms, key_id) == "PendingDeletion"
        return row("kms: key deletion", refused_without, done_with, "" if done_with else run.output[-2000:])
    finally:
        if key_state(kms, key_id) != "PendingDeletion":
            kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)


# ---------------------------------------------------------------------------
# Cognito: username attributes are fixed at creation; changing them needs a new pool.
# ---------------------------------------------------------------------------

COGNITO_VARS = {"cognito_user_pool_name": NAME, "cognito_identity_pool_name": NAME,
                "cognito_authenticated_role_name": f"{NAME}-authenticated", "cognito_domain": "",
                "cognito_username_attributes": [], "cognito_auto_verified_attributes": []}


def pools_named(idp) -> list[dict]:
    pools = idp.list_user_pools(MaxResults=60)["UserPools"]
    return [idp.describe_user_pool(UserPoolId=p["Id"])["UserPool"] for p in pools if p["Name"] == NAME]


def pool_state(idp) -> dict | None:
    pools = pools_named(idp)
    if len(pools) != 1:
        return None
    pool = pools[0]
    return {"id": pool["Id"], "username_attributes": pool.get("UsernameAttributes") or [],
            "users": len(idp.list_users(UserPoolId=pool["Id"])["Users"]),
            "deletion_protection": pool.get("DeletionProtection", "INACTIVE")}


def check_cognito(env: dict, aws: Clients) -> dict:
    idp = aws.cognito_idp
    drop_pools(idp)
    pool_id = idp.create_user_pool(PoolName=NAME, UsernameAttributes=["email"])["UserPool"]["Id"]
    idp.admin_create_user(UserPoolId=pool_id, Username="kept@example.com",
                          UserAttributes=[{"Name": "email", "Value": "kept@example.com"}])
    before = pool_state(idp)
    try:
        run = run_role(env, "cognito", **COGNITO_VARS)
        refused_without = refused(run, NAME, "username_attributes", "cognito_allow_pool_replacement") \
            and pool_state(idp) == before
        run = run_role(env, "cognito", cognito_allow_pool_replacement=True, **COGNITO_VARS)
        after = pool_state(idp)
        done_with = run.returncode == 0 and after is not None and after["id"] != pool_id \
            and after["username_attributes"] == [] and after["users"] == 0
        return row("cognito: username attributes change replaces the pool", refused_without, done_with,
                   "" if done_with else run.output[-2000:])
    finally:
        drop_pools(idp)


def drop_pools(idp) -> None:
    for pool in pools_named(idp):
        if pool.get("Domain"):
            idp.delete_user_pool_domain(Domain=pool["Domain"], UserPoolId=pool["Id"])
        idp.delete_user_pool(UserPoolId=pool["Id"])


GUARDS: dict[str, Callable[[dict, Clients], dict]] = {
    "dynamodb": check_dynamodb,
    "kinesis": check_kinesis,
    "s3": check_s3,
    "kms": check_kms,
    "cognito": check_cognito,
}


def check_all(env: dict, emulator) -> list[dict]:
    """One row per guard: name, refused_without_allowance, done_with_allowance (and a detail when
    the allowed change was not made: the end of the run's output)."""
    env = dict(env, **emulator.env())
    aws = Clients(emulator)
    rows = []
    for name, check in GUARDS.items():
        try:
            rows.append(check(env, aws))
        except Exception as error:  # pylint: disable=broad-except  # one broken guard must not hide the others
            rows.append(row(name, False, False, f"{type(error).__name__}: {error}"))
    return rows


def prod_deletion_protection() -> dict[str, bool]:
    """The prod inventory's deletion protection switches (DynamoDB tables, the Cognito user pool)."""
    repo = Path(__file__).resolve().parent.parent.parent
    prod = yaml.safe_load((repo / "inventories/prod/group_vars/platform/main.yml").read_text())
    return {name: prod.get(name) is True for name in ("dynamodb_deletion_protection", "cognito_deletion_protection")}
