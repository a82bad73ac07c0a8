"""Unit tests of the application outputs (filter_plugins/outputs.py), outputs.md
(roles/outputs/templates/outputs.md.j2), the picture (tools/picture.py) and the API routes the
api_gateway_rest_api module reports, from a sample outputs dict: no AWS, no graphviz."""

import copy
import importlib.util
import sys
from pathlib import Path

import jinja2
import pytest

REPO = Path(__file__).resolve().parents[2]


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


application = _load("platform_outputs_filters", REPO / "filter_plugins" / "outputs.py")
picture = _load("platform_picture", REPO / "tools" / "picture.py")
rest_api = _load("api_gateway_rest_api", REPO / "library" / "api_gateway_rest_api.py")

ACCOUNT = "123456789012"
LAMBDA = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:"
SQS = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:"
SNS = f"arn:aws:sns:eu-west-1:{ACCOUNT}:"
STREAM = f"arn:aws:kinesis:eu-west-1:{ACCOUNT}:stream/p-clicks"
POOL = f"arn:aws:cognito-idp:eu-west-1:{ACCOUNT}:userpool/eu-west-1_abc"
ALB, NLB = "arn:alb/p-alb", "arn:nlb/p-nlb"


def invoke_uri(function):
    return f"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{LAMBDA}{function}/invocations"


SAMPLE = {
    "environment": "local", "region": "eu-west-1", "account_id": ACCOUNT,
    "kinesis": {"stream_names": {"clicks": "p-clicks"}, "stream_arns": {"clicks": STREAM}},
    "stream_processor": {
        "function_name": "p-pre", "function_arn": LAMBDA + "p-pre", "stream_arn": STREAM, "table_name": "p-events",
        "dlq_name": "p-ingest-dlq", "dlq_url": "https://sqs/p-ingest-dlq", "dlq_arn": SQS + "p-ingest-dlq",
        "event_source_arn": STREAM, "on_failure_destination": SQS + "p-ingest-dlq",
        "firehose_name": "p-archive", "firehose_arn": "arn:firehose/p-archive", "firehose_source_arn": STREAM,
        "archive_bucket_arn": "arn:aws:s3:::p-raw", "alarms": ["p-pre-errors"],
    },
    "lambda_function": {
        "p-pre": {"function_arn": LAMBDA + "p-pre", "environment": {"table_name": "p-events", "dlq_url": "https://sqs/p-ingest-dlq"}},
        "p-todo": {"function_arn": LAMBDA + "p-todo",
                   "environment": {"table_name": "p-todos", "bucket_name": "p-files", "dax_endpoint": "daxs://p-dax"}},
        "p-auth": {"function_arn": LAMBDA + "p-auth", "environment": {"client_ids": "client1,other"}},
    },
    "dynamodb": {"table_names": {"events": "p-events", "todos": "p-todos"},
                 "table_arns": {"events": "arn:table/p-events", "todos": "arn:table/p-todos"},
                 "stream_arns": {"events": "", "todos": "arn:table/p-todos/stream/1"}},
    "s3": {"bucket_names": {"raw": "p-raw", "files": "p-files", "trail": "p-trail"},
           "bucket_arns": {"raw": "arn:aws:s3:::p-raw", "files": "arn:aws:s3:::p-files", "trail": "arn:aws:s3:::p-trail"}},
    "dax": {"enabled": True, "cluster_name": "p-dax", "cluster_arn": "arn:dax/p-dax", "url": "daxs://p-dax", "endpoint": "p-dax:9111"},
    "messaging": {
        "queue_urls": {"billing": "https://sqs/p-billing"}, "queue_arns": {"billing": SQS + "p-billing"},
        "dlq_urls": {"billing": "https://sqs/p-billing-dlq"}, "dlq_arns": {"billing": SQS + "p-billing-dlq"},
        "redrive_targets": {"billing": SQS + "p-billing-dlq"},
        "topic_arns": {"orders": SNS + "p-orders"},
        "subscriptions": {"orders": [{"protocol": "sqs", "endpoint": SQS + "p-billing"},
                                     {"protocol": "email", "endpoint": "ops@example.com"}]},
    },
    "cognito": {"user_pool_id": "eu-west-1_abc", "user_pool_arn": POOL, "user_pool_name": "p-users",
                "app_client_id": "client1", "identity_pool_id": "eu-west-1:idp", "user_files_bucket": "p-files",
                "issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"},
    "api_gateway": {
        "api_id": "api1", "api_name": "p-api", "stages": {"v1": "https://api1.execute-api.eu-west-1.amazonaws.com/v1"},
        "authorizer": "lambda", "authorizer_function": "p-auth", "todo_function": "p-todo", "api_key_secrets": ["p/keys/app"],
        "routes": [
            {"path": "/events", "method": "POST", "type": "aws", "uri": "arn:aws:apigateway:eu-west-1:kinesis:action/PutRecord",
             "stream_name": "p-clicks", "connection_id": "", "security": ["jwt"]},
            {"path": "/todos", "method": "GET", "type": "aws_proxy", "uri": invoke_uri("p-todo"), "stream_name": "",
             "connection_id": "", "security": ["jwt"]},
        ],
        "authorizers": {"jwt": {"type": "token", "uri": invoke_uri("p-auth"), "provider_arns": []},
                        "cognito": {"type": "cognito_user_pools", "uri": "", "provider_arns": [POOL]}},
        "vpc_links": {},
    },
    "ecr": {"repository_uris": {"pay": "acct.dkr.ecr/p/pay"}, "repository_arns": {"pay": "arn:ecr/p/pay"},
            "repository_names": {"pay": "p/pay"}},
    "ecs": {"cluster_name": "p-ecs", "cluster_arn": "arn:ecs/p-ecs", "alb_arn": ALB, "alb_dns_name": "alb.dns",
            "nlb_arn": NLB, "nlb_dns_name": "nlb.dns", "alb_target_group_arns": ["arn:tg/pay"],
            "services": {"pay": {"port": 8080, "service_arn": "arn:ecs/service/pay", "target_group_arn": "arn:tg/pay",
                                 "image": "acct.dkr.ecr/p/pay:1.0"}}},
    "eks": {"cluster_name": "p-eks", "cluster_arn": "arn:eks/p-eks", "endpoint": "https://EKS.gr7.eks.amazonaws.com"},
    "k8s_workloads": {"services": {"orders": "orders.orders.svc.cluster.local"}, "ingresses": ["orders"]},
    "observability": {"alerts_topic_arn": SNS + "p-alerts", "alarm_names": ["a", "b"], "dashboard_url": "https://dash"},
    "cloudtrail": {"trail_arn": "arn:trail/p-trail", "trail_name": "p-trail", "bucket": "p-trail"},
    "config_rules": {"recorder_name": "default", "delivery_bucket": "p-trail", "rule_names": ["r1"]},
    "waf": {"web_acl_arn": "arn:waf/p-api", "web_acl_name": "p-api",
            "protected_resources": ["arn:aws:apigateway:eu-west-1::/restapis/api1/stages/v1"]},
}


