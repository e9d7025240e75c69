"""Expectation ratios (experience / expectation) and their geometric-mean summary."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .scales import (
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    RATIO_CAP,
    RATIO_TOLERANCE,
    RatioOutcome,
    _integer,
    _real,
)

__all__ = [
    "RatioSummary",
    "expectation_ratio",
    "ratio_outcome",
    "ratio_summary",
    "ratio_summary_of",
]


@dataclass(frozen=True, slots=True)
class RatioSummary:
    n: int
    geometric_mean: float | None
    share_below: float | None
    share_met: float | None
    share_above: float | None


def expectation_ratio(*, expected: float, experienced: float, direction: str) -> float:
    """Satisfaction ratio experience/expectation; 1 = met, >1 delighted.

    higher_is_better: experienced / expected; lower_is_better: expected /
    experienced (an instant experience, 0, gives RATIO_CAP). Unitless,
    clamped to [1/RATIO_CAP, RATIO_CAP]. ValueError for expected <= 0,
    experienced < 0, missing/NaN/inf values or an unknown direction.
    """
    expected = _real(expected, "expected")
    experienced = _real(experienced, "experienced")
    if expected <= 0.0:
        raise ValueError(f"expected must be > 0, got {expected!r}")
    if experienced < 0.0:
        raise ValueError(f"experienced must be >= 0, got {experienced!r}")
    if direction == HIGHER_IS_BETTER:
        ratio = experienced / expected
    elif direction == LOWER_IS_BETTER:
        ratio = expected / experienced if experienced > 0.0 else RATIO_CAP
    else:
        raise ValueError(f"unknown direction {direction!r}")
    return min(RATIO_CAP, max(1.0 / RATIO_CAP, ratio))


def ratio_outcome(r: float) -> RatioOutcome:
    """Outcome of one ratio: met when |r - 1| <= RATIO_TOLERANCE, else below or above."""
    r = _real(r, "ratio")
    if abs(r - 1.0) <= RATIO_TOLERANCE:
        return "met"
    return "below" if r < 1.0 else "above"


def ratio_summary(*, n: int, sum_log: float, below: int, met: int, above: int) -> RatioSummary:
    """Ratios of one bucket from (n, sum of natural log r, outcome counts).

    ``geometric_mean`` = exp(sum_log / n), unitless ratio; shares are
    fractions 0..1 of n; all None when n == 0. ValueError unless the three
    counts add up to n.
    """
    n = _integer(n, "n", 0)
    sum_log = _real(sum_log, "sum_log")
    counts = [_integer(c, name, 0, n) for c, name in ((below, "below"), (met, "met"), (above, "above"))]
    if sum(counts) != n:
        raise ValueError(f"below + met + above must equal n={n}, got {counts}")
    if n == 0:
        return RatioSummary(0, None, None, None, None)
    return RatioSummary(n, math.exp(sum_log / n), *(c / n for c in counts))


def ratio_summary_of(ratios: Sequence[float]) -> RatioSummary:
    """``ratio_summary`` of ratios from ``expectation_ratio`` (positive, finite).

    sum_log is accumulated with ``math.fsum``.
    """
    logs: list[float] = []
    counts = {"below": 0, "met": 0, "above": 0}
    for r in ratios:
        if _real(r, "ratio") <= 0.0:
            raise ValueError(f"ratio must be > 0, got {r!r}")
        logs.append(math.log(r))
        counts[ratio_outcome(r)] += 1
    return ratio_summary(n=len(logs), sum_log=math.fsum(logs), **counts)
