"""Journey funnel: how far journeys get along their map, how long each step takes, how they end.

Definitions (``shared/design/metrics.md`` has no section on them; this docstring is where they
are written down)
------------------------------------------------------------------------------------------------
A *journey* is counted by the day it started; its map's steps are ordered by position, and the
*next step* of a step is the one with the next higher position on the map.

- **Reached.** A journey reached step k if it has an interaction (scored or not) at step k's
  touchpoint. Steps may be skipped: a journey can reach step 3 without step 2.
- **Continued / dropped.** Of the journeys that reached step k, ``continued`` also reached the
  next step (in any order); ``dropped = reached − continued`` did not go on to it, with its share
  ``dropped / reached`` and the adjusted-Wald 95 % interval of that share (metrics.md, "Intervals").
  The dropped are split by what the journey is now: ``abandoned`` (timed out or closed as such:
  customers who gave up there), ``in progress`` (may still go on) and, the rest, completed (ended
  at a step marked as an end before the next). The last step has no next: no drop-off.
- **Time to the next step.** From the first interaction at step k to the first at the next step,
  for the journeys that continued; a next step first met before step k counts as 0. Medians do not
  add up across days or segments, so rollups keep a histogram of these durations in fixed bins
  (``STEP_TIME_EDGES_US``): bin 0 is under a minute, bins 1–48 are log-spaced from one minute to
  365 days (each edge ≈ 1.316 × the one before), bin 49 is 365 days or more. The median is the
  grouped median, linearly interpolated inside the bin holding the middle rank ``n / 2``:
  ``lo + (n/2 − below) / count × (hi − lo)``. It lies in the same bin as the middle value, so it is
  within that bin's width of the exact median (for an even count, within the span of the bins of
  the two middle values); in the open top bin it is reported as that bin's lower edge (365 days,
  ``beyond=True``: "at least").
- **Completion and abandonment.** Of the journeys started in a period: the shares completed,
  abandoned and still in progress (now), each with its adjusted-Wald 95 % interval, and the share
  completed of those that have ended (completed + abandoned), which does not wait for the recent
  journeys to end.
- **Peak–end by outcome.** The peak–end scores (metrics.md, "Peak–end score") of the scored
  journeys of each outcome, binned as ``JourneyRollup`` bins them (k ≤ score < k + 1, 10 in bin 9),
  with their mean.
- **Where customers give up.** The moments of truth (peak and end) of abandoned journeys, per
  touchpoint: how often it was their end (their last scored moment), their negative peak (below
  5), their negative end.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .intervals import ShareInterval, share_interval
from .scales import _integer, _real

__all__ = [
    "PEAK_END_BIN_COUNT",
    "STEP_TIME_BINS",
    "STEP_TIME_EDGES_US",
    "FunnelStep",
    "JourneyOutcomes",
    "PeakEndDistribution",
    "StepCounts",
    "StepTime",
    "funnel_steps",
    "journey_outcomes",
    "journey_step_frame",
    "peak_end_distribution",
    "step_time_bin_bounds",
    "step_time_bins",
    "step_time_median",
]

_MINUTE_US = 60_000_000
_TOP_US = 365 * 86_400_000_000
_LOG_BINS = 48
_RATIO = (_TOP_US / _MINUTE_US) ** (1.0 / _LOG_BINS)
# The lower edges of bins 1…49, in whole microseconds: bin b holds durations d with
# EDGES[b − 1] <= d < EDGES[b] (bin 0: d < one minute; bin 49: d >= 365 days). Integers, so the
# rebuild in SQL (``width_bucket`` over the same array) bins exactly as ``step_time_bins``.
STEP_TIME_EDGES_US: tuple[int, ...] = (
    *(round(_MINUTE_US * _RATIO**index) for index in range(_LOG_BINS)),
    _TOP_US,
)
STEP_TIME_BINS = len(STEP_TIME_EDGES_US) + 1
PEAK_END_BIN_COUNT = 10
_EDGES = np.asarray(STEP_TIME_EDGES_US, dtype=np.int64)


def step_time_bins(durations_us) -> np.ndarray:
    """The histogram bin (0…49) of each duration in microseconds; negative durations count as 0."""
    durations = np.maximum(np.asarray(durations_us, dtype=np.int64), 0)
    return np.searchsorted(_EDGES, durations, side="right").astype(np.int64)


def step_time_bin_bounds(index: int) -> tuple[float, float]:
    """(low, high) of a bin in seconds; the top bin's high is infinity."""
    index = _integer(index, "bin", 0, STEP_TIME_BINS - 1)
    low = 0 if index == 0 else STEP_TIME_EDGES_US[index - 1]
    high = STEP_TIME_EDGES_US[index] if index < len(STEP_TIME_EDGES_US) else math.inf
    return low / 1e6, high / 1e6


