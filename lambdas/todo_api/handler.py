"""The to-do service: a REST API Gateway Lambda proxy integration (payload format 1.0).

Routes, chosen by (resource, httpMethod):

| Route | Answer |
|---|---|
| GET /todos?limit=&next=&due= | 200 {"items": [...], "next": token or null}, oldest first (due=true: by due date) |
| POST /todos | 201 the new to-do |
| GET /todos/{id} | 200 the to-do, 404 when the caller has none with this id |
| PUT /todos/{id} | 200 the updated to-do (fields given are set, notes/due_date null removes them), 404 |
| DELETE /todos/{id} | 204, 404 |
| POST /files/upload-url | 200 a pre-signed PUT URL for <sub>/<key> |
| GET /files/download-url?key= | 200 a pre-signed GET URL for <sub>/<key>, 404 when there is no such object |

An unknown resource is a 404, a known one with another method a 405 (with Allow).
The caller is ONLY the authorizer's sub (identity.py): no usable sub is a 401.
Validation errors are 400s naming the field; DynamoDB/DAX throttling a 503;
anything unexpected is logged with its stack trace and answered with a generic
500. One JSON log line per request: route, status, duration, sub (no token, no body).
Settings: config.py; clients: clients.py (DAX when DAX_ENDPOINT is set).
"""

import datetime
import json
import logging
import time

try:  # packaged: the zip's root holds the modules
    from . import clients
    from . import config as config_module
    from . import files
    from . import pagination
    from . import responses
    from . import store
    from . import validation
    from .errors import ApiError
    from .identity import caller_from
except ImportError:  # pragma: no cover - how Lambda imports it
    import clients  # type: ignore[no-redef]
    import config as config_module  # type: ignore[no-redef]
    import files  # type: ignore[no-redef]
    import pagination  # type: ignore[no-redef]
    import responses  # type: ignore[no-redef]
    import store  # type: ignore[no-redef]
    import validation  # type: ignore[no-redef]
    from errors import ApiError  # type: ignore[no-redef]
    from identity import caller_from  # type: ignore[no-redef]

LOG = logging.getLogger("todo_api")
LOG.setLevel(logging.INFO)

monotonic = time.monotonic  # replaced by tests


def now_iso():
    """The current time, ISO 8601 UTC with milliseconds (replaced by tests)."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Request:
    """One invocation: the event, the caller, the settings and the container's clients."""

    def __init__(self, event, caller, settings):
        self.event = event
        self.caller = caller
        self.settings = settings

    @property
    def dynamodb(self):
        return clients.get("dynamodb", self.settings)

    @property
    def s3(self):
        return clients.get("s3", self.settings)


def list_todos(req):
    params = validation.query_params(req.event, ("limit", "next", "due"))
    limit = validation.limit(params.get("limit"))
    by_due_date = validation.flag(params.get("due"), "due")
    start_key = None
    if params.get("next") is not None:
        start_key = pagination.decode(params["next"], req.caller.sub, by_due_date)
    items, last_key = store.list_page(req.dynamodb, req.settings.table_name, req.caller.sub, limit,
                                      start_key, by_due_date)
    return 200, {"items": items, "next": pagination.encode(last_key) if last_key else None}


def create_todo(req):
    fields = validation.new_todo(validation.json_body(req.event))
    return 201, store.create(req.dynamodb, req.settings.table_name, req.caller.sub, fields, now_iso())


def read_todo(req):
    todo_id = validation.todo_id(req.event)
    return 200, store.get(req.dynamodb, req.settings.table_name, req.caller.sub, todo_id)


def update_todo(req):
    todo_id = validation.todo_id(req.event)
    to_set, to_remove = validation.todo_changes(validation.json_body(req.event))
    return 200, store.update(req.dynamodb, req.settings.table_name, req.caller.sub, todo_id,
                             to_set, to_remove, now_iso())


def delete_todo(req):
    todo_id = validation.todo_id(req.event)
    store.delete(req.dynamodb, req.settings.table_name, req.caller.sub, todo_id)
    return 204, None


def upload_url(req):
    body = validation.json_body(req.event)
    return 200, files.upload_url(req.s3, req.settings.bucket_name, req.caller.sub, body, req.settings.url_expiry)


def download_url(req):
    params = validation.query_params(req.event, ("key",))
    return 200, files.download_url(req.s3, req.settings.bucket_name, req.caller.sub, params.get("key"),
                                   req.settings.url_expiry)


ROUTES = {
    "/todos": {"GET": list_todos, "POST": create_todo},
    "/todos/{id}": {"GET": read_todo, "PUT": update_todo, "DELETE": delete_todo},
    "/files/upload-url": {"POST": upload_url},
    "/files/download-url": {"GET": download_url},
}


def route_of(event):
    """(route name for the log, the route function); ApiError 404/405 when there is none."""
    resource = event.get("resource")
    method = event.get("httpMethod")
    methods = ROUTES.get(resource) if isinstance(resource, str) else None
    if methods is None:
        raise ApiError(404, "no such resource")
    if method not in methods:
        raise ApiError(405, f"method not allowed; allowed: {', '.join(methods)}", {"Allow": ",".join(methods)})
    return f"{method} {resource}", methods[method]


def handle(event, settings, state):
    """The proxy response to one event; state["route"] and state["sub"] are filled in for the log."""
    origin = settings.cors_allow_origin
    try:
        if not isinstance(event, dict):
            raise ApiError(400, "not an API Gateway proxy event")
        if event.get("httpMethod") == "OPTIONS" and event.get("resource") in ROUTES:
            state["route"] = f"OPTIONS {event['resource']}"
            return responses.preflight(tuple(ROUTES[event["resource"]]), origin)
        state["route"] = f"{event.get('httpMethod')} {event.get('resource')}"[:100]
        state["route"], function = route_of(event)
        caller = caller_from(event)
        state["sub"] = caller.sub
        status, body = function(Request(event, caller, settings))
        return responses.answer(status, body, origin)
    except ApiError as err:
        return responses.error(err.status, err.message, origin, err.headers)


def lambda_handler(event, context):
    started = monotonic()
    state = {"route": "-", "sub": None}
    try:
        settings = config_module.load()
    except config_module.ConfigError as err:
        LOG.error("configuration error, answering 500: %s", err)
        settings = None
    if settings is None:
        response = responses.error(500, "internal error", "*")
    else:
        try:
            response = handle(event, settings, state)
        except Exception:  # noqa: BLE001 - the caller gets a generic 500, the log gets the stack trace
            LOG.exception("unexpected error on %s", state["route"])
            response = responses.error(500, "internal error", settings.cors_allow_origin)
    request_context = event.get("requestContext") if isinstance(event, dict) else None
    LOG.info(json.dumps({
        "route": state["route"],
        "status": response["statusCode"],
        "duration_ms": round((monotonic() - started) * 1000, 1),
        "sub": state["sub"],
        "request_id": request_context.get("requestId") if isinstance(request_context, dict) else None,
    }, separators=(",", ":")))
    return response
