"""Read-only representations: journeys with their steps and peak–end score, journey maps."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from journeys.models import Journey, JourneyMap, JourneyMapStep


class JourneyMapStepSerializer(serializers.ModelSerializer):
    touchpoint = serializers.SlugRelatedField(slug_field="code", read_only=True)
    touchpoint_name = serializers.CharField(source="touchpoint.name", read_only=True)
    stage = serializers.CharField(source="touchpoint.stage", read_only=True)

    class Meta:
        model = JourneyMapStep
        fields = ["position", "touchpoint", "touchpoint_name", "stage"]


class JourneyMapSerializer(serializers.ModelSerializer):
    steps = JourneyMapStepSerializer(many=True, read_only=True)

    class Meta:
        model = JourneyMap
        fields = ["id", "name", "description", "active", "steps", "created_at", "updated_at"]
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
    customer = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    peak_end = serializers.SerializerMethodField()

    class Meta:
        model = Journey
        fields = [
            "id",
            "customer",
            "journey_map",
            "started_at",
            "ended_at",
            "status",
            "peak_end",
            "created_at",
        ]
        read_only_fields = fields

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