@dataclass(frozen=True, slots=True)
class StepTime:
    """The median duration (seconds) of ``n`` durations from their histogram; None when n == 0.
    ``beyond``: the median fell in the open top bin, and ``median`` is its lower edge (at least)."""

    n: int
    median: float | None
    beyond: bool = False


def step_time_median(counts: Sequence[int]) -> StepTime:
    """The grouped median of a duration histogram (``STEP_TIME_BINS`` counts), interpolated linearly
    inside the bin holding rank n / 2 (see the module docstring)."""
    if len(counts) != STEP_TIME_BINS:
        raise ValueError(f"a histogram has {STEP_TIME_BINS} bins, got {len(counts)}")
    counts = [_integer(count, "count", 0) for count in counts]
    n = sum(counts)
    if n == 0:
        return StepTime(0, None)
    middle, below = n / 2.0, 0
    for index, count in enumerate(counts):
        if count and below + count >= middle:
            low, high = step_time_bin_bounds(index)
            if math.isinf(high):
                return StepTime(n, low, beyond=True)
            return StepTime(n, low + (middle - below) / count * (high - low))
        below += count
    raise AssertionError("unreachable: the counts add up to n")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class StepCounts:
    """One step's additive sums, as the funnel rollup holds them."""

    position: int
    reached: int
    continued: int
    dropped_abandoned: int
    dropped_in_progress: int
    histogram: Sequence[int]


@dataclass(frozen=True, slots=True)
class FunnelStep:
    """One step of the funnel. ``reached_share``: of the journeys started (None without any);
    ``drop``: the share of ``reached`` that did not go on (None at the last step); ``to_next``:
    the median time to the next step (None at the last step)."""

    position: int
    reached: int
    reached_share: float | None
    continued: int
    dropped: int
    dropped_abandoned: int
    dropped_in_progress: int
    dropped_completed: int
    drop: ShareInterval | None
    to_next: StepTime | None

    @property
    def last(self) -> bool:
        return self.drop is None


