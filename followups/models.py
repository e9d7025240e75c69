"""Follow-up cases: closing the loop with a detractor or after a floor breach."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class FollowUpReason(models.TextChoices):
    DETRACTOR = "detractor", "Detractor response"
    FLOOR_BREACH = "floor_breach", "Floor breach"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    CONTACTED = "contacted", "Contacted"
    RESOLVED = "resolved", "Resolved"


class FollowUp(models.Model):
    """One case per detractor response or per floor-breaching interaction, never two.

    Unassigned cases (``assignee`` empty) sit in the team queue.
    """

    Reason = FollowUpReason
    Status = FollowUpStatus
    reason = models.CharField(max_length=16, choices=FollowUpReason.choices)
    customer = models.ForeignKey("touchpoints.Customer", on_delete=models.CASCADE, related_name="follow_ups")
    response = models.OneToOneField(
        "surveys.Response", on_delete=models.CASCADE, null=True, blank=True, related_name="follow_up"
    )
    interaction = models.OneToOneField(
        "touchpoints.Interaction", on_delete=models.CASCADE, null=True, blank=True, related_name="follow_up"
    )
    score = models.FloatField(
        help_text="The score that opened the case (NPS 0–6, or the breaching experience)."
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    status = models.CharField(max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "analytics_followup"  # kept from the app it was born in: no table rename
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="follow_up_status_due_idx"),
            models.Index(fields=["assignee", "status"], name="follow_up_assignee_idx"),
            models.Index(fields=["customer", "opened_at"], name="follow_up_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(reason=FollowUpReason.DETRACTOR) & Q(response__isnull=False))
                | (Q(reason=FollowUpReason.FLOOR_BREACH) & Q(interaction__isnull=False)),
                name="follow_up_source_matches_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=FollowUpStatus.values), name="follow_up_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(due_at__gte=models.F("opened_at")), name="follow_up_due_after_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} · {self.customer_id} · {self.status}"
