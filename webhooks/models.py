"""Outbound webhooks: the endpoints CRMs subscribe, and the outbox of messages delivered to them."""

import json
import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WebhookEventType(models.TextChoices):
    RESPONSE_CREATED = "response.created", _("A survey response was submitted")
    RESPONSE_DETRACTOR = "response.detractor", _("A response scored NPS 0–6")
    FOLLOWUP_CREATED = "followup.created", _("A follow-up case was opened")
    FOLLOWUP_RESOLVED = "followup.resolved", _("A follow-up case was resolved")
    INVITATION_BOUNCED = "invitation.bounced", _("A survey invitation bounced")
    INVITATION_SUPPRESSED = "invitation.suppressed", _("A survey invitation was suppressed (never emailed)")
    JOURNEY_COMPLETED = "journey.completed", _("A customer's journey was completed")
    JOURNEY_ABANDONED = "journey.abandoned", _("A customer's journey was abandoned")


class WebhookMessageStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook message status", "Pending")
    DELIVERED = "delivered", pgettext_lazy("webhook message status", "Delivered")
    FAILED = "failed", pgettext_lazy("webhook message status", "Failed")


def webhook_message_id_new() -> str:
    """The public ``webhook-id`` of a message: ``msg_`` and 24 URL-safe random characters (no dot,
    the separator of the signed content)."""
    return f"msg_{secrets.token_urlsafe(18)}"


class WebhookEndpoint(models.Model):
    """A URL that receives the events it subscribes to, signed with its own secret.

    The secret is stored because every delivery is signed with it; it is handed
    out once, to whoever created the endpoint, and never shown again. An
    endpoint that keeps failing is disabled (``active`` off, with the time and
    reason); publishing skips inactive endpoints.
    """

    url = models.URLField(_("URL"), max_length=2000)
    events = models.JSONField(
        _("events"), default=list, help_text=_('Event types, e.g. ["response.created"].')
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(
        _("secret"), max_length=100, editable=False, help_text=_("whsec_<base64 of 32 random bytes>")
    )
    active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("disabled reason"), max_length=500, blank=True)
    consecutive_failures = models.PositiveIntegerField(
        _("consecutive failures"),
        default=0,
        help_text=_("Failed delivery attempts since the last successful one."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "analytics_webhookendpoint"  # kept from the app it was born in: no table rename
        ordering = ["id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        indexes = [models.Index(fields=["active"], name="webhook_endpoint_active_idx")]

    def __str__(self) -> str:
        return f"{self.url} ({', '.join(self.events)})"


class WebhookMessage(models.Model):
    """One event for one endpoint: the outbox row a worker delivers, retried until delivered or given up.

    ``body`` is the exact JSON text that is signed and sent, serialized once
    when the event is published, so every attempt sends the same bytes under
    the same ``public_id`` (the ``webhook-id`` header); only the
    ``webhook-timestamp`` and the signature change per attempt.
    """

    Status = WebhookMessageStatus
    public_id = models.CharField(
        _("message ID"), max_length=40, unique=True, default=webhook_message_id_new, editable=False
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="messages", verbose_name=_("endpoint")
    )
    event_type = models.CharField(_("event type"), max_length=40, choices=WebhookEventType.choices)
    body = models.TextField(_("body"), help_text=_('The signed JSON body: {"type", "timestamp", "data"}.'))
    created_at = models.DateTimeField(_("created at"))
    status = models.CharField(
        _("status"), max_length=10, choices=WebhookMessageStatus.choices, default=WebhookMessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), null=True, blank=True, help_text=_("Pending only: when it is due.")
    )
    enqueued_at = models.DateTimeField(
        _("enqueued at"),
        null=True,
        blank=True,
        help_text=_("When a delivery task was last enqueued (the sweeper's lease)."),
    )
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        db_table = "analytics_webhookmessage"  # kept from the app it was born in: no table rename
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook message")
        verbose_name_plural = _("webhook messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_message_due_idx"),
            models.Index(fields=["endpoint", "status", "delivered_at"], name="webhook_message_endpoint_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WebhookMessageStatus.values), name="webhook_message_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=WebhookMessageStatus.PENDING) | Q(next_attempt_at__isnull=False),
                name="webhook_message_pending_has_due_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.event_type} → {self.endpoint_id} ({self.status})"

    @property
    def payload(self) -> dict:
        """The event's ``data`` object, decoded from the body."""
        return json.loads(self.body)["data"]
