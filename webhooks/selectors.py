"""Reads of the webhook tables: who subscribes to what."""

from webhooks.models import WebhookEndpoint


def webhook_subscriptions() -> dict[str, list[int]]:
    """Event type → ids of the active endpoints subscribed to it, in id order (one query on a
    small table; the JSON lists are read here because SQLite cannot query inside them). Types
    nobody subscribes to are absent."""
    subscribed: dict[str, list[int]] = {}
    for endpoint_id, events in WebhookEndpoint.objects.filter(active=True).values_list("id", "events"):
        for event_type in dict.fromkeys(events):
            subscribed.setdefault(event_type, []).append(endpoint_id)
    return subscribed


def webhook_subscribed_types() -> set[str]:
    """The event types at least one active endpoint subscribes to: lets a writer skip building a
    payload nobody receives."""
    return set(webhook_subscriptions())


def webhook_subscribers(*, event_type: str) -> list[int]:
    """Ids of the active endpoints subscribed to ``event_type`` (one query)."""
    return webhook_subscriptions().get(event_type, [])
