"""Plan of the messaging role: topics, queues with their dead-letter queues, queue policies, alarms.

The user declares topics (with their subscribers: fan-out is one declaration)
and queues (one per consumer). These filters check that input against AWS's
rules before any AWS call (messaging_input_errors), and turn it into the
entries of the sqs_queues and sns_topics modules and of the alarms.
"""

import json
import re

from ansible.errors import AnsibleFilterError

# AWS limits (SQS API_SetQueueAttributes, SNS API_CreateTopic / subscription filter policy constraints).
LIMITS = {
    "visibility_timeout": (0, 43200),
    "retention_seconds": (60, 1209600),
    "dlq_retention_seconds": (60, 1209600),
    "delay_seconds": (0, 900),
    "receive_wait_seconds": (0, 20),
    "max_receive_count": (1, 1000),
    "oldest_message_alarm_seconds": (60, 1209600),
}
MAX_RETENTION = 1209600
QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]+(\.fifo)?$")
TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]+(\.fifo)?$")
LAMBDA_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LAMBDA_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SUBSCRIBER_KINDS = ("queue", "lambda", "https", "email")
SCOPES = ("MessageAttributes", "MessageBody")
FILTER_OPERATORS = ("prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case", "cidr")
NUMERIC_OPERATORS = ("=", "<", "<=", ">", ">=")
MAX_FILTER_KEYS = 5
MAX_FILTER_COMBINATIONS = 150


def _int(value):
    """An int from an int or a digit string (-e values arrive as strings); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.match(r"^-?\d+$", value.strip()):
        return int(value)
    return None


def _bool(value):
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "on")
    return bool(value)


def queue_settings(queue, defaults):
    """A queue's settings: the role's defaults overridden by the queue's own keys."""
    settings = dict(defaults or {})
    settings.update({key: value for key, value in (queue or {}).items() if value is not None})
    settings["fifo"] = _bool(settings.get("fifo", False))
    for key in LIMITS:
        if key in settings and _int(settings[key]) is not None:
            settings[key] = _int(settings[key])
    return settings


def _base_name(name):
    return name[:-5] if name.endswith(".fifo") else name


def dlq_name(name):
    """The dead-letter queue of queue `name` (before the platform prefix): billing-dlq, ledger-dlq.fifo."""
    return f"{_base_name(name)}-dlq" + (".fifo" if name.endswith(".fifo") else "")


# ---------------------------------------------------------------------------
# Filter policies
# ---------------------------------------------------------------------------


def _filter_rule_errors(path, rule):
    """Errors of one matching rule (the list under a key)."""
    if not isinstance(rule, list) or not rule:
        return [f"{path} must be a non-empty list of values or operators, got {json.dumps(rule)}"]
    errors = []
    for item in rule:
        if item is None or isinstance(item, (str, bool, int, float)):
            continue
        if not isinstance(item, dict) or len(item) != 1:
            errors.append(f"{path}: {json.dumps(item)} is not a value or a single-operator object")
            continue
        operator, operand = next(iter(item.items()))
        if operator not in FILTER_OPERATORS:
            errors.append(f"{path}: unknown operator {operator!r} (known: {', '.join(FILTER_OPERATORS)})")
        elif operator == "numeric":
            if not _numeric_ok(operand):
                errors.append(f"{path}: numeric takes [op, number] or ['>'|'>=', number, '<'|'<=', number], got {json.dumps(operand)}")
        elif operator == "exists" and not isinstance(operand, bool):
            errors.append(f"{path}: exists takes true or false, got {json.dumps(operand)}")
        elif operator in ("prefix", "suffix", "equals-ignore-case", "cidr") and not isinstance(operand, str):
            errors.append(f"{path}: {operator} takes a string, got {json.dumps(operand)}")
        elif operator == "anything-but" and not isinstance(operand, (str, int, float, list, dict)):
            errors.append(f"{path}: anything-but takes a value, a list or a prefix/suffix object, got {json.dumps(operand)}")
    return errors


