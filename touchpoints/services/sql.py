"""Set-based writes without a model instance per row, on PostgreSQL.

A thousand ``Model()`` instances and the ORM's per-value preparation cost
more than the database's own work for the batch; these helpers send one
statement with one array per column (``UNNEST``), as ``bulk_create`` itself
does on PostgreSQL, minus the per-row Python. Elsewhere (SQLite, the embedded
default) they return ``None`` and the caller uses the ORM.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def _array_type(model: type[Model], column: str) -> str:
    field = next(f for f in model._meta.concrete_fields if f.column == column)
    target = field.target_field if field.is_relation else field
    return target.db_type(connection).split("(")[0]  # varchar[], not varchar(100)[]


def _arrays(model: type[Model], columns: Sequence[str]) -> str:
    return ", ".join(f"%s::{_array_type(model, column)}[]" for column in columns)


def insert_returning_ids(
    model: type[Model], columns: Sequence[str], rows: Sequence[Sequence]
) -> list[int] | None:
    """INSERT ``rows`` (tuples in ``columns`` order) in one statement; their new ids, in order.

    None when the database is not PostgreSQL (use ``bulk_create``).
    """
    if connection.vendor != "postgresql":
        return None
    if not rows:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    sql = f"INSERT INTO {table} ({names}) SELECT * FROM UNNEST({_arrays(model, columns)}) RETURNING id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(values) for values in zip(*rows, strict=True)])
        return [row[0] for row in cursor.fetchall()]


def update_by_id(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence]) -> bool:
    """UPDATE the rows whose id is each row's first value, setting ``columns`` (the rest), in one
    statement. False when the database is not PostgreSQL (use ``bulk_update``)."""
    if connection.vendor != "postgresql":
        return False
    if not rows:
        return True
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = [connection.ops.quote_name(column) for column in columns]
    assignments = ", ".join(f"{name} = v.{name}" for name in quoted)
    arrays = _arrays(model, ["id", *columns])
    sql = (
        f"UPDATE {table} AS t SET {assignments} "  # noqa: S608 - names come from the model
        f"FROM UNNEST({arrays}) AS v(id, {', '.join(quoted)}) WHERE t.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(values) for values in zip(*rows, strict=True)])
    return True
