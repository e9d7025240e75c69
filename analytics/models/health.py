"""The worker heartbeat the health endpoint reads."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran a task, written by the beat-scheduled heartbeat.

    The health endpoint reads it, so an operator (or a load balancer) sees when
    the workers have stopped and no metric or email is being processed.
    """

    name = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField()
    worker = models.CharField(max_length=200, blank=True, help_text="host:pid of the process that ran it")

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S} by {self.worker}"