def _numeric_ok(operand):
    if not isinstance(operand, list) or len(operand) not in (2, 4):
        return False
    pairs = [operand[i:i + 2] for i in range(0, len(operand), 2)]
    for op, number in pairs:
        if op not in NUMERIC_OPERATORS or isinstance(number, bool) or not isinstance(number, (int, float)):
            return False
    if len(pairs) == 2:
        return pairs[0][0] in (">", ">=") and pairs[1][0] in ("<", "<=") and pairs[0][1] < pairs[1][1]
    return True


def _filter_leaves(policy, scope, path, errors, depth=1):
    """Walk a filter policy; return [(path, rule)] of its leaves, appending errors."""
    leaves = []
    if not isinstance(policy, dict) or not policy:
        errors.append(f"{path} must be a non-empty JSON object")
        return leaves
    for key, value in policy.items():
        here = f"{path}.{key}"
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2:
                errors.append(f"{here} must list at least two alternative objects")
                continue
            for index, alternative in enumerate(value):
                leaves += _filter_leaves(alternative, scope, f"{here}[{index}]", errors, depth)
        elif isinstance(value, dict):
            if scope == "MessageAttributes":
                errors.append(f"{here}: nested keys match the message body only (filter_policy_scope: MessageBody)")
            elif depth >= 5:
                errors.append(f"{here}: AWS allows at most 5 levels of nesting")
            else:
                leaves += _filter_leaves(value, scope, here, errors, depth + 1)
        else:
            errors.extend(_filter_rule_errors(here, value))
            leaves.append((here, value))
    return leaves


