"""Coarser copies of the fine rollups, and the metadata the refresh and the selectors use to match them.

Each fine rollup has coarser copies holding the same sums over fewer columns: the
"touchpoint-level twins" (day × survey × touchpoint × stage, no channel, segment or value
tier), and for key drivers a day × segment copy. Their rows per day are bounded by the
surveys, touchpoints and segments in use, not by the number of responses and customers, so a
selector that neither filters nor groups by a column a copy lacks (the dashboards' default
view) reads a bounded number of rows however much data there is. The copies are written by
the same refresh, in the same transaction, from the fine rows it has just computed
(``analytics.services.rollup_twins``); the selectors pick the smallest that answers
(``analytics.selectors.sources.rollup_model``).
"""

from functools import cache

from django.db import models
from django.db.models.functions import Coalesce

from touchpoints.models import Stage

from .interactions import InteractionRollup
from .invitations import InvitationRollup
from .measures import DriverSums, InteractionCounts, InvitationCounts, ResponseCounts
from .responses import DriverRollup, ResponseRollup


class TouchpointSlice(models.Model):
    """The coarse survey slice: day × survey × touchpoint × stage."""

    day = models.DateField()
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)

    class Meta:
        abstract = True


class ResponseTouchpointRollup(TouchpointSlice, ResponseCounts):
    """``ResponseRollup`` summed over channel, segment and value tier."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "day", "survey", Coalesce("touchpoint", 0), "stage", name="response_tp_rollup_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} survey {self.survey_id} touchpoint {self.touchpoint_id}"


class DriverTouchpointRollup(TouchpointSlice, DriverSums):
    """``DriverRollup`` summed over channel, segment and value tier."""

    class Meta:
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

    def __str__(self) -> str:
        return f"{self.day} survey {self.survey_id} {self.dimension}: {self.pairs} pairs"


class InvitationTouchpointRollup(TouchpointSlice, InvitationCounts):
    """``InvitationRollup`` summed over channel, segment and value tier."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "day", "survey", Coalesce("touchpoint", 0), "stage", name="invitation_tp_rollup_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} survey {self.survey_id}: {self.responded}/{self.sent}"


class InteractionTouchpointRollup(InteractionCounts):
    """``InteractionRollup`` summed over channel, segment and value tier: day × touchpoint × stage."""

    day = models.DateField()
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=16, choices=Stage.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "touchpoint", "stage"], name="interaction_tp_rollup_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} touchpoint {self.touchpoint_id}"


class DriverSegmentRollup(DriverSums):
    """``DriverRollup`` summed over survey, touchpoint, stage, channel and value tier: the key
    drivers per customer segment, which the drivers page shows side by side."""

    day = models.DateField()
    segment = models.CharField(max_length=50, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "segment", "dimension"], name="driver_segment_rollup_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} segment {self.segment!r} {self.dimension}: {self.pairs} pairs"


# Every coarser copy and the fine rollup it sums.
COARSE_ROLLUPS: dict[type[models.Model], type[models.Model]] = {
    ResponseTouchpointRollup: ResponseRollup,
    DriverTouchpointRollup: DriverRollup,
    DriverSegmentRollup: DriverRollup,
    InvitationTouchpointRollup: InvitationRollup,
    InteractionTouchpointRollup: InteractionRollup,
}

_SUMMED = (models.PositiveIntegerField, models.IntegerField, models.FloatField)


@cache
def twin_columns(coarse: type[models.Model]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The key columns and the summed columns of a coarse rollup model (attribute names)."""
    keys, sums = [], []
    for field in coarse._meta.concrete_fields:
        if field.primary_key:
            continue
        (sums if isinstance(field, _SUMMED) and not field.is_relation else keys).append(field.attname)
    return tuple(keys), tuple(sums)


@cache
def coarse_models_of(fine: type[models.Model]) -> tuple[type[models.Model], ...]:
    """The coarser copies of ``fine``, fewest key columns (smallest) first."""
    copies = [coarse for coarse, source in COARSE_ROLLUPS.items() if source is fine]
    return tuple(sorted(copies, key=lambda coarse: len(twin_columns(coarse)[0])))
