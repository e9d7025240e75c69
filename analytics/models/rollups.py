"""Rollup tables the dashboards and the metrics API read, and the bookkeeping that keeps them fresh.

Every rollup row holds additive counts for one bucket (a day in the
platform's ``TIME_ZONE``) and one combination of dimensions, so any slice is a
``SUM`` over rows and ``analytics.metrics`` turns the sums into figures.
"""

from functools import cache

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from touchpoints.models import Channel, Stage, ValueTier


class StaleKind(models.TextChoices):
    RESPONSE_DAY = "response_day", "Survey responses of a day"
    INTERACTION_DAY = "interaction_day", "Interactions of a day"
    JOURNEY = "journey", "One journey's peak-end score"
    JOURNEY_DAY = "journey_day", "Journey scores of journeys started on a day"
    INVITATION_DAY = "invitation_day", "Invitations sent on a day"


DAY_KINDS = (
    StaleKind.RESPONSE_DAY,
    StaleKind.INTERACTION_DAY,
    StaleKind.JOURNEY_DAY,
    StaleKind.INVITATION_DAY,
)


class StaleMark(models.Model):
    """A note that a bucket's source rows changed and its rollup must be recomputed.

    Writers insert marks in the same transaction as the rows they change (an
    insert never waits on another writer); the refresh deletes the marks it has
    seen and recomputes their buckets. A mark outlives a lost task, a broker
    outage or a crashed worker: beat refreshes whatever is marked.
    """

    Kind = StaleKind
    kind = models.CharField(max_length=16, choices=StaleKind.choices)
    day = models.DateField(null=True, blank=True)
    journey_id = models.BigIntegerField(
        null=True, blank=True, help_text="For journey marks; not a foreign key, the journey may be gone."
    )
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "day"], name="stale_mark_kind_day_idx"),
            models.Index(fields=["kind", "journey_id"], name="stale_mark_journey_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=DAY_KINDS) & Q(day__isnull=False) & Q(journey_id__isnull=True))
                | (Q(kind=StaleKind.JOURNEY) & Q(journey_id__isnull=False)),
                name="stale_mark_key_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day or self.journey_id}"


class RollupBucket(models.Model):
    """One day of one rollup: the row a refresh locks, and when it was last computed."""

    kind = models.CharField(max_length=16, choices=StaleKind.choices)
    day = models.DateField()
    refreshed_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0, help_text="Rollup rows written by the last refresh.")

    class Meta:
        ordering = ["kind", "day"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "day"], name="rollup_bucket_unique"),
            models.CheckConstraint(condition=Q(kind__in=DAY_KINDS), name="rollup_bucket_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day}"


class RatioCounts(models.Model):
    """Expectation-ratio counts: (n, Σ ln r, below, met, above), additive (metrics.md)."""

    ratio_n = models.PositiveIntegerField(default=0)
    ratio_sum_log = models.FloatField(
        default=0.0, help_text="Σ ln r over the ratios, r clamped to [0.1, 10]."
    )
    ratio_below = models.PositiveIntegerField(default=0)
    ratio_met = models.PositiveIntegerField(default=0)
    ratio_above = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class ResponseCounts(RatioCounts):
    """Survey answer counts: responses, NPS (n, P, Pa, D), CSAT, CES and expectation ratios."""

    responses = models.PositiveIntegerField(default=0)
    nps_n = models.PositiveIntegerField(default=0)
    nps_promoters = models.PositiveIntegerField(default=0)
    nps_passives = models.PositiveIntegerField(default=0)
    nps_detractors = models.PositiveIntegerField(default=0)
    csat_n = models.PositiveIntegerField(default=0)
    csat_satisfied = models.PositiveIntegerField(default=0, help_text="Answers of 4 or 5.")
    ces_n = models.PositiveIntegerField(default=0)
    ces_total = models.PositiveIntegerField(default=0, help_text="Sum of the 1–7 answers.")
    ces_easy = models.PositiveIntegerField(default=0, help_text="Answers of 5, 6 or 7.")

    class Meta:
        abstract = True


class ResponseRollup(ResponseCounts):
    """Survey answers of one day × survey × touchpoint × stage × channel × customer segment × value tier.

    The touchpoint, stage and channel are those of the interaction the
    invitation followed, else the survey's own touchpoint, else none
    (a relationship survey); the segment and value tier are the customer's when
    the day was last refreshed.
    """

    day = models.DateField()
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)
    segment = models.CharField(max_length=50, blank=True)
    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["day"], name="response_rollup_day_idx"),
            models.Index(fields=["survey", "day"], name="response_rollup_survey_idx"),
            models.Index(fields=["touchpoint", "day"], name="response_rollup_tp_idx"),
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


