import pytest

from filter_plugins.s3_buckets import (
    s3_bucket_name_errors,
    s3_bucket_policy,
    s3_input_errors,
    s3_lifecycle_transitions,
    s3_log_sources,
)

BUCKETS = [
    {"purpose": "raw-archive", "lifecycle_rules": [
        {"id": "tiering", "transitions": [{"days": 30, "storage_class": "STANDARD_IA"},
                                          {"days": 90, "storage_class": "GLACIER_IR"}], "expiration_days": 365}]},
    {"purpose": "user-files"},
    {"purpose": "logs", "encryption": "s3", "access_logging": False},
]


@pytest.mark.parametrize("name", ["abc", "rtap-local-user-files", "a" * 63, "my.bucket-1", "1bucket"])
def test_valid_bucket_names(name):
    assert s3_bucket_name_errors(name) == []


@pytest.mark.parametrize("name, rule", [
    ("ab", "3 to 63"),
    ("a" * 64, "3 to 63"),
    ("Rtap-local", "lowercase"),
    ("rtap_local", "lowercase"),
    ("-rtap", "begin and end"),
    ("rtap-", "begin and end"),
    ("rtap..local", "two adjacent dots"),
    ("192.168.5.4", "IP address"),
    ("xn--rtap", "xn--"),
    ("rtap-s3alias", "-s3alias"),
    ("rtap--ol-s3", "--ol-s3"),
])
def test_invalid_bucket_names(name, rule):
    assert any(rule in error for error in s3_bucket_name_errors(name)), s3_bucket_name_errors(name)


def test_default_shaped_input_has_no_errors():
    assert s3_input_errors(BUCKETS, "rtap-local") == []


def test_bad_suffix_is_blamed_on_the_suffix():
    errors = s3_input_errors(BUCKETS, "rtap-local", "-Bad_Suffix")
    assert errors and all(e.startswith("s3_bucket_name_suffix: ") for e in errors)


def test_bad_purpose_is_blamed_on_the_buckets():
    errors = s3_input_errors([{"purpose": "User_Files", "access_logging": False}], "rtap-local")
    assert errors[0].startswith("s3_buckets: bucket name 'rtap-local-User_Files'")


@pytest.mark.parametrize("rule, expected", [
    ({"id": "r", "expiration_days": 0}, "expiration_days must be a positive number of days, got 0"),
    ({"id": "r", "expiration_days": "x"}, "expiration_days must be a positive number"),
    ({"id": "r", "noncurrent_expiration_days": -1}, "noncurrent_expiration_days must be a positive"),
    ({"id": "r", "transitions": [{"days": 0, "storage_class": "GLACIER"}]}, "transition days must be a positive"),
    ({"id": "r", "transitions": [{"days": 400, "storage_class": "GLACIER"}], "expiration_days": 365},
     "transition to GLACIER after 400 days is not before expiration_days 365"),
    ({"id": "r", "transitions": [{"days": 30, "storage_class": "COLD"}]}, "storage_class must be one of"),
    ({"id": "r", "transitions": [{"days": 10, "storage_class": "STANDARD_IA"}]}, "at least 30 days"),
    ({"id": "r"}, "needs at least one of"),
])
def test_lifecycle_rule_errors_name_the_variable(rule, expected):
    errors = s3_input_errors([{"purpose": "raw-archive", "access_logging": False, "lifecycle_rules": [rule]}], "rtap-local")
    assert any(e.startswith("s3_buckets: 'raw-archive' lifecycle rule") and expected in e for e in errors), errors


def test_log_bucket_must_exist_use_sse_s3_and_not_log_to_itself():
    assert "s3_log_bucket_purpose" in s3_input_errors([{"purpose": "raw-archive"}], "p")[0]
    errors = s3_input_errors([{"purpose": "raw-archive"}, {"purpose": "logs", "access_logging": False}], "p")
    assert any("SSE-S3" in e for e in errors)
    errors = s3_input_errors([{"purpose": "logs", "encryption": "s3"}], "p")
    assert any("cannot log to itself" in e for e in errors)


def test_notification_and_extra_statement_errors():
    notifications = [{"bucket": "nope", "id": "n1", "events": []},
                     {"bucket": "user-files", "id": "n2", "events": ["s3:ObjectCreated:*"],
                      "queue_arn": "arn:q", "lambda_function_arn": "arn:f"}]
    errors = s3_input_errors(BUCKETS, "p", "", "logs", notifications, {"nope": [{"Effect": "Allow"}], "logs": "x"})
    assert any("s3_notifications: 'n1': bucket must be a purpose" in e for e in errors)
    assert any("s3_notifications: 'n1': give exactly one of" in e for e in errors)
    assert any("s3_notifications: 'n1': events" in e for e in errors)
    assert any("s3_notifications: 'n2': give exactly one of" in e for e in errors)
    assert any("s3_extra_policy_statements: 'nope'" in e for e in errors)
    assert any("s3_extra_policy_statements: 'logs' must be a list" in e for e in errors)


def test_policy_is_tls_only_and_grants_log_delivery_per_source():
    sources = s3_log_sources(BUCKETS, "rtap-dev", "-111122223333")
    assert [s["name"] for s in sources] == ["rtap-dev-raw-archive-111122223333", "rtap-dev-user-files-111122223333"]
    policy = s3_bucket_policy("rtap-dev-logs", "aws", "111122223333", sources, [{"Sid": "Extra", "Effect": "Allow"}])
    deny, first, second, extra = policy["Statement"]
    assert deny["Effect"] == "Deny" and deny["Action"] == "s3:*"
    assert deny["Resource"] == ["arn:aws:s3:::rtap-dev-logs", "arn:aws:s3:::rtap-dev-logs/*"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert first["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert first["Resource"] == "arn:aws:s3:::rtap-dev-logs/s3-access/rtap-dev-raw-archive-111122223333/*"
    assert first["Condition"]["StringEquals"] == {"aws:SourceAccount": "111122223333"}
    assert first["Condition"]["ArnLike"] == {"aws:SourceArn": "arn:aws:s3:::rtap-dev-raw-archive-111122223333"}
    assert extra["Sid"] == "Extra"


def test_transitions_use_the_module_format():
    assert s3_lifecycle_transitions([{"days": "30", "storage_class": "GLACIER_IR"}]) == [
        {"transition_days": 30, "storage_class": "glacier_ir"}]
