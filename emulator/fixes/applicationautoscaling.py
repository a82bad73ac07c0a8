"""Fixes for Application Auto Scaling (moto.applicationautoscaling)."""

from typing import Any


def replaced_target_tracking_policy_replaces_its_alarms() -> None:
    """PutScalingPolicy on an existing target tracking policy leaves one set of the CloudWatch
    alarms Application Auto Scaling manages for it.

    AWS: "Application Auto Scaling creates and manages the CloudWatch alarms that trigger the
    scaling policy" and "Do not edit or delete" them
    (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html);
    updating the policy updates its alarms. moto's put_scaling_policy builds a new policy object,
    which creates a new set of alarms, and keeps the old policy's alarms: every PutScalingPolicy of
    the same policy (a re-run, a resent request) adds alarms.
    """
    from moto.applicationautoscaling.models import ApplicationAutoscalingBackend, FakeApplicationAutoscalingPolicy

    original = ApplicationAutoscalingBackend.put_scaling_policy

    def put_scaling_policy(self: Any, policy_name: str, service_namespace: str, resource_id: str,
                           scalable_dimension: str, policy_body: Any, policy_type: Any) -> Any:
        key = FakeApplicationAutoscalingPolicy.formulate_key(service_namespace, resource_id, scalable_dimension,
                                                             policy_name)
        if key in self.policies:
            self.policies[key].delete_alarms(self.account_id, self.region_name)
        return original(self, policy_name, service_namespace, resource_id, scalable_dimension, policy_body,
                        policy_type)

    ApplicationAutoscalingBackend.put_scaling_policy = put_scaling_policy


FIXES = [replaced_target_tracking_policy_replaces_its_alarms]
