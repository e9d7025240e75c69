"""The survey rollups: answers per day and survey slice, and the key-driver sums behind them."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from touchpoints.models import Channel, Stage, ValueTier

from .measures import DriverSums, ResponseCounts, SliceColumns


class ResponseRollup(ResponseCounts):
    """Survey answers of one day × survey × touchpoint × stage × channel × customer segment × value tier.

    The touchpoint, stage and channel are those of the interaction the
    invitation followed, else the survey's own touchpoint, else none
    (a relationship survey); the segment and value tier are the customer's when
    the day was last refreshed.
    """

    day = models.DateField()
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+", db_index=False)
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)
    segment = models.CharField(max_length=50, blank=True)
    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, blank=True)

    class Meta:
        verbose_name = _("response rollup")
        verbose_name_plural = _("response rollups")
        indexes = [
            models.Index(fields=["segment", "day"], name="response_rollup_segment_idx"),
            models.Index(fields=["channel", "day"], name="response_rollup_channel_idx"),
            models.Index(fields=["value_tier", "day"], name="response_rollup_tier_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                "day",
                "survey",
                Coalesce("touchpoint", 0),
                "stage",
                "channel",
                "segment",
                "value_tier",
                name="response_rollup_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(
                    nps_n=models.F("nps_promoters") + models.F("nps_passives") + models.F("nps_detractors")
                ),
                name="response_rollup_nps_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(
                    ratio_n=models.F("ratio_below") + models.F("ratio_met") + models.F("ratio_above")
                ),
                name="response_rollup_ratio_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} survey {self.survey_id} touchpoint {self.touchpoint_id}"


class DriverRollup(SliceColumns, DriverSums):
    """Key-driver sums of one day × survey slice × experience dimension (additive).

    x is a rating of the dimension normalised to 0–10 by its question's
    scale, y the response's 0–10 likelihood to recommend; the pair sums give
    Pearson's r (``metrics.driver_from_sums``), the rating sums the
    performance. The day is the response's.
    """

    class Meta:
        verbose_name = _("driver rollup")
        verbose_name_plural = _("driver rollups")
        indexes = [
            # The drivers page sums per segment, so a touchpoint or stage filter reads this table.
            models.Index(fields=["touchpoint", "day"], name="driver_rollup_tp_idx"),
            models.Index(fields=["stage", "day"], name="driver_rollup_stage_idx"),
            models.Index(fields=["segment", "day"], name="driver_rollup_segment_idx"),
            models.Index(fields=["channel", "day"], name="driver_rollup_channel_idx"),
            models.Index(fields=["value_tier", "day"], name="driver_rollup_tier_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                "day",
                "survey",
                Coalesce("touchpoint", 0),
                "stage",
                "channel",
                "segment",
                "value_tier",
                "dimension",
                name="driver_rollup_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} survey {self.survey_id} {self.dimension}: {self.pairs} pairs"
