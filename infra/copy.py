"""Raw rows out of PostgreSQL at ``COPY`` speed, streamed with flat memory.

An export is a ``SELECT`` (``ExportQuery``): its columns say how each value is written. Two ways out:

* ``csv_chunks`` runs ``COPY (SELECT …) TO STDOUT WITH (FORMAT csv)`` and yields the bytes as
  the server sends them — no Python per row, so a download goes at the speed of ``COPY`` itself;
* ``row_batches`` reads typed rows through a server-side cursor, for writers that need values
  (XLSX).

Both run the query on a thread of their own, with that thread's own connection to ``using``
(Django opens one per thread), and hand chunks over a small bounded queue: the consumer (a
streaming response, an export task) receives the first bytes while the server is still reading,
memory stays at a few chunks whatever the size, and a consumer that stops early (a closed
download) stops the query. The consumer's own connection stays free, so a task can record its
progress while the rows flow. A thread's connection sees only committed rows.

Cells are safe for spreadsheets (CSV/XLSX injection, OWASP): a text cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single quote, in SQL for CSV.
"""

import contextlib
import queue
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db import connections, transaction

CHUNK_BYTES = 1 << 16
BATCH_ROWS = 2000
QUEUE_CHUNKS = 8
# Seconds a producer waits on a full queue before it checks whether its consumer went away.
PUT_WAIT = 0.5

# A text value a spreadsheet would run as a formula gets a leading quote (as ``safe_text``).
_FORMULA = "CASE WHEN left({0}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || {0} ELSE {0} END"


@dataclass(frozen=True)
class Column:
    """One column of an export: its header, its SQL expression and how it is written.

    ``kind``: ``text`` (formula-safe), ``number`` (as PostgreSQL writes it: 9, 0.85), ``local_time``
    (a timestamp in the platform's time zone, second precision), ``utc_time`` (ISO 8601 in UTC, as
    the CSV import reads back), ``bool`` (true/false).
    """

    header: str
    expr: str
    kind: str = "text"


@dataclass(frozen=True)
class ExportQuery:
    """``SELECT <columns> <body>``: ``body`` is the ``FROM … WHERE … ORDER BY …`` with ``%s``
    placeholders for ``params``; ``time_zone`` the zone ``local_time`` columns are written in."""

    columns: Sequence[Column]
    body: str
    params: Sequence = field(default_factory=tuple)
    time_zone: str = "UTC"

    @property
    def header(self) -> list[str]:
        return [column.header for column in self.columns]

    def select(self, *, as_text: bool) -> tuple[str, list]:
        """The query with its parameters: cells as CSV text (``as_text``) or as typed values."""
        render = _text_cell if as_text else _typed_cell
        expressions, params = [], []
        for column in self.columns:
            sql, extra = render(column, self.time_zone)
            expressions.append(sql)
            params.extend(extra)
        return f"SELECT {', '.join(expressions)} {self.body}", [*params, *self.params]


def formula_safe(expr: str) -> str:
    return _FORMULA.format(f"({expr})")


def _text_cell(column: Column, time_zone: str) -> tuple[str, list]:
    expr = column.expr
    if column.kind == "text":  # an empty text is written as nothing, as a spreadsheet writes it
        return formula_safe(f"NULLIF({expr}, '')"), []
    if column.kind == "local_time":
        return f"to_char(({expr}) AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI:SS')", [time_zone]
    if column.kind == "utc_time":
        return f"to_char(({expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')", []
    if column.kind == "bool":
        return f"CASE WHEN {expr} THEN 'true' ELSE 'false' END", []
    return expr, []


def _typed_cell(column: Column, time_zone: str) -> tuple[str, list]:
    if column.kind == "local_time":
        return f"date_trunc('second', ({column.expr}) AT TIME ZONE %s)", [time_zone]
    if column.kind == "utc_time":
        return f"(({column.expr}) AT TIME ZONE 'UTC')", []
    return column.expr, []


class _Stopped(Exception):
    """The consumer went away; the producer ends its query."""


_DONE = object()


@dataclass
class Transfer:
    """What a finished transfer reports: ``rows`` the server sent (set once the query ends)."""

    rows: int | None = None


class _Pipe:
    """A bounded hand-over from the producer thread to the consumer."""

    def __init__(self) -> None:
        self.items: queue.Queue = queue.Queue(maxsize=QUEUE_CHUNKS)
        self.closed = threading.Event()
        self.connection = None  # the producer's psycopg2 connection, to cancel a query left behind

    def put(self, item) -> None:
        while True:
            if self.closed.is_set():
                raise _Stopped
            try:
                self.items.put(item, timeout=PUT_WAIT)
                return
            except queue.Full:
                continue


