"""The bad-input catalogue: invalid configurations of every layer, each refused by the pre-flight.

Each case is a set of extra variables for site.yml (passed as -e <json>) that breaks one rule.
The contract (issue 12): the run fails before any mutating AWS call (counted by the emulator,
server-side), with a message that names the variable and the rule it breaks.

- CASES:              the catalogue, as data.
- run_case:           runs site.yml with one case's variables and says how it failed.
- run_catalogue:      run_case for every case (the reliability suite's report calls it).
- SAMPLE:             the first case of each (layer, kind): what the test suite runs on every
                      commit (each case is a whole ansible-playbook run, ~4 s); the reliability
                      suite (./platform reliability) runs them all.

Kinds of bad input (the `kind` of a case): type (wrong type), range (out of range), cidr (broken
CIDRs and overlaps), name (names AWS refuses), fifo (FIFO suffix errors), index (unknown attributes
in indexes), fargate (impossible Fargate sizes), reference (references to undeclared resources),
rule (other rules: combinations AWS or the platform refuse).
"""

import json
import re
from dataclasses import dataclass
from typing import Any

from emulator import launcher
from tests.playbook import run_playbook

LAYERS = ("foundation", "data", "messaging", "ingestion", "api", "containers", "observability")
KINDS = ("type", "range", "cidr", "name", "fifo", "index", "fargate", "reference", "rule")


@dataclass(frozen=True)
class Case:
    id: str
    layer: str
    kind: str
    extra_vars: dict[str, Any]
    variable: str  # the variable the message must name
    rule: str  # a substring of the rule the message must state


# Valid pieces the cases change one thing in.
_OVERLAPPING_TIERS = [
    {"name": "public", "public": True, "cidrs": ["10.20.0.0/20", "10.20.8.0/21"]},
    {"name": "private", "cidrs": ["10.20.64.0/20", "10.20.80.0/20"]},
]
_STREAM = {"name": "clickstream", "mode": "provisioned", "ingest_mb_per_s": 0.5, "records_per_s": 500, "consumers": 2,
           "retention_hours": 24, "shard_level_metrics": [], "encryption_key": "data"}
_STANDARD_TOPIC = {"name": "order-placed", "subscribers": [{"queue": "billing"}]}
_EVENTS_TABLE = {"name": "events", "attributes": {"event_id": "S"}, "partition_key": "event_id",
                 "billing_mode": "PAY_PER_REQUEST"}
_SERVICE = {"name": "payments", "image_tag": "1.0.0", "cpu": 256, "memory": 512, "container_port": 8080,
            "health_check_path": "/health", "min_count": 1, "max_count": 2}
_NODE_GROUP = {"name": "general", "instance_types": ["t3.medium"], "min_size": 1, "desired_size": 1, "max_size": 2}


def _stream(**change: Any) -> dict[str, Any]:
    return {"kinesis_streams": [dict(_STREAM, **change)]}


def _table(**change: Any) -> dict[str, Any]:
    return {"dynamodb_tables": [dict(_EVENTS_TABLE, **change)]}


def _service(**change: Any) -> dict[str, Any]:
    return {"ecs_services": [dict(_SERVICE, **change)]}


def _node_group(**change: Any) -> dict[str, Any]:
    return {"eks_node_groups": [dict(_NODE_GROUP, **change)]}


