"""Draw an environment as it was provisioned, from its outputs file.

    python tools/picture.py artifacts/local/outputs.json    # -> platform.dot, .svg, .png beside it

Layers are clusters, resources are nodes, and the edges are the links the roles reported:
event source mappings, Firehose sources and buckets, API integrations and authorizers,
topic subscriptions, queue redrive policies, functions' environment references, load balancer
targets, trail and recorder buckets, the WAF's protected stages. Nothing is drawn from a
resource's name alone: a link a role did not report is not in the picture. SVG and PNG are
rendered by graphviz's `dot`.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

LAYERS = {
    "clients": "Clients",
    "foundation": "Foundation",
    "ingestion": "Ingestion",
    "api": "API",
    "messaging": "Messaging",
    "data": "Data",
    "containers": "Containers",
    "observability": "Observability and compliance",
}
# graphviz shapes and fill colours per kind of resource.
STYLES = {
    "client": ("oval", "#ffffff"),
    "stream": ("cds", "#fde2c4"),
    "function": ("component", "#ffe9a8"),
    "firehose": ("cds", "#fde2c4"),
    "queue": ("box3d", "#f6d1e4"),
    "dlq": ("box3d", "#f2b8b8"),
    "topic": ("hexagon", "#f6d1e4"),
    "endpoint": ("note", "#ffffff"),
    "table": ("cylinder", "#cfe3ff"),
    "bucket": ("folder", "#d8f0d0"),
    "cache": ("cylinder", "#e4dcff"),
    "api": ("doubleoctagon", "#dcd5f7"),
    "identity": ("house", "#dcd5f7"),
    "balancer": ("trapezium", "#d5eef2"),
    "service": ("box", "#d5eef2"),
    "cluster": ("tab", "#d5eef2"),
    "repository": ("folder", "#d5eef2"),
    "network": ("box", "#eeeeee"),
    "key": ("octagon", "#eeeeee"),
    "monitor": ("box", "#f0f0f0"),
}


def dot_quote(text) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, line breaks as \\n."""
    text = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\n").replace("\n", "\\n") + '"'


@dataclass
class Graph:
    nodes: dict = field(default_factory=dict)     # id -> {"label", "kind", "layer"}
    edges: list = field(default_factory=list)     # (from id, to id, label), one per pair
    aliases: dict = field(default_factory=dict)   # name, ARN or URL -> node id

    def node(self, node_id, label, kind, layer, *aliases):
        if node_id not in self.nodes:
            self.nodes[node_id] = {"label": label, "kind": kind, "layer": layer}
        for alias in (node_id, *aliases):
            if alias:
                self.aliases.setdefault(str(alias), node_id)
        return node_id

    def find(self, reference):
        """The node a name, ARN or URL refers to (a Lambda ARN with a qualifier finds its function)."""
        if not reference:
            return None
        reference = str(reference)
        if reference in self.aliases:
            return self.aliases[reference]
        match = re.match(r"^(arn:[^:]+:lambda:[^:]+:[^:]+:function:[^:]+)(:.+)?$", reference)
        return self.aliases.get(match.group(1)) if match else None

    def edge(self, source, target, label=""):
        """One edge per pair of nodes: a second link between them adds its label to the first."""
        if not (source and target) or source == target:
            return
        for index, (known_source, known_target, known_label) in enumerate(self.edges):
            if (known_source, known_target) == (source, target):
                if label and label not in known_label.split("\n"):
                    self.edges[index] = (source, target, f"{known_label}\n{label}" if known_label else label)
                return
        self.edges.append((source, target, label))

    def clusters(self):
        """Layer -> its node ids, in LAYERS order, empty layers left out."""
        layers = {layer: [] for layer in LAYERS}
        for node_id, node in self.nodes.items():
            layers.setdefault(node["layer"], []).append(node_id)
        return {layer: ids for layer, ids in layers.items() if ids}


def _section(outputs, name):
    value = outputs.get(name)
    return value if isinstance(value, dict) else {}


