"""Signing and verifying webhook messages (Standard Webhooks): pure functions, no database.

``webhook-id`` is the message's ``msg_…`` id on every attempt, ``webhook-timestamp`` the attempt's
seconds, ``webhook-signature`` ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``.
"""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.utils import timezone

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret


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
