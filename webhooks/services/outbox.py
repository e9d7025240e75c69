"""Publishing: the one door through which every app emits a webhook event.

A writer calls ``webhook_event_publish`` (or ``webhook_events_publish``, or
``webhook_messages_publish`` for events of several types) in its own transaction: one outbox row
per event and active endpoint subscribed to its type, written in one INSERT, each row's delivery
task enqueued on commit.
A rollback publishes nothing; the sweeper enqueues whatever is due and was not, or whose task was
lost. The publisher builds the payload (it knows its own rows); this module knows no other app.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from infra.tasks import enqueue_on_commit
from webhooks.models import WebhookEventType, WebhookMessage
from webhooks.selectors import webhook_subscriptions


def webhook_messages_publish(
    *,
    events: Iterable[tuple[str, dict]],
    occurred_at: datetime | None = None,
    subscriptions: Mapping[str, Sequence[int]] | None = None,
) -> int:
    """Put one message per (event type, payload) of ``events`` × active endpoint subscribed to that
    type into the outbox, in one INSERT, and enqueue their deliveries for when the caller's
    transaction commits. Returns how many messages.

    ``subscriptions``: what ``webhook_subscriptions()`` returned, when the caller read it already in
    this transaction (to decide whether to build the payloads at all); read here otherwise.
    Call it inside the writer's transaction, which it joins (no savepoint of its own): a rollback
    takes the messages with it and enqueues nothing.
    """
    events = list(events)
    unknown = sorted({event_type for event_type, _ in events} - set(WebhookEventType.values))
    if unknown:
        raise ValueError(f"unknown webhook event type {unknown[0]!r}")
    if not events:
        return 0
    if subscriptions is None:
        subscriptions = webhook_subscriptions()
    now = timezone.now()  # the message's creation, its first due time and enqueue time
    timestamp = occurred_at or now
    messages = []
    for event_type, payload in events:
        endpoint_ids = subscriptions.get(event_type)
        if not endpoint_ids:
            continue
        body = _body(event_type, timestamp, payload)
        messages += [
            WebhookMessage(
                endpoint_id=endpoint_id,
                event_type=event_type,
                body=body,
                created_at=now,
                next_attempt_at=now,
                enqueued_at=now,
            )
            for endpoint_id in endpoint_ids
        ]
    if not messages:
        return 0
    messages = WebhookMessage.objects.bulk_create(messages)
    webhook_deliveries_enqueue([message.id for message in messages])
    return len(messages)


def _body(event_type: str, timestamp: datetime, payload: dict) -> str:
    """The signed JSON text of one event, serialized once for every endpoint that receives it."""
    envelope = {"type": event_type, "timestamp": timestamp, "data": payload}
    return json.dumps(envelope, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


def webhook_events_publish(
    *, event_type: str, payloads: Iterable[dict], occurred_at: datetime | None = None
) -> int:
    """``webhook_messages_publish`` of events of one type."""
    if event_type not in WebhookEventType.values:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    return webhook_messages_publish(
        events=[(event_type, payload) for payload in payloads], occurred_at=occurred_at
    )


def webhook_event_publish(*, event_type: str, payload: dict, occurred_at: datetime | None = None) -> int:
    """``webhook_events_publish`` of one event."""
    return webhook_events_publish(event_type=event_type, payloads=[payload], occurred_at=occurred_at)


def webhook_deliveries_enqueue(message_ids: list[int], *, countdown: float | None = None) -> None:
    """Enqueue one delivery task per message, on commit (through the task's name: tasks import
    services); with ``countdown``, to run that many seconds later."""
    for message_id in message_ids:
        enqueue_on_commit("webhooks.tasks.webhook_deliver", message_id, countdown=countdown)
