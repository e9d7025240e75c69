"""95 % intervals from additive sums (metrics.md, "Intervals on every figure"), and CSAT and CES with
theirs.

- A share (CSAT %, the CES top-3 box): adjusted Wald (Agresti–Coull), ``ñ = n + z²``,
  ``p̃ = (x + z²/2) / ñ``, ``p̃ ± z·sqrt(p̃(1 − p̃)/ñ)``, clipped to [0, 1].
- A mean (CES): ``mean ± t·s/√n``, ``t`` the Student quantile with n − 1 degrees of freedom and
  ``s`` the sample standard deviation from (n, Σx, Σx²); with n < 2 or s = 0 the interval is the
  point.

Student's t is computed here (no scipy): its distribution function through the regularised
incomplete beta function (a continued fraction), inverted by bisection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from .nps import ces_summary, csat_summary
from .scales import Z_95, _integer, _real

__all__ = [
    "CESFigures",
    "CSATFigures",
    "MeanInterval",
    "ShareInterval",
    "ces_figures",
    "csat_figures",
    "mean_interval",
    "share_interval",
    "t_quantile_95",
]


@dataclass(frozen=True, slots=True)
class ShareInterval:
    """A share ``x / n`` (fraction 0..1) with its adjusted-Wald 95 % interval; all None when n == 0."""

    n: int
    x: int
    share: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True, slots=True)
class MeanInterval:
    """A mean with its sample standard deviation and its t 95 % interval; all None when n == 0.

    ``sd`` is None for n == 1 (no spread to estimate); the interval is then the point.
    """

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True, slots=True)
class CSATFigures:
    """CSAT of one slice: ``satisfied`` answers of 4–5 among ``n`` answers on the 1–5 scale.

    ``csat``, ``ci_low`` and ``ci_high`` are percent 0..100 (adjusted Wald); None when n == 0.
    """

    n: int
    satisfied: int
    csat: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True, slots=True)
class CESFigures:
    """CES of one slice: the mean of ``n`` answers on the 1–7 scale (7 = very easy) with its t 95 %
    interval, and ``easy``, the answers of 5–7 (the top-3 box), as a percent with its adjusted-Wald
    interval. Every figure None when n == 0; the mean's interval None when ``sum_squares`` is
    unknown (rows summed before the rollups stored it)."""

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    easy: int
    easy_share: float | None
    easy_ci_low: float | None
    easy_ci_high: float | None


def _log_beta_front(x: float, a: float, b: float) -> float:
    return math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)


def _beta_fraction(x: float, a: float, b: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, eps = 1e-300, 1e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return h


def _regularised_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b) for 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(_log_beta_front(x, a, b)) * _beta_fraction(x, a, b) / a
    return 1.0 - math.exp(_log_beta_front(x, a, b)) * _beta_fraction(1.0 - x, b, a) / b


def _t_upper_tail(t: float, df: int) -> float:
    """P(T > t) for t >= 0, T Student-distributed with ``df`` degrees of freedom."""
    return 0.5 * _regularised_beta(df / (df + t * t), df / 2.0, 0.5)


@lru_cache(maxsize=4096)
def t_quantile_95(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` >= 1 degrees of freedom (the 95 % two-sided
    multiplier): 12.706… at df = 1, 4.303… at 2, tending to ``Z_95``. Exact to about 1e-12."""
    df = _integer(df, "degrees of freedom", 1)
    low, high = Z_95, 13.0  # the quantile falls as df grows: 12.7062 at df = 1, Z_95 in the limit
    for _ in range(200):
        middle = (low + high) / 2.0
        if _t_upper_tail(middle, df) > 0.025:
            low = middle
        else:
            high = middle
        if high - low <= 1e-13 * high:
            break
    return (low + high) / 2.0


