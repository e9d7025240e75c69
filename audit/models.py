"""AuditEvent: one row per security-relevant act, written once and never changed.

Append-only twice over: in Python the model and its querysets refuse to update or
delete (``AuditLogAppendOnly``), and on PostgreSQL a trigger
(migration ``0002_append_only_trigger``) refuses UPDATE and DELETE from any client.
The one change allowed is the database's own ``on_delete=SET_NULL`` of ``actor`` when
that user is deleted; ``actor_label`` keeps the name.
"""

from django.conf import settings
from django.db import models


class AuditLogAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    EXPORT = "export", "Exported data"
    ROLE_CHANGE = "role_change", "Role changed"
    API_KEY_CREATED = "api_key_created", "API key created"
    API_KEY_REVOKED = "api_key_revoked", "API key revoked"
    ERASURE = "erasure", "Customer data erased"
    CUSTOMER_EXPORT = "customer_export", "Customer data exported"
    RETENTION = "retention", "Retention run"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogAppendOnly("Audit events cannot be changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogAppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AuditLogAppendOnly("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(
        max_length=150, blank=True, help_text="The actor's username when it happened; kept if the user goes."
    )
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    target = models.CharField(max_length=200, blank=True, help_text="What was acted on, in a few words.")
    details = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "-at"], name="audit_event_action_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values), name="audit_event_action_valid"
            )
        ]

    def __str__(self) -> str:
        who = self.actor_label or "system"
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.get_action_display()} {self.target}".rstrip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogAppendOnly("Audit events cannot be deleted.")
