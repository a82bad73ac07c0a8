#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: platform_target_info
short_description: Identify the AWS account and partition a run is about to change
description:
  - Calls STS GetCallerIdentity (read-only) and returns the account, the caller's ARN and
    the partition.
  - Also keeps botocore's parsed data files (endpoints, service models) for the rest of
    the run when modules share one interpreter (the mitogen strategy the toolkit uses),
    so later tasks do not parse them again. The pre-flight runs this module first.
  - This module supports check mode.
author:
  - Ansible toolkit contributors
options: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Identify the AWS account
  platform_target_info:
  register: target
"""

RETURN = r"""
account:
  description: The AWS account ID.
  returned: success
  type: str
  sample: "123456789012"
arn:
  description: The ARN of the caller.
  returned: success
  type: str
  sample: arn:aws:iam::123456789012:user/deployer
partition:
  description: The partition of the caller's ARN.
  returned: success
  type: str
  sample: aws
models_cached:
  description: Whether botocore's parsed data files are now kept for the rest of the run.
  returned: success
  type: bool
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


# Every AWS module makes a new boto3 session, and botocore caches the JSON files it parses
# (endpoints, service models, rule sets) per session only, so each task parses them again.
# With the mitogen strategy a run's modules share one persistent interpreter (modules with
# custom module_utils are forked from it). Memoising the loader there, once, lets every
# later task, ours and the collections', reuse what was parsed. This module imports no
# custom module_utils on purpose: mitogen forks those, and the memo would die with the fork.
# botocore's data files do not change during a run, and botocore only ever merges the same
# extras into a loaded model. Without mitogen this lasts for this module only: harmless.
_PARSED_MARK = "_platform_parsed_files"


def keep_parsed_models():
    """Memoise botocore's JSON file loader for this interpreter; True if it is in place."""
    from botocore import loaders  # pylint: disable=import-outside-toplevel

    loader_class = loaders.JSONFileLoader
    if getattr(loader_class, _PARSED_MARK, None) is None:
        parsed, parse = {}, loader_class.load_file

        def load_file(self, file_path):
            if file_path not in parsed:
                parsed[file_path] = parse(self, file_path)
            return parsed[file_path]

        loader_class.load_file = load_file
        setattr(loader_class, _PARSED_MARK, parsed)
    return True


def main():
    module = AnsibleAWSModule(argument_spec={}, supports_check_mode=True)
    models_cached = keep_parsed_models()
    try:
        sts = module.client("sts", retry_decorator=AWSRetry.jittered_backoff())
        caller = sts.get_caller_identity(aws_retry=True)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to identify the AWS account (sts:GetCallerIdentity)")
    module.exit_json(changed=False, account=caller["Account"], arn=caller["Arn"],
                     partition=caller["Arn"].split(":")[1], models_cached=models_cached)


if __name__ == "__main__":
    main()
