"""DynamoDB tables declared from access patterns: input checks and module parameters.

A table (an item of ``dynamodb_tables``) names its key attributes with their types
(``attributes: {user_id: S}``), its partition and sort keys, its indexes, its
capacity, stream, recovery and expiry settings. ``dynamodb_input_errors`` checks
all of it before any AWS call; ``dynamodb_table_settings`` fills the defaults the
``dynamodb_table_config`` module needs.
"""

import re

ATTRIBUTE_TYPES = ("S", "N", "B")
BILLING_MODES = ("PAY_PER_REQUEST", "PROVISIONED")
STREAM_VIEW_TYPES = ("DISABLED", "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
PROJECTIONS = ("ALL", "KEYS_ONLY", "INCLUDE")
TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")
NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
SCALING_KEYS = ("min_read", "max_read", "min_write", "max_write")

VAR = "dynamodb_tables"


def _int(value):
    """An integer from a YAML or -e value ("5" arrives as a string); None if it is not one."""
    if isinstance(value, bool):
        return None
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _scaling_errors(where, scaling):
    errors = []
    if not isinstance(scaling, dict):
        return [f"{VAR}: {where} auto_scaling must be a mapping of {', '.join(SCALING_KEYS)}, got {scaling!r}"]
    values = {}
    for key in SCALING_KEYS:
        value = _int(scaling.get(key))
        if value is None or value < 1:
            errors.append(f"{VAR}: {where} auto_scaling.{key} must be a whole number of at least 1, got {scaling.get(key)!r}")
        values[key] = value
    for kind in ("read", "write"):
        low, high = values[f"min_{kind}"], values[f"max_{kind}"]
        if low and high and low > high:
            errors.append(f"{VAR}: {where} auto_scaling.min_{kind} must not exceed max_{kind}, got {low} > {high}")
    target = scaling.get("target_utilization", 70)
    try:
        target = float(target)
    except (TypeError, ValueError):
        target = None
    if target is None or not 20 <= target <= 90:
        errors.append(f"{VAR}: {where} auto_scaling.target_utilization must be 20 to 90 (percent), "
                      f"got {scaling.get('target_utilization')!r}")
    return errors


def _capacity_errors(where, holder, provisioned):
    errors = []
    for key in ("read_capacity", "write_capacity"):
        if key not in holder or holder[key] is None:
            if provisioned and where.startswith("table"):
                errors.append(f"{VAR}: {where} {key} is required with billing_mode PROVISIONED, got nothing")
            continue
        if not provisioned:
            errors.append(f"{VAR}: {where} {key} is only valid with billing_mode PROVISIONED "
                          f"(on-demand tables have no provisioned capacity), got {holder[key]!r}")
            continue
        value = _int(holder[key])
        if value is None or value < 1:
            errors.append(f"{VAR}: {where} {key} must be a whole number of at least 1, got {holder[key]!r}")
    if holder.get("auto_scaling"):
        if not provisioned:
            errors.append(f"{VAR}: {where} auto_scaling is only valid with billing_mode PROVISIONED, "
                          f"got {holder['auto_scaling']!r}")
        else:
            errors += _scaling_errors(where, holder["auto_scaling"])
    return errors


def _projection_errors(where, index):
    projection = index.get("projection", "ALL")
    errors = []
    if projection not in PROJECTIONS:
        errors.append(f"{VAR}: {where} projection must be one of {', '.join(PROJECTIONS)}, got {projection!r}")
    non_key = index.get("non_key_attributes") or []
    if projection == "INCLUDE" and not non_key:
        errors.append(f"{VAR}: {where} projection INCLUDE needs non_key_attributes, got none")
    if projection != "INCLUDE" and non_key:
        errors.append(f"{VAR}: {where} non_key_attributes are only valid with projection INCLUDE, got {non_key!r}")
    return errors


def dynamodb_input_errors(tables, prefix="", backup_retention_days=1):
    """Every rule the declared tables break, as '<variable>: <rule>, got <value>' messages.

    Runs before any AWS call, so bad input changes nothing.
    """
    errors = []
    if not isinstance(tables, list):
        return [f"{VAR}: must be a list of tables, got {tables!r}"]
    names = [t.get("name") for t in tables if isinstance(t, dict)]
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(f"{VAR}: each table name must appear once, got {name!r} twice")
    for table in tables:
        if not isinstance(table, dict):
            errors.append(f"{VAR}: each table must be a mapping, got {table!r}")
            continue
        name = table.get("name")
        where = f"table {name!r}"
        full = f"{prefix}{name}"
        if not name or not NAME.match(str(name)) or not 3 <= len(full) <= 255:
            errors.append(f"{VAR}: table name must use letters, digits, _ . - and give a full name of 3-255 "
                          f"characters, got {name!r}")
        attributes = table.get("attributes")
        if not isinstance(attributes, dict) or not attributes:
            errors.append(f"{VAR}: {where} attributes must map each key attribute to its type (S, N or B), "
                          f"got {attributes!r}")
            attributes = {}
        for attribute, kind in attributes.items():
            if kind not in ATTRIBUTE_TYPES:
                errors.append(f"{VAR}: {where} attribute {attribute!r} type must be S, N or B, got {kind!r}")

        keys = [("partition_key", table.get("partition_key")), ("sort_key", table.get("sort_key"))]
        if not table.get("partition_key"):
            errors.append(f"{VAR}: {where} partition_key is required, got {table.get('partition_key')!r}")
        index_names = []
        for index in table.get("global_indexes") or []:
            index_where = f"{where} global index {index.get('name')!r}"
            index_names.append(index.get("name"))
            if not index.get("partition_key"):
                errors.append(f"{VAR}: {index_where} partition_key is required, got {index.get('partition_key')!r}")
            keys += [(f"global index {index.get('name')!r} partition_key", index.get("partition_key")),
                     (f"global index {index.get('name')!r} sort_key", index.get("sort_key"))]
            errors += _projection_errors(index_where, index)
        for index in table.get("local_indexes") or []:
            index_names.append(index.get("name"))
            if not table.get("sort_key"):
                errors.append(f"{VAR}: {where} local index {index.get('name')!r} needs the table to have a sort_key, got none")
            if not index.get("sort_key"):
                errors.append(f"{VAR}: {where} local index {index.get('name')!r} sort_key is required, got nothing")
            keys.append((f"local index {index.get('name')!r} sort_key", index.get("sort_key")))
            errors += _projection_errors(f"{where} local index {index.get('name')!r}", index)
        for index_name in sorted({str(n) for n in index_names if index_names.count(n) > 1}):
            errors.append(f"{VAR}: {where} index names must be unique, got {index_name!r} twice")
        for index_name in index_names:
            if not index_name or not NAME.match(str(index_name)) or not 3 <= len(str(index_name)) <= 255:
                errors.append(f"{VAR}: {where} index name must be 3-255 letters, digits, _ . -, got {index_name!r}")

        key_attributes = set()
        for role, attribute in keys:
            if not attribute:
                continue
            key_attributes.add(attribute)
            if attribute not in attributes:
                errors.append(f"{VAR}: {where} {role} names an unknown attribute (declare it in attributes: "
                              f"{', '.join(sorted(attributes)) or 'none'}), got {attribute!r}")

        billing = table.get("billing_mode", "PAY_PER_REQUEST")
        if billing not in BILLING_MODES:
            errors.append(f"{VAR}: {where} billing_mode must be PAY_PER_REQUEST (on-demand) or PROVISIONED, got {billing!r}")
        provisioned = billing == "PROVISIONED"
        errors += _capacity_errors(where, table, provisioned)
        for index in table.get("global_indexes") or []:
            errors += _capacity_errors(f"global index {index.get('name')!r} of {where}", index, provisioned)

        stream = table.get("stream_view_type", "DISABLED")
        if stream not in STREAM_VIEW_TYPES:
            errors.append(f"{VAR}: {where} stream_view_type must be one of {', '.join(STREAM_VIEW_TYPES)}, got {stream!r}")
        ttl = table.get("ttl_attribute") or ""
        if ttl and ttl in key_attributes:
            errors.append(f"{VAR}: {where} ttl_attribute must not be a key attribute of the table or an index, got {ttl!r}")
        if table.get("table_class", "STANDARD") not in TABLE_CLASSES:
            errors.append(f"{VAR}: {where} table_class must be one of {', '.join(TABLE_CLASSES)}, got {table.get('table_class')!r}")
        for flag in ("point_in_time_recovery", "backup", "deletion_protection"):
            if flag in table and table[flag] is not None and not isinstance(table[flag], bool):
                errors.append(f"{VAR}: {where} {flag} must be true or false, got {table[flag]!r}")

        consumers = table.get("stream_consumers") or []
        for consumer in consumers:
            if not isinstance(consumer, dict) or not consumer.get("function"):
                errors.append(f"{VAR}: {where} each stream consumer needs a function, got {consumer!r}")
        if consumers and stream == "DISABLED":
            errors.append(f"{VAR}: {where} stream_consumers need a stream (stream_view_type), got DISABLED")

    retention = _int(backup_retention_days)
    if retention is None or retention < 1:
        errors.append(f"dynamodb_backup_retention_days: must be a whole number of days, at least 1, got {backup_retention_days!r}")
    return errors


def dynamodb_table_settings(table, deletion_protection=False):
    """The table with every setting the module needs, defaults filled in."""
    provisioned = table.get("billing_mode", "PAY_PER_REQUEST") == "PROVISIONED"
    settings = {
        "name": table["name"],
        "attributes": dict(table["attributes"]),
        "partition_key": table["partition_key"],
        "sort_key": table.get("sort_key") or None,
        "global_indexes": [
            {
                "name": index["name"],
                "partition_key": index["partition_key"],
                "sort_key": index.get("sort_key") or None,
                "projection": index.get("projection", "ALL"),
                "non_key_attributes": list(index.get("non_key_attributes") or []),
                "read_capacity": _int(index.get("read_capacity")) if provisioned else None,
                "write_capacity": _int(index.get("write_capacity")) if provisioned else None,
                "auto_scaling": index.get("auto_scaling") if provisioned else None,
            }
            for index in table.get("global_indexes") or []
        ],
        "local_indexes": [
            {
                "name": index["name"],
                "sort_key": index["sort_key"],
                "projection": index.get("projection", "ALL"),
                "non_key_attributes": list(index.get("non_key_attributes") or []),
            }
            for index in table.get("local_indexes") or []
        ],
        "billing_mode": table.get("billing_mode", "PAY_PER_REQUEST"),
        "read_capacity": _int(table.get("read_capacity")) if provisioned else None,
        "write_capacity": _int(table.get("write_capacity")) if provisioned else None,
        "auto_scaling": table.get("auto_scaling") if provisioned else None,
        "stream_view_type": table.get("stream_view_type", "DISABLED"),
        "point_in_time_recovery": bool(table.get("point_in_time_recovery", False)),
        "ttl_attribute": table.get("ttl_attribute") or "",
        "table_class": table.get("table_class", "STANDARD"),
        "deletion_protection": bool(deletion_protection if table.get("deletion_protection") is None
                                    else table["deletion_protection"]),
        "backup": bool(table.get("backup", True)),
        "tags": dict(table.get("tags") or {}),
        "stream_consumers": list(table.get("stream_consumers") or []),
    }
    return settings


class FilterModule:
    def filters(self):
        return {
            "dynamodb_input_errors": dynamodb_input_errors,
            "dynamodb_table_settings": dynamodb_table_settings,
        }