CASES: list[Case] = [
    # --- foundation: platform globals, IAM, KMS, network
    Case("unknown-environment", "foundation", "reference", {"platform_env": "qa"},
         "platform_env", "is not a known environment"),
    Case("platform-name-uppercase", "foundation", "name", {"platform_name": "RTAP"},
         "platform_name", "must be 2-12 lowercase letters or digits"),
    Case("region-not-a-region", "foundation", "name", {"platform_region": "europe-1"},
         "platform_region", "is not an AWS region name"),
    Case("prod-without-confirmation", "foundation", "rule", {"platform_requires_confirmation": True},
         "platform_confirm", "changes a protected environment"),
    Case("vpc-cidr-host-bits", "foundation", "cidr", {"network_vpc_cidr": "10.20.0.1/16"},
         "network_vpc_cidr", "is not a valid IPv4 CIDR with its host bits zero"),
    Case("vpc-cidr-not-an-address", "foundation", "cidr", {"network_vpc_cidr": "10.300.0.0/16"},
         "network_vpc_cidr", "is not a valid IPv4 CIDR"),
    Case("vpc-cidr-too-large", "foundation", "cidr", {"network_vpc_cidr": "10.0.0.0/8"},
         "network_vpc_cidr", "AWS accepts a VPC CIDR between /16 and /28"),
    Case("subnets-overlap", "foundation", "cidr", {"network_subnet_tiers": _OVERLAPPING_TIERS},
         "network_subnet_tiers", "subnets overlap"),
    Case("peer-cidr-overlaps-vpc", "foundation", "cidr",
         {"network_peerings": [{"name": "shared", "peer_vpc_id": "vpc-1", "peer_cidr": "10.20.64.0/18"}]},
         "network_peerings", "overlaps"),
    Case("az-count-zero", "foundation", "range", {"network_az_count": 0},
         "network_az_count", "must be between 1 and network_max_azs"),
    Case("az-count-not-a-number", "foundation", "type", {"network_az_count": "two"},
         "network_az_count", "unable to convert to int"),
    Case("unknown-nat-mode", "foundation", "rule", {"network_nat_mode": "two"},
         "network_nat_mode", "must be one of: none, single, per_az"),
    Case("security-group-port-out-of-range", "foundation", "range",
         {"network_security_groups": [{"name": "alb", "description": "x",
                                       "rules": [{"proto": "tcp", "ports": [70000], "cidr_ip": "0.0.0.0/0"}]},
                                      {"name": "endpoints", "description": "x", "rules": []}]},
         "network_security_groups", "port 70000 is outside 0-65535"),
    Case("kms-deletion-window-out-of-range", "foundation", "range", {"kms_deletion_window_days": 3},
         "kms_deletion_window_days", "AWS accepts 7 to 30 days"),
    Case("kms-alias-in-aws-namespace", "foundation", "name", {"kms_alias_prefix": "alias/aws/rtap"},
         "kms_alias_prefix", "must start with 'alias/' (not 'alias/aws/')"),
    Case("component-uses-undeclared-key", "foundation", "reference", {"iam_kms_key_purposes": ["data"]},
         "iam_components", "uses KMS key 'messaging'"),
    Case("session-duration-out-of-range", "foundation", "range", {"iam_max_session_duration": 60},
         "iam_max_session_duration", "must be between 3600 and 43200 seconds"),

    # --- data: DynamoDB, S3, DAX
    Case("index-key-unknown-attribute", "data", "index",
         _table(global_indexes=[{"name": "by-user", "partition_key": "user_id"}]),
         "dynamodb_tables", "names an unknown attribute"),
    Case("attribute-type-unknown", "data", "type", _table(attributes={"event_id": "STRING"}),
         "dynamodb_tables", "type must be S, N or B"),
    Case("table-name-refused", "data", "name", _table(name="my events"),
         "dynamodb_tables", "table name must use letters, digits, _ . -"),
    Case("local-index-without-sort-key", "data", "index",
         _table(attributes={"event_id": "S", "kind": "S"},
                local_indexes=[{"name": "by-kind", "sort_key": "kind"}]),
         "dynamodb_tables", "needs the table to have a sort_key"),
    Case("provisioned-capacity-zero", "data", "range",
         _table(billing_mode="PROVISIONED", read_capacity=0, write_capacity=1),
         "dynamodb_tables", "read_capacity must be a whole number of at least 1"),
    Case("backup-retention-zero", "data", "range", {"dynamodb_backup_retention_days": 0},
         "dynamodb_backup_retention_days", "at least 1"),
    Case("bucket-suffix-refused", "data", "name", {"s3_bucket_name_suffix": "_Files"},
         "s3_bucket_name_suffix", "breaks S3's naming rules"),
    Case("lifecycle-glacier-too-early", "data", "range",
         {"s3_raw_archive_expiration_days": 10},
         "s3_buckets", "is not before expiration_days 10"),
    Case("backup-schedule-not-cron", "data", "rule", {"dynamodb_backup_schedule": "daily"},
         "dynamodb_backup_schedule", "AWS Backup takes a cron expression with 6 fields"),
    Case("dax-ttl-not-a-number", "data", "type", {"dax_record_ttl_millis": "five minutes"},
         "dax_record_ttl_millis", "unable to convert to int"),
    Case("dax-name-refused", "data", "name", {"dax_name": "rtap--local-dax"},
         "dax_name", "has no --"),
    Case("dax-too-many-nodes", "data", "range", {"dax_replication_factor": 11},
         "dax_replication_factor", "must be between 1 and 10 nodes"),

    # --- messaging: SNS topics, SQS queues
    Case("fifo-queue-without-suffix", "messaging", "fifo",
         {"messaging_queues": [{"name": "ledger", "fifo": True}], "messaging_topics": []},
         "messaging_queues", "fifo is true, so the name must end in .fifo"),
    Case("fifo-topic-without-suffix", "messaging", "fifo",
         {"messaging_topics": [{"name": "order-events", "fifo": True}]},
         "messaging_topics", "fifo is true, so the name must end in .fifo"),
    Case("standard-queue-with-fifo-suffix", "messaging", "fifo",
         {"messaging_queues": [{"name": "ledger.fifo"}], "messaging_topics": []},
         "messaging_queues", "the name ends in .fifo, so fifo must be true"),
    Case("fifo-queue-on-standard-topic", "messaging", "fifo",
         {"messaging_queues": [{"name": "ledger.fifo", "fifo": True}],
          "messaging_topics": [{"name": "order-placed", "subscribers": [{"queue": "ledger.fifo"}]}]},
         "messaging_topics", "cannot subscribe to a standard topic"),
    Case("visibility-timeout-out-of-range", "messaging", "range",
         {"messaging_queues": [{"name": "billing", "visibility_timeout": 50000}], "messaging_topics": [_STANDARD_TOPIC]},
         "messaging_queues", "visibility_timeout must be an integer from 0 to 43200"),
    Case("retention-out-of-range", "messaging", "range",
         {"messaging_queues": [{"name": "billing", "retention_seconds": 30}], "messaging_topics": [_STANDARD_TOPIC]},
         "messaging_queues", "retention_seconds must be an integer from 60 to 1209600"),
    Case("filter-policy-not-a-list", "messaging", "type",
         {"messaging_queues": [{"name": "billing"}],
          "messaging_topics": [{"name": "order-placed",
                                "subscribers": [{"queue": "billing", "filter_policy": {"fulfillment": "physical"}}]}]},
         "messaging_topics", "filter_policy.fulfillment must be a non-empty list"),
    Case("dlq-retention-shorter-than-source", "messaging", "rule",
         {"messaging_queues": [{"name": "billing", "retention_seconds": 604800, "dlq_retention_seconds": 86400}],
          "messaging_topics": [_STANDARD_TOPIC]},
         "messaging_queues", "must be longer than retention_seconds"),
    Case("subscriber-queue-not-declared", "messaging", "reference",
         {"messaging_queues": [{"name": "billing"}],
          "messaging_topics": [{"name": "order-placed", "subscribers": [{"queue": "shipping"}]}]},
         "messaging_topics", "queue 'shipping' is not declared in messaging_queues"),
    Case("queue-name-refused", "messaging", "name",
         {"messaging_queues": [{"name": "order billing"}], "messaging_topics": []},
         "messaging_queues", "a queue name uses letters, digits, - and _"),
    Case("kms-data-key-reuse-out-of-range", "messaging", "range", {"messaging_kms_data_key_reuse_seconds": 30},
         "messaging_kms_data_key_reuse_seconds", "AWS accepts 60 to 86400"),

    # --- ingestion: Kinesis, the stream processor
    Case("negative-ingest", "ingestion", "range", _stream(ingest_mb_per_s=-1),
         "kinesis_streams[clickstream].ingest_mb_per_s", "must be a number >= 0"),
    Case("zero-consumers", "ingestion", "range", _stream(consumers=0),
         "kinesis_streams[clickstream].consumers", "must be a whole number >= 1"),
    Case("stream-retention-over-a-year", "ingestion", "range", _stream(retention_hours=9000),
         "kinesis_streams[clickstream].retention_hours", "AWS accepts 24 to 8760 hours"),
    Case("unknown-stream-mode", "ingestion", "rule", _stream(mode="serverless"),
         "kinesis_streams", "value of mode must be one of: provisioned, on_demand"),
    Case("stream-name-refused", "ingestion", "name", _stream(name="click stream"),
         "kinesis_streams[click stream].name", "1-100 characters of letters, digits"),
    Case("stream-key-not-declared", "ingestion", "reference", _stream(encryption_key="analytics"),
         "kinesis_streams[clickstream].encryption_key", "must be none or one of kinesis_kms_key_purposes"),
    Case("delete-streams-without-confirmation", "ingestion", "rule", {"kinesis_state": "absent"},
         "kinesis_allow_delete", "deleting the streams"),
    Case("batch-size-out-of-range", "ingestion", "range", {"stream_processor_batch_size": 20000},
         "stream_processor_batch_size", "must be 1 to 10000"),
    Case("timeout-not-a-number", "ingestion", "type", {"stream_processor_timeout": "slow"},
         "stream_processor_timeout", "unable to convert to int"),
    Case("concurrency-below-parallelization", "ingestion", "rule",
         {"stream_processor_reserved_concurrency": 1, "stream_processor_parallelization_factor": 2},
         "stream_processor_reserved_concurrency", "at least stream_processor_parallelization_factor"),

    # --- api: API Gateway, Cognito
    Case("unknown-authorizer", "api", "rule", {"api_gateway_authorizer": "iam"},
         "api_gateway_authorizer", "must be one of: lambda, cognito"),
    Case("stage-listed-twice", "api", "name", {"api_gateway_stages": [{"name": "v1"}, {"name": "v1"}]},
         "api_gateway_stages[1].name", "is listed twice"),
    Case("canary-over-100-percent", "api", "range",
         {"api_gateway_stages": [{"name": "v1", "canary": {"percent_traffic": 150}}]},
         "api_gateway_stages[0].canary.percent_traffic", "must be 0 to 100"),
    Case("usage-plan-unknown-key", "api", "reference",
         {"api_gateway_usage_plans": [{"name": "partners", "keys": ["nobody"]}]},
         "api_gateway_usage_plans[0].keys", "is not a name in api_gateway_api_keys"),
    Case("plain-http-backend", "api", "rule",
         {"api_gateway_http_routes": [{"path": "/orders", "url": "http://orders.example.com"}]},
         "api_gateway_http_routes[0].url", "a backend on the internet must use https"),
    Case("presigned-url-lives-a-day", "api", "range", {"api_gateway_presigned_url_seconds": 86400},
         "api_gateway_presigned_url_seconds", "60 to 3600"),
    Case("threat-protection-without-plus", "api", "rule",
         {"cognito_advanced_security_mode": "ENFORCED", "cognito_feature_plan": "ESSENTIALS"},
         "cognito_feature_plan", "needs PLUS"),
    Case("password-too-short", "api", "range", {"cognito_password_policy": {"minimum_length": 4}},
         "cognito_password_policy.minimum_length", "AWS accepts 6 to 99"),
    Case("token-validity-out-of-range", "api", "range", {"cognito_access_token_validity_minutes": 2000},
         "cognito_access_token_validity_minutes", "AWS accepts 5 to 1440 minutes"),
    Case("callback-over-plain-http", "api", "rule", {"cognito_callback_urls": ["http://app.example.com/cb"]},
         "cognito_callback_urls", "must be https"),

    Case("api-log-retention-not-offered", "api", "range", {"api_gateway_log_retention_days": 10},
         "api_gateway_log_retention_days", "a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, ... 3653)"),

    # --- containers: ECR, EKS, ECS, Kubernetes workloads
    Case("fargate-cpu-not-offered", "containers", "fargate", _service(cpu=300),
         "ecs_services[payments].cpu", "Fargate CPU units are one of"),
    Case("fargate-memory-not-offered-with-cpu", "containers", "fargate", _service(cpu=256, memory=4096),
         "ecs_services[payments].memory", "Fargate offers 256 CPU units with 512-2048 MiB"),
    Case("service-name-refused", "containers", "name", _service(name="Payments_API", execution_role_component="ecs-payments-execution"),
         "ecs_services[Payments_API].name", "2 to 32 lowercase letters, digits or hyphens"),
    Case("service-reads-ungranted-secret", "containers", "reference",
         _service(secrets=[{"name": "DB_PASSWORD", "secret": "rtap-local/other/db"}]),
         "ecs_services[payments].secrets[0].secret", "unknown secret reference"),
    Case("capacity-provider-not-fargate", "containers", "rule", {"ecs_capacity_providers": ["EC2"]},
         "ecs_capacity_providers", "FARGATE and/or FARGATE_SPOT"),
    Case("eks-version-unsupported", "containers", "range", {"eks_kubernetes_version": "1.20"},
         "eks_kubernetes_version", "must be one of"),
    Case("node-group-min-over-max", "containers", "range", _node_group(min_size=3, desired_size=3, max_size=2),
         "eks_node_groups[general].min_size", "must not exceed max_size"),
    Case("fargate-profile-without-selectors", "containers", "fargate",
         {"eks_fargate_profiles": [{"name": "jobs", "selectors": []}]},
         "eks_fargate_profiles[jobs].selectors", "1 to 5 selectors"),
    Case("ecr-keep-no-images", "containers", "range", {"ecr_keep_images": 0},
         "ecr_keep_images", "must be a whole number from 1 to 1000"),

    # --- observability and compliance: alarms, logs, WAF, Config, CloudTrail, the audit
    Case("log-retention-not-offered", "observability", "range", {"observability_log_retention_days": 10},
         "observability_log_retention_days", "one of 1, 3, 5, 7, 14, 30"),
    Case("alarm-period-not-offered", "observability", "range", {"observability_alarm_period_seconds": 45},
         "observability_alarm_period_seconds", "a multiple of 60"),
    Case("alert-email-not-an-address", "observability", "rule", {"observability_alert_emails": ["ops-at-example"]},
         "observability_alert_emails", "an email address"),
    Case("waf-rate-limit-too-low", "observability", "range", {"waf_rate_limit": 5},
         "waf_rate_limit", "AWS accepts 10 to 2000000000 requests per 5 minutes"),
    Case("trail-name-refused", "observability", "name", {"cloudtrail_name": "-trail"},
         "cloudtrail_name", "must be 3-128 letters, digits, periods, underscores or dashes"),
    Case("trail-prefix-with-slashes", "observability", "name", {"cloudtrail_s3_key_prefix": "/trail/"},
         "cloudtrail_s3_key_prefix", "must have no leading or trailing slash"),
    Case("alert-endpoint-plain-http", "observability", "rule",
         {"observability_alert_https_endpoints": ["http://hooks.example.com/alerts"]},
         "observability_alert_https_endpoints", "an https:// URL"),
    Case("waf-unknown-managed-group", "observability", "reference",
         {"waf_managed_rule_groups": [{"name": "AWSManagedRulesNoSuchRuleSet", "priority": 10, "enabled": True}]},
         "waf_managed_rule_groups", "is not an AWS managed rule group this role knows"),
    Case("config-rule-excluded-not-declared", "observability", "reference", {"config_rules_excluded": ["no-such-rule"]},
         "config_rules_excluded", "is not a rule in config_rules_rules"),
    Case("trail-log-retention-not-offered", "observability", "range", {"cloudtrail_log_retention_days": 10},
         "cloudtrail_log_retention_days", "a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, ... 3653)"),
    Case("audit-unknown-severity", "observability", "rule", {"audit_fail_on": "severe"},
         "audit_fail_on", "must be one of: low, medium, high, critical"),
    Case("audit-ssh-open-to-internet", "observability", "rule",
         {"audit_open_ingress": [{"group": "rtap-local-bastion", "ports": [22]}]},
         "audit_open_ingress", "SSH and RDP may never be open to the internet"),
    Case("audit-open-ingress-without-group", "observability", "reference", {"audit_open_ingress": [{"ports": [443]}]},
         "audit_open_ingress", "each entry needs"),
    Case("audit-sse-s3-exception-pattern", "observability", "name", {"audit_sse_s3_buckets": ["rtap-local-*"]},
         "audit_sse_s3_buckets", "must be exact"),
    Case("audit-scope-of-everything", "observability", "rule", {"audit_name_patterns": ["*"], "audit_scope_tags": {}},
         "audit_name_patterns", "each pattern must name something besides '*'"),
]

