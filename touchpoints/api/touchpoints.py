"""``/touchpoints/``: the catalogue, by code."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from api.idempotency import idempotent
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create, touchpoint_update

from .filters import TouchpointFilter
from .serializers import TouchpointSerializer, TouchpointUpdateSerializer

TOUCHPOINT_EXAMPLE = OpenApiExample(
    "Delivery",
    value={
        "code": "delivery",
        "name": "Delivery",
        "stage": "post_sale",
        "channel": "in_store",
        "description": "The parcel reaches the customer.",
        "floor_score": 4,
        "measure_name": "Delivery time",
        "measure_unit": "days",
        "measure_direction": "lower_is_better",
        "active": True,
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="List touchpoints",
        description="The catalogue, cursor-paginated.",
        examples=[TOUCHPOINT_EXAMPLE],
    ),
    create=extend_schema(summary="Add a touchpoint", examples=[TOUCHPOINT_EXAMPLE]),
    retrieve=extend_schema(summary="Read a touchpoint", examples=[TOUCHPOINT_EXAMPLE]),
    partial_update=extend_schema(
        summary="Change a touchpoint",
        description="Name, description, floor, measure and `active`; code, stage and channel are fixed. "
        "A new floor or measure direction recomputes the figures of its interactions.",
        examples=[
            OpenApiExample("A new floor", value={"floor_score": 5}, request_only=True),
            TOUCHPOINT_EXAMPLE,
        ],
    ),
)
class TouchpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    # The catalogue holds no personal data and every integration needs its codes: any key reads it.
    scopes = {"read": None, "write": "interactions:write"}
    queryset = Touchpoint.objects.all()
    serializer_class = TouchpointSerializer
    filterset_class = TouchpointFilter
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return TouchpointUpdateSerializer if self.action == "partial_update" else TouchpointSerializer

    @idempotent
    def create(self, request):
        serializer = TouchpointSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        touchpoint = touchpoint_create(data=serializer.validated_data)
        return Response(TouchpointSerializer(touchpoint).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, code: str):
        touchpoint = self.get_object()
        serializer = TouchpointUpdateSerializer(touchpoint, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        touchpoint = touchpoint_update(touchpoint=touchpoint, data=serializer.validated_data)
        return Response(TouchpointUpdateSerializer(touchpoint).data)
