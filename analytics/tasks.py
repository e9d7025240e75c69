"""Celery tasks of the analytics app: thin, they call a service."""

from celery import shared_task

from . import services


@shared_task
def worker_heartbeat(name: str = "default") -> None:
    """Beat runs this every minute; the health endpoint reads what it wrote."""
    services.worker_heartbeat_record(name=name)
