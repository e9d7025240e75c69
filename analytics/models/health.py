"""The worker heartbeat the health endpoint reads."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from analytics.display import moment_text


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran a task, written by the beat-scheduled heartbeat.

    The health endpoint reads it, so an operator (or a load balancer) sees when
    the workers have stopped and no metric or email is being processed.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    seen_at = models.DateTimeField(_("seen at"))
    worker = models.CharField(
        _("worker"), max_length=200, blank=True, help_text=_("host:pid of the process that ran it")
    )

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return gettext("%(name)s at %(seen)s by %(worker)s") % {
            "name": self.name,
            "seen": moment_text(self.seen_at),
            "worker": self.worker,
        }
