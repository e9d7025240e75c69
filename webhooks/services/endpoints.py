"""Endpoints: subscribing a URL to events (its signing secret handed out once), deleting, re-enabling."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from webhooks.models import WebhookEndpoint, WebhookEventType
from webhooks.signing import webhook_secret_new
from webhooks.targets import url_problem


def webhook_endpoint_create(
    *, url: str, events: Iterable[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Subscribe ``url`` to ``events``; returns the endpoint and its signing secret, the only time
    the secret is handed out. Raises ``ValidationError`` keyed by field (``url``, ``events``,
    ``description``)."""
    url, events = url.strip(), list(events)
    errors: dict[str, str] = {}
    if len(url) > WebhookEndpoint._meta.get_field("url").max_length:
        errors["url"] = "is too long"
    elif problem := url_problem(url):
        errors["url"] = problem
    unknown = [event for event in events if event not in WebhookEventType.values]
    if not events or unknown:
        errors["events"] = f"unknown event types: {unknown}" if unknown else "subscribe to at least one"
    if len(description) > WebhookEndpoint._meta.get_field("description").max_length:
        errors["description"] = "is too long"
    if errors:
        raise ValidationError(errors)
    # One INSERT, so no transaction of its own: none is held open across the DNS lookups above.
    secret = webhook_secret_new()
    events = list(dict.fromkeys(events))  # known types only by now, so hashable
    endpoint = WebhookEndpoint.objects.create(url=url, events=events, description=description, secret=secret)
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint and its outbox rows; nothing more is sent to it."""
    WebhookEndpoint.objects.filter(id=endpoint.id).delete()


def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> None:
    """Turn a disabled endpoint back on (after its owner fixed the receiver)."""
    WebhookEndpoint.objects.filter(id=endpoint.id).update(
        active=True, disabled_at=None, disabled_reason="", consecutive_failures=0
    )
