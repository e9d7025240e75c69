"""Keeping rollups and journey scores fresh: mark what changed, recompute it from the source rows.

The protocol
------------
1. A writer that adds, changes or deletes responses, interactions or
   journeys calls ``metrics_mark_stale`` inside its own transaction. It only
   inserts ``StaleMark`` rows (no writer ever waits on another) and asks for
   a refresh once the transaction commits.
2. ``metrics_refresh_stale`` (a task after each commit, and beat every
   minute) recomputes what is marked: journey scores first, then the day
   buckets of responses, interactions and journeys.
3. A day bucket is refreshed in one transaction that locks its
   ``RollupBucket`` row, deletes the marks it can see, recomputes the day
   from the source rows and replaces the day's rollup rows, and those of their
   coarser copies (``rollup_twins``). The lock makes
   concurrent refreshes of one day take turns; the recompute reads after the
   marks were deleted, so every change whose mark was consumed is included,
   and a change committed later leaves a mark for the next refresh. Running it
   twice, late, or concurrently therefore gives the same table.
"""

import time
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.models import (
    DAY_KINDS,
    ROW_KINDS,
    JourneyPath,
    JourneyPathStep,
    JourneyScore,
    RollupBucket,
    StaleKind,
    StaleMark,
)
from infra.days import local_day
from journeys.models import Journey
from surveys.models import Invitation, Response
from touchpoints.models import Interaction

from . import rollup_rows, rollup_writes
from .follow_up_triggers import follow_ups_open_for
from .journey_paths import journey_paths_replace
from .journey_scores import journey_score_rows, journey_scores_rebuild
from .rollup_rows import Scope, scope_of

# How many days one refresh transaction recomputes, and how many journeys.
DAY_BATCH = 31
# How many days one rebuild statement recomputes. Each grouped query joins its source tables
# whole (hash joins: a few days' rows meet every answer, invitation and customer), so fewer,
# larger ranges cost less; a year at 10M responses is one statement per rollup.
REBUILD_BATCH = 400
JOURNEY_BATCH = 2000
# The mark kinds a refresh of each day kind consumes: its day marks and its row marks.
_FAMILY = {kind: (kind, *ROW_KINDS[kind]) for kind in DAY_KINDS}


def _locked_buckets(kind: str, days: list[date]) -> dict[date, RollupBucket]:
    RollupBucket.objects.bulk_create(
        [RollupBucket(kind=kind, day=day) for day in days], ignore_conflicts=True
    )
    return {
        bucket.day: bucket
        for bucket in RollupBucket.objects.select_for_update().filter(kind=kind, day__in=days).order_by("day")
    }


def _consume_marks(kind: str, days: list[date]) -> list[tuple[str, date, int | None]]:
    """Delete and return the marks of ``kind``'s family on ``days``: (kind, day, row id)."""
    marks = list(
        StaleMark.objects.filter(kind__in=_FAMILY[kind], day__in=days).values_list(
            "id", "kind", "day", "row_id"
        )
    )
    StaleMark.objects.filter(id__any=[mark_id for mark_id, *_ in marks]).delete()
    return [(mark_kind, day, row_id) for _, mark_kind, day, row_id in marks]


@transaction.atomic
def rollup_refresh_days(*, kind: str, days: Collection[date], force: bool = False) -> int:
    """Bring the ``kind`` rollups of ``days`` up to date; returns the rollup rows written.

    A day with a day mark (or every day, with ``force``) is recomputed from its source rows; on a
    day with only row marks, the marked new rows are added to the rows it has. Without ``force``
    only days still marked once their buckets are locked are touched (another refresh may have
    done the rest). Also opens the follow-up cases the recomputed days or the new rows call for.
    """
    kind = StaleKind(kind)
    days = sorted(set(days))
    if not days:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The grouped queries are short and run once: compiling them (JIT) costs more than it saves.
            cursor.execute("SET LOCAL jit = off")
            # A refresh lost in a crash is lost with the marks it consumed, which come back with it:
            # the next refresh redoes it. So its commit need not wait for the disk.
            cursor.execute("SET LOCAL synchronous_commit = off")
    buckets = _locked_buckets(kind, days)
    marks = _consume_marks(kind, days)
    whole = set(days) if force else {day for mark_kind, day, _ in marks if mark_kind == kind}
    new_rows: dict[str, set[int]] = defaultdict(set)
    added_days: dict[str, set[date]] = defaultdict(set)
    for mark_kind, day, row_id in marks:
        if mark_kind != kind and day not in whole:
            new_rows[mark_kind].add(row_id)
            added_days[mark_kind].add(day)
    if not rollup_writes.adds_rows():
        whole |= {day for row_days in added_days.values() for day in row_days}
        new_rows.clear()
    now = timezone.now()
    written = 0
    if whole:
        held = rollup_writes.days_recompute(kind, sorted(whole), journey_rows=rollup_rows.journey_rollup_rows)
        for day, rows in held.items():
            buckets[day].rows = rows
            written += rows
        follow_ups_open_for(kind=kind, scope=scope_of(whole), now=now)
    for row_kind, ids in new_rows.items():
        scope = Scope(days=tuple(sorted(added_days[row_kind] - whole)), ids=tuple(sorted(ids)))
        for day, rows in rollup_writes.rows_add(row_kind, scope).items():
            buckets[day].rows += rows
            written += rows
        follow_ups_open_for(kind=kind, scope=scope, now=now)
    touched = whole | {day for row_days in added_days.values() for day in row_days}
    for day in touched:
        buckets[day].refreshed_at = now
    RollupBucket.objects.bulk_update([buckets[day] for day in sorted(touched)], ["refreshed_at", "rows"])
    return written


