"""Named Celery queues and the broker choice: which task goes where, and what each broker is given."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from kombu import Producer

from cem import celery_app
from infra.tasks import enqueue_on_commit

ROOT = Path(__file__).resolve().parents[2]
QUEUES = {"default", "email", "metrics", "journeys", "webhooks", "exports"}
# The queue of each app's tasks; a new app's tasks go to "default" until it is given a route.
APP_QUEUES = {
    "surveys": "email",
    "analytics": "metrics",
    "webhooks": "webhooks",
    "exports": "exports",
    "privacy": "default",
    "followups": "email",
    "journeys": "journeys",
}
VARIABLES = (
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "CELERY_QUEUE_PREFIX",
    "RABBITMQ_CONSUMER_TIMEOUT",
)
PROBE = """
import json
import django
django.setup()
from django.conf import settings
from cem import celery_app
from infra.tasks import countdown_horizon
conf = celery_app.conf
route = celery_app.amqp.router.route
print(json.dumps({
    "broker": conf.broker_url,
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": conf.task_always_eager,
    "transport_options": conf.broker_transport_options,
    "heartbeat": conf.broker_heartbeat,
    "acks_late": conf.task_acks_late,
    "horizon": countdown_horizon(),
    "queues": sorted(celery_app.amqp.queues.consume_from),
    "default": conf.task_default_queue,
    "send": route({}, "surveys.tasks.invitation_send")["queue"].name,
    "retention": route({}, "privacy.tasks.retention_apply")["queue"].name,
}))
"""


def settings_with(**variables: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    environment.update(variables, DJANGO_SETTINGS_MODULE="cem.settings")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def queue_of(task_name: str) -> str:
    """The queue Celery sends ``task_name`` to, as ``send_task`` routes it (by name)."""
    return celery_app.amqp.router.route({}, task_name)["queue"].name


def project_tasks() -> list[str]:
    celery_app.loader.import_default_modules()
    return sorted(name for name in celery_app.tasks if name.split(".", 1)[0] in APP_QUEUES)


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("surveys.tasks.invitation_send", "email"),
        ("surveys.tasks.invitation_remind", "email"),
        ("surveys.tasks.invitations_sweep", "email"),
        ("surveys.tasks.invitations_remind", "email"),
        ("analytics.tasks.metrics_refresh_stale", "metrics"),
        ("analytics.tasks.worker_heartbeat", "metrics"),
        ("webhooks.tasks.webhook_deliver", "webhooks"),
        ("webhooks.tasks.webhooks_sweep", "webhooks"),
        ("exports.tasks.export_run", "exports"),
        ("privacy.tasks.retention_apply", "default"),
        ("followups.tasks.follow_up_assigned_notify", "email"),
        ("journeys.tasks.journeys_assemble_pending", "journeys"),
        ("journeys.tasks.journeys_timeout_sweep", "journeys"),
        ("journeys.tasks.assembly_run_execute", "journeys"),
        ("demo.tasks.not_routed_yet", "default"),
    ],
)
def test_each_task_goes_to_its_queue(task_name, queue):
    assert queue_of(task_name) == queue


def test_every_task_of_an_app_goes_to_the_apps_queue():
    tasks = project_tasks()
    assert len(tasks) >= 9
    assert {name: queue_of(name) for name in tasks} == {
        name: APP_QUEUES[name.split(".")[0]] for name in tasks
    }


def test_every_beat_entry_goes_to_the_queue_of_its_app():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        app = entry["task"].split(".")[0]
        assert app in APP_QUEUES, f"{entry['task']}: give its app a queue (CELERY_TASK_ROUTES) and a row here"
        assert "queue" not in entry.get("options", {}), "beat entries are routed by CELERY_TASK_ROUTES"
        assert queue_of(entry["task"]) == APP_QUEUES[app], entry["task"]


def test_a_worker_without_q_consumes_every_queue():
    assert set(celery_app.amqp.queues.consume_from) == QUEUES


def test_each_queue_has_an_exchange_and_routing_key_of_its_own():
    """Queues sharing an exchange and routing key would each receive every task sent to any of them."""
    for queue in celery_app.amqp.queues.values():
        assert queue.exchange.name == queue.routing_key == queue.name
        assert queue.exchange.type == "direct"


def test_a_task_enqueued_by_name_is_published_to_its_queue(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(Producer, "publish", lambda producer, body, **options: published.append(options))
    celery_app.conf.task_always_eager = False  # the autouse fixture puts it back
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit("webhooks.tasks.webhook_deliver", 1)
        enqueue_on_commit("surveys.tasks.invitation_send", 2, countdown=5)

    # To the broker's default exchange, which delivers to the queue named by the routing key.
    assert [
        (options["routing_key"], [queue.name for queue in options["declare"]]) for options in published
    ] == [
        ("webhooks", ["webhooks"]),
        ("email", ["email"]),
    ]


def test_an_amqp_url_makes_rabbitmq_the_broker_with_redis_still_the_cache():
    loaded = settings_with(
        REDIS_URL="redis://cache:6379/0", CELERY_BROKER_URL="amqp://cem:pw@rabbitmq:5672//"
    )
    assert loaded["broker"] == "amqp://cem:pw@rabbitmq:5672//"
    assert loaded["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["eager"] is False
    assert loaded["transport_options"] == {}  # no Redis visibility timeout
    assert loaded["heartbeat"] == 60
    assert loaded["acks_late"] is True
    assert loaded["horizon"] == 1800 - 2 * 300  # RabbitMQ's consumer_timeout less two time limits
    assert loaded["queues"] == sorted(QUEUES)


def test_rabbitmq_countdowns_follow_a_raised_consumer_timeout():
    loaded = settings_with(CELERY_BROKER_URL="amqp://rabbitmq//", RABBITMQ_CONSUMER_TIMEOUT="7200")
    assert loaded["horizon"] == 7200 - 2 * 300
    assert loaded["eager"] is False  # a broker, even with no Redis


def test_redis_stays_the_default_broker_with_its_visibility_timeout():
    loaded = settings_with(REDIS_URL="redis://cache:6379/0")
    assert loaded["broker"] == "redis://cache:6379/0"
    assert loaded["transport_options"] == {"visibility_timeout": 3600}
    assert loaded["horizon"] == 3600 - 2 * 300
    assert loaded["eager"] is False


def test_with_no_broker_at_all_tasks_run_inline():
    loaded = settings_with()
    assert (loaded["broker"], loaded["eager"]) == ("memory://", True)


def test_the_queue_prefix_renames_every_queue_and_route():
    loaded = settings_with(REDIS_URL="redis://cache:6379/0", CELERY_QUEUE_PREFIX="acme-")
    assert loaded["queues"] == sorted(f"acme-{name}" for name in QUEUES)
    assert (loaded["default"], loaded["send"], loaded["retention"]) == (
        "acme-default",
        "acme-email",
        "acme-default",
    )
