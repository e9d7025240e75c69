"""Peak-end scores of journeys (Kahneman's peak-end rule), one at a time and vectorised."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .scales import NEUTRAL, _real

__all__ = [
    "PEAK_END_COLUMNS",
    "PeakEnd",
    "pain_to_experience",
    "peak_end",
    "peak_end_frame",
]


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

    Rows already sorted by (journey_id, position), as the journey-score
    queries give them, are read in place; any other order is sorted first.
    """
    missing = {"journey_id", "position", "score"} - set(df.columns)
    if missing:
        raise ValueError(f"missing columns: {sorted(missing)}")
    if df.empty:
        empty = pd.DataFrame({c: pd.Series(dtype=float) for c in PEAK_END_COLUMNS})
        return empty.set_axis(pd.Index([], name="journey_id"))
    score = df["score"].to_numpy(dtype=float)
    if not (score.min() >= 0.0 and score.max() <= 10.0):  # a NaN makes both False
        raise ValueError("scores must be in 0..10 and not missing")
    if not pd.api.types.is_integer_dtype(df["position"]):
        raise ValueError("position must be an integer column")
    keys, labels = _journey_keys(df["journey_id"])
    position = df["position"].to_numpy()
    floor = df["floor"].to_numpy(dtype=float) if "floor" in df.columns else None
    starts = _journey_starts(keys, position)
    if starts is None:  # not in (journey, position) order: sort, then look again
        order = np.lexsort((position, keys))
        keys, position, score = keys[order], position[order], score[order]
        floor = None if floor is None else floor[order]
        starts = _journey_starts(keys, position)
        if starts is None:
            raise ValueError("duplicate (journey_id, position) pairs")
    journeys = keys[starts] if labels is None else labels[keys[starts]]
    # A block of whole journeys at a time, so that its temporaries stay in the CPU's cache.
    blocks = [
        _block_scores(
            score[first:last], None if floor is None else floor[first:last], position[first:last], runs
        )
        for first, last, runs in _blocks(starts, len(score))
    ]
    return pd.DataFrame(
        {name: np.concatenate([block[name] for block in blocks]) for name in PEAK_END_COLUMNS},
        index=pd.Index(journeys, name="journey_id"),
        copy=False,
    )


_BLOCK = 1 << 16  # moments per block (about 0.5 MB per float column)


def _blocks(starts: np.ndarray, size: int) -> Iterator[tuple[int, int, np.ndarray]]:
    """Blocks of whole journeys of about ``_BLOCK`` moments each (a journey longer than that
    makes its block longer): first moment, end moment, and the block's journey starts
    counted from its first moment."""
    firsts = np.unique(np.searchsorted(starts, np.arange(0, size, _BLOCK)))
    edges = np.append(firsts[firsts < len(starts)], len(starts))
    for begin, end in itertools.pairwise(edges):
        first = int(starts[begin])
        last = int(starts[end]) if end < len(starts) else size
        yield first, last, starts[begin:end] - first


def _block_scores(
    score: np.ndarray, floor: np.ndarray | None, position: np.ndarray, starts: np.ndarray
) -> dict:
    """``PEAK_END_COLUMNS`` of the journeys starting at ``starts`` in these sorted moments."""
    counts = np.diff(starts, append=len(score))
    ends = starts + counts - 1
    steps = _grid_steps(score)
    peak_at = _peak_moments(score, steps, starts, counts)
    peak, end = score[peak_at], score[ends]
    mean = np.add.reduceat(score, starts) / counts
    pe = (peak + end) / 2.0
    return {
        "peak_position": position[peak_at],
        "peak": peak,
        "end_position": position[ends],
        "end": end,
        "peak_end": pe,
        "mean": mean,
        "gap": pe - mean,
        "contrast": _contrast(score, steps, starts),
        "floor_breaches": _floor_breaches(score, floor, starts),
        "n": counts,
    }


