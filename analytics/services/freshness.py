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
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from analytics.models import (
    DriverRollup,
    InteractionRollup,
    InvitationRollup,
    JourneyRollup,
    JourneyScore,
    MomentOfTruthRollup,
    ResponseRollup,
    RollupBucket,
    StaleKind,
    StaleMark,
    coarse_models_of,
)
from infra.days import day_of, day_start, local_day
from infra.tasks import enqueue_on_commit
from journeys.models import Journey
from surveys.models import Invitation, Response
from touchpoints.models import Interaction

from . import rollup_rows, survey_rollup_rows
from .follow_up_triggers import follow_ups_open_for_days
from .journey_scores import journey_score_rows
from .rollup_twins import twin_rows

# How many days one refresh transaction recomputes, and how many journeys.
DAY_BATCH = 31
JOURNEY_BATCH = 2000


def _response_day_rows(days: Collection[date]) -> list:
    return rollup_rows.response_rollup_rows(days) + survey_rollup_rows.driver_rollup_rows(days)


def _with_twins(models: tuple) -> tuple:
    """The fine rollup models of a kind followed by their coarser copies."""
    return models + tuple(coarse for model in models for coarse in coarse_models_of(model))


# kind → (every model a refresh of the kind rewrites, the builder of the fine rows).
_ROLLUPS = {
    StaleKind.RESPONSE_DAY: (_with_twins((ResponseRollup, DriverRollup)), _response_day_rows),
    StaleKind.INTERACTION_DAY: (_with_twins((InteractionRollup,)), rollup_rows.interaction_rollup_rows),
    StaleKind.JOURNEY_DAY: ((JourneyRollup, MomentOfTruthRollup), rollup_rows.journey_rollup_rows),
    StaleKind.INVITATION_DAY: (
        _with_twins((InvitationRollup,)),
        survey_rollup_rows.invitation_rollup_rows,
    ),
}


def _response_day_marks(response_ids: list[int]) -> list[StaleMark]:
    """One ``RESPONSE_DAY`` mark per distinct submission day of the responses."""
    days = (
        Response.objects.filter(id__any=response_ids)
        .annotate(bucket_day=day_of("submitted_at"))
        .values_list("bucket_day", flat=True)
        .order_by()  # the model's default ordering would defeat DISTINCT
        .distinct()
    )
    return [StaleMark(kind=StaleKind.RESPONSE_DAY, day=day) for day in days]


def _invitation_day_marks(invitation_ids: list[int]) -> list[StaleMark]:
    """One ``INVITATION_DAY`` mark per distinct sending day of the sent invitations."""
    days = (
        Invitation.objects.filter(id__any=invitation_ids, sent_at__isnull=False)
        .annotate(bucket_day=day_of("sent_at"))
        .values_list("bucket_day", flat=True)
        .order_by()
        .distinct()
    )
    return [StaleMark(kind=StaleKind.INVITATION_DAY, day=day) for day in days]


def _interaction_day_marks(interaction_ids: list[int]) -> tuple[list[StaleMark], set[int]]:
    """One ``INTERACTION_DAY`` mark per distinct day of the interactions, and their journeys."""
    rows = (
        Interaction.objects.filter(id__any=interaction_ids)
        .annotate(bucket_day=day_of("occurred_at"))
        .values_list("bucket_day", "journey_id")
        .order_by()
        .distinct()
    )
    days, journey_ids = set(), set()
    for day, journey_id in rows:
        days.add(day)
        if journey_id is not None:
            journey_ids.add(journey_id)
    return [StaleMark(kind=StaleKind.INTERACTION_DAY, day=day) for day in sorted(days)], journey_ids


def _journey_marks(journey_ids: set[int]) -> list[StaleMark]:
    """One ``JOURNEY`` mark per journey, dated on the local day it started."""
    starts = Journey.objects.filter(id__any=journey_ids).values_list("id", "started_at")
    return [
        StaleMark(kind=StaleKind.JOURNEY, journey_id=journey_id, day=local_day(started_at))
        for journey_id, started_at in starts
    ]


def metrics_mark_stale(
    *,
    response_ids: Iterable[int] = (),
    interaction_ids: Iterable[int] = (),
    journey_ids: Iterable[int] = (),
    invitation_ids: Iterable[int] = (),
) -> int:
    """Mark the buckets and journeys these rows belong to as stale; refresh after commit.

    Call it in the writing transaction, after inserts and updates and before
    deletes (the rows must still be there to be found); a writer that moves
    an interaction to another journey passes the old journey in
    ``journey_ids``. Interactions also mark their journeys, responses the
    sending day of their invitation. Returns the number of marks written.
    """
    response_ids, interaction_ids, journey_ids = list(response_ids), list(interaction_ids), set(journey_ids)
    invitation_ids = list(invitation_ids)
    marks: list[StaleMark] = []
    if response_ids:
        marks += _response_day_marks(response_ids)
        # An answer changes the response rate of the day its invitation was sent.
        invitation_ids += Response.objects.filter(id__any=response_ids).values_list(
            "invitation_id", flat=True
        )
    if invitation_ids:
        marks += _invitation_day_marks(invitation_ids)
    if interaction_ids:
        interaction_marks, interaction_journey_ids = _interaction_day_marks(interaction_ids)
        marks += interaction_marks
        journey_ids |= interaction_journey_ids
    if journey_ids:
        marks += _journey_marks(journey_ids)
    if not marks:
        return 0
    StaleMark.objects.bulk_create(marks)
    enqueue_on_commit("analytics.tasks.metrics_refresh_stale")
    return len(marks)


