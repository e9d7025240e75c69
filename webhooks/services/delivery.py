"""Delivery: one signed POST per due attempt, retries on a schedule, the sweeper, giving up.

``webhook_message_deliver`` locks the row (``SKIP LOCKED``), re-checks that it is pending and
due, resolves the host again and refuses non-public addresses (``webhooks.targets``: DNS may
have changed since the endpoint was created), then POSTs to the very address it checked, signed
(``webhooks.signing``). No redirect is followed. 2xx delivers; anything else schedules the next
attempt on ``WEBHOOK_RETRY_SCHEDULE`` (±20 % jitter) until ``RETRY_WINDOW`` after the event, then
gives up. A retry due within ``infra.tasks.countdown_horizon()`` (about 50 minutes on Redis,
past whose visibility timeout a waiting task is handed out twice; 20 on RabbitMQ by default, past
whose consumer timeout its channel is closed) is enqueued at once with a
countdown to its due time, and the row records it as enqueued for that time; a later one, or one
whose task was lost, is enqueued by the sweeper (beat, every minute) once due. An endpoint is
disabled when a message to it is given up and nothing was delivered to it since that message was
created: it refused every attempt for the whole window.
"""

import http.client
import random
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from infra.tasks import countdown_horizon
from webhooks.models import WebhookEndpoint, WebhookMessage, WebhookMessageStatus
from webhooks.signing import webhook_signature
from webhooks.targets import PinnedConnection, WebhookTargetRefused, webhook_target_addresses

from .outbox import webhook_deliveries_enqueue

RETRY_WINDOW = timedelta(days=3)
JITTER = 0.2  # each delay is drawn from ±20 % of its nominal value
# An enqueued delivery not done after this long is presumed lost and enqueued again.
ENQUEUE_LEASE = timedelta(minutes=5)
SWEEP_BATCH = 1000
USER_AGENT = "CEM-Webhooks/1"


def webhook_retry_at(
    *, created_at: datetime, attempts: int, now: datetime, rng: random.Random | None = None
) -> datetime | None:
    """When to try again after the ``attempts``-th failed attempt, at ``now``; None: give up.

    The delay is the ``attempts``-th entry of ``WEBHOOK_RETRY_SCHEDULE`` (seconds; the last one
    repeats) times a jitter factor in [0.8, 1.2], capped at ``created_at + RETRY_WINDOW``; an
    attempt made at or after that moment was the last.
    """
    deadline = created_at + RETRY_WINDOW
    if now >= deadline:
        return None
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    nominal = schedule[min(attempts, len(schedule)) - 1]
    delay = timedelta(seconds=nominal * (rng or random).uniform(1 - JITTER, 1 + JITTER))
    return min(now + delay, deadline)


