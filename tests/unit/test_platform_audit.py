"""The audit's judgements (module_utils/platform_audit.py) and its role's filters, without AWS."""

import json

import pytest

from filter_plugins import audit_report
from filter_plugins.iam_policies import UNSCOPED_ACTIONS, iam_component_policy
from module_utils import platform_audit as audit

UNSCOPED = sorted(UNSCOPED_ACTIONS)


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra):
    return dict({"Effect": "Allow", "Action": action, "Resource": resource}, **extra)


def checks(document, unscoped=UNSCOPED):
    return [check for check, _severity, _detail in audit.policy_findings(document, unscoped)]


# --- IAM policy documents ----------------------------------------------------------------

@pytest.mark.parametrize("action", ["*", "s3:*", ["sqs:SendMessage", "kinesis:*"], "s3:Put*", "ec2:*Instance*"])
def test_wildcard_actions_are_findings_even_on_one_resource(action):
    assert checks(doc(allow(action, "arn:aws:s3:::b/*"))) == ["iam-wildcard-action"]


@pytest.mark.parametrize("action", ["ec2:Describe*", "s3:Get*", "dynamodb:List*"])
def test_read_only_patterns_on_one_resource_are_not_wildcard_findings(action):
    assert checks(doc(allow(action, "arn:aws:s3:::b"))) == []


def test_every_action_on_every_resource_is_admin():
    findings = audit.policy_findings(doc(allow("*")), UNSCOPED)
    assert [(c, s) for c, s, _ in findings] == [("iam-admin-rights", "critical")]


def test_iam_star_on_every_resource_is_admin():
    assert checks(doc(allow(["iam:*"]))) == ["iam-admin-rights"]


