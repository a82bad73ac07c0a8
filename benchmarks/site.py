"""How fast site.yml converges the whole `local` environment, and how many AWS calls it makes.

On a fresh emulator (started here, on a free port, with the fake Kubernetes API):

1. first converge: wall time, tasks run, API calls by service and operation, mutating and read;
2. no-op re-run: the same figures (a no-op run should make no mutating call at all);
3. the limit: one read call per managed resource (the describes a no-op run needs, at least),
   made from one boto3 process and timed; the ratio of the no-op run's wall time to it;
4. resources managed, by type (everything carrying the environment's tags);
5. where the time goes: seconds per role and the ten slowest tasks of each run;
6. with --latency S (default 1; 0 skips it): a fresh converge on an emulator whose slow resources
   (EKS, NAT gateways, DAX, ECS rollouts) take S seconds per AWS minute, beside the sum of all
   those delays (fully serial) and the longest chain of dependent delays (the floor).

API calls are counted by the emulator (GET /_platform/api-calls), not from Ansible's output.
Prints a table and writes artifacts/bench/site.json, with every task's time of each run beside it
(timings-first.json, timings-noop.json, timings-latency.json). Run from the repository root:

    python benchmarks/site.py [--latency 1] [--out artifacts/bench/site.json]

The emulator start is not part of any figure. Figures vary with the machine's load: run it on an
otherwise idle machine.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path


REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from emulator import launcher  # noqa: E402
from emulator.fixes import latency as latency_fix  # noqa: E402
from tests.inventory import tagged_resources  # noqa: E402
from tests.local_site import LocalSite  # noqa: E402

SCOPE_TAGS = {"Environment": "local", "ManagedBy": "ansible-platform-toolkit"}


class Site(LocalSite):
    """The benchmark's local site: site.yml runs timed, with the API calls the emulator saw."""

    def converge(self, label: str) -> dict:
        """Run site.yml once; its wall time, recap, tasks and the API calls the emulator saw."""
        timings = self.workdir / f"timings-{label}.json"
        launcher.reset_api_calls(self.emulator.url, self.emulator.ca_bundle)
        started = time.monotonic()
        proc = self.run("site.yml", env={"PLATFORM_TIMINGS_FILE": str(timings)})
        wall = time.monotonic() - started
        calls = launcher.api_calls(self.emulator.url, self.emulator.ca_bundle)
        (self.workdir / f"ansible-{label}.log").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            sys.exit(f"site.yml failed ({label}), rc {proc.returncode}:\n{(proc.stdout + proc.stderr)[-3000:]}")
        tasks = json.loads(timings.read_text())["tasks"]
        return {"wall_seconds": round(wall, 1), **task_figures(tasks), **call_figures(calls)}


def task_figures(tasks: list[dict]) -> dict:
    ran = [t for t in tasks if t["outcome"] != "skipped"]
    per_role: dict[str, float] = defaultdict(float)
    for task in tasks:
        per_role[task["role"] or "(playbook)"] += task["seconds"]
    slowest = sorted(tasks, key=lambda t: -t["seconds"])[:10]
    return {
        "tasks_run": len(ran),
        "tasks_skipped": len(tasks) - len(ran),
        "tasks_changed": sum(t["outcome"] == "changed" for t in tasks),
        "seconds_by_role": dict(sorted(((r, round(s, 1)) for r, s in per_role.items()), key=lambda i: -i[1])),
        # ansible names a role's task "role : task" already.
        "slowest_tasks": [{"task": t["task"], "seconds": t["seconds"], "outcome": t["outcome"]} for t in slowest],
    }


