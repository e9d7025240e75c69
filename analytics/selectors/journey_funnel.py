"""Journey analytics along one map, from the funnel, outcome and moment-by-outcome rollups only:
how many journeys reached each step and went on (with the median time to the next), how the
journeys started in each period stand now, the peak–end scores of completed against abandoned
journeys, and the touchpoints where customers gave up.

Each read is one grouped query over a rollup (the copy per map unless a segment or value tier is
filtered on), so its cost follows the days, steps and touchpoints shown, never the journeys. The
numbers are ``analytics.metrics.funnel``'s (definitions in its docstring). ``journey_analytics``
gathers them for the dashboard, its download and the metrics API alike.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from analytics.metrics import (
    FunnelStep,
    JourneyOutcomes,
    PeakEndDistribution,
    StepCounts,
    funnel_steps,
    journey_outcomes,
    peak_end_distribution,
)
from analytics.models import (
    PEAK_END_COLUMNS,
    STEP_TIME_COLUMNS,
    JourneyStatusRollup,
    JourneyStepRollup,
    MomentStatusRollup,
)
from journeys.models import JourneyMapStep, JourneyStatus

from .filters import MetricFilters
from .journeys import MomentOfTruth
from .labels import dimension_labels
from .responses import INTERVALS
from .sources import rollup_model

GIVE_UP_SHOWN = 10
_STEP_SUMS = ("reached", "continued", "dropped_abandoned", "dropped_in_progress", *STEP_TIME_COLUMNS)
_STATUS_SUMS = ("journeys", "scored", "peak_end_sum", *PEAK_END_COLUMNS)
STATUSES = (JourneyStatus.COMPLETED, JourneyStatus.ABANDONED, JourneyStatus.IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class MapStep:
    """A step of the map as it is now: its position and touchpoint."""

    position: int
    touchpoint_id: int
    label: str
    stage: str


@dataclass(frozen=True, slots=True)
class FunnelRow:
    """A step of the map and its funnel figures."""

    step: MapStep
    figures: FunnelStep


@dataclass(frozen=True, slots=True)
class JourneyFunnel:
    """The funnel of the journeys started in the period on one map, in the map's order.

    ``journeys`` counts every journey started (also those that reached no step of the map, say one
    started by an explicit call); ``reached_share`` is of them."""

    journey_map_id: int
    journeys: int
    steps: list[FunnelRow]


@dataclass(frozen=True, slots=True)
class OutcomePoint:
    period: date  # the first day of the period
    outcomes: JourneyOutcomes


@dataclass(frozen=True, slots=True)
class JourneyOutcomeFigures:
    """How the journeys started stand now: in total, per period of ``interval``, and the peak–end
    scores of each status's scored journeys."""

    interval: str
    total: JourneyOutcomes
    series: list[OutcomePoint]
    peak_end: dict[str, PeakEndDistribution]


@dataclass(frozen=True, slots=True)
class JourneyAnalytics:
    interval: str
    funnel: JourneyFunnel
    outcomes: JourneyOutcomeFigures
    give_up: list[MomentOfTruth]


def outcome_interval(filters: MetricFilters) -> str:
    """The series' period for a filter period: days up to two months, weeks up to two years,
    else months (also without a start or an end)."""
    days = filters.days
    if days is None or days > 731:
        return "month"
    return "day" if days <= 62 else "week"


def journey_map_steps(journey_map_id: int) -> list[MapStep]:
    """The map's steps in order, with their touchpoints' names and stages (one query)."""
    rows = (
        JourneyMapStep.objects.filter(journey_map_id=journey_map_id)
        .order_by("position")
        .values_list("position", "touchpoint_id", "touchpoint__name", "touchpoint__stage")
    )
    return [MapStep(*row) for row in rows]


def _map_filters(filters: MetricFilters) -> MetricFilters:
    if filters.journey_map_id is None:
        raise ValueError("journey analytics are of one journey map: set filters.journey_map_id")
    return filters


def journey_funnel(
    *, filters: MetricFilters, steps: list[MapStep] | None = None, journeys: int | None = None
) -> JourneyFunnel:
    """The funnel of the map ``filters.journey_map_id`` (period, segment and value tier apply):
    one query over the funnel rollup, plus one for the steps unless given and one for the
    journeys started unless given. Positions no longer on the map are left out."""
    filters = _map_filters(filters)
    steps = journey_map_steps(filters.journey_map_id) if steps is None else steps
    rows = {
        row["position"]: row
        for row in rollup_model(JourneyStepRollup, filters, by=("position",))
        .objects.filter(filters.for_journeys())
        .values("position")
        .annotate(**{name: Sum(name) for name in _STEP_SUMS})
        .order_by()
    }
    if journeys is None:
        journeys = _journeys_started(filters)
    counts = [_step_counts(step.position, rows.get(step.position, {})) for step in steps]
    figures = funnel_steps(journeys=journeys, steps=counts)
    return JourneyFunnel(
        journey_map_id=filters.journey_map_id,
        journeys=journeys,
        steps=[FunnelRow(step, step_figures) for step, step_figures in zip(steps, figures, strict=True)],
    )


