"""Bulk loading for the benchmarks' data: numpy columns or a DataFrame into a table through COPY.

Two paths:

* ``copy_binary`` encodes numpy columns straight into PostgreSQL's binary COPY format (no text
  to write or to parse: a row is a field count, then a length and the big-endian bytes of each
  field) and hands the bytes to a ``CopyPipe``, whose thread runs the COPY while the caller
  builds the next chunk. The generator (``bench/_dataset.py``) loads everything this way.
* ``copy_frame`` writes a DataFrame as an in-memory CSV and COPYs it (``bench/bench_workspace.py``).

Both complete the NOT NULL columns the caller does not know (the schema moves on) from the
models' defaults and note which (``FILLED_FROM_DEFAULT``). ``COPY_SECONDS`` says where the
time went. ``utc`` turns epoch seconds into the naive UTC datetimes both paths take.
"""

from __future__ import annotations

import io
import json
import queue
import struct
import threading
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Seconds spent encoding (``csv`` or ``encode``) and in COPY, per table; the generator clears it.
COPY_SECONDS: dict[str, float] = {}

# Columns the generator does not know that were filled from the model's default.
FILLED_FROM_DEFAULT: set[str] = set()

_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_TRAILER = struct.pack(">h", -1)
# Microseconds from the Unix epoch to PostgreSQL's (2000-01-01 00:00 UTC).
_PG_EPOCH_US = 946_684_800 * 1_000_000
# The big-endian layout of each fixed-width type in binary COPY.
_FIXED = {
    "int2": ">i2",
    "int4": ">i4",
    "int8": ">i8",
    "float4": ">f4",
    "float8": ">f8",
    "bool": "u1",
    "timestamptz": ">i8",
    "timestamp": ">i8",
}
_TEXT = {"varchar", "text", "bpchar", "json", "jsonb"}


def _add(key: str, seconds: float) -> None:
    COPY_SECONDS[key] = COPY_SECONDS.get(key, 0.0) + seconds


def utc(seconds: np.ndarray) -> np.ndarray:
    """Naive UTC datetimes (the COPY session runs with ``TIME ZONE 'UTC'``): the fast path."""
    return np.asarray(seconds, dtype=np.int64).astype("datetime64[s]")


# --- columns the caller does not know -----------------------------------------------------------


def _required_columns(cursor, table: str) -> list[str]:
    """NOT NULL columns of ``table`` without a database default (identity columns aside)."""
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = %s AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    )
    return [name for (name,) in cursor.fetchall()]


def _default(table: str, column: str, rows: int):
    """The model's default of ``table.column``: one value, or one per row for a unique field
    with a callable default; "" for a text field without default. Anything else is an error."""
    from django.apps import apps
    from django.db import models

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    field = next(f for f in model._meta.concrete_fields if f.column == column)
    FILLED_FROM_DEFAULT.add(f"{table}.{column}")
    if field.has_default():
        if callable(field.default) and field.unique:
            return [field.get_default() for _ in range(rows)]
        return field.get_default()
    if isinstance(field, models.CharField | models.TextField):
        return ""
    raise RuntimeError(f"bench/_bulk_load.py does not know how to fill {table}.{column}")


