#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: api_gateway_usage_plans
short_description: Reconcile API Gateway usage plans, API keys, their bindings and the secrets holding the key values
description:
  - Reconciles, in one module run, a set of API Gateway (REST) usage plans with their throttle, quota
    and API stages (including per-method throttles), a set of API keys, which keys are bound to which
    plan, and one AWS Secrets Manager secret per key that holds the key's value.
  - A plan and a key are identified by their name. They are looked up by name before anything is
    created, and a create call (CreateApiKey and CreateUsagePlan take no client token) is sent
    through a client that never resends it. It is sent again when AWS throttled it, and when its
    answer is lost (connection dropped, timeout, 5xx) only after a look-up by name found nothing.
    So a retry never makes a second copy. The module fails when two existing plans (or keys) share
    a declared name.
  - Key values never appear in the module's arguments, output, diff or logs. A new key is created
    without a value, so API Gateway generates it; the module reads it (GetApiKey with includeValue)
    and writes it to the key's secret. When a key exists but its secret is missing, scheduled for
    deletion, or holds another value, the key's value is written to the secret, so a run that died
    between creating the key and storing its value is repaired by the next one.
  - 'The secret value is a JSON document: C({"api_key_id": "<key id>", "value": "<key value>"}).'
  - A plan is changed in place with one UpdateUsagePlan call holding only the patch operations for
    what differs; keys are bound and unbound with CreateUsagePlanKey and DeleteUsagePlanKey.
  - With O(plan_set), every plan, key and secret the module manages carries the tag
    C(UsagePlanSet=<plan_set>); with O(purge=true), plans, keys and secrets carrying that tag that are
    no longer declared are deleted (secrets are scheduled for deletion).
  - This module supports check mode (no mutating call; the changes are predicted) and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - V(present) creates or updates the plans, keys, bindings and secrets.
      - V(absent) deletes the declared plans and keys and schedules the deletion of the keys' secrets.
    choices: ["present", "absent"]
    default: present
    type: str
  plans:
    description: The usage plans.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The plan's name (its identity).
        required: true
        type: str
      description:
        description: The plan's description. Not set leaves the current description alone.
        type: str
      throttle:
        description:
          - The plan's throttle (requests per second, steady and burst) for every key bound to it.
          - Not set means the plan has no plan-wide throttle (an existing one is removed).
        type: dict
        suboptions:
          rate_limit:
            description: Steady-state requests per second (greater than 0; may be fractional).
            required: true
            type: float
          burst_limit:
            description: Burst size in requests (greater than 0).
            required: true
            type: int
      quota:
        description:
          - The number of requests a key may make per period.
          - Not set means the plan has no quota (an existing one is removed).
        type: dict
        suboptions:
          limit:
            description: Requests per period (greater than 0).
            required: true
            type: int
          period:
            description: The quota period.
            required: true
            type: str
            choices: ["DAY", "WEEK", "MONTH"]
          offset:
            description: The number of requests subtracted from the limit in the first period.
            type: int
            default: 0
      api_stages:
        description:
          - The API stages the plan applies to (exactly these; others are removed from the plan).
        type: list
        elements: dict
        default: []
        suboptions:
          api_id:
            description: The REST API id.
            required: true
            type: str
          stage:
            description: The stage name.
            required: true
            type: str
          throttle:
            description:
              - Per-method throttles, keyed C(<resourcePath>/<HTTP method>) (for example C(/todos/GET),
                C(/todos/{id}/DELETE)), each a dict with C(rate_limit) and C(burst_limit).
              - Exactly these methods are throttled; other method throttles of the stage are removed.
            type: dict
            default: {}
      keys:
        description:
          - Names of keys (from O(keys)) bound to this plan; exactly these are bound, any other key
            bound to the plan is unbound.
          - Not set leaves the plan's bindings alone.
        type: list
        elements: str
  keys:
    description: The API keys.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The key's name (its identity).
        required: true
        type: str
      description:
        description: The key's description. Not set leaves the current description alone.
        type: str
      enabled:
        description: Whether API Gateway accepts the key.
        type: bool
        default: true
      secret_name:
        description: Name of the Secrets Manager secret that holds the key's value.
        required: true
        type: str
  secret_kms_key_id:
    description:
      - KMS key (id, ARN, alias name or alias ARN) that encrypts the secrets. Not set uses the
        account's C(aws/secretsmanager) key for new secrets and leaves existing ones alone.
    type: str
  tags:
    description:
      - Tags of every plan, key and secret. With O(purge_tags=true), other tags are removed.
      - Not set leaves the tags alone (except the O(plan_set) tag).
    type: dict
  purge_tags:
    description: Remove tags not listed in O(tags) (only when O(tags) is set).
    type: bool
    default: true
  plan_set:
    description:
      - Value of the C(UsagePlanSet) tag the module puts on every plan, key and secret it manages.
        Required with O(purge=true).
    type: str
  purge:
    description:
      - With O(state=present), delete the plans and keys, and schedule the deletion of the secrets,
        that carry the tag C(UsagePlanSet=<plan_set>) and are not declared.
    type: bool
    default: false
  recovery_window_in_days:
    description: Days (7-30) a deleted secret can still be restored.
    type: int
    default: 30
notes:
  - A usage plan's API stages are removed before the plan is deleted, as API Gateway requires.
  - Changing O(secret_kms_key_id) of an existing secret stores the value again under the new key.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.

