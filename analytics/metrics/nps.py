"""Net Promoter Score, with its standard error, adjusted Wald interval and two-sample test; CSAT and CES."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .scales import (
    CES_EASY_MIN,
    CSAT_SATISFIED_MIN,
    PASSIVE_MIN,
    PROMOTER_MIN,
    SIGNIFICANCE_Z,
    Z_95,
    NPSCategory,
    _integer,
)

__all__ = [
    "CESSummary",
    "CSATSummary",
    "NPSDifference",
    "NPSSummary",
    "ces_counts",
    "ces_score",
    "ces_summary",
    "csat_counts",
    "csat_score",
    "csat_summary",
    "nps_category",
    "nps_difference",
    "nps_from_scores",
    "nps_summary",
]


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
    return len(valid), sum(1 for s in valid if s >= CSAT_SATISFIED_MIN)


def ces_counts(scores: Sequence[int]) -> tuple[int, int, int]:
    """``(n, total, easy)`` of raw 1-7 answers; easy counts 5, 6 and 7."""
    valid = [ces_score(s) for s in scores]
    return len(valid), sum(valid), sum(1 for s in valid if s >= CES_EASY_MIN)


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
