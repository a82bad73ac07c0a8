"""The ecs role against the emulator.

The role's prerequisites are made with boto3, shaped exactly as the foundation
makes them (subnets tagged Platform/Environment/Tier by the network role, the
logs and secrets keys with the kms role's aliases, the component roles of the iam
role) plus the secret the sample service reads; molecule/ecs runs the real chain
(preflight, kms, iam, network, ecs). The ecs role then runs alone, as when the
containers layer runs without the foundation, twice and in check mode; then an
image tag changes. Every assertion reads the emulator's state with boto3, never a
module's own report. Bad input runs last: it wipes the emulator.
"""

import json
import os

import pytest

from emulator import launcher
from tests.playbook import run_playbook

PREFIX = "rtap-local"
CLUSTER = f"{PREFIX}-ecs"
FAMILY = f"{PREFIX}-payments"
ACCOUNT = "123456789012"
REGION = "eu-west-1"
PLAYBOOK = "tests/integration/playbooks/ecs/ecs.yml"
TAGS = {"Platform": "rtap", "Environment": "local", "ManagedBy": "ansible-platform-toolkit", "Layer": "foundation"}
ECS_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def tag_spec(resource_type, **extra):
    return [{"ResourceType": resource_type,
             "Tags": [{"Key": k, "Value": v} for k, v in dict(TAGS, **extra).items()]}]


def make_foundation(aws_client):
    """What the network, kms and iam roles leave for the containers layer."""
    ec2 = aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16",
                            TagSpecifications=tag_spec("vpc", Name=f"{PREFIX}-vpc"))["Vpc"]["VpcId"]
    for tier, cidr, az in (("public", "10.20.0.0/19", "eu-west-1a"), ("private", "10.20.128.0/19", "eu-west-1a"),
                           ("private", "10.20.160.0/19", "eu-west-1b")):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az,
                          TagSpecifications=tag_spec("subnet", Name=f"{PREFIX}-{tier}-{az}", Tier=tier))
    kms = aws_client("kms")
    keys = {}
    for purpose in ("logs", "secrets"):
        keys[purpose] = kms.create_key(Description=f"{PREFIX} {purpose}")["KeyMetadata"]["Arn"]
        kms.create_alias(AliasName=f"alias/{PREFIX}-{purpose}", TargetKeyId=keys[purpose])
    iam = aws_client("iam")
    for role in ("ecs-payments-task", "ecs-payments-execution"):
        iam.create_role(RoleName=f"{PREFIX}-{role}", AssumeRolePolicyDocument=json.dumps(ECS_TRUST))
    secret = aws_client("secretsmanager").create_secret(
        Name=f"{PREFIX}/payments/db", KmsKeyId=f"alias/{PREFIX}-secrets", SecretString='{"password": "x"}')
    return {"vpc_id": vpc_id, "keys": keys, "secret_arn": secret["ARN"]}


def service_vars(**changes):
    """The sample service of roles/ecs/defaults/main.yml, with changes (as extra vars)."""
    service = {"name": "payments", "image_tag": "1.0.0", "cpu": 256, "memory": 512, "container_port": 8080,
               "health_check_path": "/health", "user": "1000:1000", "environment": {"LOG_LEVEL": "info"},
               "secrets": [{"name": "DB_PASSWORD", "secret": f"{PREFIX}/payments/db", "key": "password"}],
               "min_count": 1, "max_count": 2, "cpu_target": 70, "memory_target": 75, "requests_per_target": 1000}
    service.update(changes)
    return json.dumps({"ecs_services": [service]})


@pytest.fixture(scope="module")
def converged(emulator, site_env, aws_client, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)
    foundation = make_foundation(aws_client)
    env = site_env  # the local inventory also names the Kubernetes API (fake_k8s_api)
    artifacts = tmp_path_factory.mktemp("artifacts")
    runs = {"foundation": foundation, "artifacts": artifacts,
            "first": run_playbook(env, PLAYBOOK, artifacts=artifacts)}
    runs["revisions_after_first"] = task_definition_arns(aws_client("ecs"))
    runs["second"] = run_playbook(env, PLAYBOOK, artifacts=artifacts)
    runs["revisions_after_second"] = task_definition_arns(aws_client("ecs"))
    runs["check"] = run_playbook(env, PLAYBOOK, "--check", "--diff", artifacts=artifacts)
    runs["revisions_after_check"] = task_definition_arns(aws_client("ecs"))
    return runs