- name: A plan for the mobile app, its key, and the key's value in Secrets Manager
  api_gateway_usage_plans:
    plans:
      - name: rtap-local-mobile
        description: Mobile app
        throttle: {rate_limit: 50, burst_limit: 100}
        quota: {limit: 100000, period: DAY}
        api_stages:
          - api_id: "{{ api.rest_api.id }}"
            stage: v1
            throttle:
              "/todos/GET": {rate_limit: 100, burst_limit: 200}
        keys: [rtap-local-mobile-app]
    keys:
      - name: rtap-local-mobile-app
        description: The mobile app's key
        secret_name: rtap-local/api-keys/mobile-app
    secret_kms_key_id: alias/rtap-local-secrets
    tags:
      Layer: api
    plan_set: rtap-local-api
    purge: true
  register: usage_plans

- name: Delete them (the secrets are scheduled for deletion in 7 days)
  api_gateway_usage_plans:
    state: absent
    plans:
      - name: rtap-local-mobile
    keys:
      - name: rtap-local-mobile-app
        secret_name: rtap-local/api-keys/mobile-app
    recovery_window_in_days: 7
"""

RETURN = r"""
plans:
  description: One entry per declared plan, in the order given. Ids and ARNs are empty in check mode for a plan not yet created.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The plan's name.
      returned: always
      type: str
      sample: rtap-local-mobile
    id:
      description: The plan's id.
      returned: always
      type: str
      sample: 4gz7b1
    arn:
      description: The plan's ARN.
      returned: always
      type: str
      sample: arn:aws:apigateway:eu-west-1::/usageplans/4gz7b1
    changed:
      description: Whether this run created, updated or deleted the plan or its bindings.
      returned: always
      type: bool
      sample: true
    created:
      description: Whether this run created the plan.
      returned: when O(state=present)
      type: bool
      sample: false
    patch_operations:
      description: The UpdateUsagePlan patch operations this run applied (or would apply).
      returned: when O(state=present)
      type: list
      elements: dict
      sample: [{"op": "replace", "path": "/throttle/rateLimit", "value": "75"}]
    keys:
      description: Names of the keys bound to the plan after the run (when O(plans[].keys) is set).
      returned: when O(state=present)
      type: list
      elements: str
      sample: ["rtap-local-mobile-app"]
    bound:
      description: Names of keys this run bound to the plan.
      returned: when O(state=present)
      type: list
      elements: str
      sample: []
    unbound:
      description: Ids of keys this run unbound from the plan.
      returned: when O(state=present)
      type: list
      elements: str
      sample: []
keys:
  description: One entry per declared key, in the order given. Never holds a key value.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The key's name.
      returned: always
      type: str
      sample: rtap-local-mobile-app
    id:
      description: The key's id (empty in check mode for a key not yet created).
      returned: always
      type: str
      sample: x1y2z3a4b5
    arn:
      description: The key's ARN.
      returned: always
      type: str
      sample: arn:aws:apigateway:eu-west-1::/apikeys/x1y2z3a4b5
    changed:
      description: Whether this run created, updated or deleted the key or its secret.
      returned: always
      type: bool
      sample: true
    created:
      description: Whether this run created the key.
      returned: when O(state=present)
      type: bool
      sample: true
    secret_name:
      description: Name of the secret holding the key's value.
      returned: always
      type: str
      sample: rtap-local/api-keys/mobile-app
    secret_arn:
      description: ARN of that secret (empty in check mode for a secret not yet created).
      returned: always
      type: str
      sample: arn:aws:secretsmanager:eu-west-1:123456789012:secret:rtap-local/api-keys/mobile-app-AbCdEf
    secret_changed:
      description: Whether this run created, restored, re-keyed or rewrote the secret (or scheduled its deletion).
      returned: always
      type: bool
      sample: false
removed:
  description: What O(purge=true) deleted (names), or would delete in check mode.
  returned: always
  type: dict
  sample: {"plans": [], "keys": ["old-partner"], "secrets": ["rtap-local/api-keys/old-partner"]}
"""

import json
import re

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.apigateway import resource_arn
from ansible.module_utils.create_once import create_once
from ansible.module_utils.create_once import no_resend_client
from ansible.module_utils.tag_plan import plan_tags

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

SET_TAG = "UsagePlanSet"
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY", "*")
SECRET_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
METHOD_KEY = re.compile(r"^(/\S*)/([A-Z]+|\*)$")


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------


def number_text(value):
    """A limit as API Gateway's patch operations take it: "50", "7.5"."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def pointer(segment):
    """A map key as a JSON Pointer segment ("/" is ~1, "~" is ~0)."""
    return segment.replace("~", "~0").replace("/", "~1")


def _positive(errors, where, value, number_type=float):
    if value is None or (number_type is int and not isinstance(value, int)) or value <= 0:
        errors.append(f"{where}: must be a number greater than 0, got {value}")


def _throttle_errors(errors, where, throttle):
    if not isinstance(throttle, dict):
        errors.append(f"{where}: must be a dict with rate_limit and burst_limit, got {throttle}")
        return
    unknown = sorted(set(throttle) - {"rate_limit", "burst_limit"})
    if unknown:
        errors.append(f"{where}: only rate_limit and burst_limit are allowed, got {', '.join(unknown)}")
    rate, burst = throttle.get("rate_limit"), throttle.get("burst_limit")
    try:
        rate = float(rate) if rate is not None and not isinstance(rate, bool) else None
    except (TypeError, ValueError):
        rate = None
    _positive(errors, f"{where}.rate_limit", rate if rate is not None else throttle.get("rate_limit"))
    if isinstance(burst, str) and burst.isdigit():
        burst = int(burst)
    _positive(errors, f"{where}.burst_limit", burst if not isinstance(burst, bool) else None, int)


