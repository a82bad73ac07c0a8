#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: api_gateway_rest_api
short_description: Manage an API Gateway REST API from its OpenAPI 3 document, its deployments and stages
description:
  - Creates an API Gateway REST API, imports its OpenAPI 3 document with C(PutRestApi) in
    C(overwrite) mode when, and only when, the document changed, deploys it, and manages its stages.
  - The API is identified by its O(name); the module fails rather than guess when two APIs share it.
    CreateRestApi takes no client token, so it is sent once; when its answer is lost, the API is
    looked up by name before another is created.
  - The SHA-256 of the document (canonical JSON, after O(name) and O(description) are written into
    its C(info)) is kept in the API's C(OpenApiSha256) tag and in the description of each deployment
    made from it. A run re-imports the document only when the tag differs, and deploys a stage only
    when the deployment it serves (or its canary serves) was made from another document. A second
    run with the same document makes no mutating call and reports no change.
  - A stage serves the newest document unless O(stages[].deploy=false), which pins an existing
    stage to the deployment it has, so API versions can be stages (the old version's stage stays as it is).
  - With O(stages[].canary), a new document goes to the stage's canary, which receives
    O(stages[].canary.percent_traffic) percent of the requests; O(stages[].canary.promote=true)
    makes the canary's deployment the stage's own and ends the canary; a stage whose canary is no
    longer declared has its canary removed (all traffic back on the stage's deployment).
  - Stage settings are declarative. Variables, method settings and access logging that are not
    declared are removed.
  - This module supports check mode and diff mode.
author:
  - Ansible toolkit contributors
options:
  state:
    description:
      - V(present) ensures that the API exists, serves the document and has the stages.
      - V(absent) deletes the API with its stages and deployments.
    choices: ["present", "absent"]
    default: present
    type: str
  name:
    description:
      - The name of the REST API. It replaces C(info.title) of the document.
    required: true
    type: str
  description:
    description:
      - The description of the API. When set, it replaces C(info.description) of the document.
    type: str
  definition:
    description:
      - The OpenAPI 3 document, as a dictionary or as a JSON or YAML string.
      - API Gateway's OpenAPI extensions (C(x-amazon-apigateway-*)) define integrations,
        authorizers, request validators, gateway responses and the API key source.
      - Required when O(state=present).
    type: raw
  endpoint_type:
    description:
      - The endpoint type of the API, set when it is created and changed in place.
    choices: ["REGIONAL", "EDGE", "PRIVATE"]
    default: REGIONAL
    type: str
  fail_on_warnings:
    description:
      - Make API Gateway refuse a document that has warnings, instead of importing what it can.
    default: true
    type: bool
  stages:
    description:
      - The stages of the API. Stages that are not listed are left alone.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The stage name, the first segment of the invoke URL's path.
        required: true
        type: str
      description:
        description: The stage's description.
        type: str
        default: ""
      deploy:
        description:
          - V(true) deploys the newest document to the stage (or to its canary).
          - V(false) leaves an existing stage on the deployment it serves; a new stage still
            gets the newest document.
        type: bool
        default: true
      variables:
        description: Stage variables. Variables not listed are removed.
        type: dict
        default: {}
      tracing_enabled:
        description: Active X-Ray tracing.
        type: bool
        default: false
      cache_cluster_enabled:
        description: Whether the stage has a cache cluster (needed by methods that cache).
        type: bool
        default: false
      cache_cluster_size:
        description: Cache cluster size in GB, when O(stages[].cache_cluster_enabled=true).
        type: str
        choices: ["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"]
        default: "0.5"
      access_log:
        description:
          - Access logging. Omitted, access logging is off.
          - The account must have an API Gateway CloudWatch role (see the api_gateway_account module).
        type: dict
        suboptions:
          destination_arn:
            description: The log group's ARN (without a trailing C(:*)) or a Firehose stream's ARN.
            required: true
            type: str
          format:
            description: The access log line, with C($context) variables.
            required: true
            type: str
      method_settings:
        description:
          - Method settings by method path, C(*/*) for every method of the stage, or
            C(<resource path>/<HTTP method>) such as C(/todos/GET) for one method.
          - Each value sets any of C(throttling_rate_limit), C(throttling_burst_limit),
            C(caching_enabled), C(cache_ttl_seconds), C(cache_data_encrypted),
            C(require_authorization_for_cache_control), C(unauthorized_cache_control_header_strategy),
            C(logging_level) (OFF, ERROR, INFO), C(data_trace_enabled), C(metrics_enabled);
            the ones not set keep their current value.
          - Method paths that are not listed lose their settings (C(*/*) is kept).
        type: dict
        default: {}
      canary:
        description:
          - A canary release on the stage. Omitted, the stage has no canary.
        type: dict
        suboptions:
          percent_traffic:
            description: Percent (0.0 to 100.0) of requests the canary serves.
            type: float
            default: 10.0
          variable_overrides:
            description: Stage variables that differ for the canary.
            type: dict
            default: {}
          use_stage_cache:
            description: Whether the canary uses the stage's cache.
            type: bool
            default: false
          promote:
            description:
              - Make the canary's deployment the stage's own and remove the canary. Set it for
                one run, once the canary has proven itself.
            type: bool
            default: false
  tags:
    description:
      - Tags of the API and of its managed stages. The module adds C(OpenApiSha256) to the API's tags.
    type: dict
    aliases: ["resource_tags"]
  purge_tags:
    description:
      - Remove tags not listed in O(tags) (C(OpenApiSha256) is kept).
    type: bool
    default: true
notes:
  - REST APIs can have the same name and CreateRestApi takes no client token, so the module looks
    the API up by name before it creates one; a run that died after the create finds that API.
  - The import and the tag are two calls. A run that dies between them re-imports the same
    document next time, which changes nothing but the API's update time.
  - Deployments are not deleted; API Gateway keeps them until the API is deleted.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
# Note: These examples do not set authentication details, see the AWS Guide for details.
- name: Import, deploy and configure the to-do API
  api_gateway_rest_api:
    name: rtap-dev-api
    description: The platform's front door
    definition: "{{ lookup('ansible.builtin.template', 'openapi.yml.j2') | ansible.builtin.from_yaml }}"
    stages:
      - name: v1
        variables:
          todoFunction: rtap-dev-todo-api
        tracing_enabled: true
        cache_cluster_enabled: true
        cache_cluster_size: "0.5"
        method_settings:
          "*/*":
            throttling_rate_limit: 100
            throttling_burst_limit: 200
            logging_level: ERROR
            metrics_enabled: true
          /todos/GET:
            caching_enabled: true
            cache_ttl_seconds: 60
        access_log:
          destination_arn: arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apigateway/rtap-dev-api
          format: '{"requestId":"$context.requestId","status":"$context.status"}'
        canary:
          percent_traffic: 10
    tags:
      Environment: dev

- name: Promote the canary of v1
  api_gateway_rest_api:
    name: rtap-dev-api
    definition: "{{ lookup('ansible.builtin.template', 'openapi.yml.j2') | ansible.builtin.from_yaml }}"
    stages:
      - name: v1
        canary:
          promote: true

- name: Delete the API
  api_gateway_rest_api:
    name: rtap-dev-api
    state: absent
"""

RETURN = r"""
rest_api:
  description:
    - The API. In check mode, before it is created, C(id) is empty.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: The API's id.
      type: str
      returned: always
      sample: a1b2c3d4e5
    name:
      description: The API's name.
      type: str
      returned: always
      sample: rtap-dev-api
    definition_sha256:
      description: SHA-256 of the document the API serves.
      type: str
      returned: always
      sample: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
imported:
  description: Whether the document was imported in this run.
  returned: when O(state=present)
  type: bool
deployment_id:
  description: The deployment made from the document in this run, if any.
  returned: when O(state=present)
  type: str
  sample: k1l2m3
stages:
  description: The managed stages after the run.
  returned: when O(state=present)
  type: list
  elements: dict
  contains:
    name:
      description: The stage name.
      type: str
      returned: always
    deployment_id:
      description: The deployment the stage serves.
      type: str
      returned: always
    canary_deployment_id:
      description: The deployment the stage's canary serves, empty without a canary.
      type: str
      returned: always
    invoke_url:
      description: The stage's URL.
      type: str
      returned: always
      sample: https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/v1
    deployed:
      description: Whether the stage (or its canary) got a new deployment in this run.
      type: bool
      returned: always
routes:
  description:
    - The integration of each method of the document the API serves, sorted by path and method.
    - C(security) names the security schemes of the method; C(stream_name) is the C(StreamName) of a
      Kinesis service integration's request template.
  returned: when O(state=present)
  type: list
  elements: dict
  sample:
    - {path: /todos, method: GET, type: aws_proxy, security: [jwt, api-key], connection_id: "", stream_name: "",
       uri: "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:todo/invocations"}
authorizers:
  description: The authorizers the document declares, by security scheme name.
  returned: when O(state=present)
  type: dict
  sample: {cognito: {type: cognito_user_pools, uri: "", provider_arns: ["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_a"]}}
"""

import hashlib
import json
import re

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

import yaml

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible.module_utils.apigateway import call
from ansible.module_utils.apigateway import resource_arn
from ansible.module_utils.create_once import create_once
from ansible.module_utils.create_once import no_resend_client
from ansible.module_utils.tag_plan import plan_tags

HASH_TAG = "OpenApiSha256"
DEPLOYMENT_MARK = "OpenAPI document sha256 "

# Method setting option -> (key in GetStage's methodSettings, path suffix of UpdateStage, kind).
METHOD_SETTINGS = {
    "throttling_rate_limit": ("throttlingRateLimit", "throttling/rateLimit", float),
    "throttling_burst_limit": ("throttlingBurstLimit", "throttling/burstLimit", int),
    "caching_enabled": ("cachingEnabled", "caching/enabled", bool),
    "cache_ttl_seconds": ("cacheTtlInSeconds", "caching/ttlInSeconds", int),
    "cache_data_encrypted": ("cacheDataEncrypted", "caching/dataEncrypted", bool),
    "require_authorization_for_cache_control": (
        "requireAuthorizationForCacheControl", "caching/requireAuthorizationForCacheControl", bool),
    "unauthorized_cache_control_header_strategy": (
        "unauthorizedCacheControlHeaderStrategy", "caching/unauthorizedCacheControlHeaderStrategy", str),
    "logging_level": ("loggingLevel", "logging/loglevel", str),
    "data_trace_enabled": ("dataTraceEnabled", "logging/dataTrace", bool),
    "metrics_enabled": ("metricsEnabled", "metrics/enabled", bool),
}
LOGGING_LEVELS = ("OFF", "ERROR", "INFO")
CACHE_STRATEGIES = ("FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER")
HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "*")


# ---------------------------------------------------------------------------
# Pure logic (no AWS calls)
# ---------------------------------------------------------------------------

class InputError(Exception):
    pass


def load_definition(definition, name, description):
    """The document as a dict with info.title (and info.description) set, and its SHA-256."""
    if isinstance(definition, str):
        try:
            definition = yaml.safe_load(definition)  # JSON is YAML too
        except yaml.YAMLError as e:
            raise InputError(f"definition: not JSON or YAML: {e}")
    if not isinstance(definition, dict):
        raise InputError("definition: must be an OpenAPI document (a mapping)")
    version = str(definition.get("openapi", ""))
    if not version.startswith("3."):
        raise InputError(f"definition: must be an OpenAPI 3 document (openapi: 3.x), got openapi '{version}'")
    if not isinstance(definition.get("paths"), dict) or not definition["paths"]:
        raise InputError("definition: has no paths")
    document = json.loads(json.dumps(definition))  # a deep copy with JSON types only
    info = dict(document.get("info") or {})
    info["title"] = name
    if description is not None:
        info["description"] = description
    info.setdefault("version", "1")
    document["info"] = info
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return document, hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# The operation keys of an OpenAPI path item (lower case), API Gateway's ANY included.
DOCUMENT_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method")
STREAM_NAME = re.compile(r'"StreamName"\s*:\s*"([^"]+)"')


def document_routes(document):
    """What each method of the document integrates with (the API's wiring, for the outputs)."""
    routes = []
    for path, item in sorted((document.get("paths") or {}).items()):
        for method, operation in sorted((item or {}).items()):
            if method not in DOCUMENT_METHODS or not isinstance(operation, dict):
                continue
            integration = operation.get("x-amazon-apigateway-integration") or {}
            templates = " ".join(str(t) for t in (integration.get("requestTemplates") or {}).values())
            stream = STREAM_NAME.search(templates)
            routes.append({
                "path": path,
                "method": "ANY" if method.startswith("x-") else method.upper(),
                "type": integration.get("type", ""),
                "uri": integration.get("uri", ""),
                "connection_id": integration.get("connectionId", ""),
                "stream_name": stream.group(1) if stream else "",
                "security": sorted({name for requirement in operation.get("security", document.get("security") or [])
                                    for name in requirement}),
            })
    return routes


def document_authorizers(document):
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    return {name: {"type": scheme["x-amazon-apigateway-authorizer"].get("type", ""),
                   "uri": scheme["x-amazon-apigateway-authorizer"].get("authorizerUri", ""),
                   "provider_arns": scheme["x-amazon-apigateway-authorizer"].get("providerARNs", [])}
            for name, scheme in sorted(schemes.items()) if "x-amazon-apigateway-authorizer" in scheme}


def method_setting_key(path):
    """'*/*', '/todos/GET' or 'todos/GET' (as AWS returns it, maybe ~1-escaped) -> 'todos/GET' form."""
    path = path.replace("~1", "/").lstrip("/")
    return path


def method_setting_patch_prefix(key):
    """'todos/{id}/GET' -> '/~1todos~1{id}/GET'; '*/*' -> '/*/*'."""
    if key == "*/*":
        return "/*/*"
    resource, method = key.rsplit("/", 1)
    return "/" + ("/" + resource).replace("/", "~1") + "/" + method


def patch_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def validate_stages(stages):
    """Raise InputError naming the first broken option of stages."""
    seen = set()
    for index, stage in enumerate(stages):
        where = f"stages[{index}]"
        name = stage["name"]
        if not name or not all(c.isalnum() or c in "-_" for c in name) or len(name) > 128:
            raise InputError(f"{where}.name: letters, digits, - and _ only (1-128), got '{name}'")
        if name in seen:
            raise InputError(f"{where}.name: stage '{name}' is listed twice")
        seen.add(name)
        for key, value in (stage.get("variables") or {}).items():
            if not all(c.isalnum() or c == "_" for c in str(key)):
                raise InputError(f"{where}.variables: name '{key}' must use letters, digits and _ only")
            if not isinstance(value, str):
                raise InputError(f"{where}.variables: value of '{key}' must be a string")
        for path, settings in (stage.get("method_settings") or {}).items():
            validate_method_setting(f"{where}.method_settings['{path}']", path, settings)
        canary = stage.get("canary")
        if canary is not None and not 0.0 <= float(canary["percent_traffic"]) <= 100.0:
            raise InputError(f"{where}.canary.percent_traffic: must be 0 to 100, got {canary['percent_traffic']}")


def validate_method_setting(where, path, settings):
    key = method_setting_key(path)
    if key != "*/*":
        if "/" not in key or key.rsplit("/", 1)[1] not in HTTP_METHODS:
            raise InputError(f"{where}: the key must be */* or <resource path>/<HTTP method>")
    if not isinstance(settings, dict):
        raise InputError(f"{where}: must be a mapping of settings")
    unknown = sorted(set(settings) - set(METHOD_SETTINGS))
    if unknown:
        raise InputError(f"{where}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(METHOD_SETTINGS)}")
    for option, value in settings.items():
        kind = METHOD_SETTINGS[option][2]
        if kind is bool and not isinstance(value, bool):
            raise InputError(f"{where}.{option}: must be true or false, got {value!r}")
        if kind in (int, float) and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise InputError(f"{where}.{option}: must be a number >= 0, got {value!r}")
    if "logging_level" in settings and settings["logging_level"] not in LOGGING_LEVELS:
        raise InputError(f"{where}.logging_level: one of {', '.join(LOGGING_LEVELS)}, got {settings['logging_level']!r}")
    strategy = settings.get("unauthorized_cache_control_header_strategy")
    if strategy is not None and strategy not in CACHE_STRATEGIES:
        raise InputError(f"{where}.unauthorized_cache_control_header_strategy: one of {', '.join(CACHE_STRATEGIES)}")


def live_method_settings(stage):
    return {method_setting_key(path): values for path, values in (stage.get("methodSettings") or {}).items()}


def method_settings_ops(live, desired):
    """UpdateStage operations that bring the live method settings to the declared ones."""
    ops = []
    declared = {method_setting_key(path): settings for path, settings in desired.items()}
    for key in sorted(declared):
        current = live.get(key) or {}
        prefix = method_setting_patch_prefix(key)
        for option, value in sorted(declared[key].items()):
            live_key, suffix, kind = METHOD_SETTINGS[option]
            if key in live and live_key in current and kind(current[live_key]) == kind(value):
                continue
            ops.append({"op": "replace", "path": f"{prefix}/{suffix}", "value": patch_value(kind(value))})
    for key in sorted(set(live) - set(declared) - {"*/*"}):
        ops.append({"op": "remove", "path": method_setting_patch_prefix(key)})
    return ops


def stage_settings_ops(live, stage):
    """UpdateStage operations for everything but the deployment and the canary."""
    ops = []
    if (live.get("description") or "") != stage["description"]:
        ops.append({"op": "replace", "path": "/description", "value": stage["description"]})
    if bool(live.get("tracingEnabled")) != stage["tracing_enabled"]:
        ops.append({"op": "replace", "path": "/tracingEnabled", "value": patch_value(stage["tracing_enabled"])})
    if bool(live.get("cacheClusterEnabled")) != stage["cache_cluster_enabled"]:
        ops.append({"op": "replace", "path": "/cacheClusterEnabled", "value": patch_value(stage["cache_cluster_enabled"])})
    if stage["cache_cluster_enabled"] and str(live.get("cacheClusterSize") or "") != stage["cache_cluster_size"]:
        ops.append({"op": "replace", "path": "/cacheClusterSize", "value": stage["cache_cluster_size"]})
    current_vars = live.get("variables") or {}
    for key, value in sorted(stage["variables"].items()):
        if current_vars.get(key) != value:
            ops.append({"op": "replace", "path": f"/variables/{key}", "value": value})
    for key in sorted(set(current_vars) - set(stage["variables"])):
        ops.append({"op": "remove", "path": f"/variables/{key}"})
    current_log = live.get("accessLogSettings") or {}
    wanted_log = stage.get("access_log")
    if wanted_log:
        if current_log.get("destinationArn") != wanted_log["destination_arn"]:
            ops.append({"op": "replace", "path": "/accessLogSettings/destinationArn", "value": wanted_log["destination_arn"]})
        if current_log.get("format") != wanted_log["format"]:
            ops.append({"op": "replace", "path": "/accessLogSettings/format", "value": wanted_log["format"]})
    elif current_log.get("destinationArn"):
        ops.append({"op": "remove", "path": "/accessLogSettings"})
    ops.extend(method_settings_ops(live_method_settings(live), stage["method_settings"]))
    return ops


def canary_settings_ops(live_canary, canary):
    """UpdateStage operations that bring an existing canary's settings to the declared ones."""
    ops = []
    if float(live_canary.get("percentTraffic") or 0.0) != float(canary["percent_traffic"]):
        ops.append({"op": "replace", "path": "/canarySettings/percentTraffic", "value": str(float(canary["percent_traffic"]))})
    if bool(live_canary.get("useStageCache")) != canary["use_stage_cache"]:
        ops.append({"op": "replace", "path": "/canarySettings/useStageCache", "value": patch_value(canary["use_stage_cache"])})
    current = live_canary.get("stageVariableOverrides") or {}
    for key, value in sorted(canary["variable_overrides"].items()):
        if current.get(key) != value:
            ops.append({"op": "replace", "path": f"/canarySettings/stageVariableOverrides/{key}", "value": value})
    for key in sorted(set(current) - set(canary["variable_overrides"])):
        ops.append({"op": "remove", "path": f"/canarySettings/stageVariableOverrides/{key}"})
    return ops


def canary_settings(canary):
    return {
        "percentTraffic": float(canary["percent_traffic"]),
        "stageVariableOverrides": dict(canary["variable_overrides"]),
        "useStageCache": canary["use_stage_cache"],
    }


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------

class RestApiManager:
    def __init__(self, module):
        self.module = module
        self.client = module.client("apigateway", retry_decorator=AWSRetry.jittered_backoff())
        self.region = module.region
        self.deployment_hashes = {}

    def call(self, operation, msg, ignore_codes=(), **params):
        return call(self.client, self.module, operation, msg, ignore_codes, **params)

    def find_api(self, name):
        try:
            apis = self.client.get_paginator("get_rest_apis").paginate().build_full_result().get("items", [])
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg="Failed to list REST APIs")
        found = [api for api in apis if api.get("name") == name]
        if len(found) > 1:
            ids = ", ".join(sorted(api["id"] for api in found))
            self.module.fail_json(msg=f"Several REST APIs are named {name} ({ids}); delete the extra ones or rename them first")
        return found[0] if found else None

    def create_api(self, name, request):
        """CreateRestApi takes no client token: sent once, and after a lost answer the API is looked up by name."""
        creator = no_resend_client(self.module, "apigateway")
        try:
            return create_once(lambda: creator.create_rest_api(**request), lambda: self.find_api(name))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"Failed to create REST API {name}")

    def api_arn(self, api_id):
        return resource_arn(self.region, f"/restapis/{api_id}")

    def stage_arn(self, api_id, stage):
        return f"{self.api_arn(api_id)}/stages/{stage}"

    def deployment_hash(self, api_id, deployment_id):
        """The document SHA-256 a deployment was made from ('' when not made by this module)."""
        if not deployment_id:
            return ""
        if deployment_id not in self.deployment_hashes:
            found = self.call("get_deployment", f"Failed to read deployment {deployment_id}",
                              ignore_codes=["NotFoundException"], restApiId=api_id, deploymentId=deployment_id)
            description = (found or {}).get("description") or ""
            self.deployment_hashes[deployment_id] = (
                description[len(DEPLOYMENT_MARK):] if description.startswith(DEPLOYMENT_MARK) else "")
        return self.deployment_hashes[deployment_id]

    def get_stages(self, api_id):
        found = self.call("get_stages", f"Failed to read the stages of REST API {api_id}", restApiId=api_id)
        return {stage["stageName"]: stage for stage in (found or {}).get("item", [])}

    def tags(self, arn):
        found = self.call("get_tags", f"Failed to read the tags of {arn}", ignore_codes=["NotFoundException"], resourceArn=arn)
        return (found or {}).get("tags") or {}

    def reconcile_tags(self, arn, current, desired, purge, keep=()):
        after, to_set, to_unset = plan_tags(current, desired, purge)
        to_unset = [key for key in to_unset if key not in keep]
        if not self.module.check_mode:
            if to_unset:
                self.call("untag_resource", f"Failed to untag {arn}", resourceArn=arn, tagKeys=to_unset)
            if to_set:
                self.call("tag_resource", f"Failed to tag {arn}", resourceArn=arn, tags=to_set)
        return bool(to_set or to_unset)


