"""Journey figures from ``JourneyRollup`` and ``MomentOfTruthRollup``: the distribution of peak–end
scores, the gap between memory and average, and the touchpoints that are the moments of truth."""

from dataclasses import dataclass

from django.db.models import F, Sum

from analytics.metrics import JourneyAggregate, journey_aggregate
from analytics.models import PEAK_END_BINS, JourneyRollup, MomentOfTruthRollup

from .filters import MetricFilters
from .labels import dimension_labels
from .sources import rollup_model

_SUMS = {
    f"total_{name}": Sum(name)
    for name in ("journeys", "peak_end_sum", "mean_sum", "gap_sum", "floor_breaches", "journeys_breached")
}


@dataclass(frozen=True, slots=True)
class JourneyFigures:
    """Journeys started in the period: averages, and how many fall in each peak–end bin
    (``distribution[k]``: k <= peak–end < k + 1, the last bin also holding 10)."""

    aggregate: JourneyAggregate
    floor_breaches: int
    distribution: list[int]


@dataclass(frozen=True, slots=True)
class MomentOfTruth:
    """How often a touchpoint was the peak or the end of a journey; "negative" means below 5."""

    touchpoint_id: int
    label: str
    peaks: int
    negative_peaks: int
    ends: int
    negative_ends: int


def _aggregate_of(sums: dict) -> JourneyAggregate:
    return journey_aggregate(
        journeys=int(sums.get("total_journeys") or 0),
        peak_end_sum=float(sums.get("total_peak_end_sum") or 0.0),
        mean_sum=float(sums.get("total_mean_sum") or 0.0),
        gap_sum=float(sums.get("total_gap_sum") or 0.0),
        journeys_breached=int(sums.get("total_journeys_breached") or 0),
    )


def journey_summary(*, filters: MetricFilters) -> JourneyFigures:
    """Peak–end figures of the journeys the filters select, by their start day (one query)."""
    rows = list(
        rollup_model(JourneyRollup, filters, by=("peak_end_bin",))
        .objects.filter(filters.for_journeys())
        .values("peak_end_bin")
        .annotate(**_SUMS)
        .order_by("peak_end_bin")
    )
    distribution = [0] * PEAK_END_BINS
    totals: dict = {}
    for row in rows:
        distribution[row["peak_end_bin"]] = int(row["total_journeys"])
        for name, value in row.items():
            if name.startswith("total_"):
                totals[name] = totals.get(name, 0) + (value or 0)
    return JourneyFigures(
        aggregate=_aggregate_of(totals),
        floor_breaches=int(totals.get("total_floor_breaches", 0)),
        distribution=distribution,
    )


def moments_of_truth(*, filters: MetricFilters, limit: int = 10) -> list[MomentOfTruth]:
    """The touchpoints most often the negative peak of a journey, then most often its negative end.

    One query over rollups, one for the names.
    """
    rows = list(
        rollup_model(MomentOfTruthRollup, filters, by=("touchpoint_id",))
        .objects.filter(filters.for_moments())
        .values("touchpoint_id")
        .annotate(
            total_peaks=Sum("peaks"),
            total_negative_peaks=Sum("negative_peaks"),
            total_ends=Sum("ends"),
            total_negative_ends=Sum("negative_ends"),
        )
        .order_by(F("total_negative_peaks").desc(), F("total_negative_ends").desc(), "touchpoint_id")[:limit]
    )
    labels = dimension_labels("touchpoint", [row["touchpoint_id"] for row in rows])
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
