"""Journeys with their steps and peak–end score, journey maps; and what a connected system sends to
start a journey, attach interactions to it and end it."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import StrictCharField, StrictSlugRelatedField, strict
from api.filters import MAX_ID
from journeys.models import Journey, JourneyMap, JourneyMapStep, JourneyStatus
from touchpoints.models import Customer
from touchpoints.services import MAX_BULK_ITEMS
from touchpoints.services.items import DATETIME_MESSAGE, UNKNOWN_CUSTOMER


class JourneyMapStepSerializer(serializers.ModelSerializer):
    touchpoint = serializers.SlugRelatedField(slug_field="code", read_only=True)
    touchpoint_name = serializers.CharField(source="touchpoint.name", read_only=True)
    stage = serializers.CharField(source="touchpoint.stage", read_only=True)

    class Meta:
        model = JourneyMapStep
        fields = ["position", "touchpoint", "touchpoint_name", "stage", "starts", "ends"]
        read_only_fields = fields
        extra_kwargs = {
            "starts": {
                "help_text": "An interaction here starts a journey (none marked: the first step does)."
            },
            "ends": {
                "help_text": "An interaction here completes a journey (none marked: the last step does)."
            },
        }


class JourneyMapSerializer(serializers.ModelSerializer):
    steps = JourneyMapStepSerializer(many=True, read_only=True)

    class Meta:
        model = JourneyMap
        fields = [
            "id",
            "name",
            "description",
            "active",
            "status",
            "published_at",
            "timeout_days",
            "concurrent",
            "include_outside",
            "steps",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PeakEndSerializer(serializers.Serializer):
    """The journey's peak–end summary (0–10 scale); null when no moment of it carries a score."""

    moments = serializers.IntegerField(help_text="Scored moments (interactions with an experience score).")
    peak = serializers.FloatField(help_text="The most intense moment's score.")
    end = serializers.FloatField(help_text="The last moment's score.")
    peak_end = serializers.FloatField(help_text="(peak + end) / 2: what the customer remembers.")
    mean = serializers.FloatField(help_text="The mean of every scored moment.")
    gap = serializers.FloatField(help_text="peak_end − mean.")
    contrast = serializers.FloatField(help_text="max − min.")
    floor_breaches = serializers.IntegerField()
    peak_interaction = serializers.IntegerField(source="peak_interaction_id", allow_null=True)
    end_interaction = serializers.IntegerField(source="end_interaction_id", allow_null=True)
    peak_touchpoint = serializers.CharField(source="peak_touchpoint.code", help_text="Touchpoint code.")
    end_touchpoint = serializers.CharField(source="end_touchpoint.code", help_text="Touchpoint code.")
    computed_at = serializers.DateTimeField()


class JourneySerializer(serializers.ModelSerializer):
    """A customer's journey: where it stands along its map, and its peak–end score."""

    # ``steps_total`` is annotated by the views' queryset (one query for a page of journeys).
    customer = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    steps_total = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="How many steps its journey map has; null without a map."
    )
    peak_end = serializers.SerializerMethodField()

    class Meta:
        model = Journey
        fields = [
            "id",
            "external_id",
            "customer",
            "journey_map",
            "origin",
            "status",
            "started_at",
            "ended_at",
            "last_activity_at",
            "furthest_step",
            "steps_total",
            "peak_end",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "external_id": {
                "help_text": "The journey's id in your system (an order or ticket id); null if none."
            },
            "origin": {
                "help_text": "`assembled` by the map's rules, or `explicit`: started, fed or ended by a "
                "connected system (the rules never touch it again)."
            },
            "last_activity_at": {"help_text": "When its latest interaction occurred."},
            "furthest_step": {"help_text": "The highest map position it reached."},
        }

    @extend_schema_field(PeakEndSerializer(allow_null=True))
    def get_peak_end(self, journey: Journey) -> dict | None:
        score = getattr(journey, "score", None)
        return PeakEndSerializer(score).data if score is not None else None


class JourneyStepSerializer(serializers.Serializer):
    """One moment of the journey: an interaction, in time order."""

    interaction = serializers.IntegerField(source="id")
    external_id = serializers.CharField(allow_null=True)
    touchpoint = serializers.CharField(source="touchpoint.code")
    stage = serializers.CharField(source="touchpoint.stage")
    channel = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    experience_score = serializers.FloatField(allow_null=True)
    is_peak = serializers.BooleanField(help_text="The moment of truth the customer remembers most.")
    is_end = serializers.BooleanField(help_text="The last scored moment.")


class JourneyDetailSerializer(JourneySerializer):
    steps = serializers.SerializerMethodField()

    class Meta(JourneySerializer.Meta):
        fields = [*JourneySerializer.Meta.fields, "steps"]
        read_only_fields = fields

    @extend_schema_field(JourneyStepSerializer(many=True))
    def get_steps(self, journey: Journey) -> list[dict]:
        score = getattr(journey, "score", None)
        peak = score.peak_interaction_id if score else None
        end = score.end_interaction_id if score else None
        for interaction in journey.steps:
            interaction.is_peak, interaction.is_end = interaction.id == peak, interaction.id == end
        return JourneyStepSerializer(journey.steps, many=True).data


# --- what a connected system sends -----------------------------------------------------------------

StrictIntegerField = strict(serializers.IntegerField)


class JourneyMapIdField(serializers.PrimaryKeyRelatedField):
    """A journey map by id: a JSON integer."""

    default_error_messages = {
        "invalid": _("A valid integer is required."),
        "incorrect_type": _("A valid integer is required."),
        "does_not_exist": _("No journey map {pk_value}."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        if not 1 <= data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class JourneyOpenSerializer(serializers.Serializer):
    external_id = StrictCharField(
        max_length=100,
        help_text="The journey's id in your system (an order or ticket id): sending it again answers the "
        "journey it names (200) instead of creating another.",
    )
    customer = StrictSlugRelatedField(
        slug_field="external_id",
        queryset=Customer.objects.all(),
        help_text="The customer's external_id.",
        error_messages={"does_not_exist": UNKNOWN_CUSTOMER},
    )
    journey_map = JourneyMapIdField(
        queryset=JourneyMap.objects.all(),
        required=False,
        allow_null=True,
        help_text="An active journey map's id; left out or null: a journey on no map.",
    )
    started_at = serializers.DateTimeField(
        required=False, help_text="Defaults to now.", error_messages={"invalid": DATETIME_MESSAGE}
    )


class JourneyInteractionsSerializer(serializers.Serializer):
    interactions = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=MAX_BULK_ITEMS,
        help_text=f"1–{MAX_BULK_ITEMS} interaction ids, all of the journey's customer.",
    )


class JourneyChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=JourneyStatus.choices,
        help_text="`completed` or `abandoned` ends the journey; `in_progress` re-opens it.",
    )
    ended_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When it ended (not before it started); defaults to now, or to the end already "
        "stored when the status does not change. Only for an ended status.",
        error_messages={"invalid": DATETIME_MESSAGE},
    )

    def validate(self, attrs):
        if attrs["status"] == JourneyStatus.IN_PROGRESS and attrs.get("ended_at") is not None:
            message = _("A journey in progress has no end: leave ended_at out.")
            raise serializers.ValidationError({"ended_at": [message]}, code="invalid")
        return attrs
