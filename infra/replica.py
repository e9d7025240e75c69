"""Reads from a PostgreSQL streaming replica, only where a view asks for them.

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database and the router
``infra.db_router.ReplicaRouter``. Every read still goes to the primary (``default``) unless it
runs inside ``replica_reads()``, a scope the read-only pages take as a whole (the dashboards,
their downloads, the metrics API)::

    @replica_reads()
    def overview(request): ...

    with replica_reads():
        figures = nps_by_touchpoint(filters=filters)

A scope decides once, when it opens, where its reads go, so that everything it reads (the
rollups' stamp a page keys its cache with, and the figures kept under it) comes from one server.
It stays on the primary when

* no replica is configured;
* the visitor wrote within ``REPLICA_PIN_SECONDS`` (``ReplicaPinMiddleware`` sets a short-lived
  cookie on every accepted POST, PUT, PATCH or DELETE), so their own new rows are there to read;
* the replica is unreachable or more than ``REPLICA_MAX_LAG_SECONDS`` behind (a warning is logged
  when that starts, not on every request).

Inside the scope a write still goes to the primary, and from then on so do the scope's reads; so
does any read made inside a transaction of the primary. ``replica_state()`` tells where the
current scope reads and how far behind that is, for a page or an answer to say how fresh it is.

The lag is measured on the replica, once per ``REPLICA_LAG_CHECK_SECONDS`` per process: a replica
that has replayed all the WAL it received, while receiving, is current, however old its last
replayed transaction (the primary may simply have written nothing since); one that has WAL left
to replay is as far behind as the age of the last transaction it replayed.
"""

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
PIN_COOKIE = "cem_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# One row: is it a standby at all; is it receiving WAL and has it replayed all it received;
# seconds since the commit of the last transaction it replayed (NULL before the first).
LAG_SQL = """
SELECT pg_is_in_recovery(),
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver)
           AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
"""


class ReplicaState(NamedTuple):
    """Where reads go (``"default"`` or ``"replica"``) and, on the replica, how many seconds behind
    the primary its figures may be (0.0: it has replayed everything); ``None`` on the primary."""

    alias: str
    lag_seconds: float | None


ON_PRIMARY = ReplicaState(PRIMARY, None)


@dataclass(slots=True)
class _Scope:
    alias: str
    lag_seconds: float | None


@dataclass(slots=True)
class _RequestMarks:
    pinned: bool
    wrote: bool = False


