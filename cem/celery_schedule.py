"""Beat's schedule: constants, no environment. Apart from ``cem/settings.py`` for its length.

Every periodic task is a sweeper: the work it finds is recorded in the database (stale marks,
queued invitations, pending webhook messages, assembly marks), so a lost task only delays it.
"""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "analytics.tasks.worker_heartbeat", "schedule": 60.0},
    # Whatever is marked stale is recomputed within a minute even if its own task was lost.
    "metrics-refresh-stale": {"task": "analytics.tasks.metrics_refresh_stale", "schedule": 60.0},
    # Invitations left queued (a lost task, a broker outage) are enqueued again.
    "invitations-sweep": {"task": "surveys.tasks.invitations_sweep", "schedule": 60.0},
    "invitations-remind": {"task": "surveys.tasks.invitations_remind", "schedule": 900.0},
    # Customers marked for journey assembly whose task was lost; journeys past their timeout.
    "journeys-assemble": {"task": "journeys.tasks.journeys_assemble_pending", "schedule": 60.0},
    "journeys-timeout": {"task": "journeys.tasks.journeys_timeout_sweep", "schedule": 60.0},
    # Webhook retries that came due, and deliveries whose task was lost, are enqueued.
    "webhooks-sweep": {"task": "webhooks.tasks.webhooks_sweep", "schedule": 60.0},
    # Export jobs whose task was lost or whose worker died run again; expired files are deleted.
    "exports-sweep": {"task": "exports.tasks.exports_sweep", "schedule": 60.0},
    # Responses past RESPONSE_RETENTION_DAYS are anonymised or deleted, daily at a quiet hour (UTC).
    "responses-retention": {
        "task": "privacy.tasks.retention_apply",
        "schedule": crontab(minute=30, hour=3),
    },
}
