"""API Gateway REST APIs: OpenAPI import, deployments, stages (canary, method settings) and tags.

moto 5.2.5 imports an OpenAPI 3 document (PutRestApi, ImportRestApi) with its paths,
methods, method response codes and x-amazon-apigateway-integration only, and breaks on
path-item keys that are not operations. The import fixes below each wrap
APIGatewayBackend.put_rest_api (ImportRestApi calls it too) and add one part of what AWS
imports, read from the document after moto's own import: all their additions run after
moto's, in the order of FIXES, so authorizers, validators and models exist before the
methods that name them are set.

AWS: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html
(API Gateway extensions to OpenAPI) and
https://docs.aws.amazon.com/apigateway/latest/developerguide/import-edge-optimized-api.html.
"""

import copy
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

# Path-item keys that are operations (OpenAPI 3.0 "Path Item Object"), and API Gateway's ANY.
_OPERATIONS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
_ANY_METHOD = "x-amazon-apigateway-any-method"
_PARAMETER_LOCATIONS = {"path": "path", "query": "querystring", "header": "header"}
_AUTHORIZER_TYPES = {"cognito_user_pools": "COGNITO_USER_POOLS", "token": "TOKEN", "request": "REQUEST"}
# /<escaped resource path or *>/<HTTP method or *>: a method settings key in UpdateStage.
_METHOD_SETTINGS_KEY = re.compile(r"^/(\*|~1[^/]*)/([A-Za-z]+|\*)$")
_TAG_ROUTE = "{0}/tags/(?P<resourceArn>.+)$"
_REST_API_ARN = re.compile(r"^arn:[^:]+:apigateway:[^:]*::/restapis/([^/]+)$")


# --- helpers ---------------------------------------------------------------------------


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(path, HTTP method, operation, path item) for every operation of the document."""
    for path, item in (doc.get("paths") or {}).items():
        for key, operation in (item or {}).items():
            if key == _ANY_METHOD:
                yield path, "ANY", operation or {}, item
            elif key.lower() in _OPERATIONS:
                yield path, key.upper(), operation or {}, item


def _after_import(step: Callable[[Any, Any, dict[str, Any], str], None]) -> None:
    """Wrap APIGatewayBackend.put_rest_api so that step(backend, api, doc, mode) runs after it."""
    from moto.apigateway.models import APIGatewayBackend

    inner = APIGatewayBackend.put_rest_api

    def put_rest_api(self: Any, function_id: str, api_doc: dict[str, Any], fail_on_warnings: bool,
                     mode: str = "merge") -> Any:
        api = inner(self, function_id, api_doc, fail_on_warnings, mode=mode)
        step(self, api, api_doc, mode)
        return api

    APIGatewayBackend.put_rest_api = put_rest_api


def _method(api: Any, path: str, http_method: str) -> Any:
    resource = api.get_resource_for_path(path)
    return resource.resource_methods.get(http_method) if resource is not None else None


def _schemes(doc: dict[str, Any]) -> dict[str, Any]:
    return (doc.get("components") or {}).get("securitySchemes") or {}


def _ref_name(schema: Any) -> str | None:
    """The model name a {"$ref": "#/components/schemas/<name>"} schema names."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        return schema["$ref"].rsplit("/", 1)[-1]
    return None


def _by_name(items: Any, name: str) -> Any:
    return next((item for item in items if item.name == name), None)


# --- OpenAPI import --------------------------------------------------------------------


