"""Input checks and bucket policies for the s3 role.

Bucket names follow S3's general purpose bucket naming rules
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
Everything here runs on plain variables, so the pre-flight play can check the
input before any AWS call.
"""

import ipaddress
import re

# Storage classes a lifecycle transition may target (AWS: Transition.StorageClass).
STORAGE_CLASSES = ("STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE")
# AWS: objects must stay 30 days in S3 Standard before a transition to these classes.
MIN_30_DAYS = ("STANDARD_IA", "ONEZONE_IA")
RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
NOTIFICATION_TARGETS = ("queue_arn", "lambda_function_arn")


def s3_bucket_name_errors(name):
    """The S3 naming rules `name` breaks (empty when it is a valid bucket name)."""
    name = str(name)
    errors = []
    if not 3 <= len(name) <= 63:
        errors.append(f"must be 3 to 63 characters long, got {len(name)}")
    if not re.fullmatch(r"[a-z0-9.-]*", name):
        errors.append("may contain only lowercase letters, digits, dots and hyphens")
    if not re.match(r"[a-z0-9]", name) or not re.search(r"[a-z0-9]$", name):
        errors.append("must begin and end with a lowercase letter or a digit")
    if ".." in name:
        errors.append("must not contain two adjacent dots")
    try:
        ipaddress.ip_address(name)
        errors.append("must not be formatted as an IP address")
    except ValueError:
        pass
    errors += [f"must not start with '{p}'" for p in RESERVED_PREFIXES if name.startswith(p)]
    errors += [f"must not end with '{s}'" for s in RESERVED_SUFFIXES if name.endswith(s)]
    return errors


def s3_bucket_name(purpose, prefix, suffix=""):
    """<platform_prefix>-<purpose><suffix>."""
    return f"{prefix}-{purpose}{suffix}"


def _days(value):
    """A positive whole number of days, or None."""
    if isinstance(value, bool):
        return None
    try:
        days = int(str(value))
    except (TypeError, ValueError):
        return None
    return days if days > 0 else None


def _lifecycle_errors(purpose, rule):
    where = f"s3_buckets: '{purpose}' lifecycle rule '{rule.get('id', '?')}'"
    errors = []
    if not rule.get("id"):
        errors.append(f"s3_buckets: '{purpose}' has a lifecycle rule without an id")
    fields = ["expiration_days", "noncurrent_expiration_days", "abort_incomplete_multipart_days"]
    for field in fields:
        if field in rule and rule[field] is not None and _days(rule[field]) is None:
            errors.append(f"{where}: {field} must be a positive number of days, got {rule[field]!r}")
    expiration = _days(rule.get("expiration_days"))
    classes = []
    for transition in rule.get("transitions") or []:
        storage_class = str(transition.get("storage_class", "")).upper()
        days = _days(transition.get("days"))
        classes.append(storage_class)
        if storage_class not in STORAGE_CLASSES:
            errors.append(f"{where}: storage_class must be one of {', '.join(STORAGE_CLASSES)}, "
                          f"got {transition.get('storage_class')!r}")
        if days is None:
            errors.append(f"{where}: transition days must be a positive number of days, got {transition.get('days')!r}")
            continue
        if storage_class in MIN_30_DAYS and days < 30:
            errors.append(f"{where}: AWS transitions to {storage_class} after at least 30 days, got {days}")
        if expiration is not None and days >= expiration:
            errors.append(f"{where}: transition to {storage_class} after {days} days is not before "
                          f"expiration_days {expiration}")
    if len(classes) != len(set(classes)):
        errors.append(f"{where}: each storage class may appear in one transition only, got {classes}")
    actions = ("expiration_days", "noncurrent_expiration_days", "abort_incomplete_multipart_days", "transitions")
    if not any(rule.get(a) for a in actions):
        errors.append(f"{where}: needs at least one of {', '.join(actions)}")
    return errors