def input_errors(params):
    """Problems in the module's input, each naming the option ("plans[0].throttle.rate_limit: ...")."""
    errors = []
    plans, keys = params["plans"] or [], params["keys"] or []
    for kind, items in (("plans", plans), ("keys", keys)):
        names = [item["name"] for item in items]
        for index, name in enumerate(names):
            if not name or not name.strip():
                errors.append(f"{kind}[{index}].name: must not be empty, got '{name}'")
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            errors.append(f"{kind}[].name: must be unique, got {', '.join(duplicates)} more than once")
    secret_names = [key["secret_name"] for key in keys]
    for index, key in enumerate(keys):
        if not SECRET_NAME.match(key["secret_name"] or ""):
            errors.append(f"keys[{index}].secret_name: must be 1-512 of A-Z a-z 0-9 / _ + = . @ -, got '{key['secret_name']}'")
    duplicates = sorted({name for name in secret_names if secret_names.count(name) > 1})
    if duplicates:
        errors.append(f"keys[].secret_name: must be unique, got {', '.join(duplicates)} more than once")
    key_names = {key["name"] for key in keys}
    for index, plan in enumerate(plans):
        where = f"plans[{index}]"
        if plan.get("throttle") is not None:
            _throttle_errors(errors, f"{where}.throttle", plan["throttle"])
        quota = plan.get("quota")
        if quota is not None:
            _positive(errors, f"{where}.quota.limit", quota.get("limit"), int)
            if quota.get("period") not in ("DAY", "WEEK", "MONTH"):
                errors.append(f"{where}.quota.period: must be one of DAY, WEEK, MONTH, got {quota.get('period')}")
            if (quota.get("offset") or 0) < 0:
                errors.append(f"{where}.quota.offset: must be 0 or more, got {quota.get('offset')}")
        stages = [(stage["api_id"], stage["stage"]) for stage in plan.get("api_stages") or []]
        if len(stages) != len(set(stages)):
            errors.append(f"{where}.api_stages: an API stage may be listed once, got {stages}")
        for stage_index, stage in enumerate(plan.get("api_stages") or []):
            stage_where = f"{where}.api_stages[{stage_index}]"
            for option in ("api_id", "stage"):
                if not stage.get(option) or ":" in stage[option] or "/" in stage[option]:
                    errors.append(f"{stage_where}.{option}: must be non-empty without ':' or '/', got '{stage.get(option)}'")
            for method, throttle in (stage.get("throttle") or {}).items():
                match = METHOD_KEY.match(method)
                if not match or match.group(2) not in HTTP_METHODS:
                    errors.append(f"{stage_where}.throttle: keys must be '<resourcePath>/<METHOD>' such as '/todos/GET', got '{method}'")
                _throttle_errors(errors, f"{stage_where}.throttle['{method}']", throttle)
        unknown = [name for name in plan.get("keys") or [] if name not in key_names]
        if unknown:
            errors.append(f"{where}.keys: names keys not declared in keys, got {', '.join(unknown)}")
        if plan.get("keys") is not None and len(plan["keys"]) != len(set(plan["keys"])):
            errors.append(f"{where}.keys: a key may be listed once, got {', '.join(plan['keys'])}")
    if params.get("purge") and not params.get("plan_set"):
        errors.append("plan_set: is required with purge=true, got none")
    if params.get("plan_set") is not None and not params["plan_set"].strip():
        errors.append(f"plan_set: must not be empty, got '{params['plan_set']}'")
    window = params.get("recovery_window_in_days")
    if window is not None and not 7 <= window <= 30:
        errors.append(f"recovery_window_in_days: must be 7-30, got {window}")
    return errors


def desired_throttle(throttle):
    """The API form of a throttle option ({} when not set)."""
    if not throttle:
        return {}
    return {"rateLimit": float(throttle["rate_limit"]), "burstLimit": int(throttle["burst_limit"])}


def desired_quota(quota):
    if not quota:
        return {}
    return {"limit": int(quota["limit"]), "period": quota["period"], "offset": int(quota.get("offset") or 0)}


def desired_stages(plan):
    """{(apiId, stage): {method key: API throttle}} of a plan entry."""
    return {
        (stage["api_id"], stage["stage"]): {method: desired_throttle(throttle) for method, throttle in (stage.get("throttle") or {}).items()}
        for stage in plan.get("api_stages") or []
    }


def current_stages(usage_plan):
    return {
        (stage["apiId"], stage["stage"]): {method: {"rateLimit": float(t.get("rateLimit", 0)), "burstLimit": int(t.get("burstLimit", 0))}
                                           for method, t in (stage.get("throttle") or {}).items()}
        for stage in usage_plan.get("apiStages") or []
    }


def create_request(plan, tags):
    """CreateUsagePlan parameters for a plan entry."""
    request = {"name": plan["name"]}
    if plan.get("description") is not None:
        request["description"] = plan["description"]
    if desired_throttle(plan.get("throttle")):
        request["throttle"] = desired_throttle(plan.get("throttle"))
    if desired_quota(plan.get("quota")):
        request["quota"] = desired_quota(plan.get("quota"))
    stages = []
    for (api_id, stage), throttles in desired_stages(plan).items():
        entry = {"apiId": api_id, "stage": stage}
        if throttles:
            entry["throttle"] = throttles
        stages.append(entry)
    if stages:
        request["apiStages"] = stages
    if tags:
        request["tags"] = tags
    return request