# --- the application section -------------------------------------------------------------------

def test_application_section_regroups_what_apps_use():
    app = application.platform_application_outputs(SAMPLE)
    assert app["api"]["url"] == "https://api1.execute-api.eu-west-1.amazonaws.com/v1"
    assert app["api"]["stage"] == "v1" and app["api"]["id"] == "api1"
    assert app["auth"]["app_client_id"] == "client1" and app["auth"]["identity_pool_id"] == "eu-west-1:idp"
    assert app["streams"] == {"clicks": {"name": "p-clicks", "arn": STREAM}}
    assert app["tables"]["todos"] == {"name": "p-todos", "arn": "arn:table/p-todos", "stream_arn": "arn:table/p-todos/stream/1"}
    assert app["queues"]["billing"] == {"url": "https://sqs/p-billing", "arn": SQS + "p-billing",
                                        "dlq_url": "https://sqs/p-billing-dlq", "dlq_arn": SQS + "p-billing-dlq"}
    assert app["queues"]["p-ingest-dlq"]["url"] == "https://sqs/p-ingest-dlq"
    assert app["topics"] == {"orders": SNS + "p-orders", "alerts": SNS + "p-alerts"}
    assert app["containers"]["eks"]["endpoint"] == "https://EKS.gr7.eks.amazonaws.com"
    assert app["containers"]["ecs"]["load_balancer_dns_name"] == "nlb.dns"
    assert app["dax"]["endpoint"] == "p-dax:9111"


def test_application_section_leaves_out_layers_not_provisioned():
    app = application.platform_application_outputs({"kinesis": SAMPLE["kinesis"], "dax": {"enabled": False}})
    assert set(app) == {"streams"}


# --- outputs.md --------------------------------------------------------------------------------

