"""Outbound webhooks: endpoints, the outbox, signed delivery with retries, the sweeper.

A writer calls ``webhook_event_publish`` in its own transaction: one outbox row per active
endpoint subscribed to the event, its delivery task enqueued on commit (a rollback publishes
nothing; the sweeper enqueues whatever is due and was not, or whose task was lost).

``webhook_message_deliver`` locks the row (``SKIP LOCKED``), re-checks that it is pending and
due, resolves the host again and refuses non-public addresses (DNS may have changed since the
endpoint was created), then POSTs to the very address it checked, signed per Standard Webhooks
(``webhook-id``: the message's ``msg_…`` id on every attempt; ``webhook-timestamp``: seconds,
this attempt; ``webhook-signature``: ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``).
No redirect is followed. 2xx delivers; anything else schedules the next attempt on
``WEBHOOK_RETRY_SCHEDULE`` (±20 % jitter) until ``RETRY_WINDOW`` after the event, then gives up.
Retries are enqueued by the sweeper (beat, every minute) once due: no Celery countdowns, which
Redis would hand out twice past its visibility timeout.
An endpoint is disabled when a message to it is given up and nothing was delivered to it since
that message was created: it refused every attempt for the whole window.
"""

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import random
import secrets
import socket
import ssl
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from analytics.models import WebhookEndpoint, WebhookEventType, WebhookMessage, WebhookMessageStatus

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
RETRY_WINDOW = timedelta(days=3)
JITTER = 0.2  # each delay is drawn from ±20 % of its nominal value
# An enqueued delivery not done after this long is presumed lost and enqueued again.
ENQUEUE_LEASE = timedelta(minutes=5)
SWEEP_BATCH = 1000
USER_AGENT = "CEM-Webhooks/1"


class WebhookTargetRefused(Exception):
    """The URL's host does not resolve, or resolves to an address webhooks may not reach."""


# --- Signing (pure) ---------------------------------------------------------------------------


def webhook_secret_new() -> str:
    """A new signing secret: ``whsec_`` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_signature(*, secret: str, msg_id: str, timestamp: int, body: str | bytes) -> str:
    """The ``webhook-signature`` value: ``v1,`` + base64 HMAC-SHA256 of ``msg_id.timestamp.body``,
    keyed with the base64-decoded part of ``secret`` after ``whsec_``."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    body_bytes = body.encode() if isinstance(body, str) else body
    signed = f"{msg_id}.{timestamp}.".encode() + body_bytes
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def webhook_verify(
    *,
    secret: str,
    headers: Mapping[str, str],
    body: str | bytes,
    now: datetime | None = None,
    tolerance: timedelta = timedelta(minutes=5),
) -> bool:
    """Whether ``headers`` carry a valid signature of ``body`` made within ``tolerance`` of ``now``.

    What a receiver does; ``webhook-signature`` may list several space-separated signatures.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    msg_id = lowered.get("webhook-id", "")
    try:
        timestamp = int(lowered.get("webhook-timestamp", ""))
    except ValueError:
        return False
    now = now or timezone.now()
    if abs(now.timestamp() - timestamp) > tolerance.total_seconds():
        return False
    expected = webhook_signature(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body)
    offered = lowered.get("webhook-signature", "").split()
    return any(hmac.compare_digest(expected, signature) for signature in offered)


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


# --- Targets ------------------------------------------------------------------------------------


def _address_refusal(address: str) -> str | None:
    """Why webhooks may not connect to ``address``, or None.

    Loopback is allowed by ``WEBHOOK_ALLOW_LOOPBACK`` or ``WEBHOOK_ALLOW_PRIVATE_TARGETS``; other
    private ranges (RFC 1918, unique-local, shared 100.64/10) by the latter only. Link-local
    (home of cloud metadata services), multicast, reserved and unspecified (0.0.0.0 reaches the
    local host) addresses are never allowed: no webhook receiver lives there.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        allowed = settings.WEBHOOK_ALLOW_LOOPBACK or settings.WEBHOOK_ALLOW_PRIVATE_TARGETS
        return None if allowed else f"{ip} is a loopback address"
    for kind in ("link_local", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return f"{ip} is a {kind.replace('_', '-')} address"
    if ip.is_global or settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return None
    return f"{ip} is a private address"


def webhook_target_addresses(url: str) -> list[str]:
    """The addresses ``url``'s host resolves to, every one of them allowed; raises
    ``WebhookTargetRefused`` otherwise (one refused address refuses the target)."""
    parts = urlsplit(url)
    if not parts.hostname:  # getaddrinfo(None) would answer with the local host
        raise WebhookTargetRefused("the URL names no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:
        raise WebhookTargetRefused(f"{parts.hostname} does not resolve: {error}") from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        refusal = _address_refusal(address)
        if refusal:
            raise WebhookTargetRefused(f"{parts.hostname} resolves to {refusal}")
    return addresses


def _url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as error:
        return f"not a valid URL: {error}"
    if not url.isascii():
        return "must be ASCII: write an international host name in punycode and percent-encode the path"
    if parts.scheme not in ("http", "https"):
        return "must be an http:// or https:// URL"
    if not parts.hostname:
        return "must name a host"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials; authenticate the signature instead"
    try:
        webhook_target_addresses(url)
    except WebhookTargetRefused as refused:
        return f"refused: {refused}"
    return None


# --- Endpoints ----------------------------------------------------------------------------------


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
    elif problem := _url_problem(url):
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


# --- Publishing -----------------------------------------------------------------------------------


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
    _enqueue([message.id for message in messages])
    return len(messages)


def webhook_event_publish(*, event_type: str, payload: dict, occurred_at: datetime | None = None) -> int:
    """``webhook_events_publish`` of one event."""
    return webhook_events_publish(event_type=event_type, payloads=[payload], occurred_at=occurred_at)


def _enqueue(message_ids: list[int]) -> None:
    from analytics import tasks  # tasks import the services

    for message_id in message_ids:
        tasks.webhook_deliver.delay_on_commit(message_id)


# --- Delivery ---------------------------------------------------------------------------------------


class _PinnedConnection(http.client.HTTPSConnection):
    """HTTP(S) to the addresses that were checked, not to whatever the name resolves to next; with
    ``tls`` the certificate is verified against the host name, as for any HTTPS request."""

    def __init__(self, host: str, port: int, *, addresses: list[str], tls: bool, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.addresses, self.tls = addresses, tls
        self.default_port = 443 if tls else 80  # the Host header names the port only when unusual

    def connect(self) -> None:
        error: OSError = OSError("no address to connect to")
        for address in self.addresses:
            try:
                sock = socket.create_connection((address, self.port), self.timeout)
                break
            except OSError as failed:
                error = failed
        else:
            raise error
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host) if self.tls else sock


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
        connection = _PinnedConnection(
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
        message.save()  # the sweeper enqueues the retry once it is due
        return "retrying"


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
        _enqueue(ids)
    return len(ids)