def _complete(cursor, table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the required columns ``frame`` lacks from the model's defaults."""
    for column in _required_columns(cursor, table):
        if column not in frame.columns:
            value = _default(table, column, len(frame))
            frame[column] = json.dumps(value) if isinstance(value, list | dict) else value
    return frame


def copy_frame(cursor, table: str, columns: list[str], frame: pd.DataFrame) -> None:
    """COPY ``frame`` into ``table`` from an in-memory CSV (``columns`` first, then any required
    column the caller does not know, from the model's default)."""
    frame = _complete(cursor, table, frame)
    columns = [*columns, *(c for c in frame.columns if c not in columns)]
    frame = frame[columns]
    started = time.perf_counter()
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False, na_rep="\\N")
    buffer.seek(0)
    written = time.perf_counter()
    column_list = ", ".join(f'"{c}"' for c in columns)
    cursor.copy_expert(f"COPY {table} ({column_list}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)
    _add("csv", written - started)
    _add(table, time.perf_counter() - written)


# --- binary COPY -------------------------------------------------------------------------------


def column_types(cursor, table: str) -> dict[str, str]:
    """``{column: type name}`` of ``table`` (int8, varchar, timestamptz, …)."""
    cursor.execute(
        "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        [table],
    )
    return dict(cursor.fetchall())


class Table:
    """What binary COPY needs to know of a table: its column types and its required columns
    (read before a ``CopyPipe`` holds the connection); ``bind`` then fills in, from the models'
    defaults, the required columns the caller's chunks lack."""

    def __init__(self, cursor, name: str) -> None:
        self.name = name
        self.types = column_types(cursor, name)
        self.required = _required_columns(cursor, name)
        self.defaults: dict[str, object] = {}
        self.sql = ""

    def bind(self, given: list[str]) -> Table:
        if not self.sql:
            missing = [c for c in self.required if c not in given]
            self.defaults = {column: _default(self.name, column, 0) for column in missing}
            column_list = ", ".join(f'"{c}"' for c in [*given, *self.defaults])
            self.sql = f"COPY {self.name} ({column_list}) FROM STDIN WITH (FORMAT binary"
        return self


def _constant(kind: str, value) -> bytes:
    """One field (length and bytes) holding ``value`` in every row."""
    if value is None:
        return struct.pack(">i", -1)
    if kind in _FIXED:
        if kind.startswith("timestamp"):
            value = int(np.datetime64(value, "us").astype(np.int64)) - _PG_EPOCH_US
        data = np.array([value], dtype=_FIXED[kind]).tobytes()
    elif kind in _TEXT:
        text = json.dumps(value) if isinstance(value, list | dict) else str(value)
        data = (b"\x01" if kind == "jsonb" else b"") + text.encode()
    else:
        raise TypeError(f"binary COPY of type {kind} is not supported here")
    return struct.pack(">i", len(data)) + data


def _field(kind: str, value, rows: int) -> tuple[np.ndarray, np.ndarray | None]:
    """One column as a (rows or 1, 4 + width) byte block and, when rows differ in length (NULLs,
    strings of several lengths), the bytes each row uses."""
    if not isinstance(value, np.ndarray):
        return np.frombuffer(_constant(kind, value), dtype=np.uint8)[None, :], None
    mask = np.ma.getmaskarray(value) if np.ma.isMaskedArray(value) else None
    values = np.ma.getdata(value)
    if kind in _TEXT:
        return _text_field(kind, values.astype("S") if values.dtype.kind == "U" else values)
    if kind not in _FIXED:
        raise TypeError(f"binary COPY of type {kind} is not supported here")
    if values.dtype.kind == "M":
        values = values.astype("datetime64[us]").view(np.int64) - _PG_EPOCH_US
    elif values.dtype.kind == "f" and kind.startswith("float"):
        nan = np.isnan(values)
        mask = nan if mask is None else mask | nan
    payload = np.ascontiguousarray(values, dtype=_FIXED[kind]).view(np.uint8).reshape(rows, -1)
    width = payload.shape[1]
    block = np.empty((rows, 4 + width), dtype=np.uint8)
    block[:, 4:] = payload
    if mask is None or not mask.any():
        block[:, :4] = np.frombuffer(struct.pack(">i", width), dtype=np.uint8)
        return block, None
    block[:, :4] = np.where(mask, -1, width).astype(">i4").view(np.uint8).reshape(rows, 4)
    return block, np.where(mask, 4, 4 + width)


def _text_field(kind: str, values: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """A column of byte strings (``S`` dtype; jsonb gets its version byte in front)."""
    rows, width = len(values), values.dtype.itemsize
    prefix = 1 if kind == "jsonb" else 0
    lengths = np.strings.str_len(values).astype(np.int32) + prefix
    block = np.empty((rows, 4 + prefix + width), dtype=np.uint8)
    block[:, :4] = lengths.astype(">i4").view(np.uint8).reshape(rows, 4)
    if prefix:
        block[:, 4] = 1
    block[:, 4 + prefix :] = values.view(np.uint8).reshape(rows, width)
    if (lengths == prefix + width).all():
        return block, None
    return block, lengths + 4


def encode(table: Table, columns: dict[str, object], rows: int) -> list:
    """``rows`` rows of ``columns`` (numpy arrays, masked arrays for NULLs, NaN for a NULL float,
    or one value for every row), then the table's defaults, in binary COPY format: the pieces of
    one COPY's input, in order (not joined: that would copy them once more)."""
    started = time.perf_counter()
    table.bind(list(columns))
    fields = [
        _field(table.types[name], value, rows) for name, value in [*columns.items(), *table.defaults.items()]
    ]
    width = 2 + sum(block.shape[1] for block, _ in fields)
    matrix = np.empty((rows, width), dtype=np.uint8)
    matrix[:, :2] = np.frombuffer(struct.pack(">h", len(fields)), dtype=np.uint8)
    keep = None if all(used is None for _, used in fields) else np.ones((rows, width), dtype=bool)
    offset = 2
    for block, used in fields:
        matrix[:, offset : offset + block.shape[1]] = block
        if used is not None:
            keep[:, offset : offset + block.shape[1]] = np.arange(block.shape[1]) < used[:, None]
        offset += block.shape[1]
    body = matrix.reshape(-1) if keep is None else matrix[keep]
    _add("encode", time.perf_counter() - started)
    return [_HEADER, body, _TRAILER]


class _Reader:
    """A read-only file over the pieces ``encode`` made, for ``copy_expert``, without joining them."""

    def __init__(self, pieces: list) -> None:
        self.pieces = [memoryview(piece).cast("B") for piece in pieces]
        self.index = self.position = 0

    def read(self, size: int = -1) -> bytes:
        while self.index < len(self.pieces) and self.position >= len(self.pieces[self.index]):
            self.index, self.position = self.index + 1, 0
        if self.index == len(self.pieces):
            return b""
        piece = self.pieces[self.index]
        end = len(piece) if size < 0 else self.position + size
        chunk = piece[self.position : end].tobytes()
        self.position += len(chunk)
        return chunk


class CopyPipe:
    """COPYs on a thread of its own, so that the caller encodes the next chunk while PostgreSQL
    stores this one (psycopg2 lets go of the GIL while it sends and waits).

    ``put`` hands over a chunk (and raises the error of an earlier one); it waits while more
    than ``budget`` bytes are queued, so the caller can run ahead by that much (and the pipe has
    work while the caller plans the next table). ``close`` waits for the last and raises any
    error. The caller must not use the connection in between.
    """

    def __init__(self, connection, *, freeze: bool = False, budget: int = 512 << 20) -> None:
        self.connection, self.freeze, self.budget = connection, freeze, budget
        self.chunks: queue.Queue = queue.Queue()
        self.queued = 0
        self.room = threading.Condition()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="copy-pipe", daemon=True)
        self.thread.start()

    def put(self, table: Table, data: list) -> None:
        size = sum(memoryview(piece).nbytes for piece in data)
        with self.room:
            self.room.wait_for(lambda: self.queued + size <= self.budget or not self.queued or self.error)
            self.queued += size
        if self.error is not None:
            raise self.error
        self.chunks.put((table, data, size))

    def _run(self) -> None:
        cursor = self.connection.cursor()
        while (item := self.chunks.get()) is not None:
            table, data, size = item
            started = time.perf_counter()
            try:
                if self.error is None:
                    options = ", FREEZE)" if self.freeze else ")"
                    cursor.copy_expert(table.sql + options, _Reader(data), size=1 << 20)
            except Exception as error:  # noqa: BLE001 - raised again in the caller's thread
                self.error = error
            _add(table.name, time.perf_counter() - started)
            with self.room:
                self.queued -= size
                self.room.notify_all()
        cursor.close()

    def close(self) -> None:
        self.chunks.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def __enter__(self) -> CopyPipe:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if error is None:
            self.close()
            return
        self.error = self.error or error  # the thread skips what is still queued
        self.chunks.put(None)
        self.thread.join()


# --- around the load: indexes, foreign keys, statistics ------------------------------------------


@dataclass
class Index:
    """A secondary index, or the index of a UNIQUE constraint, as PostgreSQL describes them."""

    table: str
    name: str
    definition: str  # CREATE [UNIQUE] INDEX … (pg_get_indexdef)
    constraint: str = ""  # UNIQUE (…) (pg_get_constraintdef) when the index is a constraint's

    def drop_sql(self, quote) -> str:
        if self.constraint:
            return f"ALTER TABLE {quote(self.table)} DROP CONSTRAINT {quote(self.name)}"
        return f"DROP INDEX {quote(self.name)}"

    def create_sql(self, quote) -> str:
        if self.constraint:
            return f"ALTER TABLE {quote(self.table)} ADD CONSTRAINT {quote(self.name)} {self.constraint}"
        return self.definition


def secondary_indexes(cursor, tables: list[str]) -> list[Index]:
    """Every index of ``tables`` a bulk load is better off without: all but the primary keys,
    those a foreign key relies on, and partial ones (a predicate few rows meet costs little to
    keep up during the load, and building the index again would cost a scan of the table)."""
    cursor.execute(
        "SELECT t.relname, i.relname, pg_get_indexdef(i.oid), coalesce(pg_get_constraintdef(c.oid), '') "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "JOIN pg_class t ON t.oid = x.indrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
        "AND c.contype IN ('u', 'x') "
        "WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace AND NOT x.indisprimary "
        "AND x.indpred IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = x.indexrelid) "
        "ORDER BY t.relname, i.relname",
        [list(tables)],
    )
    return [Index(*row) for row in cursor.fetchall()]


def indexes_create(connect, indexes: list[Index], quote, *, sessions: int = 2, done=None) -> dict[str, float]:
    """Build ``indexes`` over ``sessions`` connections (``connect()`` opens one), in the order
    given (the biggest first, so that the sessions end together). Each index is a transaction
    of its own, which also runs ``done(cursor, index)`` (say, to cross it off a list). Returns
    the seconds each index took."""
    work: queue.Queue = queue.Queue()
    for index in indexes:
        work.put(index)
    seconds: dict[str, float] = {}
    errors: list[BaseException] = []

    def session(connection) -> None:
        with connection, connection.cursor() as cursor:
            while not errors:
                try:
                    index = work.get_nowait()
                except queue.Empty:
                    return
                started = time.perf_counter()
                try:
                    cursor.execute(index.create_sql(quote))
                    if done is not None:
                        done(cursor, index)
                    connection.commit()
                except Exception as error:  # noqa: BLE001 - raised again below
                    errors.append(error)
                seconds[index.name] = time.perf_counter() - started

    connections = [connect() for _ in range(sessions)]
    try:
        threads = [threading.Thread(target=session, args=(c,), name="index-build") for c in connections]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for connection in connections:
            connection.close()
    if errors:
        raise errors[0]
    return seconds


@dataclass
class ForeignKey:
    table: str
    column: str
    target: str
    target_column: str


def foreign_keys(cursor, tables: list[str]) -> list[ForeignKey]:
    """The single-column foreign keys of ``tables``."""
    cursor.execute(
        "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname "
        "FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1] "
        "WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND c.conrelid::regclass::text = ANY(%s) "
        "ORDER BY 1, 2",
        [list(tables)],
    )
    return [ForeignKey(*row) for row in cursor.fetchall()]


def foreign_key_orphans(cursor, tables: list[str], quote) -> dict[str, int]:
    """Rows of ``tables`` whose foreign key points nowhere, per key; {} when every key holds.

    Set-based, one scan per table: a key whose target column holds every integer from its
    minimum to its maximum (a primary key loaded densely: count = max - min + 1) is checked as a
    range; any other key by an anti-join.
    """
    keys = foreign_keys(cursor, tables)
    targets = {}
    for target, column in {(k.target, k.target_column) for k in keys}:
        cursor.execute(f"SELECT count(*), min({quote(column)}), max({quote(column)}) FROM {quote(target)}")  # noqa: S608
        count, low, high = cursor.fetchone()
        targets[target, column] = (low or 0, high or -1) if count == 0 or count == high - low + 1 else None
    broken: dict[str, int] = {}
    for table in sorted({k.table for k in keys}):
        ranged = [k for k in keys if k.table == table and targets[k.target, k.target_column]]
        for key in (k for k in keys if k.table == table and k not in ranged):
            cursor.execute(
                f"SELECT count(*) FROM {quote(table)} t WHERE t.{quote(key.column)} IS NOT NULL "  # noqa: S608
                f"AND NOT EXISTS (SELECT 1 FROM {quote(key.target)} x "
                f"WHERE x.{quote(key.target_column)} = t.{quote(key.column)})"
            )
            broken[f"{table}.{key.column}"] = cursor.fetchone()[0]
        if ranged:
            checks = ", ".join(
                f"count(*) FILTER (WHERE {quote(k.column)} NOT BETWEEN %s AND %s)" for k in ranged
            )
            bounds = [v for k in ranged for v in targets[k.target, k.target_column]]
            cursor.execute(f"SELECT {checks} FROM {quote(table)}", bounds)  # noqa: S608
            for key, count in zip(ranged, cursor.fetchone(), strict=True):
                broken[f"{table}.{key.column}"] = count
    return {key: count for key, count in broken.items() if count}
