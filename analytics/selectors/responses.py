"""Survey figures for a filter set, read from ``ResponseRollup`` only (sums of counts).

Each selector runs one query over rollup rows, so its cost grows with the
number of buckets in the period, not with the number of responses; without a
channel, segment or value-tier filter it reads the touchpoint-level twin
(``sources.rollup_model``), whose buckets per day are bounded by the surveys and
touchpoints in use.
"""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.db.models import Case, F, IntegerField, Sum, Value, When
from django.db.models.functions import TruncMonth, TruncWeek

from analytics.metrics import (
    CESFigures,
    CSATFigures,
    NPSDifference,
    NPSSummary,
    RatioSummary,
    ces_figures,
    csat_figures,
    nps_difference,
    nps_summary,
    ratio_summary,
)
from analytics.models import ResponseRollup

from .filters import MetricFilters
from .labels import dimension_labels
from .sources import rollup_model

Interval = Literal["day", "week", "month"]
Dimension = Literal["survey", "touchpoint", "stage", "channel", "segment"]
INTERVALS: tuple[Interval, ...] = ("day", "week", "month")
DIMENSIONS: tuple[Dimension, ...] = ("survey", "touchpoint", "stage", "channel", "segment")

_COUNTS = (
    "responses",
    "nps_n",
    "nps_promoters",
    "nps_passives",
    "nps_detractors",
    "csat_n",
    "csat_satisfied",
    "ces_n",
    "ces_total",
    "ces_easy",
    "ces_sum_squares",
    "ratio_n",
    "ratio_below",
    "ratio_met",
    "ratio_above",
)
# Named apart from the columns: an annotation may not shadow a model field. ``total_ces_unfilled``
# counts rows with CES answers but no Σx²: written before the rollups stored it (migration 0012
# marked their days for the refresh, which recomputes whole days, fine rows and copies alike).
_SUMS = {
    **{f"total_{name}": Sum(name) for name in (*_COUNTS, "ratio_sum_log")},
    "total_ces_unfilled": Sum(
        Case(
            When(ces_n__gt=0, ces_sum_squares=0, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    ),
}
_DIMENSION_COLUMNS = {
    "survey": "survey_id",
    "touchpoint": "touchpoint_id",
    "stage": "stage",
    "channel": "channel",
    "segment": "segment",
}


@dataclass(frozen=True, slots=True)
class ResponseFigures:
    """Every survey figure of one slice: NPS (points), CSAT (%), CES (mean 1–7, top-3 box %), each
    with its 95 % interval, and expectation ratios."""

    responses: int
    nps: NPSSummary
    csat: CSATFigures
    ces: CESFigures
    expectation: RatioSummary


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    period: date
    figures: ResponseFigures


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    key: str | int | None
    label: str
    figures: ResponseFigures


@dataclass(frozen=True, slots=True)
class Comparison:
    current: ResponseFigures
    previous: ResponseFigures
    previous_filters: MetricFilters
    nps_change: NPSDifference


def figures_of(sums: dict) -> ResponseFigures:
    """``ResponseFigures`` from the ``total_<column>`` sums of rollup rows (NULL sums count as 0)."""
    count = {name: int(sums.get(f"total_{name}") or 0) for name in _COUNTS}
    return ResponseFigures(
        responses=count["responses"],
        nps=nps_summary(
            promoters=count["nps_promoters"],
            passives=count["nps_passives"],
            detractors=count["nps_detractors"],
        ),
        csat=csat_figures(n=count["csat_n"], satisfied=count["csat_satisfied"]),
        ces=ces_figures(
            n=count["ces_n"],
            total=count["ces_total"],
            # Until the refresh has filled every row summed here: the mean without its interval.
            sum_squares=None if sums.get("total_ces_unfilled") else count["ces_sum_squares"],
            easy=count["ces_easy"],
        ),
        expectation=ratio_summary(
            n=count["ratio_n"],
            sum_log=float(sums.get("total_ratio_sum_log") or 0.0),
            below=count["ratio_below"],
            met=count["ratio_met"],
            above=count["ratio_above"],
        ),
    )


def _rows(filters: MetricFilters, *, by: tuple[str, ...] = ()):
    return rollup_model(ResponseRollup, filters, by=by).objects.filter(filters.for_responses()).order_by()


def response_summary(*, filters: MetricFilters) -> ResponseFigures:
    """The figures of every response the filters select (one query)."""
    return figures_of(_rows(filters).aggregate(**_SUMS))


def response_series(*, filters: MetricFilters, interval: Interval = "day") -> list[SeriesPoint]:
    """The figures per day, week (starting Monday) or month, oldest first; empty periods are left out."""
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}, got {interval!r}")
    period = {"day": F("day"), "week": TruncWeek("day"), "month": TruncMonth("day")}[interval]
    rows = _rows(filters).annotate(period=period).values("period").annotate(**_SUMS).order_by("period")
    return [SeriesPoint(period=row["period"], figures=figures_of(row)) for row in rows]


def response_breakdown(*, filters: MetricFilters, by: Dimension) -> list[BreakdownRow]:
    """The figures per survey, touchpoint, stage, channel or segment, most responses first.

    Responses without a touchpoint (relationship surveys) form their own row
    with key ``None`` (or ``""`` for stage and channel).
    """
    if by not in DIMENSIONS:
        raise ValueError(f"by must be one of {DIMENSIONS}, got {by!r}")
    column = _DIMENSION_COLUMNS[by]
    rows = list(
        _rows(filters, by=(column,)).values(column).annotate(**_SUMS).order_by("-total_responses", column)
    )
    labels = dimension_labels(by, [row[column] for row in rows])
    return [BreakdownRow(key=row[column], label=labels[row[column]], figures=figures_of(row)) for row in rows]


def response_comparison(*, filters: MetricFilters) -> Comparison:
    """This period against the previous one of equal length, with the NPS z-test (metrics.md).

    Needs ``filters.start`` and ``filters.end``. Two queries.
    """
    previous_filters = filters.previous()
    current = response_summary(filters=filters)
    previous = response_summary(filters=previous_filters)
    return Comparison(
        current=current,
        previous=previous,
        previous_filters=previous_filters,
        nps_change=nps_difference(current.nps, previous.nps),
    )
