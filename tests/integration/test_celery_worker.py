"""The plumbing every later feature relies on: a task enqueued on commit runs in a real worker."""

import os
import uuid

import pytest
from django.db import transaction

from analytics import tasks
from analytics.models import WorkerHeartbeat

from .conftest import wait_for

pytestmark = pytest.mark.integration


def heartbeat(name: str) -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.filter(name=name).first()


def test_task_enqueued_on_commit_runs_in_the_worker_process(celery_worker):
    name = f"integration-{uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        tasks.worker_heartbeat.delay_on_commit(name)
        assert heartbeat(name) is None  # nothing runs inline, nothing leaves before commit

    row = wait_for(lambda: heartbeat(name))
    assert row is not None, "the worker did not run the task within 30 s"
    host_and_pid = row.worker.rsplit(":", 1)
    assert int(host_and_pid[1]) == celery_worker.pid
    assert int(host_and_pid[1]) != os.getpid()


def test_task_of_a_rolled_back_transaction_is_never_sent(celery_worker):
    rolled_back = f"rolled-back-{uuid.uuid4().hex[:8]}"
    committed = f"committed-{uuid.uuid4().hex[:8]}"
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.worker_heartbeat.delay_on_commit(rolled_back)
        raise RuntimeError("the request failed")
    with transaction.atomic():
        tasks.worker_heartbeat.delay_on_commit(committed)

    # One worker, one queue, first in first out: once the later task ran, the earlier would have.
    assert wait_for(lambda: heartbeat(committed)) is not None
    assert heartbeat(rolled_back) is None


def test_a_starting_worker_records_its_heartbeat_at_once(celery_worker):
    row = wait_for(lambda: heartbeat("default"), timeout=15)
    assert row is not None, "the worker should record itself when it becomes ready"
    assert int(row.worker.rsplit(":", 1)[1]) == celery_worker.pid
