"""API keys (stored hashed, scoped, revocable) and the answers kept for Idempotency-Key replays."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A key a system presents as ``Authorization: Bearer <key>``.

    The key is ``cem_<prefix>_<secret>``; only its public ``prefix`` (to find
    the row) and the SHA-256 of the whole key are stored, so the key is shown
    once, when it is created, and never again.
    """

    name = models.CharField(
        _("name"), max_length=100, help_text=_("Who uses the key, e.g. 'CRM production'.")
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, help_text=_("The scope names the key grants."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(
        _("last used at"),
        null=True,
        blank=True,
        help_text=_("Updated at most once a minute, not on every request."),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        if self.revoked_at is None:
            return self.label
        return gettext("%(key)s (revoked)") % {"key": self.label}

    @property
    def label(self) -> str:
        """The key's name and public prefix, the same in every language (as the audit log keeps it)."""
        return f"{self.name} · cem_{self.prefix}_…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class IdempotencyState(models.TextChoices):
    IN_PROGRESS = "in_progress", pgettext_lazy("idempotency state", "In progress")
    DONE = "done", pgettext_lazy("idempotency state", "Done")


class IdempotencyRecord(models.Model):
    """The first answer to a POST sent with an ``Idempotency-Key``, replayed for the same key.

    Kept ``API_IDEMPOTENCY_TTL_HOURS`` (24 h) per API key; expired rows are
    deleted when their key sends its next idempotent request, and by
    ``manage.py purge_idempotency_keys``.
    """

    State = IdempotencyState
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.CASCADE, related_name="idempotency_records", verbose_name=_("API key")
    )
    key = models.CharField(_("Idempotency-Key"), max_length=255)
    request_hash = models.CharField(
        _("request hash"), max_length=64, help_text=_("SHA-256 of method, path and JSON body.")
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    body = models.JSONField(_("body"), null=True, blank=True)
    created_at = models.DateTimeField(
        _("created at"), help_text=_("When the request began; the 24 h start from here.")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        indexes = [models.Index(fields=["api_key", "created_at"], name="idempotency_key_age_idx")]
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_key_unique_per_api_key"),
            models.CheckConstraint(
                condition=Q(state__in=IdempotencyState.values), name="idempotency_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state=IdempotencyState.IN_PROGRESS) | Q(status_code__isnull=False),
                name="idempotency_done_has_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.api_key_id} · {self.key} ({self.state})"
