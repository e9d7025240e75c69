"""Export jobs: created by a person or an API key, run once by an ``exports`` worker, kept for a day.

Protocol
--------
``export_job_create`` checks the export can be made, counts its rows and records the job; the
task is enqueued when that commits. ``export_job_run`` claims the job with one conditional
UPDATE (queued, or running but silent for ``STALE_AFTER`` — its worker died), so two deliveries
never write at once; it writes ``<id>.<format>.part`` under ``EXPORTS_ROOT``, records progress at
most once a second, and renames the file into place when complete. A failure is recorded with
its reason; a job that failed ``MAX_ATTEMPTS`` times stays failed. ``exports_sweep`` (beat)
enqueues queued jobs whose task was lost and jobs whose worker died, and expires old files.
"""

import logging
import os
import resource
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from analytics.selectors import MetricFilters
from infra.copy import ExportQuery
from infra.tasks import enqueue_on_commit

from ..models import ExportFormat, ExportJob, ExportKind, ExportStatus
from ..selectors import queries
from ..selectors.estimates import rows_expected
from .writers import csv_write, xlsx_write

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
STALE_AFTER = timedelta(minutes=10)
LOST_AFTER = timedelta(minutes=2)
PROGRESS_EVERY = 1.0  # seconds between progress writes
# Stored in English like every error of a job, and translated where it is shown (``gettext``).
STOPPED_ERROR = gettext_noop("The export stopped three times without finishing.")

BUILDERS = {
    ExportKind.RESPONSES_WIDE: queries.responses_wide,
    ExportKind.RESPONSES_LONG: queries.responses_long,
    ExportKind.INTERACTIONS: queries.interactions,
    ExportKind.CUSTOMERS: queries.customers,
}
SHEET_TITLES = {
    ExportKind.RESPONSES_WIDE: "responses",
    ExportKind.RESPONSES_LONG: "answers",
    ExportKind.INTERACTIONS: "interactions",
    ExportKind.CUSTOMERS: "customers",
}


@dataclass(frozen=True)
class ExportSpec:
    """What to export: ``kind``, ``file_format``, the filters, and ``echo`` — the filters as the
    caller gave them (a dashboard's query items, an API call's fields), kept on the job."""

    kind: str
    file_format: str
    filters: MetricFilters
    echo: dict

    def query(self) -> ExportQuery:
        """The export's SQL; ``queries.ExportUnavailable`` when it cannot be made as asked."""
        return BUILDERS[self.kind](self.filters)

    def file_name(self) -> str:
        stamp = timezone.localdate().isoformat()
        return f"{self.kind.replace('_', '-')}-{stamp}.{self.file_format}"


