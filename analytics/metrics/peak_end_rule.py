"""Peak-end scores of journeys (Kahneman's peak-end rule), one at a time and vectorised."""

from __future__ import annotations

import math
from collections.abc import Sequence
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
    starts, counts = _journey_runs(codes, position)
    ends = starts + counts - 1
    peak_at = _peak_moments(score, starts, counts)
    breaches = _floor_breaches(df, score, order)
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


def _journey_runs(codes: np.ndarray, position: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each journey's moments start in the sorted arrays, and how many it has.

    ``codes`` and ``position`` are sorted by journey, then position; ValueError when a journey has
    two moments at one position.
    """
    size = len(codes)
    new_journey = np.empty(size, dtype=bool)
    new_journey[:1] = True
    np.not_equal(codes[1:], codes[:-1], out=new_journey[1:])
    if np.any(~new_journey[1:] & (position[1:] == position[:-1])):
        raise ValueError("duplicate (journey_id, position) pairs")
    starts = np.flatnonzero(new_journey)
    counts = np.diff(np.append(starts, size))
    return starts, counts


def _peak_moments(score: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The index of each journey's peak: the largest |score - 5|, ties going to the last moment
    below neutral, else to the last of the most intense (as ``_peak_key`` orders them)."""
    index = np.arange(len(score))
    intensity = np.abs(score - NEUTRAL)
    candidate = intensity == np.repeat(np.maximum.reduceat(intensity, starts), counts)
    last_negative = np.maximum.reduceat(np.where(candidate & (score < NEUTRAL), index, -1), starts)
    last_candidate = np.maximum.reduceat(np.where(candidate, index, -1), starts)
    return np.where(last_negative >= 0, last_negative, last_candidate)


def _floor_breaches(df: pd.DataFrame, score: np.ndarray, order: np.ndarray) -> np.ndarray:
    """1 for each sorted moment strictly below its floor, else 0; all 0 without a ``floor`` column."""
    if "floor" not in df.columns:
        return np.zeros(len(score), dtype=np.int64)
    floor = df["floor"].to_numpy(dtype=float)[order]
    return (score < floor).astype(np.int64)  # NaN floor never breached
