"""Celery tasks of the exports app (the ``exports`` queue): thin, they call a service."""

from celery import shared_task

from .services import jobs
from .services.reads import export_alias, export_reads

# A 10-million-row export takes minutes; the limits stay below the broker's visibility timeout
# (an hour on Redis), or a still-running export would be handed to a second worker.
SOFT_TIME_LIMIT = 3000
TIME_LIMIT = 3300


@shared_task(soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def export_run(job_id: str) -> str:
    """Write the export's file (no-op if the job is finished or another worker holds it)."""
    with export_reads():
        job = jobs.export_job_run(job_id, using=export_alias())
    return job.status if job else "skipped"


@shared_task
def exports_sweep() -> dict:
    """Beat, every minute: expire old files, enqueue jobs whose task was lost or whose worker died."""
    return {"expired": jobs.exports_expire(), "enqueued": jobs.exports_sweep()}