def call_figures(report: dict) -> dict:
    calls = sorted(report["calls"], key=lambda c: (-c["count"], c["service"], c["operation"]))
    by_service: dict[str, dict[str, int]] = defaultdict(lambda: {"mutating": 0, "read": 0})
    for call in calls:
        by_service[call["service"]]["mutating" if call["mutating"] else "read"] += call["count"]
    return {
        "api_calls": sum(c["count"] for c in calls),
        "mutating_calls": sum(c["count"] for c in calls if c["mutating"]),
        "read_calls": sum(c["count"] for c in calls if not c["mutating"]),
        "calls_by_service": dict(sorted(by_service.items())),
        "calls": [{k: c[k] for k in ("service", "operation", "mutating", "count")} for c in calls],
    }


# --- resources and the limit -----------------------------------------------------------------

# The per-service listings of tests/inventory.py already hold these ARN types: the tagging API's
# copies of them are not counted twice.
LISTED_ARN_TYPES = {
    "dynamodb:table", "sqs:", "sns:", "kinesis:stream", "lambda:function", "s3:", "logs:log-group",
    "ecr:repository", "eks:cluster", "ecs:cluster", "ecs:service", "ecs:task-definition", "dax:cache",
    "cognito-idp:userpool", "cognito-identity:identitypool", "apigateway:/restapis", "apigateway:/usageplans",
    "apigateway:/apikeys", "apigateway:/vpclinks", "iam:role", "iam:oidc-provider", "kms:key",
    "secretsmanager:secret", "config:config-rule", "cloudtrail:trail", "wafv2:regional",
    "cloudwatch:alarm", "backup:backup-plan", "backup:backup-vault",
    "ec2:vpc", "ec2:subnet", "ec2:internet-gateway", "ec2:route-table", "ec2:security-group",
    "ec2:network-acl", "ec2:vpc-endpoint", "ec2:natgateway", "ec2:elastic-ip",
}


def arn_type(arn: str) -> str:
    service, resource = arn.split(":")[2], arn.split(":", 5)[5]
    kind = resource.split("/")[0].split(":")[0] if not resource.startswith("/") else "/" + resource.split("/")[1]
    return f"{service}:{kind}"


def managed_resources(site: Site) -> list[tuple[str, str]]:
    """(type, identifier) of everything that carries the environment's tags, each once."""
    found = tagged_resources(site.client, SCOPE_TAGS)
    resources = [(kind, ident) for kind, idents in found.items() if kind != "tagging-api" for ident in idents]
    for arn in found.get("tagging-api", []):
        kind = arn_type(arn)
        if kind not in LISTED_ARN_TYPES and not any(kind.startswith(t) for t in LISTED_ARN_TYPES if t.endswith(":")):
            resources.append((kind, arn))
    return resources


def _ecs_service(c, arn):
    cluster = arn.split(":", 5)[5].split("/")[1]
    return c("ecs").describe_services(cluster=cluster, services=[arn])


def _eks_child(c, arn):
    kind, cluster, name = arn.split(":", 5)[5].split("/")[:3]
    eks = c("eks")
    if kind == "nodegroup":
        return eks.describe_nodegroup(clusterName=cluster, nodegroupName=name)
    if kind == "fargateprofile":
        return eks.describe_fargate_profile(clusterName=cluster, fargateProfileName=name)
    return eks.describe_addon(clusterName=cluster, addonName=name)


