"""``/follow-ups/``: read cases, and move one forward (status, outcome, a note)."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from api.fields import StrictCharField
from api.filters import ApiFilterSet, BooleanFilter
from followups.models import FollowUp, FollowUpReason, FollowUpStatus
from followups.services import follow_up_update_via_api
from followups.services.work import NOTE_MAX_LENGTH, OUTCOME_MAX_LENGTH

FOLLOW_UP_EXAMPLE = OpenApiExample(
    "A case being worked",
    value={
        "id": 301,
        "reason": "detractor",
        "customer": "CRM-000123",
        "response": 5120,
        "interaction": None,
        "score": 3.0,
        "assignee": "alex",
        "status": "contacted",
        "opened_at": "2025-03-03T08:15:00Z",
        "due_at": "2025-03-05T08:15:00Z",
        "resolved_at": None,
        "outcome": "",
        "notes": "[2025-03-03 10:02] API key 'CRM production': Open → Contacted. Called, left a message.",
    },
    response_only=True,
)


class FollowUpSerializer(serializers.ModelSerializer):
    customer = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "reason",
            "customer",
            "response",
            "interaction",
            "score",
            "assignee",
            "status",
            "opened_at",
            "due_at",
            "resolved_at",
            "outcome",
            "notes",
        ]
        read_only_fields = fields


class FollowUpChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=FollowUpStatus.choices, required=False, help_text="Forward only; resolving needs an outcome."
    )
    outcome = StrictCharField(required=False, allow_blank=True, max_length=OUTCOME_MAX_LENGTH)
    note = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=NOTE_MAX_LENGTH,
        help_text="Appended to the notes, dated.",
    )


class FollowUpFilter(ApiFilterSet):
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices)
    reason = django_filters.ChoiceFilter(choices=FollowUpReason.choices)
    customer = django_filters.CharFilter(
        field_name="customer__external_id", help_text="Customer external_id."
    )
    overdue = BooleanFilter(method="filter_overdue", help_text="Unresolved and past due.")
    opened_since = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte")

    class Meta:
        model = FollowUp
        fields = ["status", "reason", "customer", "overdue", "opened_since"]

    def filter_overdue(self, queryset, name, value):
        overdue = queryset.exclude(status=FollowUpStatus.RESOLVED).filter(due_at__lt=timezone.now())
        return overdue if value else queryset.exclude(id__in=overdue.values("id"))


@extend_schema_view(
    list=extend_schema(
        summary="List follow-up cases",
        description="Oldest first, cursor-paginated.",
        examples=[FOLLOW_UP_EXAMPLE],
    ),
    retrieve=extend_schema(summary="Read a follow-up case", examples=[FOLLOW_UP_EXAMPLE]),
    partial_update=extend_schema(
        summary="Move a case forward",
        description="Change the status (open → in_progress → contacted → resolved; steps may be skipped, "
        "never undone), set the outcome (required to resolve), or append a note. Each change is a dated "
        "line in `notes`, signed with the API key's name.",
        request=FollowUpChangeSerializer,
        responses={200: FollowUpSerializer},
        examples=[
            OpenApiExample(
                "Resolve",
                value={"status": "resolved", "outcome": "Refunded the delivery fee", "note": "Called back."},
                request_only=True,
            ),
            FOLLOW_UP_EXAMPLE,
        ],
    ),
)
class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    scopes = {"read": "followups:read", "write": "followups:write"}
    queryset = FollowUp.objects.select_related("customer", "assignee")
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "patch", "head", "options"]

    def partial_update(self, request, pk: str):
        case = self.get_object()
        change = FollowUpChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        case = follow_up_update_via_api(follow_up=case, key_name=request.auth.name, **change.validated_data)
        return Response(FollowUpSerializer(case).data)
