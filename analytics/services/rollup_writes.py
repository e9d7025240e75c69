"""Writing rollup rows set-based: whole days recomputed with ``INSERT … SELECT``, new rows added with
an upsert, and every coarser copy derived from its fine table in SQL.

Recomputing a day deletes its rows in the fine rollups and their copies, inserts the fine rows
straight from the grouped query of ``rollup_rows`` (no row passes through Python), then each copy
from the fine rows just written (``SELECT keys, SUM(…) FROM fine … GROUP BY keys``). Adding new
rows runs the same grouped query over just those rows and adds its sums to the rows already there
(``INSERT … ON CONFLICT (key) DO UPDATE SET n = n + EXCLUDED.n``), in the fine table and in every
copy, in one statement; a refresh after a thousand new responses thus reads those thousand by
their ids instead of every row of their days. Adding needs PostgreSQL (an upsert on the
expression keys); elsewhere the refresh recomputes the days instead (``ADDS_ROWS``).
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, models
from django.db.models.functions import Coalesce

from analytics.models import (
    DriverRollup,
    InteractionRollup,
    InvitationRollup,
    JourneyRollup,
    JourneyStatusRollup,
    JourneyStepRollup,
    MomentOfTruthRollup,
    MomentStatusRollup,
    ResponseRollup,
    StaleKind,
    coarse_models_of,
    twin_columns,
)

from . import rollup_rows, survey_rollup_rows
from .rollup_rows import Scope

# The grouped queries name the survey slice's columns apart from the model's (``SLICE_COLUMNS``).
_SLICE_NAMES = {
    "day": "bucket_day",
    "survey_id": "bucket_survey",
    "touchpoint_id": "bucket_touchpoint",
    "stage": "bucket_stage",
    "channel": "bucket_channel",
    "segment": "bucket_segment",
    "value_tier": "bucket_tier",
}
_INTERACTION_NAMES = {
    "day": "bucket_day",
    "stage": "bucket_stage",
    "segment": "bucket_segment",
    "value_tier": "bucket_tier",
}


def _compiled(build: Callable[[Scope], models.QuerySet]) -> Callable[[Scope], tuple[str, tuple]]:
    return lambda scope: build(scope).query.sql_with_params()


@dataclass(frozen=True)
class FineSource:
    """A fine rollup, the grouped query of its rows over a scope, and that query's column names."""

    model: type[models.Model]
    select: Callable[[Scope], tuple[str, tuple]]
    names: dict[str, str] = field(default_factory=dict)

    def outputs(self) -> list[tuple[str, str]]:
        """(rollup column, the grouped query's output as ``q.<name>``), quoted, in the model's order."""
        keys, sums = twin_columns(self.model)
        return [(_quote(column), f"q.{_quote(self.names.get(column, column))}") for column in (*keys, *sums)]


_RESPONSES = FineSource(ResponseRollup, _compiled(rollup_rows.response_rollup_query), _SLICE_NAMES)
_DRIVERS = FineSource(DriverRollup, survey_rollup_rows.driver_rollup_sql, _SLICE_NAMES)
_INTERACTIONS = FineSource(
    InteractionRollup, _compiled(rollup_rows.interaction_rollup_query), _INTERACTION_NAMES
)
_INVITATIONS = FineSource(
    InvitationRollup, _compiled(survey_rollup_rows.invitation_rollup_query), _SLICE_NAMES
)

