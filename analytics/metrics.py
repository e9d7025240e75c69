"""The single source of truth for every number the product shows.

Pure maths over plain numbers, sequences and DataFrames: stdlib, numpy and
pandas only, no Django. Definitions follow ``shared/design/metrics.md``;
where it is silent or ambiguous, this module decides as follows.

Decisions
---------
1. Scores must be integers (``int`` or numpy integer types). ``bool`` and
   floats, even ``9.0``, are rejected: a float NPS answer means an upstream
   bug. Counts follow the same rule and must be non-negative.
2. Undefined figures are ``None``, never ``0``: NPS, its SE and interval,
   CSAT, CES mean and share, and every ratio figure when ``n == 0``.
3. NPS, its SE and interval are in NPS points (-100..100); CSAT % and the CES
   easy share are percent (0..100); the ratio shares are fractions (0..1).
4. The 95 % intervals (NPS adjusted Wald, key-driver Fisher z) use the exact
   normal quantile ``Z_95``; "significant" uses the literal threshold
   ``|z| >= 1.96`` that metrics.md states (``SIGNIFICANCE_Z``).
5. NPS SE is the plain Wald SE of the observed counts (0 when every answer
   falls in one category); the interval is the adjusted Wald one, so it has
   non-zero width even at n = 1, and it is clipped to [-100, 100].
6. ``nps_difference``: when either NPS is undefined, diff, z and significant
   are all ``None``. When both SEs are 0 (each side is all one category), z
   is ``None`` and not significant if the NPS are equal, else +/-inf and
   significant: two certain, different values are a certain difference.
7. Expectation ratios are clamped to ``[1 / RATIO_CAP, RATIO_CAP]`` in both
   directions, so every log is finite and sum(log r) is bounded; an instant
   lower-is-better experience (0) gives the cap, a higher-is-better
   experience of 0 gives the floor 0.1 (still "below").
8. A ratio is "met" when ``|r - 1| <= RATIO_TOLERANCE``; outcomes are taken
   on the clamped ratio.
9. Peak ties: "more negative" means below neutral (s < 5). Equal intensity on
   the same side means equal scores, and the later moment wins; so does the
   later of several neutral (s = 5) moments.
10. ``peak_end_frame`` rejects duplicate (journey_id, position) pairs, since
    the order is the caller's to give; a missing or NaN floor is no floor,
    and a breach is a score strictly below its floor. Its means agree with
    ``peak_end`` exactly for integer scores, to float rounding otherwise.
11. Key drivers: importance is the signed Pearson r (a negative correlation
    ranks as unimportant). Performance is the mean of every answered rating
    of the dimension, paired or not (what ``AVG(column)`` gives in SQL).
    Fewer than ``MIN_DRIVER_PAIRS`` pairs, or a constant dimension or
    outcome, gives ``enough_data=False`` and importance/CI ``None``. At
    ``|r| == 1`` the Fisher interval degenerates to ``(r, r)``.
12. Quadrants: "high" is ``>=`` the cut. ``driver_quadrants`` cuts at the
    medians of importance and performance over the dimensions with enough
    data; the others get ``None``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

PROMOTER_MIN = 9
PASSIVE_MIN = 7
RATIO_CAP = 10.0
RATIO_TOLERANCE = 1e-9
Z_95 = 1.959963984540054
SIGNIFICANCE_Z = 1.96
MIN_DRIVER_PAIRS = 30
HIGHER_IS_BETTER = "higher_is_better"
LOWER_IS_BETTER = "lower_is_better"
NEUTRAL = 5.0

NPSCategory = Literal["promoter", "passive", "detractor"]
RatioOutcome = Literal["below", "met", "above"]
Quadrant = Literal["act_first", "keep_up", "low_priority", "overkill"]


def _integer(value: object, what: str, low: int, high: float = math.inf) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        # metrics.md: anything but an integer answer is a validation error.
        raise ValueError(f"{what} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{what} must be in {low}..{high}, got {value!r}")
    return int(value)


def _real(value: object, what: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{what} must be a real number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return float(value)


# --- NPS -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NPSSummary:
    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True, slots=True)
class NPSDifference:
    diff: float | None
    z: float | None
    significant: bool | None


def nps_category(score: object) -> NPSCategory:
    """Category of one 0-10 answer: promoter 9-10, passive 7-8, detractor 0-6."""
    s = _integer(score, "NPS score", 0, 10)
    if s >= PROMOTER_MIN:
        return "promoter"
    return "passive" if s >= PASSIVE_MIN else "detractor"


def _nps_and_se(p: float, d: float, n: float) -> tuple[float, float]:
    p_share, d_share = p / n, d / n
    var = (p_share + d_share - (p_share - d_share) ** 2) / n
    return 100.0 * (p - d) / n, 100.0 * math.sqrt(max(var, 0.0))


def nps_summary(*, promoters: int, passives: int, detractors: int) -> NPSSummary:
    """NPS of one bucket from its counts, additive: sum counts to slice.

    ``nps`` and ``se`` (plain Wald, Rocks 2016) are NPS points, -100..100;
    ``ci_low``/``ci_high`` the adjusted-Wald 95 % interval (+0.75 promoters,
    +0.75 detractors, +3 n), clipped to [-100, 100]. All four are None when
    n == 0. ValueError for negative or non-integer counts.
    """
    p = _integer(promoters, "promoters", 0)
    pa = _integer(passives, "passives", 0)
    d = _integer(detractors, "detractors", 0)
    n = p + pa + d
    if n == 0:
        return NPSSummary(0, 0, 0, 0, None, None, None, None)
    nps, se = _nps_and_se(p, d, n)
    adj_nps, adj_se = _nps_and_se(p + 0.75, d + 0.75, n + 3.0)
    low = max(-100.0, adj_nps - Z_95 * adj_se)
    high = min(100.0, adj_nps + Z_95 * adj_se)
    return NPSSummary(n, p, pa, d, nps, se, low, high)


def nps_from_scores(scores: Sequence[int]) -> NPSSummary:
    """``nps_summary`` of raw 0-10 answers; ValueError on any invalid one."""
    counts = {"promoter": 0, "passive": 0, "detractor": 0}
    for score in scores:
        counts[nps_category(score)] += 1
    return nps_summary(
        promoters=counts["promoter"], passives=counts["passive"], detractors=counts["detractor"]
    )


def nps_difference(a: NPSSummary, b: NPSSummary) -> NPSDifference:
    """Two-sample Wald z-test of ``a.nps - b.nps`` (NPS points).

    All fields None when either NPS is undefined. Significant iff
    |z| >= 1.96. With both SEs 0, z is None (not significant) for equal NPS,
    else +/-inf (significant).
    """
    if a.nps is None or b.nps is None or a.se is None or b.se is None:
        return NPSDifference(None, None, None)
    diff = a.nps - b.nps
    denominator = math.sqrt(a.se**2 + b.se**2)
    if denominator > 0.0:
        z: float | None = diff / denominator
    else:  # both sides certain: any difference is certain, none is no change
        z = math.copysign(math.inf, diff) if diff else None
    return NPSDifference(diff, z, z is not None and abs(z) >= SIGNIFICANCE_Z)


# --- CSAT and CES ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CSATSummary:
    n: int
    satisfied: int
    csat: float | None


@dataclass(frozen=True, slots=True)
class CESSummary:
    n: int
    mean: float | None
    easy_share: float | None


def csat_score(score: object) -> int:
    """Validate one CSAT answer: an integer 1..5, else ValueError."""
    return _integer(score, "CSAT score", 1, 5)


def ces_score(score: object) -> int:
    """Validate one CES answer: an integer 1..7 (7 = very easy), else ValueError."""
    return _integer(score, "CES score", 1, 7)


def csat_counts(scores: Sequence[int]) -> tuple[int, int]:
    """``(n, satisfied)`` of raw 1-5 answers; satisfied counts 4 and 5."""
    valid = [csat_score(s) for s in scores]
    return len(valid), sum(1 for s in valid if s >= 4)


def ces_counts(scores: Sequence[int]) -> tuple[int, int, int]:
    """``(n, total, easy)`` of raw 1-7 answers; easy counts 5, 6 and 7."""
    valid = [ces_score(s) for s in scores]
    return len(valid), sum(valid), sum(1 for s in valid if s >= 5)


def csat_summary(*, n: int, satisfied: int) -> CSATSummary:
    """CSAT % = 100 * satisfied / n, percent 0..100; None when n == 0."""
    n = _integer(n, "n", 0)
    satisfied = _integer(satisfied, "satisfied", 0, n)
    return CSATSummary(n, satisfied, 100.0 * satisfied / n if n else None)


def ces_summary(*, n: int, total: int, easy: int) -> CESSummary:
    """CES from (n, sum of 1-7 answers, count of 5-7), additive from counts.

    ``mean`` is on the 1..7 scale; ``easy_share`` is percent 0..100 of
    answers 5-7; both None when n == 0. ValueError when the counts cannot
    come from 1-7 answers (total outside n..7n, easy outside 0..n).
    """
    n = _integer(n, "n", 0)
    total = _integer(total, "total", n, 7 * n)
    easy = _integer(easy, "easy", 0, n)
    if n == 0:
        return CESSummary(0, None, None)
    return CESSummary(n, total / n, 100.0 * easy / n)


# --- Expectation ratio -----------------------------------------------------


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


# --- Peak-end ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeakEnd:
    peak_index: int
    peak: float
    end_index: int
    end: float
    peak_end: float
    mean: float
    gap: float
    contrast: float
    floor_breaches: int


def pain_to_experience(pain: float) -> float:
    """Experience score 0..10 of a pain level 0..10: 5 - pain/2 (no pain is neutral)."""
    pain = _real(pain, "pain")
    if not 0.0 <= pain <= 10.0:
        raise ValueError(f"pain must be in 0..10, got {pain!r}")
    return NEUTRAL - pain / 2.0


def _peak_key(index: int, score: float) -> tuple[float, bool, int]:
    return abs(score - NEUTRAL), score < NEUTRAL, index


def peak_end(scores: Sequence[float], *, floors: Sequence[float | None] | None = None) -> PeakEnd:
    """Peak-end summary of one journey's experience scores (0..10), in time order.

    Peak: largest |s - 5|; ties go to the moment below neutral, then the
    later one. End: the last moment. ``peak_end``, ``mean`` and ``gap``
    (peak_end - mean) are on the 0..10 score scale, ``contrast`` is
    max - min; ``floor_breaches`` counts moments strictly below a non-None
    floor. ValueError on an empty journey, a score outside 0..10 or a floors
    sequence of another length.
    """
    values = [_real(s, "score") for s in scores]
    if not values:
        raise ValueError("a journey needs at least one moment")
    if any(not 0.0 <= s <= 10.0 for s in values):
        raise ValueError(f"scores must be in 0..10, got {values!r}")
    if floors is None:
        floors = [None] * len(values)
    if len(floors) != len(values):
        raise ValueError("floors must have one entry per score")
    peak_index = max(range(len(values)), key=lambda i: _peak_key(i, values[i]))
    end_index = len(values) - 1
    peak, end = values[peak_index], values[end_index]
    mean = math.fsum(values) / len(values)
    pe = (peak + end) / 2.0
    breaches = sum(1 for s, f in zip(values, floors, strict=True) if f is not None and s < f)
    contrast = max(values) - min(values)
    return PeakEnd(peak_index, peak, end_index, end, pe, mean, pe - mean, contrast, breaches)


PEAK_END_COLUMNS = [
    "peak_position",
    "peak",
    "end_position",
    "end",
    "peak_end",
    "mean",
    "gap",
    "contrast",
    "floor_breaches",
    "n",
]


def peak_end_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``peak_end`` of many journeys at once, with the same rules.

    Input columns: ``journey_id``, ``position`` (integer order within the
    journey), ``score`` (0..10) and optionally ``floor`` (NaN = no floor).
    Returns one row per journey, indexed by sorted ``journey_id``, with
    ``PEAK_END_COLUMNS``; positions are the input ``position`` values and
    ``n`` the number of moments. ValueError on missing columns, scores
    outside 0..10 or NaN, and duplicate (journey_id, position) pairs.
    """
    missing = {"journey_id", "position", "score"} - set(df.columns)
    if missing:
        raise ValueError(f"missing columns: {sorted(missing)}")
    if df.empty:
        empty = pd.DataFrame({c: pd.Series(dtype=float) for c in PEAK_END_COLUMNS})
        return empty.set_axis(pd.Index([], name="journey_id"))
    score = df["score"].to_numpy(dtype=float)
    if not np.all((score >= 0.0) & (score <= 10.0)):  # NaN fails both
        raise ValueError("scores must be in 0..10 and not missing")
    if not pd.api.types.is_integer_dtype(df["position"]):
        raise ValueError("position must be an integer column")
    codes, journeys = pd.factorize(df["journey_id"], sort=True)
    if np.any(codes < 0):
        raise ValueError("journey_id must not be missing")
    position = df["position"].to_numpy()
    order = np.lexsort((position, codes))
    codes, position, score = codes[order], position[order], score[order]
    size = len(score)
    new_journey = np.empty(size, dtype=bool)
    new_journey[:1] = True
    np.not_equal(codes[1:], codes[:-1], out=new_journey[1:])
    if np.any(~new_journey[1:] & (position[1:] == position[:-1])):
        raise ValueError("duplicate (journey_id, position) pairs")
    starts = np.flatnonzero(new_journey)
    counts = np.diff(np.append(starts, size))
    ends = starts + counts - 1
    index = np.arange(size)
    intensity = np.abs(score - NEUTRAL)
    candidate = intensity == np.repeat(np.maximum.reduceat(intensity, starts), counts)
    last_negative = np.maximum.reduceat(np.where(candidate & (score < NEUTRAL), index, -1), starts)
    last_candidate = np.maximum.reduceat(np.where(candidate, index, -1), starts)
    peak_at = np.where(last_negative >= 0, last_negative, last_candidate)
    breaches = np.zeros(size, dtype=np.int64)
    if "floor" in df.columns:
        floor = df["floor"].to_numpy(dtype=float)[order]
        breaches = (score < floor).astype(np.int64)  # NaN floor never breached
    peak, end = score[peak_at], score[ends]
    mean = np.add.reduceat(score, starts) / counts
    pe = (peak + end) / 2.0
    return pd.DataFrame(
        {
            "peak_position": position[peak_at],
            "peak": peak,
            "end_position": position[ends],
            "end": end,
            "peak_end": pe,
            "mean": mean,
            "gap": pe - mean,
            "contrast": np.maximum.reduceat(score, starts) - np.minimum.reduceat(score, starts),
            "floor_breaches": np.add.reduceat(breaches, starts),
            "n": counts,
        },
        index=pd.Index(journeys, name="journey_id"),
    )


# --- Key drivers ----------------------------------------------------------------


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
    if abs(r) == 1.0:
        low = high = r
    else:
        half = Z_95 / math.sqrt(n - 3)
        low, high = math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)
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