# One read call per resource type: the describe a converge needs at the least to know it is right.
DESCRIBE = {
    "iam-role": lambda c, i: c("iam").get_role(RoleName=i),
    "iam-oidc": lambda c, i: c("iam").get_open_id_connect_provider(OpenIDConnectProviderArn=i),
    "kms": lambda c, i: c("kms").describe_key(KeyId=i),
    "logs": lambda c, i: c("logs").describe_log_groups(logGroupNamePrefix=i),
    "ecr": lambda c, i: c("ecr").describe_repositories(repositoryNames=[i]),
    "eks": lambda c, i: c("eks").describe_cluster(name=i),
    "ecs-cluster": lambda c, i: c("ecs").describe_clusters(clusters=[i]),
    "ecs-service": _ecs_service,
    "ecs-task-definition": lambda c, i: c("ecs").describe_task_definition(taskDefinition=i),
    "dax": lambda c, i: c("dax").describe_clusters(ClusterNames=[i]),
    "cognito-user-pool": lambda c, i: c("cognito-idp").describe_user_pool(UserPoolId=i),
    "cognito-identity-pool": lambda c, i: c("cognito-identity").describe_identity_pool(IdentityPoolId=i),
    "apigateway-rest-api": lambda c, i: c("apigateway").get_rest_api(restApiId=i),
    "apigateway-usage-plan": lambda c, i: c("apigateway").get_usage_plan(usagePlanId=i),
    "apigateway-api-key": lambda c, i: c("apigateway").get_api_key(apiKey=i),
    "apigateway-vpc-link": lambda c, i: c("apigateway").get_vpc_link(vpcLinkId=i),
    "lambda": lambda c, i: c("lambda").get_function_configuration(FunctionName=i),
    "kinesis": lambda c, i: c("kinesis").describe_stream_summary(StreamName=i),
    "sqs": lambda c, i: c("sqs").get_queue_attributes(QueueUrl=i, AttributeNames=["All"]),
    "sns": lambda c, i: c("sns").get_topic_attributes(TopicArn=i),
    "dynamodb": lambda c, i: c("dynamodb").describe_table(TableName=i),
    "s3": lambda c, i: c("s3").head_bucket(Bucket=i),
    "ec2-Vpcs": lambda c, i: c("ec2").describe_vpcs(VpcIds=[i]),
    "ec2-Subnets": lambda c, i: c("ec2").describe_subnets(SubnetIds=[i]),
    "ec2-InternetGateways": lambda c, i: c("ec2").describe_internet_gateways(InternetGatewayIds=[i]),
    "ec2-RouteTables": lambda c, i: c("ec2").describe_route_tables(RouteTableIds=[i]),
    "ec2-SecurityGroups": lambda c, i: c("ec2").describe_security_groups(GroupIds=[i]),
    "ec2-NetworkAcls": lambda c, i: c("ec2").describe_network_acls(NetworkAclIds=[i]),
    "ec2-VpcEndpoints": lambda c, i: c("ec2").describe_vpc_endpoints(VpcEndpointIds=[i]),
    "ec2-NatGateways": lambda c, i: c("ec2").describe_nat_gateways(NatGatewayIds=[i]),
    "ec2-Addresses": lambda c, i: c("ec2").describe_addresses(AllocationIds=[i]),
    "secretsmanager": lambda c, i: c("secretsmanager").describe_secret(SecretId=i),
    "config-rule": lambda c, i: c("config").describe_config_rules(ConfigRuleNames=[i]),
    "cloudtrail": lambda c, i: c("cloudtrail").get_trail(Name=i),
    "wafv2": lambda c, i: c("wafv2").list_web_acls(Scope="REGIONAL"),
    "cloudwatch-alarm": lambda c, i: c("cloudwatch").describe_alarms(AlarmNames=[i]),
    "cloudwatch-dashboard": lambda c, i: c("cloudwatch").get_dashboard(DashboardName=i),
    "backup-plan": lambda c, i: c("backup").list_backup_plans(),
    "backup-vault": lambda c, i: c("backup").describe_backup_vault(BackupVaultName=i),
    "elasticloadbalancing:loadbalancer": lambda c, i: c("elbv2").describe_load_balancers(LoadBalancerArns=[i]),
    "elasticloadbalancing:targetgroup": lambda c, i: c("elbv2").describe_target_groups(TargetGroupArns=[i]),
    "elasticloadbalancing:listener": lambda c, i: c("elbv2").describe_listeners(ListenerArns=[i]),
    "eks:nodegroup": _eks_child,
    "eks:fargateprofile": _eks_child,
    "eks:addon": _eks_child,
    "firehose:deliverystream": lambda c, i: c("firehose").describe_delivery_stream(
        DeliveryStreamName=i.rsplit("/", 1)[1]),
}