def render_markdown(outputs):
    # Ansible templates with trim_blocks on, lstrip_blocks off.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(REPO / "roles" / "outputs" / "templates"),
                             trim_blocks=True, undefined=jinja2.StrictUndefined)
    env.tests["defined"] = lambda value: not isinstance(value, jinja2.Undefined)
    return env.get_template("outputs.md.j2").render(
        platform_prefix="p-local", outputs__all=outputs, outputs__app=application.platform_application_outputs(outputs))


def test_outputs_markdown_has_a_table_per_layer_with_the_values():
    page = render_markdown(SAMPLE)
    for heading in ("## Ingestion", "## API and sign-in", "## Data", "## Messaging", "## Containers", "## Monitoring"):
        assert heading in page
    assert "| API URL | https://api1.execute-api.eu-west-1.amazonaws.com/v1 |" in page
    assert "| billing | https://sqs/p-billing | " + SQS + "p-billing | https://sqs/p-billing-dlq |" in page
    assert "| EKS endpoint | https://EKS.gr7.eks.amazonaws.com |" in page


def test_outputs_markdown_escapes_pipes_and_skips_missing_layers():
    outputs = {"environment": "local", "region": "r", "account_id": "1",
               "kinesis": {"stream_names": {"a|b": "p-a|b"}, "stream_arns": {}}}
    page = render_markdown(outputs)
    assert "| a\\|b | p-a\\|b | - |" in page
    assert "## Messaging" not in page and "## API" not in page


# --- the picture -------------------------------------------------------------------------------

def labelled_edges(graph):
    """{(from label's last line, to label's last line): label}, for readable assertions."""
    def name(node_id):
        return graph.nodes[node_id]["label"].split("\n")[-1]
    return {(name(source), name(target)): label for source, target, label in graph.edges}


def test_graph_has_the_provisioned_flows():
    edges = labelled_edges(picture.build_graph(SAMPLE))
    assert edges[("producers", "p-clicks")] == "PutRecords"
    assert edges[("p-clicks", "p-pre")] == "event source mapping"
    assert "failed batches" in edges[("p-pre", "p-ingest-dlq")].split("\n")
    assert edges[("p-pre", "p-events")] == "table_name"
    assert edges[("p-clicks", "p-archive")] == "source" and edges[("p-archive", "p-raw")] == "archive"
    assert edges[("stages: v1", "p-clicks")] == "POST /events"
    assert edges[("stages: v1", "p-todo")] == "GET /todos"
    assert edges[("stages: v1", "p-auth")] == "authorizer jwt"
    assert edges[("stages: v1", "p-users")] == "authorizer cognito"
    assert edges[("p-todo", "p-dax")] == "dax_endpoint" and edges[("p-todo", "p-files")] == "bucket_name"
    assert edges[("p-auth", "Cognito app client")] == "client_ids"
    assert edges[("p-orders", "p-billing")] == "sqs" and edges[("p-orders", "ops@example.com")] == "email"
    assert edges[("p-billing", "p-billing-dlq")] == "redrive"
    assert edges[("nlb.dns", "alb.dns")] == "targets" and edges[("alb.dns", "pay:8080")] == "port 8080"
    assert edges[("p/pay", "pay:8080")] == "image"
    assert edges[("p-eks", "orders.orders.svc.cluster.local")] == "ingress"
    assert edges[("p-trail", "p-trail")] == "log files"     # the trail -> its bucket (same short name)
    assert edges[("p-api", "stages: v1")] == "protects"
    assert edges[("3", "p-alerts")] == "alarm actions"     # the observability layer's 2 and the preprocessor's 1
    assert picture.build_graph(SAMPLE).nodes["alarms"]["label"] == "CloudWatch alarms\n3"


def test_graph_draws_no_link_a_role_did_not_report():
    outputs = copy.deepcopy(SAMPLE)
    del outputs["messaging"]["redrive_targets"]
    outputs["messaging"]["subscriptions"] = {}
    outputs["stream_processor"]["event_source_arn"] = ""
    outputs["stream_processor"]["stream_arn"] = ""
    outputs["api_gateway"]["routes"] = []
    edges = labelled_edges(picture.build_graph(outputs))
    assert ("p-billing", "p-billing-dlq") not in edges
    assert ("p-orders", "p-billing") not in edges
    assert ("p-clicks", "p-pre") not in edges
    assert ("stages: v1", "p-todo") not in edges


