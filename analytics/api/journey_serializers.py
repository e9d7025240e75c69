"""``/metrics/journeys/``: its query (one journey map, required) and its answer, the numbers of
``selectors.journey_analytics`` (the journeys dashboard shows the same)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .metric_serializers import FiniteFloatField, PeakEndFiltersSerializer, PeakEndQuerySerializer


class JourneysQuerySerializer(PeakEndQuerySerializer):
    journey_map = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="Journey map id (required: a funnel follows one map); an unknown one is a 400.",
        error_messages={"required": _("Name the journey map (its id): a funnel follows one map.")},
    )


class ShareSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="The denominator.")
    x = serializers.IntegerField(help_text="The count.")
    share = FiniteFloatField(help_text="x / n, a fraction 0…1; null when n = 0.")
    ci_low = FiniteFloatField(help_text="95 % interval (adjusted Wald), low end.")
    ci_high = FiniteFloatField(help_text="95 % interval, high end.")


class OutcomesSerializer(serializers.Serializer):
    journeys = serializers.IntegerField(help_text="Journeys started (by their start day).")
    completed = serializers.IntegerField()
    abandoned = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    completion = ShareSerializer(help_text="Completed of the journeys started.")
    abandonment = ShareSerializer(help_text="Abandoned of the journeys started.")
    open_share = ShareSerializer(help_text="Still in progress of the journeys started.")
    completed_of_ended = ShareSerializer(help_text="Completed of those completed or abandoned.")


class StepTimeSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="Journeys that went on to the next step (timed).")
    median_seconds = FiniteFloatField(
        help_text="Median from the first interaction here to the first at the next step, seconds, "
        "interpolated in a histogram of log-spaced bins (within one bin width of the exact median)."
    )
    at_least = serializers.BooleanField(help_text="The median fell in the open top bin (365 days or more).")


class FunnelStepSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    touchpoint = serializers.CharField(help_text="Touchpoint code.")
    name = serializers.CharField()
    stage = serializers.CharField()
    reached = serializers.IntegerField(help_text="Journeys with an interaction at this step.")
    reached_share = FiniteFloatField(help_text="Of the journeys started, 0…1.")
    continued = serializers.IntegerField(help_text="Of those, journeys that also reached the next step.")
    dropped = serializers.IntegerField(help_text="reached − continued; 0 at the last step.")
    drop = ShareSerializer(allow_null=True, help_text="dropped of reached; null at the last step.")
    dropped_abandoned = serializers.IntegerField(help_text="Dropped journeys now abandoned.")
    dropped_in_progress = serializers.IntegerField(help_text="Dropped journeys still in progress.")
    dropped_completed = serializers.IntegerField(help_text="Dropped journeys that completed here.")
    to_next = StepTimeSerializer(allow_null=True, help_text="Null at the last step.")


class OutcomePointSerializer(OutcomesSerializer):
    period = serializers.DateField(help_text="First day of the period.")


class PeakEndByOutcomeSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="completed, abandoned or in_progress.")
    scored = serializers.IntegerField(help_text="Journeys of this status with a peak–end score.")
    mean_peak_end = FiniteFloatField(help_text="0–10; null without scored journeys.")
    distribution = serializers.ListField(
        child=serializers.IntegerField(), help_text="Journeys per peak–end bin k ≤ score < k + 1 (k = 0…9)."
    )


class GiveUpSerializer(serializers.Serializer):
    touchpoint = serializers.CharField(help_text="Touchpoint code.")
    name = serializers.CharField()
    ends = serializers.IntegerField(help_text="Abandoned journeys whose last scored moment was here.")
    negative_ends = serializers.IntegerField(help_text="Of those, ending below 5.")
    peaks = serializers.IntegerField(help_text="Abandoned journeys whose peak was here.")
    negative_peaks = serializers.IntegerField(help_text="Of those, peaks below 5.")


class FunnelMapSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class JourneysAnswerSerializer(serializers.Serializer):
    filters = PeakEndFiltersSerializer()
    journey_map = FunnelMapSerializer()
    interval = serializers.CharField(
        help_text="The series' period: the one asked for, else chosen by length."
    )
    outcomes = OutcomesSerializer()
    funnel = FunnelStepSerializer(many=True, help_text="The map's steps in order.")
    series = OutcomePointSerializer(many=True, help_text="By start period; empty periods left out.")
    peak_end_by_outcome = PeakEndByOutcomeSerializer(many=True)
    give_up = GiveUpSerializer(
        many=True, help_text="Where customers give up: most often the end of an abandoned journey first."
    )
