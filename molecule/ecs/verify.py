"""ecs scenario: the Fargate service runs in the private subnets behind the internal NLB and ALB, and scales."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
CLUSTER = f"{PREFIX}-ecs"
ecs, ec2, elb, iam, logs, kms = (client(s) for s in ("ecs", "ec2", "elbv2", "iam", "logs", "kms"))
scaling = client("application-autoscaling")

cluster = ecs.describe_clusters(clusters=[CLUSTER], include=["SETTINGS"])["clusters"][0]
assert {s["name"]: s["value"] for s in cluster["settings"]} == {"containerInsights": "enhanced"}, cluster
assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"], cluster

definition = ecs.describe_task_definition(taskDefinition=f"{PREFIX}-payments")["taskDefinition"]
assert definition["revision"] == 1, definition["revision"]  # the idempotence run registered none
assert (definition["cpu"], definition["memory"], definition["networkMode"]) == ("256", "512", "awsvpc")
assert definition["executionRoleArn"] == iam.get_role(RoleName=f"{PREFIX}-ecs-payments-execution")["Role"]["Arn"]
assert definition["taskRoleArn"] == iam.get_role(RoleName=f"{PREFIX}-ecs-payments-task")["Role"]["Arn"]
container = definition["containerDefinitions"][0]
assert container["secrets"][0]["valueFrom"].startswith(
    f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{PREFIX}/payments/db-"), container["secrets"]

# The execution role reads exactly the service's secret and pulls exactly its repository.
policy = iam.get_role_policy(RoleName=f"{PREFIX}-ecs-payments-execution", PolicyName="access")["PolicyDocument"]
by_action = {a: s["Resource"] for s in policy["Statement"] for a in s["Action"]}
assert by_action["secretsmanager:GetSecretValue"] == [
    f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{PREFIX}/payments/db-*"], by_action
assert by_action["ecr:BatchGetImage"] == [f"arn:aws:ecr:eu-west-1:123456789012:repository/{PREFIX}/payments"]
assert by_action["ecr:GetAuthorizationToken"] == ["*"]

group = logs.describe_log_groups(logGroupNamePrefix=f"/ecs/{PREFIX}/payments")["logGroups"][0]
logs_key = kms.describe_key(KeyId=f"alias/{PREFIX}-logs")["KeyMetadata"]["Arn"]
assert group["kmsKeyId"] == logs_key, group

service = ecs.describe_services(cluster=CLUSTER, services=["payments"])["services"][0]
private = ec2.describe_subnets(Filters=[{"Name": "tag:Tier", "Values": ["private"]},
                                        {"Name": "tag:Environment", "Values": ["local"]}])["Subnets"]
assert sorted(service["networkConfiguration"]["awsvpcConfiguration"]["subnets"]) == sorted(s["SubnetId"] for s in private)
assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}

nlb = elb.describe_load_balancers(Names=[f"{PREFIX}-services"])["LoadBalancers"][0]
alb = elb.describe_load_balancers(Names=[f"{PREFIX}-services-alb"])["LoadBalancers"][0]
assert (nlb["Type"], nlb["Scheme"]) == ("network", "internal"), nlb
assert (alb["Type"], alb["Scheme"]) == ("application", "internal"), alb
# NLB listener -> target group of type alb -> the ALB; ALB listener -> the service's target group.
listener = elb.describe_listeners(LoadBalancerArn=nlb["LoadBalancerArn"])["Listeners"][0]
to_alb = elb.describe_target_groups(TargetGroupArns=[listener["DefaultActions"][0]["TargetGroupArn"]])["TargetGroups"][0]
assert to_alb["TargetType"] == "alb", to_alb
targets = elb.describe_target_health(TargetGroupArn=to_alb["TargetGroupArn"])["TargetHealthDescriptions"]
assert [t["Target"]["Id"] for t in targets] == [alb["LoadBalancerArn"]], targets
alb_listener = elb.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"][0]
assert alb_listener["DefaultActions"][0]["TargetGroupArn"] == service["loadBalancers"][0]["targetGroupArn"]

policies = scaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=f"service/{CLUSTER}/payments")
metrics = sorted(p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"]
                 for p in policies["ScalingPolicies"])
assert metrics == ["ALBRequestCountPerTarget", "ECSServiceAverageCPUUtilization",
                   "ECSServiceAverageMemoryUtilization"], policies
print(f"ecs: service payments verified behind {nlb['DNSName']}:{listener['Port']} -> {alb['DNSName']}")
