"""Named queues and late acknowledgement with real workers, on Redis and on RabbitMQ.

A worker started with ``-Q`` runs the tasks routed to its queues and leaves the others waiting in
theirs; a task whose worker process dies while running it is handed back to the queue and runs
again. The killed task here is a webhook delivery to a receiver that accepts the connection and
never answers, so the test knows the task is running (the receiver has its connection) without
waiting a set time.
"""

import os
import signal
import socket
import uuid

import pytest
from django.db import transaction

from analytics.models import WorkerHeartbeat
from infra.tasks import enqueue_on_commit
from surveys.models import Invitation
from surveys.services.webhook_events import RESPONSE_CREATED
from tests.factories import InvitationFactory
from webhooks.models import WebhookMessage
from webhooks.services import webhook_endpoint_create, webhook_event_publish

from .conftest import wait_for

pytestmark = pytest.mark.integration


class SilentReceiver:
    """A webhook receiver on 127.0.0.1 that accepts every connection and never answers."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hooks"
        self.connections: list[socket.socket] = []

    def connected(self, *, timeout: float = 30) -> bool:
        """Whether a delivery connects within ``timeout`` seconds (a delivery task is then running)."""
        self.listener.settimeout(timeout)
        try:
            accepted, _ = self.listener.accept()
        except TimeoutError:
            return False
        self.connections.append(accepted)
        return True

    def close(self) -> None:
        """Hang up: a delivery still waiting for an answer fails at once, so its worker stops promptly."""
        for accepted in self.connections:
            accepted.close()
        self.listener.close()


@pytest.fixture
def worker_environment() -> dict[str, str]:
    # A failed attempt's retry is left to the sweeper (an hour away): nothing is pending at the end.
    return {"WEBHOOK_ALLOW_LOOPBACK": "true", "WEBHOOK_RETRY_SCHEDULE": "3600"}


@pytest.fixture
def silent_receiver(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True  # this process creates the endpoint on 127.0.0.1
    receiver = SilentReceiver()
    webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    yield receiver
    receiver.close()


def heartbeat(name: str) -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.filter(name=name).first()


def pool_processes(pid: int) -> list[int]:
    """The ids of the child processes of ``pid``: a prefork worker's pool."""
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


def delivery_publish() -> None:
    with transaction.atomic():
        webhook_event_publish(event_type=RESPONSE_CREATED, payload={"id": 1})


def test_a_worker_on_the_metrics_queue_leaves_email_tasks_queued_for_an_email_worker(celery_workers):
    invitation = InvitationFactory()  # queued and due
    celery_workers.start("metrics")
    first, second = (f"metrics-only-{uuid.uuid4().hex[:8]}" for _ in range(2))
    with transaction.atomic():
        enqueue_on_commit("surveys.tasks.invitation_send", invitation.id)
        enqueue_on_commit("analytics.tasks.worker_heartbeat", first)

    assert wait_for(lambda: heartbeat(first)), "the metrics worker did not run the metrics task"
    enqueue_on_commit("analytics.tasks.worker_heartbeat", second)  # another fetch from the broker
    assert wait_for(lambda: heartbeat(second)), "the metrics worker did not run the second metrics task"
    assert celery_workers.waiting("email") == 1  # untouched, in the email queue
    assert celery_workers.waiting("metrics") == 0
    invitation.refresh_from_db()
    assert (invitation.status, invitation.send_started_at) == (Invitation.Status.QUEUED, None)

    celery_workers.start("email")
    sent = wait_for(
        lambda: Invitation.objects.filter(id=invitation.id, status=Invitation.Status.SENT).first()
    )
    assert sent is not None, "the email worker did not send the invitation waiting in its queue"
    assert celery_workers.waiting("email") == 0


def test_a_task_whose_pool_process_is_killed_is_handed_back_and_runs_again(celery_workers, silent_receiver):
    worker = celery_workers.start("webhooks", pool="prefork")
    delivery_publish()
    assert silent_receiver.connected(), "the delivery did not start within 30 s"

    for pid in pool_processes(worker.pid):
        os.kill(pid, signal.SIGKILL)

    # Acknowledged late and rejected when its process is lost: back on the queue, to a new process.
    assert silent_receiver.connected(), "the killed delivery was not run again within 30 s"
    assert WebhookMessage.objects.get().attempts == 0  # the killed attempt recorded nothing
    assert worker.poll() is None  # the same worker, with a new pool process


@pytest.mark.parametrize("broker", ["rabbitmq"], indirect=True)
def test_rabbitmq_hands_a_killed_workers_task_to_another_worker_at_once(celery_workers, silent_receiver):
    """Redis would hand it out only after its visibility timeout (an hour): before that the
    sweepers enqueue the work again, which is why that broker needs them."""
    first = celery_workers.start("webhooks")
    delivery_publish()
    assert silent_receiver.connected(), "the delivery did not start within 30 s"

    first.kill()
    first.wait()
    celery_workers.start("webhooks")

    assert silent_receiver.connected(), (
        "the killed worker's delivery did not reach the new worker within 30 s"
    )
    assert WebhookMessage.objects.get().attempts == 0
