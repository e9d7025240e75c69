"""Examples of the journeys resources' requests and answers, as the OpenAPI document shows them."""

from drf_spectacular.utils import OpenApiExample

PEAK_END = {
    "moments": 3,
    "peak": 2.0,
    "end": 8.0,
    "peak_end": 5.0,
    "mean": 6.0,
    "gap": -1.0,
    "contrast": 6.0,
    "floor_breaches": 1,
    "peak_interaction": 4702,
    "end_interaction": 4711,
    "peak_touchpoint": "delivery",
    "end_touchpoint": "delivery-hotline",
    "computed_at": "2025-03-02T15:01:00Z",
}
JOURNEY = {
    "id": 812,
    "external_id": "ORDER-2025-0042",
    "customer": "CRM-000123",
    "journey_map": 3,
    "origin": "explicit",
    "status": "completed",
    "started_at": "2025-02-20T08:00:00Z",
    "ended_at": "2025-03-02T15:00:00Z",
    "last_activity_at": "2025-03-02T14:05:00Z",
    "furthest_step": 3,
    "steps_total": 3,
    "peak_end": PEAK_END,
    "created_at": "2025-02-20T08:00:00Z",
    "updated_at": "2025-03-02T15:00:00Z",
}
STEPS = [
    {
        "interaction": 4702,
        "external_id": "DLV-77",
        "touchpoint": "delivery",
        "stage": "post_sale",
        "channel": "in_store",
        "occurred_at": "2025-03-01T10:00:00Z",
        "experience_score": 2.0,
        "is_peak": True,
        "is_end": False,
    }
]

JOURNEY_EXAMPLE = OpenApiExample(
    "A journey with its steps and peak–end score", value={**JOURNEY, "steps": STEPS}, response_only=True
)
JOURNEY_LIST_EXAMPLE = OpenApiExample("A journey", value=JOURNEY, response_only=True)
JOURNEY_OPEN_EXAMPLE = OpenApiExample(
    "An order's journey",
    value={
        "external_id": "ORDER-2025-0042",
        "customer": "CRM-000123",
        "journey_map": 3,
        "started_at": "2025-02-20T08:00:00Z",
    },
    request_only=True,
)
JOURNEY_OPENED_EXAMPLE = OpenApiExample(
    "Started",
    value={
        **JOURNEY,
        "status": "in_progress",
        "ended_at": None,
        "last_activity_at": "2025-02-20T08:00:00Z",
        "furthest_step": None,
        "peak_end": None,
        "updated_at": "2025-02-20T08:00:00Z",
    },
    response_only=True,
)
JOURNEY_ATTACH_EXAMPLE = OpenApiExample(
    "Two calls join the order's journey", value={"interactions": [4702, 4711]}, request_only=True
)
JOURNEY_END_EXAMPLE = OpenApiExample(
    "Delivered", value={"status": "completed", "ended_at": "2025-03-02T15:00:00Z"}, request_only=True
)
JOURNEY_ENDED_EXAMPLE = OpenApiExample("Completed", value=JOURNEY, response_only=True)
STEP = {"starts": False, "ends": False}
JOURNEY_MAP_EXAMPLE = OpenApiExample(
    "Online order",
    value={
        "id": 3,
        "name": "Online order",
        "description": "From the first visit to the delivery.",
        "active": True,
        "status": "published",
        "published_at": "2025-01-10T09:30:00Z",
        "timeout_days": 30,
        "concurrent": False,
        "include_outside": True,
        "steps": [
            {
                **STEP,
                "position": 1,
                "touchpoint": "website",
                "touchpoint_name": "Website",
                "stage": "pre_sale",
            },
            {
                **STEP,
                "position": 2,
                "touchpoint": "checkout",
                "touchpoint_name": "Checkout",
                "stage": "mid_sale",
            },
            {
                **STEP,
                "position": 3,
                "touchpoint": "delivery",
                "touchpoint_name": "Delivery",
                "stage": "post_sale",
            },
        ],
        "created_at": "2025-01-10T09:00:00Z",
        "updated_at": "2025-01-10T09:00:00Z",
    },
    response_only=True,
)
