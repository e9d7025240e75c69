"""``/customers/``: list, create, read, upsert (PUT), update (PATCH), delete, bulk upsert."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.bulk import bulk_answer, bulk_items
from api.idempotency import idempotent
from touchpoints.models import Customer
from touchpoints.services import (
    customer_create,
    customer_delete,
    customer_put,
    customer_update,
    customers_upsert,
)

from .filters import CustomerFilter
from .serializers import (
    CustomerBulkRequestSerializer,
    CustomerBulkResponseSerializer,
    CustomerSerializer,
    CustomerUpdateSerializer,
)

CUSTOMER_EXAMPLE = OpenApiExample(
    "A customer",
    value={
        "external_id": "CRM-000123",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "+44 20 7946 0000",
        "locale": "en",
        "segment": "enterprise",
        "value_tier": "gold",
        "attributes": {"account_manager": "Grace"},
    },
    request_only=True,
)
CUSTOMER_ANSWER = OpenApiExample(
    "A stored customer",
    value={
        **CUSTOMER_EXAMPLE.value,
        "phone": "+442079460000",
        "email_opt_out": False,
        "email_opt_out_at": None,
        "created_at": "2025-03-01T09:30:00Z",
        "updated_at": "2025-03-02T10:00:00Z",
    },
    response_only=True,
)
BULK_EXAMPLE = OpenApiExample(
    "Two customers, one bad",
    value={
        "items": [
            {"external_id": "CRM-000123", "name": "Ada Lovelace", "segment": "enterprise"},
            {"external_id": "CRM-000124", "name": "Alan Turing", "email": "not-an-email"},
        ]
    },
    request_only=True,
)
BULK_ANSWER = OpenApiExample(
    "One result per item, in order",
    value={
        "results": [
            {"index": 0, "status": "updated", "external_id": "CRM-000123"},
            {
                "index": 1,
                "status": "error",
                "external_id": "CRM-000124",
                "errors": [{"field": "email", "code": "invalid", "message": "Enter a valid email address."}],
            },
        ],
        "summary": {"created": 0, "updated": 1, "failed": 1},
    },
    response_only=True,
)


# The external id in a PUT path becomes a row: it obeys the field's rules (length, no NUL).
_PATH_EXTERNAL_ID = serializers.CharField(max_length=100)


def _path_external_id(value: str) -> str:
    try:
        return _PATH_EXTERNAL_ID.run_validation(value)
    except serializers.ValidationError as error:
        raise serializers.ValidationError({"external_id": error.detail}) from error


@extend_schema_view(
    list=extend_schema(
        summary="List customers", description="Oldest first, cursor-paginated.", examples=[CUSTOMER_ANSWER]
    ),
    create=extend_schema(
        summary="Create a customer",
        description="`external_id` must be new (PUT upserts, `/customers/bulk/` upserts many).",
        examples=[CUSTOMER_EXAMPLE, CUSTOMER_ANSWER],
    ),
    retrieve=extend_schema(summary="Read a customer", examples=[CUSTOMER_ANSWER]),
    update=extend_schema(
        summary="Create or replace a customer (upsert)",
        description="Creates the customer (201) or replaces every writable field (200); "
        "fields left out get their defaults, except a recorded opt-out.",
        responses={200: CustomerUpdateSerializer, 201: CustomerUpdateSerializer},
        examples=[CUSTOMER_EXAMPLE, CUSTOMER_ANSWER],
    ),
    partial_update=extend_schema(summary="Change some fields of a customer", examples=[CUSTOMER_ANSWER]),
    destroy=extend_schema(
        summary="Delete a customer",
        description="With their interactions, journeys, invitations, responses and follow-up cases.",
    ),
)
class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    scopes = {"read": "customers:read", "write": "customers:write"}
    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    lookup_field = "external_id"
    lookup_value_regex = "[^/]+"

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return CustomerUpdateSerializer
        return CustomerSerializer

    @idempotent
    def create(self, request):
        serializer = CustomerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = customer_create(data=serializer.validated_data)
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)

    def update(self, request, external_id: str):
        serializer = CustomerUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer, created = customer_put(
            external_id=_path_external_id(external_id), data=serializer.validated_data
        )
        return Response(
            CustomerUpdateSerializer(customer).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def partial_update(self, request, external_id: str):
        customer = self.get_object()
        serializer = CustomerUpdateSerializer(customer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        customer = customer_update(customer=customer, data=serializer.validated_data)
        return Response(CustomerUpdateSerializer(customer).data)

    def destroy(self, request, external_id: str):
        customer_delete(customer=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Create or update up to 1,000 customers",
        description="Upserts by `external_id`: one result per item, in order; a bad item is reported "
        "and never stops the others. Fields left out of an item keep their stored value (`name` is "
        "required for a new customer). Sending the same call again creates nothing new.",
        request=CustomerBulkRequestSerializer,
        responses={200: OpenApiResponse(CustomerBulkResponseSerializer)},
        examples=[BULK_EXAMPLE, BULK_ANSWER],
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    @idempotent
    def bulk(self, request):
        results = customers_upsert(items=bulk_items(request))
        return Response(bulk_answer(results, with_id=False))