def ensure_present(manager, module):
    params = module.params
    name = params["name"]
    try:
        document, digest = load_definition(params["definition"], name, params["description"])
        validate_stages(params["stages"])
    except InputError as e:
        module.fail_json(msg=str(e))
    desired_tags = dict(params["tags"] or {}) if params["tags"] is not None else None

    changed = False
    api = manager.find_api(name)
    before = {"definition_sha256": "", "stages": {}}
    if api is None:
        changed = True
        if module.check_mode:
            return finish(module, changed, {"id": "", "name": name, "definition_sha256": digest}, [], True, "",
                          before, {"definition_sha256": digest, "stages": {s["name"]: {} for s in params["stages"]}},
                          document)
        create = {"name": name, "endpointConfiguration": {"types": [params["endpoint_type"]]}}
        if document["info"].get("description"):
            create["description"] = document["info"]["description"]
        if desired_tags:
            create["tags"] = desired_tags
        api = manager.create_api(name, create)
    api_id = api["id"]
    api_arn = manager.api_arn(api_id)
    current_tags = api.get("tags") if "tags" in api else manager.tags(api_arn)
    before["definition_sha256"] = (current_tags or {}).get(HASH_TAG, "")

    # The endpoint type is not part of the import: change it in place.
    live_types = (api.get("endpointConfiguration") or {}).get("types") or []
    if live_types and live_types[0] != params["endpoint_type"]:
        changed = True
        if not module.check_mode:
            manager.call("update_rest_api", f"Failed to change the endpoint type of REST API {name}", restApiId=api_id,
                         patchOperations=[{"op": "replace", "path": f"/endpointConfiguration/types/{live_types[0]}",
                                           "value": params["endpoint_type"]}])

    imported = before["definition_sha256"] != digest
    if imported:
        changed = True
        if not module.check_mode:
            manager.call("put_rest_api", f"Failed to import the OpenAPI document into REST API {name}",
                         restApiId=api_id, mode="overwrite", failOnWarnings=params["fail_on_warnings"],
                         body=json.dumps(document).encode("utf-8"))
    tags_after = dict(desired_tags) if desired_tags is not None else dict(current_tags or {})
    tags_after[HASH_TAG] = digest
    if manager.reconcile_tags(api_arn, current_tags, tags_after, params["purge_tags"]):
        changed = True

    stages_changed, stage_results, deployment_id, stage_diff = converge_stages(
        manager, module, api_id, digest, desired_tags)
    before["stages"] = stage_diff[0]
    after = {"definition_sha256": digest, "stages": stage_diff[1]}
    rest_api = {"id": api_id, "name": name, "definition_sha256": digest}
    return finish(module, changed or stages_changed, rest_api, stage_results, imported, deployment_id, before, after,
                  document)