def _attempt(message: WebhookMessage, *, now: datetime) -> tuple[int | None, str]:
    """One signed POST of ``message``: (status code or None, error text; empty when 2xx)."""
    endpoint, timestamp = message.endpoint, int(now.timestamp())
    signature = webhook_signature(
        secret=endpoint.secret, msg_id=message.public_id, timestamp=timestamp, body=message.body
    )
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message.public_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }
    parts = urlsplit(endpoint.url)
    try:
        connection = PinnedConnection(
            parts.hostname,
            parts.port or (443 if parts.scheme == "https" else 80),
            addresses=webhook_target_addresses(endpoint.url),
            tls=parts.scheme == "https",
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request("POST", path, body=message.body.encode(), headers=headers)
            answer = connection.getresponse()
            status, text = answer.status, answer.read(200).decode("utf-8", "replace")
        finally:
            connection.close()
    except WebhookTargetRefused as refused:
        return None, f"refused: {refused}"
    except (OSError, http.client.HTTPException, ValueError) as error:  # ValueError: an unsendable URL
        return None, f"{type(error).__name__}: {error}"[:500]
    return status, "" if 200 <= status < 300 else f"HTTP {status}: {text}"[:500]


def webhook_message_deliver(*, message_id: int, now: datetime | None = None) -> str:
    """Make the due attempt of one pending message. Returns ``delivered``, ``retrying``, ``failed``
    (given up, or its endpoint disabled), ``not_due`` or ``skipped`` (already done, unknown, or
    being delivered by another worker right now). Safe to run any number of times."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            WebhookMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(id=message_id, status=WebhookMessageStatus.PENDING)
            .first()
        )
        if message is None:
            return "skipped"
        if message.next_attempt_at > now:
            return "not_due"
        endpoint = message.endpoint
        if not endpoint.active:
            message.status, message.next_attempt_at = WebhookMessageStatus.FAILED, None
            message.last_error = f"endpoint disabled: {endpoint.disabled_reason}"[:500]
            message.save()
            return "failed"
        # The error is stored, as a log line is: in the source language whatever the caller's (an
        # eager task runs in the language of the request that published it).
        with translation.override(None):
            message.last_status_code, message.last_error = _attempt(message, now=now)
        message.attempts, message.last_attempt_at = message.attempts + 1, now
        endpoints = WebhookEndpoint.objects.filter(id=endpoint.id)
        if not message.last_error:
            message.status, message.delivered_at, message.next_attempt_at = (
                WebhookMessageStatus.DELIVERED,
                now,
                None,
            )
            message.save()
            endpoints.filter(consecutive_failures__gt=0).update(consecutive_failures=0)
            return "delivered"
        endpoints.update(consecutive_failures=F("consecutive_failures") + 1)
        message.next_attempt_at = webhook_retry_at(
            created_at=message.created_at, attempts=message.attempts, now=now
        )
        if message.next_attempt_at is None:
            message.status = WebhookMessageStatus.FAILED
            message.save()
            _disable_if_failing(message, now=now)
            return "failed"
        _retry_enqueue(message, now=now)
        return "retrying"


def _retry_enqueue(message: WebhookMessage, *, now: datetime) -> None:
    """Save the failed attempt and enqueue the retry for its due time, when that is near enough for
    a countdown; else the sweeper enqueues it once due.

    ``enqueued_at`` is then the due time itself (the task is enqueued *for* it): the sweeper
    leaves the message alone, unless the task has not delivered it ``ENQUEUE_LEASE`` later.
    """
    delay = (message.next_attempt_at - now).total_seconds()
    if delay > countdown_horizon():
        message.save()
        return
    message.enqueued_at = message.next_attempt_at
    message.save()
    webhook_deliveries_enqueue([message.id], countdown=max(delay, 0.0))


def _disable_if_failing(message: WebhookMessage, *, now: datetime) -> None:
    """Disable the endpoint of a given-up message unless something reached it since the message was made."""
    if WebhookMessage.objects.filter(
        endpoint_id=message.endpoint_id,
        status=WebhookMessageStatus.DELIVERED,
        delivered_at__gte=message.created_at,
    ).exists():
        return
    reason = f"every delivery failed for {RETRY_WINDOW.days} days; last: {message.last_error}"
    WebhookEndpoint.objects.filter(id=message.endpoint_id, active=True).update(
        active=False, disabled_at=now, disabled_reason=reason[:500]
    )


def webhooks_sweep(*, now: datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """Enqueue the deliveries of pending messages that are due and not enqueued for this attempt
    yet (or enqueued over ``ENQUEUE_LEASE`` ago: that task is presumed lost).

    Beat runs it every minute: retries, lost tasks and a broker outage all end here.
    Returns how many deliveries were enqueued.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            WebhookMessage.objects.filter(status=WebhookMessageStatus.PENDING, next_attempt_at__lte=now)
            .filter(
                Q(enqueued_at__isnull=True)
                | Q(enqueued_at__lt=F("next_attempt_at"))
                | Q(enqueued_at__lte=now - ENQUEUE_LEASE)
            )
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:batch]
        )
        WebhookMessage.objects.filter(id__in=ids).update(enqueued_at=now)
        webhook_deliveries_enqueue(ids)
    return len(ids)