def filter_policy_errors(policy, scope, where):
    """Why a subscription filter policy is not valid filter policy syntax ([] when it is)."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError as error:
            return [f"{where}: filter_policy is not valid JSON ({error})"]
    errors = []
    leaves = _filter_leaves(policy, scope, f"{where}: filter_policy", errors)
    if errors:
        return errors
    keys = {path.rsplit(".", 1)[-1] for path, _ in leaves}
    if len(keys) > MAX_FILTER_KEYS:
        errors.append(f"{where}: filter_policy has {len(keys)} keys, AWS allows {MAX_FILTER_KEYS}")
    combinations = 1
    for _, rule in leaves:
        combinations *= len(rule)
    if combinations > MAX_FILTER_COMBINATIONS:
        errors.append(f"{where}: filter_policy has {combinations} value combinations, AWS allows {MAX_FILTER_COMBINATIONS}")
    return errors


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------


def _subscriber_kind(subscriber):
    kinds = [kind for kind in SUBSCRIBER_KINDS if subscriber.get(kind) not in (None, "")]
    return kinds[0] if len(kinds) == 1 else None


def _queue_errors(queues, defaults, prefix):
    errors = []
    names = [str(q.get("name", "")) for q in queues]
    generated = names + [dlq_name(n) for n in names]
    clashes = sorted({n for n in generated if generated.count(n) > 1})
    if clashes:
        errors.append(f"messaging_queues: queue names (and their <name>-dlq dead-letter queues) must be unique, got {', '.join(clashes)} twice")
    for queue in queues:
        name = str(queue.get("name", ""))
        where = f"messaging_queues: '{name}'"
        settings = queue_settings(queue, defaults)
        if not QUEUE_NAME.match(name):
            errors.append(f"{where}: a queue name uses letters, digits, - and _ (and ends in .fifo for FIFO), got '{name}'")
        if settings["fifo"] and not name.endswith(".fifo"):
            errors.append(f"{where}: fifo is true, so the name must end in .fifo, got '{name}'")
        if not settings["fifo"] and name.endswith(".fifo"):
            errors.append(f"{where}: the name ends in .fifo, so fifo must be true, got fifo: false")
        longest = f"{prefix}-{dlq_name(name)}"
        if len(longest) > 80:
            errors.append(f"{where}: the dead-letter queue name {longest} is longer than AWS's 80 characters")
        for key, (low, high) in LIMITS.items():
            if key not in settings:
                errors.append(f"{where}: {key} is not set (and messaging_queue_defaults has none)")
                continue
            value = _int(settings[key])
            if value is None or not low <= value <= high:
                errors.append(f"{where}: {key} must be an integer from {low} to {high}, got {settings[key]!r}")
        source, dlq = _int(settings.get("retention_seconds")), _int(settings.get("dlq_retention_seconds"))
        if source is not None and dlq is not None and (dlq < source or (dlq == source and source < MAX_RETENTION)):
            errors.append(f"{where}: dlq_retention_seconds ({dlq}) must be longer than retention_seconds ({source}): "
                          "a message keeps its original enqueue time in the dead-letter queue")
    return errors


def _topic_errors(topics, queues, defaults, prefix):
    errors = []
    queue_fifo = {str(q.get("name", "")): queue_settings(q, defaults)["fifo"] for q in queues}
    names = [str(t.get("name", "")) for t in topics]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        errors.append(f"messaging_topics: topic names must be unique, got {', '.join(duplicates)} twice")
    for topic in topics:
        name = str(topic.get("name", ""))
        where = f"messaging_topics: '{name}'"
        fifo = _bool(topic.get("fifo", False))
        if not TOPIC_NAME.match(name) or len(f"{prefix}-{name}") > 256:
            errors.append(f"{where}: a topic name uses letters, digits, - and _ (and ends in .fifo for FIFO), "
                          f"at most 256 characters with the prefix, got '{name}'")
        if fifo and not name.endswith(".fifo"):
            errors.append(f"{where}: fifo is true, so the name must end in .fifo, got '{name}'")
        if not fifo and name.endswith(".fifo"):
            errors.append(f"{where}: the name ends in .fifo, so fifo must be true, got fifo: false")
        if not fifo and topic.get("content_based_deduplication"):
            errors.append(f"{where}: content_based_deduplication applies to FIFO topics only")
        for index, subscriber in enumerate(topic.get("subscribers") or []):
            sub_where = f"{where} subscriber {index + 1}"
            if not isinstance(subscriber, dict):
                errors.append(f"{sub_where}: must be a dict, got {subscriber!r}")
                continue
            kind = _subscriber_kind(subscriber)
            if kind is None:
                errors.append(f"{sub_where}: give exactly one of {', '.join(SUBSCRIBER_KINDS)}, got {sorted(subscriber)}")
                continue
            target = str(subscriber[kind])
            if kind == "queue":
                if target not in queue_fifo:
                    errors.append(f"{sub_where}: queue '{target}' is not declared in messaging_queues")
                elif queue_fifo[target] and not fifo:
                    errors.append(f"{sub_where}: FIFO queue '{target}' cannot subscribe to a standard topic "
                                  "(AWS delivers to FIFO queues only from FIFO topics)")
                elif fifo and not queue_fifo[target]:
                    errors.append(f"{sub_where}: standard queue '{target}' cannot subscribe to a FIFO topic; declare it FIFO")
            elif kind == "lambda" and not (LAMBDA_NAME.match(target) or LAMBDA_ARN.match(target)):
                errors.append(f"{sub_where}: lambda must be a function name or ARN, got '{target}'")
            elif kind == "https" and not re.match(r"^https://[^\s/]+", target):
                errors.append(f"{sub_where}: https must be an https:// URL, got '{target}'")
            elif kind == "email" and not EMAIL.match(target):
                errors.append(f"{sub_where}: email must be an email address, got '{target}'")
            if fifo and kind != "queue":
                errors.append(f"{sub_where}: a FIFO topic delivers to SQS queues only, got {kind}")
            if _bool(subscriber.get("raw", False)) and kind not in ("queue", "https"):
                errors.append(f"{sub_where}: raw delivery applies to queue and https subscribers only, got {kind}")
            scope = subscriber.get("filter_policy_scope", "MessageAttributes")
            if scope not in SCOPES:
                errors.append(f"{sub_where}: filter_policy_scope must be one of {', '.join(SCOPES)}, got {scope!r}")
            elif subscriber.get("filter_policy") not in (None, "", {}):
                errors.extend(filter_policy_errors(subscriber["filter_policy"], scope, sub_where))
    return errors


def messaging_input_errors(topics, queues, queue_defaults, prefix):
    """Every rule the messaging role's input breaks, as 'variable: rule, got value' messages."""
    errors = []
    if not isinstance(queues, list) or not all(isinstance(q, dict) for q in queues):
        return [f"messaging_queues: must be a list of dicts, got {queues!r}"]
    if not isinstance(topics, list) or not all(isinstance(t, dict) for t in topics):
        return [f"messaging_topics: must be a list of dicts, got {topics!r}"]
    if not isinstance(queue_defaults, dict):
        return [f"messaging_queue_defaults: must be a dict, got {queue_defaults!r}"]
    errors += _queue_errors(queues, queue_defaults, prefix)
    errors += _topic_errors(topics, queues, queue_defaults, prefix)
    return errors


