"""Journey paths (``JourneyPath``, ``JourneyPathStep``): which steps of its map each journey reached,
the time to the next step, and its status — what the funnel and outcome rollups count.

Recomputed with the journey's peak–end score: ``journey_paths_replace`` for the journeys a refresh
consumes the marks of (``freshness.journey_scores_refresh``), ``journey_paths_rebuild`` with
``journey_scores_rebuild``. The per-journey maths is ``metrics.journey_step_frame``; the rebuild on
PostgreSQL does the same in SQL (``width_bucket`` over the same integer bin edges), and the tests
hold the two side by side.
"""

from collections.abc import Collection
from datetime import date, datetime

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone

from analytics.metrics import STEP_TIME_EDGES_US, journey_step_frame
from analytics.models import JourneyPath, JourneyPathStep
from infra.days import local_day
from journeys.models import Journey, JourneyMapStep
from touchpoints.models import Customer, Interaction

_NO_NEXT = -1
_PATH_COLUMNS = ("day", "journey_map_id", "segment", "value_tier", "status")


def _map_steps(map_ids: Collection[int]) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], int]]:
    """Each (map, touchpoint)'s position, and each (map, position)'s next position on the map."""
    position_of: dict[tuple[int, int], int] = {}
    next_of: dict[tuple[int, int], int] = {}
    by_map: dict[int, list[int]] = {}
    steps = JourneyMapStep.objects.filter(journey_map_id__in=list(map_ids))
    for map_id, touchpoint_id, position in steps.values_list("journey_map_id", "touchpoint_id", "position"):
        position_of[(map_id, touchpoint_id)] = position
        by_map.setdefault(map_id, []).append(position)
    for map_id, positions in by_map.items():
        ordered = sorted(positions)
        for here, following in zip(ordered, [*ordered[1:], _NO_NEXT], strict=True):
            next_of[(map_id, here)] = following
    return position_of, next_of


def _path_rows(journeys: QuerySet[Journey]) -> tuple[list[JourneyPath], list[JourneyPathStep]]:
    """Unsaved paths and steps of ``journeys`` (three queries, no query per journey)."""
    rows = list(
        journeys.order_by().values(
            "id",
            "started_at",
            "journey_map_id",
            "status",
            segment=F("customer__segment"),
            value_tier=F("customer__value_tier"),
        )
    )
    paths = [
        JourneyPath(
            journey_id=row["id"],
            day=local_day(row["started_at"]),
            journey_map_id=row["journey_map_id"],
            segment=row["segment"],
            value_tier=row["value_tier"],
            status=row["status"],
        )
        for row in rows
    ]
    map_of = {row["id"]: row["journey_map_id"] for row in rows if row["journey_map_id"] is not None}
    if not map_of:
        return paths, []
    position_of, next_of = _map_steps(set(map_of.values()))
    moments = []
    for journey_id, touchpoint_id, occurred_at in (
        Interaction.objects.filter(journey_id__in=journeys.values("id"))
        .order_by()
        .values_list("journey_id", "touchpoint_id", "occurred_at")
    ):
        map_id = map_of.get(journey_id)
        position = position_of.get((map_id, touchpoint_id))
        if position is not None:
            moments.append((journey_id, position, next_of[(map_id, position)], occurred_at))
    frame = pd.DataFrame(moments, columns=["journey_id", "position", "next_position", "occurred_at"])
    frame["occurred_us"] = _microseconds(frame.pop("occurred_at"))
    steps = journey_step_frame(frame)
    return paths, [
        JourneyPathStep(path_id=journey_id, position=position, next_bin=None if next_bin < 0 else next_bin)
        for journey_id, position, next_bin in steps.itertuples(index=False)
    ]


def _microseconds(moments: pd.Series) -> np.ndarray:
    """Aware datetimes as int64 microseconds since the epoch (exact)."""
    if moments.empty:
        return np.empty(0, dtype=np.int64)
    return pd.to_datetime(moments, utc=True).astype("datetime64[us, UTC]").astype(np.int64).to_numpy()


def _write(paths: list[JourneyPath], steps: list[JourneyPathStep]) -> None:
    JourneyPath.objects.bulk_create(paths, batch_size=2000)
    JourneyPathStep.objects.bulk_create(steps, batch_size=5000)


