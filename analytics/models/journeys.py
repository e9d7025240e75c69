"""Peak–end scores of journeys, and their daily rollups."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from analytics.display import number
from touchpoints.models import ValueTier

# Journeys are binned by peak–end score: bin k holds k <= score < k + 1; bin 9 also holds 10.
PEAK_END_BINS = 10


class JourneyScore(models.Model):
    """The peak–end summary of one journey's scored moments (metrics.md, "Peak–end score").

    Moments are the journey's interactions that carry an experience score,
    in time order (ties: the later-recorded last). Scores are on the 0–10
    scale; a journey without a scored moment has no row.
    """

    journey = models.OneToOneField(
        "journeys.Journey",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="score",
        verbose_name=_("journey"),
    )
    day = models.DateField(_("day"), help_text=_("The day the journey started, in the platform's time zone."))
    journey_map = models.ForeignKey(
        "journeys.JourneyMap",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("journey map"),
    )
    segment = models.CharField(_("segment"), max_length=50, blank=True)
    value_tier = models.CharField(_("value tier"), max_length=16, choices=ValueTier.choices, blank=True)
    moments = models.PositiveIntegerField(_("moments"))
    peak = models.FloatField(_("peak"))
    end = models.FloatField(_("end"))
    peak_end = models.FloatField(_("peak–end score"))
    mean = models.FloatField(_("mean"))
    gap = models.FloatField(_("gap"), help_text=_("peak_end − mean: how far memory drifts from the average."))
    contrast = models.FloatField(_("contrast"), help_text=_("max − min: the joy–pain gap."))
    floor_breaches = models.PositiveIntegerField(_("floor breaches"))
    peak_interaction = models.ForeignKey(
        "touchpoints.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("peak interaction"),
    )
    end_interaction = models.ForeignKey(
        "touchpoints.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("end interaction"),
    )
    peak_touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("peak touchpoint"),
    )
    end_touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", on_delete=models.CASCADE, related_name="+", verbose_name=_("end touchpoint")
    )
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("journey score")
        verbose_name_plural = _("journey scores")
        indexes = [
            models.Index(fields=["day"], name="journey_score_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(moments__gte=1), name="journey_score_has_moments"),
            models.CheckConstraint(
                condition=Q(peak_end__gte=0, peak_end__lte=10), name="journey_score_peak_end_range"
            ),
        ]

    def __str__(self) -> str:
        return gettext("journey %(id)s: peak–end %(score)s") % {
            "id": self.journey_id,
            "score": number(self.peak_end),
        }


class JourneyRollup(models.Model):
    """Journey scores of one start day × journey map × segment × value tier × peak–end bin (additive)."""

    day = models.DateField()
    journey_map = models.ForeignKey(
        "journeys.JourneyMap", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    segment = models.CharField(max_length=50, blank=True)
    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, blank=True)
    peak_end_bin = models.PositiveSmallIntegerField(
        help_text="0–9: floor of the peak–end score, 10 in bin 9."
    )
    journeys = models.PositiveIntegerField(default=0)
    peak_end_sum = models.FloatField(default=0.0)
    mean_sum = models.FloatField(default=0.0)
    gap_sum = models.FloatField(default=0.0)
    floor_breaches = models.PositiveIntegerField(default=0)
    journeys_breached = models.PositiveIntegerField(default=0, help_text="Journeys with at least one breach.")

    class Meta:
        verbose_name = _("journey rollup")
        verbose_name_plural = _("journey rollups")
        indexes = [
            models.Index(fields=["segment", "day"], name="journey_rollup_segment_idx"),
            models.Index(fields=["value_tier", "day"], name="journey_rollup_tier_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                "day",
                Coalesce("journey_map", 0),
                "segment",
                "value_tier",
                "peak_end_bin",
                name="journey_rollup_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(peak_end_bin__gte=0, peak_end_bin__lt=PEAK_END_BINS),
                name="journey_rollup_bin_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} map {self.journey_map_id} bin {self.peak_end_bin}: {self.journeys}"


class MomentOfTruthRollup(models.Model):
    """How often a touchpoint was the peak or the end of journeys started on a day (additive).

    "Negative" means a score below neutral (< 5): the moments that hurt.
    """

    day = models.DateField()
    journey_map = models.ForeignKey(
        "journeys.JourneyMap", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    segment = models.CharField(max_length=50, blank=True)
    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, blank=True)
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", on_delete=models.CASCADE, related_name="+")
    peaks = models.PositiveIntegerField(default=0)
    negative_peaks = models.PositiveIntegerField(default=0)
    ends = models.PositiveIntegerField(default=0)
    negative_ends = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("moment-of-truth rollup")
        verbose_name_plural = _("moment-of-truth rollups")
        indexes = [
            models.Index(fields=["segment", "day"], name="moment_rollup_segment_idx"),
            models.Index(fields=["value_tier", "day"], name="moment_rollup_tier_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                "day",
                Coalesce("journey_map", 0),
                "segment",
                "value_tier",
                "touchpoint",
                name="moment_rollup_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} touchpoint {self.touchpoint_id}: {self.negative_peaks} negative peaks"
