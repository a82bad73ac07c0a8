"""The todos table: one item per to-do, key (user_id = the caller's sub, todo_id).

Works with any client that has the low-level DynamoDB API (boto3's dynamodb client
or amazondax.AmazonDaxClient, whose errors are botocore ClientErrors with the same
codes). Every write is conditional, so:

- create never overwrites (attribute_not_exists; an id collision gets a new id);
- update and delete of an item that is missing, or that is another user's (their
  item has another key, so it is "missing" under the caller's key), fail the
  condition and answer 404 without writing anything.
"""

from botocore.exceptions import ClientError

try:  # packaged: the zip's root holds the modules
    from . import ids
    from .errors import ApiError, not_found
except ImportError:  # pragma: no cover - how Lambda imports it
    import ids  # type: ignore[no-redef]
    from errors import ApiError, not_found  # type: ignore[no-redef]

DUE_DATE_INDEX = "by-due-date"
CREATE_ATTEMPTS = 3
THROTTLED = frozenset((
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "RequestLimitExceededException", "LimitExceededException",
))
_EXISTS = "attribute_exists(user_id) AND attribute_exists(todo_id)"
_ATTRIBUTE_TYPES = {"title": "S", "notes": "S", "done": "BOOL", "due_date": "S"}


def error_code(err):
    response = getattr(err, "response", None)
    return (response.get("Error") or {}).get("Code", "") if isinstance(response, dict) else ""


def _raise_if_throttled(err):
    if error_code(err) in THROTTLED:
        raise ApiError(503, "the service is busy, try again") from err


def _typed(name, value):
    return {_ATTRIBUTE_TYPES[name]: value}


def to_item(user_id, todo_id, fields, created_at, updated_at):
    item = {
        "user_id": {"S": user_id}, "todo_id": {"S": todo_id},
        "created_at": {"S": created_at}, "updated_at": {"S": updated_at},
    }
    for name, value in fields.items():
        item[name] = _typed(name, value)
    return item


def from_item(item):
    """The caller's view of an item (without user_id)."""
    todo = {
        "todo_id": item["todo_id"]["S"],
        "title": item.get("title", {}).get("S", ""),
        "notes": item["notes"]["S"] if "notes" in item else None,
        "done": bool(item.get("done", {}).get("BOOL", False)),
        "due_date": item["due_date"]["S"] if "due_date" in item else None,
        "created_at": item.get("created_at", {}).get("S"),
        "updated_at": item.get("updated_at", {}).get("S"),
    }
    return todo


def _key(user_id, todo_id):
    return {"user_id": {"S": user_id}, "todo_id": {"S": todo_id}}


def create(client, table, user_id, fields, now):
    """Store a new to-do under a new id; the stored to-do."""
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        item = to_item(user_id, ids.new_id(), fields, now, now)
        try:
            client.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(todo_id)")
        except ClientError as err:
            if error_code(err) == "ConditionalCheckFailedException" and attempt < CREATE_ATTEMPTS:
                continue  # the id is taken (practically impossible): draw another
            _raise_if_throttled(err)
            raise
        return from_item(item)
    raise AssertionError("unreachable")  # pragma: no cover


def get(client, table, user_id, todo_id):
    try:
        response = client.get_item(TableName=table, Key=_key(user_id, todo_id))
    except ClientError as err:
        _raise_if_throttled(err)
        raise
    item = response.get("Item")
    if not item:
        raise not_found("to-do not found")
    return from_item(item)


def update(client, table, user_id, todo_id, to_set, to_remove, now):
    """Set and remove fields of the caller's to-do; the updated to-do, or 404."""
    names, values, sets = {}, {}, []
    for index, (name, value) in enumerate(sorted({**to_set, "updated_at": now}.items())):
        names[f"#s{index}"] = name
        values[f":s{index}"] = {"S": value} if name == "updated_at" else _typed(name, value)
        sets.append(f"#s{index} = :s{index}")
    expression = "SET " + ", ".join(sets)
    if to_remove:
        for index, name in enumerate(sorted(to_remove)):
            names[f"#r{index}"] = name
        expression += " REMOVE " + ", ".join(f"#r{index}" for index in range(len(to_remove)))
    try:
        response = client.update_item(
            TableName=table, Key=_key(user_id, todo_id), UpdateExpression=expression,
            ConditionExpression=_EXISTS, ExpressionAttributeNames=names,
            ExpressionAttributeValues=values, ReturnValues="ALL_NEW")
    except ClientError as err:
        if error_code(err) == "ConditionalCheckFailedException":
            raise not_found("to-do not found") from None
        _raise_if_throttled(err)
        raise
    return from_item(response["Attributes"])


def delete(client, table, user_id, todo_id):
    """Delete the caller's to-do, or 404."""
    try:
        client.delete_item(TableName=table, Key=_key(user_id, todo_id), ConditionExpression=_EXISTS)
    except ClientError as err:
        if error_code(err) == "ConditionalCheckFailedException":
            raise not_found("to-do not found") from None
        _raise_if_throttled(err)
        raise


def list_page(client, table, user_id, limit, start_key=None, by_due_date=False):
    """(to-dos, LastEvaluatedKey or None): one page of the caller's to-dos, oldest first
    (by due date, earliest first, when by_due_date: to-dos without a due date are not in that index)."""
    params = {
        "TableName": table,
        "KeyConditionExpression": "#u = :u",
        "ExpressionAttributeNames": {"#u": "user_id"},
        "ExpressionAttributeValues": {":u": {"S": user_id}},
        "Limit": limit,
        "ScanIndexForward": True,
    }
    if by_due_date:
        params["IndexName"] = DUE_DATE_INDEX
    if start_key:
        params["ExclusiveStartKey"] = start_key
    try:
        response = client.query(**params)
    except ClientError as err:
        _raise_if_throttled(err)
        raise
    return [from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey") or None