def task_definition_arns(ecs):
    return ecs.list_task_definitions(familyPrefix=FAMILY)["taskDefinitionArns"]


def tags(items, key="Key", value="Value"):
    return {t[key]: t[value] for t in items}


def test_first_run_converges(converged):
    assert converged["first"].returncode == 0, converged["first"].output[-3000:]


def test_second_run_changes_nothing_and_registers_no_revision(converged):
    run = converged["second"]
    assert run.returncode == 0, run.output[-3000:]
    assert run.recap["changed"] == 0, run.changed_tasks
    assert converged["revisions_after_second"] == converged["revisions_after_first"] == [
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{FAMILY}:1"]


def test_check_mode_predicts_no_change_and_changes_nothing(converged):
    run = converged["check"]
    assert run.returncode == 0, run.output[-3000:]
    assert run.recap["changed"] == 0, run.changed_tasks
    assert converged["revisions_after_check"] == converged["revisions_after_first"]


def test_cluster_has_container_insights_and_fargate_capacity_providers(converged, aws_client):
    cluster = aws_client("ecs").describe_clusters(clusters=[CLUSTER], include=["SETTINGS", "TAGS"])["clusters"][0]
    assert cluster["status"] == "ACTIVE"
    assert {s["name"]: s["value"] for s in cluster["settings"]} == {"containerInsights": "enhanced"}
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert cluster["defaultCapacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}]
    assert tags(cluster["tags"], "key", "value")["Layer"] == "containers"


def test_task_definition_is_fargate_with_roles_logs_and_secrets(converged, aws_client):
    found = aws_client("ecs").describe_task_definition(taskDefinition=FAMILY, include=["TAGS"])
    definition = found["taskDefinition"]
    assert (definition["cpu"], definition["memory"], definition["networkMode"]) == ("256", "512", "awsvpc")
    assert definition["requiresCompatibilities"] == ["FARGATE"]
    assert definition["runtimePlatform"] == {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}
    assert definition["taskRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-ecs-payments-task"
    assert definition["executionRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-ecs-payments-execution"
    container, = definition["containerDefinitions"]
    assert container["image"] == f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{PREFIX}/payments:1.0.0"
    assert container["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    assert container["readonlyRootFilesystem"] is True and container["user"] == "1000:1000"
    assert container["environment"] == [{"name": "LOG_LEVEL", "value": "info"}]
    assert container["secrets"] == [{"name": "DB_PASSWORD",
                                     "valueFrom": converged["foundation"]["secret_arn"] + ":password::"}]
    assert container["logConfiguration"] == {"logDriver": "awslogs", "options": {
        "awslogs-group": f"/ecs/{PREFIX}/payments", "awslogs-region": REGION, "awslogs-stream-prefix": "payments"}}
    assert container["healthCheck"]["command"][0] == "CMD-SHELL" and "8080/health" in container["healthCheck"]["command"][1]
    assert tags(found["tags"], "key", "value")["Service"] == "payments"


def test_log_group_is_encrypted_with_the_logs_key(converged, aws_client):
    group, = aws_client("logs").describe_log_groups(logGroupNamePrefix=f"/ecs/{PREFIX}/payments")["logGroups"]
    assert group["kmsKeyId"] == converged["foundation"]["keys"]["logs"]
    assert group["retentionInDays"] == 7  # inventories/local


def test_service_runs_in_private_subnets_behind_the_target_group(converged, aws_client):
    ecs, ec2, elb = aws_client("ecs"), aws_client("ec2"), aws_client("elbv2")
    service = ecs.describe_services(cluster=CLUSTER, services=["payments"])["services"][0]
    assert service["taskDefinition"].endswith(f"task-definition/{FAMILY}:1")
    assert service["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}]
    assert "launchType" not in service
    assert service["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200, "minimumHealthyPercent": 100}
    assert service["healthCheckGracePeriodSeconds"] == 60
    network = service["networkConfiguration"]["awsvpcConfiguration"]
    private = ec2.describe_subnets(Filters=[{"Name": "tag:Tier", "Values": ["private"]}])["Subnets"]
    assert sorted(network["subnets"]) == sorted(s["SubnetId"] for s in private)
    assert network["assignPublicIp"] == "DISABLED"
    group, = ec2.describe_security_groups(GroupIds=network["securityGroups"])["SecurityGroups"]
    alb_group, = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{PREFIX}-services-alb"]}])[
        "SecurityGroups"]
    assert group["GroupName"] == f"{PREFIX}-ecs-payments"
    rules = [(p["IpProtocol"], p["FromPort"], p["ToPort"], p["IpRanges"], [g["GroupId"] for g in p["UserIdGroupPairs"]])
             for p in group["IpPermissions"]]
    assert rules == [("tcp", 8080, 8080, [], [alb_group["GroupId"]])]
    target_group, = elb.describe_target_groups(Names=[f"{PREFIX}-payments"])["TargetGroups"]
    assert service["loadBalancers"] == [{"targetGroupArn": target_group["TargetGroupArn"], "containerName": "payments",
                                         "containerPort": 8080}]
    assert (target_group["TargetType"], target_group["Protocol"], target_group["Port"]) == ("ip", "HTTP", 8080)
    assert (target_group["HealthCheckProtocol"], target_group["HealthCheckPath"]) == ("HTTP", "/health")


def test_internal_alb_forwards_the_service_port_to_its_target_group(converged, aws_client):
    elb, ec2 = aws_client("elbv2"), aws_client("ec2")
    alb, = elb.describe_load_balancers(Names=[f"{PREFIX}-services-alb"])["LoadBalancers"]
    assert (alb["Type"], alb["Scheme"]) == ("application", "internal")
    private = ec2.describe_subnets(Filters=[{"Name": "tag:Tier", "Values": ["private"]}])["Subnets"]
    assert sorted(z["SubnetId"] for z in alb["AvailabilityZones"]) == sorted(s["SubnetId"] for s in private)
    group, = ec2.describe_security_groups(GroupIds=alb["SecurityGroups"])["SecurityGroups"]
    assert group["GroupName"] == f"{PREFIX}-services-alb"
    rules = [(p["IpProtocol"], p["FromPort"], p["ToPort"], sorted(r["CidrIp"] for r in p["IpRanges"]), p["UserIdGroupPairs"])
             for p in group["IpPermissions"]]
    assert rules == [("tcp", 8080, 8080, sorted(s["CidrBlock"] for s in private), [])]
    listener, = elb.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    target_group, = elb.describe_target_groups(Names=[f"{PREFIX}-payments"])["TargetGroups"]
    assert (listener["Protocol"], listener["Port"]) == ("HTTP", 8080)
    assert listener["DefaultActions"][0]["TargetGroupArn"] == target_group["TargetGroupArn"]
    assert target_group["LoadBalancerArns"] == [alb["LoadBalancerArn"]]


def test_internal_nlb_forwards_the_service_port_to_the_alb_and_both_are_in_the_outputs(converged, aws_client):
    elb = aws_client("elbv2")
    nlb, = elb.describe_load_balancers(Names=[f"{PREFIX}-services"])["LoadBalancers"]
    alb, = elb.describe_load_balancers(Names=[f"{PREFIX}-services-alb"])["LoadBalancers"]
    assert (nlb["Type"], nlb["Scheme"]) == ("network", "internal")
    listener, = elb.describe_listeners(LoadBalancerArn=nlb["LoadBalancerArn"])["Listeners"]
    target_group, = elb.describe_target_groups(Names=[f"{PREFIX}-payments-nlb"])["TargetGroups"]
    assert (listener["Protocol"], listener["Port"]) == ("TCP", 8080)
    assert listener["DefaultActions"][0]["TargetGroupArn"] == target_group["TargetGroupArn"]
    assert (target_group["TargetType"], target_group["Protocol"], target_group["Port"]) == ("alb", "TCP", 8080)
    assert (target_group["HealthCheckProtocol"], target_group["HealthCheckPath"]) == ("HTTP", "/health")
    targets = elb.describe_target_health(TargetGroupArn=target_group["TargetGroupArn"])["TargetHealthDescriptions"]
    assert [t["Target"] for t in targets] == [{"Id": alb["LoadBalancerArn"], "Port": 8080}]
    outputs = json.loads((converged["artifacts"] / "local" / "outputs.json").read_text())
    ecs = outputs.get("ecs", outputs.get("ecs_outputs"))
    assert ecs["nlb_arn"] == nlb["LoadBalancerArn"] and ecs["nlb_dns_name"] == nlb["DNSName"]
    assert ecs["alb_arn"] == alb["LoadBalancerArn"] and ecs["alb_dns_name"] == alb["DNSName"]


def test_service_scales_on_cpu_memory_and_requests_per_target_within_its_limits(converged, aws_client):
    scaling, elb = aws_client("application-autoscaling"), aws_client("elbv2")
    resource = f"service/{CLUSTER}/payments"
    target, = scaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource])["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 2)
    policies = scaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=resource)["ScalingPolicies"]
    tracking = {p["PolicyName"]: p["TargetTrackingScalingPolicyConfiguration"] for p in policies}
    assert {name: (c["PredefinedMetricSpecification"]["PredefinedMetricType"], c["TargetValue"])
            for name, c in tracking.items()} == {
        f"{PREFIX}-payments-cpu": ("ECSServiceAverageCPUUtilization", 70.0),
        f"{PREFIX}-payments-memory": ("ECSServiceAverageMemoryUtilization", 75.0),
        f"{PREFIX}-payments-requests": ("ALBRequestCountPerTarget", 1000.0)}
    alb, = elb.describe_load_balancers(Names=[f"{PREFIX}-services-alb"])["LoadBalancers"]
    group, = elb.describe_target_groups(Names=[f"{PREFIX}-payments"])["TargetGroups"]
    label = tracking[f"{PREFIX}-payments-requests"]["PredefinedMetricSpecification"]["ResourceLabel"]
    alb_part = alb["LoadBalancerArn"].split(":loadbalancer/")[1]
    group_part = group["TargetGroupArn"].rsplit(":", 1)[1]
    assert label == f"{alb_part}/{group_part}" and label.startswith(f"app/{PREFIX}-services-alb/")
    assert f"/targetgroup/{PREFIX}-payments/" in label


def test_a_new_image_tag_rolls_the_service_and_nothing_else(converged, site_env, aws_client):
    ecs = aws_client("ecs")
    env = site_env
    run = run_playbook(env, PLAYBOOK, "-e", service_vars(image_tag="1.1.0"), artifacts=converged["artifacts"])
    assert run.returncode == 0, run.output[-3000:]
    assert run.changed_tasks == ["ecs : Register a task definition revision when a service's definition changed",
                                 "ecs : Create or update each service (private subnets, circuit breaker with rollback)",
                                 "outputs : Write artifacts/<env>/outputs.json"], run.changed_tasks
    assert task_definition_arns(ecs) == [f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{FAMILY}:{n}" for n in (1, 2)]
    latest = ecs.describe_task_definition(taskDefinition=FAMILY)["taskDefinition"]
    assert latest["containerDefinitions"][0]["image"].endswith("/payments:1.1.0")
    service = ecs.describe_services(cluster=CLUSTER, services=["payments"])["services"][0]
    assert service["taskDefinition"] == latest["taskDefinitionArn"]
    # Everything else of the service stayed as it was.
    assert service["desiredCount"] == 1 and service["deploymentConfiguration"]["deploymentCircuitBreaker"]["rollback"]


BAD_INPUT = [
    ("cpu/memory pair Fargate does not offer", {"memory": 4096},
     "ecs_services[payments].memory: Fargate offers 256 CPU units with 512-2048 MiB"),
    ("container port above 65535", {"container_port": 70000},
     "ecs_services[payments].container_port: a TCP port is 1-65535, got 70000"),
    ("min > max scaling", {"min_count": 3, "max_count": 2},
     "ecs_services[payments].min_count: must not exceed max_count (2), got 3"),
    ("no requests per target", {"requests_per_target": 0},
     "ecs_services[payments].requests_per_target: requests per task per minute, more than 0, got 0"),
    ("unknown secret reference", {"secrets": [{"name": "API_KEY", "secret": "someone-elses/secret"}]},
     "ecs_services[payments].secrets[0].secret: unknown secret reference"),
]


@pytest.mark.parametrize("changes,message", [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_bad_input_fails_in_preflight_and_creates_nothing(changes, message, fresh_emulator, site_env, aws_client):
    env = site_env
    run = run_playbook(env, PLAYBOOK, "-e", service_vars(**changes))
    assert run.returncode != 0
    assert message in run.output, run.output[-3000:]
    assert "Pre-flight" in run.output.split(message)[0].rsplit("PLAY [", 1)[-1]
    assert aws_client("ecs").list_clusters()["clusterArns"] == []
    assert aws_client("ecs").list_task_definitions()["taskDefinitionArns"] == []
    assert aws_client("elbv2").describe_load_balancers()["LoadBalancers"] == []