def _limits_operations(prefix, current, desired, fields):
    """add/replace operations for the fields of a throttle or quota that differ."""
    operations = []
    for field, kind in fields:
        if field not in desired:
            continue
        wanted = desired[field]
        have = current.get(field)
        if kind is float:
            same = have is not None and float(have) == float(wanted)
            value = number_text(wanted)
        elif kind is int:
            same = have is not None and int(have) == int(wanted)
            value = str(int(wanted))
        else:
            same = have == wanted
            value = wanted
        if not same:
            operations.append({"op": "replace" if current else "add", "path": f"{prefix}/{field}", "value": value})
    return operations


def plan_patch_operations(current, plan):
    """UpdateUsagePlan patch operations that turn the usage plan `current` (API form) into the entry `plan`."""
    operations = []
    if plan.get("description") is not None and (current.get("description") or "") != plan["description"]:
        operations.append({"op": "replace", "path": "/description", "value": plan["description"]})

    throttle, have_throttle = desired_throttle(plan.get("throttle")), current.get("throttle") or {}
    if not throttle and have_throttle:
        operations.append({"op": "remove", "path": "/throttle"})
    elif throttle:
        operations += _limits_operations("/throttle", have_throttle, throttle, (("rateLimit", float), ("burstLimit", int)))

    quota, have_quota = desired_quota(plan.get("quota")), current.get("quota") or {}
    if not quota and have_quota:
        operations.append({"op": "remove", "path": "/quota"})
    elif quota:
        operations += _limits_operations("/quota", have_quota, quota, (("limit", int), ("offset", int), ("period", str)))

    wanted, have = desired_stages(plan), current_stages(current)
    for key in have:
        if key not in wanted:
            operations.append({"op": "remove", "path": "/apiStages", "value": f"{key[0]}:{key[1]}"})
    for key, throttles in wanted.items():
        stage_path = f"/apiStages/{key[0]}:{key[1]}/throttle"
        if key not in have:
            operations.append({"op": "add", "path": "/apiStages", "value": f"{key[0]}:{key[1]}"})
        have_throttles = have.get(key, {})
        for method in sorted(have_throttles):
            if method not in throttles:
                operations.append({"op": "remove", "path": f"{stage_path}/{pointer(method)}"})
        for method in sorted(throttles):
            operations += _limits_operations(f"{stage_path}/{pointer(method)}", have_throttles.get(method, {}), throttles[method],
                                             (("rateLimit", float), ("burstLimit", int)))
    return operations


def plan_view(usage_plan):
    """A usage plan (API form) for diff output."""
    return {
        "description": usage_plan.get("description") or "",
        "throttle": usage_plan.get("throttle") or {},
        "quota": usage_plan.get("quota") or {},
        "api_stages": {f"{k[0]}:{k[1]}": v for k, v in sorted(current_stages(usage_plan).items())},
    }


def apply_operations(usage_plan, operations):
    """The plan (API form) after the patch operations (for check-mode results and diffs)."""
    after = {
        "description": usage_plan.get("description"),
        "throttle": dict(usage_plan.get("throttle") or {}),
        "quota": dict(usage_plan.get("quota") or {}),
        "apiStages": [dict(stage, throttle=dict(stage.get("throttle") or {})) for stage in usage_plan.get("apiStages") or []],
    }
    for operation in operations:
        path, value = operation["path"], operation.get("value")
        if path == "/description":
            after["description"] = value
        elif path in ("/throttle", "/quota"):
            after[path[1:]] = {}
        elif path.startswith(("/throttle/", "/quota/")):
            section, field = path[1:].split("/")
            after[section][field] = value if field == "period" else (float(value) if field == "rateLimit" else int(value))
        elif path == "/apiStages":
            api_id, stage = value.split(":", 1)
            if operation["op"] == "add":
                after["apiStages"].append({"apiId": api_id, "stage": stage, "throttle": {}})
            else:
                after["apiStages"] = [s for s in after["apiStages"] if (s["apiId"], s["stage"]) != (api_id, stage)]
        else:
            match = re.match(r"^/apiStages/([^/:]+):([^/]+)/throttle/([^/]+)(?:/(rateLimit|burstLimit))?$", path)
            api_id, stage, method, field = match.groups()
            method = method.replace("~1", "/").replace("~0", "~")
            target = [s for s in after["apiStages"] if (s["apiId"], s["stage"]) == (api_id, stage)][0]["throttle"]
            if operation["op"] == "remove":
                target.pop(method, None)
            else:
                target.setdefault(method, {})[field] = float(value) if field == "rateLimit" else int(value)
    return after


def binding_changes(current_ids, wanted_ids):
    """(key ids to bind, key ids to unbind); wanted ids may hold None for keys not created yet (check mode)."""
    to_bind = [key_id for key_id in wanted_ids if key_id is None or key_id not in current_ids]
    to_unbind = sorted(key_id for key_id in current_ids if key_id not in wanted_ids)
    return to_bind, to_unbind


def secret_document(key_id, value):
    return json.dumps({"api_key_id": key_id, "value": value}, sort_keys=True)


def secret_in_sync(secret_string, key_id, value):
    """Whether a secret's string holds exactly this key's id and value."""
    try:
        stored = json.loads(secret_string or "")
    except (TypeError, ValueError):
        return False
    return isinstance(stored, dict) and stored.get("api_key_id") == key_id and stored.get("value") == value