def the_limit(site: Site, resources: list[tuple[str, str]]) -> dict:
    """One read call per managed resource from one boto3 process (clients made beforehand)."""
    clients: dict[str, object] = {}

    def client(service: str):
        if service not in clients:
            clients[service] = site.client(service)
        return clients[service]

    def generic(c, arn):  # a type with no describe of its own above: one tagging API read
        return c("resourcegroupstaggingapi").get_resources(ResourceARNList=[arn])

    plan = [(DESCRIBE.get(kind, generic), ident) for kind, ident in resources]
    for read, ident in plan[:3]:  # warm the clients and connections, as a converge would be warm
        read(client, ident)
    started = time.monotonic()
    for read, ident in plan:
        read(client, ident)
    seconds = time.monotonic() - started
    return {"reads": len(plan), "seconds": round(seconds, 2),
            "generic_reads": sum(kind not in DESCRIBE for kind, _ in resources)}


# --- latency: serial sum and floor ------------------------------------------------------------

def slow_resources(site: Site) -> Counter:
    """How many of each slow resource (the latency table's keys) the site holds."""
    c = site.client
    found: Counter = Counter()
    eks, ecs = c("eks"), c("ecs")
    for cluster in eks.list_clusters()["clusters"]:
        found["eks_cluster"] += 1
        found["eks_nodegroup"] += len(eks.list_nodegroups(clusterName=cluster)["nodegroups"])
        found["eks_fargate_profile"] += len(eks.list_fargate_profiles(clusterName=cluster)["fargateProfileNames"])
        found["eks_addon"] += len(eks.list_addons(clusterName=cluster)["addons"])
    found["nat_gateway"] = sum(g["State"] not in ("deleted", "deleting")
                               for g in c("ec2").describe_nat_gateways()["NatGateways"])
    found["dax_cluster"] = len(c("dax").describe_clusters()["Clusters"])
    for cluster in ecs.list_clusters()["clusterArns"]:
        found["ecs_service"] += len(ecs.list_services(cluster=cluster)["serviceArns"])
    return found


def serial_and_floor(counts: Counter, scale: float) -> dict:
    """Fully serial: every slow resource one after another. Floor: the longest chain of
    dependent delays, with independent resources (and several of one kind) side by side."""
    table = {d["key"]: d for d in latency_fix.delays()}
    present = {k for k, n in counts.items() if n and k in table}
    serial = sum(table[k]["aws_minutes"] * counts[k] for k in present) * scale
    chain: dict[str, float] = {}

    def longest(key: str) -> float:
        if key not in chain:
            before = [longest(d) for d in [table[key]["after"]] if d in present]
            chain[key] = table[key]["aws_minutes"] + max(before, default=0)
        return chain[key]

    floor_key = max(present, key=longest, default=None)
    path, key = [], floor_key
    while key:
        path.insert(0, key)
        key = table[key]["after"] if table[key]["after"] in present else None
    return {"serial_seconds": round(serial, 1), "floor_seconds": round(longest(floor_key) * scale, 1) if floor_key else 0,
            "floor_chain": path, "slow_resources": dict(counts),
            "aws_minutes": {k: table[k]["aws_minutes"] for k in sorted(present)}}


# --- report -----------------------------------------------------------------------------------