def converge_stages(manager, module, api_id, digest, desired_tags):
    """Deploy and configure the declared stages; (changed, results, new deployment id, (before, after))."""
    params = module.params
    live_stages = manager.get_stages(api_id)
    changed = False
    new_deployment = {"id": ""}
    results, before, after = [], {}, {}

    def shared_deployment():
        # One deployment of this document serves every stage that needs it.
        if not new_deployment["id"]:
            made = manager.call("create_deployment", f"Failed to deploy REST API {api_id}", restApiId=api_id,
                                description=DEPLOYMENT_MARK + digest)
            new_deployment["id"] = made["id"]
            manager.deployment_hashes[made["id"]] = digest
        return new_deployment["id"]

    for stage in params["stages"]:
        name = stage["name"]
        live = live_stages.get(name)
        stage_changed = False
        before[name] = summarize(manager, api_id, live)
        deployed = False
        if live is None:
            stage_changed = deployed = True
            if not module.check_mode:
                create = {"restApiId": api_id, "stageName": name, "deploymentId": shared_deployment(),
                          "description": stage["description"], "variables": stage["variables"],
                          "tracingEnabled": stage["tracing_enabled"],
                          "cacheClusterEnabled": stage["cache_cluster_enabled"]}
                if stage["cache_cluster_enabled"]:
                    create["cacheClusterSize"] = stage["cache_cluster_size"]
                if desired_tags:
                    create["tags"] = desired_tags
                live = manager.call("create_stage", f"Failed to create stage {name} of REST API {api_id}", **create)
        else:
            ops, deployed, canary_deploy = deployment_plan(manager, api_id, live, stage, digest)
            if canary_deploy:
                stage_changed = True
                if not module.check_mode:
                    made = manager.call("create_deployment", f"Failed to deploy REST API {api_id} to the canary of {name}",
                                        restApiId=api_id, stageName=name, description=DEPLOYMENT_MARK + digest,
                                        canarySettings=canary_settings(stage["canary"]))
                    manager.deployment_hashes[made["id"]] = digest
            if deployed and not canary_deploy and not module.check_mode:
                ops.append({"op": "replace", "path": "/deploymentId", "value": shared_deployment()})
            elif deployed and not canary_deploy:
                ops.append({"op": "replace", "path": "/deploymentId", "value": "(new deployment)"})
            if ops:
                stage_changed = True
                if not module.check_mode:
                    live = manager.call("update_stage", f"Failed to update the deployment of stage {name}",
                                        restApiId=api_id, stageName=name, patchOperations=ops)
        if live is not None:
            settings_ops = stage_settings_ops(live, stage)
            if settings_ops:
                stage_changed = True
                if not module.check_mode:
                    live = manager.call("update_stage", f"Failed to update stage {name} of REST API {api_id}",
                                        restApiId=api_id, stageName=name, patchOperations=settings_ops)
            stage_arn = manager.stage_arn(api_id, name)
            if desired_tags is not None and manager.reconcile_tags(
                    stage_arn, live.get("tags") or {}, desired_tags, params["purge_tags"]):
                stage_changed = True
            if stage_changed and not module.check_mode:
                live = manager.call("get_stage", f"Failed to read stage {name}", restApiId=api_id, stageName=name)
        changed = changed or stage_changed
        after[name] = planned_summary(stage, digest, before[name], deployed)
        results.append(stage_result(manager, api_id, name, live, deployed))
    return changed, results, new_deployment["id"], (before, after)


