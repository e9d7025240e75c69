"""Export jobs: a raw export too large to stream at once, written to a file by a worker."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExportKind(models.TextChoices):
    RESPONSES_WIDE = "responses_wide", _("Responses, one row per response")
    RESPONSES_LONG = "responses_long", _("Responses, one row per answer")
    INTERACTIONS = "interactions", _("Interactions")
    CUSTOMERS = "customers", _("Customers")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", _("Excel (XLSX)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("export status", "Queued")
    RUNNING = "running", pgettext_lazy("export status", "Running")
    DONE = "done", pgettext_lazy("export status", "Done")
    FAILED = "failed", pgettext_lazy("export status", "Failed")
    EXPIRED = "expired", pgettext_lazy("export status", "Expired")


class ExportJob(models.Model):
    """One export: what was asked (kind, format, filters), by whom, and how far the worker got.

    ``rows_total`` is the estimate the progress bar divides by (exact for responses and
    interactions, from the rollups; the planner's estimate for answers); ``rows_done`` the rows
    written so far, exact once done. The file lives under ``EXPORTS_ROOT`` until ``expires_at``.
    """

    Kind = ExportKind
    Format = ExportFormat
    Status = ExportStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=ExportKind.choices)
    file_format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    api_key = models.ForeignKey(
        "api.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API key"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_total = models.BigIntegerField(_("rows expected"), null=True, blank=True)
    rows_done = models.BigIntegerField(_("rows written"), default=0)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_size = models.BigIntegerField(_("file size (bytes)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    progress_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["status", "created_at"], name="export_status_idx"),
            models.Index(fields=["requested_by", "created_at"], name="export_requester_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ExportKind.values), name="export_kind_valid"),
            models.CheckConstraint(
                condition=Q(file_format__in=ExportFormat.values), name="export_format_valid"
            ),
            models.CheckConstraint(condition=Q(status__in=ExportStatus.values), name="export_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_file_format_display()} · {self.get_status_display()}"

    @property
    def progress(self) -> float | None:
        """The share written, 0–1 (1 once done); None while nothing is known."""
        if self.status == ExportStatus.DONE:
            return 1.0
        if not self.rows_total:
            return None
        return min(self.rows_done / self.rows_total, 0.99)

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.EXPIRED)