# ---------------------------------------------------------------------------
# Plans (run time: they need the account)
# ---------------------------------------------------------------------------


def _arn(partition, service, region, account, name):
    return f"arn:{partition}:{service}:{region}:{account}:{name}"


def messaging_topic_arns(topics, prefix, account, region, partition="aws"):
    """Topic name (as declared) -> ARN."""
    return {t["name"]: _arn(partition, "sns", region, account, f"{prefix}-{t['name']}") for t in topics}


def _deny_insecure_transport(resource):
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sqs:*",
        "Resource": resource,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def messaging_queue_policy(queue_arn, topic_arns):
    """The queue policy: only the listed topics (through SNS) may send; no request without TLS."""
    statements = []
    if topic_arns:
        statements.append({
            "Sid": "AllowSubscribedTopics",
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": sorted(topic_arns)}},
        })
    statements.append(_deny_insecure_transport(queue_arn))
    return {"Version": "2012-10-17", "Id": f"{queue_arn}/policy", "Statement": statements}


def messaging_queue_plan(queues, queue_defaults, topics, prefix, account, region, partition, kms_key_id,
                         kms_data_key_reuse_seconds, tags):
    """sqs_queues entries: each queue's dead-letter queue, then the queue itself."""
    topic_arns = messaging_topic_arns(topics, prefix, account, region, partition)
    subscribed_by = {}
    for topic in topics:
        for subscriber in topic.get("subscribers") or []:
            if subscriber.get("queue"):
                subscribed_by.setdefault(subscriber["queue"], []).append(topic_arns[topic["name"]])
    plan = []
    for queue in queues:
        settings = queue_settings(queue, queue_defaults)
        name = settings["name"]
        fifo = settings["fifo"]
        source_name, dead_name = f"{prefix}-{name}", f"{prefix}-{dlq_name(name)}"
        source_arn = _arn(partition, "sqs", region, account, source_name)
        dead_arn = _arn(partition, "sqs", region, account, dead_name)
        common = {
            "queue_type": "fifo" if fifo else "standard",
            "visibility_timeout": settings["visibility_timeout"],
            "delay_seconds": 0,
            "receive_message_wait_time_seconds": settings["receive_wait_seconds"],
            "kms_master_key_id": kms_key_id or "",
            "kms_data_key_reuse_period_seconds": int(kms_data_key_reuse_seconds) if kms_key_id else None,
            "sqs_managed_sse_enabled": None if kms_key_id else True,
        }
        if fifo:
            common["content_based_deduplication"] = _bool(settings.get("content_based_deduplication", True))
        plan.append(dict(
            common,
            name=dead_name,
            message_retention_period=settings["dlq_retention_seconds"],
            policy=messaging_queue_policy(dead_arn, []),
            redrive_policy="",
            redrive_allow_policy={"redrivePermission": "byQueue", "sourceQueueArns": [source_arn]},
            tags=dict(tags, Queue=name, Role="dead-letter-queue"),
        ))
        plan.append(dict(
            common,
            name=source_name,
            message_retention_period=settings["retention_seconds"],
            delay_seconds=settings["delay_seconds"],
            policy=messaging_queue_policy(source_arn, subscribed_by.get(name, [])),
            redrive_policy={"deadLetterTargetArn": dead_arn, "maxReceiveCount": settings["max_receive_count"]},
            # Only its own dead-letter queue is a dead-letter queue: this one may not serve as one.
            redrive_allow_policy={"redrivePermission": "denyAll"},
            tags=dict(tags, Queue=name, Role="queue"),
        ))
    return plan


