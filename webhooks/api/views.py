"""``/webhooks/``: subscribe a URL to events (its signing secret is shown once), list, delete."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from api.fields import ApiModelSerializer
from api.filters import ApiFilterSet, BooleanFilter
from api.idempotency import idempotent
from webhooks.models import WebhookEndpoint, WebhookEventType
from webhooks.services import webhook_endpoint_create, webhook_endpoint_delete


class WebhookEndpointSerializer(ApiModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices),
        min_length=1,
        max_length=len(WebhookEventType.values),
        help_text="Event types: " + ", ".join(WebhookEventType.values),
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "events",
            "description",
            "active",
            "disabled_at",
            "disabled_reason",
            "created_at",
        ]
        read_only_fields = ["id", "active", "disabled_at", "disabled_reason", "created_at"]
        extra_kwargs = {"url": {"help_text": "https URL on a public address; no redirects are followed."}}


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="whsec_…: verify the webhook-signature header with it. Shown only now."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookEndpointSerializer.Meta.read_only_fields, "secret"]


class WebhookEndpointFilter(ApiFilterSet):
    active = BooleanFilter()

    class Meta:
        model = WebhookEndpoint
        fields = ["active"]


WEBHOOK_EXAMPLE = OpenApiExample(
    "A subscription",
    value={
        "id": 7,
        "url": "https://crm.example.com/hooks/cem",
        "events": ["response.detractor", "followup.resolved"],
        "description": "Open a CRM task",
        "active": True,
        "disabled_at": None,
        "disabled_reason": "",
        "created_at": "2025-03-02T15:00:00Z",
    },
    response_only=True,
)


@extend_schema_view(
    list=extend_schema(
        summary="List webhook subscriptions",
        description="Secrets are never listed.",
        examples=[WEBHOOK_EXAMPLE],
    ),
    create=extend_schema(
        summary="Subscribe a URL to events",
        description="Deliveries are signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, "
        "`webhook-signature`: HMAC-SHA256 with the secret) and retried for 3 days. The secret is in this "
        "answer only: store it now.",
        request=WebhookEndpointSerializer,
        responses={201: WebhookEndpointCreatedSerializer},
        examples=[
            OpenApiExample(
                "Detractors to the CRM",
                value={
                    "url": "https://crm.example.com/hooks/cem",
                    "events": ["response.detractor"],
                    "description": "Open a CRM task",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Subscribed",
                value={
                    "id": 7,
                    "url": "https://crm.example.com/hooks/cem",
                    "events": ["response.detractor"],
                    "description": "Open a CRM task",
                    "active": True,
                    "disabled_at": None,
                    "disabled_reason": "",
                    "created_at": "2025-03-02T15:00:00Z",
                    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                },
                response_only=True,
            ),
        ],
    ),
    retrieve=extend_schema(summary="Read a webhook subscription", examples=[WEBHOOK_EXAMPLE]),
    destroy=extend_schema(summary="Delete a webhook subscription", description="Nothing more is sent to it."),
)
class WebhookEndpointViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    scopes = {"read": "webhooks:manage", "write": "webhooks:manage"}
    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    lookup_value_regex = "[0-9]+"
    filterset_class = WebhookEndpointFilter

    @idempotent
    def create(self, request):
        serializer = WebhookEndpointSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            endpoint, secret = webhook_endpoint_create(
                url=data["url"], events=data["events"], description=data.get("description", "")
            )
        except DjangoValidationError as error:  # a refused URL (private address, no https…)
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error
        endpoint.secret = secret
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        webhook_endpoint_delete(endpoint=instance)