def deployment_plan(manager, api_id, live, stage, digest):
    """(UpdateStage ops for the deployment and canary, whether the stage gets the document, whether via CreateDeployment to its canary)."""
    ops = []
    live_canary = live.get("canarySettings") or {}
    canary = stage.get("canary")
    main_hash = manager.deployment_hash(api_id, live.get("deploymentId"))
    if live_canary and (canary is None or canary["promote"]):
        if canary is not None:  # promote: the canary's deployment becomes the stage's
            ops.append({"op": "replace", "path": "/deploymentId", "value": live_canary.get("deploymentId")})
            main_hash = manager.deployment_hash(api_id, live_canary.get("deploymentId"))
        ops.append({"op": "remove", "path": "/canarySettings"})
        live_canary = {}
    if not stage["deploy"] or main_hash == digest:
        if live_canary and canary is not None:
            ops.extend(canary_settings_ops(live_canary, canary))
        return ops, False, False
    if canary is not None and not canary["promote"]:
        if live_canary and manager.deployment_hash(api_id, live_canary.get("deploymentId")) == digest:
            ops.extend(canary_settings_ops(live_canary, canary))
            return ops, False, False
        return ops, True, True
    return ops, True, False


def summarize(manager, api_id, live):
    if live is None:
        return {}
    canary = live.get("canarySettings") or {}
    return {
        "deployment_sha256": manager.deployment_hash(api_id, live.get("deploymentId")),
        "canary_sha256": manager.deployment_hash(api_id, canary.get("deploymentId")) if canary else "",
        "variables": live.get("variables") or {},
        "tracing_enabled": bool(live.get("tracingEnabled")),
        "cache_cluster_enabled": bool(live.get("cacheClusterEnabled")),
        "access_log": live.get("accessLogSettings") or {},
        "method_settings": {path: {option: values[spec[0]] for option, spec in METHOD_SETTINGS.items() if spec[0] in values}
                            for path, values in live_method_settings(live).items()},
    }


