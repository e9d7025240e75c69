"""``/invitations/`` (read): what became of each invitation — queued, sent, opened, responded,
suppressed with its reason, bounced, expired. Never its token."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from api.filters import ApiFilterSet, IdFilter
from surveys.models import Invitation, InvitationStatus

from .serializers import InvitationSerializer

INVITATION_QUEUED = {
    "id": 9001,
    "survey": 2,
    "customer": "CRM-000123",
    "interaction": 4711,
    "touchpoint": "delivery",
    "channel": "phone",
    "status": "queued",
    "suppression_reason": "",
    "language": "en",
    "send_after": "2025-03-02T15:00:00Z",
    "expires_at": "2025-05-01T15:00:00Z",
    "created_at": "2025-03-02T15:00:00Z",
    "sent_at": None,
    "opened_at": None,
    "responded_at": None,
    "reminded_at": None,
    "bounced_at": None,
    "suppressed_at": None,
}
INVITATION_SUPPRESSED = {
    **INVITATION_QUEUED,
    "id": 9002,
    "status": "suppressed",
    "suppression_reason": "customer opted out of email",
    "suppressed_at": "2025-03-02T15:00:00Z",
}
INVITATION_RESPONDED = {
    **INVITATION_QUEUED,
    "id": 9003,
    "status": "responded",
    "sent_at": "2025-03-02T15:00:04Z",
    "opened_at": "2025-03-03T08:10:00Z",
    "responded_at": "2025-03-03T08:12:00Z",
}
INVITATION_EXAMPLES = [
    OpenApiExample("A queued invitation", value=INVITATION_QUEUED, response_only=True),
    OpenApiExample("A suppressed invitation", value=INVITATION_SUPPRESSED, response_only=True),
    OpenApiExample("An answered invitation", value=INVITATION_RESPONDED, response_only=True),
]


class InvitationFilterForm(forms.Form):
    """A creation window must end after it starts (an empty one is a client's mistake)."""

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("created_since"), cleaned.get("created_until")
        if since and until and until <= since:
            self.add_error(
                "created_until",
                forms.ValidationError(_("Must be later than created_since."), code="invalid"),
            )
        return cleaned


class InvitationFilter(ApiFilterSet):
    survey = IdFilter(field_name="survey_id", help_text="Survey id.")
    customer = django_filters.CharFilter(
        field_name="customer__external_id", help_text="Customer external_id."
    )
    status = django_filters.ChoiceFilter(choices=InvitationStatus.choices)
    created_since = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="Created at or after (ISO 8601)."
    )
    created_until = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="Created before (ISO 8601; exclusive)."
    )

    class Meta:
        model = Invitation
        fields = ["survey", "customer", "status", "created_since", "created_until"]
        form = InvitationFilterForm


@extend_schema_view(
    list=extend_schema(
        summary="List invitations",
        description="Oldest first, cursor-paginated. Each with its status and times; a suppressed or "
        "bounced one says why in `suppression_reason`. The link's token is never shown.",
        examples=INVITATION_EXAMPLES,
    ),
    retrieve=extend_schema(summary="Read an invitation", examples=INVITATION_EXAMPLES),
)
class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    # Its own scope: invitations name customers and who opted out, which surveys:read never did.
    scopes = {"read": "invitations:read"}
    queryset = Invitation.objects.select_related(
        "customer", "interaction__touchpoint", "interaction_touchpoint"
    )
    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter
    lookup_value_regex = "[0-9]+"
