"""More coarse copies: the touchpoint-level slice plus one customer or channel column, the key
drivers per survey and one such column, and the journey rollups per journey map.

A filter on a channel, a segment or a value tier used to send the selectors to the fine rollup,
whose rows per day grow with every combination of the seven key columns that occurs (a
parallel scan of a third of a million rows at a million responses). Each copy here holds the
same sums keyed by the touchpoint-level slice and one more column, with an index that leads
with that column, so such a filter reads only the matching rows of a copy whose rows per day
are bounded by the surveys, touchpoints and values of that one column in use. Combinations of
two of those columns still read the fine rollup, through the index that leads with one of them.
"""

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from touchpoints.models import Channel, Stage, ValueTier

from .coarse import TouchpointSlice
from .measures import DriverSums, InteractionCounts, InvitationCounts, ResponseCounts


def _survey_key(*extra: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        "day", "survey", Coalesce("touchpoint", 0), "stage", *extra, name="%(class)s_key_unique"
    )


class ChannelSlice(TouchpointSlice):
    channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)

    class Meta:
        abstract = True
        constraints = [_survey_key("channel")]
        indexes = [
            models.Index(fields=["touchpoint", "day"], name="%(class)s_td"),
            models.Index(fields=["channel", "day"], name="%(class)s_c"),
        ]


class SegmentSlice(TouchpointSlice):
    segment = models.CharField(max_length=50, blank=True)

    class Meta:
        abstract = True
        constraints = [_survey_key("segment")]
        indexes = [
            models.Index(fields=["touchpoint", "day"], name="%(class)s_td"),
            models.Index(fields=["segment", "day"], name="%(class)s_s"),
        ]


class TierSlice(TouchpointSlice):
    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, blank=True)

    class Meta:
        abstract = True
        constraints = [_survey_key("value_tier")]
        indexes = [
            models.Index(fields=["touchpoint", "day"], name="%(class)s_td"),
            models.Index(fields=["value_tier", "day"], name="%(class)s_t"),
        ]


class ResponseChannelRollup(ChannelSlice, ResponseCounts):
    """``ResponseRollup`` summed over segment and value tier."""

    class Meta(ChannelSlice.Meta):
        verbose_name = _("response rollup by channel")
        verbose_name_plural = _("response rollups by channel")
        pass


class ResponseSegmentRollup(SegmentSlice, ResponseCounts):
    """``ResponseRollup`` summed over channel and value tier."""

    class Meta(SegmentSlice.Meta):
        verbose_name = _("response rollup by segment")
        verbose_name_plural = _("response rollups by segment")
        pass


class ResponseTierRollup(TierSlice, ResponseCounts):
    """``ResponseRollup`` summed over channel and segment."""

    class Meta(TierSlice.Meta):
        verbose_name = _("response rollup by value tier")
        verbose_name_plural = _("response rollups by value tier")
        pass


class InvitationChannelRollup(ChannelSlice, InvitationCounts):
    """``InvitationRollup`` summed over segment and value tier."""

    class Meta(ChannelSlice.Meta):
        verbose_name = _("invitation rollup by channel")
        verbose_name_plural = _("invitation rollups by channel")
        pass


class InvitationSegmentRollup(SegmentSlice, InvitationCounts):
    """``InvitationRollup`` summed over channel and value tier."""

    class Meta(SegmentSlice.Meta):
        verbose_name = _("invitation rollup by segment")
        verbose_name_plural = _("invitation rollups by segment")
        pass


class InvitationTierRollup(TierSlice, InvitationCounts):
    """``InvitationRollup`` summed over channel and segment."""

    class Meta(TierSlice.Meta):
        verbose_name = _("invitation rollup by value tier")
        verbose_name_plural = _("invitation rollups by value tier")
        pass


class DriverSlice(DriverSums):
    """Key drivers per day × survey × one more column × dimension: the drivers page's filters."""

    day = models.DateField()
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        abstract = True


class DriverChannelRollup(DriverSlice):
    """``DriverRollup`` summed over touchpoint, stage, segment and value tier."""

    channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)

    class Meta:
        verbose_name = _("driver rollup by channel")
        verbose_name_plural = _("driver rollups by channel")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "survey", "channel", "dimension"], name="driver_channel_rollup_key_unique"
            )
        ]
        indexes = [
            models.Index(fields=["channel", "day"], name="driver_channel_rollup_idx"),
            models.Index(fields=["survey", "day"], name="%(class)s_sd"),
        ]


class DriverSurveySegmentRollup(DriverSlice):
    """``DriverRollup`` summed over touchpoint, stage, channel and value tier."""

    segment = models.CharField(max_length=50, blank=True)

    class Meta:
        verbose_name = _("driver rollup by survey and segment")
        verbose_name_plural = _("driver rollups by survey and segment")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "survey", "segment", "dimension"], name="driver_survey_seg_rollup_key_unique"
            )
        ]
        indexes = [
            models.Index(fields=["segment", "day"], name="driver_survey_seg_rollup_idx"),
            models.Index(fields=["survey", "day"], name="%(class)s_sd"),
        ]


