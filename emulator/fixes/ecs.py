"""ECS: what CreateService stores about how a service runs and deploys.

moto 5.2.5's CreateService drops capacityProviderStrategy, deploymentConfiguration and
healthCheckGracePeriodSeconds, and gives every service launchType EC2 when none is
given. AWS API reference: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
"""

import json
from typing import Any

# DeploymentConfiguration defaults of a service with the rolling update (ECS) deployment
# controller: maximumPercent 200, minimumHealthyPercent 100, circuit breaker off
# (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html).
DEFAULT_DEPLOYMENT_CONFIGURATION = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}


def ecs_service_keeps_its_capacity_provider_strategy_and_deployment_configuration() -> None:
    """CreateService keeps capacityProviderStrategy, deploymentConfiguration and healthCheckGracePeriodSeconds.

    AWS: "If a capacityProviderStrategy is specified, the launchType parameter must be
    omitted"; DescribeServices returns the service's capacityProviderStrategy (and no
    launchType), its deploymentConfiguration (with the defaults above for what the request
    leaves out) and healthCheckGracePeriodSeconds
    (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html,
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html).
    moto 5.2.5 ignores the three parameters and sets launchType EC2, so a client that reads
    the service back sees a launch type it never asked for, no circuit breaker and no grace
    period. The fix stores them on the service (and on its first deployment) as AWS does.
    """
    from moto.ecs.responses import EC2ContainerServiceResponse

    original = EC2ContainerServiceResponse.create_service

    def create_service(self: Any) -> Any:
        params = json.loads(self.body or "{}")
        strategy = params.get("capacityProviderStrategy")
        if strategy and params.get("launchType"):
            from moto.ecs.exceptions import InvalidParameterException

            raise InvalidParameterException(
                "Specifying both a launch type and capacity provider strategy is not supported. "
                "Remove one and try again.")
        result = original(self)
        cluster = params.get("cluster", "default")
        service = self.ecs_backend._get_service(cluster, params["serviceName"])
        deployment = dict(DEFAULT_DEPLOYMENT_CONFIGURATION)
        deployment.update(params.get("deploymentConfiguration") or {})
        service.deployment_configuration = deployment
        if params.get("healthCheckGracePeriodSeconds") is not None:
            service.health_check_grace_period_seconds = int(params["healthCheckGracePeriodSeconds"])
        if strategy:
            service.capacity_provider_strategy = strategy
            service.launch_type = None
            for first in service.deployments[:1]:
                first.pop("launchType", None)
                first["capacityProviderStrategy"] = strategy
                first.pop("platformFamily", None)  # moto derived "EC2" from the launch type
        return result

    EC2ContainerServiceResponse.create_service = create_service





def application_autoscaling_describe_scaling_policies_filters_by_policy_names() -> None:
    """DescribeScalingPolicies returns only the policies named in PolicyNames.

    AWS: "PolicyNames: The names of the scaling policies to describe"
    (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalingPolicies.html).
    moto 5.2.5 ignores PolicyNames and returns every policy of the resource, so with two
    target tracking policies on one ECS service (CPU and memory), a client that asks for
    one policy by name (MaxResults=1) gets the other one back.
    """
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse, _build_policy

    original = ApplicationAutoScalingResponse.describe_scaling_policies

    def describe_scaling_policies(self: Any) -> Any:
        names = self._get_param("PolicyNames")
        if not names:
            return original(self)
        _, policies = self.applicationautoscaling_backend.describe_scaling_policies(
            service_namespace=self._get_param("ServiceNamespace"),
            resource_id=self._get_param("ResourceId"),
            scalable_dimension=self._get_param("ScalableDimension"),
            max_results=1_000_000,
            next_token=None,
        )
        named = [policy for policy in policies if policy.policy_name in names]
        start = int(self._get_param("NextToken") or 0)
        end = start + (self._get_int_param("MaxResults") or 100)
        return json.dumps({"ScalingPolicies": [_build_policy(p) for p in named[start:end]],
                           "NextToken": str(end) if end < len(named) else None})

    ApplicationAutoScalingResponse.describe_scaling_policies = describe_scaling_policies


def ecs_update_service_stores_the_task_definition_arn() -> None:
    """UpdateService given family:revision stores (and returns) the task definition's full ARN.

    AWS: Service.taskDefinition is "The task definition to use for tasks in the service",
    returned as its ARN whatever form the request used (family, family:revision or ARN)
    (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html,
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html).
    moto 5.2.5's CreateService stores the ARN, but UpdateService stores the string as given,
    so after an update DescribeServices returns "family:2" instead of the ARN.
    """
    from moto.ecs.models import EC2ContainerServiceBackend

    original = EC2ContainerServiceBackend.update_service

    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        requested = service_properties.get("task_definition")
        service = original(self, service_properties)
        if requested:
            arn = self.describe_task_definition(requested).arn
            service.task_definition = arn
            for primary in service.deployments[:1]:
                primary["taskDefinition"] = arn
        return service

    EC2ContainerServiceBackend.update_service = update_service


FIXES = [ecs_service_keeps_its_capacity_provider_strategy_and_deployment_configuration,
         ecs_update_service_stores_the_task_definition_arn,
         application_autoscaling_describe_scaling_policies_filters_by_policy_names]
