"""The metrics calls: their query (validated into ``MetricFilters``) and their answers.

Every number is the selector's (``analytics.selectors``), the same the dashboards show; an
undefined one (no data) is null, never 0.
"""

import math
from datetime import date

from django.utils.translation import gettext as _
from rest_framework import serializers

from analytics.selectors import INTERVALS, MetricFilters
from journeys.models import JourneyMap
from surveys.models import Survey
from touchpoints.models import Channel, Customer, Stage, Touchpoint, ValueTier

EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


class MetricQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text="First day, inclusive (YYYY-MM-DD, platform time zone)."
    )
    end = serializers.DateField(required=False, help_text="Last day, inclusive.")
    survey = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Survey id; an unknown one is a 400."
    )
    touchpoint = serializers.CharField(
        required=False, max_length=50, help_text="Touchpoint code; an unknown one is a 400."
    )
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    segment = serializers.CharField(
        required=False,
        max_length=50,
        allow_blank=True,
        help_text="Customer segment, as the CRM writes it; one no customer has is a 400 (a typo), one "
        "whose customers gave no answers gives null figures. Empty: every segment.",
    )
    value_tier = serializers.ChoiceField(choices=ValueTier.choices, required=False)
    interval = serializers.ChoiceField(
        choices=INTERVALS, required=False, help_text="Adds a series by day, week (from Monday) or month."
    )

    def validate(self, attrs):
        for name in ("start", "end"):
            if name in attrs and not EARLIEST <= attrs[name] <= LATEST:
                message = _("Choose a day from %(earliest)s to %(latest)s.") % {
                    "earliest": EARLIEST.isoformat(),
                    "latest": LATEST.isoformat(),
                }
                raise serializers.ValidationError({name: [message]})
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": [_("Must be on or after start.")]}, code="invalid")
        unknown = self.unknown_references(attrs)
        if unknown:
            # One error per unknown reference, each with its field: a filter that selects nothing
            # by mistake must not answer figures of nothing (zeros, nulls) as if it were real.
            raise serializers.ValidationError(unknown, code="does_not_exist")
        return attrs

    def unknown_references(self, attrs) -> dict[str, list[str]]:
        """The filters naming something that does not exist (one small indexed query each);
        sets ``attrs["touchpoint_id"]`` from the touchpoint code."""
        unknown = {}
        code = attrs.get("touchpoint")
        if code is not None:
            touchpoint_id = Touchpoint.objects.filter(code=code).values_list("id", flat=True).first()
            if touchpoint_id is None:
                unknown["touchpoint"] = [_("No touchpoint with code '%(code)s'.") % {"code": code}]
            attrs["touchpoint_id"] = touchpoint_id
        survey = attrs.get("survey")
        if survey is not None and not Survey.objects.filter(id=survey).exists():
            unknown["survey"] = [_("No survey with id %(id)s.") % {"id": survey}]
        segment = attrs.get("segment")
        if segment and not Customer.objects.filter(segment=segment).exists():
            unknown["segment"] = [_("No customer has the segment '%(segment)s'.") % {"segment": segment}]
        return unknown

    def filters(self) -> MetricFilters:
        data = self.validated_data
        return MetricFilters(
            start=data.get("start"),
            end=data.get("end"),
            survey_id=data.get("survey"),
            touchpoint_id=data.get("touchpoint_id"),
            stage=data.get("stage") or None,
            channel=data.get("channel") or None,
            segment=data.get("segment") or None,  # empty means no filter, as for every query parameter
            value_tier=data.get("value_tier") or None,
            journey_map_id=data.get("journey_map"),
        )

    def echo(self) -> dict:
        return {name: self.validated_data.get(name) for name in self.fields}


class PeakEndQuerySerializer(MetricQuerySerializer):
    journey_map = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Journey map id; an unknown one is a 400."
    )

    def unknown_references(self, attrs) -> dict[str, list[str]]:
        unknown = super().unknown_references(attrs)
        journey_map = attrs.get("journey_map")
        if journey_map is not None and not JourneyMap.objects.filter(id=journey_map).exists():
            unknown["journey_map"] = [_("No journey map with id %(id)s.") % {"id": journey_map}]
        return unknown


