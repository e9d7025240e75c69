"""AuditEvent: one row per security-relevant act, written once and never changed.

Append-only twice over: in Python the model and its querysets refuse to update or
delete (``AuditLogAppendOnly``), and on PostgreSQL a trigger
(migration ``0002_append_only_trigger``) refuses UPDATE and DELETE from any client.
The one change allowed is the database's own ``on_delete=SET_NULL`` of ``actor`` when
that user is deleted; ``actor_label`` keeps the name.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AuditLogAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_OUT = "sign_out", _("Signed out")
    EXPORT = "export", _("Exported data")
    ROLE_CHANGE = "role_change", _("Role changed")
    API_KEY_CREATED = "api_key_created", _("API key created")
    API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
    ERASURE = "erasure", _("Customer data erased")
    CUSTOMER_EXPORT = "customer_export", _("Customer data exported")
    RETENTION = "retention", _("Retention run")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogAppendOnly("Audit events cannot be changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogAppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AuditLogAppendOnly("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(
        _("actor's name"),
        max_length=150,
        blank=True,
        help_text=_("The actor's username when it happened; kept if the user goes."),
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    target = models.CharField(
        _("target"), max_length=200, blank=True, help_text=_("What was acted on, in a few words.")
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["action", "-at"], name="audit_event_action_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values), name="audit_event_action_valid"
            )
        ]

    def __str__(self) -> str:
        who = self.actor_label or gettext("system")
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.get_action_display()} {self.target}".rstrip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogAppendOnly("Audit events cannot be deleted.")