def _last(arn, separator="/"):
    return str(arn).rsplit(separator, 1)[-1]


def _resources(graph, outputs):
    """Every resource the outputs name, in its layer."""
    network = _section(outputs, "network")
    if network.get("vpc_id"):
        graph.node(network["vpc_id"], f"VPC {network['vpc_id']}\n{network.get('vpc_cidr', '')}", "network", "foundation")
    for purpose, arn in sorted(_section(outputs, "kms").get("key_arns", {}).items()):
        graph.node(arn, f"KMS key\n{purpose}", "key", "foundation")

    kinesis = _section(outputs, "kinesis")
    for key, name in sorted(kinesis.get("stream_names", {}).items()):
        graph.node(kinesis.get("stream_arns", {}).get(key) or name, f"Kinesis stream\n{name}", "stream", "ingestion", name)
    processor = _section(outputs, "stream_processor")
    if processor.get("firehose_arn"):
        graph.node(processor["firehose_arn"], f"Firehose\n{processor.get('firehose_name', '')}", "firehose", "ingestion")
    if processor.get("dlq_arn"):
        graph.node(processor["dlq_arn"], f"dead-letter queue\n{processor.get('dlq_name', '')}", "dlq", "ingestion",
                   processor.get("dlq_url"), processor.get("dlq_name"))

    for name, function in sorted(_section(outputs, "lambda_function").items()):
        # The preprocessor is the ingestion layer's function; the API layer deploys the others.
        layer = "ingestion" if name == processor.get("function_name") else "api"
        graph.node(function.get("function_arn") or name, f"Lambda\n{name}", "function", layer, name)

    dynamodb = _section(outputs, "dynamodb")
    for key, name in sorted(dynamodb.get("table_names", {}).items()):
        graph.node(dynamodb.get("table_arns", {}).get(key) or name, f"DynamoDB table\n{name}", "table", "data", name)
    s3 = _section(outputs, "s3")
    for key, name in sorted(s3.get("bucket_names", {}).items()):
        graph.node(s3.get("bucket_arns", {}).get(key) or name, f"S3 bucket\n{name}", "bucket", "data", name)
    dax = _section(outputs, "dax")
    if dax.get("enabled") and dax.get("cluster_name"):
        graph.node(dax.get("cluster_arn") or dax["cluster_name"], f"DAX\n{dax['cluster_name']}", "cache", "data",
                   dax.get("url"), dax.get("endpoint"))

    messaging = _section(outputs, "messaging")
    for key, arn in sorted(messaging.get("dlq_arns", {}).items()):
        graph.node(arn, f"dead-letter queue\n{_last(arn, ':')}", "dlq", "messaging", messaging.get("dlq_urls", {}).get(key))
    for key, arn in sorted(messaging.get("queue_arns", {}).items()):
        graph.node(arn, f"SQS queue\n{_last(arn, ':')}", "queue", "messaging", messaging.get("queue_urls", {}).get(key))
    for key, arn in sorted(messaging.get("topic_arns", {}).items()):
        graph.node(arn, f"SNS topic\n{_last(arn, ':')}", "topic", "messaging")

    cognito = _section(outputs, "cognito")
    if cognito.get("user_pool_id"):
        graph.node(cognito.get("user_pool_arn") or cognito["user_pool_id"],
                   f"Cognito user pool\n{cognito.get('user_pool_name', cognito['user_pool_id'])}", "identity", "api",
                   cognito["user_pool_id"], cognito.get("issuer"))
    if cognito.get("app_client_id"):
        graph.node(cognito["app_client_id"], "Cognito app client", "identity", "api")
    if cognito.get("identity_pool_id"):
        graph.node(cognito["identity_pool_id"], "Cognito identity pool", "identity", "api")
    api = _section(outputs, "api_gateway")
    if api.get("api_id"):
        stages = api.get("stages") or {}
        graph.node(api["api_id"], f"REST API {api.get('api_name', '')}\nstages: {', '.join(sorted(stages))}", "api", "api",
                   *[f"/restapis/{api['api_id']}/stages/{stage}" for stage in stages])

    ecr = _section(outputs, "ecr")
    for key, uri in sorted(ecr.get("repository_uris", {}).items()):
        graph.node(ecr.get("repository_arns", {}).get(key) or uri, f"ECR\n{ecr.get('repository_names', {}).get(key, key)}",
                   "repository", "containers", uri)
    ecs = _section(outputs, "ecs")
    if ecs.get("nlb_arn"):
        graph.node(ecs["nlb_arn"], f"NLB\n{ecs.get('nlb_dns_name', '')}", "balancer", "containers")
    if ecs.get("alb_arn"):
        graph.node(ecs["alb_arn"], f"ALB\n{ecs.get('alb_dns_name', '')}", "balancer", "containers")
    if ecs.get("cluster_name"):
        graph.node(ecs.get("cluster_arn") or ecs["cluster_name"], f"ECS cluster\n{ecs['cluster_name']}", "cluster", "containers")
    for name, service in sorted((ecs.get("services") or {}).items()):
        graph.node(service.get("service_arn") or f"ecs:{name}", f"ECS service\n{name}:{service.get('port', '')}", "service",
                   "containers")
    eks = _section(outputs, "eks")
    if eks.get("cluster_name"):
        graph.node(eks.get("cluster_arn") or eks["cluster_name"], f"EKS cluster\n{eks['cluster_name']}", "cluster", "containers")
    for name, dns in sorted((_section(outputs, "k8s_workloads").get("services") or {}).items()):
        graph.node(f"k8s:{dns}", f"Kubernetes service\n{dns}", "service", "containers")

    observability = _section(outputs, "observability")
    if observability.get("alerts_topic_arn"):
        graph.node(observability["alerts_topic_arn"], f"SNS topic\n{_last(observability['alerts_topic_arn'], ':')}", "topic",
                   "observability")
    cloudtrail = _section(outputs, "cloudtrail")
    if cloudtrail.get("trail_arn"):
        graph.node(cloudtrail["trail_arn"], f"CloudTrail\n{cloudtrail.get('trail_name', '')}", "monitor", "observability")
    config = _section(outputs, "config_rules")
    if config.get("recorder_name"):
        graph.node("config:recorder", f"AWS Config recorder\n{len(config.get('rule_names', []))} rules", "monitor",
                   "observability")
    waf = _section(outputs, "waf")
    if waf.get("web_acl_arn"):
        graph.node(waf["web_acl_arn"], f"WAF web ACL\n{waf.get('web_acl_name', '')}", "monitor", "observability")


