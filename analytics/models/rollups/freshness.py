"""The bookkeeping that keeps the rollups fresh: marks of stale buckets, and each day's refresh state."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StaleKind(models.TextChoices):
    RESPONSE_DAY = "response_day", _("Survey responses of a day")
    INTERACTION_DAY = "interaction_day", _("Interactions of a day")
    JOURNEY = "journey", _("One journey's peak-end score")
    JOURNEY_DAY = "journey_day", _("Journey scores of journeys started on a day")
    INVITATION_DAY = "invitation_day", _("Invitations sent on a day")
    RESPONSE_ROW = "response_row", _("A new survey response")
    INTERACTION_ROW = "interaction_row", _("A new interaction")
    INVITATION_SENT = "invite_sent", _("An invitation just sent")
    INVITATION_ANSWERED = "invite_answered", _("A sent invitation just answered")


DAY_KINDS = (
    StaleKind.RESPONSE_DAY,
    StaleKind.INTERACTION_DAY,
    StaleKind.JOURNEY_DAY,
    StaleKind.INVITATION_DAY,
)
# Marks of one new row, added to its day's rollup rows as it is (see ``StaleMark``), by the day
# kind whose rollups they change.
ROW_KINDS = {
    StaleKind.RESPONSE_DAY: (StaleKind.RESPONSE_ROW,),
    StaleKind.INTERACTION_DAY: (StaleKind.INTERACTION_ROW,),
    StaleKind.JOURNEY_DAY: (),
    StaleKind.INVITATION_DAY: (StaleKind.INVITATION_SENT, StaleKind.INVITATION_ANSWERED),
}


class StaleMark(models.Model):
    """A note that a bucket's source rows changed and its rollup must be recomputed.

    Writers insert marks in the same transaction as the rows they change (an
    insert never waits on another writer); the refresh deletes the marks it has
    seen and recomputes their buckets. A mark outlives a lost task, a broker
    outage or a crashed worker: beat refreshes whatever is marked.

    A day mark (``DAY_KINDS``) says "recompute this day from its source rows"; a row mark
    (``ROW_KINDS``) says "this row is new: add what it counts to its day's rollup rows". The
    row marks make the common write — a new response, interaction or sent invitation — cost
    the refresh an indexed lookup of the new rows, not a recompute of their whole day; a day
    with a day mark is recomputed and its row marks are consumed with it.
    """

    Kind = StaleKind
    kind = models.CharField(_("kind"), max_length=16, choices=StaleKind.choices)
    day = models.DateField(_("day"), null=True, blank=True)
    journey_id = models.BigIntegerField(
        _("journey ID"),
        null=True,
        blank=True,
        help_text=_("For journey marks; not a foreign key, the journey may be gone."),
    )
    row_id = models.BigIntegerField(
        _("row ID"),
        null=True,
        blank=True,
        help_text=_("For row marks: the new response, interaction or invitation (not a foreign key)."),
    )
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stale mark")
        verbose_name_plural = _("stale marks")
        indexes = [
            models.Index(fields=["kind", "day"], name="stale_mark_kind_day_idx"),
            models.Index(fields=["kind", "journey_id"], name="stale_mark_journey_idx"),
            models.Index(fields=["day"], name="stale_mark_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=DAY_KINDS)
                    & Q(day__isnull=False)
                    & Q(journey_id__isnull=True)
                    & Q(row_id__isnull=True)
                )
                | (Q(kind=StaleKind.JOURNEY) & Q(journey_id__isnull=False) & Q(row_id__isnull=True))
                | (
                    Q(kind__in=[kind for kinds in ROW_KINDS.values() for kind in kinds])
                    & Q(day__isnull=False)
                    & Q(row_id__isnull=False)
                    & Q(journey_id__isnull=True)
                ),
                name="stale_mark_key_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day or self.journey_id} {self.row_id or ''}".rstrip()


class RollupBucket(models.Model):
    """One day of one rollup: the row a refresh locks, and when it was last computed."""

    kind = models.CharField(_("kind"), max_length=16, choices=StaleKind.choices)
    day = models.DateField(_("day"))
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)
    rows = models.PositiveIntegerField(
        _("rows"), default=0, help_text=_("Rollup rows written by the last refresh.")
    )

    class Meta:
        verbose_name = _("rollup bucket")
        verbose_name_plural = _("rollup buckets")
        ordering = ["kind", "day"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "day"], name="rollup_bucket_unique"),
            models.CheckConstraint(condition=Q(kind__in=DAY_KINDS), name="rollup_bucket_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day}"
