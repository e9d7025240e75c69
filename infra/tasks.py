"""How a service starts a task: by the task's registered name, once the transaction commits.

Tasks are edges: a task takes ids, loads fresh rows and calls a service, so ``tasks`` modules
import ``services``. A service that must start a task therefore never imports it (that would be
the circle the layer contract forbids); it names it::

    enqueue_on_commit("surveys.tasks.invitation_send", invitation.id)

The name is the task's dotted path, Celery's default. The enqueue happens in
``transaction.on_commit`` through the project's task class (``cem.celery.Task``): a rolled-back
writer enqueues nothing, and a broker outage at that moment is logged, not raised, because the
work is recorded in the database (stale marks, queued invitations, pending webhook messages) and
beat's sweepers enqueue it again. In eager mode the task runs inline after the commit.
``tests/infra/test_tasks.py`` checks that every name a service enqueues is a registered task.
"""

from celery import current_app


def registered_task(task_name: str):
    """The task registered as ``task_name``.

    A worker imports every app's ``tasks`` module when it starts; a web process does not, so the
    first look-up of a name not yet registered asks Celery to import them (its autodiscovery).
    """
    if task_name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[task_name]


def enqueue_on_commit(task_name: str, *args, **kwargs) -> None:
    """Send ``task_name`` with these arguments when the current transaction commits (now, outside one)."""
    registered_task(task_name).delay_on_commit(*args, **kwargs)
