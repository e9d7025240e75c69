"""Writes of the webhooks app. Other apps use one door: ``webhook_event_publish`` /
``webhook_events_publish`` / ``webhook_messages_publish`` (``outbox``), inside their own transaction."""

from .delivery import RETRY_WINDOW, webhook_message_deliver, webhook_retry_at, webhooks_sweep
from .endpoints import webhook_endpoint_create, webhook_endpoint_delete, webhook_endpoint_enable
from .outbox import webhook_event_publish, webhook_events_publish, webhook_messages_publish

__all__ = [
    "RETRY_WINDOW",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_enable",
    "webhook_event_publish",
    "webhook_events_publish",
    "webhook_message_deliver",
    "webhook_messages_publish",
    "webhook_retry_at",
    "webhooks_sweep",
]
