"""Raw exports for CX managers: pick what and as what, with the dashboards' filters.

A small export (at most ``EXPORT_SYNC_MAX_ROWS`` rows) downloads at once, CSV streamed from
``COPY``; a larger one becomes a job on the ``exports`` queue, whose page shows a progress bar
(polled with script, refreshed without) and then the download link. Every export and download
is audited.
"""

import tempfile

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from access.roles import MANAGER, role_required
from analytics.forms import DashboardFilterForm
from analytics.selectors import MetricFilters
from analytics.selectors.dashboards import filter_options
from audit.models import AuditAction
from audit.services import audit_record

from .forms import ExportForm
from .models import ExportFormat, ExportJob, ExportKind
from .selectors.jobs import jobs_of_user
from .selectors.queries import ExportUnavailable
from .services.jobs import (
    SHEET_TITLES,
    ExportSpec,
    echo_of,
    export_job_create,
    export_rows_expected,
    job_file,
)
from .services.reads import export_alias, export_reads
from .services.writers import csv_stream, xlsx_write

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filter_form(data) -> DashboardFilterForm:
    return DashboardFilterForm(data, options=filter_options(), today=timezone.localdate())


def _audit(request: HttpRequest, spec: ExportSpec, *, job: ExportJob | None = None) -> None:
    audit_record(
        action=AuditAction.EXPORT,
        request=request,
        target=spec.file_name(),
        details={
            "kind": spec.kind,
            "format": spec.file_format,
            "filters": spec.echo,
            "job": str(job.id) if job else None,
        },
    )


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_now(spec: ExportSpec) -> HttpResponse:
    """The whole file in this response: CSV streamed as ``COPY`` sends it, XLSX from a temporary file."""
    with export_reads():
        alias = export_alias()
        query = spec.query()
        if spec.file_format == ExportFormat.CSV:
            response = StreamingHttpResponse(
                csv_stream(query, using=alias), content_type="text/csv; charset=utf-8"
            )
            return _attachment(response, spec.file_name())
        file = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
        xlsx_write(query, file, title=SHEET_TITLES[spec.kind], using=alias, progress=lambda rows: None)
    file.seek(0)
    return _attachment(FileResponse(file, content_type=XLSX_TYPE), spec.file_name())


def export_start(request: HttpRequest, spec: ExportSpec) -> HttpResponse:
    """Download now when small, else record a job and show its page."""
    with export_reads():
        rows = export_rows_expected(spec)
    if rows <= settings.EXPORT_SYNC_MAX_ROWS:
        _audit(request, spec)
        return export_now(spec)
    job = export_job_create(spec=spec, rows_total=rows, user=request.user)
    _audit(request, spec, job=job)
    return redirect("export-job", job_id=job.pk)


@role_required(MANAGER)
@require_http_methods(["GET", "POST"])
def export_page(request: HttpRequest) -> HttpResponse:
    """GET: the form, its filters taken from the dashboard the manager came from. POST: export."""
    data = request.POST if request.method == "POST" else request.GET
    filters_form = _filter_form(data)
    form = ExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and filters_form.is_valid():
        filters = filters_form.metric_filters()
        spec = ExportSpec(
            form.cleaned_data["kind"], form.cleaned_data["file_format"], filters, echo_of(filters)
        )
        try:
            spec.query()
        except ExportUnavailable as error:
            form.add_error("kind", str(error))
        else:
            return export_start(request, spec)
    if filters_form.is_valid():
        filters_form.show_resolved()
    context = {
        "form": form,
        "filters_form": filters_form,
        "jobs": jobs_of_user(request.user),
        "sync_limit": settings.EXPORT_SYNC_MAX_ROWS,
    }
    return render(request, "exports/export_page.html", context, status=400 if form.errors else 200)


def _whole_table(request: HttpRequest, kind: str) -> HttpResponse:
    spec = ExportSpec(kind, ExportFormat.CSV, MetricFilters(), {})
    return export_start(request, spec)


@role_required(MANAGER)
@require_GET
def customers_export(request: HttpRequest) -> HttpResponse:
    """Every customer in the import's columns."""
    return _whole_table(request, ExportKind.CUSTOMERS)


@role_required(MANAGER)
@require_GET
def interactions_export(request: HttpRequest) -> HttpResponse:
    """Every interaction in the import's columns."""
    return _whole_table(request, ExportKind.INTERACTIONS)


def _own_job(request: HttpRequest, pk) -> ExportJob:
    job = ExportJob.objects.filter(pk=pk, requested_by=request.user).first()
    if job is None:
        raise Http404(_("No such export."))
    return job


def rows_text(job: ExportJob) -> str:
    """The rows written so far, in words: "1,200 of about 5,000 rows" (numbers in the reader's format)."""
    done = number_format(job.rows_done, force_grouping=True)
    if job.rows_total is None:
        return ngettext("%(done)s row", "%(done)s rows", job.rows_done) % {"done": done}
    total = number_format(job.rows_total, force_grouping=True)
    return ngettext("%(done)s of about %(total)s row", "%(done)s of about %(total)s rows", job.rows_total) % {
        "done": done,
        "total": total,
    }


def job_status(job: ExportJob) -> dict:
    """What the job page's script polls (and the page itself shows), in the reader's language."""
    return {
        "id": str(job.id),
        "status": job.status,
        "status_label": job.get_status_display(),
        "rows_total": job.rows_total,
        "rows_done": job.rows_done,
        "rows_text": rows_text(job),
        "progress": job.progress,
        "download_url": reverse("export-download", kwargs={"job_id": job.pk}) if job_file(job) else None,
        # A job's error is stored in English; the ones written for people have a translation.
        "error": _(job.error) if job.status == ExportJob.Status.FAILED and job.error else "",
    }


@role_required(MANAGER)
@require_GET
def export_job(request: HttpRequest, job_id) -> HttpResponse:
    job = _own_job(request, job_id)
    return render(request, "exports/job.html", {"job": job, "state": job_status(job)})


@role_required(MANAGER)
@require_GET
def export_job_state(request: HttpRequest, job_id) -> JsonResponse:
    response = JsonResponse(job_status(_own_job(request, job_id)))
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(MANAGER)
@require_GET
def export_download(request: HttpRequest, job_id) -> HttpResponse:
    job = _own_job(request, job_id)
    path = job_file(job)
    if path is None:
        raise Http404(_("This export has no file (yet, or any more)."))
    audit_record(action=AuditAction.EXPORT, request=request, target=path.name, details={"job": str(job.id)})
    content_type = XLSX_TYPE if job.file_format == ExportFormat.XLSX else "text/csv; charset=utf-8"
    name = ExportSpec(job.kind, job.file_format, MetricFilters(), {}).file_name()
    return _attachment(FileResponse(path.open("rb"), content_type=content_type), name)
