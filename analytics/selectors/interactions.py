"""Touchpoint figures from ``InteractionRollup`` and ``ResponseRollup``: experience, floor breaches,
and expectation ratios per touchpoint from both sources (survey pairs and operational measures)."""

from dataclasses import dataclass
from typing import Literal

from django.db.models import Sum

from analytics.metrics import ExperienceSummary, RatioSummary, experience_summary, ratio_summary
from analytics.models import InteractionRollup, ResponseRollup

from .filters import MetricFilters
from .labels import dimension_labels
from .sources import rollup_model

InteractionDimension = Literal["touchpoint", "stage", "channel", "segment"]
INTERACTION_DIMENSIONS: tuple[InteractionDimension, ...] = ("touchpoint", "stage", "channel", "segment")
_RATIO = ("ratio_n", "ratio_sum_log", "ratio_below", "ratio_met", "ratio_above")
_SUMS = {
    f"total_{name}": Sum(name)
    for name in ("interactions", "scored_n", "score_sum", "floor_breaches", *_RATIO)
}
_RATIO_SUMS = {f"total_{name}": Sum(name) for name in _RATIO}
_COLUMNS = {"touchpoint": "touchpoint_id", "stage": "stage", "channel": "channel", "segment": "segment"}


@dataclass(frozen=True, slots=True)
class InteractionFigures:
    """Interactions logged, their experience scores (0–10) and floor breaches, and the ratios of
    the touchpoint measure (promised vs delivered)."""

    interactions: int
    experience: ExperienceSummary
    measure: RatioSummary


@dataclass(frozen=True, slots=True)
class InteractionBreakdownRow:
    key: str | int | None
    label: str
    figures: InteractionFigures


@dataclass(frozen=True, slots=True)
class TouchpointExpectation:
    """One touchpoint's expectation ratios: from survey expectation/experience pairs and from its
    operational measure. Either may be empty (n = 0)."""

    touchpoint_id: int
    label: str
    survey: RatioSummary
    measure: RatioSummary

    @property
    def n(self) -> int:
        return self.survey.n + self.measure.n


def _ratio_of(sums: dict) -> RatioSummary:
    return ratio_summary(
        n=int(sums.get("total_ratio_n") or 0),
        sum_log=float(sums.get("total_ratio_sum_log") or 0.0),
        below=int(sums.get("total_ratio_below") or 0),
        met=int(sums.get("total_ratio_met") or 0),
        above=int(sums.get("total_ratio_above") or 0),
    )


def interaction_figures_of(sums: dict) -> InteractionFigures:
    return InteractionFigures(
        interactions=int(sums.get("total_interactions") or 0),
        experience=experience_summary(
            n=int(sums.get("total_scored_n") or 0),
            total=float(sums.get("total_score_sum") or 0.0),
            floor_breaches=int(sums.get("total_floor_breaches") or 0),
        ),
        measure=_ratio_of(sums),
    )


def _rows(filters: MetricFilters, *, by: tuple[str, ...] = ()):
    return (
        rollup_model(InteractionRollup, filters, by=by).objects.filter(filters.for_interactions()).order_by()
    )


def interaction_summary(*, filters: MetricFilters) -> InteractionFigures:
    """The interaction figures the filters select (the survey filter does not apply). One query."""
    return interaction_figures_of(_rows(filters).aggregate(**_SUMS))


def interaction_breakdown(
    *, filters: MetricFilters, by: InteractionDimension
) -> list[InteractionBreakdownRow]:
    """Interaction figures per touchpoint, stage, channel or segment, most interactions first."""
    if by not in INTERACTION_DIMENSIONS:
        raise ValueError(f"by must be one of {INTERACTION_DIMENSIONS}, got {by!r}")
    column = _COLUMNS[by]
    rows = list(
        _rows(filters, by=(column,)).values(column).annotate(**_SUMS).order_by("-total_interactions", column)
    )
    labels = dimension_labels(by, [row[column] for row in rows])
    return [
        InteractionBreakdownRow(
            key=row[column], label=labels[row[column]], figures=interaction_figures_of(row)
        )
        for row in rows
    ]


def expectation_by_touchpoint(*, filters: MetricFilters) -> list[TouchpointExpectation]:
    """Expectation ratios per touchpoint from both sources, most disappointing first.

    Ordered by the lower of the two geometric means (touchpoints with no ratio
    at all are left out). Two queries over rollups, one for the names.
    """
    survey = {
        row["touchpoint_id"]: _ratio_of(row)
        for row in rollup_model(ResponseRollup, filters, by=("touchpoint_id",))
        .objects.filter(filters.for_responses(), touchpoint__isnull=False)
        .values("touchpoint_id")
        .annotate(**_RATIO_SUMS)
        .order_by()
        if row["total_ratio_n"]
    }
    measure = {}
    if filters.survey_id is None:  # a survey filter selects survey answers only
        measure = {
            row["touchpoint_id"]: _ratio_of(row)
            for row in _rows(filters).values("touchpoint_id").annotate(**_RATIO_SUMS).order_by()
            if row["total_ratio_n"]
        }
    empty = ratio_summary(n=0, sum_log=0.0, below=0, met=0, above=0)
    keys = sorted(set(survey) | set(measure))
    labels = dimension_labels("touchpoint", keys)
    result = [
        TouchpointExpectation(
            touchpoint_id=key,
            label=labels[key],
            survey=survey.get(key, empty),
            measure=measure.get(key, empty),
        )
        for key in keys
    ]

    def worst(item: TouchpointExpectation) -> float:
        means = [s.geometric_mean for s in (item.survey, item.measure) if s.geometric_mean is not None]
        return min(means)

    return sorted(result, key=lambda item: (worst(item), item.label))
