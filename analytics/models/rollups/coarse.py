"""Coarser copies of the fine rollups, and the metadata the refresh and the selectors use to match them.

Each fine rollup has coarser copies holding the same sums over fewer columns: the
"touchpoint-level twins" (day × survey × touchpoint × stage, no channel, segment or value
tier), and for key drivers a day × segment copy. Their rows per day are bounded by the
surveys, touchpoints and segments in use, not by the number of responses and customers, so a
selector that neither filters nor groups by a column a copy lacks (the dashboards' default
view) reads a bounded number of rows however much data there is. The copies are written by
the same refresh, in the same transaction, from the fine rows it has just computed
(``analytics.services.rollup_writes``); the selectors pick the smallest that answers
(``analytics.selectors.sources.rollup_model``). ``copies`` holds more of them, ``registry``
matches every copy to its source.
"""

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from touchpoints.models import Stage

from .measures import DriverSums, InteractionCounts, InvitationCounts, ResponseCounts


class TouchpointSlice(models.Model):
    """The coarse survey slice: day × survey × touchpoint × stage."""

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

    class Meta:
        abstract = True


def slice_indexes() -> list[models.Index]:
    """A survey, touchpoint or stage filter finds a slice's rows of the period by these (the unique key
    leads with the day and holds the touchpoint inside ``COALESCE``, which an equality cannot use)."""
    return [
        models.Index(fields=["survey", "day"], name="%(class)s_sd"),
        models.Index(fields=["touchpoint", "day"], name="%(class)s_td"),
        models.Index(fields=["stage", "day"], name="%(class)s_pd"),
    ]


class ResponseTouchpointRollup(TouchpointSlice, ResponseCounts):
    """``ResponseRollup`` summed over channel, segment and value tier."""

    class Meta:
        verbose_name = _("response rollup by touchpoint")
        verbose_name_plural = _("response rollups by touchpoint")
        constraints = [
            models.UniqueConstraint(
                "day", "survey", Coalesce("touchpoint", 0), "stage", name="response_tp_rollup_key_unique"
            ),
        ]
        indexes = slice_indexes()

    def __str__(self) -> str:
        return f"{self.day} survey {self.survey_id} touchpoint {self.touchpoint_id}"


class DriverTouchpointRollup(TouchpointSlice, DriverSums):
    """``DriverRollup`` summed over channel, segment and value tier."""

    class Meta:
        verbose_name = _("driver rollup by touchpoint")
        verbose_name_plural = _("driver rollups by touchpoint")
        constraints = [
            models.UniqueConstraint(
                "day",
                "survey",
                Coalesce("touchpoint", 0),
                "stage",
                "dimension",
                name="driver_tp_rollup_key_unique",
            ),
        ]
        indexes = slice_indexes()

    def __str__(self) -> str:
        return f"{self.day} survey {self.survey_id} {self.dimension}: {self.pairs} pairs"


class InvitationTouchpointRollup(TouchpointSlice, InvitationCounts):
    """``InvitationRollup`` summed over channel, segment and value tier."""

    class Meta:
        verbose_name = _("invitation rollup by touchpoint")
        verbose_name_plural = _("invitation rollups by touchpoint")
        constraints = [
            models.UniqueConstraint(
                "day", "survey", Coalesce("touchpoint", 0), "stage", name="invitation_tp_rollup_key_unique"
            ),
        ]
        indexes = slice_indexes()

    def __str__(self) -> str:
        return f"{self.day} survey {self.survey_id}: {self.responded}/{self.sent}"


class InteractionTouchpointRollup(InteractionCounts):
    """``InteractionRollup`` summed over channel, segment and value tier: day × touchpoint × stage."""

    day = models.DateField()
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    stage = models.CharField(max_length=16, choices=Stage.choices)

    class Meta:
        verbose_name = _("interaction rollup by touchpoint")
        verbose_name_plural = _("interaction rollups by touchpoint")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "touchpoint", "stage"], name="interaction_tp_rollup_key_unique"
            ),
        ]
        indexes = [models.Index(fields=["touchpoint", "day"], name="%(class)s_td")]

    def __str__(self) -> str:
        return f"{self.day} touchpoint {self.touchpoint_id}"


class DriverSegmentRollup(DriverSums):
    """``DriverRollup`` summed over survey, touchpoint, stage, channel and value tier: the key
    drivers per customer segment, which the drivers page shows side by side."""

    day = models.DateField()
    segment = models.CharField(max_length=50, blank=True)

    class Meta:
        verbose_name = _("driver rollup by segment")
        verbose_name_plural = _("driver rollups by segment")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "segment", "dimension"], name="driver_segment_rollup_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} segment {self.segment!r} {self.dimension}: {self.pairs} pairs"