def print_report(result: dict) -> None:
    first, noop, limit = result["first_converge"], result["noop_rerun"], result["limit"]
    rows = [("", "first converge", "no-op re-run"),
            ("wall time (s)", first["wall_seconds"], noop["wall_seconds"]),
            ("tasks run / changed", f"{first['tasks_run']} / {first['tasks_changed']}",
             f"{noop['tasks_run']} / {noop['tasks_changed']}"),
            ("API calls", first["api_calls"], noop["api_calls"]),
            ("  mutating", first["mutating_calls"], noop["mutating_calls"]),
            ("  read", first["read_calls"], noop["read_calls"])]
    print()
    for row in rows:
        print(f"{row[0]:<22}{row[1]!s:>18}{row[2]!s:>18}")
    resources = result["resources"]
    print(f"\nresources managed: {resources['total']}  "
          + ", ".join(f"{k} {v}" for k, v in sorted(resources["by_type"].items())))
    print(f"read calls per resource on the no-op run: {result['noop_reads_per_resource']}")
    print(f"the limit: {limit['reads']} reads (one per resource) from one boto3 process in {limit['seconds']} s; "
          f"no-op re-run / limit = {result['noop_over_limit']}x")
    for label, run in (("first converge", first), ("no-op re-run", noop)):
        print(f"\n{label}: seconds by role")
        print("  " + ", ".join(f"{r} {s}" for r, s in list(run["seconds_by_role"].items())[:12]))
        print(f"{label}: the 10 slowest tasks")
        for task in run["slowest_tasks"]:
            print(f"  {task['seconds']:>6.2f}  {task['task']}")
        top = [c for c in run["calls"]][:8]
        print(f"{label}: most frequent calls: " + ", ".join(
            f"{c['service']}.{c['operation']} {c['count']}" for c in top))
    print("\ntargets on this machine:")
    for label, met in (("no-op re-run makes no mutating call", noop["mutating_calls"] == 0),
                       ("no-op re-run reads at most 2 calls per managed resource", result["noop_reads_per_resource"] <= 2),
                       ("no-op re-run in 20 s or less", noop["wall_seconds"] <= 20),
                       ("first converge in 60 s or less", first["wall_seconds"] <= 60)):
        print(f"  {'met ' if met else 'MISS'}  {label}")
    if noop["mutating_calls"]:
        print("\nMUTATING CALLS ON THE NO-OP RUN: " + ", ".join(
            f"{c['service']}.{c['operation']} x{c['count']}" for c in noop["calls"] if c["mutating"]))
    slow = result.get("latency")
    if slow:
        print(f"\nlatency mode ({slow['scale']} s per AWS minute): fresh converge {slow['wall_seconds']} s "
              f"(without latency {first['wall_seconds']} s, so +{slow['added_seconds']} s)")
        print(f"  slow resources: {slow['slow_resources']}")
        print(f"  their delays fully serial: {slow['serial_seconds']} s; the floor (longest dependent chain "
              f"{' -> '.join(slow['floor_chain'])}): {slow['floor_seconds']} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=1.0,
                        help="seconds per AWS minute for the latency-mode converge (0 skips it)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "artifacts" / "bench" / "site.json")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        site = Site(Path(tmp) / "plain")
        try:
            first = site.converge("first")
            noop = site.converge("noop")
            resources = managed_resources(site)
            limit = the_limit(site, resources)
        finally:
            site.close()
        by_type = Counter(kind for kind, _ in resources)
        result = {
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "first_converge": first,
            "noop_rerun": noop,
            "resources": {"total": len(resources), "by_type": dict(sorted(by_type.items()))},
            "limit": limit,
            "noop_reads_per_resource": round(noop["read_calls"] / max(len(resources), 1), 2),
            "noop_over_limit": round(noop["wall_seconds"] / max(limit["seconds"], 0.01), 1),
        }
        if args.latency > 0:
            slow_site = Site(Path(tmp) / "latency", latency=args.latency)
            try:
                slow = slow_site.converge("latency")
                counts = slow_resources(slow_site)
            finally:
                slow_site.close()
            result["latency"] = {"scale": args.latency, "wall_seconds": slow["wall_seconds"],
                                 "added_seconds": round(slow["wall_seconds"] - first["wall_seconds"], 1),
                                 "seconds_by_role": slow["seconds_by_role"], "slowest_tasks": slow["slowest_tasks"],
                                 **serial_and_floor(counts, args.latency)}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        for timings in Path(tmp).glob("*/timings-*.json"):  # every task's time, beside the report
            shutil.copy(timings, args.out.parent / timings.name)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print_report(result)
    print(f"\nwrote {args.out.relative_to(REPO_ROOT) if args.out.is_relative_to(REPO_ROOT) else args.out}")


if __name__ == "__main__":
    main()
