"""The grouped queries that turn journey paths (and their scores) into the funnel, outcome and
moment-by-outcome rollup rows: those of the journeys started on some days (a day's recompute), or of
some journeys (the refresh takes their old rows away and adds their new ones). Four queries, each
one ``GROUP BY``, no query per journey."""

from collections.abc import Collection
from datetime import date

from django.db.models import Case, Count, F, FloatField, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from analytics.metrics import NEUTRAL, PEAK_END_BIN_COUNT
from analytics.models import (
    PEAK_END_COLUMNS,
    STEP_TIME_COLUMNS,
    JourneyPath,
    JourneyPathStep,
    JourneyStatusRollup,
    JourneyStepRollup,
    MomentStatusRollup,
)
from journeys.models import JourneyStatus

_KEYS = ("day", "journey_map_id", "segment", "value_tier")


def _count_where(condition: Q) -> Coalesce:
    return Coalesce(
        Sum(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())), Value(0)
    )


def _peak_end_bin(index: int) -> Q:
    """The scores ``JourneyRollup`` puts in bin ``index``: k <= score < k + 1, 10 in the last."""
    low = Q(score__peak_end__gte=float(index))
    if index == PEAK_END_BIN_COUNT - 1:
        return low
    return low & Q(score__peak_end__lt=float(index + 1))


def path_rollup_rows(
    *, days: Collection[date] | None = None, journey_ids: Collection[int] | None = None
) -> list[JourneyStepRollup | JourneyStatusRollup | MomentStatusRollup]:
    """Unsaved funnel, outcome and moment-by-outcome rollup rows of the paths of the journeys
    started on ``days``, or of ``journey_ids`` (exactly one of the two)."""
    if (days is None) == (journey_ids is None):
        raise ValueError("give days or journey_ids")
    where = Q(day__in=list(days)) if days is not None else Q(journey_id__in=list(journey_ids))
    paths = JourneyPath.objects.filter(where).order_by()
    return [*_step_rows(days, journey_ids), *_status_rows(paths), *_moment_rows(paths)]


def _step_rows(days, journey_ids) -> list[JourneyStepRollup]:
    where = Q(path__day__in=list(days)) if days is not None else Q(path_id__in=list(journey_ids))
    stopped = Q(next_bin__isnull=True)
    grouped = (
        JourneyPathStep.objects.filter(where)
        .order_by()
        .values(
            bucket_day=F("path__day"),
            bucket_map=F("path__journey_map_id"),
            bucket_segment=F("path__segment"),
            bucket_tier=F("path__value_tier"),
            bucket_position=F("position"),
        )
        .annotate(
            reached=Count("id"),
            continued=Count("next_bin"),
            dropped_abandoned=_count_where(stopped & Q(path__status=JourneyStatus.ABANDONED)),
            dropped_in_progress=_count_where(stopped & Q(path__status=JourneyStatus.IN_PROGRESS)),
            **{column: _count_where(Q(next_bin=index)) for index, column in enumerate(STEP_TIME_COLUMNS)},
        )
    )
    return [
        JourneyStepRollup(
            day=row.pop("bucket_day"),
            journey_map_id=row.pop("bucket_map"),
            segment=row.pop("bucket_segment"),
            value_tier=row.pop("bucket_tier"),
            position=row.pop("bucket_position"),
            **row,
        )
        for row in grouped
    ]


def _status_rows(paths) -> list[JourneyStatusRollup]:
    grouped = paths.values(*_KEYS, "status").annotate(
        journeys=Count("journey_id"),
        scored=Count("score__peak_end"),
        peak_end_sum=Coalesce(Sum("score__peak_end"), Value(0.0), output_field=FloatField()),
        **{column: _count_where(_peak_end_bin(index)) for index, column in enumerate(PEAK_END_COLUMNS)},
    )
    return [JourneyStatusRollup(**row) for row in grouped]


def _moment_rows(paths) -> list[MomentStatusRollup]:
    scored = paths.filter(score__moments__isnull=False)  # (score__isnull would test the own key)
    moments: dict[tuple, MomentStatusRollup] = {}

    def moment(row: dict, touchpoint_id: int) -> MomentStatusRollup:
        key = (*(row[name] for name in _KEYS), row["status"], touchpoint_id)
        if key not in moments:
            names = (*_KEYS, "status", "touchpoint_id")
            moments[key] = MomentStatusRollup(**dict(zip(names, key, strict=True)))
        return moments[key]

    for row in scored.values(*_KEYS, "status", tp=F("score__peak_touchpoint_id")).annotate(
        peaks=Count("journey_id"), negative_peaks=_count_where(Q(score__peak__lt=NEUTRAL))
    ):
        target = moment(row, row["tp"])
        target.peaks, target.negative_peaks = row["peaks"], row["negative_peaks"]
    for row in scored.values(*_KEYS, "status", tp=F("score__end_touchpoint_id")).annotate(
        ends=Count("journey_id"), negative_ends=_count_where(Q(score__end__lt=NEUTRAL))
    ):
        target = moment(row, row["tp"])
        target.ends, target.negative_ends = row["ends"], row["negative_ends"]
    return list(moments.values())