class FiniteFloatField(serializers.FloatField):
    """A float, or null when undefined (None) or not finite (a certain NPS change has z = ±inf)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value is None or not math.isfinite(float(value)):
            return None
        return float(value)


class FiltersSerializer(serializers.Serializer):
    """The filters the figures were computed with (null: not filtered)."""

    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    survey = serializers.IntegerField(allow_null=True)
    touchpoint = serializers.CharField(allow_null=True)
    stage = serializers.CharField(allow_null=True)
    channel = serializers.CharField(allow_null=True)
    segment = serializers.CharField(allow_null=True)
    value_tier = serializers.CharField(allow_null=True)
    interval = serializers.CharField(allow_null=True)


class PeakEndFiltersSerializer(FiltersSerializer):
    journey_map = serializers.IntegerField(allow_null=True)


class NPSSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()
    nps = FiniteFloatField(help_text="NPS points, −100…100; null without answers.")
    se = FiniteFloatField(help_text="Standard error, NPS points.")
    ci_low = FiniteFloatField(help_text="95 % interval (adjusted Wald), low end.")
    ci_high = FiniteFloatField(help_text="95 % interval, high end.")


class NPSFiguresSerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    nps = NPSSerializer()


class NPSPointSerializer(NPSFiguresSerializer):
    period = serializers.DateField(help_text="First day of the period.")


class NPSChangeSerializer(serializers.Serializer):
    diff = FiniteFloatField(help_text="This NPS − the previous one, points.")
    z = FiniteFloatField(help_text="z statistic; null when undefined or infinite (both sides certain).")
    significant = serializers.BooleanField(allow_null=True, help_text="|z| ≥ 1.96.")


class NPSComparisonSerializer(serializers.Serializer):
    previous_start = serializers.DateField()
    previous_end = serializers.DateField()
    previous = NPSFiguresSerializer()
    change = NPSChangeSerializer()


class NPSAnswerSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    summary = NPSFiguresSerializer()
    series = NPSPointSerializer(
        many=True, allow_null=True, help_text="With `interval`; empty periods left out."
    )
    comparison = NPSComparisonSerializer(
        allow_null=True, help_text="Against the previous period of equal length; needs start and end."
    )


class CSATSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="CSAT answers (1–5).")
    satisfied = serializers.IntegerField(help_text="Answers of 4 or 5.")
    csat = FiniteFloatField(help_text="Percent of answers rated 4–5, 0…100; null without answers.")
    ci_low = FiniteFloatField(help_text="95 % interval (adjusted Wald), low end, percent.")
    ci_high = FiniteFloatField(help_text="95 % interval, high end, percent.")


class CSATFiguresSerializer(serializers.Serializer):
    responses = serializers.IntegerField(help_text="Responses in the slice, with a CSAT answer or not.")
    csat = CSATSerializer()


class CSATPointSerializer(CSATFiguresSerializer):
    period = serializers.DateField(help_text="First day of the period.")


class CSATAnswerSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    summary = CSATFiguresSerializer()
    series = CSATPointSerializer(
        many=True, allow_null=True, help_text="With `interval`; empty periods left out."
    )


class CESSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="CES answers (1–7, 7 = very easy).")
    mean = FiniteFloatField(help_text="Mean answer, 1…7; null without answers.")
    sd = FiniteFloatField(
        help_text="Sample standard deviation; null below 2 answers (and, with `ci_low`/`ci_high`, for days "
        "summed before an upgrade's refresh has recomputed them)."
    )
    ci_low = FiniteFloatField(
        help_text="95 % interval of the mean (mean ± t·s/√n), low end, within 1…7; the mean itself below 2 "
        "answers or when every answer is the same."
    )
    ci_high = FiniteFloatField(help_text="95 % interval of the mean, high end.")
    easy = serializers.IntegerField(help_text="Answers of 5, 6 or 7 (the top-3 box).")
    easy_share = FiniteFloatField(help_text="Percent of answers rated 5–7, 0…100.")
    easy_ci_low = FiniteFloatField(help_text="95 % interval of the share (adjusted Wald), low end, percent.")
    easy_ci_high = FiniteFloatField(help_text="95 % interval of the share, high end, percent.")


class CESFiguresSerializer(serializers.Serializer):
    responses = serializers.IntegerField(help_text="Responses in the slice, with a CES answer or not.")
    ces = CESSerializer()


class CESPointSerializer(CESFiguresSerializer):
    period = serializers.DateField(help_text="First day of the period.")


class CESAnswerSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    summary = CESFiguresSerializer()
    series = CESPointSerializer(
        many=True, allow_null=True, help_text="With `interval`; empty periods left out."
    )


class RatioSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    geometric_mean = FiniteFloatField(
        help_text="Experience ÷ expectation: 1 met, <1 disappointed, >1 delighted."
    )
    share_below = FiniteFloatField(help_text="Fraction 0…1.")
    share_met = FiniteFloatField()
    share_above = FiniteFloatField()


class ExpectationSummarySerializer(serializers.Serializer):
    survey = RatioSerializer(help_text="From survey expectation/experience pairs.")
    measure = RatioSerializer(
        allow_null=True,
        help_text="From touchpoint measures (promised vs delivered); null with a survey filter.",
    )


class TouchpointExpectationSerializer(serializers.Serializer):
    touchpoint = serializers.CharField(help_text="Touchpoint code.")
    name = serializers.CharField()
    survey = RatioSerializer()
    measure = RatioSerializer()


class ExpectationPointSerializer(serializers.Serializer):
    period = serializers.DateField()
    survey = RatioSerializer()


class ExpectationAnswerSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    summary = ExpectationSummarySerializer()
    by_touchpoint = TouchpointExpectationSerializer(many=True, help_text="Most disappointing first.")
    series = ExpectationPointSerializer(many=True, allow_null=True)


class JourneyFiguresSerializer(serializers.Serializer):
    journeys = serializers.IntegerField()
    mean_peak_end = FiniteFloatField(help_text="0–10; null without journeys.")
    mean_of_means = FiniteFloatField()
    mean_gap = FiniteFloatField(help_text="Mean of peak–end − mean: how far memory drifts from the average.")
    journeys_breached = serializers.IntegerField()
    breached_share = FiniteFloatField(help_text="Fraction 0…1 of journeys with a floor breach.")
    floor_breaches = serializers.IntegerField()
    distribution = serializers.ListField(
        child=serializers.IntegerField(), help_text="Journeys per peak–end bin k ≤ score < k + 1 (k = 0…9)."
    )


class MomentOfTruthSerializer(serializers.Serializer):
    touchpoint = serializers.CharField(help_text="Touchpoint code.")
    name = serializers.CharField()
    peaks = serializers.IntegerField()
    negative_peaks = serializers.IntegerField(help_text="Peaks below 5 (neutral).")
    ends = serializers.IntegerField()
    negative_ends = serializers.IntegerField()


class JourneyPointSerializer(serializers.Serializer):
    period = serializers.DateField()
    summary = JourneyFiguresSerializer()


class PeakEndAnswerSerializer(serializers.Serializer):
    filters = PeakEndFiltersSerializer()
    summary = JourneyFiguresSerializer()
    moments_of_truth = MomentOfTruthSerializer(many=True, help_text="Most often the negative peak first.")
    series = JourneyPointSerializer(many=True, allow_null=True)


class DriverSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    label = serializers.CharField()
    n = serializers.IntegerField(help_text="Responses rating the dimension and answering NPS.")
    importance = FiniteFloatField(
        help_text="Pearson r with likelihood to recommend; null without enough data."
    )
    ci_low = FiniteFloatField()
    ci_high = FiniteFloatField()
    performance = FiniteFloatField(help_text="Mean rating, 0–10.")
    enough_data = serializers.BooleanField()
    quadrant = serializers.CharField(allow_null=True, help_text="act_first, keep_up, low_priority, overkill.")


class DriverPointSerializer(serializers.Serializer):
    period = serializers.DateField()
    drivers = DriverSerializer(many=True)


class DriversAnswerSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    drivers = DriverSerializer(many=True)
    series = DriverPointSerializer(many=True, allow_null=True)
