"""The application section of an environment's outputs: what application teams need, in one place.

platform_application_outputs(outputs) reads the per-role sections of outputs.json (what each role
read or created) and regroups the values an application uses: streams, the API's URL and stage,
Cognito ids, tables, queues with their dead-letter queues, topics, buckets, the container clusters
and DAX. It derives no name: a value a role did not report is left out (or empty).
"""


def _section(outputs, name):
    value = outputs.get(name)
    return value if isinstance(value, dict) else {}


def _streams(outputs):
    kinesis = _section(outputs, "kinesis")
    return {key: {"name": name, "arn": kinesis.get("stream_arns", {}).get(key, "")}
            for key, name in sorted(kinesis.get("stream_names", {}).items())}


def _preprocessor(outputs):
    processor = _section(outputs, "stream_processor")
    keys = ("function_name", "function_arn", "stream_arn", "table_name", "dlq_url", "dlq_arn", "firehose_name")
    return {key: processor[key] for key in keys if key in processor}


def _api(outputs):
    api = _section(outputs, "api_gateway")
    if not api:
        return {}
    stages = api.get("stages") or {}
    # The API's URL is its first stage's (environments declare their main stage first; local has one).
    stage = next(iter(sorted(stages)), "")
    return {
        "id": api.get("api_id", ""),
        "name": api.get("api_name", ""),
        "stage": stage,
        "url": stages.get(stage, ""),
        "stages": dict(sorted(stages.items())),
        "authorizer": api.get("authorizer", ""),
        "api_key_secrets": api.get("api_key_secrets", []),
    }


def _auth(outputs):
    cognito = _section(outputs, "cognito")
    keys = ("user_pool_id", "user_pool_arn", "app_client_id", "identity_pool_id", "issuer", "jwks_url", "domain")
    return {key: cognito[key] for key in keys if key in cognito}


def _tables(outputs):
    dynamodb = _section(outputs, "dynamodb")
    return {key: {"name": name,
                  "arn": dynamodb.get("table_arns", {}).get(key, ""),
                  "stream_arn": dynamodb.get("stream_arns", {}).get(key, "")}
            for key, name in sorted(dynamodb.get("table_names", {}).items())}


def _queues(outputs):
    messaging = _section(outputs, "messaging")
    queues = {key: {"url": url,
                    "arn": messaging.get("queue_arns", {}).get(key, ""),
                    "dlq_url": messaging.get("dlq_urls", {}).get(key, ""),
                    "dlq_arn": messaging.get("dlq_arns", {}).get(key, "")}
              for key, url in messaging.get("queue_urls", {}).items()}
    processor = _section(outputs, "stream_processor")
    if processor.get("dlq_url") or processor.get("dlq_arn"):
        # The preprocessor's dead-letter queue is a queue of its own (no redrive).
        queues[processor.get("dlq_name") or "ingest-dlq"] = {
            "url": processor.get("dlq_url", ""), "arn": processor.get("dlq_arn", ""), "dlq_url": "", "dlq_arn": ""}
    return dict(sorted(queues.items()))


def _topics(outputs):
    topics = dict(_section(outputs, "messaging").get("topic_arns", {}))
    alerts = _section(outputs, "observability").get("alerts_topic_arn")
    if alerts:
        topics["alerts"] = alerts
    return dict(sorted(topics.items()))


def _buckets(outputs):
    s3 = _section(outputs, "s3")
    return {key: {"name": name, "arn": s3.get("bucket_arns", {}).get(key, "")}
            for key, name in sorted(s3.get("bucket_names", {}).items())}


def _containers(outputs):
    ecs, eks, ecr = _section(outputs, "ecs"), _section(outputs, "eks"), _section(outputs, "ecr")
    k8s = _section(outputs, "k8s_workloads")
    result = {}
    if ecr:
        result["repositories"] = dict(sorted(ecr.get("repository_uris", {}).items()))
    if ecs:
        result["ecs"] = {
            "cluster_name": ecs.get("cluster_name", ""),
            "cluster_arn": ecs.get("cluster_arn", ""),
            "load_balancer_dns_name": ecs.get("nlb_dns_name", ""),
            "alb_dns_name": ecs.get("alb_dns_name", ""),
            "services": {name: {"port": service.get("port"), "service_arn": service.get("service_arn", "")}
                         for name, service in sorted((ecs.get("services") or {}).items())},
        }
    if eks:
        result["eks"] = {
            "cluster_name": eks.get("cluster_name", ""),
            "cluster_arn": eks.get("cluster_arn", ""),
            "endpoint": eks.get("endpoint", ""),
            "oidc_issuer": eks.get("oidc_issuer", ""),
            "services": dict(sorted((k8s.get("services") or {}).items())),
        }
    return result


def _dax(outputs):
    dax = _section(outputs, "dax")
    if not dax.get("enabled"):
        return {}
    return {"cluster_name": dax.get("cluster_name", ""), "endpoint": dax.get("endpoint", ""), "url": dax.get("url", "")}


def platform_application_outputs(outputs):
    """The application section built from the per-role sections of an outputs dict."""
    observability = _section(outputs, "observability")
    sections = {
        "streams": _streams(outputs),
        "preprocessor": _preprocessor(outputs),
        "api": _api(outputs),
        "auth": _auth(outputs),
        "tables": _tables(outputs),
        "dax": _dax(outputs),
        "queues": _queues(outputs),
        "topics": _topics(outputs),
        "buckets": _buckets(outputs),
        "containers": _containers(outputs),
        "monitoring": {key: observability[key] for key in ("alerts_topic_arn", "dashboard_url") if observability.get(key)},
    }
    return {name: value for name, value in sections.items() if value}


class FilterModule:
    def filters(self):
        return {"platform_application_outputs": platform_application_outputs}
