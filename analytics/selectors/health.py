"""When the workers were last seen alive."""

from datetime import datetime

from analytics.models import WorkerHeartbeat


def worker_last_seen(*, name: str = "default") -> datetime | None:
    """When the named worker heartbeat last ran, or None if it never has."""
    return WorkerHeartbeat.objects.filter(name=name).values_list("seen_at", flat=True).first()
