"""Celery tasks of the analytics app: thin, they call a service."""

import logging

from celery import shared_task
from celery.signals import worker_ready

from . import services

logger = logging.getLogger(__name__)


@shared_task
def worker_heartbeat(name: str = "default") -> None:
    """Beat runs this every minute; the health endpoint reads what it wrote."""
    services.worker_heartbeat_record(name=name)


@worker_ready.connect
def worker_heartbeat_on_start(**kwargs) -> None:
    """A worker records itself as alive when it starts, not only at beat's first minute."""
    services.worker_heartbeat_record(name="default")


@shared_task
def metrics_refresh_stale() -> dict:
    """Recompute whatever is marked stale (after each commit that marks, and every minute by beat).

    Safe to run twice or concurrently: refreshes of one bucket take turns and
    recompute from the source rows.
    """
    report = services.metrics_refresh_stale()
    if not report.complete:
        logger.warning("metrics refresh stopped at its time budget; the rest stays marked for the next run")
    return {
        "journeys": report.journeys,
        "days": report.days,
        "rows": report.rows,
        "complete": report.complete,
    }
