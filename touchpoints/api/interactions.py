"""``/interactions/``: list, log one, upsert up to 1,000 by external id."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.bulk import bulk_answer, bulk_items
from api.idempotency import idempotent
from touchpoints.models import Interaction, InteractionSource
from touchpoints.services import interaction_log, interactions_upsert

from .filters import InteractionFilter
from .serializers import (
    InteractionBulkRequestSerializer,
    InteractionBulkResponseSerializer,
    InteractionSerializer,
)

INTERACTION_EXAMPLE = OpenApiExample(
    "A call to the delivery hotline",
    value={
        "external_id": "CALL-2025-000981",
        "customer": "CRM-000123",
        "touchpoint": "delivery-hotline",
        "channel": "phone",
        "occurred_at": "2025-03-02T14:05:00Z",
        "category": "late delivery",
        "outcome": "resolved",
        "notes": "Parcel rerouted, arrives tomorrow.",
        "experience_score": 6.5,
        "expected_value": 2,
        "actual_value": 3,
        "journey_external_id": "ORDER-2025-0042",
    },
    request_only=True,
)
INTERACTION_ANSWER = OpenApiExample(
    "A logged interaction",
    value={
        **INTERACTION_EXAMPLE.value,
        "id": 4711,
        "journey": 812,
        "source": "api",
        "created_at": "2025-03-02T14:06:10Z",
    },
    response_only=True,
)
BULK_ANSWER = OpenApiExample(
    "One result per item, in order",
    value={
        "results": [
            {"index": 0, "status": "created", "id": 4711, "external_id": "CALL-2025-000981"},
            {
                "index": 1,
                "status": "error",
                "id": None,
                "external_id": "CALL-2025-000982",
                "errors": [
                    {
                        "field": "touchpoint",
                        "code": "does_not_exist",
                        "message": "No touchpoint with code 'x'.",
                    }
                ],
            },
        ],
        "summary": {"created": 1, "updated": 0, "failed": 1},
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List interactions",
        description="Oldest first, cursor-paginated.",
        examples=[INTERACTION_ANSWER],
    ),
    create=extend_schema(
        summary="Log one interaction",
        description="As an agent's log: validated, metrics marked stale, survey rules applied (an invitation "
        "may be created). A new `external_id` only; `/interactions/bulk/` upserts. With "
        "`journey_external_id` it joins that journey of the customer (started if there is none), whatever "
        "the journey maps' rules say; otherwise the maps' rules place it once the write commits.",
        examples=[INTERACTION_EXAMPLE, INTERACTION_ANSWER],
    ),
)
class InteractionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    # No "interactions:read" scope: interactions are customer data, read with customers:read.
    scopes = {"read": "customers:read", "write": "interactions:write"}
    queryset = Interaction.objects.select_related("customer", "touchpoint")
    serializer_class = InteractionSerializer
    filterset_class = InteractionFilter

    @idempotent
    def create(self, request):
        serializer = InteractionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        interaction = interaction_log(**serializer.validated_data, source=InteractionSource.API)
        if interaction.journey_ref:  # it joined (or started) the journey it names, in the same write
            interaction.refresh_from_db(fields=["journey"])
        return Response(InteractionSerializer(interaction).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Create or update up to 1,000 interactions",
        description="Upserts by `external_id`: one result per item, in order; a bad item is reported and "
        "never stops the others. **Items without `external_id` are always created** (nothing identifies "
        "them): give each item its id in your system and a re-sent call creates nothing new. Fields left "
        "out of an item keep their stored value on update. An item's `journey_external_id` puts it on that "
        "journey of its customer (started if there is none; another customer's is an item error). The batch "
        "marks its metrics stale and applies the survey rules once.",
        request=InteractionBulkRequestSerializer,
        responses={200: OpenApiResponse(InteractionBulkResponseSerializer)},
        examples=[
            OpenApiExample(
                "Two interactions, one bad",
                value={
                    "items": [
                        INTERACTION_EXAMPLE.value,
                        {"external_id": "CALL-2025-000982", "customer": "CRM-000123", "touchpoint": "x"},
                    ]
                },
                request_only=True,
            ),
            BULK_ANSWER,
        ],
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    @idempotent
    def bulk(self, request):
        results = interactions_upsert(items=bulk_items(request))
        return Response(bulk_answer(results, with_id=True))
