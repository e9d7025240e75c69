"""Invitations: one emailed survey link per customer, with what happened to it."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from surveys.tokens import token_nonce_new
from touchpoints.models import Channel

from .surveys import Survey


class InvitationStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("invitation status", "Queued")
    SENT = "sent", pgettext_lazy("invitation status", "Sent")
    OPENED = "opened", pgettext_lazy("invitation status", "Opened")
    RESPONDED = "responded", pgettext_lazy("invitation status", "Responded")
    EXPIRED = "expired", pgettext_lazy("invitation status", "Expired")
    BOUNCED = "bounced", pgettext_lazy("invitation status", "Bounced")
    SUPPRESSED = "suppressed", pgettext_lazy("invitation status", "Suppressed")


class Invitation(models.Model):
    """A survey invitation to one customer; the emailed token is its only key.

    Only a SHA-256 hash of the token is stored, so a database leak reveals no
    working survey link.
    """

    Status = InvitationStatus
    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("survey")
    )
    customer = models.ForeignKey(
        "touchpoints.Customer",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("customer"),
    )
    interaction = models.ForeignKey(
        "touchpoints.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("interaction"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    token_nonce = models.CharField(
        _("token nonce"),
        max_length=32,
        editable=False,
        default=token_nonce_new,
        help_text=_("Random seed the emailed token is derived from with the secret key; not the token."),
    )
    rule = models.ForeignKey(
        "SurveyRule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("survey rule"),
    )
    # Set when the link to the interaction is cut to anonymise an old response: the rollups slice
    # the invitation and its response by these, as they did by the interaction.
    interaction_touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("touchpoint of the interaction"),
        help_text=_("The touchpoint of the interaction it followed, kept once that link is cut."),
    )
    interaction_channel = models.CharField(
        _("channel of the interaction"),
        max_length=16,
        choices=Channel.choices,
        blank=True,
        help_text=_("The channel of the interaction it followed, kept once that link is cut."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    suppression_reason = models.CharField(_("suppression reason"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    send_after = models.DateTimeField(_("send after"), help_text=_("Not emailed before this time."))
    send_enqueued_at = models.DateTimeField(
        _("send enqueued at"),
        null=True,
        blank=True,
        help_text=_("When a send task was last enqueued; the sweeper enqueues a stale one again."),
    )
    send_started_at = models.DateTimeField(
        _("send started at"),
        null=True,
        blank=True,
        help_text=_(
            "When a worker last began sending it; a queued invitation whose send began but whose "
            "row no worker holds is re-enqueued at once (the worker died)."
        ),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    suppressed_at = models.DateTimeField(_("suppressed at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
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
        return gettext("%(survey)s → %(customer)s (%(status)s)") % {
            "survey": self.survey,
            "customer": self.customer,
            "status": self.get_status_display(),
        }
