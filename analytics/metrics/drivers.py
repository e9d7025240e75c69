"""Key drivers: importance (Pearson r with the 0-10 score) against performance, and their quadrants."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .scales import MIN_DRIVER_PAIRS, Z_95, Quadrant

__all__ = [
    "DriverResult",
    "driver_from_sums",
    "driver_quadrant",
    "driver_quadrants",
    "key_drivers",
]


@dataclass(frozen=True, slots=True)
class DriverResult:
    dimension: str
    n: int
    importance: float | None
    ci_low: float | None
    ci_high: float | None
    performance: float | None
    enough_data: bool


def _driver(dimension: str, x: np.ndarray, y: np.ndarray) -> DriverResult:
    answered = ~np.isnan(x)
    if np.isinf(x).any():
        raise ValueError(f"ratings of {dimension!r} must be finite")
    performance = float(x[answered].mean()) if answered.any() else None
    paired = answered & ~np.isnan(y)
    n = int(paired.sum())
    x, y = x[paired], y[paired]
    if n < MIN_DRIVER_PAIRS or np.ptp(x) == 0 or np.ptp(y) == 0:
        return DriverResult(dimension, n, None, None, None, performance, False)
    dx, dy = x - x.mean(), y - y.mean()
    r = float(np.clip(np.sum(dx * dy) / math.sqrt(np.sum(dx * dx) * np.sum(dy * dy)), -1.0, 1.0))
    low, high = _fisher_interval(r, n)
    return DriverResult(dimension, n, r, low, high, performance, True)


def _fisher_interval(r: float, n: int) -> tuple[float, float]:
    if abs(r) == 1.0:
        return r, r
    half = Z_95 / math.sqrt(n - 3)
    return math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)


def driver_from_sums(
    *,
    dimension: str,
    n: int,
    sum_x: float,
    sum_y: float,
    sum_xx: float,
    sum_yy: float,
    sum_xy: float,
    ratings_n: int,
    ratings_sum: float,
) -> DriverResult:
    """``key_drivers`` of one dimension from additive sums, as rollups store them.

    ``n`` and the ``sum_*`` cover the pairs (x = the rating, y = the 0-10
    outcome) of responses answering both; ``ratings_n``/``ratings_sum`` cover
    every answered rating (performance = their mean). Same rules as
    ``key_drivers``: below MIN_DRIVER_PAIRS pairs, or a side without spread,
    importance is None. A side counts as without spread when its sum of
    squared deviations is within float rounding of 0 (1e-12 relative).
    """
    if n < 0 or ratings_n < 0:
        raise ValueError("counts must be >= 0")
    performance = ratings_sum / ratings_n if ratings_n else None
    if n < MIN_DRIVER_PAIRS:
        return DriverResult(dimension, n, None, None, None, performance, False)
    sxx = sum_xx - sum_x * sum_x / n
    syy = sum_yy - sum_y * sum_y / n
    sxy = sum_xy - sum_x * sum_y / n
    if sxx <= 1e-12 * max(1.0, sum_xx) or syy <= 1e-12 * max(1.0, sum_yy):
        return DriverResult(dimension, n, None, None, None, performance, False)
    r = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    low, high = _fisher_interval(r, n)
    return DriverResult(dimension, n, r, low, high, performance, True)


def key_drivers(
    frame_or_mapping: pd.DataFrame | Mapping[str, Sequence[float | None]], *, outcome: str
) -> list[DriverResult]:
    """Importance of every non-outcome column for the 0-10 ``outcome``.

    importance: Pearson r (-1..1) over rows answering both, with a Fisher-z
    95 % interval; None (and enough_data False) below MIN_DRIVER_PAIRS pairs
    or when either side is constant. performance: mean of all answered
    ratings of the dimension, on its own scale; None when none. Missing
    answers are None/NaN. Results follow the column order. ValueError for
    a missing outcome column or outcome values that are not integers 0..10.
    """
    frame = pd.DataFrame(frame_or_mapping)
    if outcome not in frame.columns:
        raise ValueError(f"outcome column {outcome!r} missing")
    y = pd.to_numeric(frame[outcome], errors="raise").to_numpy(dtype=float)
    answered = y[~np.isnan(y)]
    if np.any((answered < 0) | (answered > 10) | (answered != np.round(answered))):
        raise ValueError("outcome answers must be integers 0..10")
    results = []
    for dimension in frame.columns:
        if dimension != outcome:
            x = pd.to_numeric(frame[dimension], errors="raise").to_numpy(dtype=float)
            results.append(_driver(str(dimension), x, y))
    return results


def driver_quadrant(
    importance: float, performance: float, *, importance_cut: float, performance_cut: float
) -> Quadrant:
    """Importance/performance quadrant; a value >= its cut counts as high.

    act_first: high importance, low performance; keep_up: both high;
    low_priority: both low; overkill: low importance, high performance.
    """
    important = importance >= importance_cut
    performing = performance >= performance_cut
    if important:
        return "keep_up" if performing else "act_first"
    return "overkill" if performing else "low_priority"


def driver_quadrants(results: Sequence[DriverResult]) -> dict[str, Quadrant | None]:
    """Quadrant per dimension, cut at the medians of importance and performance
    over the dimensions with enough data; None for the others."""
    ranked = [r for r in results if r.enough_data and r.importance is not None and r.performance is not None]
    quadrants: dict[str, Quadrant | None] = {r.dimension: None for r in results}
    if not ranked:
        return quadrants
    importance_cut = float(np.median([r.importance for r in ranked]))
    performance_cut = float(np.median([r.performance for r in ranked]))
    for r in ranked:
        quadrants[r.dimension] = driver_quadrant(
            r.importance, r.performance, importance_cut=importance_cut, performance_cut=performance_cut
        )
    return quadrants