def openapi_import_reads_only_operations_from_path_items() -> None:
    """PutRestApi and ImportRestApi create methods only for a path item's operations.

    AWS: https://docs.aws.amazon.com/apigateway/latest/developerguide/import-edge-optimized-api.html
    imports OpenAPI 3.0 documents, in which a Path Item Object
    (https://spec.openapis.org/oas/v3.0.1#path-item-object) holds operations (get, put, post,
    delete, options, head, patch, trace) next to summary, description, servers and parameters;
    x-amazon-apigateway-any-method is the ANY method
    (api-gateway-swagger-extensions-any-method.html). An info object needs no description.
    moto 5.2.5 makes a method of every key of a path item (a "SUMMARY" method; HTTP 500 on
    a path-level parameters list or a string value), does not know the ANY extension, and
    ImportRestApi fails with HTTP 500 when info.description is missing.
    """
    from moto.apigateway.exceptions import InvalidOpenAPIDocumentException
    from moto.apigateway.models import APIGatewayBackend, OpenAPIValidationError, validate

    inner = APIGatewayBackend.put_rest_api

    def put_rest_api(self: Any, function_id: str, api_doc: dict[str, Any], fail_on_warnings: bool,
                     mode: str = "merge") -> Any:
        if fail_on_warnings:  # validate the document as given, as moto does
            try:
                validate(api_doc)
            except OpenAPIValidationError as error:
                raise InvalidOpenAPIDocumentException(error) from None
        paths: dict[str, dict[str, Any]] = {path: {} for path in api_doc.get("paths") or {}}
        for path, http_method, operation, _ in _operations(api_doc):
            paths[path][http_method.lower()] = operation
        return inner(self, function_id, {**api_doc, "paths": paths}, False, mode=mode)

    def import_rest_api(self: Any, api_doc: dict[str, Any], fail_on_warnings: bool) -> Any:
        info = api_doc.get("info") or {}
        api = self.create_rest_api(name=info.get("title"), description=info.get("description", ""))
        try:
            self.put_rest_api(api.id, api_doc, fail_on_warnings=fail_on_warnings)
        except Exception:
            self.apis.pop(api.id, None)  # a failed import leaves no API behind
            raise
        return api

    APIGatewayBackend.put_rest_api = put_rest_api
    APIGatewayBackend.import_rest_api = import_rest_api


def openapi_overwrite_replaces_the_whole_definition() -> None:
    """PutRestApi in overwrite mode replaces authorizers, validators, models and gateway responses.

    AWS: https://docs.aws.amazon.com/apigateway/latest/api/API_PutRestApi.html: mode
    "overwrite" overwrites the existing API definition with the one in the document (mode
    "merge" merges them). moto 5.2.5 replaces only the resources: the API's previous
    authorizers, request validators, models and gateway responses stay.
    """
    from moto.apigateway.models import APIGatewayBackend

    inner = APIGatewayBackend.put_rest_api

    def put_rest_api(self: Any, function_id: str, api_doc: dict[str, Any], fail_on_warnings: bool,
                     mode: str = "merge") -> Any:
        if mode == "overwrite":
            api = self.get_rest_api(function_id)
            api.authorizers.clear()
            api.request_validators.clear()
            api.models.clear()
            api.gateway_responses.clear()
        return inner(self, function_id, api_doc, fail_on_warnings, mode=mode)

    APIGatewayBackend.put_rest_api = put_rest_api