def test_graph_puts_each_resource_in_its_layer():
    graph = picture.build_graph(SAMPLE)
    clusters = graph.clusters()
    layer_of = {graph.nodes[node]["label"].split("\n")[-1]: layer for layer, nodes in clusters.items() for node in nodes}
    assert layer_of["p-clicks"] == "ingestion" and layer_of["p-pre"] == "ingestion"
    assert layer_of["p-todo"] == "api" and layer_of["p-events"] == "data" and layer_of["p-billing-dlq"] == "messaging"
    assert layer_of["p-alerts"] == "observability" and layer_of["p-eks"] == "containers"
    assert list(clusters) == [layer for layer in picture.LAYERS if layer in clusters]


def test_two_links_between_the_same_resources_make_one_edge_with_both_labels():
    graph = picture.Graph()
    a, b = graph.node("a", "A", "queue", "messaging"), graph.node("b", "B", "queue", "messaging")
    graph.edge(a, b, "one")
    graph.edge(a, b, "two")
    graph.edge(a, b, "one")
    assert graph.edges == [("a", "b", "one\ntwo")]


@pytest.mark.parametrize("text, quoted", [
    ('plain', '"plain"'),
    ('say "hi"', '"say \\"hi\\""'),
    ("back\\slash", '"back\\\\slash"'),
    ("two\nlines", '"two\\nlines"'),
    ("a {b} -> c;", '"a {b} -> c;"'),
])
def test_dot_quote_escapes(text, quoted):
    assert picture.dot_quote(text) == quoted


def test_dot_output_has_clusters_nodes_and_edges_with_escaped_labels():
    outputs = copy.deepcopy(SAMPLE)
    outputs["kinesis"]["stream_names"]["clicks"] = 'p-"clicks"'
    dot = picture.to_dot(picture.build_graph(outputs), title='local "test"')
    assert dot.startswith("digraph platform {") and dot.rstrip().endswith("}")
    assert 'label="local \\"test\\""' in dot
    assert 'label="Ingestion"' in dot and 'label="Messaging"' in dot
    assert '"Kinesis stream\\np-\\"clicks\\""' in dot
    assert dot.count("subgraph cluster_") == len(picture.build_graph(outputs).clusters())
    assert dot.count(" -> ") == len(picture.build_graph(outputs).edges)


def test_picture_without_outputs_file_says_what_to_do(tmp_path):
    with pytest.raises(SystemExit, match="provision the environment first"):
        picture.main([str(tmp_path / "outputs.json")])


# --- the API's routes and authorizers (api_gateway_rest_api) -----------------------------------

def test_document_routes_and_authorizers():
    document = {
        "openapi": "3.0.1", "security": [{"jwt": []}],
        "paths": {
            "/events": {"post": {"x-amazon-apigateway-integration": {
                "type": "aws", "uri": "arn:aws:apigateway:r:kinesis:action/PutRecord",
                "requestTemplates": {"application/json": '{"StreamName": "p-clicks", "Data": "$input.body"}'}}}},
            "/todos": {"get": {"security": [{"jwt": [], "api-key": []}],
                               "x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": invoke_uri("p-todo")}},
                       "parameters": [{"name": "x"}]},
            "/svc/{proxy+}": {"x-amazon-apigateway-any-method": {"security": [], "x-amazon-apigateway-integration": {
                "type": "http_proxy", "uri": "http://nlb/{proxy}", "connectionType": "VPC_LINK", "connectionId": "vl1"}}},
        },
        "components": {"securitySchemes": {
            "jwt": {"x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": invoke_uri("p-auth")}},
            "api-key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
        }},
    }
    routes = rest_api.document_routes(document)
    assert [(r["method"], r["path"]) for r in routes] == [("POST", "/events"), ("ANY", "/svc/{proxy+}"), ("GET", "/todos")]
    assert routes[0]["stream_name"] == "p-clicks" and routes[0]["security"] == ["jwt"]
    assert routes[1]["connection_id"] == "vl1" and routes[1]["security"] == []
    assert routes[2]["uri"] == invoke_uri("p-todo") and routes[2]["security"] == ["api-key", "jwt"]
    assert rest_api.document_authorizers(document) == {
        "jwt": {"type": "token", "uri": invoke_uri("p-auth"), "provider_arns": []}}


# --- the summary printed after ./platform up ---------------------------------------------------

def test_summary_starts_with_the_application_values():
    summary = _load("platform_summary", REPO / "tools" / "summary.py")
    outputs = dict(SAMPLE, application=application.platform_application_outputs(SAMPLE))
    lines = summary.summary(outputs).splitlines()
    assert lines[1] == "  application:"
    assert "    API URL: https://api1.execute-api.eu-west-1.amazonaws.com/v1" in lines
    assert "    EKS endpoint: https://EKS.gr7.eks.amazonaws.com" in lines
    assert lines.count("  application:") == 1
