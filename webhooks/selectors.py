"""Reads of the webhook tables: who subscribes to what."""

from webhooks.models import WebhookEndpoint


def webhook_subscribed_types() -> set[str]:
    """The event types at least one active endpoint subscribes to: lets a writer skip building a
    payload nobody receives."""
    events = WebhookEndpoint.objects.filter(active=True).values_list("events", flat=True)
    return {event_type for subscribed in events for event_type in subscribed}


def webhook_subscribers(*, event_type: str) -> list[int]:
    """Ids of the active endpoints subscribed to ``event_type`` (one query on a small table;
    the JSON list is matched here because SQLite cannot query inside it)."""
    endpoints = WebhookEndpoint.objects.filter(active=True).values_list("id", "events")
    return [endpoint_id for endpoint_id, events in endpoints if event_type in events]
