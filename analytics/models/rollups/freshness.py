"""The bookkeeping that keeps the rollups fresh: marks of stale buckets, and each day's refresh state."""

from django.db import models
from django.db.models import Q


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
