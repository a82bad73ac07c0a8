# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Helpers shared by the SNS and SQS modules (sqs_queues, sns_topics, sns_publish).

SNS and SQS both describe a resource as a flat map of string attributes, some of
which hold JSON documents (policies, redrive and filter policies). These helpers
turn module values into attribute strings and compare attributes by meaning, so
that a policy AWS stored with other whitespace or key order is not "changed".
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible.module_utils.tag_plan import plan_tags

# JSON-valued attributes that are IAM policies (compared with compare_policies).
POLICY_ATTRIBUTES = ("Policy",)
# Other JSON-valued attributes (compared as parsed JSON).
JSON_ATTRIBUTES = ("RedrivePolicy", "RedriveAllowPolicy", "DeliveryPolicy", "FilterPolicy")


def to_attribute_value(value):
    """The string AWS stores for a module value; None stays None (not managed)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)


def _parse_json(value):
    if value in (None, ""):
        return None
    if isinstance(value, (dict, list)):
        return value
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return value
    return parsed if parsed != {} else None  # "{}" means "none" (e.g. a removed filter policy)


def _normalise_numbers(value):
    """maxReceiveCount may come back as "5" or 5: compare JSON scalars as strings."""
    if isinstance(value, dict):
        return {key: _normalise_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise_numbers(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    return str(value)


def attribute_differs(name, current, desired):
    """True when the desired attribute value (a string, "" meaning unset) differs from the current one."""
    if desired is None:
        return False
    if name in POLICY_ATTRIBUTES or name in JSON_ATTRIBUTES:
        current_doc, desired_doc = _parse_json(current), _parse_json(desired)
        if current_doc is None or desired_doc is None:
            return (current_doc is None) != (desired_doc is None)
        if name in POLICY_ATTRIBUTES:
            return compare_policies(current_doc, desired_doc)
        return _normalise_numbers(current_doc) != _normalise_numbers(desired_doc)
    if desired == "":
        return current not in (None, "")
    if current is None:
        return True
    if desired.lower() in ("true", "false"):
        return str(current).lower() != desired.lower()
    return str(current) != desired


def changed_attributes(current, desired):
    """The desired attributes (name -> string) whose value differs from current."""
    return {name: value for name, value in desired.items() if attribute_differs(name, current.get(name), value)}


def readable_attributes(attributes):
    """Attributes for diff and return values: JSON documents parsed, the rest as given."""
    view = {}
    for name, value in attributes.items():
        if value is None:
            continue
        if name in POLICY_ATTRIBUTES or name in JSON_ATTRIBUTES:
            parsed = _parse_json(value)
            view[name] = parsed if parsed is not None else ""
        else:
            view[name] = value
    return view
