"""``/surveys/`` (read), ``/surveys/{id}/invitations/`` (invite a customer), ``/responses/`` (read);
``/invitations/`` (read) is in ``invitations.py``."""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from api.filters import ApiFilterSet, IdFilter
from api.idempotency import idempotent
from surveys.models import Answer, Response, Survey, SurveyKind, SurveyStatus
from surveys.services.invitations import invitation_create

from .invitations import INVITATION_QUEUED, INVITATION_SUPPRESSED
from .serializers import (
    InvitationCreateSerializer,
    InvitationSerializer,
    ResponseSerializer,
    SurveyDetailSerializer,
    SurveySerializer,
)

SURVEY_EXAMPLE = {
    "id": 2,
    "name": "After delivery",
    "kind": "transactional",
    "status": "live",
    "languages": ["en", "zh-hans"],
    "titles": {"en": "How was your delivery?", "zh-hans": "您的配送体验如何？"},
    "touchpoint": "delivery",
    "created_at": "2025-01-10T09:00:00Z",
    "updated_at": "2025-01-12T09:00:00Z",
}
QUESTION_EXAMPLE = {
    "id": 11,
    "order": 1,
    "type": "nps",
    "texts": {"en": "How likely are you to recommend us to a friend or colleague?"},
    "choices": [],
    "scale_min": None,
    "scale_max": None,
    "scale_labels": {"en": ["Not at all likely", "Extremely likely"]},
    "direction": "higher_is_better",
    "required": True,
    "driver": "",
}
RESPONSE_EXAMPLE = OpenApiExample(
    "A response with its answers",
    value={
        "id": 5120,
        "survey": 2,
        "customer": "CRM-000123",
        "invitation": 9001,
        "interaction": 4711,
        "submitted_at": "2025-03-03T08:12:00Z",
        "language": "en",
        "answers": [
            {
                "question": 11,
                "question_type": "nps",
                "score": 9.0,
                "expected": None,
                "text": "",
                "choices": [],
            },
            {
                "question": 12,
                "question_type": "text",
                "score": None,
                "expected": None,
                "text": "Fast!",
                "choices": [],
            },
        ],
    },
    response_only=True,
)


class SurveyFilter(ApiFilterSet):
    status = django_filters.ChoiceFilter(choices=SurveyStatus.choices)
    kind = django_filters.ChoiceFilter(choices=SurveyKind.choices)
    touchpoint = django_filters.CharFilter(field_name="touchpoint__code", help_text="Touchpoint code.")

    class Meta:
        model = Survey
        fields = ["status", "kind", "touchpoint"]


class ResponseFilter(ApiFilterSet):
    survey = IdFilter(field_name="survey_id")
    customer = django_filters.CharFilter(
        field_name="customer__external_id", help_text="Customer external_id."
    )
    since = django_filters.IsoDateTimeFilter(
        field_name="submitted_at", lookup_expr="gte", help_text="Submitted at or after (ISO 8601)."
    )

    class Meta:
        model = Response
        fields = ["survey", "customer", "since"]


@extend_schema_view(
    list=extend_schema(
        summary="List surveys",
        examples=[OpenApiExample("A survey", value=SURVEY_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Read a survey",
        description="With its questions in order.",
        examples=[
            OpenApiExample(
                "A survey with its questions",
                value={
                    **SURVEY_EXAMPLE,
                    "intros": {"en": "Two questions, thirty seconds."},
                    "questions": [QUESTION_EXAMPLE],
                },
                response_only=True,
            )
        ],
    ),
)
class SurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    scopes = {"read": "surveys:read"}
    queryset = Survey.objects.select_related("touchpoint").prefetch_related("questions")
    filterset_class = SurveyFilter
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return SurveyDetailSerializer if self.action == "retrieve" else SurveySerializer


class SurveyInvitationView(APIView):
    scopes = {"write": "invitations:write"}

    @extend_schema(
        summary="Invite a customer to a live survey",
        description="Creates one invitation and answers 201 with what is known now: `queued` (emailed "
        "from `send_after` on), or `suppressed` with its `suppression_reason` when it will never be "
        "emailed (the customer opted out or has no address, the address is on the suppression list, or "
        "the contact-frequency cap holds at `send_after`). The same checks run again at sending, so a "
        "queued invitation may still become `suppressed` (or `bounced`): read it with "
        "`GET /invitations/{id}/` or subscribe to `invitation.suppressed`. The link's token is never "
        "returned: only the customer's email carries it.",
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer},
        examples=[
            OpenApiExample(
                "After a delivery call",
                value={"customer": "CRM-000123", "interaction": 4711},
                request_only=True,
            ),
            OpenApiExample("A queued invitation", value=INVITATION_QUEUED, response_only=True),
            OpenApiExample(
                "A suppressed invitation",
                value=INVITATION_SUPPRESSED,
                response_only=True,
            ),
        ],
    )
    @idempotent
    def post(self, request, pk: int):
        survey = get_object_or_404(Survey, pk=pk)
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if survey.status != SurveyStatus.LIVE:
            message = (
                gettext("This survey is closed; invite to a live one.")
                if survey.status == SurveyStatus.CLOSED
                else gettext("This survey is a draft; invite to a live one.")
            )
            raise ValidationError({"survey": [message]}, code="survey_not_live")
        invitation = invitation_create(survey=survey, **serializer.validated_data)
        return ApiResponse(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List survey responses",
        description="Oldest first, cursor-paginated. To fetch only what is new since a sync, "
        "filter by `since`.",
        examples=[RESPONSE_EXAMPLE],
    )
)
class ResponseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    scopes = {"read": "responses:read"}
    queryset = Response.objects.select_related("customer", "invitation").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.order_by("question__order", "id"))
    )
    serializer_class = ResponseSerializer
    filterset_class = ResponseFilter
