"""``/journeys/`` (a customer's path with its peak–end score) and ``/journey-maps/`` (the designed
path, read-only). Journeys are assembled by the platform from the interactions logged; a connected
system that knows its own journeys (an order, a ticket) starts them, attaches interactions to them
and ends them here, and that explicit control wins over the maps' rules."""

import django_filters
from django.db.models import Case, F, Func, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, When
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.filters import ApiFilterSet, BooleanFilter, IdFilter
from api.idempotency import idempotent
from journeys.models import Journey, JourneyMap, JourneyMapStep, JourneyOrigin, JourneyStatus
from journeys.services import journey_end, journey_interactions_attach, journey_open
from touchpoints.models import Interaction

from . import examples
from .serializers import (
    JourneyChangeSerializer,
    JourneyDetailSerializer,
    JourneyInteractionsSerializer,
    JourneyMapSerializer,
    JourneyOpenSerializer,
    JourneySerializer,
)

# No "journeys:read" scope: a journey is a customer's path, read with customers:read.
READ = "customers:read"


def journeys_queryset() -> QuerySet[Journey]:
    """Journeys with their customer, peak–end score and the number of steps of their map, in one
    query however many there are."""
    steps = JourneyMapStep.objects.filter(journey_map=OuterRef("journey_map")).order_by()
    # COUNT without GROUP BY: one row, 0 for a map without steps.
    count = steps.annotate(n=Func(F("id"), function="COUNT")).values("n")
    return Journey.objects.select_related(
        "customer", "score__peak_touchpoint", "score__end_touchpoint"
    ).annotate(
        steps_total=Case(
            When(journey_map__isnull=True, then=None),
            default=Subquery(count, output_field=IntegerField()),
            output_field=IntegerField(),
        )
    )


def _steps(journey_id: int) -> list[Interaction]:
    """A journey's interactions in time order, as ``JourneyDetailSerializer`` shows them. One query."""
    scope = Interaction.objects.filter(journey_id=journey_id).select_related("touchpoint")
    return list(scope.order_by("occurred_at", "id"))


def journey_with_steps(journey_id: int) -> Journey:
    journey = journeys_queryset().get(id=journey_id)
    journey.steps = _steps(journey_id)
    return journey


class JourneyFilter(ApiFilterSet):
    customer = django_filters.CharFilter(
        field_name="customer__external_id", help_text="Customer external_id."
    )
    external_id = django_filters.CharFilter(help_text="The journey's id in your system.")
    journey_map = IdFilter(field_name="journey_map_id")
    status = django_filters.ChoiceFilter(choices=JourneyStatus.choices)
    origin = django_filters.ChoiceFilter(choices=JourneyOrigin.choices)
    started_after = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = Journey
        fields = [
            "customer",
            "external_id",
            "journey_map",
            "status",
            "origin",
            "started_after",
            "started_before",
        ]


class JourneyMapFilter(ApiFilterSet):
    active = BooleanFilter()

    class Meta:
        model = JourneyMap
        fields = ["active"]


@extend_schema_view(
    list=extend_schema(
        summary="List journeys",
        description="With their progress along their map and their peak–end scores; oldest first.",
        examples=[examples.JOURNEY_LIST_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="Read a journey",
        description="Its steps in time order, its peak–end score and which steps are its moments of "
        "truth (the peak and the end).",
        examples=[examples.JOURNEY_EXAMPLE],
    ),
    create=extend_schema(
        summary="Start a journey (idempotent by external_id)",
        description="A journey your system knows (an order, a ticket), of one customer, on a journey map "
        "or none. It is *explicit*: the map's rules never move its interactions. Interactions join it "
        "with `POST /journeys/{id}/interactions/`, or by carrying its `journey_external_id` when they are "
        "logged. An `external_id` already known answers that journey, unchanged (200); one of another "
        "customer's journey is 400 naming `external_id`.",
        request=JourneyOpenSerializer,
        responses={
            201: OpenApiResponse(JourneySerializer, description="Started."),
            200: OpenApiResponse(JourneySerializer, description="Already known by this external_id."),
        },
        examples=[examples.JOURNEY_OPEN_EXAMPLE, examples.JOURNEY_OPENED_EXAMPLE],
    ),
    partial_update=extend_schema(
        summary="End or re-open a journey",
        description="`completed` or `abandoned`, at `ended_at` (default now); `in_progress` re-opens it. "
        "An assembled journey ended here becomes explicit. Ending one sends the `journey.completed` or "
        "`journey.abandoned` webhook; sending the same status again changes nothing.",
        request=JourneyChangeSerializer,
        responses={200: JourneySerializer},
        examples=[examples.JOURNEY_END_EXAMPLE, examples.JOURNEY_ENDED_EXAMPLE],
    ),
)
class JourneyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    scopes = {"read": READ, "write": "journeys:write"}
    filterset_class = JourneyFilter
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Journey]:
        return journeys_queryset()

    def get_serializer_class(self):
        return JourneyDetailSerializer if self.action == "retrieve" else JourneySerializer

    def retrieve(self, request, pk: str):
        journey = self.get_object()
        journey.steps = _steps(journey.id)
        return Response(JourneyDetailSerializer(journey).data)

    @idempotent
    def create(self, request):
        given = JourneyOpenSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        journey, created = journey_open(
            customer=data["customer"],
            journey_map=data.get("journey_map"),
            started_at=data.get("started_at"),
            external_id=data["external_id"],
        )
        answer = JourneySerializer(journeys_queryset().get(id=journey.id)).data
        return Response(answer, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def partial_update(self, request, pk: str):
        journey = self.get_object()
        change = JourneyChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        journey = journey_end(journey=journey, **change.validated_data)
        return Response(JourneySerializer(journeys_queryset().get(id=journey.id)).data)

    @extend_schema(
        summary="Attach interactions to a journey",
        description="The customer's interactions become steps of this journey, leaving any other journey "
        "(explicit control wins over the map's rules: an assembled journey becomes explicit, and the "
        "customer's other journeys are re-assembled without them). Every id must be an interaction of "
        "the journey's customer, or nothing moves (400 naming `interactions`). Answers the journey with "
        "its steps; its peak–end score follows within seconds, once the metrics worker has recomputed it.",
        request=JourneyInteractionsSerializer,
        responses={200: JourneyDetailSerializer},
        examples=[examples.JOURNEY_ATTACH_EXAMPLE, examples.JOURNEY_EXAMPLE],
    )
    @action(detail=True, methods=["post"], url_path="interactions")
    @idempotent
    def interactions(self, request, pk: str):
        journey = self.get_object()
        given = JourneyInteractionsSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        journey_interactions_attach(journey=journey, interaction_ids=given.validated_data["interactions"])
        return Response(JourneyDetailSerializer(journey_with_steps(journey.id)).data)


@extend_schema_view(
    list=extend_schema(
        summary="List journey maps",
        description="The designed paths, with their steps and the rules that assemble journeys along them.",
        examples=[examples.JOURNEY_MAP_EXAMPLE],
    ),
    retrieve=extend_schema(summary="Read a journey map", examples=[examples.JOURNEY_MAP_EXAMPLE]),
)
class JourneyMapViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    scopes = {"read": READ}
    queryset = JourneyMap.objects.prefetch_related(
        Prefetch("steps", queryset=JourneyMapStep.objects.select_related("touchpoint").order_by("position"))
    )
    serializer_class = JourneyMapSerializer
    filterset_class = JourneyMapFilter
    lookup_value_regex = "[0-9]+"
