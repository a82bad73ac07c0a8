"""The ECS fixes in emulator/fixes/ecs.py restore documented AWS behaviour; these tests assert it.

Every test here fails on plain moto: check with
PLATFORM_EMULATOR_DISABLE_FIXES=<fix name> python -m pytest tests/emulator/test_fixes_ecs.py
"""

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

AwsClient = Callable[..., Any]
STRATEGY = [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}]


@pytest.fixture
def service_setup(fresh_emulator: Any, aws_client: AwsClient) -> dict[str, Any]:
    ecs, ec2 = aws_client("ecs"), aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.9.0.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="s", Description="s", VpcId=vpc_id)["GroupId"]
    ecs.create_cluster(clusterName="c", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    ecs.register_task_definition(family="f", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                 cpu="256", memory="512",
                                 containerDefinitions=[{"name": "app", "image": "nginx", "essential": True}])
    return {"ecs": ecs, "network": {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group],
                                                              "assignPublicIp": "DISABLED"}}}


# --- ecs_service_keeps_its_capacity_provider_strategy_and_deployment_configuration -------

def test_service_keeps_capacity_provider_strategy_without_a_launch_type(service_setup: dict[str, Any]) -> None:
    ecs = service_setup["ecs"]
    ecs.create_service(cluster="c", serviceName="s", taskDefinition="f:1", desiredCount=1,
                       capacityProviderStrategy=STRATEGY, networkConfiguration=service_setup["network"])
    service = ecs.describe_services(cluster="c", services=["s"])["services"][0]
    assert service["capacityProviderStrategy"] == STRATEGY
    assert "launchType" not in service
    assert "launchType" not in service["deployments"][0]


def test_service_keeps_its_deployment_configuration_and_grace_period(service_setup: dict[str, Any]) -> None:
    ecs = service_setup["ecs"]
    ecs.create_service(cluster="c", serviceName="s", taskDefinition="f:1", desiredCount=1, launchType="FARGATE",
                       networkConfiguration=service_setup["network"], healthCheckGracePeriodSeconds=45,
                       deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True},
                                                "minimumHealthyPercent": 100})
    service = ecs.describe_services(cluster="c", services=["s"])["services"][0]
    assert service["deploymentConfiguration"] == {"deploymentCircuitBreaker": {"enable": True, "rollback": True},
                                                  "maximumPercent": 200, "minimumHealthyPercent": 100}
    assert service["healthCheckGracePeriodSeconds"] == 45
    assert service["launchType"] == "FARGATE"


def test_launch_type_and_capacity_provider_strategy_together_are_refused(service_setup: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as error:
        service_setup["ecs"].create_service(cluster="c", serviceName="s", taskDefinition="f:1", desiredCount=1,
                                            launchType="FARGATE", capacityProviderStrategy=STRATEGY,
                                            networkConfiguration=service_setup["network"])
    assert error.value.response["Error"]["Code"] == "InvalidParameterException"


# --- ecs_update_service_stores_the_task_definition_arn ------------------------------------

def test_update_service_returns_the_task_definition_arn(service_setup: dict[str, Any]) -> None:
    ecs = service_setup["ecs"]
    ecs.create_service(cluster="c", serviceName="s", taskDefinition="f:1", desiredCount=1, launchType="FARGATE",
                       networkConfiguration=service_setup["network"])
    second = ecs.register_task_definition(family="f", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                          cpu="256", memory="512",
                                          containerDefinitions=[{"name": "app", "image": "nginx:2"}])
    arn = second["taskDefinition"]["taskDefinitionArn"]
    assert ecs.update_service(cluster="c", service="s", taskDefinition="f:2")["service"]["taskDefinition"] == arn
    assert ecs.describe_services(cluster="c", services=["s"])["services"][0]["taskDefinition"] == arn


# --- application_autoscaling_describe_scaling_policies_filters_by_policy_names ----------

def test_describe_scaling_policies_returns_only_the_named_policies(service_setup: dict[str, Any],
                                                                   aws_client: AwsClient) -> None:
    service_setup["ecs"].create_service(cluster="c", serviceName="s", taskDefinition="f:1", desiredCount=1,
                                        launchType="FARGATE", networkConfiguration=service_setup["network"])
    scaling = aws_client("application-autoscaling")
    target = {"ServiceNamespace": "ecs", "ResourceId": "service/c/s", "ScalableDimension": "ecs:service:DesiredCount"}
    scaling.register_scalable_target(MinCapacity=1, MaxCapacity=2, **target)
    for name, metric in (("cpu", "ECSServiceAverageCPUUtilization"), ("memory", "ECSServiceAverageMemoryUtilization")):
        scaling.put_scaling_policy(PolicyName=name, PolicyType="TargetTrackingScaling", **target,
                                   TargetTrackingScalingPolicyConfiguration={
                                       "TargetValue": 70.0, "PredefinedMetricSpecification": {"PredefinedMetricType": metric}})
    found = scaling.describe_scaling_policies(PolicyNames=["memory"], MaxResults=1, **target)["ScalingPolicies"]
    assert [p["PolicyName"] for p in found] == ["memory"]
    both = scaling.describe_scaling_policies(**target)["ScalingPolicies"]
    assert sorted(p["PolicyName"] for p in both) == ["cpu", "memory"]