def wanted_tags(params):
    """Tags every managed resource should carry (None: leave the user tags alone)."""
    tags = params.get("tags")
    if tags is None and not params.get("plan_set"):
        return None
    tags = dict(tags or {})
    if params.get("plan_set"):
        tags[SET_TAG] = params["plan_set"]
    return tags


def resource_tag_plan(current, params):
    """plan_tags() with the plan_set tag enforced even when tags is not set."""
    desired = wanted_tags(params)
    if params.get("tags") is None and desired is not None:
        # Only the set tag is managed: add it, remove nothing.
        return plan_tags(current, desired, False)
    return plan_tags(current, desired, params["purge_tags"])


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


class Aws:
    """The module's clients and calls; every call fails the module with a message naming what failed."""

    def __init__(self, module):
        self.module = module
        retry = AWSRetry.jittered_backoff()
        try:
            self.apigateway = module.client("apigateway", retry_decorator=retry)
            self.secrets = module.client("secretsmanager", retry_decorator=retry)
            # For the creates that take no client token: botocore never sends its requests twice.
            self.creator = no_resend_client(module, "apigateway")
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Failed to connect to AWS")
        self._kms = None
        self.region = self.apigateway.meta.region_name

    def call(self, what, function, **params):
        try:
            return function(aws_retry=True, **params)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"Failed to {what}")

    def create_once(self, what, function, find, **params):
        """Call a create operation of self.creator (no client token) without ever making a second copy:
        after a lost answer, find() looks the resource up by name before it is created again."""
        try:
            return create_once(lambda: function(**params), find)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"Failed to {what}")

    def arn(self, kind, resource_id):
        return resource_arn(self.region, f"/{kind}/{resource_id}") if resource_id else ""

    def _paginate(self, what, client, operation, result_key, **params):
        @AWSRetry.jittered_backoff()
        def run():
            return client.get_paginator(operation).paginate(**params).build_full_result().get(result_key, [])

        try:
            return run()
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"Failed to {what}")

    def by_name(self, kind, items, names=None):
        """{name: item} for the items whose name is wanted; fails when two share a wanted name."""
        found = {}
        for item in items:
            name = item.get("name")
            if names is not None and name not in names:
                continue
            if name in found:
                self.module.fail_json(msg=f"Two {kind} are named {name} ({found[name]['id']} and {item['id']}); "
                                          "delete one, the module identifies them by name")
            found[name] = item
        return found

    def usage_plans(self):
        return self._paginate("list usage plans", self.apigateway, "get_usage_plans", "items")

    def api_keys(self):
        return self._paginate("list API keys", self.apigateway, "get_api_keys", "items", includeValues=False)

    def plan_key_ids(self, plan_id):
        return [item["id"] for item in self._paginate(f"list the keys of usage plan {plan_id}", self.apigateway,
                                                         "get_usage_plan_keys", "items", usagePlanId=plan_id)]

    def key_value(self, key_id):
        value = self.call(f"read API key {key_id}", self.apigateway.get_api_key, apiKey=key_id, includeValue=True).get("value")
        self.hide(value)
        return value

    def describe_secret(self, name):
        try:
            return self.secrets.describe_secret(SecretId=name, aws_retry=True)
        except is_boto3_error_code("ResourceNotFoundException"):
            return None
        except (
            botocore.exceptions.ClientError,
            botocore.exceptions.BotoCoreError,
        ) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Failed to describe secret {name}")

    def secret_string(self, name):
        try:
            string = self.secrets.get_secret_value(SecretId=name, aws_retry=True).get("SecretString")
        except is_boto3_error_code("ResourceNotFoundException"):
            return None  # no AWSCURRENT version yet
        except (
            botocore.exceptions.ClientError,
            botocore.exceptions.BotoCoreError,
        ) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Failed to read secret {name}")
        self.hide(string)
        try:
            stored = json.loads(string or "")
        except (TypeError, ValueError):
            stored = None
        if isinstance(stored, dict) and isinstance(stored.get("value"), str):
            self.hide(stored["value"])
        return string

    def hide(self, text):
        """Mask text anywhere in the module's output (Ansible no_log values). Strings under 8
        characters are not key values and would mask unrelated output, so they are left alone."""
        if isinstance(text, str) and len(text) >= 8:
            self.module.no_log_values.add(text)

    def key_arn(self, key_id):
        """The ARN of a KMS key named any way (id, ARN, alias, alias ARN)."""
        if self._kms is None:
            try:
                self._kms = self.module.client("kms", retry_decorator=AWSRetry.jittered_backoff())
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                self.module.fail_json_aws(e, msg="Failed to connect to AWS KMS")
        return self.call(f"describe KMS key {key_id}", self._kms.describe_key, KeyId=key_id)["KeyMetadata"]["Arn"]

    def set_tags(self, arn, to_set, to_unset):
        if to_unset:
            self.call(f"untag {arn}", self.apigateway.untag_resource, resourceArn=arn, tagKeys=to_unset)
        if to_set:
            self.call(f"tag {arn}", self.apigateway.tag_resource, resourceArn=arn, tags=to_set)


# ---------------------------------------------------------------------------
# Keys and their secrets
# ---------------------------------------------------------------------------