def share_interval(*, n: int, x: int) -> ShareInterval:
    """``x`` of ``n`` as a fraction with its adjusted-Wald (Agresti–Coull) 95 % interval, clipped to
    [0, 1]; None when n == 0. ValueError unless 0 <= x <= n are integers."""
    n = _integer(n, "n", 0)
    x = _integer(x, "x", 0, n)
    if n == 0:
        return ShareInterval(0, 0, None, None, None)
    z2 = Z_95 * Z_95
    n_adjusted = n + z2
    p_adjusted = (x + z2 / 2.0) / n_adjusted
    half = Z_95 * math.sqrt(p_adjusted * (1.0 - p_adjusted) / n_adjusted)
    return ShareInterval(n, x, x / n, max(0.0, p_adjusted - half), min(1.0, p_adjusted + half))


def mean_interval(*, n: int, total: float, sum_squares: float) -> MeanInterval:
    """The mean ``total / n`` with ``s`` from (n, Σx, Σx²) and ``mean ± t·s/√n``.

    n < 2, or no spread (s = 0, within float rounding for real sums), gives the point as the
    interval. With integer sums the spread is computed exactly. ValueError for a negative n or
    sums no values could give (n·Σx² < (Σx)²).
    """
    n = _integer(n, "n", 0)
    exact = isinstance(total, int) and isinstance(sum_squares, int)
    total, squares = (
        (total, sum_squares) if exact else (_real(total, "total"), _real(sum_squares, "sum_squares"))
    )
    if n == 0:
        if total or squares:
            raise ValueError(f"sums must be 0 for n=0, got {total!r}, {squares!r}")
        return MeanInterval(0, None, None, None, None)
    spread = n * squares - total * total  # n(n - 1)·s², exact for integers
    if spread < -1e-9 * max(1.0, n * abs(squares)):
        raise ValueError(f"no {n} values have sum {total!r} and sum of squares {squares!r}")
    mean = total / n
    if n == 1:
        return MeanInterval(1, mean, None, mean, mean)
    if not exact and spread <= 1e-12 * max(1.0, n * abs(squares)):
        spread = 0
    sd = math.sqrt(max(spread, 0) / (n * (n - 1)))
    half = t_quantile_95(n - 1) * sd / math.sqrt(n)
    return MeanInterval(n, mean, sd, mean - half, mean + half)


def csat_figures(*, n: int, satisfied: int) -> CSATFigures:
    """``csat_summary`` with its adjusted-Wald 95 % interval, all in percent."""
    summary = csat_summary(n=n, satisfied=satisfied)
    low, high = _percent(share_interval(n=summary.n, x=summary.satisfied))
    return CSATFigures(summary.n, summary.satisfied, summary.csat, low, high)


def ces_figures(*, n: int, total: int, sum_squares: int | None, easy: int) -> CESFigures:
    """``ces_summary`` with the mean's t 95 % interval (on the 1–7 scale) and the top-3 box (answers
    of 5–7) in percent with its adjusted-Wald interval.

    ``sum_squares`` is Σx² of the answers; None leaves the mean's spread and interval undefined.
    The mean's interval is clipped to the scale, [1, 7].
    ValueError when the counts cannot come from 1–7 answers (as ``ces_summary``, and a Σx² outside
    Σx..7·Σx or below (Σx)²/n).
    """
    summary = ces_summary(n=n, total=total, easy=easy)
    easy = _integer(easy, "easy", 0, summary.n)
    easy_low, easy_high = _percent(share_interval(n=summary.n, x=easy))
    if sum_squares is None:
        mean = MeanInterval(summary.n, summary.mean, None, None, None)
    else:
        squares = _integer(sum_squares, "sum_squares", total, 7 * total)  # 1 <= x <= 7: x <= x² <= 7x
        mean = mean_interval(n=summary.n, total=total, sum_squares=squares)
        if mean.ci_low is not None:  # a mean of 1-7 answers lies in 1..7, and so does its interval
            mean = MeanInterval(mean.n, mean.mean, mean.sd, max(1.0, mean.ci_low), min(7.0, mean.ci_high))
    return CESFigures(
        summary.n,
        summary.mean,
        mean.sd,
        mean.ci_low,
        mean.ci_high,
        easy,
        summary.easy_share,
        easy_low,
        easy_high,
    )


def _percent(share: ShareInterval) -> tuple[float | None, float | None]:
    """The interval of a share in percent (the point comes from the summary, to the last bit)."""
    if share.share is None:
        return None, None
    return 100.0 * share.ci_low, 100.0 * share.ci_high
