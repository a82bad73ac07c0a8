"""KMS: key ARNs accepted wherever a key id is; AWS managed keys behind alias/aws/<service>."""

from typing import Any


# Request parameters that name a KMS key (TargetKeyId: CreateAlias/UpdateAlias;
# SourceKeyId/DestinationKeyId: ReEncrypt).
KMS_KEY_ID_PARAMETERS = {"KeyId", "TargetKeyId", "SourceKeyId", "DestinationKeyId"}


def kms_operations_accept_key_arn() -> None:
    """Every KMS operation that takes a key id also accepts the key ARN.

    AWS: https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id
    and each operation's KeyId parameter, e.g. API_ScheduleKeyDeletion.html
    ("Specify the key ID or key ARN of the KMS key"). moto validates ARNs but some
    backend methods (EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion,
    ReplicateKey) then index KmsBackend.keys with the raw parameter, so an ARN gives
    a KeyError and an HTTP 500 (amazon.aws.kms_key state=absent fails this way).

    Root fix: resolve a key ARN to the key id once, where KmsResponse reads request
    parameters, with moto's own KmsBackend.get_key_id. Alias names and alias ARNs are
    left alone: moto already resolves them where AWS allows them.
    """
    from moto.kms.models import KmsBackend
    from moto.kms.responses import KmsResponse

    original = KmsResponse._get_param

    def _get_param(self: Any, param_name: str, if_none: Any = None) -> Any:
        value = original(self, param_name, if_none)
        if param_name in KMS_KEY_ID_PARAMETERS and isinstance(value, str):
            return KmsBackend.get_key_id(value)
        return value

    KmsResponse._get_param = _get_param



def kms_aws_managed_keys_report_key_manager_aws() -> None:
    """An AWS managed key (alias aws/<service>) has KeyManager AWS, and DescribeKey on its alias creates it.

    AWS: "AWS managed keys are KMS keys in your account that are created, managed, and used on
    your behalf by an AWS service"; their aliases are aws/<service-name> and DescribeKey's
    KeyManager is "AWS" for them, "CUSTOMER" for customer managed keys
    (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key,
    https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html). "If you call
    the DescribeKey operation on a predefined AWS alias, that is, an AWS alias with no key ID,
    AWS KMS creates an AWS managed key" (https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html).
    moto makes the keys of a fixed list of aws/ aliases (no aws/sqs, aws/sns, aws/kinesis,
    aws/ecr), and marks them KeyManager CUSTOMER, so nothing can tell an AWS managed key from
    a customer managed one.
    """
    from moto.kms.models import KmsBackend

    def generate_default_keys(self: Any, alias_name: str) -> str | None:
        if not alias_name.startswith("alias/aws/") or alias_name == "alias/aws/":
            return None
        key = self.create_key(None, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT",
                              f"Default key that protects my {alias_name[len('alias/aws/'):]} data "
                              "when no other key is defined", None)
        key.key_manager = "AWS"
        self.create_alias(key.id, alias_name)
        return key.id

    def get_key_id_from_alias(self: Any, alias_name: str) -> str | None:
        for key in self.keys.values():
            if alias_name in key.aliases:
                return key.id
        return generate_default_keys(self, alias_name)

    KmsBackend._generate_default_keys = generate_default_keys  # pylint: disable=protected-access
    KmsBackend.get_key_id_from_alias = get_key_id_from_alias


FIXES = [kms_operations_accept_key_arn, kms_aws_managed_keys_report_key_manager_aws]
