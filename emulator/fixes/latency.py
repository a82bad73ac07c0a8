"""Latency mode: resources that take minutes on AWS stay in their creating state for a scaled time.

moto makes an EKS cluster, node group, Fargate profile, add-on and NAT gateway active at
once (DAX after four describes, an ECS rollout never), so a converge against the emulator
says nothing about how long it takes on AWS. With PLATFORM_EMULATOR_LATENCY set to S (seconds
of emulator time per minute of AWS time), each resource of DELAYS below answers its describe
calls with its creating state until S * aws_minutes seconds after its creation, then with its
active state. Unset, empty or 0: nothing is patched (moto's behaviour, with the other fixes).

delays() gives the table to other code (a benchmark sums it and follows `after`).
"""

import os
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

LATENCY_ENV = "PLATFORM_EMULATOR_LATENCY"


@dataclass(frozen=True)
class Delay:
    key: str
    resource: str
    holds: str  # the state a describe returns while the resource is being created
    becomes: str  # the state it returns afterwards
    aws_minutes: float
    after: str | None  # key of the resource AWS needs to be active before this one can be created
    source: str


DELAYS: tuple[Delay, ...] = (
    Delay("eks_cluster", "EKS cluster", "CREATING", "ACTIVE", 15, None,
          "AWS: 'In most cases, it takes several minutes to create a cluster' "
          "(https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html); EKS's public roadmap: "
          "control plane provisioning 'currently averages 15 minutes' (https://github.com/aws/containers-roadmap/issues/1227)"),
    Delay("eks_nodegroup", "EKS managed node group", "CREATING", "ACTIVE", 5, "eks_cluster",
          "typical, observed (AWS gives no figure; its nodegroup-active waiter polls every 30 s up to 80 times: "
          "https://docs.aws.amazon.com/cli/latest/reference/eks/wait/nodegroup-active.html)"),
    Delay("eks_fargate_profile", "EKS Fargate profile", "CREATING", "ACTIVE", 3, "eks_cluster",
          "typical, observed (AWS gives no figure: "
          "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateFargateProfile.html)"),
    Delay("eks_addon", "EKS add-on", "CREATING", "ACTIVE", 2, "eks_cluster",
          "typical, observed (AWS gives no figure; its addon-active waiter polls every 10 s up to 60 times: "
          "https://docs.aws.amazon.com/cli/latest/reference/eks/wait/addon-active.html)"),
    Delay("nat_gateway", "NAT gateway", "pending", "available", 3, None,
          "typical, observed (AWS gives no figure; 'pending: The NAT gateway is being created and is not ready "
          "to process traffic': https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NatGateway.html)"),
    Delay("dax_cluster", "DAX cluster", "creating", "available", 10, None,
          "AWS: 'Creating the cluster takes several minutes' "
          "(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.create-cluster.cli.create-cluster.html); "
          "10 = typical, observed (5 to 15 minutes)"),
    Delay("ecs_service_rollout", "ECS service deployment (PRIMARY rolloutState)", "IN_PROGRESS", "COMPLETED", 5, None,
          "typical, observed (AWS gives no figure; 'When the service reaches a steady state, the deployment "
          "transitions to a COMPLETED state': https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html)"),
)


def delays() -> list[dict[str, Any]]:
    """The table as dicts: key, resource, holds, becomes, aws_minutes, after, source."""
    return [asdict(delay) for delay in DELAYS]


def scale() -> float:
    """Seconds of emulator time per AWS minute; 0 (off) when unset, empty, invalid or negative."""
    try:
        value = float(os.environ.get(LATENCY_ENV) or 0)
    except ValueError:
        return 0.0
    return max(value, 0.0)


def _seconds(key: str) -> float:
    minutes = next(delay.aws_minutes for delay in DELAYS if delay.key == key)
    return minutes * scale()


def _being_created(key: str, created_at: datetime | None) -> bool:
    """True while a resource created at created_at is still being created (naive datetimes are UTC)."""
    if created_at is None:
        return False
    now = datetime.now(timezone.utc)
    if created_at.tzinfo is None:
        now = now.replace(tzinfo=None)
    return now < created_at + timedelta(seconds=_seconds(key))


def _hold_attribute(model: type, attribute: str, key: str, active: str, creating: str, created_attr: str) -> None:
    """Make model.<attribute> read `creating` instead of `active` until the resource's delay has passed.

    The value moto sets is kept as is (any other state, such as deleted, reads unchanged).
    """
    stored = f"_latency_{attribute}"

    def read(self: Any) -> Any:
        value = self.__dict__.get(stored)
        if value == active and _being_created(key, getattr(self, created_attr, None)):
            return creating
        return value

    def write(self: Any, value: Any) -> None:
        self.__dict__[stored] = value

    setattr(model, attribute, property(read, write))