class DriverTierRollup(DriverSlice):
    """``DriverRollup`` summed over touchpoint, stage, channel and segment."""

    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, blank=True)

    class Meta:
        verbose_name = _("driver rollup by value tier")
        verbose_name_plural = _("driver rollups by value tier")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "survey", "value_tier", "dimension"], name="driver_tier_rollup_key_unique"
            )
        ]
        indexes = [
            models.Index(fields=["value_tier", "day"], name="driver_tier_rollup_idx"),
            models.Index(fields=["survey", "day"], name="%(class)s_sd"),
        ]


class InteractionSlice(InteractionCounts):
    day = models.DateField()
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    stage = models.CharField(max_length=16, choices=Stage.choices)

    class Meta:
        abstract = True


def _interaction_key(extra: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["day", "touchpoint", "stage", extra], name="%(class)s_key_unique")


class InteractionChannelRollup(InteractionSlice):
    """``InteractionRollup`` summed over segment and value tier."""

    channel = models.CharField(max_length=16, choices=Channel.choices)

    class Meta:
        verbose_name = _("interaction rollup by channel")
        verbose_name_plural = _("interaction rollups by channel")
        constraints = [_interaction_key("channel")]
        indexes = [
            models.Index(fields=["touchpoint", "day"], name="%(class)s_td"),
            models.Index(fields=["channel", "day"], name="%(class)s_c"),
        ]


class InteractionSegmentRollup(InteractionSlice):
    """``InteractionRollup`` summed over channel and value tier."""

    segment = models.CharField(max_length=50, blank=True)

    class Meta:
        verbose_name = _("interaction rollup by segment")
        verbose_name_plural = _("interaction rollups by segment")
        constraints = [_interaction_key("segment")]
        indexes = [
            models.Index(fields=["touchpoint", "day"], name="%(class)s_td"),
            models.Index(fields=["segment", "day"], name="%(class)s_s"),
        ]


class InteractionTierRollup(InteractionSlice):
    """``InteractionRollup`` summed over channel and segment."""

    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, blank=True)

    class Meta:
        verbose_name = _("interaction rollup by value tier")
        verbose_name_plural = _("interaction rollups by value tier")
        constraints = [_interaction_key("value_tier")]
        indexes = [
            models.Index(fields=["touchpoint", "day"], name="%(class)s_td"),
            models.Index(fields=["value_tier", "day"], name="%(class)s_t"),
        ]


class JourneyMapRollup(models.Model):
    """``JourneyRollup`` summed over segment and value tier: day × journey map × peak–end bin."""

    day = models.DateField()
    journey_map = models.ForeignKey(
        "journeys.JourneyMap",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    peak_end_bin = models.PositiveSmallIntegerField()
    journeys = models.PositiveIntegerField(default=0)
    peak_end_sum = models.FloatField(default=0.0)
    mean_sum = models.FloatField(default=0.0)
    gap_sum = models.FloatField(default=0.0)
    floor_breaches = models.PositiveIntegerField(default=0)
    journeys_breached = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("journey rollup by map")
        verbose_name_plural = _("journey rollups by map")
        constraints = [
            models.UniqueConstraint(
                "day", Coalesce("journey_map", 0), "peak_end_bin", name="journey_map_rollup_key_unique"
            )
        ]
        indexes = [models.Index(fields=["journey_map", "day"], name="journey_map_rollup_map_idx")]

    def __str__(self) -> str:
        return f"{self.day} map {self.journey_map_id} bin {self.peak_end_bin}: {self.journeys}"


class MomentMapRollup(models.Model):
    """``MomentOfTruthRollup`` summed over segment and value tier: day × journey map × touchpoint."""

    day = models.DateField()
    journey_map = models.ForeignKey(
        "journeys.JourneyMap",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    peaks = models.PositiveIntegerField(default=0)
    negative_peaks = models.PositiveIntegerField(default=0)
    ends = models.PositiveIntegerField(default=0)
    negative_ends = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("moment-of-truth rollup by map")
        verbose_name_plural = _("moment-of-truth rollups by map")
        constraints = [
            models.UniqueConstraint(
                "day", Coalesce("journey_map", 0), "touchpoint", name="moment_map_rollup_key_unique"
            )
        ]
        indexes = [
            models.Index(fields=["journey_map", "day"], name="moment_map_rollup_map_idx"),
            models.Index(fields=["touchpoint", "day"], name="moment_map_rollup_tp_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} touchpoint {self.touchpoint_id}: {self.negative_peaks} negative peaks"
