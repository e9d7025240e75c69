"""Webhooks through a real Celery worker on PostgreSQL and Redis, to a receiver on 127.0.0.1.

The worker is allowed loopback targets and schedules retries about a second
apart (``WEBHOOK_RETRY_SCHEDULE=1`` instead of 5 s, 5 min, …). The worker enqueues
each retry itself, with a countdown to its due time; the sweeper, which some tests
call from this process as beat would every minute, is the safety net (this process
and the worker both send tasks to the test's own queues). Each test runs on Redis and on RabbitMQ.
"""

import json
import socket

import pytest
from django.db import transaction

from surveys.models import Invitation, Question
from surveys.services.responses import response_submit
from surveys.services.webhook_events import RESPONSE_CREATED
from tests.factories import InvitationFactory, QuestionFactory
from tests.webhooks.test_delivery import Receiver
from webhooks import tasks
from webhooks.models import WebhookMessage
from webhooks.services import webhook_endpoint_create, webhook_event_publish, webhooks_sweep

from .conftest import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def worker_environment() -> dict[str, str]:
    return {"WEBHOOK_ALLOW_LOOPBACK": "true", "WEBHOOK_RETRY_SCHEDULE": "1"}


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    """This process creates the endpoints on 127.0.0.1 (the worker is allowed through its environment)."""
    settings.WEBHOOK_ALLOW_LOOPBACK = True


def delivered() -> WebhookMessage | None:
    return WebhookMessage.objects.filter(status=WebhookMessage.Status.DELIVERED).first()


def delivered_after_sweeps() -> WebhookMessage | None:
    """The delivered message, sweeping every half second meanwhile; None after 30 s."""

    def sweep_then_look():
        webhooks_sweep()
        return delivered()

    return wait_for(sweep_then_look, interval=0.5)


def subscribe(receiver: Receiver) -> None:
    """Subscribe ``receiver`` to ``response.created``; it verifies every signature from then on."""
    _, receiver.secret = webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])


def test_a_committed_response_reaches_the_receiver_signed(celery_worker):
    with Receiver() as receiver:
        subscribe(receiver)
        question = QuestionFactory(type=Question.Type.NPS)
        invitation = InvitationFactory(survey=question.survey, status=Invitation.Status.SENT)
        response = response_submit(invitation=invitation, data={f"q{question.id}": "10"}, language="en")
        message = wait_for(delivered)
    assert message is not None, "the worker did not deliver the webhook within 30 s"
    [request] = receiver.requests  # answered 200: its signature verified
    assert (message.attempts, message.last_status_code) == (1, 200)
    body = json.loads(request.body)
    assert (body["type"], body["data"]["id"], body["data"]["answers"][0]["score"]) == (
        RESPONSE_CREATED,
        response.id,
        10,
    )


def test_a_receiver_answering_503_gets_the_event_under_the_same_id_once_it_recovers(celery_worker):
    with Receiver(script=[503, 503]) as receiver:
        subscribe(receiver)
        with transaction.atomic():
            webhook_event_publish(event_type=RESPONSE_CREATED, payload={"id": 1})
        message = delivered_after_sweeps()
    assert message is not None, "the worker did not deliver the webhook within 30 s"
    assert message.attempts == 3
    assert [r.headers["webhook-id"] for r in receiver.requests] == [message.public_id] * 3


def test_an_event_sent_while_the_receiver_was_down_arrives_once_it_is_back(celery_worker):
    with socket.socket() as probe:  # a port nobody listens on, for now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _, secret = webhook_endpoint_create(url=f"http://127.0.0.1:{port}/hooks", events=[RESPONSE_CREATED])
    with transaction.atomic():
        webhook_event_publish(event_type=RESPONSE_CREATED, payload={"id": 2})
    refused = wait_for(lambda: WebhookMessage.objects.filter(attempts__gte=1).first())
    assert refused is not None and "Connection refused" in refused.last_error
    with Receiver(port=port) as receiver:  # back on the same port
        receiver.secret = secret
        message = delivered_after_sweeps()
    assert message is not None, "the worker did not deliver the webhook within 30 s of the receiver's return"
    assert message.attempts >= 2
    assert [r.headers["webhook-id"] for r in receiver.requests] == [message.public_id]


def test_a_delivery_whose_task_was_lost_is_sent_by_the_sweeper(celery_worker, monkeypatch):
    with Receiver() as receiver:
        subscribe(receiver)
        with monkeypatch.context() as broker_down:
            broker_down.setattr(tasks.webhook_deliver, "delay_on_commit", lambda *args, **kwargs: None)
            with transaction.atomic():
                webhook_event_publish(event_type=RESPONSE_CREATED, payload={"id": 3})
        WebhookMessage.objects.update(enqueued_at=None)  # never enqueued, as if the broker had been down
        assert webhooks_sweep() == 1
        message = wait_for(delivered)
    assert message is not None, "the sweeper's delivery did not arrive within 30 s"
    assert len(receiver.requests) == 1 and webhooks_sweep() == 0


@pytest.mark.parametrize(
    "worker_environment", [{"WEBHOOK_ALLOW_LOOPBACK": "true", "WEBHOOK_RETRY_SCHEDULE": "1,2"}]
)
def test_retries_come_on_their_schedule_not_on_the_sweepers_minute(celery_worker):
    with Receiver(script=[503, 503]) as receiver:
        subscribe(receiver)
        with transaction.atomic():
            webhook_event_publish(event_type=RESPONSE_CREATED, payload={"id": 4})
        message = wait_for(delivered, timeout=15)  # no sweep: only the retries' own countdowns
    assert message is not None, "the retries did not come within 15 s"
    first, second, third = (request.at for request in receiver.requests)
    # 1 s and 2 s, ±20 % jitter, plus the worker's own time for an attempt.
    assert 0.7 <= second - first <= 1.2 + 1.5
    assert 1.5 <= third - second <= 2.4 + 1.5
