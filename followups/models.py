"""Follow-up cases: closing the loop with a detractor or after a floor breach."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FollowUpReason(models.TextChoices):
    DETRACTOR = "detractor", _("Detractor response")
    FLOOR_BREACH = "floor_breach", _("Floor breach")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("case status", "In progress")
    CONTACTED = "contacted", pgettext_lazy("case status", "Contacted")
    RESOLVED = "resolved", pgettext_lazy("case status", "Resolved")


class FollowUp(models.Model):
    """One case per detractor response or per floor-breaching interaction, never two.

    Unassigned cases (``assignee`` empty) sit in the team queue.
    """

    Reason = FollowUpReason
    Status = FollowUpStatus
    reason = models.CharField(_("reason"), max_length=16, choices=FollowUpReason.choices)
    customer = models.ForeignKey(
        "touchpoints.Customer",
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("customer"),
    )
    response = models.OneToOneField(
        "surveys.Response",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_up",
        verbose_name=_("response"),
    )
    interaction = models.OneToOneField(
        "touchpoints.Interaction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_up",
        verbose_name=_("interaction"),
    )
    score = models.FloatField(
        _("score"), help_text=_("The score that opened the case (NPS 0–6, or the breaching experience).")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("assignee"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    opened_at = models.DateTimeField(pgettext_lazy("follow-up case", "opened at"))
    due_at = models.DateTimeField(_("due at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        db_table = "analytics_followup"  # kept from the app it was born in: no table rename
        ordering = ["due_at", "id"]
        verbose_name = _("follow-up case")
        verbose_name_plural = _("follow-up cases")
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
        return f"{self.get_reason_display()} · {self.customer_id} · {self.get_status_display()}"