def exports_root() -> Path:
    root = Path(settings.EXPORTS_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def spec_of(job: ExportJob) -> ExportSpec:
    return ExportSpec(job.kind, job.file_format, filters_from_echo(job.filters), job.filters)


def filters_from_echo(echo: dict) -> MetricFilters:
    """The filters a job recorded (ids and ISO dates), back as ``MetricFilters``."""
    values = {name: echo.get(name) for name in MetricFilters.__dataclass_fields__}
    for name in ("start", "end"):
        if values[name]:
            values[name] = date.fromisoformat(values[name])
    return MetricFilters(**values)


def echo_of(filters: MetricFilters) -> dict:
    """``filters`` as JSON values (the job's record of them)."""
    echo = {}
    for name in MetricFilters.__dataclass_fields__:
        value = getattr(filters, name)
        if value is not None:
            echo[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return echo


def export_job_create(*, spec: ExportSpec, rows_total: int, user=None, api_key=None) -> ExportJob:
    """Record the job and enqueue its run when the caller's transaction commits."""
    job = ExportJob.objects.create(
        kind=spec.kind,
        file_format=spec.file_format,
        filters=spec.echo,
        requested_by=user,
        api_key=api_key,
        rows_total=rows_total,
    )
    enqueue_on_commit("exports.tasks.export_run", str(job.id))
    return job


def export_rows_expected(spec: ExportSpec) -> int:
    return rows_expected(spec.kind, spec.filters, spec.query())


def _claim(job_id) -> ExportJob | None:
    now = timezone.now()
    claimable = Q(status=ExportStatus.QUEUED) | Q(
        status=ExportStatus.RUNNING, progress_at__lt=now - STALE_AFTER
    )
    claimed = ExportJob.objects.filter(claimable, pk=job_id, attempts__lt=MAX_ATTEMPTS).update(
        status=ExportStatus.RUNNING, attempts=F("attempts") + 1, started_at=now, progress_at=now, rows_done=0
    )
    return ExportJob.objects.get(pk=job_id) if claimed else None


class _Progress:
    """Writes ``rows_done`` at most once every ``PROGRESS_EVERY`` seconds."""

    def __init__(self, job_id) -> None:
        self.job_id, self.last = job_id, 0.0

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY:
            self.last = now
            ExportJob.objects.filter(pk=self.job_id, status=ExportStatus.RUNNING).update(
                rows_done=rows, progress_at=timezone.now()
            )


def _write(spec: ExportSpec, path: Path, *, using: str, progress) -> int:
    query = spec.query()
    if spec.file_format == ExportFormat.XLSX:
        return xlsx_write(query, path, title=SHEET_TITLES[spec.kind], using=using, progress=progress)
    with path.open("wb") as out:
        return csv_write(query, out, using=using, progress=progress)


def export_job_run(job_id, *, using: str = "default") -> ExportJob | None:
    """Run the job if it is this call's to run; returns it as it ended (None: not ours)."""
    job = _claim(job_id)
    if job is None:
        return None
    spec = spec_of(job)
    final = exports_root() / f"{job.id}.{job.file_format}"
    part = final.with_suffix(final.suffix + ".part")
    started = time.monotonic()
    try:
        rows = _write(spec, part, using=using, progress=_Progress(job.id))
        os.replace(part, final)
    except Exception as error:
        part.unlink(missing_ok=True)
        log.exception("export %s failed", job.id)
        ExportJob.objects.filter(pk=job.id).update(
            status=ExportStatus.FAILED if job.attempts >= MAX_ATTEMPTS else ExportStatus.QUEUED,
            error=str(error)[:2000],
            progress_at=timezone.now(),
        )
        raise
    now = timezone.now()
    ExportJob.objects.filter(pk=job.id).update(
        status=ExportStatus.DONE,
        rows_done=rows,
        file_name=final.name,
        file_size=final.stat().st_size,
        finished_at=now,
        progress_at=now,
        expires_at=now + timedelta(hours=settings.EXPORT_RETENTION_HOURS),
        error="",
    )
    log.info(
        "export %s: %d rows in %.1f s, peak memory %d MiB",
        job.id,
        rows,
        time.monotonic() - started,
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    )
    return ExportJob.objects.get(pk=job.id)


def job_file(job: ExportJob) -> Path | None:
    """The finished file of ``job``, None when it is not (or no longer) there."""
    if job.status != ExportStatus.DONE or not job.file_name:
        return None
    path = exports_root() / job.file_name
    return path if path.is_file() else None


def exports_expire(*, now=None) -> int:
    """Delete the files of jobs past ``expires_at``; returns how many."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lte=now))
    for job in expired:
        if job.file_name:
            (exports_root() / job.file_name).unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).update(status=ExportStatus.EXPIRED)
    return len(expired)


def exports_sweep(*, now=None) -> int:
    """Enqueue jobs whose task was lost or whose worker died; returns how many."""
    now = now or timezone.now()
    waiting = ExportJob.objects.filter(
        Q(status=ExportStatus.QUEUED, created_at__lt=now - LOST_AFTER)
        | Q(status=ExportStatus.RUNNING, progress_at__lt=now - STALE_AFTER),
        attempts__lt=MAX_ATTEMPTS,
    ).values_list("pk", flat=True)
    ids = [str(pk) for pk in waiting]
    for job_id in ids:
        enqueue_on_commit("exports.tasks.export_run", job_id)
    ExportJob.objects.filter(
        status=ExportStatus.RUNNING, progress_at__lt=now - STALE_AFTER, attempts__gte=MAX_ATTEMPTS
    ).update(status=ExportStatus.FAILED, error=STOPPED_ERROR)
    return len(ids)
