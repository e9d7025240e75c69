"""Celery tasks of the analytics app: thin, they call a service."""

from celery import shared_task
from celery.signals import worker_ready

from . import services


@shared_task
def worker_heartbeat(name: str = "default") -> None:
    """Beat runs this every minute; the health endpoint reads what it wrote."""
    services.worker_heartbeat_record(name=name)


@worker_ready.connect
def worker_heartbeat_on_start(**kwargs) -> None:
    """A worker records itself as alive when it starts, not only at beat's first minute."""
    services.worker_heartbeat_record(name="default")