def ensure_secret(aws, key, key_id, result):
    """Create, restore, re-key or rewrite the key's secret; return (changed, before, after) for the diff."""
    module, params = aws.module, aws.module.params
    name, kms_key = key["secret_name"], params.get("secret_kms_key_id")
    secret = aws.describe_secret(name)
    tags = wanted_tags(params)
    before, after = {}, {"name": name, "kms_key_id": kms_key or "", "value_in_sync": True}

    if secret is None:
        after["tags"] = tags or {}
        if not module.check_mode:
            request = {"Name": name, "Description": f"Value of API Gateway API key {key['name']}",
                       "SecretString": secret_document(key_id, aws.key_value(key_id))}
            if kms_key:
                request["KmsKeyId"] = kms_key
            if tags:
                request["Tags"] = ansible_dict_to_boto3_tag_list(tags)
            result["secret_arn"] = aws.call(f"create secret {name}", aws.secrets.create_secret, **request)["ARN"]
        return True, before, after

    result["secret_arn"] = secret["ARN"]
    current_tags = boto3_tag_list_to_ansible_dict(secret.get("Tags") or [])
    before = {"name": name, "kms_key_id": secret.get("KmsKeyId") or "", "value_in_sync": True, "tags": current_tags}
    changed = False
    if secret.get("DeletedDate"):
        changed = True
        before["scheduled_for_deletion"] = True
        if not module.check_mode:
            aws.call(f"restore secret {name}", aws.secrets.restore_secret, SecretId=name)

    rekey = False
    if kms_key and (secret.get("KmsKeyId") or "") != kms_key:
        rekey = not secret.get("KmsKeyId") or aws.key_arn(secret["KmsKeyId"]) != aws.key_arn(kms_key)
    after["kms_key_id"] = kms_key if rekey else before["kms_key_id"]

    value = aws.key_value(key_id) if key_id else None
    if not key_id:
        in_sync = False  # check mode, key not created yet: its new value will be written
    elif secret.get("DeletedDate") and module.check_mode:
        in_sync = True  # cannot read a secret scheduled for deletion; the restore is the predicted change
    else:
        in_sync = secret_in_sync(aws.secret_string(name), key_id, value)
    before["value_in_sync"] = in_sync
    if rekey or not in_sync:
        changed = True
        if not module.check_mode:
            document = secret_document(key_id, value)
            if rekey:
                aws.call(f"update secret {name}", aws.secrets.update_secret, SecretId=name, KmsKeyId=kms_key, SecretString=document)
            else:
                aws.call(f"write secret {name}", aws.secrets.put_secret_value, SecretId=name, SecretString=document)

    tags_after, to_set, to_unset = resource_tag_plan(current_tags, params)
    after["tags"] = tags_after
    if to_set or to_unset:
        changed = True
        if not module.check_mode:
            if to_unset:
                aws.call(f"untag secret {name}", aws.secrets.untag_resource, SecretId=name, TagKeys=to_unset)
            if to_set:
                aws.call(f"tag secret {name}", aws.secrets.tag_resource, SecretId=name, Tags=ansible_dict_to_boto3_tag_list(to_set))
    return changed, before, after


def key_view(key):
    return {"description": key.get("description") or "", "enabled": bool(key.get("enabled")), "tags": key.get("tags") or {}}


def ensure_key_present(aws, key, existing):
    module, params = aws.module, aws.module.params
    result = {"name": key["name"], "id": "", "arn": "", "created": False, "changed": False,
              "secret_name": key["secret_name"], "secret_arn": "", "secret_changed": False}
    current = existing.get(key["name"])
    if current is None:
        tags = wanted_tags(params) or {}
        before, after = {}, {"description": key.get("description") or "", "enabled": key["enabled"], "tags": tags}
        result.update(created=True, changed=True)
        if not module.check_mode:
            request = {"name": key["name"], "enabled": key["enabled"]}
            if key.get("description") is not None:
                request["description"] = key["description"]
            if tags:
                request["tags"] = tags
            # No value: API Gateway generates it.
            created = aws.create_once(f"create API key {key['name']}", aws.creator.create_api_key,
                                      lambda: aws.by_name("API keys", aws.api_keys(), {key["name"]}).get(key["name"]), **request)
            aws.hide(created.get("value"))
            result["id"] = created["id"]
            existing[key["name"]] = {"id": created["id"], "name": key["name"]}
    else:
        result["id"] = current["id"]
        operations = []
        if key.get("description") is not None and (current.get("description") or "") != key["description"]:
            operations.append({"op": "replace", "path": "/description", "value": key["description"]})
        if bool(current.get("enabled")) != key["enabled"]:
            operations.append({"op": "replace", "path": "/enabled", "value": "true" if key["enabled"] else "false"})
        tags, to_set, to_unset = resource_tag_plan(current.get("tags") or {}, params)
        before = key_view(current)
        after = dict(before, tags=tags)
        for operation in operations:
            after[operation["path"][1:]] = operation["value"] if operation["path"] == "/description" else key["enabled"]
        if operations or to_set or to_unset:
            result["changed"] = True
            if not module.check_mode:
                if operations:
                    aws.call(f"update API key {key['name']}", aws.apigateway.update_api_key, apiKey=current["id"], patchOperations=operations)
                aws.set_tags(aws.arn("apikeys", current["id"]), to_set, to_unset)
    result["arn"] = aws.arn("apikeys", result["id"])

    secret_changed, secret_before, secret_after = ensure_secret(aws, key, result["id"], result)
    result["secret_changed"] = secret_changed
    result["changed"] = result["changed"] or secret_changed
    if before or secret_before:
        before["secret"] = secret_before
    after["secret"] = secret_after
    return result, before, after


