"""DynamoDB: the table description AWS documents, and UpdateTable's documented parameters."""

import uuid
from typing import Any


def _kms_key_arn(table: Any, key: str) -> str:
    """The ARN of the KMS key that `key` (id, ARN, alias name or alias ARN) names; `key` if unknown."""
    from moto.kms.models import kms_backends

    backend = kms_backends[table.account_id][table.region_name]
    try:
        return backend.describe_key(key).arn
    except Exception:  # an unknown key: leave what the caller gave
        return key


def dynamodb_describe_table_returns_table_id() -> None:
    """DescribeTable (and CreateTable, UpdateTable, DeleteTable) return the table's TableId.

    AWS: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
    ("TableId: Unique identifier for the table for which the backup was created", a UUID,
    fixed for the life of the table). moto's Table.describe has no TableId, so
    amazon.aws.dynamodb_table fails with KeyError 'table_id' on every run.
    The id is made once per table and kept: a new table (same name) gets a new one.
    """
    from moto.dynamodb.models.table import Table

    original = Table.describe

    def describe(self: Any, base_key: str = "TableDescription") -> dict[str, Any]:
        result = original(self, base_key)
        if not hasattr(self, "platform_table_id"):
            self.platform_table_id = str(uuid.uuid4())
        result[base_key]["TableId"] = self.platform_table_id
        return result

    Table.describe = describe


def dynamodb_sse_description_names_the_key_arn() -> None:
    """SSEDescription.KMSMasterKeyArn is the ARN of the KMS key, whatever form the request named it in.

    AWS: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SSEDescription.html
    ("KMSMasterKeyArn: The AWS KMS key ARN used for the AWS KMS encryption") and
    API_SSESpecification.html (KMSMasterKeyId may be a key ID, key ARN, alias name or alias ARN).
    moto echoes the KMSMasterKeyId of the request (e.g. "alias/x-data"), so a client that
    compares the table's key with the key ARN it asked for sees a change on every run.
    """
    from moto.dynamodb.models.table import Table

    original = Table.describe

    def describe(self: Any, base_key: str = "TableDescription") -> dict[str, Any]:
        result = original(self, base_key)
        sse = result[base_key].get("SSEDescription")
        if sse and sse.get("KMSMasterKeyArn"):
            sse["KMSMasterKeyArn"] = _kms_key_arn(self, sse["KMSMasterKeyArn"])
        return result

    Table.describe = describe


def dynamodb_update_table_applies_sse_and_table_class() -> None:
    """CreateTable keeps TableClass; UpdateTable applies SSESpecification and TableClass;
    DescribeTable reports TableClassSummary.

    AWS: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
    (request parameters SSESpecification: "The new server-side encryption settings for the
    specified table", and TableClass), API_CreateTable.html (TableClass) and
    API_TableClassSummary.html. moto ignores TableClass in both calls and SSESpecification
    in UpdateTable: the request succeeds and nothing changes, so an in-place change of the
    encryption key or table class is reported and never made.
    """
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler
    from moto.core.utils import utcnow

    def apply_class(table: Any, table_class: str | None) -> None:
        if table_class:
            table.platform_table_class = {"TableClass": table_class, "LastUpdateDateTime": utcnow()}

    original_create = DynamoHandler.create_table
    original_update = DynamoHandler.update_table
    original_describe = Table.describe

    def create_table(self: Any) -> Any:
        result = original_create(self)
        table = self.dynamodb_backend.get_table(self.body["TableName"])
        apply_class(table, self.body.get("TableClass"))
        return result

    def update_table(self: Any) -> Any:
        table = self.dynamodb_backend.get_table(self.body["TableName"])
        sse = self.body.get("SSESpecification")
        if sse is not None:
            if sse.get("Enabled") is False:
                table.sse_specification = None
            else:
                spec = dict(sse, Enabled=True)
                if not spec.get("KMSMasterKeyId"):
                    spec["KMSMasterKeyId"] = table._get_default_encryption_key(table.account_id, table.region_name)
                table.sse_specification = spec
        apply_class(table, self.body.get("TableClass"))
        return original_update(self)

    def describe(self: Any, base_key: str = "TableDescription") -> dict[str, Any]:
        result = original_describe(self, base_key)
        if getattr(self, "platform_table_class", None):
            result[base_key]["TableClassSummary"] = dict(self.platform_table_class)
        return result

    DynamoHandler.create_table = create_table
    DynamoHandler.update_table = update_table
    Table.describe = describe


def dynamodb_stream_can_be_enabled_again_after_disabling() -> None:
    """UpdateTable can enable a stream on a table whose stream was disabled; a new stream
    (new label and ARN) is created.

    AWS: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
    ("You can enable or disable a stream at any time ... If you disable a stream and then
    enable it again, a new stream is created with a different stream descriptor") and
    API_UpdateTable.html ("You receive a ValidationException if you try to enable a stream
    on a table that already has a stream"): what counts is whether a stream is enabled now.
    moto refuses whenever the table ever had a stream (its LatestStreamLabel stays set
    after disabling), answering ResourceInUseException "Cannot enable stream".
    """
    from moto.dynamodb.models import DynamoDBBackend

    original = DynamoDBBackend.update_table_streams

    def update_table_streams(self: Any, table: Any, stream_specification: dict[str, Any]) -> None:
        enabled_now = bool(table.stream_specification and table.stream_specification.get("StreamEnabled"))
        if not enabled_now and (stream_specification.get("StreamEnabled") or stream_specification.get("StreamViewType")):
            table.set_stream_specification(stream_specification)
            return
        original(self, table, stream_specification)

    DynamoDBBackend.update_table_streams = update_table_streams


FIXES = [
    dynamodb_describe_table_returns_table_id,
    dynamodb_sse_description_names_the_key_arn,
    dynamodb_update_table_applies_sse_and_table_class,
    dynamodb_stream_can_be_enabled_again_after_disabling,
]