def _links(graph, outputs):
    """The edges, each from a relation a role reported."""
    kinesis = _section(outputs, "kinesis")
    streams = [graph.find(arn) for arn in kinesis.get("stream_arns", {}).values()]
    if streams:
        producers = graph.node("clients:producers", "producers", "client", "clients")
        for stream in streams:
            graph.edge(producers, stream, "PutRecords")

    processor = _section(outputs, "stream_processor")
    function = graph.find(processor.get("function_arn"))
    graph.edge(graph.find(processor.get("event_source_arn") or processor.get("stream_arn")), function, "event source mapping")
    graph.edge(function, graph.find(processor.get("on_failure_destination")), "failed batches")
    graph.edge(graph.find(processor.get("firehose_source_arn")), graph.find(processor.get("firehose_arn")), "source")
    graph.edge(graph.find(processor.get("firehose_arn")), graph.find(processor.get("archive_bucket_arn")), "archive")

    # A function's environment naming a resource (table, bucket, queue, DAX, user pool) is a link.
    for name, details in sorted(_section(outputs, "lambda_function").items()):
        source = graph.find(details.get("function_arn") or name)
        for key, value in sorted((details.get("environment") or {}).items()):
            for part in str(value).split(","):
                graph.edge(source, graph.find(part.strip()), key.lower())

    api = _section(outputs, "api_gateway")
    api_node = graph.find(api.get("api_id"))
    if api_node:
        apps = graph.node("clients:apps", "applications", "client", "clients")
        graph.edge(apps, api_node, "HTTPS")
    routes_by_target = {}
    for route in api.get("routes") or []:
        target = None
        lambda_arn = re.search(r"/functions/(arn:[^/]+)/invocations", route.get("uri", ""))
        if lambda_arn:
            target = graph.find(lambda_arn.group(1))
        elif route.get("stream_name"):
            target = graph.find(route["stream_name"])
        if target:
            routes_by_target.setdefault(target, []).append(f"{route['method']} {route['path']}")
    for target, routes in routes_by_target.items():
        label = "\n".join(routes) if len(routes) <= 3 else f"{len(routes)} routes"
        graph.edge(api_node, target, label)
    for scheme, authorizer in sorted((api.get("authorizers") or {}).items()):
        lambda_arn = re.search(r"/functions/(arn:[^/]+)/invocations", authorizer.get("uri", ""))
        targets = [lambda_arn.group(1)] if lambda_arn else authorizer.get("provider_arns", [])
        for target in targets:
            graph.edge(api_node, graph.find(target), f"authorizer {scheme}")

    cognito = _section(outputs, "cognito")
    pool = graph.find(cognito.get("user_pool_id"))
    identities = graph.find(cognito.get("identity_pool_id"))
    client = graph.find(cognito.get("app_client_id"))
    if pool or client:
        apps = graph.node("clients:apps", "applications", "client", "clients")
        graph.edge(apps, client or pool, "sign-in")
    graph.edge(client, pool, "client of")
    graph.edge(identities, pool, "trusts")
    graph.edge(identities, graph.find(cognito.get("user_files_bucket")), "per-user folder")

    messaging = _section(outputs, "messaging")
    for queue, dlq in sorted((messaging.get("redrive_targets") or {}).items()):
        graph.edge(graph.find(messaging.get("queue_arns", {}).get(queue)), graph.find(dlq), "redrive")
    for topic, subscriptions in sorted((messaging.get("subscriptions") or {}).items()):
        source = graph.find(messaging.get("topic_arns", {}).get(topic))
        for subscription in subscriptions:
            endpoint = subscription.get("endpoint", "")
            target = graph.find(endpoint) or graph.node(
                f"endpoint:{subscription.get('protocol')}:{endpoint}",
                f"{subscription.get('protocol')}\n{_last(endpoint, ':') if endpoint.startswith('arn:') else endpoint}",
                "endpoint", "messaging")
            graph.edge(source, target, subscription.get("protocol", ""))

    ecs = _section(outputs, "ecs")
    alb, nlb = graph.find(ecs.get("alb_arn")), graph.find(ecs.get("nlb_arn"))
    graph.edge(api_node if api.get("vpc_links") else None, nlb, "VPC link")
    graph.edge(nlb, alb, "targets")
    cluster = graph.find(ecs.get("cluster_arn") or ecs.get("cluster_name"))
    ecr_uris = _section(outputs, "ecr").get("repository_uris", {})
    for name, service in sorted((ecs.get("services") or {}).items()):
        node = graph.find(service.get("service_arn") or f"ecs:{name}")
        if service.get("target_group_arn") in (ecs.get("alb_target_group_arns") or []):
            graph.edge(alb, node, f"port {service.get('port', '')}")
        graph.edge(cluster, node, "runs")
        repository = [uri for uri in ecr_uris.values() if str(service.get("image", "")).startswith(uri + ":")]
        if repository:
            graph.edge(graph.find(repository[0]), node, "image")
    eks = _section(outputs, "eks")
    eks_node = graph.find(eks.get("cluster_arn") or eks.get("cluster_name"))
    k8s = _section(outputs, "k8s_workloads")
    for name, dns in sorted((k8s.get("services") or {}).items()):
        graph.edge(eks_node, graph.find(f"k8s:{dns}"), "ingress" if name in (k8s.get("ingresses") or []) else "runs")

    observability = _section(outputs, "observability")
    alerts = graph.find(observability.get("alerts_topic_arn"))
    alarms = len(observability.get("alarm_names", [])) + len(processor.get("alarms", []))
    if alerts and alarms:
        graph.edge(graph.node("alarms", f"CloudWatch alarms\n{alarms}", "monitor", "observability"), alerts, "alarm actions")
    cloudtrail = _section(outputs, "cloudtrail")
    graph.edge(graph.find(cloudtrail.get("trail_arn")), graph.find(cloudtrail.get("bucket")), "log files")
    config = _section(outputs, "config_rules")
    graph.edge(graph.find("config:recorder"), graph.find(config.get("delivery_bucket")), "snapshots")
    waf = _section(outputs, "waf")
    for resource in waf.get("protected_resources", []):
        stage = re.search(r"(/restapis/[^/]+/stages/[^/]+)$", resource)
        graph.edge(graph.find(waf.get("web_acl_arn")), graph.find(stage.group(1)) if stage else None, "protects")


