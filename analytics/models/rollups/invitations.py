"""The invitation rollup: invitations sent per day and survey slice, and how many were answered."""

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .measures import InvitationCounts, SliceColumns


class InvitationRollup(SliceColumns, InvitationCounts):
    """Invitations emailed on one day, per survey slice, and how many were answered (additive).

    The day is the sending day, so the response rate of a period is
    answered / sent over the invitations sent in it.
    """

    class Meta:
        verbose_name = _("invitation rollup")
        verbose_name_plural = _("invitation rollups")
        indexes = [
            models.Index(fields=["segment", "day"], name="invitation_rollup_segment_idx"),
            models.Index(fields=["channel", "day"], name="invitation_rollup_channel_idx"),
            models.Index(fields=["value_tier", "day"], name="invitation_rollup_tier_idx"),
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
                name="invitation_rollup_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} survey {self.survey_id}: {self.responded}/{self.sent}"