@transaction.atomic
def journey_scores_refresh(*, journey_ids: Collection[int], force: bool = False) -> int:
    """Recompute the peak–end scores of ``journey_ids``; returns how many journeys have a score.

    Locks the journeys (``FOR NO KEY UPDATE``: interactions can still be
    added meanwhile, they leave a mark), consumes their marks and replaces their
    ``JourneyScore`` rows and their paths (``journey_paths``: steps reached, status). The journey
    rollups of their start days then count the new
    scores instead of the old: on PostgreSQL by adding the difference, under the days'
    bucket locks (a day still marked for a recompute is left to it); elsewhere by marking
    the days. Without ``force`` only journeys still marked are recomputed.
    """
    ids = sorted(set(journey_ids))
    existing = set(
        Journey.objects.select_for_update(no_key=True)
        .filter(id__in=ids)
        .order_by("id")
        .values_list("id", flat=True)
    )
    marks = list(
        StaleMark.objects.filter(kind=StaleKind.JOURNEY, journey_id__in=ids).values_list(
            "id", "journey_id", "day"
        )
    )
    StaleMark.objects.filter(id__in=[mark_id for mark_id, _, _ in marks]).delete()
    if not force:
        ids = sorted({journey_id for _, journey_id, _ in marks})
    if not ids:
        return 0
    days = {day for _, _, day in marks if day is not None}
    # A deleted journey took its score with it: what it counted is found by recomputing its day.
    gone = sorted({day for _, journey_id, day in marks if journey_id not in existing and day is not None})
    StaleMark.objects.bulk_create([StaleMark(kind=StaleKind.JOURNEY_DAY, day=day) for day in gone])
    days |= set(JourneyScore.objects.filter(journey_id__in=ids).values_list("day", flat=True))
    of_these = JourneyScore.objects.filter(journey_id__in=ids)  # read anew each time it is used
    before = rollup_rows.journey_rows_of_journeys(ids) if rollup_writes.adds_rows() else []
    scores = journey_score_rows(ids, now=timezone.now())
    of_these.delete()
    JourneyScore.objects.bulk_create(scores, batch_size=2000)
    days |= {score.day for score in scores}
    # Their paths too: a journey's status or steps change without its score changing.
    days |= journey_paths_replace(journey_ids=ids)
    if rollup_writes.adds_rows():
        _journey_days_add(sorted(days), before, rollup_rows.journey_rows_of_journeys(ids))
    else:
        StaleMark.objects.bulk_create(
            [StaleMark(kind=StaleKind.JOURNEY_DAY, day=day) for day in sorted(days)]
        )
    return len(scores)


def _journey_days_add(days: list[date], before: list, after: list) -> None:
    """Apply the change of journey scores to the journey rollups of ``days`` not marked for a
    recompute (which would include it), under their bucket locks."""
    if not days:
        return
    buckets = _locked_buckets(StaleKind.JOURNEY_DAY, days)
    pending = set(
        StaleMark.objects.filter(kind=StaleKind.JOURNEY_DAY, day__in=days).values_list("day", flat=True)
    )
    added = [day for day in days if day not in pending]
    rollup_writes.journey_rows_add(
        [row for row in before if row.day not in pending], [row for row in after if row.day not in pending]
    )
    now = timezone.now()
    for day, rows in rollup_writes.rows_held(StaleKind.JOURNEY_DAY, added).items():
        buckets[day].rows, buckets[day].refreshed_at = rows, now
    RollupBucket.objects.bulk_update([buckets[day] for day in added], ["refreshed_at", "rows"])


@dataclass
class RefreshReport:
    journeys: int = 0
    days: dict[str, int] = field(default_factory=dict)
    rows: int = 0
    complete: bool = True