def delete_secret(aws, name, secret=None):
    """Schedule a secret's deletion; return whether this run did (or would)."""
    secret = secret if secret is not None else aws.describe_secret(name)
    if secret is None or secret.get("DeletedDate"):
        return False
    if not aws.module.check_mode:
        aws.call(f"delete secret {name}", aws.secrets.delete_secret, SecretId=name,
                 RecoveryWindowInDays=aws.module.params["recovery_window_in_days"])
    return True


def delete_key(aws, name, key_id):
    if not aws.module.check_mode:
        try:
            aws.apigateway.delete_api_key(apiKey=key_id, aws_retry=True)
        except is_boto3_error_code("NotFoundException"):
            pass
        except (
            botocore.exceptions.ClientError,
            botocore.exceptions.BotoCoreError,
        ) as e:  # pylint: disable=duplicate-except
            aws.module.fail_json_aws(e, msg=f"Failed to delete API key {name}")


# ---------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------


def ensure_plan_present(aws, plan, existing, key_ids):
    module, params = aws.module, aws.module.params
    result = {"name": plan["name"], "id": "", "arn": "", "created": False, "changed": False,
              "patch_operations": [], "bound": [], "unbound": []}
    current = existing.get(plan["name"])
    tags = wanted_tags(params) or {}
    if current is None:
        request = create_request(plan, tags)
        result.update(created=True, changed=True)
        before, after = {}, dict(plan_view(request), tags=tags)
        if not module.check_mode:
            result["id"] = aws.create_once(f"create usage plan {plan['name']}", aws.creator.create_usage_plan,
                                           lambda: aws.by_name("usage plans", aws.usage_plans(), {plan["name"]}).get(plan["name"]),
                                           **request)["id"]
        current_key_ids = []
    else:
        result["id"] = current["id"]
        operations = plan_patch_operations(current, plan)
        tags, to_set, to_unset = resource_tag_plan(current.get("tags") or {}, params)
        before = dict(plan_view(current), tags=current.get("tags") or {})
        after = dict(plan_view(apply_operations(current, operations)), tags=tags)
        result["patch_operations"] = operations
        if operations or to_set or to_unset:
            result["changed"] = True
            if not module.check_mode:
                if operations:
                    aws.call(f"update usage plan {plan['name']}", aws.apigateway.update_usage_plan,
                             usagePlanId=current["id"], patchOperations=operations)
                aws.set_tags(aws.arn("usageplans", current["id"]), to_set, to_unset)
        current_key_ids = aws.plan_key_ids(current["id"]) if plan.get("keys") is not None else []
    result["arn"] = aws.arn("usageplans", result["id"])

    if plan.get("keys") is not None:
        names_by_id = {key_id: name for name, key_id in key_ids.items() if key_id}
        wanted = [key_ids.get(name) for name in plan["keys"]]
        to_bind, to_unbind = binding_changes(current_key_ids, wanted)
        bind_names = [name for name in plan["keys"] if key_ids.get(name) in to_bind or key_ids.get(name) is None]
        if current is not None:
            before["keys"] = sorted(names_by_id.get(key_id, key_id) for key_id in current_key_ids)
        after["keys"] = sorted(plan["keys"])
        result.update(keys=list(plan["keys"]), bound=bind_names, unbound=to_unbind)
        if to_bind or to_unbind:
            result["changed"] = True
            if not module.check_mode:
                for key_id in to_unbind:
                    aws.call(f"unbind key {key_id} from usage plan {plan['name']}", aws.apigateway.delete_usage_plan_key,
                             usagePlanId=result["id"], keyId=key_id)
                for key_id in to_bind:
                    aws.call(f"bind key {names_by_id.get(key_id, key_id)} to usage plan {plan['name']}",
                             aws.apigateway.create_usage_plan_key, usagePlanId=result["id"], keyId=key_id, keyType="API_KEY")
    return result, before, after


def delete_plan(aws, current):
    """Remove the plan's API stages (API Gateway refuses to delete a plan in use), then the plan."""
    if aws.module.check_mode:
        return
    stages = [{"op": "remove", "path": "/apiStages", "value": f"{s['apiId']}:{s['stage']}"} for s in current.get("apiStages") or []]
    if stages:
        aws.call(f"remove the API stages of usage plan {current['name']}", aws.apigateway.update_usage_plan,
                 usagePlanId=current["id"], patchOperations=stages)
    try:
        aws.apigateway.delete_usage_plan(usagePlanId=current["id"], aws_retry=True)
    except is_boto3_error_code("NotFoundException"):
        pass
    except (
        botocore.exceptions.ClientError,
        botocore.exceptions.BotoCoreError,
    ) as e:  # pylint: disable=duplicate-except
        aws.module.fail_json_aws(e, msg=f"Failed to delete usage plan {current['name']}")


def in_set(item_tags, plan_set):
    return (item_tags or {}).get(SET_TAG) == plan_set


# ---------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------