# A failed task, or an error outside a task (ansible-core 2.19+ prints "[ERROR]: ...", older ones "ERROR!").
_FAILURE_START = re.compile(r"^(fatal: \[[^\]]+\]: FAILED! =>|\[ERROR\]:|ERROR!)", re.M)
_FAILURE_END = re.compile(r"^PLAY RECAP", re.M)
# The keys of a failed task's result that hold its message. Others are left out: `assertion`
# repeats the check's expression and `argument_spec_data` the role's whole argument spec, and
# both name variables whether or not the message does.
_MESSAGE_KEYS = ("msg:", "argument_errors:")


def failure_text(output: str) -> str:
    """The message of the run's first failure, on one line, with the YAML callback's line
    folding and quote doubling undone ("" if the run did not fail)."""
    start = _FAILURE_START.search(output)
    if not start:
        return ""
    end = _FAILURE_END.search(output, start.end())
    header, *result = output[start.start():end.start() if end else len(output)].splitlines()
    if not header.startswith("fatal:") or header.rstrip().endswith("}"):  # an error, or a result on one line
        lines = [header, *result]
    else:
        lines, keep = [], False
        for line in result:
            if re.match(r"    \w+:", line):  # a key of the result
                keep = line.strip().startswith(_MESSAGE_KEYS)
            if keep:
                lines.append(line)
    return " ".join(" ".join(lines).split()).replace("''", "'").replace('\\"', '"')


