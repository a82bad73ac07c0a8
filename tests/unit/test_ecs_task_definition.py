"""The comparison of library/ecs_task_definition.py: a revision only when the definition differs."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "library"))
import ecs_task_definition as module  # noqa: E402

CONTAINER = {"name": "app", "image": "repo:1", "essential": True,
             "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
             "healthCheck": {"command": ["CMD-SHELL", "true"], "interval": 30, "timeout": 5, "retries": 3}}
PARAMS = {"family": "f", "network_mode": "awsvpc", "requires_compatibilities": ["FARGATE"], "container_definitions": [CONTAINER],
          "volumes": [], "task_role_arn": "arn:role/t", "execution_role_arn": "arn:role/e", "cpu": "256", "memory": "512",
          "runtime_platform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}}
# What DescribeTaskDefinition returns for it: AWS's defaults and empty lists added.
LIVE = {"family": "f", "revision": 3, "status": "ACTIVE", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
        "compatibilities": ["EC2", "FARGATE"], "cpu": "256", "memory": "512", "taskRoleArn": "arn:role/t",
        "executionRoleArn": "arn:role/e", "volumes": [], "placementConstraints": [],
        "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
        "containerDefinitions": [dict(CONTAINER, cpu=0, environment=[], mountPoints=[], volumesFrom=[], systemControls=[],
                                      portMappings=[{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}])]}


def differences(**changes):
    return module.differences(module.desired_definition(dict(PARAMS, **changes)), LIVE)


def test_the_same_definition_with_aws_defaults_is_unchanged():
    assert differences() == []


def test_defaults_left_out_of_the_request_are_still_equal():
    bare = {"name": "app", "image": "repo:1", "portMappings": [{"containerPort": 8080}],
            "healthCheck": {"command": ["CMD-SHELL", "true"]}}
    assert differences(container_definitions=[bare]) == []


def test_a_new_image_tag_cpu_memory_or_role_is_a_difference():
    assert differences(container_definitions=[dict(CONTAINER, image="repo:2")]) == ["containerDefinitions"]
    assert differences(cpu="512", memory="1024") == ["cpu", "memory"]
    assert differences(execution_role_arn="arn:role/other") == ["executionRoleArn"]


def test_a_removed_setting_is_a_difference():
    live = dict(LIVE, containerDefinitions=[dict(LIVE["containerDefinitions"][0], user="1000")])
    assert module.differences(module.desired_definition(PARAMS), live) == ["containerDefinitions"]


def test_no_live_revision_means_everything_differs():
    assert module.differences(module.desired_definition(PARAMS), None) == list(module.COMPARED)