def funnel_steps(*, journeys: int, steps: Sequence[StepCounts]) -> list[FunnelStep]:
    """The funnel of the journeys started (``journeys``) from each step's sums, in the order given
    (the map's); the last step has no drop-off and no time to the next. ValueError on sums no
    journeys could give."""
    journeys = _integer(journeys, "journeys", 0)
    result = []
    for index, step in enumerate(steps):
        reached = _integer(step.reached, "reached", 0)
        continued = _integer(step.continued, "continued", 0, reached)
        dropped = reached - continued
        abandoned = _integer(step.dropped_abandoned, "dropped_abandoned", 0, dropped)
        in_progress = _integer(step.dropped_in_progress, "dropped_in_progress", 0, dropped - abandoned)
        last = index == len(steps) - 1
        to_next = None if last else step_time_median(step.histogram)
        if to_next is not None and to_next.n != continued:
            raise ValueError(f"step {step.position}: {to_next.n} timed durations for {continued} continued")
        result.append(
            FunnelStep(
                position=step.position,
                reached=reached,
                reached_share=reached / journeys if journeys else None,
                continued=0 if last else continued,
                dropped=0 if last else dropped,
                dropped_abandoned=0 if last else abandoned,
                dropped_in_progress=0 if last else in_progress,
                dropped_completed=0 if last else dropped - abandoned - in_progress,
                drop=None if last else share_interval(n=reached, x=dropped),
                to_next=to_next,
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class JourneyOutcomes:
    """How the journeys started in a period stand now, with the shares of all of them (and of the
    ended ones, for ``completed_of_ended``), each with its adjusted-Wald 95 % interval."""

    journeys: int
    completed: int
    abandoned: int
    in_progress: int
    completion: ShareInterval
    abandonment: ShareInterval
    open_share: ShareInterval
    completed_of_ended: ShareInterval


def journey_outcomes(*, completed: int, abandoned: int, in_progress: int) -> JourneyOutcomes:
    completed = _integer(completed, "completed", 0)
    abandoned = _integer(abandoned, "abandoned", 0)
    in_progress = _integer(in_progress, "in_progress", 0)
    journeys = completed + abandoned + in_progress
    return JourneyOutcomes(
        journeys=journeys,
        completed=completed,
        abandoned=abandoned,
        in_progress=in_progress,
        completion=share_interval(n=journeys, x=completed),
        abandonment=share_interval(n=journeys, x=abandoned),
        open_share=share_interval(n=journeys, x=in_progress),
        completed_of_ended=share_interval(n=completed + abandoned, x=completed),
    )


@dataclass(frozen=True, slots=True)
class PeakEndDistribution:
    """Peak–end scores of ``n`` journeys: their mean (0–10, None without any) and how many fall in
    each bin (k <= score < k + 1, 10 in bin 9)."""

    n: int
    mean: float | None
    bins: tuple[int, ...]

    def share(self, index: int) -> float | None:
        return self.bins[index] / self.n if self.n else None


def peak_end_distribution(*, peak_end_sum: float, bins: Sequence[int]) -> PeakEndDistribution:
    if len(bins) != PEAK_END_BIN_COUNT:
        raise ValueError(f"{PEAK_END_BIN_COUNT} peak–end bins, got {len(bins)}")
    counts = tuple(_integer(count, "bin", 0) for count in bins)
    total = _real(peak_end_sum, "peak_end_sum")
    n = sum(counts)
    slack = 1e-9 * max(1.0, 10.0 * n)
    if not -slack <= total <= 10.0 * n + slack:
        raise ValueError(f"peak_end_sum must be in 0..{10 * n} for n={n}, got {total!r}")
    return PeakEndDistribution(n, total / n if n else None, counts)


def journey_step_frame(moments: pd.DataFrame) -> pd.DataFrame:
    """Each journey's steps reached, with the histogram bin of the time to its next step.

    ``moments``: one row per interaction of a journey at a step of its map, columns
    ``journey_id``, ``position`` (the step's), ``next_position`` (the map's next step, −1 for the
    last) and ``occurred_us`` (int64 microseconds on any fixed clock). Returns one row per
    (journey_id, position) reached, sorted so: ``journey_id``, ``position``, ``next_bin`` (the bin
    of first-at-next − first-here, −1 when the next step was not reached or there is none).
    """
    columns = ["journey_id", "position", "next_bin"]
    if moments.empty:
        return pd.DataFrame({name: pd.Series(dtype=np.int64) for name in columns})
    firsts = (
        moments.groupby(["journey_id", "position"], sort=True)
        .agg(first=("occurred_us", "min"), next_position=("next_position", "first"))
        .reset_index()
    )
    following = firsts[["journey_id", "position", "first"]].rename(
        columns={"position": "next_position", "first": "next_first"}
    )
    joined = firsts.merge(following, on=["journey_id", "next_position"], how="left", sort=False)
    reached_next = joined["next_first"].notna().to_numpy()
    bins = np.full(len(joined), -1, dtype=np.int64)
    if reached_next.any():
        gap = joined["next_first"].to_numpy()[reached_next].astype(np.int64) - joined["first"].to_numpy()[
            reached_next
        ].astype(np.int64)
        bins[reached_next] = step_time_bins(gap)
    result = pd.DataFrame(
        {
            "journey_id": joined["journey_id"].to_numpy(dtype=np.int64),
            "position": joined["position"].to_numpy(dtype=np.int64),
            "next_bin": bins,
        }
    )
    return result.sort_values(["journey_id", "position"], kind="stable").reset_index(drop=True)
