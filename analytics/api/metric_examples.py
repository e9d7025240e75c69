"""Example answers of the metrics calls, for the OpenAPI document."""

from drf_spectacular.utils import OpenApiExample

_EMPTY_NPS = {
    "n": 0,
    "promoters": 0,
    "passives": 0,
    "detractors": 0,
    "nps": None,
    "se": None,
    "ci_low": None,
    "ci_high": None,
}
_FILTERS = {
    "start": "2025-01-01",
    "end": "2025-01-31",
    "survey": None,
    "touchpoint": None,
    "stage": "post_sale",
    "channel": None,
    "segment": None,
    "value_tier": None,
    "interval": "week",
}
_RATIO = {"n": 84, "geometric_mean": 0.93, "share_below": 0.38, "share_met": 0.45, "share_above": 0.17}
_NO_RATIO = {"n": 0, "geometric_mean": None, "share_below": None, "share_met": None, "share_above": None}
_JOURNEYS = {
    "journeys": 212,
    "mean_peak_end": 6.4,
    "mean_of_means": 6.9,
    "mean_gap": -0.5,
    "journeys_breached": 31,
    "breached_share": 0.146,
    "floor_breaches": 40,
    "distribution": [3, 5, 9, 14, 20, 31, 44, 41, 30, 15],
}

NPS = OpenApiExample(
    "January, by week, against December",
    value={
        "filters": _FILTERS,
        "summary": {
            "responses": 120,
            "nps": {
                "n": 118,
                "promoters": 60,
                "passives": 38,
                "detractors": 20,
                "nps": 33.9,
                "se": 7.6,
                "ci_low": 18.9,
                "ci_high": 47.7,
            },
        },
        "series": [
            {
                "period": "2024-12-30",
                "responses": 20,
                "nps": {
                    "n": 20,
                    "promoters": 9,
                    "passives": 8,
                    "detractors": 3,
                    "nps": 30.0,
                    "se": 17.6,
                    "ci_low": -5.2,
                    "ci_high": 60.8,
                },
            },
        ],
        "comparison": {
            "previous_start": "2024-12-01",
            "previous_end": "2024-12-31",
            "previous": {"responses": 0, "nps": _EMPTY_NPS},
            "change": {"diff": None, "z": None, "significant": None},
        },
    },
    response_only=True,
)
CSAT = OpenApiExample(
    "January, by week",
    value={
        "filters": _FILTERS,
        "summary": {
            "responses": 120,
            "csat": {"n": 30, "satisfied": 22, "csat": 73.3, "ci_low": 55.3, "ci_high": 86.0},
        },
        "series": [
            {
                "period": "2024-12-30",
                "responses": 20,
                "csat": {"n": 6, "satisfied": 5, "csat": 83.3, "ci_low": 41.8, "ci_high": 98.9},
            },
            {
                "period": "2025-01-06",
                "responses": 31,
                "csat": {"n": 0, "satisfied": 0, "csat": None, "ci_low": None, "ci_high": None},
            },
        ],
    },
    response_only=True,
)
CES = OpenApiExample(
    "January, by week",
    value={
        "filters": _FILTERS,
        "summary": {
            "responses": 120,
            "ces": {
                "n": 42,
                "mean": 5.4,
                "sd": 1.3,
                "ci_low": 5.0,
                "ci_high": 5.8,
                "easy": 31,
                "easy_share": 73.8,
                "easy_ci_low": 58.8,
                "easy_ci_high": 84.8,
            },
        },
        "series": [
            {
                "period": "2024-12-30",
                "responses": 20,
                "ces": {
                    "n": 1,
                    "mean": 6.0,
                    "sd": None,
                    "ci_low": 6.0,
                    "ci_high": 6.0,
                    "easy": 1,
                    "easy_share": 100.0,
                    "easy_ci_low": 16.8,
                    "easy_ci_high": 100.0,
                },
            },
        ],
    },
    response_only=True,
)
EXPECTATION = OpenApiExample(
    "Delivery disappoints",
    value={
        "filters": {**_FILTERS, "interval": "month"},
        "summary": {"survey": _RATIO, "measure": {**_RATIO, "n": 310, "geometric_mean": 0.81}},
        "by_touchpoint": [
            {
                "touchpoint": "delivery",
                "name": "Delivery",
                "survey": _RATIO,
                "measure": {**_RATIO, "n": 310, "geometric_mean": 0.81},
            },
            {
                "touchpoint": "checkout",
                "name": "Checkout",
                "survey": {**_RATIO, "geometric_mean": 1.04},
                "measure": _NO_RATIO,
            },
        ],
        "series": [{"period": "2025-01-01", "survey": _RATIO}],
    },
    response_only=True,
)
PEAK_END = OpenApiExample(
    "Journeys started in January",
    value={
        "filters": {**_FILTERS, "stage": None, "interval": None, "journey_map": 3},
        "summary": _JOURNEYS,
        "moments_of_truth": [
            {
                "touchpoint": "delivery",
                "name": "Delivery",
                "peaks": 80,
                "negative_peaks": 41,
                "ends": 150,
                "negative_ends": 22,
            },
        ],
        "series": None,
    },
    response_only=True,
)
DRIVERS = OpenApiExample(
    "Service matters most",
    value={
        "filters": {**_FILTERS, "stage": None, "interval": None},
        "drivers": [
            {
                "dimension": "service",
                "label": "Service",
                "n": 240,
                "importance": 0.61,
                "ci_low": 0.52,
                "ci_high": 0.68,
                "performance": 6.2,
                "enough_data": True,
                "quadrant": "act_first",
            },
            {
                "dimension": "price",
                "label": "Price",
                "n": 240,
                "importance": 0.22,
                "ci_low": 0.1,
                "ci_high": 0.34,
                "performance": 7.8,
                "enough_data": True,
                "quadrant": "overkill",
            },
        ],
        "series": None,
    },
    response_only=True,
)
