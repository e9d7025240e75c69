"""The interaction rollup: experience scores, floor breaches and measured expectation ratios per day."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from touchpoints.models import Channel, Stage, ValueTier

from .measures import InteractionCounts


class InteractionRollup(InteractionCounts):
    """Interactions of one day × touchpoint × stage × channel × customer segment × value tier.

    Experience scores (agent-assessed, 0–10), floor breaches (a score strictly
    below the touchpoint's floor) and the touchpoint measure's expectation
    ratios (promised vs delivered value, in the measure's direction; rows of a
    touchpoint without a measure are not counted).
    """

    day = models.DateField()
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    stage = models.CharField(max_length=16, choices=Stage.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    segment = models.CharField(max_length=50, blank=True)
    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, blank=True)

    class Meta:
        verbose_name = _("interaction rollup")
        verbose_name_plural = _("interaction rollups")
        indexes = [
            models.Index(fields=["segment", "day"], name="interaction_rollup_segment_idx"),
            models.Index(fields=["channel", "day"], name="interaction_rollup_channel_idx"),
            models.Index(fields=["value_tier", "day"], name="interaction_rollup_tier_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "touchpoint", "stage", "channel", "segment", "value_tier"],
                name="interaction_rollup_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(
                    ratio_n=models.F("ratio_below") + models.F("ratio_met") + models.F("ratio_above")
                ),
                name="interaction_rollup_ratio_sums",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} touchpoint {self.touchpoint_id} {self.channel} {self.segment}"