_scope: ContextVar[_Scope | None] = ContextVar("replica_scope", default=None)
_request: ContextVar[_RequestMarks | None] = ContextVar("replica_request", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


# --- The replica's lag, measured at most once per interval per process ---------------------


@dataclass(frozen=True, slots=True)
class _Reading:
    at: float  # time.monotonic() of the measurement
    lag_seconds: float | None  # None: unusable (see reason)
    reason: str = ""


def _measure() -> _Reading:
    replica = connections[REPLICA]
    try:
        with replica.cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, caught_up, behind = cursor.fetchone()
    except (DatabaseError, InterfaceError) as error:
        # A dead connection is dropped, so the next measurement connects afresh.
        with suppress(DatabaseError, InterfaceError):
            replica.close()
        return _Reading(time.monotonic(), None, f"unreachable: {error}".strip())
    if not in_recovery or caught_up:
        return _Reading(time.monotonic(), 0.0)
    if behind is None:
        return _Reading(time.monotonic(), None, "it has replayed no transaction yet")
    return _Reading(time.monotonic(), max(0.0, float(behind)))


class _LagCheck:
    """The last reading of this process, renewed when older than the interval. While one thread
    measures (a replica that does not answer may take its connect timeout), the others use the
    previous reading, or the primary when there is none yet."""

    def __init__(self, measure: Callable[[], _Reading]):
        self._measure = measure
        self._lock = threading.Lock()
        self._reading: _Reading | None = None
        self._was_usable: bool | None = None

    def reading(self, *, interval: float) -> _Reading | None:
        reading = self._reading
        if reading is not None and time.monotonic() - reading.at < interval:
            return reading
        if not self._lock.acquire(blocking=False):
            return reading
        try:
            self._reading = reading = self._measure()
        finally:
            self._lock.release()
        return reading

    def note(self, *, usable: bool, reading: _Reading, max_lag: float) -> None:
        """Log a change between usable and not: a warning when the replica stops being used."""
        was_usable, self._was_usable = self._was_usable, usable
        if usable == was_usable:
            return
        if usable:
            if was_usable is not None:
                logger.info("replica in use again (%.1f s behind)", reading.lag_seconds)
        elif reading.lag_seconds is None:
            logger.warning("replica not used, reading from the primary: %s", reading.reason)
        else:
            logger.warning(
                "replica not used, reading from the primary: %.1f s behind (more than %s s)",
                reading.lag_seconds,
                max_lag,
            )


_lag_check = _LagCheck(_measure)


def _choose() -> _Scope:
    if not replica_configured():
        return _Scope(PRIMARY, None)
    marks = _request.get()
    if marks is not None and marks.pinned:
        return _Scope(PRIMARY, None)
    if connections[PRIMARY].in_atomic_block:
        # Opened inside a transaction of the primary: its reads must see that transaction's writes.
        return _Scope(PRIMARY, None)
    reading = _lag_check.reading(interval=settings.REPLICA_LAG_CHECK_SECONDS)
    if reading is None:  # the first measurement of this process is under way in another thread
        return _Scope(PRIMARY, None)
    max_lag = settings.REPLICA_MAX_LAG_SECONDS
    usable = reading.lag_seconds is not None and reading.lag_seconds <= max_lag
    _lag_check.note(usable=usable, reading=reading, max_lag=max_lag)
    return _Scope(REPLICA, reading.lag_seconds) if usable else _Scope(PRIMARY, None)


# --- The scope ---------------------------------------------------------------------------


@contextmanager
def replica_reads() -> Iterator[ReplicaState]:
    """A scope whose reads the replica serves when it may (see the module's docstring); usable
    as ``with replica_reads():`` or as a decorator, ``@replica_reads()``. A scope opened inside
    another keeps the outer one's choice. Yields the scope's ``ReplicaState`` as chosen."""
    scope = _scope.get()
    token = _scope.set(scope if scope is not None else _choose())
    try:
        yield replica_state()
    finally:
        _scope.reset(token)


def replica_state() -> ReplicaState:
    """Where the reads of the current scope go now, and how far behind that is (``ON_PRIMARY``
    outside any scope)."""
    alias = read_alias()
    if alias == PRIMARY:
        return ON_PRIMARY
    return ReplicaState(alias, _scope.get().lag_seconds)


def read_alias() -> str:
    """The database the router sends a read to."""
    scope = _scope.get()
    if scope is None or scope.alias == PRIMARY:
        return PRIMARY
    if connections[PRIMARY].in_atomic_block:
        # A read inside a transaction of the primary must see that transaction's writes.
        return PRIMARY
    return scope.alias


def note_write() -> None:
    """A write is going to the primary: the rest of the scope reads there too, and the request
    counts as one that wrote (``ReplicaPinMiddleware``)."""
    scope = _scope.get()
    if scope is not None and scope.alias != PRIMARY:
        scope.alias, scope.lag_seconds = PRIMARY, None
    marks = _request.get()
    if marks is not None:
        marks.wrote = True


# --- Sticky primary after a write ----------------------------------------------------------


def _pinned(request: HttpRequest) -> bool:
    try:
        until = float(request.COOKIES.get(PIN_COOKIE, ""))
    except ValueError:
        return False
    now = time.time()
    # A cookie naming a time further off than a pin lasts was not set here: it pins nothing.
    return now < until <= now + settings.REPLICA_PIN_SECONDS + 1


def _pin(response: HttpResponse) -> None:
    seconds = settings.REPLICA_PIN_SECONDS
    if seconds <= 0:
        return
    response.set_cookie(
        PIN_COOKIE,
        f"{time.time() + seconds:.3f}",
        max_age=math.ceil(seconds),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class ReplicaPinMiddleware:
    """Keep a visitor's reads on the primary for ``REPLICA_PIN_SECONDS`` after they wrote.

    An unsafe request (POST, PUT, PATCH, DELETE) that was accepted (status below 400), or that
    sent a write to the primary whatever its answer, sets the cookie ``cem_primary_until``;
    ``replica_reads`` scopes of the requests that carry it read from the primary. A cookie holds
    no credential (forging one only costs the replica a visitor), and a client that keeps no
    cookies, an API client, is not pinned. Installed only with a replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        marks = _RequestMarks(pinned=_pinned(request))
        token = _request.set(marks)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if request.method not in SAFE_METHODS and (response.status_code < 400 or marks.wrote):
            _pin(response)
        return response
