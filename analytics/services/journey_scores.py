"""Peak–end scores of journeys, computed with ``metrics.peak_end_frame`` over their scored moments.

Two ways in: ``journey_score_rows`` scores a batch of journeys for the incremental refresh, and
``journey_scores_rebuild`` rescores every journey (or those started since a day) in one pass:
one streamed read of the moments, one vectorised computation, one write.
"""

import io
from collections.abc import Callable, Collection
from datetime import date, datetime

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.metrics import peak_end_frame
from analytics.models import JourneyScore, StaleKind, StaleMark
from infra.days import day_start, local_day
from journeys.models import Journey
from touchpoints.models import Customer, Interaction, Touchpoint

from . import binary_copy
from .journey_paths import journey_paths_rebuild_portable, journey_paths_rebuild_postgresql

Progress = Callable[[str, int], Callable[[int], None]]

# What a JourneyScore holds besides its journey's attributes, in the order the rebuild writes it.
SCORE_COLUMNS = {
    "journey_id": "bigint",
    "moments": "integer",
    "peak": "double precision",
    "end": "double precision",
    "peak_end": "double precision",
    "mean": "double precision",
    "gap": "double precision",
    "contrast": "double precision",
    "floor_breaches": "integer",
    "peak_interaction_id": "bigint",
    "end_interaction_id": "bigint",
    "peak_touchpoint_id": "bigint",
    "end_touchpoint_id": "bigint",
}