def _journey_keys(journey_id: pd.Series) -> tuple[np.ndarray, pd.Index | None]:
    """Integer keys that sort as ``journey_id`` does, and the labels they stand for.

    Plain integer ids are their own keys (labels ``None``); anything else is
    factorised in sorted order. ValueError on a missing id.
    """
    if isinstance(journey_id.dtype, np.dtype) and journey_id.dtype.kind in "iu":
        return journey_id.to_numpy(), None
    codes, labels = pd.factorize(journey_id, sort=True)
    if np.any(codes < 0):
        raise ValueError("journey_id must not be missing")
    return codes, labels


def _journey_starts(keys: np.ndarray, position: np.ndarray) -> np.ndarray | None:
    """Where each journey's moments start, when the rows are strictly in (journey, position)
    order; ``None`` when they are not (a duplicate pair is out of order too)."""
    new_journey = np.empty(len(keys), dtype=bool)
    new_journey[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new_journey[1:])
    in_order = np.greater(position[1:], position[:-1])
    in_order |= new_journey[1:]
    if not (in_order.all() and np.greater_equal(keys[1:], keys[:-1]).all()):
        return None
    return np.flatnonzero(new_journey)


# Scores of at most three decimals take the fast paths (integer keys); any other float takes
# the general ones, with the same results.
_GRID = 1000
_GRID_VALUES = np.arange(10 * _GRID + 1) / _GRID


def _grid_steps(score: np.ndarray) -> np.ndarray | None:
    """Each score in thousandths when every score is exactly ``steps / 1000`` as a float, so
    the steps order, tie and give back the floats exactly; ``None`` when one is off the grid."""
    steps = np.multiply(score, _GRID)
    steps += 0.5
    steps = steps.astype(np.intp)  # scores are 0..10, so this rounds to the nearest step
    return steps if np.array_equal(_GRID_VALUES[steps], score) else None


def _peak_ranks() -> np.ndarray:
    """Per grid step: the rank of its |s - 5| * 2, + 1 when below neutral. The ranks come from
    the very floats ``_peak_key`` compares, so the |s - 5| that are equal as floats share one
    (6.5 and 3.5 do; 6.4 and 3.6 do not, by a last bit)."""
    _, rank = np.unique(np.abs(_GRID_VALUES - NEUTRAL), return_inverse=True)
    return rank * 2 + (_GRID_VALUES < NEUTRAL)


_PEAK_RANKS = _peak_ranks()


def _peak_moments(
    score: np.ndarray, steps: np.ndarray | None, starts: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """The index of each journey's peak, as ``_peak_key`` orders the moments: the largest
    |score - 5|, ties going to the moment below neutral, then to the later one.

    On the grid each moment gets one integer key, its ``_PEAK_RANKS`` entry * size + its
    index, and the peak is the journey's largest key. Off the grid: the most intense moments of each
    journey first, then among them the last below neutral, else the last.
    """
    size = len(score)
    index = np.arange(size)
    if steps is not None and 2 * len(_GRID_VALUES) * size < 2**62:
        key = np.take(_PEAK_RANKS * size, steps)
    else:
        intensity = np.abs(score - NEUTRAL)
        candidate = intensity == np.repeat(np.maximum.reduceat(intensity, starts), counts)
        key = np.where(candidate, np.where(score < NEUTRAL, size, 0), -2 * size)
    key += index
    return np.maximum.reduceat(key, starts) % size


def _contrast(score: np.ndarray, steps: np.ndarray | None, starts: np.ndarray) -> np.ndarray:
    """max - min of each journey's scores (on the grid from the steps, which is the same)."""
    if steps is None:
        return np.maximum.reduceat(score, starts) - np.minimum.reduceat(score, starts)
    top, bottom = np.maximum.reduceat(steps, starts), np.minimum.reduceat(steps, starts)
    return _GRID_VALUES[top] - _GRID_VALUES[bottom]


def _floor_breaches(score: np.ndarray, floor: np.ndarray | None, starts: np.ndarray) -> np.ndarray:
    """Moments strictly below their floor, per journey; all 0 without a ``floor`` column."""
    below = None if floor is None else np.less(score, floor)  # a NaN floor is never breached
    if below is None or not below.any():
        return np.zeros(len(starts), dtype=np.int64)
    return np.add.reduceat(below, starts, dtype=np.int64)