# Day kind → the fine rollups a recompute of its days writes from SQL (journey days: from Python).
DAY_SOURCES: dict[str, tuple[FineSource, ...]] = {
    StaleKind.RESPONSE_DAY: (_RESPONSES, _DRIVERS),
    StaleKind.INTERACTION_DAY: (_INTERACTIONS,),
    StaleKind.INVITATION_DAY: (_INVITATIONS,),
    StaleKind.JOURNEY_DAY: (),
}
# Row kind → the fine rollups its new rows add to.
ROW_SOURCES: dict[str, tuple[FineSource, ...]] = {
    StaleKind.RESPONSE_ROW: (_RESPONSES, _DRIVERS),
    StaleKind.INTERACTION_ROW: (_INTERACTIONS,),
    StaleKind.INVITATION_SENT: (
        FineSource(
            InvitationRollup,
            _compiled(lambda scope: survey_rollup_rows.invitation_rollup_query(scope, counts="sent")),
            _SLICE_NAMES,
        ),
    ),
    StaleKind.INVITATION_ANSWERED: (
        FineSource(
            InvitationRollup,
            _compiled(lambda scope: survey_rollup_rows.invitation_rollup_query(scope, counts="answered")),
            _SLICE_NAMES,
        ),
    ),
}
JOURNEY_MODELS = (
    JourneyRollup,
    MomentOfTruthRollup,
    JourneyStepRollup,
    JourneyStatusRollup,
    MomentStatusRollup,
)


def adds_rows() -> bool:
    """Whether new rows can be added to the rollups (else their days are recomputed)."""
    return connection.vendor == "postgresql"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type[models.Model]) -> str:
    return _quote(model._meta.db_table)


def _days_sql(days: Collection[date]) -> tuple[str, list]:
    """``day`` is one of ``days`` (a list the planner turns into index lookups of each day)."""
    days = sorted(set(days))
    if not days:
        return "FALSE", []
    return f"day IN ({', '.join(['%s'] * len(days))})", days


