"""``Idempotency-Key`` on POST: the first answer to a key is kept and replayed.

* same key, same request (method, path and JSON body) → the stored answer,
  same status and body, with ``Idempotent-Replayed: true``;
* same key, another request → 422 ``idempotency_key_reused``;
* same key while the first request is still running → 409
  ``idempotency_in_progress`` (retry later).

The record is created (committed, ``in_progress``) before the view runs, then
held with a row lock (``SELECT … FOR UPDATE SKIP LOCKED``) in the transaction
that runs the view and stores its answer: the view's writes and the answer
commit together, so a crash leaves either both or neither. The lock, not the
row, says that a request is running: it ends with the holder's transaction,
however that ends. So a request that fails (an error, a 5xx, a database
outage, a killed process) leaves its key free for the retry at once, even when
it could not delete its claim because the database was down; it also deletes
the claim when it can. Only on a database without row locks (SQLite) does a
claim left ``in_progress`` wait ``API_IDEMPOTENCY_LOCK_SECONDS`` before it is
taken over. Records live ``API_IDEMPOTENCY_TTL_HOURS``
(24 h): expired ones of a key are deleted whenever that key sends its next
idempotent request, and all of them by ``manage.py purge_idempotency_keys``.
"""

import functools
import hashlib
import json
import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .exceptions import Conflict, Unprocessable
from .models import ApiKey, IdempotencyRecord, IdempotencyState

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEY_PATTERN = re.compile(r"[!-~]+")

logger = logging.getLogger("api")


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
    """The record of ``key`` (created, committed and ``in_progress``, if new) and whether it is new.

    Raises ``Unprocessable`` for a key reused with another request. Whether this request may
    run under the record is for ``idempotency_hold`` to say, in the request's transaction.
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
                gettext("This Idempotency-Key was used with a different request; use a new key."),
                code="idempotency_key_reused",
            )
        return record, False
    raise _contended()


def _contended() -> Conflict:
    return _in_progress(gettext("This Idempotency-Key is contended; retry shortly."))


def _in_progress(message: str = "") -> Conflict:
    return Conflict(
        message or gettext("A request with this Idempotency-Key is still being processed; retry shortly."),
        code="idempotency_in_progress",
    )


def idempotency_hold(
    *, record: IdempotencyRecord, created: bool, now: datetime | None = None
) -> IdempotencyRecord | None:
    """Take ``record`` for this request; call inside the transaction that does the request's work.

    Returns the record as it now stands: ``done`` (another request finished it: replay it) or
    ``in_progress`` and held by this request until its transaction ends. ``None`` if it was
    released meanwhile (claim it again). Raises ``Conflict`` while another request holds it.

    Where the database has row locks (PostgreSQL) the holder is whoever has the row locked: the
    lock lasts exactly as long as the holder's transaction, so a claim whose request answered,
    failed, crashed or lost its connection (a database restart ends every transaction) is free
    at once, even when the failed request could not delete it. Without row locks (SQLite) a
    claim counts as held for ``API_IDEMPOTENCY_LOCK_SECONDS`` unless it was released.
    """
    if connection.features.has_select_for_update_skip_locked:
        held = IdempotencyRecord.objects.select_for_update(skip_locked=True).filter(id=record.id).first()
        if held is None and IdempotencyRecord.objects.filter(id=record.id).exists():
            raise _in_progress()
        return held
    held = IdempotencyRecord.objects.filter(id=record.id).first()
    if held is None or held.state == IdempotencyState.DONE or created:
        return held
    now = now or timezone.now()
    abandoned = now - timedelta(seconds=settings.API_IDEMPOTENCY_LOCK_SECONDS)
    if held.created_at < abandoned and IdempotencyRecord.objects.filter(
        id=held.id, state=IdempotencyState.IN_PROGRESS, created_at=held.created_at
    ).update(created_at=now):
        held.created_at = now
        return held
    raise _in_progress()


def idempotency_finish(*, record: IdempotencyRecord, status_code: int, body) -> None:
    """Store the answer; from now on the key replays it."""
    record.state = IdempotencyState.DONE
    record.status_code = status_code
    record.body = body
    record.save(update_fields=["state", "status_code", "body"])


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """Forget a claim whose request failed, so the key can be used again."""
    IdempotencyRecord.objects.filter(id=record.id, state=IdempotencyState.IN_PROGRESS).delete()


def _release_if_possible(record: IdempotencyRecord) -> None:
    """Release a failed request's claim; with the database down the claim stays, unlocked (free)."""
    try:
        idempotency_release(record=record)
    except DatabaseError as error:
        logger.warning("Idempotency-Key claim %s not released: %s", record.id, error)


def _replay(record: IdempotencyRecord) -> Response:
    return Response(record.body, status=record.status_code, headers={REPLAYED_HEADER: "true"})


def _key_of(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    # As the schema says: visible ASCII only (``^[!-~]+$``), no space, 1 to MAX_KEY_LENGTH of them.
    if not KEY_PATTERN.fullmatch(key) or len(key) > MAX_KEY_LENGTH:
        message = gettext("Must be 1–%(max)s printable characters, e.g. a UUID.")
        raise exceptions.ValidationError({HEADER: [message % {"max": MAX_KEY_LENGTH}]})
    return key


def idempotent(handler):
    """Decorate a view's ``post``/``create``/action method to honour ``Idempotency-Key``."""

    @functools.wraps(handler)
    def wrapped(view, request, *args, **kwargs):
        key = _key_of(request)
        if key is None or not isinstance(request.auth, ApiKey):
            return handler(view, request, *args, **kwargs)
        request_hash = request_fingerprint(request)
        for _attempt in range(3):
            record, created = idempotency_claim(api_key=request.auth, key=key, request_hash=request_hash)
            if record.state == IdempotencyState.DONE:
                return _replay(record)
            held = False
            try:
                with transaction.atomic():
                    record = idempotency_hold(record=record, created=created)
                    if record is None:  # released by its failed holder meanwhile: claim it anew
                        continue
                    if record.state == IdempotencyState.DONE:
                        return _replay(record)
                    held = True
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
                if held:
                    _release_if_possible(record)
                raise
            if response.status_code >= 500:
                _release_if_possible(record)
            return response
        raise _contended()

    wrapped.idempotent = True
    return wrapped