def journey_paths_replace(*, journey_ids: Collection[int]) -> set[date]:
    """Recompute the paths of ``journey_ids`` (those that still exist) in the caller's transaction;
    returns every day a path of theirs was on before or is on now."""
    ids = sorted(set(journey_ids))
    old = JourneyPath.objects.filter(journey_id__in=ids)
    days = set(old.values_list("day", flat=True))
    paths, steps = _path_rows(Journey.objects.filter(id__in=ids))
    JourneyPathStep.objects.filter(path_id__in=ids).delete()
    old.delete()
    _write(paths, steps)
    return days | {path.day for path in paths}


def journey_paths_rebuild_portable(journeys: QuerySet[Journey]) -> set[date]:
    """The rebuild through the ORM (SQLite): recompute the paths of ``journeys``; the days touched."""
    old = JourneyPath.objects.filter(journey__in=journeys.values("id"))
    days = set(old.values_list("day", flat=True))
    paths, steps = _path_rows(journeys)
    JourneyPathStep.objects.filter(path_id__in=journeys.values("id")).delete()
    old.delete()
    _write(paths, steps)
    return days | {path.day for path in paths}


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def journey_paths_rebuild_postgresql(cursor, start: datetime | None) -> set[date]:
    """Recompute the paths of every journey (started at or after ``start``) in SQL, inside the
    caller's transaction; returns every day a path in scope was on before or is on now.

    Paths are upserted (an update that keeps its foreign keys checks none); steps are deleted and
    inserted again (they have no foreign key to check): one statement each.
    """
    journey, path, step = _table(Journey), _table(JourneyPath), _table(JourneyPathStep)
    since = [start] if start else []
    scope = f"JOIN {journey} j ON j.id = p.journey_id AND j.started_at >= %s" if start else ""
    cursor.execute(f"SELECT DISTINCT p.day FROM {path} p {scope}", since)  # noqa: S608 - names from the models
    days = {day for (day,) in cursor.fetchall()}
    if start:
        cursor.execute(
            f"DELETE FROM {step} s USING {journey} j WHERE j.id = s.journey_id AND j.started_at >= %s",  # noqa: S608
            since,
        )
    else:
        cursor.execute(f"DELETE FROM {step}")  # noqa: S608 - every step, orphans included
    where = "WHERE j.started_at >= %s" if start else ""
    cursor.execute(
        f"WITH written AS (INSERT INTO {path} (journey_id, {', '.join(_PATH_COLUMNS)}) "  # noqa: S608
        "SELECT j.id, (j.started_at AT TIME ZONE %s)::date, j.journey_map_id, c.segment, c.value_tier, "
        f"j.status FROM {journey} j JOIN {_table(Customer)} c ON c.id = j.customer_id {where} "
        "ON CONFLICT (journey_id) DO UPDATE SET "
        f"{', '.join(f'{column} = EXCLUDED.{column}' for column in _PATH_COLUMNS)} "
        "RETURNING day) SELECT DISTINCT day FROM written",
        [timezone.get_default_timezone_name(), *since],
    )
    days |= {day for (day,) in cursor.fetchall()}
    _steps_insert(cursor, start)
    return days


def _steps_insert(cursor, start: datetime | None) -> None:
    """Every path step of the journeys in scope, as ``metrics.journey_step_frame`` makes them."""
    journey, map_step = _table(Journey), _table(JourneyMapStep)
    since = "AND j.started_at >= %s" if start else ""
    cursor.execute(
        "WITH firsts AS (SELECT i.journey_id, j.journey_map_id, s.position, "  # noqa: S608
        "MIN(i.occurred_at) AS reached_at "
        f"FROM {_table(Interaction)} i JOIN {journey} j ON j.id = i.journey_id {since} "
        f"JOIN {map_step} s ON s.journey_map_id = j.journey_map_id AND s.touchpoint_id = i.touchpoint_id "
        "GROUP BY i.journey_id, j.journey_map_id, s.position), "
        "following AS (SELECT journey_map_id, position, "
        "LEAD(position) OVER (PARTITION BY journey_map_id ORDER BY position) AS next_position "
        f"FROM {map_step}) "
        f"INSERT INTO {_table(JourneyPathStep)} (journey_id, position, next_bin) "
        "SELECT f.journey_id, f.position, CASE WHEN n.reached_at IS NULL THEN NULL ELSE width_bucket("
        "GREATEST(0, (EXTRACT(EPOCH FROM n.reached_at - f.reached_at) * 1000000)::bigint), %s::bigint[]) END "
        "FROM firsts f JOIN following x ON x.journey_map_id = f.journey_map_id AND x.position = f.position "
        "LEFT JOIN firsts n ON n.journey_id = f.journey_id AND n.position = x.next_position",
        [*([start] if start else []), list(STEP_TIME_EDGES_US)],
    )