def _step_counts(position: int, row: Mapping) -> StepCounts:
    return StepCounts(
        position=position,
        reached=int(row.get("reached") or 0),
        continued=int(row.get("continued") or 0),
        dropped_abandoned=int(row.get("dropped_abandoned") or 0),
        dropped_in_progress=int(row.get("dropped_in_progress") or 0),
        histogram=[int(row.get(column) or 0) for column in STEP_TIME_COLUMNS],
    )


def _journeys_started(filters: MetricFilters) -> int:
    total = (
        rollup_model(JourneyStatusRollup, filters)
        .objects.filter(filters.for_journeys())
        .aggregate(n=Sum("journeys"))["n"]
    )
    return int(total or 0)


def journey_outcomes_figures(*, filters: MetricFilters, interval: str | None = None) -> JourneyOutcomeFigures:
    """Completed, abandoned and open journeys of the map per period and in total, and the peak–end
    scores by status (one query). ``interval``: day, week (from Monday) or month; by default
    ``outcome_interval``. Empty periods are left out."""
    filters = _map_filters(filters)
    interval = interval or outcome_interval(filters)
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}, got {interval!r}")
    period = {"day": F("day"), "week": TruncWeek("day"), "month": TruncMonth("day")}[interval]
    rows = list(
        rollup_model(JourneyStatusRollup, filters, by=("status",))
        .objects.filter(filters.for_journeys())
        .annotate(period=period)
        .values("period", "status")
        .annotate(**{name: Sum(name) for name in _STATUS_SUMS})
        .order_by("period", "status")
    )
    by_period: dict[date, dict[str, int]] = {}
    totals = {status: dict.fromkeys(_STATUS_SUMS, 0) for status in STATUSES}
    for row in rows:
        period_day = row["period"].date() if hasattr(row["period"], "hour") else row["period"]
        by_period.setdefault(period_day, dict.fromkeys(STATUSES, 0))[row["status"]] += int(row["journeys"])
        for name in _STATUS_SUMS:
            totals[row["status"]][name] += row[name] or 0
    series = [OutcomePoint(period, _outcomes(counts)) for period, counts in sorted(by_period.items())]
    return JourneyOutcomeFigures(
        interval=interval,
        total=_outcomes({status: int(totals[status]["journeys"]) for status in STATUSES}),
        series=series,
        peak_end={
            status: peak_end_distribution(
                peak_end_sum=float(totals[status]["peak_end_sum"]),
                bins=[int(totals[status][column]) for column in PEAK_END_COLUMNS],
            )
            for status in STATUSES
        },
    )


def _outcomes(counts: Mapping[str, int]) -> JourneyOutcomes:
    return journey_outcomes(
        completed=counts[JourneyStatus.COMPLETED],
        abandoned=counts[JourneyStatus.ABANDONED],
        in_progress=counts[JourneyStatus.IN_PROGRESS],
    )


def give_up_moments(
    *, filters: MetricFilters, limit: int = GIVE_UP_SHOWN, labels: Mapping[int, str] | None = None
) -> list[MomentOfTruth]:
    """Where customers give up: the touchpoints most often the end of an abandoned journey of the
    map, then most often its negative peak (below 5). The touchpoint and stage filters apply. One
    query, and one for the names unless ``labels`` (touchpoint id → name) has them all."""
    filters = _map_filters(filters)
    rows = list(
        rollup_model(MomentStatusRollup, filters, by=("touchpoint_id", "status"))
        .objects.filter(filters.for_moments(), status=JourneyStatus.ABANDONED)
        .values("touchpoint_id")
        .annotate(
            total_peaks=Sum("peaks"),
            total_negative_peaks=Sum("negative_peaks"),
            total_ends=Sum("ends"),
            total_negative_ends=Sum("negative_ends"),
        )
        .filter(Q(total_ends__gt=0) | Q(total_negative_peaks__gt=0))  # a positive peak is no give-up
        .order_by(F("total_ends").desc(), F("total_negative_peaks").desc(), "touchpoint_id")[:limit]
    )
    ids = [row["touchpoint_id"] for row in rows]
    if labels is None or any(touchpoint_id not in labels for touchpoint_id in ids):
        labels = dimension_labels("touchpoint", ids)
    return [
        MomentOfTruth(
            touchpoint_id=row["touchpoint_id"],
            label=labels[row["touchpoint_id"]],
            peaks=int(row["total_peaks"]),
            negative_peaks=int(row["total_negative_peaks"]),
            ends=int(row["total_ends"]),
            negative_ends=int(row["total_negative_ends"]),
        )
        for row in rows
    ]


def journey_analytics(
    *,
    filters: MetricFilters,
    interval: str | None = None,
    steps: list[MapStep] | None = None,
    labels: Mapping[int, str] | None = None,
) -> JourneyAnalytics:
    """The funnel, the outcomes and where customers give up, for the map of ``filters``: three
    queries over rollups (plus the map's steps and the give-up touchpoints' names unless given)."""
    outcomes = journey_outcomes_figures(filters=filters, interval=interval)
    return JourneyAnalytics(
        interval=outcomes.interval,
        funnel=journey_funnel(filters=filters, steps=steps, journeys=outcomes.total.journeys),
        outcomes=outcomes,
        give_up=give_up_moments(filters=filters, labels=labels),
    )