@transaction.atomic
def rollup_refresh_days(*, kind: str, days: Collection[date], force: bool = False) -> int:
    """Recompute the ``kind`` rollup of ``days`` from the source rows; returns rows written.

    Without ``force`` only the days still marked stale once their buckets
    are locked are recomputed (another refresh may have done the rest).
    Also opens the follow-up cases due for the recomputed days.
    """
    models, build = _ROLLUPS[StaleKind(kind)]
    days = sorted(set(days))
    if not days:
        return 0
    if connection.vendor == "postgresql":
        # The grouped queries are short and run once: compiling them (JIT) costs more than it saves.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
    RollupBucket.objects.bulk_create(
        [RollupBucket(kind=kind, day=day) for day in days], ignore_conflicts=True
    )
    buckets = {
        bucket.day: bucket
        for bucket in RollupBucket.objects.select_for_update().filter(kind=kind, day__in=days).order_by("day")
    }
    # Consume exactly the marks read here: one committed after this read stays for the next refresh.
    marks = list(StaleMark.objects.filter(kind=kind, day__in=days).values_list("id", "day"))
    StaleMark.objects.filter(id__in=[mark_id for mark_id, _ in marks]).delete()
    if not force:
        days = sorted({day for _, day in marks})
        if not days:
            return 0
    rows = build(days)
    rows += twin_rows(rows)
    for model in models:
        model.objects.filter(day__in=days).delete()
        model.objects.bulk_create([row for row in rows if isinstance(row, model)], batch_size=2000)
    now = timezone.now()
    per_day: dict[date, int] = dict.fromkeys(days, 0)
    for row in rows:
        per_day[row.day] += 1
    for day in days:
        buckets[day].refreshed_at, buckets[day].rows = now, per_day[day]
    RollupBucket.objects.bulk_update([buckets[day] for day in days], ["refreshed_at", "rows"])
    follow_ups_open_for_days(kind=kind, days=days, now=now)
    return len(rows)


@transaction.atomic
def journey_scores_refresh(*, journey_ids: Collection[int], force: bool = False) -> int:
    """Recompute the peak–end scores of ``journey_ids``; returns how many journeys have a score.

    Locks the journeys (``FOR NO KEY UPDATE``: interactions can still be
    added meanwhile, they leave a mark), consumes their marks, replaces their
    ``JourneyScore`` rows and marks the start days affected for the journey
    rollups. Without ``force`` only journeys still marked are recomputed.
    """
    ids = sorted(set(journey_ids))
    list(Journey.objects.select_for_update(no_key=True).filter(id__in=ids).order_by("id").values_list("id"))
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
    days |= set(JourneyScore.objects.filter(journey_id__in=ids).values_list("day", flat=True))
    scores = journey_score_rows(ids, now=timezone.now())
    JourneyScore.objects.filter(journey_id__in=ids).delete()
    JourneyScore.objects.bulk_create(scores, batch_size=2000)
    days |= {score.day for score in scores}
    StaleMark.objects.bulk_create([StaleMark(kind=StaleKind.JOURNEY_DAY, day=day) for day in sorted(days)])
    return len(scores)


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
    for kind in _ROLLUPS:
        while True:
            if time.monotonic() > deadline:
                report.complete = False
                return report
            days = list(
                StaleMark.objects.filter(kind=kind)
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
    models, _ = _ROLLUPS[StaleKind(kind)]
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
    journeys = Journey.objects.order_by("id")
    if since:
        journeys = journeys.filter(started_at__gte=day_start(since))
    journey_ids = list(journeys.values_list("id", flat=True))
    advance = progress("Journeys", len(journey_ids)) if progress else None
    for start in range(0, len(journey_ids), JOURNEY_BATCH):
        batch = journey_ids[start : start + JOURNEY_BATCH]
        journey_scores_refresh(journey_ids=batch, force=True)
        report.journeys += len(batch)
        if advance:
            advance(len(batch))
    labels = {
        StaleKind.RESPONSE_DAY: "Response days",
        StaleKind.INTERACTION_DAY: "Interaction days",
        StaleKind.JOURNEY_DAY: "Journey days",
        StaleKind.INVITATION_DAY: "Invitation days",
    }
    for kind in _ROLLUPS:
        days = _span(kind, since)
        advance = progress(labels[kind], len(days)) if progress else None
        for start in range(0, len(days), DAY_BATCH):
            batch = days[start : start + DAY_BATCH]
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
    tables = [JourneyScore._meta.db_table]
    tables += [model._meta.db_table for models, _ in _ROLLUPS.values() for model in models]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