def _eks() -> None:
    from moto.eks.models import Cluster, FargateProfile, Nodegroup
    from moto.eks.responses import EKSResponse

    # moto refuses node groups and Fargate profiles while the cluster is not ACTIVE, as AWS does.
    _hold_attribute(Cluster, "status", "eks_cluster", "ACTIVE", "CREATING", "created_at")
    _hold_attribute(Nodegroup, "status", "eks_nodegroup", "ACTIVE", "CREATING", "created_at")
    _hold_attribute(FargateProfile, "status", "eks_fargate_profile", "ACTIVE", "CREATING", "created_at")

    # Add-ons are dicts kept by emulator/fixes/eks.py: adjust the copy each answer returns.
    def addon_answer(inner: Any) -> Any:
        def answer(self: Any) -> Any:
            result = inner(self)
            addon = result.result.get("addon") if hasattr(result, "result") else None
            if addon and addon.get("status") == "ACTIVE" and _being_created("eks_addon", addon.get("createdAt")):
                addon["status"] = "CREATING"
            return result

        return answer

    EKSResponse.create_addon = addon_answer(EKSResponse.create_addon)
    EKSResponse.describe_addon = addon_answer(EKSResponse.describe_addon)


def _nat_gateways() -> None:
    from moto.ec2.models.nat_gateways import NatGateway

    _hold_attribute(NatGateway, "state", "nat_gateway", "available", "pending", "_created_at")


def _dax() -> None:
    from moto.moto_api import state_manager

    # moto's own state transitions: "time" moves creating -> available that many seconds after creation.
    state_manager.set_transition("dax::cluster", {"progression": "time", "seconds": _seconds("dax_cluster")})


def _ecs_rollouts() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    inner = EC2ContainerServiceBackend.describe_services

    def settle(backend: Any, service: Any) -> None:
        for deployment in service.deployments:
            if deployment.get("status") != "PRIMARY":
                continue
            if deployment.get("rolloutState") not in ("IN_PROGRESS", "COMPLETED"):
                continue  # FAILED (circuit breaker) stays as it is
            if _being_created("ecs_service_rollout", deployment.get("createdAt")):
                deployment["rolloutState"] = "IN_PROGRESS"
                deployment["rolloutStateReason"] = f"ECS deployment {deployment['id']} in progress."
                continue
            if deployment["rolloutState"] == "IN_PROGRESS":
                # Steady state: every desired task runs (the cluster's task counts follow).
                cluster = backend._get_cluster(service.cluster_name)
                started = service.desired_count - service.running_count
                backend.update_cluster_resources(cluster, started, task_state="RUNNING")
                backend.update_cluster_resources(cluster, -service.pending_count, task_state="PENDING")
                service.running_count, service.pending_count = service.desired_count, 0
                deployment.update(rolloutState="COMPLETED", runningCount=service.desired_count, pendingCount=0,
                                  rolloutStateReason=f"ECS deployment {deployment['id']} completed.")

    def describe_services(self: Any, cluster_str: str, service_names_or_arns: list[str]) -> Any:
        services, failures = inner(self, cluster_str, service_names_or_arns)
        for service in services:
            settle(self, service)
        return services, failures

    EC2ContainerServiceBackend.describe_services = describe_services


def resources_take_their_aws_time_to_become_active() -> None:
    """With PLATFORM_EMULATOR_LATENCY set, slow AWS resources stay creating for their scaled AWS time.

    AWS: an EKS cluster, node group, Fargate profile and add-on are CREATING before ACTIVE
    (https://docs.aws.amazon.com/eks/latest/APIReference/API_Cluster.html), a NAT gateway is
    pending before available (API_NatGateway.html), a DAX cluster creating before available,
    and an ECS deployment's rolloutState IN_PROGRESS until the service is steady
    (API_Deployment.html); each takes minutes (see DELAYS for the figures and their sources).
    moto makes them active at once. Does nothing when the variable is unset or 0.
    """
    if not scale():
        return
    _eks()
    _nat_gateways()
    _dax()
    _ecs_rollouts()
    print(f"latency mode: {scale():g} s per AWS minute", flush=True)


FIXES = [resources_take_their_aws_time_to_become_active]
