"""KMS: key ARNs accepted wherever a key id is."""

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


FIXES = [kms_operations_accept_key_arn]
