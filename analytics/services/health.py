"""The worker heartbeat: proof a worker is alive."""

import os
import socket

from django.db import transaction
from django.utils import timezone

from analytics.models import WorkerHeartbeat


@transaction.atomic
def worker_heartbeat_record(*, name: str) -> WorkerHeartbeat:
    """Record that a worker is alive now (an upsert: one row per ``name``)."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        name=name,
        defaults={"seen_at": timezone.now(), "worker": f"{socket.gethostname()}:{os.getpid()}"},
    )
    return heartbeat