def metrics_refresh_stale(*, budget_seconds: float = 200.0) -> RefreshReport:
    """Recompute everything marked stale: journeys first, then day buckets, oldest first.

    Stops starting new batches after ``budget_seconds`` (below the task time
    limit) and says so with ``complete=False``; what is left stays marked.
    """
    deadline = time.monotonic() + budget_seconds
    report = RefreshReport()
    while True:
        if time.monotonic() > deadline:
            report.complete = False
            return report
        ids = list(
            StaleMark.objects.filter(kind=StaleKind.JOURNEY)
            .values_list("journey_id", flat=True)
            .distinct()
            .order_by("journey_id")[:JOURNEY_BATCH]
        )
        if not ids:
            break
        journey_scores_refresh(journey_ids=ids)
        report.journeys += len(ids)
    for kind in DAY_KINDS:
        while True:
            if time.monotonic() > deadline:
                report.complete = False
                return report
            days = list(
                StaleMark.objects.filter(kind__in=_FAMILY[kind])
                .values_list("day", flat=True)
                .distinct()
                .order_by("day")[:DAY_BATCH]
            )
            if not days:
                break
            report.rows += rollup_refresh_days(kind=kind, days=days)
            report.days[kind] = report.days.get(kind, 0) + len(days)
    return report


def _span(kind: str, since: date | None) -> list[date]:
    """Every day from ``since`` (else the first day with data or rollups) to the last such day."""
    models = rollup_writes.models_of(kind)
    firsts, lasts = [], []
    source = {
        StaleKind.RESPONSE_DAY: (Response.objects, "submitted_at"),
        StaleKind.INTERACTION_DAY: (Interaction.objects, "occurred_at"),
        StaleKind.JOURNEY_DAY: (JourneyScore.objects, None),
        StaleKind.INVITATION_DAY: (Invitation.objects, "sent_at"),
    }[StaleKind(kind)]
    manager, moment = source
    if moment:
        bounds = manager.aggregate(first=Min(moment), last=Max(moment))
        if bounds["first"]:
            firsts.append(local_day(bounds["first"]))
            lasts.append(local_day(bounds["last"]))
    else:
        bounds = manager.aggregate(first=Min("day"), last=Max("day"))
        if bounds["first"]:
            firsts.append(bounds["first"])
            lasts.append(bounds["last"])
    if StaleKind(kind) == StaleKind.JOURNEY_DAY:  # journeys without a score have a path
        models = (JourneyPath, *models)
    for model in models:
        bounds = model.objects.aggregate(first=Min("day"), last=Max("day"))
        if bounds["first"]:
            firsts.append(bounds["first"])
            lasts.append(bounds["last"])
    if not firsts:
        return []
    first = max(since, min(firsts)) if since else min(firsts)
    last = max(lasts)
    return [date.fromordinal(ordinal) for ordinal in range(first.toordinal(), last.toordinal() + 1)]


Progress = Callable[[str, int], Callable[[int], None]]


def metrics_rebuild(*, since: date | None = None, progress: Progress | None = None) -> RefreshReport:
    """Recompute every journey score and rollup (journeys started, and days, from ``since`` on).

    ``progress(label, total)`` is called once per phase and returns a
    callable that is told how many units were just done.
    """
    report = RefreshReport()
    report.journeys = journey_scores_rebuild(since=since, progress=progress)
    labels = {  # what the progress bars say, for people
        StaleKind.RESPONSE_DAY: _("Response days"),
        StaleKind.INTERACTION_DAY: _("Interaction days"),
        StaleKind.JOURNEY_DAY: _("Journey days"),
        StaleKind.INVITATION_DAY: _("Invitation days"),
    }
    for kind in DAY_KINDS:
        days = _span(kind, since)
        advance = progress(labels[kind], len(days)) if progress else None
        for start in range(0, len(days), REBUILD_BATCH):
            batch = days[start : start + REBUILD_BATCH]
            report.rows += rollup_refresh_days(kind=kind, days=batch, force=True)
            report.days[kind] = report.days.get(kind, 0) + len(batch)
            if advance:
                advance(len(batch))
    _analyze_rollups()
    return report


def _analyze_rollups() -> None:
    """Refresh the planner's statistics of every table a rebuild rewrote (PostgreSQL): without
    them the first dashboards after a rebuild run on estimates of the old contents."""
    if connection.vendor != "postgresql":
        return
    tables = [JourneyScore._meta.db_table, JourneyPath._meta.db_table, JourneyPathStep._meta.db_table]
    tables += [model._meta.db_table for kind in DAY_KINDS for model in rollup_writes.models_of(kind)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