def planned_summary(stage, digest, before, deployed):
    to_canary = deployed and stage.get("canary") is not None and not stage["canary"]["promote"] and bool(before)
    return {
        "deployment_sha256": before.get("deployment_sha256", "") if to_canary or not deployed else digest,
        "canary_sha256": digest if to_canary else "",
        "variables": stage["variables"],
        "tracing_enabled": stage["tracing_enabled"],
        "cache_cluster_enabled": stage["cache_cluster_enabled"],
        "access_log": stage.get("access_log") or {},
        "method_settings": {method_setting_key(k): v for k, v in stage["method_settings"].items()},
    }


def stage_result(manager, api_id, name, live, deployed):
    live = live or {}
    return {
        "name": name,
        "deployment_id": live.get("deploymentId") or "",
        "canary_deployment_id": (live.get("canarySettings") or {}).get("deploymentId") or "",
        "invoke_url": f"https://{api_id}.execute-api.{manager.region}.amazonaws.com/{name}" if api_id else "",
        "deployed": deployed,
    }


def finish(module, changed, rest_api, stages, imported, deployment_id, before, after, document):
    result = {"changed": changed, "rest_api": rest_api, "stages": stages,
              "imported": imported, "deployment_id": deployment_id,
              "routes": document_routes(document), "authorizers": document_authorizers(document)}
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    return result


