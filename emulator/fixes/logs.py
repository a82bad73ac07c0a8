"""CloudWatch Logs: a log group's KMS key can be associated and disassociated after creation."""

from typing import Any


def logs_associate_kms_key_sets_the_log_group_key() -> None:
    """AssociateKmsKey and DisassociateKmsKey change the KMS key of an existing log group.

    AWS: "Associates the specified KMS key with either one log group in the account, or with
    all stored CloudWatch Logs query insights results in the account" and "Disassociates the
    specified KMS key from the specified log group"; DescribeLogGroups then shows (or no longer
    shows) the key in kmsKeyId; a log group that does not exist gives ResourceNotFoundException
    (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_AssociateKmsKey.html,
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DisassociateKmsKey.html).
    moto 5.2.5 has neither action: both answer HTTP 500, so a log group that AWS created
    (or that was made without a key) can never be encrypted afterwards.
    """
    from moto.logs.exceptions import ResourceNotFoundException
    from moto.logs.models import LogsBackend
    from moto.logs.responses import LogsResponse

    def set_key(backend: Any, log_group_name: str, kms_key_id: Any) -> None:
        if log_group_name not in backend.groups:
            raise ResourceNotFoundException()
        backend.groups[log_group_name].kms_key_id = kms_key_id

    def associate_kms_key(self: Any) -> str:
        set_key(self.logs_backend, self._get_param("logGroupName"), self._get_param("kmsKeyId"))
        return ""

    def disassociate_kms_key(self: Any) -> str:
        set_key(self.logs_backend, self._get_param("logGroupName"), None)
        return ""

    LogsBackend.associate_kms_key = set_key
    LogsResponse.associate_kms_key = associate_kms_key
    LogsResponse.disassociate_kms_key = disassociate_kms_key


FIXES = [logs_associate_kms_key_sets_the_log_group_key]
