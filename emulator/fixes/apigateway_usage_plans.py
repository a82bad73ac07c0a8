"""API Gateway usage plans and API keys: tags, and the UpdateUsagePlan patch operations moto lacks.

Kept apart from emulator/fixes/apigateway.py (REST APIs and stages). The tag fix wraps
whatever TagResource/UntagResource/GetTags moto (or an earlier fix) has, and only takes
over for usage plan and API key ARNs, so the two modules compose.
"""

import json
import re
from typing import Any
from urllib.parse import unquote

# arn:<partition>:apigateway:<region>::/usageplans/<id> and ::/apikeys/<id>
_TAGGABLE = re.compile(r"^arn:[^:]+:apigateway:[^:]*::/(usageplans|apikeys)/([^/]+)$")
# /apiStages/<apiId>:<stage>/throttle/<escaped resourcePath/METHOD>[/rateLimit|/burstLimit]
_METHOD_THROTTLE = re.compile(r"^/apiStages/([^/:]+):([^/]+)/throttle/(.+?)(?:/(rateLimit|burstLimit))?$")


def _tagged_resource(self: Any) -> Any:
    """The usage plan or API key the request's ARN names, or None for another resource."""
    arn = unquote(self.path.split("/tags/", 1)[1])
    match = _TAGGABLE.match(arn)
    if match is None:
        return None
    kind, resource_id = match.groups()
    if kind == "usageplans":
        return self.backend.get_usage_plan(resource_id)
    return self.backend.get_api_key(resource_id)


def usage_plans_and_api_keys_can_be_tagged() -> None:
    """TagResource, UntagResource and GetTags work on usage plans and API keys.

    AWS: https://docs.aws.amazon.com/apigateway/latest/api/API_TagResource.html names the
    taggable resource ARNs, among them arn:aws:apigateway:<region>::/usageplans/<id> and
    arn:aws:apigateway:<region>::/apikeys/<id> (see also apigateway-tagging-supported-resources.html);
    API_UntagResource.html removes the tagKeys given; API_GetTags.html returns {"tags": {...}}.
    moto 5.2.5 reads every tag ARN as a stage ARN: for a usage plan or an API key it answers
    NotFoundException "Invalid Rest API Id specified".
    """
    from moto.apigateway.responses import APIGatewayResponse

    original_tag, original_untag, original_get = (
        APIGatewayResponse.tag_resource, APIGatewayResponse.untag_resource, APIGatewayResponse.get_tags)

    def tag_resource(self: Any) -> Any:
        resource = _tagged_resource(self)
        if resource is None:
            return original_tag(self)
        tags = self._get_param("tags") or {}
        resource.tags = dict(resource.tags or {}, **tags)
        return json.dumps({})

    def untag_resource(self: Any) -> Any:
        resource = _tagged_resource(self)
        if resource is None:
            return original_untag(self)
        keys = self.querystring.get("tagKeys") or []
        resource.tags = {key: value for key, value in (resource.tags or {}).items() if key not in keys}
        return json.dumps({})

    def get_tags(self: Any) -> Any:
        resource = _tagged_resource(self)
        if resource is None:
            return original_get(self)
        return json.dumps({"tags": resource.tags or {}})

    APIGatewayResponse.tag_resource = tag_resource
    APIGatewayResponse.untag_resource = untag_resource
    APIGatewayResponse.get_tags = get_tags


def _unescape(pointer: str) -> str:
    """A JSON Pointer segment: ~1 is "/", ~0 is "~" (RFC 6901, as the patch operations doc says)."""
    return pointer.replace("~1", "/").replace("~0", "~")


def update_usage_plan_applies_documented_patch_operations() -> None:
    """UpdateUsagePlan applies method throttles of API stages, a fractional rate limit and numeric quotas.

    AWS: https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html (UsagePlan):
    add/replace/remove /apiStages/{apiId}:{stage}/throttle/{resourcePath}/{httpMethod}[/rateLimit|/burstLimit]
    with "/" in the map key escaped as ~1, and replace/remove /throttle/rateLimit, /throttle/burstLimit,
    /quota/limit, /quota/offset, /quota/period. API_ThrottleSettings.html: rateLimit is a double,
    burstLimit an integer; API_QuotaSettings.html: limit and offset are integers.
    remove /apiStages with value {apiId}:{stage} removes that stage, whatever its method throttles.
    moto 5.2.5 ignores every /apiStages/.../throttle path, fails with HTTP 500 on a fractional rate
    limit ("7.5") and on removing a stage that has method throttles, stores quota limits and
    offsets as strings, and cannot remove one throttle field.
    """
    from moto.apigateway.exceptions import BadRequestException, NotFoundException
    from moto.apigateway.models import UsagePlan

    original = UsagePlan.apply_patch_operations

    def stage_of(plan: Any, api_id: str, stage: str) -> dict[str, Any]:
        for api_stage in plan.api_stages:
            if api_stage.get("apiId") == api_id and api_stage.get("stage") == stage:
                return api_stage
        raise NotFoundException(f"Invalid stage identifier specified: {api_id}:{stage}")

    def apply_patch_operations(self: Any, patch_operations: list[dict[str, Any]]) -> None:
        for op in patch_operations:  # in order: a stage added by one operation is throttled by the next
            path, kind, value = op["path"], op["op"], op.get("value")
            match = _METHOD_THROTTLE.match(path)
            if match:
                api_id, stage, method, field = match.groups()
                api_stage = stage_of(self, api_id, stage)
                throttles = api_stage.setdefault("throttle", {})
                method = _unescape(method)
                if kind == "remove":
                    if field:
                        throttles.get(method, {}).pop(field, None)
                    else:
                        throttles.pop(method, None)
                elif field:
                    throttles.setdefault(method, {})[field] = float(value) if field == "rateLimit" else int(value)
                else:
                    settings = json.loads(value)
                    throttles[method] = {"rateLimit": float(settings["rateLimit"]), "burstLimit": int(settings["burstLimit"])}
                if not throttles:
                    api_stage.pop("throttle", None)
                continue
            try:
                if kind in ("add", "replace") and path == "/throttle/rateLimit":
                    self.throttle["rateLimit"] = float(value)
                    continue
                if kind in ("add", "replace") and path == "/throttle/burstLimit":
                    self.throttle["burstLimit"] = int(value)
                    continue
                if kind in ("add", "replace") and path in ("/quota/limit", "/quota/offset"):
                    self.quota[path.rsplit("/", 1)[1]] = int(value)
                    continue
            except (TypeError, ValueError) as error:
                raise BadRequestException(f"Invalid value for {path}: {value}") from error
            if kind == "remove" and path == "/apiStages":
                api_id, _, stage = (value or "").partition(":")
                self.api_stages.remove(stage_of(self, api_id, stage))
                continue
            if kind == "remove" and path in ("/throttle/rateLimit", "/throttle/burstLimit"):
                self.throttle.pop(path.rsplit("/", 1)[1], None)
                continue
            original(self, [op])

    UsagePlan.apply_patch_operations = apply_patch_operations


FIXES = [usage_plans_and_api_keys_can_be_tagged, update_usage_plan_applies_documented_patch_operations]
