"""``Idempotency-Key`` on POST: the first answer to a key is kept and replayed.

* same key, same request (method, path and JSON body) → the stored answer,
  same status and body, with ``Idempotent-Replayed: true``;
* same key, another request → 422 ``idempotency_key_reused``;
* same key while the first request is still running → 409
  ``idempotency_in_progress`` (retry later).

The record is claimed (committed, ``in_progress``) before the view runs; the
view's writes and the stored answer then commit in one transaction, so a
crash leaves either both or neither. A request that fails with an error
releases its key (nothing was done under it), so the client may retry with
it. A record left ``in_progress`` by a killed process is taken over after
``API_IDEMPOTENCY_LOCK_SECONDS``. Records live ``API_IDEMPOTENCY_TTL_HOURS``
(24 h): expired ones of a key are deleted whenever that key sends its next
idempotent request, and all of them by ``manage.py purge_idempotency_keys``.
"""

import functools
import hashlib
import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .exceptions import Conflict, Unprocessable
from .models import ApiKey, IdempotencyRecord, IdempotencyState

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


def ttl() -> timedelta:
    return timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)


def request_fingerprint(request) -> str:
    """SHA-256 of the method, the path with its query and the JSON body in canonical form."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    text = f"{request.method} {request.get_full_path()}\n{body}"
    return hashlib.sha256(text.encode()).hexdigest()


def idempotency_claim(
    *, api_key: ApiKey, key: str, request_hash: str, now: datetime | None = None
) -> tuple[IdempotencyRecord, bool]:
    """The record of ``key``, and whether this request claimed it (and must now run).

    An unclaimed record is a finished one to replay. Raises ``Unprocessable``
    for a key reused with another request and ``Conflict`` while it runs.
    """
    now = now or timezone.now()
    IdempotencyRecord.objects.filter(api_key=api_key, created_at__lt=now - ttl()).delete()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    api_key=api_key, key=key, request_hash=request_hash, created_at=now
                )
            return record, True
        except IntegrityError:
            record = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
        if record is None:  # released between our insert and our read: try again
            continue
        if record.request_hash != request_hash:
            raise Unprocessable(
                "This Idempotency-Key was used with a different request; use a new key.",
                code="idempotency_key_reused",
            )
        if record.state == IdempotencyState.DONE:
            return record, False
        abandoned = now - timedelta(seconds=settings.API_IDEMPOTENCY_LOCK_SECONDS)
        if record.created_at < abandoned and IdempotencyRecord.objects.filter(
            id=record.id, state=IdempotencyState.IN_PROGRESS, created_at=record.created_at
        ).update(created_at=now):
            record.created_at = now
            return record, True
        raise Conflict(
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            code="idempotency_in_progress",
        )
    raise Conflict("This Idempotency-Key is contended; retry shortly.", code="idempotency_in_progress")


def idempotency_finish(*, record: IdempotencyRecord, status_code: int, body) -> None:
    """Store the answer; from now on the key replays it."""
    record.state = IdempotencyState.DONE
    record.status_code = status_code
    record.body = body
    record.save(update_fields=["state", "status_code", "body"])


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """Forget a claim whose request failed, so the key can be used again."""
    IdempotencyRecord.objects.filter(id=record.id, state=IdempotencyState.IN_PROGRESS).delete()


def _key_of(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise exceptions.ValidationError(
            {HEADER: [f"Must be 1–{MAX_KEY_LENGTH} printable characters, e.g. a UUID."]}
        )
    return key


def idempotent(handler):
    """Decorate a view's ``post``/``create``/action method to honour ``Idempotency-Key``."""

    @functools.wraps(handler)
    def wrapped(view, request, *args, **kwargs):
        key = _key_of(request)
        if key is None or not isinstance(request.auth, ApiKey):
            return handler(view, request, *args, **kwargs)
        record, claimed = idempotency_claim(
            api_key=request.auth, key=key, request_hash=request_fingerprint(request)
        )
        if not claimed:
            return Response(record.body, status=record.status_code, headers={REPLAYED_HEADER: "true"})
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                else:
                    body = (
                        json.loads(JSONRenderer().render(response.data))
                        if response.data is not None
                        else None
                    )
                    idempotency_finish(record=record, status_code=response.status_code, body=body)
        except BaseException:
            idempotency_release(record=record)
            raise
        if response.status_code >= 500:
            idempotency_release(record=record)
        return response

    wrapped.idempotent = True
    return wrapped
