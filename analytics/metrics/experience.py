"""Experience scores at touchpoints and peak–end scores across journeys, from additive sums."""

from __future__ import annotations

from dataclasses import dataclass

from .scales import _integer, _real

__all__ = [
    "ExperienceSummary",
    "JourneyAggregate",
    "experience_summary",
    "journey_aggregate",
]


@dataclass(frozen=True, slots=True)
class ExperienceSummary:
    n: int
    mean: float | None
    floor_breaches: int
    breach_share: float | None


@dataclass(frozen=True, slots=True)
class JourneyAggregate:
    journeys: int
    mean_peak_end: float | None
    mean_of_means: float | None
    mean_gap: float | None
    journeys_breached: int
    breached_share: float | None


def experience_summary(*, n: int, total: float, floor_breaches: int) -> ExperienceSummary:
    """Experience scores of one slice from (n scored, their sum, breaches of the floor).

    ``mean`` is on the 0..10 scale, ``breach_share`` a fraction 0..1 of the
    scored moments; both None when n == 0. ValueError when the sum cannot
    come from n scores in 0..10 (beyond float rounding) or breaches exceed n.
    """
    n = _integer(n, "n", 0)
    total = _real(total, "total")
    floor_breaches = _integer(floor_breaches, "floor_breaches", 0, n)
    slack = 1e-9 * max(1.0, 10.0 * n)
    if not -slack <= total <= 10.0 * n + slack:
        raise ValueError(f"total must be in 0..{10 * n} for n={n}, got {total!r}")
    if n == 0:
        return ExperienceSummary(0, None, 0, None)
    return ExperienceSummary(n, total / n, floor_breaches, floor_breaches / n)


def journey_aggregate(
    *, journeys: int, peak_end_sum: float, mean_sum: float, gap_sum: float, journeys_breached: int
) -> JourneyAggregate:
    """Averages over journeys of their peak–end score, plain mean and gap (0..10 scale, gap -10..10).

    ``breached_share`` is the fraction of journeys with at least one floor
    breach. All averages None when there are no journeys.
    """
    journeys = _integer(journeys, "journeys", 0)
    sums = [
        _real(v, name)
        for v, name in ((peak_end_sum, "peak_end_sum"), (mean_sum, "mean_sum"), (gap_sum, "gap_sum"))
    ]
    journeys_breached = _integer(journeys_breached, "journeys_breached", 0, journeys)
    if journeys == 0:
        return JourneyAggregate(0, None, None, None, 0, None)
    peak_end, mean, gap = (value / journeys for value in sums)
    return JourneyAggregate(journeys, peak_end, mean, gap, journeys_breached, journeys_breached / journeys)