def s3_input_errors(buckets, prefix, suffix="", log_purpose="logs", notifications=None, extra_statements=None):
    """Every rule the s3 role's input breaks, as 'variable: rule' messages."""
    errors = []
    suffix = "" if suffix is None else str(suffix)
    purposes = [b.get("purpose") for b in buckets]
    for purpose in sorted({p for p in purposes if purposes.count(p) > 1}):
        errors.append(f"s3_buckets: purpose '{purpose}' is declared twice")

    for bucket in buckets:
        purpose = bucket.get("purpose")
        if not purpose:
            errors.append("s3_buckets: every bucket needs a purpose")
            continue
        name = s3_bucket_name(purpose, prefix, suffix)
        problems = s3_bucket_name_errors(name)
        if problems:
            # Name the variable at fault: the suffix when the name is valid without it.
            variable = "s3_bucket_name_suffix" if suffix and not s3_bucket_name_errors(name[:-len(suffix)]) else "s3_buckets"
            errors.append(f"{variable}: bucket name '{name}' (platform_prefix-purpose + s3_bucket_name_suffix) "
                          f"breaks S3's naming rules: {'; '.join(problems)}")
        encryption = bucket.get("encryption", "kms")
        if encryption not in ("kms", "s3"):
            errors.append(f"s3_buckets: '{purpose}' encryption must be kms or s3, got {encryption!r}")
        if bucket.get("access_logging", True) and purpose == log_purpose:
            errors.append(f"s3_buckets: '{purpose}' is the access log bucket (s3_log_bucket_purpose) and cannot log to itself")
        for rule in bucket.get("lifecycle_rules") or []:
            errors += _lifecycle_errors(purpose, rule)
        ids = [r.get("id") for r in bucket.get("lifecycle_rules") or []]
        if len(ids) != len(set(ids)):
            errors.append(f"s3_buckets: '{purpose}' lifecycle rule ids must be unique, got {ids}")

    logging_buckets = [b.get("purpose") for b in buckets if b.get("access_logging", True) and b.get("purpose") != log_purpose]
    if logging_buckets:
        target = [b for b in buckets if b.get("purpose") == log_purpose]
        if not target:
            errors.append(f"s3_log_bucket_purpose: buckets {logging_buckets} log access to '{log_purpose}', "
                          "which s3_buckets does not declare")
        elif target[0].get("encryption", "kms") != "s3":
            errors.append(f"s3_buckets: '{log_purpose}' receives server access logs, which AWS delivers only to "
                          "buckets whose default encryption is SSE-S3: set encryption: s3")

    for index, notification in enumerate(notifications or []):
        where = f"s3_notifications: '{notification.get('id', index)}'"
        if notification.get("bucket") not in purposes:
            errors.append(f"{where}: bucket must be a purpose declared in s3_buckets, got {notification.get('bucket')!r}")
        if not notification.get("id"):
            errors.append(f"s3_notifications: entry {index} needs an id")
        targets = [t for t in NOTIFICATION_TARGETS if notification.get(t)]
        if len(targets) != 1:
            errors.append(f"{where}: give exactly one of {', '.join(NOTIFICATION_TARGETS)}, got {targets or 'none'}")
        if not notification.get("events"):
            errors.append(f"{where}: events must list at least one S3 event type (e.g. s3:ObjectCreated:*)")

    for purpose, statements in (extra_statements or {}).items():
        if purpose not in purposes:
            errors.append(f"s3_extra_policy_statements: '{purpose}' is not a purpose declared in s3_buckets")
        if not isinstance(statements, list) or not all(isinstance(s, dict) and s.get("Effect") for s in statements):
            errors.append(f"s3_extra_policy_statements: '{purpose}' must be a list of policy statements with an Effect")
    return errors


def s3_log_sources(buckets, prefix, suffix="", log_purpose="logs"):
    """The buckets that log to the log bucket: [{purpose, name, prefix}], prefix s3-access/<name>/."""
    sources = []
    for bucket in buckets:
        if bucket["purpose"] != log_purpose and bucket.get("access_logging", True):
            name = s3_bucket_name(bucket["purpose"], prefix, suffix)
            sources.append({"purpose": bucket["purpose"], "name": name, "prefix": f"s3-access/{name}/"})
    return sources


def s3_lifecycle_transitions(transitions):
    """Lifecycle transitions in community.aws.s3_lifecycle's `transitions` format."""
    return [{"transition_days": int(t["days"]), "storage_class": str(t["storage_class"]).lower()}
            for t in transitions or []]


def _sid(text):
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def s3_bucket_policy(name, partition="aws", account="", log_sources=None, extra_statements=None):
    """The bucket policy: TLS only, log delivery from the source buckets (log bucket only), extras.

    log_sources: [{"name": source bucket, "prefix": target prefix}] for the access log bucket.
    """
    bucket_arn = f"arn:{partition}:s3:::{name}"
    statements = [{
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }]
    # AWS: grant the logging service PutObject under each source's prefix, limited to
    # that source bucket and this account (confused deputy), one statement per source.
    for source in log_sources or []:
        statements.append({
            "Sid": "ServerAccessLogsFrom" + _sid(source["name"]),
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/{source['prefix']}*",
            "Condition": {
                "ArnLike": {"aws:SourceArn": f"arn:{partition}:s3:::{source['name']}"},
                "StringEquals": {"aws:SourceAccount": str(account)},
            },
        })
    statements += list(extra_statements or [])
    return {"Version": "2012-10-17", "Statement": statements}


class FilterModule:
    def filters(self):
        return {
            "s3_bucket_name_errors": s3_bucket_name_errors,
            "s3_bucket_name": s3_bucket_name,
            "s3_input_errors": s3_input_errors,
            "s3_bucket_policy": s3_bucket_policy,
            "s3_log_sources": s3_log_sources,
            "s3_lifecycle_transitions": s3_lifecycle_transitions,
        }
