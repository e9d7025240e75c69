"""Endpoints: subscribing a URL to events (its signing secret handed out once), deleting, re-enabling."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, ngettext

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
    if too_long := _too_long(url, "url"):
        errors["url"] = too_long
    elif problem := url_problem(url):
        errors["url"] = problem
    unknown = [str(event) for event in events if event not in WebhookEventType.values]
    if unknown:
        errors["events"] = ngettext(
            "Unknown event type: %(types)s.", "Unknown event types: %(types)s.", len(unknown)
        ) % {"types": ", ".join(unknown)}
    elif not events:
        errors["events"] = gettext("Subscribe to at least one event type.")
    if too_long := _too_long(description, "description"):
        errors["description"] = too_long
    if errors:
        raise ValidationError(errors)
    # One INSERT, so no transaction of its own: none is held open across the DNS lookups above.
    secret = webhook_secret_new()
    events = list(dict.fromkeys(events))  # known types only by now, so hashable
    endpoint = WebhookEndpoint.objects.create(url=url, events=events, description=description, secret=secret)
    return endpoint, secret


def _too_long(value: str, field: str) -> str | None:
    """Why ``value`` does not fit the endpoint's ``field``, or None."""
    limit = WebhookEndpoint._meta.get_field(field).max_length
    if len(value) <= limit:
        return None
    return ngettext(
        "Too long: at most %(limit)s character.", "Too long: at most %(limit)s characters.", limit
    ) % {"limit": limit}


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint and its outbox rows; nothing more is sent to it."""
    WebhookEndpoint.objects.filter(id=endpoint.id).delete()


def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> None:
    """Turn a disabled endpoint back on (after its owner fixed the receiver)."""
    WebhookEndpoint.objects.filter(id=endpoint.id).update(
        active=True, disabled_at=None, disabled_reason="", consecutive_failures=0
    )