class _ChunkWriter:
    """The file ``copy_expert`` writes to: gathers the server's rows into chunks for the pipe."""

    def __init__(self, pipe: _Pipe) -> None:
        self.pipe = pipe
        self.buffer = bytearray()

    def write(self, data) -> int:
        self.buffer += data.encode() if isinstance(data, str) else data
        if len(self.buffer) >= CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.pipe.put(bytes(self.buffer))
            self.buffer.clear()


def _threaded(produce: Callable[[object, _Pipe], int], using: str, transfer: Transfer) -> Iterator:
    """Run ``produce(cursor, pipe)`` on a thread with its own connection; yield what it puts."""
    pipe = _Pipe()

    def run() -> None:
        try:
            with connections[using].cursor() as cursor:
                pipe.connection = cursor.connection
                rows = produce(cursor, pipe)
            pipe.put((_DONE, rows))
        except _Stopped:
            pass
        except Exception as error:  # noqa: BLE001 - handed to the consumer, which raises it
            with contextlib.suppress(_Stopped):
                pipe.put(error)
        finally:
            connections[using].close()

    thread = threading.Thread(target=run, name="copy-out", daemon=True)
    thread.start()
    try:
        while True:
            item = pipe.items.get()
            if isinstance(item, Exception):
                raise item
            if isinstance(item, tuple) and item and item[0] is _DONE:
                transfer.rows = item[1]
                return
            yield item
    finally:
        pipe.closed.set()
        if thread.is_alive() and pipe.connection is not None:
            # The consumer stopped early (a closed download): stop the server's work too.
            with contextlib.suppress(Exception):
                pipe.connection.cancel()
        thread.join()


def _copy_statement(cursor, query: ExportQuery) -> str:
    sql, params = query.select(as_text=True)
    return f"COPY ({cursor.mogrify(sql, params).decode()}) TO STDOUT WITH (FORMAT csv)"


def _inside_transaction(using: str) -> bool:
    """Whether the caller is inside a transaction: then it reads on its own connection, which sees
    the transaction's own rows (another connection would not)."""
    return connections[using].in_atomic_block


def csv_chunks(
    query: ExportQuery, *, using: str = "default", transfer: Transfer | None = None
) -> Iterator[bytes]:
    """The rows of ``query`` as CSV bytes (no header), in chunks of about ``CHUNK_BYTES``."""
    transfer = transfer or Transfer()
    if _inside_transaction(using):
        return _csv_inline(query, using, transfer)

    def produce(cursor, pipe: _Pipe) -> int:
        writer = _ChunkWriter(pipe)
        cursor.copy_expert(_copy_statement(cursor, query), writer)
        writer.flush()
        return cursor.rowcount

    return _threaded(produce, using, transfer)


def _csv_inline(query: ExportQuery, using: str, transfer: Transfer) -> Iterator[bytes]:
    """``csv_chunks`` on the caller's own connection: ``COPY`` into a spooled file (memory up to a
    few chunks, disk beyond), then the file in chunks."""
    with tempfile.SpooledTemporaryFile(max_size=QUEUE_CHUNKS * CHUNK_BYTES) as spool:
        with connections[using].cursor() as cursor:
            cursor.copy_expert(_copy_statement(cursor, query), spool)
            transfer.rows = cursor.rowcount
        spool.seek(0)
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk


def row_batches(
    query: ExportQuery, *, using: str = "default", transfer: Transfer | None = None
) -> Iterator[list[tuple]]:
    """The rows of ``query`` as typed tuples, in lists of ``BATCH_ROWS``, from a server-side cursor."""
    transfer = transfer or Transfer()
    if _inside_transaction(using):
        return _batches(query, using, transfer)

    def produce(cursor, pipe: _Pipe) -> int:
        for batch in _batches(query, using, transfer):
            pipe.put(batch)
        return transfer.rows

    return _threaded(produce, using, transfer)


def _batches(query: ExportQuery, using: str, transfer: Transfer) -> Iterator[list[tuple]]:
    """The rows in batches, fetched on this thread's connection."""
    sql, params = query.select(as_text=False)
    rows = 0
    # A server-side cursor lives inside a transaction.
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        statement = cursor.mogrify(sql, params).decode()
        with cursor.connection.cursor(name=f"export_rows_{threading.get_ident()}") as named:
            named.itersize = BATCH_ROWS
            named.execute(statement)
            while batch := named.fetchmany(BATCH_ROWS):
                rows += len(batch)
                yield batch
    transfer.rows = rows
