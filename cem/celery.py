"""The Celery application (`celery -A cem worker`, `celery -A cem beat`).

Configuration comes from Django settings under the ``CELERY_`` namespace. With no
``REDIS_URL`` the settings switch Celery to eager mode, so tasks run inline in the
web process and a fresh clone needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cem.settings")

app = Celery("cem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
