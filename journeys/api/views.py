"""``/journeys/`` (a customer's path with its peak–end score) and ``/journey-maps/`` (the designed
path). Read-only: journeys are assembled by the platform from the interactions logged."""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from api.filters import ApiFilterSet, BooleanFilter, IdFilter
from journeys.models import Journey, JourneyMap, JourneyMapStep, JourneyStatus
from touchpoints.models import Interaction

from .serializers import JourneyDetailSerializer, JourneyMapSerializer, JourneySerializer

# No "journeys:read" scope: a journey is a customer's path, read with customers:read.
SCOPES = {"read": "customers:read"}

JOURNEY_EXAMPLE = OpenApiExample(
    "A journey with its peak–end score",
    value={
        "id": 812,
        "customer": "CRM-000123",
        "journey_map": 3,
        "started_at": "2025-02-20T08:00:00Z",
        "ended_at": "2025-03-02T15:00:00Z",
        "status": "completed",
        "peak_end": {
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
        },
        "created_at": "2025-02-20T08:00:00Z",
        "steps": [
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
        ],
    },
    response_only=True,
)


JOURNEY_LIST_EXAMPLE = OpenApiExample(
    "A journey",
    value={key: value for key, value in JOURNEY_EXAMPLE.value.items() if key != "steps"},
    response_only=True,
)
JOURNEY_MAP_EXAMPLE = OpenApiExample(
    "Online order",
    value={
        "id": 3,
        "name": "Online order",
        "description": "From the first visit to the delivery.",
        "active": True,
        "steps": [
            {"position": 1, "touchpoint": "website", "touchpoint_name": "Website", "stage": "pre_sale"},
            {"position": 2, "touchpoint": "checkout", "touchpoint_name": "Checkout", "stage": "mid_sale"},
            {"position": 3, "touchpoint": "delivery", "touchpoint_name": "Delivery", "stage": "post_sale"},
        ],
        "created_at": "2025-01-10T09:00:00Z",
        "updated_at": "2025-01-10T09:00:00Z",
    },
    response_only=True,
)


class JourneyFilter(ApiFilterSet):
    customer = django_filters.CharFilter(
        field_name="customer__external_id", help_text="Customer external_id."
    )
    journey_map = IdFilter(field_name="journey_map_id")
    status = django_filters.ChoiceFilter(choices=JourneyStatus.choices)
    started_after = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = Journey
        fields = ["customer", "journey_map", "status", "started_after", "started_before"]


class JourneyMapFilter(ApiFilterSet):
    active = BooleanFilter()

    class Meta:
        model = JourneyMap
        fields = ["active"]


@extend_schema_view(
    list=extend_schema(
        summary="List journeys",
        description="With their peak–end scores; oldest first.",
        examples=[JOURNEY_LIST_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="Read a journey",
        description="Its steps in time order, its peak–end score and which steps are its moments of "
        "truth (the peak and the end).",
        examples=[JOURNEY_EXAMPLE],
    ),
)
class JourneyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    scopes = SCOPES
    queryset = Journey.objects.select_related("customer", "score__peak_touchpoint", "score__end_touchpoint")
    filterset_class = JourneyFilter
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return JourneyDetailSerializer if self.action == "retrieve" else JourneySerializer

    def get_object(self) -> Journey:
        journey = super().get_object()
        journey.steps = list(
            Interaction.objects.filter(journey=journey)
            .select_related("touchpoint")
            .order_by("occurred_at", "id")
        )
        return journey


@extend_schema_view(
    list=extend_schema(
        summary="List journey maps",
        description="The designed paths, with their steps.",
        examples=[JOURNEY_MAP_EXAMPLE],
    ),
    retrieve=extend_schema(summary="Read a journey map", examples=[JOURNEY_MAP_EXAMPLE]),
)
class JourneyMapViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    scopes = SCOPES
    queryset = JourneyMap.objects.prefetch_related(
        Prefetch("steps", queryset=JourneyMapStep.objects.select_related("touchpoint").order_by("position"))
    )
    serializer_class = JourneyMapSerializer
    filterset_class = JourneyMapFilter
    lookup_value_regex = "[0-9]+"