def build_graph(outputs) -> Graph:
    graph = Graph()
    _resources(graph, outputs)
    _links(graph, outputs)
    return graph


def to_dot(graph, title="platform") -> str:
    ids = {node_id: f"n{index}" for index, node_id in enumerate(graph.nodes)}
    lines = [
        "digraph platform {",
        f"  graph [label={dot_quote(title)}, labelloc=t, fontsize=20, rankdir=LR, compound=true, nodesep=0.3, ranksep=0.9,"
        ' fontname="Helvetica"];',
        '  node [style=filled, fontsize=10, fontname="Helvetica"];',
        '  edge [fontsize=8, fontname="Helvetica", color="#555555"];',
    ]
    for index, (layer, node_ids) in enumerate(graph.clusters().items()):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f'    label={dot_quote(LAYERS.get(layer, layer))}; style="rounded,filled"; fillcolor="#fafafa";'
                     ' color="#999999";')
        for node_id in node_ids:
            node = graph.nodes[node_id]
            shape, colour = STYLES.get(node["kind"], ("box", "#ffffff"))
            lines.append(f"    {ids[node_id]} [label={dot_quote(node['label'])}, shape={shape},"
                         f" fillcolor={dot_quote(colour)}, tooltip={dot_quote(node_id)}];")
        lines.append("  }")
    for source, target, label in graph.edges:
        lines.append(f"  {ids[source]} -> {ids[target]} [label={dot_quote(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(dot_file: Path) -> list[Path]:
    """platform.svg and platform.png beside the DOT file, by graphviz's dot."""
    dot = shutil.which("dot")
    if not dot:
        raise SystemExit("error: graphviz's dot is not installed (Debian/Ubuntu: apt-get install graphviz;"
                         " macOS: brew install graphviz)")
    written = []
    for fmt in ("svg", "png"):
        target = dot_file.with_suffix(f".{fmt}")
        subprocess.run([dot, f"-T{fmt}", str(dot_file), "-o", str(target)], check=True)
        written.append(target)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("outputs", type=Path, help="the environment's outputs.json")
    parser.add_argument("--no-render", action="store_true", help="write the DOT file only")
    args = parser.parse_args(argv)
    if not args.outputs.is_file():
        raise SystemExit(f"error: no outputs file {args.outputs}: provision the environment first")
    outputs = json.loads(args.outputs.read_text())
    graph = build_graph(outputs)
    title = f"{outputs.get('environment', '?')} - account {outputs.get('account_id', '?')}, {outputs.get('region', '?')}"
    dot_file = args.outputs.with_name("platform.dot")
    dot_file.write_text(to_dot(graph, title))
    written = [dot_file] + ([] if args.no_render else render(dot_file))
    print(f"{len(graph.nodes)} resources, {len(graph.edges)} links: " + ", ".join(str(path) for path in written))


if __name__ == "__main__":
    sys.exit(main())
