"""Unit tests for filter_plugins/dynamodb_tables.py: the dynamodb role's input checks."""

import copy

import pytest

from filter_plugins.dynamodb_tables import dynamodb_input_errors, dynamodb_table_settings

TODOS = {
    "name": "todos",
    "attributes": {"user_id": "S", "todo_id": "S", "due_date": "S"},
    "partition_key": "user_id",
    "sort_key": "todo_id",
    "global_indexes": [{"name": "by-due-date", "partition_key": "user_id", "sort_key": "due_date"}],
    "billing_mode": "PROVISIONED",
    "read_capacity": 10,
    "write_capacity": 5,
    "auto_scaling": {"min_read": 10, "max_read": 200, "min_write": 5, "max_write": 50, "target_utilization": 70},
    "stream_view_type": "NEW_AND_OLD_IMAGES",
    "stream_consumers": [{"function": "change-notifier"}],
}
EVENTS = {"name": "events", "attributes": {"event_id": "S"}, "partition_key": "event_id", "ttl_attribute": "expires_at"}


def errors_for(**changes):
    table = copy.deepcopy(TODOS)
    table.update(changes)
    return dynamodb_input_errors([table, EVENTS], "rtap-local-", 7)


def test_defaults_are_valid():
    assert dynamodb_input_errors([TODOS, EVENTS], "rtap-local-", 7) == []


@pytest.mark.parametrize("changes, expected", [
    ({"global_indexes": [{"name": "by-due", "partition_key": "user_id", "sort_key": "due"}]},
     "dynamodb_tables: table 'todos' global index 'by-due' sort_key names an unknown attribute"),
    ({"attributes": {"user_id": "S", "todo_id": "X", "due_date": "S"}},
     "dynamodb_tables: table 'todos' attribute 'todo_id' type must be S, N or B, got 'X'"),
    ({"read_capacity": 0}, "dynamodb_tables: table 'todos' read_capacity must be a whole number of at least 1, got 0"),
    ({"billing_mode": "PAY_PER_REQUEST", "auto_scaling": None},
     "dynamodb_tables: table 'todos' read_capacity is only valid with billing_mode PROVISIONED"),
    ({"ttl_attribute": "todo_id"}, "dynamodb_tables: table 'todos' ttl_attribute must not be a key attribute"),
    ({"ttl_attribute": "due_date"}, "ttl_attribute must not be a key attribute of the table or an index, got 'due_date'"),
    ({"billing_mode": "PROVISIONED", "read_capacity": None}, "read_capacity is required with billing_mode PROVISIONED"),
    ({"auto_scaling": {"min_read": 50, "max_read": 10, "min_write": 5, "max_write": 50}}, "auto_scaling.min_read must not exceed max_read"),
    ({"auto_scaling": {"min_read": 5, "max_read": 10, "min_write": 5, "max_write": 50, "target_utilization": 95}},
     "auto_scaling.target_utilization must be 20 to 90"),
    ({"stream_view_type": "DISABLED"}, "stream_consumers need a stream"),
    ({"stream_view_type": "ALL_IMAGES"}, "stream_view_type must be one of"),
    ({"local_indexes": [{"name": "by-x", "sort_key": "due_date", "projection": "INCLUDE"}]}, "projection INCLUDE needs non_key_attributes"),
    ({"sort_key": None, "local_indexes": [{"name": "by-x", "sort_key": "due_date"}]}, "needs the table to have a sort_key"),
    ({"global_indexes": [{"name": "by-due-date", "partition_key": "user_id", "read_capacity": 0}]},
     "global index 'by-due-date' of table 'todos' read_capacity must be a whole number of at least 1, got 0"),
    ({"name": "events"}, "each table name must appear once"),
])
def test_bad_input_names_the_variable(changes, expected):
    errors = errors_for(**changes)
    assert any(expected in e for e in errors), errors
    assert all(e.startswith("dynamodb_") for e in errors)


def test_capacity_with_on_demand_names_both_settings():
    errors = dynamodb_input_errors([dict(EVENTS, read_capacity=5, write_capacity=5)], "p-", 7)
    assert len(errors) == 2 and all("only valid with billing_mode PROVISIONED" in e for e in errors)


def test_retention_must_be_positive():
    assert dynamodb_input_errors([EVENTS], "p-", 0) == [
        "dynamodb_backup_retention_days: must be a whole number of days, at least 1, got 0"]


def test_numbers_given_as_strings_are_accepted():
    assert errors_for(read_capacity="10", write_capacity="5") == []


def test_settings_fill_defaults_and_protection():
    settings = dynamodb_table_settings(EVENTS, True)
    assert settings["billing_mode"] == "PAY_PER_REQUEST"
    assert settings["read_capacity"] is None and settings["auto_scaling"] is None
    assert settings["deletion_protection"] is True
    assert settings["stream_view_type"] == "DISABLED" and settings["backup"] is True
    assert dynamodb_table_settings(dict(EVENTS, deletion_protection=False), True)["deletion_protection"] is False
    todos = dynamodb_table_settings(TODOS, False)
    assert todos["global_indexes"][0]["projection"] == "ALL"
    assert todos["read_capacity"] == 10
