"""Example answer of ``/metrics/journeys/``, for the OpenAPI document."""

from drf_spectacular.utils import OpenApiExample

from .metric_examples import _FILTERS


def _share(x: int, n: int, low: float | None, high: float | None) -> dict:
    return {"n": n, "x": x, "share": x / n if n else None, "ci_low": low, "ci_high": high}


def _outcomes(completed: int, abandoned: int, in_progress: int) -> dict:
    journeys = completed + abandoned + in_progress
    return {
        "journeys": journeys,
        "completed": completed,
        "abandoned": abandoned,
        "in_progress": in_progress,
        "completion": _share(completed, journeys, 0.52, 0.66),
        "abandonment": _share(abandoned, journeys, 0.19, 0.31),
        "open_share": _share(in_progress, journeys, 0.07, 0.16),
        "completed_of_ended": _share(completed, completed + abandoned, 0.62, 0.75),
    }


def _step(position, code, name, stage, reached, continued, abandoned, in_progress, median) -> dict:
    dropped = reached - continued if median is not None else 0
    return {
        "position": position,
        "touchpoint": code,
        "name": name,
        "stage": stage,
        "reached": reached,
        "reached_share": reached / 200,
        "continued": continued if median is not None else 0,
        "dropped": dropped,
        "drop": None if median is None else _share(dropped, reached, None, None),
        "dropped_abandoned": abandoned,
        "dropped_in_progress": in_progress,
        "dropped_completed": dropped - abandoned - in_progress,
        "to_next": None if median is None else {"n": continued, "median_seconds": median, "at_least": False},
    }


JOURNEYS = OpenApiExample(
    "Online purchase, January",
    value={
        "filters": {**_FILTERS, "stage": None, "interval": None, "journey_map": 3},
        "journey_map": {"id": 3, "name": "Online purchase"},
        "interval": "day",
        "outcomes": _outcomes(118, 50, 32),
        "funnel": [
            _step(1, "browse", "Browse", "pre_sale", 200, 170, 14, 16, 3600.0),
            _step(2, "cart", "Cart", "mid_sale", 170, 140, 20, 10, 5400.0),
            _step(3, "pay", "Pay", "mid_sale", 140, 118, 16, 6, 259200.0),
            _step(4, "deliver", "Delivery", "post_sale", 118, 0, 0, 0, None),
        ],
        "series": [{"period": "2025-01-06", **_outcomes(20, 8, 4)}],
        "peak_end_by_outcome": [
            {
                "status": "completed",
                "scored": 110,
                "mean_peak_end": 6.8,
                "distribution": [0, 1, 2, 5, 9, 14, 25, 28, 18, 8],
            },
            {
                "status": "abandoned",
                "scored": 44,
                "mean_peak_end": 3.9,
                "distribution": [2, 5, 8, 9, 8, 6, 3, 2, 1, 0],
            },
            {
                "status": "in_progress",
                "scored": 20,
                "mean_peak_end": 5.6,
                "distribution": [0, 0, 1, 3, 5, 5, 3, 2, 1, 0],
            },
        ],
        "give_up": [
            {
                "touchpoint": "pay",
                "name": "Pay",
                "ends": 21,
                "negative_ends": 15,
                "peaks": 18,
                "negative_peaks": 14,
            },
        ],
    },
    response_only=True,
)