class InteractionCounts(RatioCounts):
    """Interaction counts: experience scores, floor breaches and the measure's expectation ratios."""

    interactions = models.PositiveIntegerField(default=0)
    scored_n = models.PositiveIntegerField(default=0)
    score_sum = models.FloatField(default=0.0)
    floor_breaches = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class InteractionRollup(InteractionCounts):
    """Interactions of one day × touchpoint × stage × channel × customer segment × value tier.

    Experience scores (agent-assessed, 0–10), floor breaches (a score strictly
    below the touchpoint's floor) and the touchpoint measure's expectation
    ratios (promised vs delivered value, in the measure's direction; rows of a
    touchpoint without a measure are not counted).
    """

    day = models.DateField()
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=16, choices=Stage.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    segment = models.CharField(max_length=50, blank=True)
    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["day"], name="interaction_rollup_day_idx"),
            models.Index(fields=["touchpoint", "day"], name="interaction_rollup_tp_idx"),
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


class SliceColumns(models.Model):
    """The dimensions survey figures are sliced by (as in ``ResponseRollup``)."""

    day = models.DateField()
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)
    segment = models.CharField(max_length=50, blank=True)
    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, blank=True)

    class Meta:
        abstract = True


class DriverSums(models.Model):
    """Key-driver sums of one experience dimension: (x, y) pair sums and the ratings' sum."""

    dimension = models.CharField(max_length=16)
    pairs = models.PositiveIntegerField(default=0)
    sum_x = models.FloatField(default=0.0)
    sum_y = models.FloatField(default=0.0)
    sum_xx = models.FloatField(default=0.0)
    sum_yy = models.FloatField(default=0.0)
    sum_xy = models.FloatField(default=0.0)
    ratings = models.PositiveIntegerField(default=0)
    ratings_sum = models.FloatField(default=0.0)

    class Meta:
        abstract = True


class DriverRollup(SliceColumns, DriverSums):
    """Key-driver sums of one day × survey slice × experience dimension (additive).

    x is a rating of the dimension normalised to 0–10 by its question's
    scale, y the response's 0–10 likelihood to recommend; the pair sums give
    Pearson's r (``metrics.driver_from_sums``), the rating sums the
    performance. The day is the response's.
    """

    class Meta:
        indexes = [models.Index(fields=["day"], name="driver_rollup_day_idx")]
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


class InvitationCounts(models.Model):
    """Invitations sent, answered, and bounced after sending."""

    sent = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    bounced = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class InvitationRollup(SliceColumns, InvitationCounts):
    """Invitations emailed on one day, per survey slice, and how many were answered (additive).

    The day is the sending day, so the response rate of a period is
    answered / sent over the invitations sent in it.
    """

    class Meta:
        indexes = [models.Index(fields=["day"], name="invitation_rollup_day_idx")]
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


# --- Coarser copies -----------------------------------------------------------------------------
#
# Each fine rollup above has coarser copies holding the same sums over fewer columns: the
# "touchpoint-level twins" (day × survey × touchpoint × stage, no channel, segment or value
# tier), and for key drivers a day × segment copy. Their rows per day are bounded by the
# surveys, touchpoints and segments in use, not by the number of responses and customers, so a
# selector that neither filters nor groups by a column a copy lacks (the dashboards' default
# view) reads a bounded number of rows however much data there is. The copies are written by
# the same refresh, in the same transaction, from the fine rows it has just computed
# (``analytics.services.rollup_twins``); the selectors pick the smallest that answers
# (``analytics.selectors.sources.rollup_model``).


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
