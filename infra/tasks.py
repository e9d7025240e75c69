"""How a service starts a task: by the task's registered name, once the transaction commits.

Tasks are edges: a task takes ids, loads fresh rows and calls a service, so ``tasks`` modules
import ``services``. A service that must start a task therefore never imports it (that would be
the circle the layer contract forbids); it names it::

    enqueue_on_commit("surveys.tasks.invitation_send", invitation.id)

A task due later is enqueued with ``countdown=`` seconds, within ``countdown_horizon()``.

The name is the task's dotted path, Celery's default; Celery routes a task sent by name like one
sent by its function, so it goes to its queue (``CELERY_TASK_ROUTES``). The enqueue happens in
``transaction.on_commit`` through the project's task class (``cem.celery.Task``): a rolled-back
writer enqueues nothing, and a broker outage at that moment is logged, not raised, because the
work is recorded in the database (stale marks, queued invitations, pending webhook messages) and
beat's sweepers enqueue it again. In eager mode the task runs inline after the commit.
``tests/infra/test_tasks.py`` checks that every name a service enqueues is a registered task.
"""

from celery import current_app

REDIS_VISIBILITY_DEFAULT = 3600  # kombu's, for a Redis broker configured without one
RABBITMQ_CONSUMER_TIMEOUT_DEFAULT = 1800  # RabbitMQ's consumer_timeout, for a broker configured without one
RABBITMQ_SCHEMES = ("amqp", "amqps", "pyamqp")


def registered_task(task_name: str):
    """The task registered as ``task_name``.

    A worker imports every app's ``tasks`` module when it starts; a web process does not, so the
    first look-up of a name not yet registered asks Celery to import them (its autodiscovery).
    """
    if task_name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[task_name]


def unacknowledged_limit() -> float:
    """How long (seconds) a worker may hold a message unacknowledged before the broker takes it back.

    Redis hands it to another worker once its visibility timeout has passed; RabbitMQ closes the
    channel of a consumer that held it past its ``consumer_timeout`` (all that channel held goes back
    to the queue). Either way a task held longer may run twice, or concurrently.
    """
    conf = current_app.conf
    if str(conf.broker_url or "").split("://", 1)[0] in RABBITMQ_SCHEMES:
        return float(conf.get("broker_consumer_timeout") or RABBITMQ_CONSUMER_TIMEOUT_DEFAULT)
    visibility = (conf.broker_transport_options or {}).get("visibility_timeout", REDIS_VISIBILITY_DEFAULT)
    return float(visibility)


def countdown_horizon() -> float:
    """The longest countdown (seconds) a task may be enqueued with, never handed out twice.

    A worker holds a task with a countdown unacknowledged until it ran (tasks are acknowledged
    late), so the countdown, plus a full time limit for the task to wait for a free worker and
    another for it to run, stays within ``unacknowledged_limit()``: 1 hour less 2 × 5 minutes on
    Redis, 30 minutes less 2 × 5 minutes on RabbitMQ, with the settings' values. Work due later is
    left to the sweepers.
    """
    return max(0.0, unacknowledged_limit() - 2 * float(current_app.conf.task_time_limit or 0))


def enqueue_on_commit(task_name: str, *args, countdown: float | None = None, **kwargs) -> None:
    """Send ``task_name`` with these arguments when the current transaction commits (now, outside one).

    ``countdown``: run it that many seconds after the commit, at most ``countdown_horizon()``
    (``ValueError`` beyond). In eager mode the task runs at once, countdown or not.
    """
    task = registered_task(task_name)
    if countdown is None:
        task.delay_on_commit(*args, **kwargs)
        return
    if not 0 <= countdown <= countdown_horizon():
        raise ValueError(f"countdown {countdown} s is outside 0…{countdown_horizon()} s")
    task.apply_async_on_commit(args=args, kwargs=kwargs, countdown=countdown)
