"""Explicit fields. Invitation tokens are never exposed: only the emailed link carries one."""

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import StrictSlugRelatedField
from surveys.models import Answer, Invitation, Question, Response, Survey
from touchpoints.models import Channel, Customer, Interaction
from touchpoints.services.items import UNKNOWN_CUSTOMER


class QuestionSerializer(serializers.ModelSerializer):
    # "" (the blank choice, in the schema's enum as BlankEnum) is a question that feeds no key driver.
    driver = serializers.ChoiceField(
        choices=Question.Driver.choices,
        allow_blank=True,
        read_only=True,
        help_text='The key driver this rating measures; empty ("") when it measures none.',
    )

    class Meta:
        model = Question
        fields = [
            "id",
            "order",
            "type",
            "texts",
            "choices",
            "scale_min",
            "scale_max",
            "scale_labels",
            "direction",
            "required",
            "driver",
        ]
        read_only_fields = fields


class SurveySerializer(serializers.ModelSerializer):
    touchpoint = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "languages",
            "titles",
            "touchpoint",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SurveyDetailSerializer(SurveySerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "intros", "questions"]
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    customer = StrictSlugRelatedField(
        slug_field="external_id",
        queryset=Customer.objects.all(),
        help_text="The customer's external_id.",
        error_messages={"does_not_exist": UNKNOWN_CUSTOMER},
    )
    interaction = serializers.PrimaryKeyRelatedField(
        queryset=Interaction.objects.all(),
        required=False,
        allow_null=True,
        help_text="The interaction the survey asks about (the customer's own).",
    )
    send_after = serializers.DateTimeField(
        required=False, help_text="Not emailed before this time; default now."
    )

    def validate(self, attrs):
        interaction = attrs.get("interaction")
        if interaction is not None and interaction.customer_id != attrs["customer"].id:
            raise serializers.ValidationError(
                {"interaction": [gettext("This interaction belongs to another customer.")]},
                code="does_not_exist",
            )
        return attrs


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation and what became of it (never its token). ``touchpoint`` and ``channel`` are the
    interaction's it followed, kept when the link to the interaction is cut; null without one."""

    customer = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True, help_text="The customer's external_id."
    )
    touchpoint = serializers.SerializerMethodField(help_text="Code of the interaction's touchpoint.")
    channel = serializers.SerializerMethodField(help_text="The interaction's channel.")
    suppression_reason = serializers.CharField(
        read_only=True,
        help_text="Why it is suppressed (never emailed) or bounced; empty otherwise.",
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "survey",
            "customer",
            "interaction",
            "touchpoint",
            "channel",
            "status",
            "suppression_reason",
            "language",
            "send_after",
            "expires_at",
            "created_at",
            "sent_at",
            "opened_at",
            "responded_at",
            "reminded_at",
            "bounced_at",
            "suppressed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_touchpoint(self, invitation: Invitation) -> str | None:
        if invitation.interaction_id is not None:
            return invitation.interaction.touchpoint.code
        touchpoint = invitation.interaction_touchpoint
        return touchpoint.code if touchpoint is not None else None

    @extend_schema_field(serializers.ChoiceField(choices=Channel.choices, allow_null=True))
    def get_channel(self, invitation: Invitation) -> str | None:
        if invitation.interaction_id is not None:
            return invitation.interaction.channel
        return invitation.interaction_channel or None


class AnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Answer
        fields = ["question", "question_type", "score", "expected", "text", "choices"]
        read_only_fields = fields


class ResponseSerializer(serializers.ModelSerializer):
    customer = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    interaction = serializers.IntegerField(
        source="invitation.interaction_id", allow_null=True, read_only=True
    )
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "survey",
            "customer",
            "invitation",
            "interaction",
            "submitted_at",
            "language",
            "answers",
        ]
        read_only_fields = fields
