"""The single source of truth for every number the product shows.

Pure maths over plain numbers, sequences and DataFrames: stdlib, numpy and
pandas only, no Django. Import from here (``from analytics.metrics import
nps_summary``); the submodules ``nps``, ``ratio``, ``peak_end_rule``,
``drivers`` and ``scales`` only keep each file small. Definitions follow ``shared/design/metrics.md``;
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
12. ``driver_from_sums`` computes the same r from additive sums (n, Σx, Σy,
    Σx², Σy², Σxy), so key drivers can be rolled up; it agrees with
    ``key_drivers`` to float rounding, and treats a side whose centred sum
    of squares is within 1e-12 (relative) of zero as without spread.
13. Quadrants: "high" is ``>=`` the cut. ``driver_quadrants`` cuts at the
    medians of importance and performance over the dimensions with enough
    data; the others get ``None``.
14. ``intervals``: CSAT % and the CES top-3 box get the adjusted-Wald
    interval, the CES mean the t interval from (n, Σx, Σx²) with Student's
    quantile computed here (no scipy); n < 2 or no spread gives the point.
    ``ces_figures`` with ``sum_squares=None`` (sums from before the rollups
    stored Σx²) leaves the mean's interval undefined rather than guessing.
15. ``funnel``: the journey funnel, the time between steps (a grouped median from a histogram of
    fixed log-spaced bins, within a bin width of the exact one), completion and abandonment, and
    peak–end by outcome; their definitions are in that module's docstring.
"""

from .drivers import *  # noqa: F403
from .experience import *  # noqa: F403
from .funnel import *  # noqa: F403
from .intervals import *  # noqa: F403
from .nps import *  # noqa: F403
from .peak_end_rule import *  # noqa: F403
from .ratio import *  # noqa: F403
from .scales import *  # noqa: F403