def _run(sql: str, params: Iterable = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall() if cursor.description else []


def models_of(kind: str) -> tuple[type[models.Model], ...]:
    """Every table a recompute of ``kind`` days rewrites: its fine rollups, then their copies."""
    fine = tuple(source.model for source in DAY_SOURCES[kind]) or JOURNEY_MODELS
    return fine + tuple(copy for model in fine for copy in coarse_models_of(model))


def _copies_insert(fine: type[models.Model], where: str, params: list) -> None:
    for copy in coarse_models_of(fine):
        keys, sums = twin_columns(copy)
        key_sql = ", ".join(_quote(key) for key in keys)
        sum_sql = ", ".join(f"SUM({_quote(name)})" for name in sums)
        columns = ", ".join(_quote(column) for column in (*keys, *sums))
        _run(
            f"INSERT INTO {_table(copy)} ({columns}) "  # noqa: S608 -- names from the models
            f"SELECT {key_sql}, {sum_sql} FROM {_table(fine)} WHERE {where} GROUP BY {key_sql}",
            params,
        )


def days_recompute(kind: str, days: list[date], *, journey_rows: Callable | None = None) -> dict[date, int]:
    """Replace the rollup rows of ``days`` (fine and copies) with those of the source rows now.

    Returns the rows each day holds afterwards. Journey days take their fine rows from
    ``journey_rows(days)`` (unsaved instances), the others from SQL.
    """
    where, params = _days_sql(days)
    for model in models_of(kind):
        _run(f"DELETE FROM {_table(model)} WHERE {where}", params)  # noqa: S608
    sources = DAY_SOURCES[kind]
    if sources:
        scope = rollup_rows.scope_of(days)
        for source in sources:
            sql, select_params = source.select(scope)
            columns = ", ".join(column for column, _ in source.outputs())
            outputs = ", ".join(output for _, output in source.outputs())
            _run(
                f"INSERT INTO {_table(source.model)} ({columns}) SELECT {outputs} FROM ({sql}) q",  # noqa: S608
                select_params,
            )
    elif journey_rows:
        rows = journey_rows(days)
        for model in JOURNEY_MODELS:
            model.objects.bulk_create([row for row in rows if isinstance(row, model)], batch_size=2000)
    fine = tuple(source.model for source in sources) or JOURNEY_MODELS
    for model in fine:
        _copies_insert(model, where, params)
    return rows_held(kind, days)


def rows_held(kind: str, days: list[date]) -> dict[date, int]:
    """The rollup rows (fine and copies) each of ``days`` holds for ``kind``."""
    where, params = _days_sql(days)
    held: dict[date, int] = dict.fromkeys(days, 0)
    for model in models_of(kind):
        for day, count in _run(
            f"SELECT day, COUNT(*) FROM {_table(model)} WHERE {where} GROUP BY day",  # noqa: S608
            params,
        ):
            held[date.fromisoformat(day) if isinstance(day, str) else day] += count
    return held


def _conflict_target(model: type[models.Model]) -> str:
    """The columns and expressions of the model's unique key, as ``ON CONFLICT`` names them."""
    (constraint,) = [c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    if constraint.fields:
        return ", ".join(_quote(model._meta.get_field(name).column) for name in constraint.fields)
    parts = []
    for expression in constraint.expressions:
        if isinstance(expression, Coalesce):
            column, default = expression.get_source_expressions()
            parts.append(
                f"COALESCE({_quote(model._meta.get_field(column.name).column)}, {int(default.value)})"
            )
        else:
            parts.append(_quote(model._meta.get_field(expression.name).column))
    return ", ".join(parts)


def _upsert(model: type[models.Model], *, grouped: bool) -> str:
    """``INSERT … SELECT`` of ``model``'s rows from the CTE ``delta`` (summed by the model's key
    when ``grouped``), adding the sums to a row that exists; returns each row's day and whether
    it is new."""
    keys, sums = twin_columns(model)
    key_sql = ", ".join(_quote(key) for key in keys)
    values = ", ".join(f"SUM({_quote(name)})" if grouped else _quote(name) for name in sums)
    added = ", ".join(f"{_quote(name)} = r.{_quote(name)} + EXCLUDED.{_quote(name)}" for name in sums)
    columns = ", ".join(_quote(column) for column in (*keys, *sums))
    return (
        f"INSERT INTO {_table(model)} AS r ({columns}) "  # noqa: S608 -- names from the models
        f"SELECT {key_sql}, {values} FROM delta {'GROUP BY ' + key_sql if grouped else ''} "
        f"ON CONFLICT ({_conflict_target(model)}) DO UPDATE SET {added} "
        f"RETURNING r.day, (r.xmax = 0) AS added"
    )


def rows_add(kind: str, scope: Scope) -> dict[date, int]:
    """Add the sums of the new rows ``scope.ids`` of row kind ``kind`` to their days' rollup rows
    (fine and copies), one statement per fine rollup; returns the rows each day gained."""
    gained: dict[date, int] = defaultdict(int)
    for source in ROW_SOURCES[kind]:
        sql, params = source.select(scope)
        delta = ", ".join(f"{output} AS {column}" for column, output in source.outputs())
        writes = [("f", _upsert(source.model, grouped=False))]
        writes += [
            (f"c{index}", _upsert(copy, grouped=True))
            for index, copy in enumerate(coarse_models_of(source.model))
        ]
        ctes = ", ".join(f"{name} AS ({statement})" for name, statement in writes)
        union = " UNION ALL ".join(f"SELECT day, added FROM {name}" for name, _ in writes)  # noqa: S608
        statement = (
            f"WITH delta AS MATERIALIZED (SELECT {delta} FROM ({sql}) q), {ctes} "  # noqa: S608
            f"SELECT day, COUNT(*) FILTER (WHERE added) FROM ({union}) a GROUP BY day"
        )
        for day, count in _run(statement, params):
            gained[day] += count
    return dict(gained)


def _grouped(rows: Iterable[models.Model]) -> dict[type, dict[tuple, list]]:
    """Per model and key, the sums of the unsaved rollup rows ``rows``."""
    groups: dict[type, dict[tuple, list]] = defaultdict(dict)
    for row in rows:
        keys, sums = twin_columns(type(row))
        totals = groups[type(row)].setdefault(tuple(getattr(row, name) for name in keys), [0] * len(sums))
        for index, name in enumerate(sums):
            totals[index] += getattr(row, name)
    return groups


def _values_cte(model: type[models.Model], groups: dict[tuple, list]) -> tuple[str, list]:
    """``delta AS (…)``: the rows of ``groups`` as a typed ``VALUES`` list, named as the model's columns."""
    keys, sums = twin_columns(model)
    fields = [model._meta.get_field(name.removesuffix("_id")) for name in (*keys, *sums)]
    casts = ", ".join(
        f"v{index}::{field.cast_db_type(connection)} AS {_quote(field.column)}"
        for index, field in enumerate(fields)
    )
    names = ", ".join(f"v{index}" for index in range(len(fields)))
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [value for key, totals in groups.items() for value in (*key, *totals)]
    rows = ", ".join([row] * len(groups))
    return (
        f"delta AS MATERIALIZED (SELECT {casts} FROM (VALUES {rows}) AS v ({names}))",  # noqa: S608
        params,
    )


def _zero_rows_delete(model: type[models.Model], days: list[date]) -> None:
    """Drop the rows of ``days`` whose sums are all zero (what a recompute would not write)."""
    _, sums = twin_columns(model)
    where, params = _days_sql(days)
    zero = " AND ".join(f"{_quote(name)} = 0" for name in sums)
    _run(f"DELETE FROM {_table(model)} WHERE ({where}) AND {zero}", params)  # noqa: S608


def _keyed(model: type[models.Model], column: str, alias: str) -> str:
    """``alias.column`` as the model's unique key holds it: inside ``COALESCE`` when it is."""
    (constraint,) = [c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    for expression in constraint.expressions:
        if isinstance(expression, Coalesce):
            field, default = expression.get_source_expressions()
            if model._meta.get_field(field.name).column == column:
                return f"COALESCE({alias}.{_quote(column)}, {int(default.value)})"
    return f"{alias}.{_quote(column)}"


def _subtract(model: type[models.Model], *, grouped: bool) -> str:
    """``UPDATE`` of ``model``'s rows taking away the sums of the CTE ``delta`` (summed by the
    model's key when ``grouped``); the rows exist, since they count what is taken away."""
    keys, sums = twin_columns(model)
    key_sql = ", ".join(_quote(key) for key in keys)
    values = ", ".join(f"SUM({_quote(name)}) AS {_quote(name)}" if grouped else _quote(name) for name in sums)
    source = f"SELECT {key_sql}, {values} FROM delta {'GROUP BY ' + key_sql if grouped else ''}"  # noqa: S608
    taken = ", ".join(f"{_quote(name)} = r.{_quote(name)} - d.{_quote(name)}" for name in sums)
    # Matched as the unique key has them (COALESCE(col, 0) for a nullable column): its index finds each row.
    match = " AND ".join(f"{_keyed(model, key, 'r')} = {_keyed(model, key, 'd')}" for key in keys)
    return f"UPDATE {_table(model)} AS r SET {taken} FROM ({source}) d WHERE {match} RETURNING r.day"  # noqa: S608


def journey_rows_add(before: Iterable[models.Model], after: Iterable[models.Model]) -> None:
    """Turn the journey rollups (fine and copies) from counting the journey scores ``before``
    into counting ``after`` (the rows of both, from ``rollup_rows.journey_rollup_rows_of``, of the
    same journeys): take the old sums away, then add the new ones (PostgreSQL). A CHECK holds
    every count non-negative, so the two steps are two statements; rows left at zero go."""
    old, new = _grouped(before), _grouped(after)
    for model in JOURNEY_MODELS:
        copies = coarse_models_of(model)
        for groups, write in ((old.get(model), _subtract), (new.get(model), _upsert)):
            if not groups:
                continue
            delta, params = _values_cte(model, groups)
            writes = [("f", write(model, grouped=False))]
            writes += [(f"c{index}", write(copy, grouped=True)) for index, copy in enumerate(copies)]
            ctes = ", ".join(f"{name} AS ({statement})" for name, statement in writes)
            _run(f"WITH {delta}, {ctes} SELECT 1", params)
        at = twin_columns(model)[0].index("day")
        days = sorted({key[at] for groups in (old.get(model, {}), new.get(model, {})) for key in groups})
        for table in (model, *copies):
            _zero_rows_delete(table, days)