def run_present(aws):
    params = aws.module.params
    plans, keys = params["plans"], params["keys"]
    all_plans, all_keys = aws.usage_plans(), aws.api_keys()
    existing_plans = aws.by_name("usage plans", all_plans, {plan["name"] for plan in plans})
    existing_keys = aws.by_name("API keys", all_keys, {key["name"] for key in keys})
    before, after = {"plans": {}, "keys": {}}, {"plans": {}, "keys": {}}

    key_results = []
    for key in keys:
        result, key_before, key_after = ensure_key_present(aws, key, existing_keys)
        key_results.append(result)
        if result["changed"]:
            before["keys"][key["name"]], after["keys"][key["name"]] = key_before, key_after
    key_ids = {result["name"]: result["id"] or None for result in key_results}

    plan_results = []
    for plan in plans:
        result, plan_before, plan_after = ensure_plan_present(aws, plan, existing_plans, key_ids)
        plan_results.append(result)
        if result["changed"]:
            before["plans"][plan["name"]], after["plans"][plan["name"]] = plan_before, plan_after

    removed = {"plans": [], "keys": [], "secrets": []}
    if params["purge"]:
        plan_set = params["plan_set"]
        declared_plans, declared_keys = {p["name"] for p in plans}, {k["name"] for k in keys}
        for item in all_plans:
            if item.get("name") not in declared_plans and in_set(item.get("tags"), plan_set):
                removed["plans"].append(item["name"])
                before["plans"][item["name"]] = plan_view(item)
                delete_plan(aws, item)
        for item in all_keys:
            if item.get("name") not in declared_keys and in_set(item.get("tags"), plan_set):
                removed["keys"].append(item["name"])
                before["keys"][item["name"]] = key_view(item)
                delete_key(aws, item["name"], item["id"])
        declared_secrets = {k["secret_name"] for k in keys}
        secrets = aws._paginate("list secrets", aws.secrets, "list_secrets", "SecretList",
                                Filters=[{"Key": "tag-key", "Values": [SET_TAG]}, {"Key": "tag-value", "Values": [plan_set]}])
        for secret in secrets:
            if secret["Name"] in declared_secrets or secret.get("DeletedDate"):
                continue
            if not in_set(boto3_tag_list_to_ansible_dict(secret.get("Tags") or []), plan_set):
                continue
            if delete_secret(aws, secret["Name"], secret):
                removed["secrets"].append(secret["Name"])
    changed = any(r["changed"] for r in plan_results + key_results) or any(removed.values())
    return changed, plan_results, key_results, removed, before, after


def run_absent(aws):
    params = aws.module.params
    plans, keys = params["plans"], params["keys"]
    existing_plans = aws.by_name("usage plans", aws.usage_plans(), {plan["name"] for plan in plans})
    existing_keys = aws.by_name("API keys", aws.api_keys(), {key["name"] for key in keys})
    before = {"plans": {}, "keys": {}}
    plan_results, key_results = [], []
    for plan in plans:
        current = existing_plans.get(plan["name"])
        result = {"name": plan["name"], "id": current["id"] if current else "", "changed": current is not None}
        result["arn"] = aws.arn("usageplans", result["id"])
        if current:
            before["plans"][plan["name"]] = plan_view(current)
            delete_plan(aws, current)
        plan_results.append(result)
    for key in keys:
        current = existing_keys.get(key["name"])
        result = {"name": key["name"], "id": current["id"] if current else "", "changed": current is not None,
                  "secret_name": key["secret_name"], "secret_arn": "", "secret_changed": False}
        result["arn"] = aws.arn("apikeys", result["id"])
        if current:
            before["keys"][key["name"]] = key_view(current)
            delete_key(aws, key["name"], current["id"])
        secret = aws.describe_secret(key["secret_name"])
        if secret is not None:
            result["secret_arn"] = secret["ARN"]
            result["secret_changed"] = delete_secret(aws, key["secret_name"], secret)
            result["changed"] = result["changed"] or result["secret_changed"]
        key_results.append(result)
    changed = any(r["changed"] for r in plan_results + key_results)
    return changed, plan_results, key_results, {"plans": [], "keys": [], "secrets": []}, before, {"plans": {}, "keys": {}}


def main():
    limits = dict(rate_limit=dict(type="float", required=True), burst_limit=dict(type="int", required=True))
    plan_options = dict(
        name=dict(type="str", required=True),
        description=dict(type="str"),
        throttle=dict(type="dict", options=limits),
        quota=dict(type="dict", options=dict(
            limit=dict(type="int", required=True),
            period=dict(type="str", required=True, choices=["DAY", "WEEK", "MONTH"]),
            offset=dict(type="int", default=0),
        )),
        api_stages=dict(type="list", elements="dict", default=[], options=dict(
            api_id=dict(type="str", required=True),
            stage=dict(type="str", required=True),
            throttle=dict(type="dict", default={}),
        )),
        keys=dict(type="list", elements="str", no_log=False),
    )
    key_options = dict(
        name=dict(type="str", required=True),
        description=dict(type="str"),
        enabled=dict(type="bool", default=True),
        secret_name=dict(type="str", required=True, no_log=False),
    )
    argument_spec = dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        plans=dict(type="list", elements="dict", default=[], options=plan_options),
        keys=dict(type="list", elements="dict", default=[], options=key_options, no_log=False),
        secret_kms_key_id=dict(type="str", no_log=False),
        tags=dict(type="dict"),
        purge_tags=dict(type="bool", default=True),
        plan_set=dict(type="str"),
        purge=dict(type="bool", default=False),
        recovery_window_in_days=dict(type="int", default=30),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    errors = input_errors(module.params)
    if errors:
        module.fail_json(msg="; ".join(errors), errors=errors)

    aws = Aws(module)
    runner = run_present if module.params["state"] == "present" else run_absent
    changed, plan_results, key_results, removed, before, after = runner(aws)
    output = {"changed": changed, "plans": plan_results, "keys": key_results, "removed": removed}
    if module._diff:
        output["diff"] = {"before": before, "after": after}
    module.exit_json(**output)


if __name__ == "__main__":
    main()