def _normalised_filter(policy):
    return json.loads(policy) if isinstance(policy, str) else policy


def messaging_topic_plan(topics, queues, queue_defaults, prefix, account, region, partition, kms_key_id,
                         delivery_policy, tags):
    """sns_topics entries: each topic with its attributes and subscriptions."""
    plan = []
    for topic in topics:
        fifo = _bool(topic.get("fifo", False))
        subscriptions = []
        for subscriber in topic.get("subscribers") or []:
            kind = _subscriber_kind(subscriber)
            if kind is None:
                raise AnsibleFilterError(f"messaging_topics: '{topic['name']}' has a subscriber without one of {SUBSCRIBER_KINDS}")
            target = str(subscriber[kind])
            if kind == "queue":
                protocol, endpoint = "sqs", _arn(partition, "sqs", region, account, f"{prefix}-{target}")
            elif kind == "lambda":
                protocol = "lambda"
                endpoint = target if target.startswith("arn:") else _arn(partition, "lambda", region, account, f"function:{prefix}-{target}")
            else:
                protocol, endpoint = kind, target
            entry = {"protocol": protocol, "endpoint": endpoint,
                     "raw_message_delivery": _bool(subscriber.get("raw", False)) if kind in ("queue", "https") else False}
            if subscriber.get("filter_policy") not in (None, "", {}):
                entry["filter_policy"] = _normalised_filter(subscriber["filter_policy"])
                entry["filter_policy_scope"] = subscriber.get("filter_policy_scope", "MessageAttributes")
            subscriptions.append(entry)
        entry = {
            "name": f"{prefix}-{topic['name']}",
            "topic_type": "fifo" if fifo else "standard",
            "display_name": topic.get("display_name", ""),
            "kms_master_key_id": kms_key_id or "",
            # HTTP/S retry policy; FIFO topics deliver to SQS only, where it does not apply.
            "delivery_policy": None if fifo else (topic.get("delivery_policy", delivery_policy) or ""),
            "tags": dict(tags, Topic=topic["name"]),
            "subscriptions": subscriptions,
        }
        if fifo:
            entry["content_based_deduplication"] = _bool(topic.get("content_based_deduplication", False))
        plan.append(entry)
    return plan


def messaging_alarm_plan(queues, queue_defaults, prefix):
    """Two alarms per queue: its dead-letter queue holds messages; its oldest message is too old."""
    alarms = []
    for queue in queues:
        settings = queue_settings(queue, queue_defaults)
        name, base = settings["name"], _base_name(settings["name"])
        alarms.append({
            "name": f"{prefix}-{base}-dlq-not-empty",
            "description": f"Messages of {prefix}-{name} failed {settings['max_receive_count']} times and wait in its dead-letter queue",
            "metric": "ApproximateNumberOfMessagesVisible",
            "queue": f"{prefix}-{dlq_name(name)}",
            "comparison": "GreaterThanThreshold",
            "threshold": 0,
            "evaluation_periods": 1,
        })
        alarms.append({
            "name": f"{prefix}-{base}-oldest-message-age",
            "description": f"The oldest message of {prefix}-{name} waits longer than {settings['oldest_message_alarm_seconds']} s",
            "metric": "ApproximateAgeOfOldestMessage",
            "queue": f"{prefix}-{name}",
            "comparison": "GreaterThanOrEqualToThreshold",
            "threshold": settings["oldest_message_alarm_seconds"],
            "evaluation_periods": 5,
        })
    return alarms


class FilterModule:
    def filters(self):
        return {
            "messaging_input_errors": messaging_input_errors,
            "messaging_queue_plan": messaging_queue_plan,
            "messaging_topic_plan": messaging_topic_plan,
            "messaging_alarm_plan": messaging_alarm_plan,
            "messaging_topic_arns": messaging_topic_arns,
        }
