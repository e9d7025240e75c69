"""Journey analytics along a map: each journey's path (which steps it reached, how long it took to
the next, how it stands), and the additive rollups of the funnel, the outcomes and the moments of
truth by outcome (definitions: ``analytics.metrics.funnel``).

``JourneyPath`` and ``JourneyPathStep`` are to these rollups what ``JourneyScore`` is to
``JourneyRollup``: what each journey was last counted as, recomputed with its score when its
journey mark is consumed, so the refresh can take a journey's old contribution away and add its new
one (its status changes after it was scored: the timeout sweep abandons it). Rollups are keyed by
the journey's start day × journey map × segment × value tier like the other journey rollups, and
each has a copy per map (segment and value tier summed away) for the dashboard's usual question.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from analytics.metrics import PEAK_END_BIN_COUNT, STEP_TIME_BINS
from journeys.models import JourneyStatus
from touchpoints.models import ValueTier

from .journeys import JourneyScore

STEP_TIME_COLUMNS = tuple(f"to_next_{index:02d}" for index in range(STEP_TIME_BINS))
PEAK_END_COLUMNS = tuple(f"peak_end_{index}" for index in range(PEAK_END_BIN_COUNT))


class JourneyPath(models.Model):
    """One journey as the funnel and outcome rollups count it: its start day, map, the customer's
    segment and value tier, and its status, as of its last refresh."""

    journey = models.OneToOneField(
        "journeys.Journey",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="path",
        verbose_name=_("journey"),
    )
    day = models.DateField(_("day"), help_text=_("The day the journey started, in the platform's time zone."))
    journey_map = models.ForeignKey(
        "journeys.JourneyMap",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("journey map"),
    )
    segment = models.CharField(_("segment"), max_length=50, blank=True)
    value_tier = models.CharField(_("value tier"), max_length=16, choices=ValueTier.choices, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=JourneyStatus.choices)
    # The journey's score, for the rollups that count peak–end by status (no column of its own).
    score = models.ForeignObject(
        JourneyScore,
        on_delete=models.DO_NOTHING,
        from_fields=["journey"],
        to_fields=["journey"],
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("journey path")
        verbose_name_plural = _("journey paths")
        indexes = [models.Index(fields=["day"], name="journey_path_day_idx")]

    def __str__(self) -> str:
        return f"journey {self.journey_id}: {self.status}"


class JourneyPathStep(models.Model):
    """A step of its map a journey reached, and the bin of the time to the map's next step (none
    when it did not reach that, or this is the last step)."""

    # No database constraint: the path's delete takes its steps with it (Django cascades), and
    # the rebuild writes millions of steps without a check per row.
    path = models.ForeignKey(
        JourneyPath,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_column="journey_id",
        db_index=False,
        related_name="steps",
    )
    position = models.PositiveSmallIntegerField()
    next_bin = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("journey path step")
        verbose_name_plural = _("journey path steps")
        constraints = [models.UniqueConstraint(fields=["path", "position"], name="journey_path_step_unique")]

    def __str__(self) -> str:
        return f"journey {self.path_id} step {self.position}"


def _counts(name: str, columns: tuple[str, ...], **fields) -> type[models.Model]:
    """An abstract model with a count column per name (the histogram bins), plus ``fields``."""
    attrs = {column: models.PositiveIntegerField(default=0) for column in columns}
    attrs.update(fields)
    attrs["Meta"] = type("Meta", (), {"abstract": True})
    attrs["__module__"] = __name__
    return type(name, (models.Model,), attrs)


StepSums = _counts(
    "StepSums",
    STEP_TIME_COLUMNS,
    reached=models.PositiveIntegerField(default=0),
    continued=models.PositiveIntegerField(default=0),
    dropped_abandoned=models.PositiveIntegerField(default=0),
    dropped_in_progress=models.PositiveIntegerField(default=0),
)
StatusSums = _counts(
    "StatusSums",
    PEAK_END_COLUMNS,
    journeys=models.PositiveIntegerField(default=0),
    scored=models.PositiveIntegerField(default=0),
    peak_end_sum=models.FloatField(default=0.0),
)


class MomentSums(models.Model):
    peaks = models.PositiveIntegerField(default=0)
    negative_peaks = models.PositiveIntegerField(default=0)
    ends = models.PositiveIntegerField(default=0)
    negative_ends = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


def _map(*, indexed: bool = True) -> models.ForeignKey:
    return models.ForeignKey(
        "journeys.JourneyMap",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=indexed,
    )


def _status() -> models.CharField:
    return models.CharField(max_length=16, choices=JourneyStatus.choices)


def _fine_indexes(prefix: str) -> list[models.Index]:
    return [
        models.Index(fields=["segment", "day"], name=f"{prefix}_segment_idx"),
        models.Index(fields=["value_tier", "day"], name=f"{prefix}_tier_idx"),
    ]


class JourneyStepRollup(StepSums):
    """The funnel of the journeys started on a day × map × segment × value tier, per map position:
    journeys that reached it, went on to the next step (with the histogram of the time it took),
    or did not and were abandoned or are still open."""

    day = models.DateField()
    journey_map = _map()
    segment = models.CharField(max_length=50, blank=True)
    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("journey funnel rollup")
        verbose_name_plural = _("journey funnel rollups")
        indexes = _fine_indexes("jstep_rollup")
        constraints = [
            models.UniqueConstraint(
                "day",
                Coalesce("journey_map", 0),
                "segment",
                "value_tier",
                "position",
                name="journey_step_rollup_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} map {self.journey_map_id} step {self.position}: {self.reached}"


class JourneyStepMapRollup(StepSums):
    """``JourneyStepRollup`` summed over segment and value tier: day × journey map × position."""

    day = models.DateField()
    journey_map = _map(indexed=False)
    position = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("journey funnel rollup by map")
        verbose_name_plural = _("journey funnel rollups by map")
        indexes = [models.Index(fields=["journey_map", "day"], name="journey_step_map_rollup_idx")]
        constraints = [
            models.UniqueConstraint(
                "day", Coalesce("journey_map", 0), "position", name="journey_step_map_rollup_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} map {self.journey_map_id} step {self.position}: {self.reached}"


class JourneyStatusRollup(StatusSums):
    """The journeys started on a day × map × segment × value tier by their status now, with the
    peak–end scores of the scored ones (their sum, and how many in each bin k ≤ score < k + 1)."""

    day = models.DateField()
    journey_map = _map()
    segment = models.CharField(max_length=50, blank=True)
    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, blank=True)
    status = _status()

    class Meta:
        verbose_name = _("journey outcome rollup")
        verbose_name_plural = _("journey outcome rollups")
        indexes = _fine_indexes("jstatus_rollup")
        constraints = [
            models.UniqueConstraint(
                "day",
                Coalesce("journey_map", 0),
                "segment",
                "value_tier",
                "status",
                name="journey_status_rollup_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=JourneyStatus.values), name="journey_status_rollup_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} map {self.journey_map_id} {self.status}: {self.journeys}"


class JourneyStatusMapRollup(StatusSums):
    """``JourneyStatusRollup`` summed over segment and value tier: day × journey map × status."""

    day = models.DateField()
    journey_map = _map(indexed=False)
    status = _status()

    class Meta:
        verbose_name = _("journey outcome rollup by map")
        verbose_name_plural = _("journey outcome rollups by map")
        indexes = [models.Index(fields=["journey_map", "day"], name="journey_status_map_rollup_idx")]
        constraints = [
            models.UniqueConstraint(
                "day", Coalesce("journey_map", 0), "status", name="journey_status_map_rollup_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} map {self.journey_map_id} {self.status}: {self.journeys}"


class MomentStatusRollup(MomentSums):
    """``MomentOfTruthRollup`` by the journeys' status now: how often a touchpoint was the peak or
    the end of the journeys of a status started on a day (negative: below 5)."""

    day = models.DateField()
    journey_map = _map()
    segment = models.CharField(max_length=50, blank=True)
    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, blank=True)
    status = _status()
    touchpoint = models.ForeignKey("touchpoints.Touchpoint", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("moment-of-truth rollup by outcome")
        verbose_name_plural = _("moment-of-truth rollups by outcome")
        indexes = _fine_indexes("mstatus_rollup")
        constraints = [
            models.UniqueConstraint(
                "day",
                Coalesce("journey_map", 0),
                "segment",
                "value_tier",
                "status",
                "touchpoint",
                name="moment_status_rollup_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.status} touchpoint {self.touchpoint_id}: {self.ends} ends"


class MomentStatusMapRollup(MomentSums):
    """``MomentStatusRollup`` summed over segment and value tier: day × map × status × touchpoint."""

    day = models.DateField()
    journey_map = _map(indexed=False)
    status = _status()
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("moment-of-truth rollup by map and outcome")
        verbose_name_plural = _("moment-of-truth rollups by map and outcome")
        indexes = [
            models.Index(fields=["journey_map", "status", "day"], name="moment_status_map_rollup_idx"),
            models.Index(fields=["touchpoint", "day"], name="moment_status_map_tp_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                "day",
                Coalesce("journey_map", 0),
                "status",
                "touchpoint",
                name="moment_status_map_rollup_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.status} touchpoint {self.touchpoint_id}: {self.ends} ends"
