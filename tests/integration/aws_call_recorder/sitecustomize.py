"""Test support: every AWS API call a Python process makes is appended ("<service> <Operation>")
to the file named by PLATFORM_TEST_AWS_CALL_LOG. The usage plan integration tests put this
folder on PYTHONPATH of ansible-playbook, so the module's calls (check mode, re-runs) can be
counted exactly. Does nothing when the variable is not set."""

import os

_LOG = os.environ.get("PLATFORM_TEST_AWS_CALL_LOG")

if _LOG:
    try:
        import botocore.client
    except ImportError:  # a process without botocore makes no AWS call
        pass
    else:
        _original = botocore.client.BaseClient._make_api_call

        def _make_api_call(self, operation_name, api_params):
            with open(_LOG, "a", encoding="utf-8") as log:
                log.write(f"{self.meta.service_model.service_name} {operation_name}\n")
            return _original(self, operation_name, api_params)

        botocore.client.BaseClient._make_api_call = _make_api_call
