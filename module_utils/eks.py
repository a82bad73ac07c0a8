# -*- coding: utf-8 -*-
# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Code shared by the EKS modules of this repository (library/eks_*.py)."""

import hashlib
import json
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

# Polls start short (a fast change, or the emulator, is seen at once) and back off to at most
# POLL_DELAY_MAX seconds (minutes-long AWS changes are not polled needlessly often).
POLL_DELAY_FIRST = 1
POLL_DELAY_MAX = 15


def client_token(*parts):
    """A request token derived from the request's identity, so a retry never makes a second copy."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:64]


def poll_delays():
    """Seconds to sleep between polls: 1, 2, 4, 8, then 15 for ever."""
    delay = POLL_DELAY_FIRST
    while True:
        yield delay
        delay = min(delay * 2, POLL_DELAY_MAX)


def describe_cluster(client, name):
    """The cluster as DescribeCluster returns it, or None."""
    try:
        return client.describe_cluster(aws_retry=True, name=name)["cluster"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None


def wait_cluster(client, module, name, timeout, gone=False):
    """Wait until the cluster is ACTIVE (or gone); fail the module on FAILED or after timeout seconds."""
    deadline = time.time() + timeout
    delays = poll_delays()
    while True:
        cluster = describe_cluster(client, name)
        if gone and cluster is None:
            return None
        if not gone and cluster is not None and cluster["status"] == "ACTIVE":
            return cluster
        if cluster is not None and cluster["status"] == "FAILED":
            module.fail_json(msg=f"EKS cluster {name} is FAILED")
        if time.time() >= deadline:
            module.fail_json(msg=f"Timed out after {timeout} s waiting for EKS cluster {name} "
                                 f"({'deletion' if gone else 'ACTIVE'}; status {cluster and cluster['status']})")
        time.sleep(next(delays))


def cluster_or_fail(client, module, name):
    cluster = describe_cluster(client, name)
    if cluster is None and not module.check_mode:
        module.fail_json(msg=f"cluster_name: EKS cluster {name} not found")
    return cluster


def aws_error_types():
    return (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)
