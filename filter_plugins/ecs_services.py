"""The ecs role's checks and container definitions for its Fargate services.

- ecs_service_errors: every rule the declared services break, as
  "<variable>: <rule>, got <value>" messages (plain variables only: the pre-flight
  play runs it before any AWS call).
- ecs_container_definition: a service's container definition, as RegisterTaskDefinition
  takes it.
- ecs_request_count_label: the ResourceLabel of an ALBRequestCountPerTarget metric,
  from the ALB's and the target group's ARNs.
"""

import re

from ansible.errors import AnsibleFilterError

# Fargate task sizes (CPU units -> allowed memory in MiB), from the ECS developer guide
# "Task CPU and memory" (Linux): 256 -> 512, 1024, 2048; 512 -> 1-4 GiB; 1024 -> 2-8 GiB;
# 2048 -> 4-16 GiB, each in 1 GiB steps; 4096 -> 8-30 GiB in 1 GiB steps;
# 8192 -> 16-60 GiB in 4 GiB steps; 16384 -> 32-120 GiB in 8 GiB steps.
FARGATE_MEMORY = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4096 + 1, 1024)),
    1024: list(range(2048, 8192 + 1, 1024)),
    2048: list(range(4096, 16384 + 1, 1024)),
    4096: list(range(8192, 30720 + 1, 1024)),
    8192: list(range(16384, 61440 + 1, 4096)),
    16384: list(range(32768, 122880 + 1, 8192)),
}

NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _int(value):
    if isinstance(value, bool):
        return None
    try:
        return int(str(value))
    except ValueError:
        return None


def _granted_secrets(components, component_name):
    for component in components or []:
        if component.get("name") == component_name:
            return {g.get("name") for g in component.get("access", [])
                    if g.get("type") == "secret" and g.get("level") == "read"}
    return None


def ecs_service_errors(services, components, prefix, var="ecs_services"):
    """Every rule `services` breaks (see roles/ecs/README.md)."""
    errors = []
    if not isinstance(services, list):
        return [f"{var}: must be a list of services, got {services}"]
    names = [s.get("name") for s in services if isinstance(s, dict)]
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(f"{var}: service names must be unique, got '{name}' twice")
    ports = [s.get("listener_port", s.get("container_port")) for s in services if isinstance(s, dict)]
    for port in sorted({str(p) for p in ports if ports.count(p) > 1}):
        errors.append(f"{var}: each service needs its own load balancer listener port, got {port} twice")
    for index, service in enumerate(services):
        if not isinstance(service, dict):
            errors.append(f"{var}[{index}]: must be a dict, got {service}")
            continue
        name = service.get("name", "")
        where = f"{var}[{index}]" if not name else f"{var}[{name}]"
        if not isinstance(name, str) or not NAME.match(name):
            errors.append(f"{where}.name: 2 to 32 lowercase letters, digits or hyphens, starting with a letter, got {name}")
        elif len(f"{prefix}-{name}-nlb") > 32:
            errors.append(f"{where}.name: '{prefix}-{name}-nlb' names the NLB's target group, which has at most "
                          f"32 characters, got {name}")
        tag = service.get("image_tag")
        if not isinstance(tag, str) or not TAG.match(tag):
            errors.append(f"{where}.image_tag: an image tag (letters, digits, _ . -, at most 128), got {tag}")
        cpu, memory = _int(service.get("cpu")), _int(service.get("memory"))
        if cpu not in FARGATE_MEMORY:
            errors.append(f"{where}.cpu: Fargate CPU units are one of {sorted(FARGATE_MEMORY)}, got {service.get('cpu')}")
        elif memory not in FARGATE_MEMORY[cpu]:
            allowed = FARGATE_MEMORY[cpu]
            errors.append(f"{where}.memory: Fargate offers {cpu} CPU units with {allowed[0]}-{allowed[-1]} MiB "
                          f"(one of {allowed}), got {service.get('memory')}")
        for key in ("container_port", "listener_port"):
            if key == "listener_port" and key not in service:
                continue
            port = _int(service.get(key))
            if port is None or not 1 <= port <= 65535:
                errors.append(f"{where}.{key}: a TCP port is 1-65535, got {service.get(key)}")
        path = service.get("health_check_path", "/")
        if not isinstance(path, str) or not path.startswith("/"):
            errors.append(f"{where}.health_check_path: an HTTP path starting with /, got {path}")
        low, high = _int(service.get("min_count")), _int(service.get("max_count"))
        desired = _int(service.get("desired_count", service.get("min_count")))
        if low is None or low < 0:
            errors.append(f"{where}.min_count: 0 or more tasks, got {service.get('min_count')}")
        if high is None or high < 1:
            errors.append(f"{where}.max_count: 1 or more tasks, got {service.get('max_count')}")
        if low is not None and high is not None and low > high:
            errors.append(f"{where}.min_count: must not exceed max_count ({high}), got {low}")
        elif low is not None and high is not None and (desired is None or not low <= desired <= high):
            errors.append(f"{where}.desired_count: between min_count and max_count ({low}-{high}), "
                          f"got {service.get('desired_count')}")
        for key in ("cpu_target", "memory_target"):
            value = service.get(key, 70)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 1 <= value <= 100:
                errors.append(f"{where}.{key}: a utilization target in percent (1-100), got {value}")
        requests = service.get("requests_per_target", 1000)
        if not isinstance(requests, (int, float)) or isinstance(requests, bool) or not requests > 0:
            errors.append(f"{where}.requests_per_target: requests per task per minute, more than 0, got {requests}")
        environment = service.get("environment", {})
        if not isinstance(environment, dict):
            errors.append(f"{where}.environment: a dict of variable names to values, got {environment}")
            environment = {}
        for key in environment:
            if not ENV_NAME.match(str(key)):
                errors.append(f"{where}.environment: variable names are letters, digits and _, got {key}")
        execution = service.get("execution_role_component", f"ecs-{name}-execution")
        granted = _granted_secrets(components, execution)
        if granted is None:
            errors.append(f"{where}.execution_role_component: no platform component named '{execution}' "
                          f"(group_vars/all/components.yml), got {execution}")
            granted = set()
        secrets = service.get("secrets", [])
        if not isinstance(secrets, list):
            errors.append(f"{where}.secrets: a list of {{name, secret}}, got {secrets}")
            secrets = []
        for position, secret in enumerate(secrets):
            reference = secret.get("secret") if isinstance(secret, dict) else None
            if not isinstance(secret, dict) or not ENV_NAME.match(str(secret.get("name", ""))):
                errors.append(f"{where}.secrets[{position}].name: an environment variable name, got {secret}")
            if reference not in granted:
                errors.append(f"{where}.secrets[{position}].secret: unknown secret reference: the execution role "
                              f"component '{execution}' may read only {sorted(granted)}, got {reference}")
            overlap = isinstance(secret, dict) and secret.get("name") in environment
            if overlap:
                errors.append(f"{where}.secrets[{position}].name: also set in environment, got {secret.get('name')}")
    return errors


