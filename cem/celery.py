"""The Celery application (`celery -A cem worker`, `celery -A cem beat`).

Configuration comes from Django settings under the ``CELERY_`` namespace. The broker is
RabbitMQ or Redis (``CELERY_BROKER_URL``, else ``REDIS_URL``); with neither the settings switch
Celery to eager mode, so tasks run inline in the web process and a fresh clone needs no broker.
"""

import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cem.settings")


class Task(DjangoTask):
    """Tasks enqueued after the commit, robustly.

    ``delay_on_commit`` runs after the writer's transaction has committed: if the broker is
    unreachable then, the error is logged rather than raised into the request that committed
    (its writes are durable and its answer must say so). Nothing is lost: what the task would
    do is still recorded (stale marks, queued invitations, pending webhook messages) and beat's
    sweepers enqueue it again. In eager mode (no broker) the task runs inline and its errors
    propagate, as tests expect.
    """

    def _on_commit(self, method: str, *args, **kwargs) -> None:
        def enqueue():
            return getattr(self, method)(*args, **kwargs)

        enqueue.__qualname__ = f"{self.name}.{method}"  # names the task in the log of a failure
        transaction.on_commit(enqueue, robust=not self.app.conf.task_always_eager)

    def delay_on_commit(self, *args, **kwargs) -> None:
        self._on_commit("delay", *args, **kwargs)

    def apply_async_on_commit(self, *args, **kwargs) -> None:
        self._on_commit("apply_async", *args, **kwargs)


app = Celery("cem", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