def ensure_absent(manager, module):
    api = manager.find_api(module.params["name"])
    result = {"changed": api is not None}
    if module._diff:
        result["diff"] = {"before": {"id": api["id"]} if api else {}, "after": {}}
    if api is not None and not module.check_mode:
        manager.call("delete_rest_api", f"Failed to delete REST API {module.params['name']}",
                     ignore_codes=["NotFoundException"], restApiId=api["id"])
    return result


def main():
    stage_spec = dict(
        name=dict(required=True),
        description=dict(default=""),
        deploy=dict(type="bool", default=True),
        variables=dict(type="dict", default={}),
        tracing_enabled=dict(type="bool", default=False),
        cache_cluster_enabled=dict(type="bool", default=False),
        cache_cluster_size=dict(default="0.5", choices=["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"]),
        access_log=dict(type="dict", options=dict(
            destination_arn=dict(required=True),
            format=dict(required=True),
        )),
        method_settings=dict(type="dict", default={}),
        canary=dict(type="dict", options=dict(
            percent_traffic=dict(type="float", default=10.0),
            variable_overrides=dict(type="dict", default={}),
            use_stage_cache=dict(type="bool", default=False),
            promote=dict(type="bool", default=False),
        )),
    )
    argument_spec = dict(
        state=dict(default="present", choices=["present", "absent"]),
        name=dict(required=True),
        description=dict(),
        definition=dict(type="raw"),
        endpoint_type=dict(default="REGIONAL", choices=["REGIONAL", "EDGE", "PRIVATE"]),
        fail_on_warnings=dict(type="bool", default=True),
        stages=dict(type="list", elements="dict", default=[], options=stage_spec),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_if=[("state", "present", ["definition"])],
        supports_check_mode=True,
    )
    manager = RestApiManager(module)
    if module.params["state"] == "present":
        result = ensure_present(manager, module)
    else:
        result = ensure_absent(manager, module)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