def openapi_import_keeps_integration_settings() -> None:
    """An imported x-amazon-apigateway-integration keeps its type and every documented setting.

    AWS: api-gateway-swagger-extensions-integration.html: type (aws, aws_proxy, http,
    http_proxy, mock; any case), httpMethod and uri (not needed for mock), credentials,
    requestTemplates, requestParameters, passthroughBehavior, contentHandling, connectionType
    and connectionId (VPC_LINK), cacheKeyParameters, timeoutInMillis (default 29,000) and
    responses; GetIntegration (API_Integration.html) returns type, passthroughBehavior and
    contentHandling in upper case. PutIntegration (API_PutIntegration.html) takes connectionId.
    moto 5.2.5 stores the type as written ("aws_proxy"), answers HTTP 500 for a mock
    integration without httpMethod or uri, and drops connectionId and cacheKeyParameters
    (its Integration has no connectionId at all, also for PutIntegration).
    """
    from moto.apigateway.models import APIGatewayBackend, Integration
    from moto.apigateway.responses import APIGatewayResponse

    def upper(value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    def build_integration_args(self: Any, integration: dict[str, Any]) -> dict[str, Any]:
        return {
            "integration_type": upper(integration.get("type")),
            "uri": integration.get("uri"),
            "integration_method": integration.get("httpMethod"),
            "credentials": integration.get("credentials"),
            "request_templates": integration.get("requestTemplates"),
            "passthrough_behavior": upper(integration.get("passthroughBehavior", "WHEN_NO_MATCH")),
            "tls_config": integration.get("tlsConfig"),
            "cache_namespace": integration.get("cacheNamespace"),
            "timeout_in_millis": integration.get("timeoutInMillis", 29000),
            "request_parameters": integration.get("requestParameters"),
            "content_handling": upper(integration.get("contentHandling")),
            "connection_type": upper(integration.get("connectionType")),
            "connection_id": integration.get("connectionId"),
            "cache_key_parameters": integration.get("cacheKeyParameters"),
        }

    inner_put = APIGatewayBackend.put_integration

    def put_integration(self: Any, function_id: str, resource_id: str, method_type: str,
                        integration_type: str, uri: str | None = None, integration_method: str | None = None,
                        connection_id: str | None = None, cache_key_parameters: list[str] | None = None,
                        **kwargs: Any) -> Any:
        integration = inner_put(self, function_id, resource_id, method_type, upper(integration_type), uri,
                                integration_method, **kwargs)
        integration.connection_id = connection_id
        integration.cache_key_parameters = cache_key_parameters or []
        return integration

    inner_to_json = Integration.to_json

    def to_json(self: Any) -> dict[str, Any]:
        answer = inner_to_json(self)
        if getattr(self, "connection_id", None):
            answer["connectionId"] = self.connection_id
        return answer

    inner_response = APIGatewayResponse.put_integration

    def put_integration_response(self: Any) -> Any:
        status, headers, _ = inner_response(self)
        _, _, function_id, _, resource_id, _, method_type = self.path.split("/")[:7]
        integration = self.backend.get_integration(function_id, resource_id, method_type)
        integration.connection_id = self._get_param("connectionId")
        integration.cache_key_parameters = self._get_param("cacheKeyParameters") or []
        return status, headers, json.dumps(integration.to_json())

    APIGatewayBackend._build_integration_args = build_integration_args
    APIGatewayBackend.put_integration = put_integration
    Integration.to_json = to_json
    APIGatewayResponse.put_integration = put_integration_response


def openapi_import_creates_authorizers() -> None:
    """An imported document's x-amazon-apigateway-authorizer security schemes become authorizers.

    AWS: api-gateway-swagger-extensions-authorizer.html: a security scheme (OpenAPI 3
    components.securitySchemes) with x-amazon-apigateway-authorizer defines an authorizer
    named after the scheme: type token, request or cognito_user_pools, authorizerUri,
    authorizerCredentials, identitySource, identityValidationExpression, providerARNs and
    authorizerResultTtlInSeconds (default 300); x-amazon-apigateway-authtype is its authType.
    For a token or Cognito authorizer the identity source is the scheme's header.
    moto 5.2.5 imports no authorizer; its CreateAuthorizer also drops
    identityValidationExpression (a misspelt keyword, "identiy_validation_expression").
    """

    def step(backend: Any, api: Any, doc: dict[str, Any], mode: str) -> None:
        for name, scheme in _schemes(doc).items():
            config = (scheme or {}).get("x-amazon-apigateway-authorizer")
            if not config:
                continue
            authorizer_type = _AUTHORIZER_TYPES.get(str(config.get("type", "")).lower(), str(config.get("type")).upper())
            identity_source = config.get("identitySource")
            if identity_source is None and authorizer_type != "REQUEST" and scheme.get("in") == "header":
                identity_source = f"method.request.header.{scheme.get('name')}"
            authorizer = _by_name(api.authorizers.values(), name)
            if authorizer is None:
                authorizer = backend.create_authorizer(api.id, name, authorizer_type)
            authorizer.type = authorizer_type
            authorizer.provider_arns = config.get("providerARNs")
            authorizer.auth_type = scheme.get("x-amazon-apigateway-authtype")
            authorizer.authorizer_uri = config.get("authorizerUri")
            authorizer.authorizer_credentials = config.get("authorizerCredentials")
            authorizer.identity_source = identity_source
            authorizer.identity_validation_expression = config.get("identityValidationExpression")
            authorizer.authorizer_result_ttl = int(config.get("authorizerResultTtlInSeconds", 300))

    _after_import(step)

    from moto.apigateway.models import Authorizer

    inner_init = Authorizer.__init__

    def init(self: Any, authorizer_id: Any, name: Any, authorizer_type: Any, **kwargs: Any) -> None:
        inner_init(self, authorizer_id, name, authorizer_type, **kwargs)
        if self.identity_validation_expression is None:
            self.identity_validation_expression = kwargs.get("identiy_validation_expression")

    Authorizer.__init__ = init


def openapi_import_creates_request_validators() -> None:
    """An imported document's x-amazon-apigateway-request-validators become request validators.

    AWS: api-gateway-swagger-extensions-request-validators.html: a map of validator name to
    validateRequestBody and validateRequestParameters; the API-level
    x-amazon-apigateway-request-validator names the default validator of every method and an
    operation's own x-amazon-apigateway-request-validator overrides it
    (api-gateway-swagger-extensions-request-validator.html; set on the methods by
    openapi_import_sets_method_request_settings). moto 5.2.5 imports no request validator.
    """

    def step(backend: Any, api: Any, doc: dict[str, Any], mode: str) -> None:
        for name, config in (doc.get("x-amazon-apigateway-request-validators") or {}).items():
            config = config or {}
            body = bool(config.get("validateRequestBody", False))
            parameters = bool(config.get("validateRequestParameters", False))
            validator = _by_name(api.request_validators.values(), name)
            if validator is None:
                api.create_request_validator(name, body, parameters)
            else:
                validator.validate_request_body, validator.validate_request_parameters = body, parameters

    _after_import(step)


def openapi_import_creates_models_from_schemas() -> None:
    """An imported OpenAPI 3 document's components.schemas become models.

    AWS: https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html
    and import-edge-optimized-api.html: each schema becomes a model of that name with content
    type application/json and the schema as JSON; a reference to another model is
    https://apigateway.amazonaws.com/restapis/<api id>/models/<name>.
    moto 5.2.5 imports no model.
    """

    def step(backend: Any, api: Any, doc: dict[str, Any], mode: str) -> None:
        prefix = f"https://apigateway.amazonaws.com/restapis/{api.id}/models/"
        for name, schema in ((doc.get("components") or {}).get("schemas") or {}).items():
            text = json.dumps(schema).replace('"#/components/schemas/', f'"{prefix}')
            api.add_model(name=name, description=(schema or {}).get("description"), schema=text,
                          content_type="application/json")

    _after_import(step)


def openapi_import_applies_api_level_extensions() -> None:
    """An imported document's gateway responses, API key source and binary media types are applied.

    AWS: api-gateway-swagger-extensions-gateway-responses.html (a map of response type to
    statusCode, responseParameters and responseTemplates, as PutGatewayResponse),
    api-gateway-swagger-extensions-api-key-source.html (HEADER or AUTHORIZER) and
    api-gateway-swagger-extensions-binary-media-types.html (the API's binaryMediaTypes).
    moto 5.2.5 ignores all three.
    """

    def step(backend: Any, api: Any, doc: dict[str, Any], mode: str) -> None:
        for response_type, config in (doc.get("x-amazon-apigateway-gateway-responses") or {}).items():
            config = config or {}
            status = config.get("statusCode")
            api.put_gateway_response(response_type, str(status) if status is not None else None,
                                     config.get("responseParameters"), config.get("responseTemplates"))
        if "x-amazon-apigateway-api-key-source" in doc:
            api.api_key_source = str(doc["x-amazon-apigateway-api-key-source"]).upper()
        if "x-amazon-apigateway-binary-media-types" in doc:
            api.binaryMediaTypes = list(doc["x-amazon-apigateway-binary-media-types"] or [])

    _after_import(step)


def openapi_import_sets_method_request_settings() -> None:
    """An imported operation sets its method's authorization, API key, parameters, models and validator.

    AWS: import-edge-optimized-api.html, api-gateway-swagger-extensions-authorizer.html and
    api-gateway-swagger-extensions-request-validator.html; the Method resource
    (API_Method.html). An operation's security requirement (or the document's, when the
    operation has none; [] means none) that names a scheme with an authorizer sets
    authorizationType COGNITO_USER_POOLS (with the listed scopes as authorizationScopes) or
    CUSTOM and the authorizerId; one that names an awsSigv4 scheme sets AWS_IAM; one that
    names an apiKey scheme for the x-api-key header sets apiKeyRequired. Path-item and
    operation parameters become requestParameters (method.request.path|querystring|header.<name>:
    required), a requestBody schema $ref becomes requestModels, operationId the operationName,
    and the operation's (or the document's default) x-amazon-apigateway-request-validator the
    requestValidatorId. moto 5.2.5 sets none of these (authorizationType null).
    """

    def resolve(doc: dict[str, Any], item: Any) -> Any:
        ref = item.get("$ref") if isinstance(item, dict) else None
        if isinstance(ref, str) and ref.startswith("#/components/"):
            _, _, section, name = ref.split("/", 3)
            return (doc.get("components") or {}).get(section, {}).get(name, {})
        return item

    def step(backend: Any, api: Any, doc: dict[str, Any], mode: str) -> None:
        schemes = _schemes(doc)
        default_validator = doc.get("x-amazon-apigateway-request-validator")
        for path, http_method, operation, item in _operations(doc):
            method = _method(api, path, http_method)
            if method is None:
                continue
            method.authorization_type, method.authorizer_id = "NONE", None
            method.authorization_scopes, method.api_key_required = None, False
            for requirement in operation.get("security", doc.get("security")) or []:
                for name, scopes in (requirement or {}).items():
                    scheme = schemes.get(name) or {}
                    config = scheme.get("x-amazon-apigateway-authorizer")
                    if config:
                        cognito = str(config.get("type", "")).lower() == "cognito_user_pools"
                        method.authorization_type = "COGNITO_USER_POOLS" if cognito else "CUSTOM"
                        authorizer = _by_name(api.authorizers.values(), name)
                        method.authorizer_id = authorizer.id if authorizer else None
                        if cognito and scopes:
                            method.authorization_scopes = list(scopes)
                    elif str(scheme.get("x-amazon-apigateway-authtype", "")).lower() == "awssigv4":
                        method.authorization_type = "AWS_IAM"
                    elif (scheme.get("type") == "apiKey" and scheme.get("in") == "header"
                          and str(scheme.get("name", "")).lower() == "x-api-key"):
                        method.api_key_required = True

            parameters: dict[tuple[str, str], dict[str, Any]] = {}
            for parameter in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
                parameter = resolve(doc, parameter)
                if parameter.get("in") in _PARAMETER_LOCATIONS:
                    parameters[(parameter["in"], parameter["name"])] = parameter
            method.request_parameters = {
                f"method.request.{_PARAMETER_LOCATIONS[where]}.{name}": bool(p.get("required") or where == "path")
                for (where, name), p in parameters.items()
            } or None

            body = resolve(doc, operation.get("requestBody") or {})
            method.request_models = {
                content_type: _ref_name(media.get("schema"))
                for content_type, media in (body.get("content") or {}).items()
                if _ref_name((media or {}).get("schema"))
            } or None

            validator_name = operation.get("x-amazon-apigateway-request-validator", default_validator)
            validator = _by_name(api.request_validators.values(), validator_name) if validator_name else None
            method.request_validator_id = validator.id if validator else None
            method.operation_name = operation.get("operationId")

    _after_import(step)


def openapi_import_sets_method_response_headers_and_models() -> None:
    """An imported operation's responses set the method responses' header parameters and models.

    AWS: import-edge-optimized-api.html and API_MethodResponse.html: each response's headers
    become responseParameters method.response.header.<name> (true when required) and a
    content schema $ref becomes responseModels {<content type>: <model name>}; an integration
    response can map only headers its method response declares. moto 5.2.5 creates method
    responses without parameters or models.
    """

    def step(backend: Any, api: Any, doc: dict[str, Any], mode: str) -> None:
        for path, http_method, operation, _ in _operations(doc):
            method = _method(api, path, http_method)
            for code, response in (operation.get("responses") or {}).items():
                method_response = method.method_responses.get(str(code)) if method else None
                if method_response is None or not isinstance(response, dict):
                    continue
                method_response.response_parameters = {
                    f"method.response.header.{header}": bool((spec or {}).get("required", False))
                    for header, spec in (response.get("headers") or {}).items()
                } or None
                method_response.response_models = {
                    content_type: _ref_name(media.get("schema"))
                    for content_type, media in (response.get("content") or {}).items()
                    if _ref_name((media or {}).get("schema"))
                } or None

    _after_import(step)


# --- deployments and stages ------------------------------------------------------------


def create_deployment_keeps_the_stage_settings() -> None:
    """CreateDeployment to an existing stage points the stage at the new deployment and keeps its settings.

    AWS: https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html: stageName
    is the stage that the new deployment is deployed to (created when it does not exist), and
    variables are the stage variables of that stage; redeploying changes the stage's
    deploymentId (the stage's settings are its own: API_Stage.html). moto 5.2.5 replaces
    the stage with a new one, losing its method settings, cache, tracing, access log
    settings, description, variables and tags.
    """
    from moto.apigateway.models import RestAPI

    inner = RestAPI.create_deployment

    def create_deployment(self: Any, name: str, description: str, stage_variables: Any = None) -> Any:
        stage = self.stages.get(name) if name else None
        deployment = inner(self, name, description, stage_variables)
        if stage is not None:
            stage.deployment_id = deployment.id
            stage.variables.update(stage_variables or {})
            self.stages[name] = stage
        return deployment

    RestAPI.create_deployment = create_deployment


def _canary(stage: Any) -> dict[str, Any] | None:
    return stage.__dict__.get("platform_canary_settings")


def create_deployment_with_canary_settings_deploys_to_the_stage_canary() -> None:
    """CreateDeployment with canarySettings deploys to the stage's canary; GetStage returns canarySettings.

    AWS: API_CreateDeployment.html (canarySettings: percentTraffic, stageVariableOverrides,
    useStageCache), developerguide/create-canary-deployment.html (the stage must exist: a
    canary release deployment to a stage that does not exist is an error and creates
    nothing) and API_Stage.html / API_CanarySettings.html (the stage keeps its deploymentId;
    canarySettings.deploymentId is the canary's deployment). moto 5.2.5 ignores canarySettings:
    the new deployment replaces the stage, and no stage has canarySettings.
    """
    from moto.apigateway.exceptions import StageNotFoundException
    from moto.apigateway.models import Stage
    from moto.apigateway.responses import APIGatewayResponse

    inner = APIGatewayResponse.create_deployment

    def create_deployment(self: Any) -> Any:
        canary = self._get_param("canarySettings")
        if canary is None:
            return inner(self)
        function_id = self.path.replace("/restapis/", "", 1).split("/")[0]
        stage = self.backend.get_rest_api(function_id).stages.get(self._get_param("stageName") or "")
        if stage is None:
            raise StageNotFoundException()
        deployment = self.backend.create_deployment(function_id, None, self._get_param("description") or "")
        stage.platform_canary_settings = {
            "deploymentId": deployment.id,
            "percentTraffic": float(canary.get("percentTraffic", 0.0)),
            "stageVariableOverrides": dict(canary.get("stageVariableOverrides") or {}),
            "useStageCache": bool(canary.get("useStageCache", False)),
        }
        return 201, {"status": 201}, json.dumps(deployment.to_json())

    inner_to_json = Stage.to_json

    def to_json(self: Any) -> dict[str, Any]:
        answer = inner_to_json(self)
        if _canary(self) is not None:
            answer["canarySettings"] = copy.deepcopy(_canary(self))
        return answer

    APIGatewayResponse.create_deployment = create_deployment
    Stage.to_json = to_json


def update_stage_changes_canary_settings() -> None:
    """UpdateStage changes and removes a stage's canary settings, and leaves its deploymentId alone.

    AWS: developerguide/update-canary-deployment.html and promote-canary-deployment.html,
    API_UpdateStage.html with patch-operations.html (Stage): replace
    /canarySettings/percentTraffic, /canarySettings/deploymentId, /canarySettings/useStageCache,
    replace or remove /canarySettings/stageVariableOverrides/<name>, remove /canarySettings
    (turns the canary off); adding canary settings to a stage without a canary starts one on
    the stage's deployment. Promotion is replace /deploymentId with the canary's deployment.
    moto 5.2.5 matches "/deploymentId" anywhere in the path, so
    /canarySettings/deploymentId overwrites the stage's own deploymentId, and it ignores
    the other canary paths.
    """
    from moto.apigateway.models import Stage

    inner = Stage.apply_operations

    def apply_canary_operation(stage: Any, op: dict[str, Any]) -> None:
        path = op["path"]
        if path == "/canarySettings":
            if op["op"] == "remove":
                stage.platform_canary_settings = None
            return
        canary = _canary(stage)
        if canary is None:
            canary = stage.platform_canary_settings = {
                "deploymentId": stage.deployment_id, "percentTraffic": 0.0,
                "stageVariableOverrides": {}, "useStageCache": False,
            }
        key = path[len("/canarySettings/"):]
        value = op.get("value")
        if key.startswith("stageVariableOverrides/"):
            name = key.split("/", 1)[1]
            if op["op"] == "remove":
                canary["stageVariableOverrides"].pop(name, None)
            else:
                canary["stageVariableOverrides"][name] = value
        elif key == "percentTraffic":
            canary["percentTraffic"] = float(value)
        elif key == "useStageCache":
            canary["useStageCache"] = str(value).lower() == "true"
        elif key == "deploymentId":
            canary["deploymentId"] = value

    def apply_operations(self: Any, patch_operations: list[dict[str, Any]]) -> Any:
        for op in patch_operations:
            if op["path"] == "/canarySettings" or op["path"].startswith("/canarySettings/"):
                apply_canary_operation(self, op)
            else:
                inner(self, [op])
        return self

    Stage.apply_operations = apply_operations


def update_stage_removes_method_settings() -> None:
    """UpdateStage remove /<resource path>/<method> drops that method's settings.

    AWS: https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html (Stage):
    method settings are addressed as /{resourcePath}/{httpMethod} with the resource path's
    "/" escaped as "~1" (or /*/* for all methods); "remove" of that path deletes the method
    setting, which GetStage keys as "~1todos/GET". moto 5.2.5 ignores every remove except
    /accessLogSettings, so a method's settings can never be dropped.
    """
    from moto.apigateway.models import Stage

    inner = Stage.apply_operations

    def apply_operations(self: Any, patch_operations: list[dict[str, Any]]) -> Any:
        for op in patch_operations:
            match = _METHOD_SETTINGS_KEY.match(op["path"])
            if op["op"] == "remove" and match is not None:
                self.method_settings.pop(f"{match.group(1)}/{match.group(2)}", None)
            else:
                inner(self, [op])
        return self

    Stage.apply_operations = apply_operations


def delete_deployment_refuses_only_deployments_in_use() -> None:
    """DeleteDeployment deletes a deployment that no stage (or stage canary) points to.

    AWS: https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteDeployment.html
    deletes a deployment; one that a stage is associated with cannot be deleted
    (BadRequestException: "Active stages pointing to this deployment must be moved or
    deleted"). moto 5.2.5 refuses any deployment that was created with the name of a stage
    that still exists, even after the stage moved on to a newer deployment, so old
    deployments can never be cleaned up.
    """
    from moto.apigateway.exceptions import DeploymentNotFoundException, StageStillActive
    from moto.apigateway.models import RestAPI

    def delete_deployment(self: Any, deployment_id: str) -> Any:
        if deployment_id not in self.deployments:
            raise DeploymentNotFoundException()
        for stage in self.stages.values():
            if deployment_id in (stage.deployment_id, (_canary(stage) or {}).get("deploymentId")):
                raise StageStillActive()
        return self.deployments.pop(deployment_id)

    RestAPI.delete_deployment = delete_deployment


# --- tags ------------------------------------------------------------------------------


def rest_apis_can_be_tagged_by_arn() -> None:
    """TagResource, UntagResource and GetTags work on a REST API's ARN (and on its stages').

    AWS: https://docs.aws.amazon.com/apigateway/latest/api/API_TagResource.html and
    apigateway-tagging-supported-resources.html: arn:aws:apigateway:<region>::/restapis/<id>
    and .../restapis/<id>/stages/<name> are taggable; the tags are those GetRestApi returns.
    moto 5.2.5 routes /tags/<arn> only when the ARN has no "/" or is a stage ARN, so a REST
    API (or usage plan, API key) ARN gets HTTP 404, and its handlers read every ARN as a
    stage's.
    """
    from moto.apigateway import urls
    from moto.apigateway.responses import APIGatewayResponse

    urls.url_paths[_TAG_ROUTE] = APIGatewayResponse.dispatch
    inner_tag, inner_untag, inner_get = (
        APIGatewayResponse.tag_resource, APIGatewayResponse.untag_resource, APIGatewayResponse.get_tags)

    def rest_api(response: Any) -> Any:
        from urllib.parse import unquote

        match = _REST_API_ARN.match(unquote(response.path.split("/tags/", 1)[1]))
        return response.backend.get_rest_api(match.group(1)) if match else None

    def tag_resource(self: Any) -> Any:
        api = rest_api(self)
        if api is None:
            return inner_tag(self)
        api.tags = {**(api.tags or {}), **(self._get_param("tags") or {})}
        return json.dumps({})

    def untag_resource(self: Any) -> Any:
        api = rest_api(self)
        if api is None:
            return inner_untag(self)
        keys = self.querystring.get("tagKeys") or []
        api.tags = {key: value for key, value in (api.tags or {}).items() if key not in keys}
        return json.dumps({})

    def get_tags(self: Any) -> Any:
        api = rest_api(self)
        if api is None:
            return inner_get(self)
        return json.dumps({"tags": api.tags or {}})

    APIGatewayResponse.tag_resource = tag_resource
    APIGatewayResponse.untag_resource = untag_resource
    APIGatewayResponse.get_tags = get_tags


FIXES = [
    openapi_import_reads_only_operations_from_path_items,
    openapi_overwrite_replaces_the_whole_definition,
    openapi_import_keeps_integration_settings,
    # The steps below run after moto's import, in this order: methods name authorizers,
    # validators and models, so those come first.
    openapi_import_creates_authorizers,
    openapi_import_creates_request_validators,
    openapi_import_creates_models_from_schemas,
    openapi_import_applies_api_level_extensions,
    openapi_import_sets_method_request_settings,
    openapi_import_sets_method_response_headers_and_models,
    create_deployment_keeps_the_stage_settings,
    create_deployment_with_canary_settings_deploys_to_the_stage_canary,
    update_stage_changes_canary_settings,
    update_stage_removes_method_settings,
    delete_deployment_refuses_only_deployments_in_use,
    rest_apis_can_be_tagged_by_arn,
]
