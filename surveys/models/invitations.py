"""Invitations: one emailed survey link per customer, with what happened to it."""

from django.db import models
from django.db.models import F, Q

from surveys.tokens import token_nonce_new
from touchpoints.models import Channel

from .surveys import Survey


class InvitationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    OPENED = "opened", "Opened"
    RESPONDED = "responded", "Responded"
    EXPIRED = "expired", "Expired"
    BOUNCED = "bounced", "Bounced"
    SUPPRESSED = "suppressed", "Suppressed"


class Invitation(models.Model):
    """A survey invitation to one customer; the emailed token is its only key.

    Only a SHA-256 hash of the token is stored, so a database leak reveals no
    working survey link.
    """

    Status = InvitationStatus
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    customer = models.ForeignKey("touchpoints.Customer", on_delete=models.CASCADE, related_name="invitations")
    interaction = models.ForeignKey(
        "touchpoints.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_nonce = models.CharField(
        max_length=32,
        editable=False,
        default=token_nonce_new,
        help_text="Random seed the emailed token is derived from with the secret key; not the token.",
    )
    rule = models.ForeignKey(
        "SurveyRule", on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    # Set when the link to the interaction is cut to anonymise an old response: the rollups slice
    # the invitation and its response by these, as they did by the interaction.
    interaction_touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The touchpoint of the interaction it followed, kept once that link is cut.",
    )
    interaction_channel = models.CharField(
        max_length=16,
        choices=Channel.choices,
        blank=True,
        help_text="The channel of the interaction it followed, kept once that link is cut.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    suppression_reason = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    send_after = models.DateTimeField(help_text="Not emailed before this time.")
    send_enqueued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a send task was last enqueued; the sweeper enqueues a stale one again.",
    )
    send_started_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a worker last began sending it; a queued invitation whose send began but whose "
        "row no worker holds is re-enqueued at once (the worker died).",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    suppressed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "send_after"], name="invitation_status_send_idx"),
            models.Index(fields=["customer", "created_at"], name="invitation_customer_idx"),
            models.Index(fields=["survey", "status"], name="invitation_survey_idx"),
            models.Index(fields=["status", "sent_at"], name="invitation_status_sent_idx"),
            # The invitation rollup reads a day's sent invitations whatever their status.
            models.Index(fields=["sent_at"], name="invitation_sent_idx"),
            # The sweeper looks for sends that began and never finished (a few rows at most).
            models.Index(
                fields=["send_started_at"],
                name="invitation_send_started_idx",
                condition=Q(status="queued", send_started_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values),
                name="invitation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="invitation_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=Q(interaction_channel="") | Q(interaction_channel__in=Channel.values),
                name="invitation_interaction_channel_valid",
            ),
            # A rule invites once per interaction, however often it is evaluated.
            models.UniqueConstraint(
                fields=["rule", "interaction"],
                condition=Q(rule__isnull=False, interaction__isnull=False),
                name="invitation_once_per_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.customer} ({self.status})"