def _first_of_each_layer_and_kind(cases: list[Case]) -> list[Case]:
    firsts: dict[tuple[str, str], Case] = {}
    for case in cases:
        firsts.setdefault((case.layer, case.kind), case)
    return list(firsts.values())


SAMPLE = _first_of_each_layer_and_kind(CASES)


def run_case(case: Case, env: dict[str, str], emulator: Any) -> dict[str, Any]:
    """Run site.yml with the case's variables; say how it failed.

    env: the environment for ansible-playbook (aws_env, or site_env with the fake Kubernetes API);
    emulator: what it points at (url, ca_bundle), whose server-side counter is reset first.
    """
    launcher.reset_api_calls(emulator.url, emulator.ca_bundle)
    run = run_playbook(env, "site.yml", "-e", json.dumps(case.extra_vars))
    calls = launcher.api_calls(emulator.url, emulator.ca_bundle)
    message = failure_text(run.output)
    return {
        "id": case.id,
        "layer": case.layer,
        "kind": case.kind,
        "rc": run.returncode,
        "mutating_calls": calls["mutating"],
        "read_calls": calls["read"],
        "names_variable": case.variable in message,
        "states_rule": case.rule in message,
        "message": message,
        "output_tail": run.output[-3000:],
    }


def run_catalogue(env: dict[str, str], emulator: Any) -> list[dict[str, Any]]:
    """run_case for every case of the catalogue, in order."""
    return [run_case(case, env, emulator) for case in CASES]