def ecs_container_definition(service, image, log_group, region, secret_arns):
    """The single container of a service's task definition."""
    name, port = service["name"], int(service["container_port"])
    secrets = []
    for secret in service.get("secrets", []):
        if secret["secret"] not in secret_arns:
            raise AnsibleFilterError(f"ecs_services[{name}]: secret {secret['secret']} was not found")
        value_from = secret_arns[secret["secret"]]
        if secret.get("key"):
            value_from += f":{secret['key']}::"  # a JSON key of the secret, its current version
        secrets.append({"name": secret["name"], "valueFrom": value_from})
    definition = {
        "name": name,
        "image": image,
        "essential": True,
        "portMappings": [{"containerPort": port, "hostPort": port, "protocol": "tcp"}],
        "environment": [{"name": k, "value": str(v)} for k, v in sorted(service.get("environment", {}).items())],
        "secrets": sorted(secrets, key=lambda s: s["name"]),
        "readonlyRootFilesystem": bool(service.get("readonly_root_filesystem", True)),
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": log_group, "awslogs-region": region, "awslogs-stream-prefix": name},
        },
    }
    if service.get("user"):
        definition["user"] = str(service["user"])
    command = service.get("health_check_command")
    if command is None:
        path = service.get("health_check_path", "/")
        command = ["CMD-SHELL", f"wget -q -O /dev/null http://127.0.0.1:{port}{path} || exit 1"]
    if command:
        definition["healthCheck"] = {"command": list(command), "interval": 30, "timeout": 5, "retries": 3,
                                     "startPeriod": int(service.get("health_check_start_period", 30))}
    return definition


ALB_ARN = re.compile(r"^arn:[^:]+:elasticloadbalancing:[^:]*:[0-9]*:loadbalancer/(app/[^/]+/[^/]+)$")
TARGET_GROUP_ARN = re.compile(r"^arn:[^:]+:elasticloadbalancing:[^:]*:[0-9]*:(targetgroup/[^/]+/[^/]+)$")


def ecs_request_count_label(alb_arn, target_group_arn):
    """app/<alb name>/<alb id>/targetgroup/<target group name>/<target group id>.

    The ResourceLabel of ALBRequestCountPerTarget (Application Auto Scaling
    PredefinedMetricSpecification): the final part of the ALB's ARN and the final part
    of the target group's ARN, joined by a slash.
    """
    alb, group = ALB_ARN.match(str(alb_arn or "")), TARGET_GROUP_ARN.match(str(target_group_arn or ""))
    if not alb:
        raise AnsibleFilterError(f"ecs_request_count_label: not an Application Load Balancer ARN: {alb_arn}")
    if not group:
        raise AnsibleFilterError(f"ecs_request_count_label: not a target group ARN: {target_group_arn}")
    return f"{alb.group(1)}/{group.group(1)}"


class FilterModule:
    def filters(self):
        return {
            "ecs_service_errors": ecs_service_errors,
            "ecs_container_definition": ecs_container_definition,
            "ecs_request_count_label": ecs_request_count_label,
        }