def test_not_action_on_every_resource_is_admin_as_power_user_access_is():
    power_user = doc({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"})
    findings = audit.policy_findings(power_user, UNSCOPED)
    assert [c for c, _, _ in findings] == ["iam-admin-rights"]
    assert "iam:*" in findings[0][2]


def test_not_action_on_one_resource_is_a_wildcard_finding():
    assert checks(doc({"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::b"})) == [
        "iam-wildcard-action"]


def test_a_write_action_on_every_resource_is_a_finding():
    findings = audit.policy_findings(doc(allow(["sqs:SendMessage", "sqs:GetQueueUrl"], Sid="Send")), UNSCOPED)
    assert [c for c, _, _ in findings] == ["iam-unscoped-write"]
    assert "Send" in findings[0][2] and "sqs:SendMessage" in findings[0][2] and "GetQueueUrl" not in findings[0][2]


def test_not_resource_counts_as_every_resource():
    assert checks(doc({"Effect": "Allow", "Action": "sqs:SendMessage", "NotResource": "arn:aws:sqs:*:*:x"})) == [
        "iam-unscoped-write"]


def test_the_platforms_unscopable_actions_are_allowed_on_every_resource():
    assert checks(doc(allow(UNSCOPED))) == []


def test_the_allowed_list_is_what_the_caller_passes_not_a_copy():
    statement = doc(allow(["kms:CreateKey"]))
    assert checks(statement, unscoped=[]) == ["iam-unscoped-write"]
    assert checks(statement, unscoped=["kms:CreateKey"]) == []


def test_read_actions_on_every_resource_are_not_write_findings():
    assert checks(doc(allow(["ec2:DescribeInstances", "ecr:BatchCheckLayerAvailability", "s3:ListAllMyBuckets"]))) == []


def test_a_condition_that_narrows_the_resources_scopes_a_write_on_every_resource():
    scoped = allow("iam:CreateServiceLinkedRole",
                   Condition={"StringLike": {"iam:AWSServiceName": "eks.amazonaws.com"}})
    assert checks(doc(scoped)) == []


def test_a_condition_that_does_not_narrow_the_resources_scopes_nothing():
    tls_only = allow("sqs:SendMessage", Condition={"Bool": {"aws:SecureTransport": "true"}})
    assert checks(doc(tls_only)) == ["iam-unscoped-write"]
    admin_over_tls = allow("*", Condition={"Bool": {"aws:SecureTransport": "true"}})
    assert checks(doc(admin_over_tls)) == ["iam-admin-rights"]


def test_a_condition_never_excuses_a_wildcard_action():
    assert checks(doc(allow("s3:*", Condition={"StringEquals": {"aws:ResourceTag/Env": "prod"}}))) == [
        "iam-wildcard-action"]


def test_deny_statements_are_not_findings():
    assert checks(doc({"Effect": "Deny", "Action": "*", "Resource": "*"})) == []


def test_documents_come_as_dicts_json_or_url_encoded_json():
    document = doc(allow("*"))
    as_json = json.dumps(document)
    encoded = as_json.replace("%", "%25").replace('"', "%22").replace(" ", "%20").replace("{", "%7B").replace("}", "%7D")
    assert checks(document) == checks(as_json) == checks(encoded) == ["iam-admin-rights"]
    assert checks({"Statement": allow("*")}) == ["iam-admin-rights"]  # a single statement, not a list


def test_every_policy_the_iam_role_generates_passes_the_audit():
    component = {
        "name": "todo-api", "service": "lambda.amazonaws.com", "kms_keys": ["data", "logs"],
        "access": [
            {"type": "dynamodb_table", "name": "p-e-todos", "level": "read_write"},
            {"type": "s3_bucket", "name": "p-e-user-files", "level": "read_write"},
            {"type": "ecr_repository", "name": "p-e-payments", "level": "pull"},
            {"type": "vpc_network_interfaces", "name": "p-e", "level": "attach"},
            {"type": "log_group", "name": "/aws/lambda/p-e-todo-api", "level": "write"},
        ],
    }
    policy = iam_component_policy(component, "111122223333", "eu-west-1", "aws", "p-e-")
    assert audit.policy_findings(policy, UNSCOPED) == []


# --- bucket policies -----------------------------------------------------------------------

TLS_ONLY = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def test_tls_only_statement_is_recognised_in_its_documented_forms():
    assert audit.denies_insecure_transport(json.dumps(doc(TLS_ONLY)))
    assert audit.denies_insecure_transport(doc(dict(TLS_ONLY, Principal={"AWS": ["*"]}, Action="*",
                                                    Condition={"Bool": {"aws:SecureTransport": ["false"]}})))


@pytest.mark.parametrize("change", [
    {"Effect": "Allow"}, {"Principal": {"AWS": "arn:aws:iam::111122223333:root"}}, {"Action": "s3:GetObject"},
    {"Condition": {"Bool": {"aws:SecureTransport": "true"}}}, {"Condition": {}},
])
def test_anything_weaker_is_not_a_tls_only_statement(change):
    assert not audit.denies_insecure_transport(doc(dict(TLS_ONLY, **change)))


def test_public_statements_are_allows_to_everyone_without_a_narrowing_condition():
    public = {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    from_vpce = dict(public, Sid="FromEndpoint", Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}})
    over_tls = dict(public, Sid="OverTls", Condition={"Bool": {"aws:SecureTransport": "true"}})
    account = dict(public, Sid="Account", Principal={"AWS": "arn:aws:iam::111122223333:root"})
    assert audit.public_statements(doc(TLS_ONLY, public, from_vpce, over_tls, account)) == ["PublicRead", "OverTls"]


# --- security groups ----------------------------------------------------------------------

def rule(protocol="tcp", low=443, high=443, v4=("0.0.0.0/0",), v6=()):
    return {"IpProtocol": protocol, "FromPort": low, "ToPort": high,
            "IpRanges": [{"CidrIp": c} for c in v4], "Ipv6Ranges": [{"CidrIpv6": c} for c in v6]}


def test_open_ranges_are_the_whole_internet_only():
    assert audit.open_ingress(rule(v4=("10.0.0.0/16", "0.0.0.0/0"), v6=("::/0",))) == ["0.0.0.0/0", "::/0"]
    assert audit.open_ingress(rule(v4=("10.0.0.0/16",))) == []


ALB = [{"group": "p-e-alb", "ports": [443], "protocol": "tcp", "tags": {}}]


@pytest.mark.parametrize("group, permission, allowed", [
    ("p-e-alb", rule(), True),
    ("p-e-alb", rule(low=22, high=22), False),
    ("p-e-alb", rule(low=0, high=65535), False),
    ("p-e-alb", rule(protocol="-1", low=None, high=None), False),
    ("p-e-alb", rule(protocol="udp"), False),
    ("p-e-app", rule(), False),
])
def test_declared_load_balancer_ports_are_the_only_exception(group, permission, allowed):
    assert audit.ingress_allowed(group, {}, permission, ALB) is allowed


def test_an_exception_may_name_the_group_by_tags():
    by_tag = [{"tags": {"Role": "lb"}, "ports": [80, 443], "protocol": "tcp"}]
    assert audit.ingress_allowed("anything", {"Role": "lb"}, rule(low=80, high=80), by_tag)
    assert not audit.ingress_allowed("anything", {"Role": "app"}, rule(low=80, high=80), by_tag)


def test_port_text():
    assert audit.port_text(rule(low=22, high=22)) == "tcp/22"
    assert audit.port_text(rule(low=1024, high=65535)) == "tcp/1024-65535"
    assert audit.port_text(rule(protocol="-1")) == "all traffic"


# --- scope ---------------------------------------------------------------------------------

PATTERNS = ["p-e-*", "/aws/*p-e-*", "alias/p-e-*", "/p/e/*"]
TAGS = {"Environment": "e", "ManagedBy": "toolkit"}


@pytest.mark.parametrize("name, tags, expected", [
    ("p-e-orders", {}, True),
    ("/aws/lambda/p-e-todo-api", {}, True),
    ("/aws/eks/p-e-eks/cluster", {}, True),
    ("/p/e/vpc-flow-logs", {}, True),
    ("alias/p-e-data", {}, True),
    ("p-prod-orders", {}, False),
    ("someone-elses-queue", {}, False),
    ("/aws/lambda/other", {"Environment": "e"}, False),
    ("hand-made", {"Environment": "e", "ManagedBy": "toolkit"}, True),
])
def test_scope_is_the_platforms_names_or_its_tags(name, tags, expected):
    assert audit.in_scope(name, tags, PATTERNS, TAGS) is expected


# --- the role's filters ---------------------------------------------------------------------

def test_the_role_reads_the_iam_roles_list_of_unscopable_actions():
    assert audit_report.audit_unscoped_actions([]) == UNSCOPED
    assert audit_report.audit_unscoped_actions(["sts:GetCallerIdentity"]) == sorted(UNSCOPED + ["sts:GetCallerIdentity"])


FINDINGS = [
    audit.finding("s3-tls-only", "medium", "AWS::S3::Bucket", "p-e-raw", "no policy"),
    audit.finding("iam-admin-rights", "critical", "AWS::IAM::Role", "p-e-todo-api", "AdministratorAccess " * 12),
]


@pytest.mark.parametrize("threshold, count", [("low", 2), ("medium", 2), ("high", 1), ("critical", 1)])
def test_fail_threshold(threshold, count):
    assert len(audit_report.audit_findings_at(FINDINGS, threshold)) == count


def test_table_names_check_severity_type_resource_and_wraps_the_detail():
    lines = audit_report.audit_findings_table(FINDINGS, width=40).splitlines()
    assert lines[0].split() == ["CHECK", "SEVERITY", "TYPE", "RESOURCE"]
    assert lines[1].split() == ["s3-tls-only", "medium", "AWS::S3::Bucket", "p-e-raw"]
    assert lines[3].split() == ["iam-admin-rights", "critical", "AWS::IAM::Role", "p-e-todo-api"]
    assert all(len(line) <= 44 for line in lines[4:]) and len(lines) > 5
    assert audit_report.audit_findings_table([]) == "no findings"


def test_summary_counts_per_check():
    assert audit.summarize(FINDINGS + FINDINGS[:1]) == {"iam-admin-rights": 1, "s3-tls-only": 2}


@pytest.mark.parametrize("args, variable", [
    (("severe", ["p-*"], {}, [], [], ["iam"]), "audit_fail_on"),
    (("low", [], {}, [], [], ["iam"]), "audit_name_patterns"),
    (("low", ["*"], {}, [], [], ["iam"]), "audit_name_patterns"),
    (("low", ["p-*"], {"Environment": 1}, [], [], ["iam"]), "audit_scope_tags"),
    (("low", ["p-*"], {}, [{"ports": [443]}], [], ["iam"]), "audit_open_ingress"),
    (("low", ["p-*"], {}, [{"group": "p-alb", "ports": []}], [], ["iam"]), "audit_open_ingress"),
    (("low", ["p-*"], {}, [{"group": "p-alb", "ports": [22]}], [], ["iam"]), "audit_open_ingress"),
    (("low", ["p-*"], {}, [], ["p-*"], ["iam"]), "audit_sse_s3_buckets"),
    (("low", ["p-*"], {}, [], [], []), "audit_checks"),
    (("low", ["p-*"], {}, [], [], ["iam"], [{"role": "p-x", "policy": "AdministratorAccess", "reason": "r"}]),
     "audit_accepted_managed_policies"),
    (("low", ["p-*"], {}, [], [], ["iam"], [{"role": "p-x", "policy": "AmazonEKSClusterPolicy"}]),
     "audit_accepted_managed_policies"),
    (("low", ["p-*"], {}, [], [], ["iam"], [{"role": "*", "policy": "AmazonEKSClusterPolicy", "reason": "r"}]),
     "audit_accepted_managed_policies"),
])
def test_input_errors_name_the_variable(args, variable):
    errors = audit_report.audit_input_errors(*args)
    assert len(errors) == 1 and errors[0].startswith(f"{variable}: "), errors


def test_good_input_has_no_errors():
    assert audit_report.audit_input_errors("high", ["p-e-*"], {"Environment": "e"}, ALB, ["p-e-logs"],
                                           ["iam", "buckets"],
                                           [{"role": "p-e-eks-node", "policy": "AmazonEKS_CNI_Policy", "reason": "r"}]) == []