def scored_moments(interactions: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """The scored moments among ``interactions``: with a journey and an experience score, in
    journey then time order (ties: the later-recorded last)."""
    return interactions.filter(journey__isnull=False, experience_score__isnull=False).order_by(
        "journey_id", "occurred_at", "id"
    )


def journey_moments(journey_ids: Collection[int]) -> pd.DataFrame:
    """The scored interactions of ``journey_ids`` in time order (ties: the later-recorded last).

    Columns: journey_id, position (0-based order within the journey),
    interaction_id, touchpoint_id, score, floor (NaN when the touchpoint
    has none). Two queries' worth of data, no query per journey.
    """
    return _moments_of(scored_moments(Interaction.objects.filter(journey_id__in=list(journey_ids))))


def _moments_of(moments: QuerySet[Interaction]) -> pd.DataFrame:
    rows = moments.values_list(
        "journey_id", "id", "touchpoint_id", "experience_score", "touchpoint__floor_score"
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=["journey_id", "interaction_id", "touchpoint_id", "score", "floor"]
    )
    frame["floor"] = frame["floor"].astype(float)
    frame["score"] = frame["score"].astype(float)
    frame["position"] = frame.groupby("journey_id").cumcount().astype(np.int64)
    return frame


def peak_end_of_moments(
    journey_id: np.ndarray,
    interaction_id: np.ndarray,
    touchpoint_id: np.ndarray,
    score: np.ndarray,
    floor: np.ndarray,
) -> pd.DataFrame:
    """``peak_end_frame`` of moments given in journey, then time order, with the interaction and
    touchpoint of each journey's peak and end (``SCORE_COLUMNS`` but ``journey_id``, ``moments``:
    the index and ``n``)."""
    moments = pd.DataFrame(
        {"journey_id": journey_id, "position": np.arange(len(score)), "score": score, "floor": floor},
        copy=False,
    )
    # Each moment's position is its row, so the peak and end positions index the moment columns.
    scores = peak_end_frame(moments)
    peak, end = (scores[f"{role}_position"].to_numpy(dtype=np.intp) for role in ("peak", "end"))
    return scores.assign(
        peak_interaction_id=interaction_id[peak],
        end_interaction_id=interaction_id[end],
        peak_touchpoint_id=touchpoint_id[peak],
        end_touchpoint_id=touchpoint_id[end],
    )


def journey_score_rows(journey_ids: Collection[int], *, now: datetime) -> list[JourneyScore]:
    """Unsaved ``JourneyScore`` rows of those ``journey_ids`` that exist and have a scored moment."""
    return _score_rows(journey_moments(journey_ids), now=now)


def _score_rows(moments: pd.DataFrame, *, now: datetime) -> list[JourneyScore]:
    if moments.empty:
        return []
    scores = peak_end_of_moments(
        *(moments[c].to_numpy() for c in ("journey_id", "interaction_id", "touchpoint_id", "score", "floor"))
    ).reset_index()
    journeys = {
        row["id"]: row
        for row in Journey.objects.filter(id__in=scores["journey_id"].tolist()).values(
            "id", "started_at", "journey_map_id", "customer__segment", "customer__value_tier"
        )
    }
    rows = []
    for score in scores.itertuples(index=False):
        journey = journeys.get(score.journey_id)
        if journey is None:  # deleted meanwhile
            continue
        rows.append(
            JourneyScore(
                journey_id=int(score.journey_id),
                day=local_day(journey["started_at"]),
                journey_map_id=journey["journey_map_id"],
                segment=journey["customer__segment"],
                value_tier=journey["customer__value_tier"],
                moments=int(score.n),
                peak=float(score.peak),
                end=float(score.end),
                peak_end=float(score.peak_end),
                mean=float(score.mean),
                gap=float(score.gap),
                contrast=float(score.contrast),
                floor_breaches=int(score.floor_breaches),
                peak_interaction_id=int(score.peak_interaction_id),
                end_interaction_id=int(score.end_interaction_id),
                peak_touchpoint_id=int(score.peak_touchpoint_id),
                end_touchpoint_id=int(score.end_touchpoint_id),
                computed_at=now,
            )
        )
    return rows


# --- The rebuild: every journey in one pass -----------------------------------------------------

# The moments the rebuild streams, in the order its COPY sends them.
_MOMENT_COLUMNS = {
    "journey_id": "bigint",
    "interaction_id": "bigint",
    "touchpoint_id": "bigint",
    "score": "double precision",
    "floor": "double precision",
}
_READ_BLOCK = 8 << 20  # bytes of moments scored at a time (about 135,000 moments)
_STAGING = "journey_scores_rebuilt"  # the temporary table the new rows are copied into


def journey_scores_rebuild(*, since: date | None = None, progress: Progress | None = None) -> int:
    """Recompute the ``JourneyScore`` rows of every journey, or of those started on or after
    ``since`` (a day in the platform's time zone), in one transaction; returns how many rows
    were written (the journeys with a scored moment).

    The rows are those ``journey_score_rows`` gives (``computed_at`` aside). On PostgreSQL the
    moments are read with one streamed, ordered query (binary COPY) and scored with
    ``peak_end_frame`` as they arrive; the scores are copied into a staging table, and one
    statement each deletes the rows of journeys left without a score and upserts the others,
    joined to their journey's start day, map, segment and value tier; the journeys' paths
    (``journey_paths``) are rebuilt in the same transaction. As
    ``journey_scores_refresh`` does, the journey marks of the journeys rescored are consumed
    (those a running refresh holds are left to it); every start day whose scores may have
    changed is marked for a recompute of its journey rollups. Refreshes of journey scores wait
    for the rebuild to commit; readers see the old rows until then.

    ``progress(label, total)`` is called once, with the number of journeys to rescore, and
    the callable it returns is told how many journeys were just done.
    """
    scope = Journey.objects.all()
    if since:
        scope = scope.filter(started_at__gte=day_start(since))
    total = scope.count()
    advance = progress(_("Journeys"), total) if progress else None
    done = 0

    def scored(journeys: int) -> None:
        nonlocal done
        journeys = min(journeys, total - done)  # journeys started since the count are not counted
        done += journeys
        if advance and journeys:
            advance(journeys)

    with transaction.atomic():
        if connection.vendor == "postgresql":
            written = _rebuild_postgresql(since, scored)
        else:
            written = _rebuild_portable(scope, scored)
    scored(total - done)  # the journeys without a scored moment
    return written


def _rebuild_portable(scope: QuerySet[Journey], scored: Callable[[int], None]) -> int:
    """The rebuild through the ORM, for a database without COPY (SQLite): small data only."""
    journeys = scope.values("id")
    marks = StaleMark.objects.filter(kind=StaleKind.JOURNEY, journey_id__in=journeys)
    days = set(marks.exclude(day=None).values_list("day", flat=True))
    marks.delete()
    old = JourneyScore.objects.filter(journey__in=journeys)
    days |= set(old.values_list("day", flat=True))
    rows = _score_rows(
        _moments_of(scored_moments(Interaction.objects.filter(journey__in=journeys))), now=timezone.now()
    )
    old.delete()
    JourneyScore.objects.bulk_create(rows, batch_size=500)
    scored(len(rows))
    days |= {row.day for row in rows}
    days |= journey_paths_rebuild_portable(scope)
    StaleMark.objects.bulk_create([StaleMark(kind=StaleKind.JOURNEY_DAY, day=day) for day in sorted(days)])
    return len(rows)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _rebuild_postgresql(since: date | None, scored: Callable[[int], None]) -> int:
    """The rebuild in SQL and numpy (see ``journey_scores_rebuild``), inside its transaction."""
    start = day_start(since) if since else None
    with connection.cursor() as cursor:
        # Taken first, so a refresh of journey scores waits for the rebuild to commit and
        # cannot overwrite the rebuilt rows with scores it read before them.
        cursor.execute(f"LOCK TABLE {_table(JourneyScore)} IN SHARE ROW EXCLUSIVE MODE")
        days = _journey_marks_consume(cursor, start)
        _scores_stage(cursor, _scores_streamed(cursor, start, scored))
        written, changed = _scores_replace(cursor, start)
        days |= changed
        days |= journey_paths_rebuild_postgresql(cursor, start)
        cursor.execute(
            f"INSERT INTO {_table(StaleMark)} (kind, day, marked_at) "  # noqa: S608 - names from the models
            "SELECT %s, d, %s FROM unnest(%s::date[]) AS d",
            [StaleKind.JOURNEY_DAY.value, timezone.now(), sorted(days)],
        )
    return written


def _journey_marks_consume(cursor, start: datetime | None) -> set[date]:
    """Delete the journey marks of the journeys in scope; the days they carry.

    A journey locked by a running ``journey_scores_refresh`` is skipped, marks and all: that
    refresh may write scores it read before a later change, whose mark must outlive it.
    The others stay locked until the rebuild commits, as the refresh locks its own.
    """
    since = "AND j.started_at >= %s" if start else ""
    cursor.execute(
        f"WITH consumed AS (DELETE FROM {_table(StaleMark)} WHERE id IN ("  # noqa: S608
        f"SELECT m.id FROM {_table(StaleMark)} m JOIN {_table(Journey)} j ON j.id = m.journey_id "
        f"WHERE m.kind = %s {since} FOR NO KEY UPDATE OF m, j SKIP LOCKED) RETURNING day) "
        "SELECT DISTINCT day FROM consumed WHERE day IS NOT NULL",
        [StaleKind.JOURNEY.value, *([start] if start else [])],
    )
    return {day for (day,) in cursor.fetchall()}


def _scores_streamed(cursor, start: datetime | None, scored: Callable[[int], None]) -> dict[str, np.ndarray]:
    """The ``SCORE_COLUMNS`` of every journey in scope with a scored moment: the moments read
    with one binary COPY in ``scored_moments`` order, scored a block of whole journeys at a time."""
    since = f"JOIN {_table(Journey)} j ON j.id = i.journey_id AND j.started_at >= %s" if start else ""
    query = (
        "COPY (SELECT i.journey_id::bigint, i.id::bigint, i.touchpoint_id::bigint, "  # noqa: S608
        "i.experience_score::float8, COALESCE(t.floor_score, 'NaN')::float8 "
        f"FROM {_table(Interaction)} i JOIN {_table(Touchpoint)} t ON t.id = i.touchpoint_id {since} "
        "WHERE i.journey_id IS NOT NULL AND i.experience_score IS NOT NULL "
        "ORDER BY i.journey_id, i.occurred_at, i.id) TO STDOUT (FORMAT binary)"
    )
    if start:
        query = cursor.mogrify(query, [start]).decode()
    blocks: dict[str, list[np.ndarray]] = {name: [] for name in SCORE_COLUMNS}

    def take(moments: dict[str, np.ndarray]) -> None:
        scores = peak_end_of_moments(*(moments[name] for name in _MOMENT_COLUMNS))
        blocks["journey_id"].append(scores.index.to_numpy())
        blocks["moments"].append(scores["n"].to_numpy())
        for name in list(SCORE_COLUMNS)[2:]:
            blocks[name].append(scores[name].to_numpy())
        scored(len(scores))

    reader = binary_copy.GroupedRowsReader(_MOMENT_COLUMNS, group="journey_id", take=take)
    writer = io.BufferedWriter(reader, buffer_size=_READ_BLOCK)
    cursor.copy_expert(query, writer)
    writer.flush()
    reader.finish()
    kinds = {"bigint": np.int64, "integer": np.int64, "double precision": np.float64}
    return {
        name: np.concatenate(arrays) if arrays else np.empty(0, dtype=kinds[SCORE_COLUMNS[name]])
        for name, arrays in blocks.items()
    }


def _scores_stage(cursor, scores: dict[str, np.ndarray]) -> None:
    """COPY the new scores into a temporary table (``SCORE_COLUMNS``), dropped at commit."""
    names = [connection.ops.quote_name(column) for column in SCORE_COLUMNS]
    columns = ", ".join(f"{name} {kind}" for name, kind in zip(names, SCORE_COLUMNS.values(), strict=True))
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{_STAGING}")
    cursor.execute(f"CREATE TEMPORARY TABLE {_STAGING} ({columns}) ON COMMIT DROP")
    cursor.copy_expert(
        f"COPY {_STAGING} FROM STDIN (FORMAT binary)", binary_copy.RowsWriter(SCORE_COLUMNS, scores)
    )
    cursor.execute(f"ANALYZE {_STAGING}")


def _scores_replace(cursor, start: datetime | None) -> tuple[int, set[date]]:
    """Make the score rows of the journeys in scope those staged; how many were written, and
    every day a row was on before or is on now.

    The staged rows are upserted, not deleted and inserted again: an update that keeps a
    row's foreign keys skips their checks, which cost more than the rest of the write (six
    per inserted row), so a rebuild over existing scores writes each row once, checks nothing.
    """
    scope = f"JOIN {_table(Journey)} j ON j.id = s.journey_id AND j.started_at >= %s" if start else ""
    cursor.execute(f"SELECT DISTINCT s.day FROM {_table(JourneyScore)} s {scope}", [start] if start else [])  # noqa: S608
    days = {day for (day,) in cursor.fetchall()}
    scope = (
        f"USING {_table(Journey)} j WHERE j.id = s.journey_id AND j.started_at >= %s AND"
        if start
        else "WHERE"
    )
    cursor.execute(
        f"DELETE FROM {_table(JourneyScore)} s {scope} "  # noqa: S608 - names from the models
        f"NOT EXISTS (SELECT FROM {_STAGING} r WHERE r.journey_id = s.journey_id)",
        [start] if start else [],
    )
    quote = connection.ops.quote_name
    names = [quote(column) for column in SCORE_COLUMNS]
    targets = [quote(c) for c in ("journey_id", "day", "journey_map_id", "segment", "value_tier")]
    targets += [*names[1:], "computed_at"]
    cursor.execute(
        f"WITH written AS (INSERT INTO {_table(JourneyScore)} ({', '.join(targets)}) "  # noqa: S608
        "SELECT r.journey_id, (j.started_at AT TIME ZONE %s)::date, j.journey_map_id, "
        f"c.segment, c.value_tier, {', '.join(f'r.{name}' for name in names[1:])}, %s FROM {_STAGING} r "
        f"JOIN {_table(Journey)} j ON j.id = r.journey_id JOIN {_table(Customer)} c ON c.id = j.customer_id "
        "ON CONFLICT (journey_id) DO UPDATE SET "
        f"{', '.join(f'{name} = EXCLUDED.{name}' for name in targets[1:])} RETURNING day) "
        "SELECT day, count(*) FROM written GROUP BY day",
        [timezone.get_default_timezone_name(), timezone.now()],
    )
    written = cursor.fetchall()
    return sum(count for _, count in written), days | {day for day, _ in written}
