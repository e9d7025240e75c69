"""Constants of the product's scales and the validation every metric applies to its inputs."""

from __future__ import annotations

import math
import numbers
from typing import Literal

import numpy as np

__all__ = [
    "CES_EASY_MIN",
    "CSAT_SATISFIED_MIN",
    "HIGHER_IS_BETTER",
    "LOWER_IS_BETTER",
    "MIN_DRIVER_PAIRS",
    "NEUTRAL",
    "PASSIVE_MIN",
    "PROMOTER_MIN",
    "RATIO_CAP",
    "RATIO_TOLERANCE",
    "SIGNIFICANCE_Z",
    "Z_95",
    "NPSCategory",
    "Quadrant",
    "RatioOutcome",
]


PROMOTER_MIN = 9
PASSIVE_MIN = 7
CSAT_SATISFIED_MIN = 4  # CSAT % is the share of 4 and 5 on the 1-5 scale
CES_EASY_MIN = 5  # the CES "easy" share is of 5-7 on the 1-7 scale
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
