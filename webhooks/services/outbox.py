"""Publishing: the one door through which every app emits a webhook event.

A writer calls ``webhook_event_publish`` (or ``webhook_events_publish``) in its own transaction:
one outbox row per active endpoint subscribed to the event, its delivery task enqueued on commit.
A rollback publishes nothing; the sweeper enqueues whatever is due and was not, or whose task was
lost. The publisher builds the payload (it knows its own rows); this module knows no other app.
"""

import json
from collections.abc import Iterable
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from infra.tasks import enqueue_on_commit
from webhooks.models import WebhookEventType, WebhookMessage
from webhooks.selectors import webhook_subscribers


def webhook_events_publish(
    *, event_type: str, payloads: Iterable[dict], occurred_at: datetime | None = None
) -> int:
    """Put one message per payload × subscribed active endpoint into the outbox, and enqueue their
    deliveries for when the caller's transaction commits. Returns how many messages.

    Call it inside the writer's transaction, which it joins (no savepoint of its own): a rollback
    takes the messages with it and enqueues nothing.
    """
    if event_type not in WebhookEventType.values:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    endpoint_ids = webhook_subscribers(event_type=event_type)
    payloads = list(payloads)
    if not endpoint_ids or not payloads:
        return 0
    now = timezone.now()  # the message's creation, its first due time and enqueue time
    timestamp = occurred_at or now
    envelopes = ({"type": event_type, "timestamp": timestamp, "data": payload} for payload in payloads)
    bodies = [
        json.dumps(e, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False) for e in envelopes
    ]
    messages = WebhookMessage.objects.bulk_create(
        WebhookMessage(
            endpoint_id=endpoint_id,
            event_type=event_type,
            body=body,
            created_at=now,
            next_attempt_at=now,
            enqueued_at=now,
        )
        for body in bodies
        for endpoint_id in endpoint_ids
    )
    webhook_deliveries_enqueue([message.id for message in messages])
    return len(messages)


def webhook_event_publish(*, event_type: str, payload: dict, occurred_at: datetime | None = None) -> int:
    """``webhook_events_publish`` of one event."""
    return webhook_events_publish(event_type=event_type, payloads=[payload], occurred_at=occurred_at)


def webhook_deliveries_enqueue(message_ids: list[int], *, countdown: float | None = None) -> None:
    """Enqueue one delivery task per message, on commit (through the task's name: tasks import
    services); with ``countdown``, to run that many seconds later."""
    for message_id in message_ids:
        enqueue_on_commit("webhooks.tasks.webhook_deliver", message_id, countdown=countdown)
