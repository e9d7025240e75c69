"""Loading the benchmark data set (``bench/_dataset.py`` says what it holds) and keeping it.

``generate(n)`` replaces whatever the current database holds with ``n`` responses and the rest.
Steps 1–4 are one transaction: a load that fails there leaves the previous data as it was.

1. *prepare*: TRUNCATE the source tables and every analytics rollup, score, stale mark and
   bucket table (found by name, ``analytics_…rollup|score|mark|bucket``; CASCADE reaches whatever
   else references them); forget the previous load's record; drop the big tables' secondary
   indexes and UNIQUE constraints (all but primary keys, the indexes foreign keys use, and
   partial ones), their definitions (``pg_get_indexdef`` / ``pg_get_constraintdef``) kept in
   ``bench_pending_index``; write the catalogue (touchpoints, surveys, questions, journey maps)
   through the ORM (``bench/_dataset_catalogue.py``);
2. *load*: customers, journeys, interactions, invitations, responses and answers, built as numpy
   columns and sent as binary ``COPY … FREEZE`` (the rows are written frozen and all-visible, so
   the VACUUM afterwards has nothing to rewrite) by a ``CopyPipe`` thread while this one builds
   the next chunk; foreign-key triggers are off (``session_replication_role = replica``);
3. *check*: every foreign key of the loaded tables, set-based (``foreign_key_orphans``);
4. *constraints*: the UNIQUE constraints again, before the commit (no reader can hold them up);
5. *commit*, then *indexes*: the plain indexes built again exactly as they were, over two
   sessions, each crossed off ``bench_pending_index`` as it is done (``repair`` builds what a
   stopped load left listed); then *vacuum*: ``VACUUM ANALYZE`` of the loaded tables.

Then it records the load in ``bench_dataset`` (size, seed, the generator's fingerprint, seconds
per phase, rows per table). ``dataset(n)`` points Django at the size's own database
(``cem_bench_10k``, ``cem_bench_1m``, ``cem_bench_10m``; ``BENCH_DATABASE_URL`` overrides),
migrates it, and loads only when that record does not match (or ``force``).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from bench import _bulk_load, _dataset, _dataset_catalogue, _services
from bench._bulk_load import CopyPipe, Table
from bench._dataset import Shape

CHUNK = 250_000
SEED = 20240601
SERVER = "postgres://root@127.0.0.1:5432/"
# The tables the generator writes: the catalogue (through the ORM) and the bulk (through COPY).
CATALOGUE = (
    "touchpoints_touchpoint",
    "surveys_survey",
    "surveys_question",
    "journeys_journeymap",
    "journeys_journeymapstep",
)
BULK = (
    "touchpoints_customer",
    "journeys_journey",
    "touchpoints_interaction",
    "surveys_invitation",
    "surveys_response",
    "surveys_answer",
)
DERIVED = r"^analytics_.*(rollup|score|mark|bucket)$"
# The indexes a load dropped and has not built again yet (empty once a load is through).
PENDING = """CREATE TABLE IF NOT EXISTS bench_pending_index (
    table_name text NOT NULL, name text PRIMARY KEY, definition text NOT NULL,
    constraint_def text NOT NULL)"""
RECORD = """CREATE TABLE IF NOT EXISTS bench_dataset (
    size bigint NOT NULL, seed bigint NOT NULL, fingerprint text NOT NULL,
    loaded_at timestamptz NOT NULL, first_day date NOT NULL, last_day date NOT NULL,
    seconds jsonb NOT NULL, counts jsonb NOT NULL, load_average text NOT NULL)"""


def fingerprint(*, journeys: bool = True) -> str:
    """A hash of the generator's source: a load is reused only by the code that made it."""
    digest = hashlib.sha256()
    for name in ("_dataset.py", "_dataset_catalogue.py", "_dataset_load.py", "_bulk_load.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16] + ("" if journeys else "-no-journeys")


def size_label(size: int) -> str:
    """10k, 1m, 10m, 250k …; the digits when not a round thousand."""
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def database_url(size: int) -> str:
    """The database of ``size`` responses: ``BENCH_DATABASE_URL`` if set, else cem_bench_<label>."""
    return os.environ.get("BENCH_DATABASE_URL") or f"{SERVER}cem_bench_{size_label(size)}"


def use_database(url: str, *, migrate: bool = True) -> None:
    """Point Django (set up or not yet) at ``url``, created when missing, build any index a
    stopped load left out (``repair``), and migrate."""
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connections

    if not apps.ready:
        _services.django_setup(
            {
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "cem.settings",
                "DJANGO_LOG_LEVEL": os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
            },
            migrate=False,
        )
    else:
        _services.ensure_database(url)
        parts = urlsplit(url)
        connection = connections["default"]
        connection.close()
        connection.settings_dict.update(
            NAME=parts.path.lstrip("/"),
            HOST=parts.hostname or "127.0.0.1",
            PORT=parts.port or 5432,
            USER=parts.username or "root",
            PASSWORD=parts.password or "",
        )
        os.environ["DATABASE_URL"] = url
    repair()
    if migrate:
        call_command("migrate", verbosity=0, interactive=False)


# --- the record of a load -----------------------------------------------------------------------


def recorded() -> dict | None:
    """The record of the data in the current database, or None."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(RECORD)
        cursor.execute(
            "SELECT size, seed, fingerprint, loaded_at, first_day, last_day, seconds, counts, "
            "load_average FROM bench_dataset ORDER BY loaded_at DESC LIMIT 1"
        )
        row = cursor.fetchone()
        names = [c.name for c in cursor.description]
    if row is None:
        return None
    record = dict(zip(names, row, strict=True))
    for name in ("seconds", "counts"):
        if isinstance(record[name], str):
            record[name] = json.loads(record[name])
    return record


def _record(cursor, shape: Shape, fingerprint_: str) -> None:
    shape.load_average = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    cursor.execute(RECORD)
    cursor.execute("DELETE FROM bench_dataset")
    cursor.execute(
        "INSERT INTO bench_dataset VALUES (%s, %s, %s, now(), %s, %s, %s, %s, %s)",
        [
            shape.responses,
            shape.seed,
            fingerprint_,
            shape.first_day,
            shape.last_day,
            json.dumps(shape.seconds),
            json.dumps(shape.counts),
            shape.load_average,
        ],
    )


def dataset(size: int, *, seed: int = SEED, force: bool = False, progress: bool = True) -> Shape:
    """``size`` responses in their own database, loaded only when not already there: the
    recorded load must have the same size, seed and generator fingerprint, and the rows still
    be there. ``force`` loads anyway."""
    use_database(database_url(size))
    record = recorded()
    if not force and _matches(record, size, seed):
        return reused(record)
    return generate(size, seed=seed, progress=progress)


def _matches(record: dict | None, size: int, seed: int) -> bool:
    from surveys.models import Response

    if record is None or (record["size"], record["seed"], record["fingerprint"]) != (
        size,
        seed,
        fingerprint(),
    ):
        return False
    return Response.objects.count() == record["counts"].get("surveys_response")


def reused(record: dict) -> Shape:
    """The shape of the data already loaded (``record``), read back from the catalogue."""
    shape = Shape(
        responses=record["size"],
        customers=record["counts"]["touchpoints_customer"],
        seed=record["seed"],
        first_day=record["first_day"],
        last_day=record["last_day"],
        counts=record["counts"],
        seconds=record["seconds"],
        reused=True,
        loaded_at=record["loaded_at"],
        load_average=record["load_average"],
    )
    _dataset_catalogue.catalogue_read(shape)
    return shape


# --- the load -------------------------------------------------------------------------------------


class Phases:
    """Times the phases of a load into ``shape.seconds`` and says when each starts and ends."""

    def __init__(self, shape: Shape, *, progress: bool) -> None:
        self.shape, self.progress = shape, progress
        self.label = f"[{size_label(shape.responses)}]"

    @contextmanager
    def __call__(self, name: str):
        if self.progress:
            print(f"  {self.label} {name} …", flush=True)
        started = time.perf_counter()
        yield
        self.shape.seconds[name] = round(time.perf_counter() - started, 2)
        if self.progress:
            print(f"  {self.label} {name}: {self.shape.seconds[name]:.1f} s", flush=True)

    def rows(self, table: str, done: int, total: int, started: float, unit: str = "rows") -> None:
        if self.progress:
            seconds = time.perf_counter() - started
            print(
                f"  {self.label}     {table:<24} {done:>12,} / {total:,} {unit} built  {seconds:7.1f} s",
                flush=True,
            )


def generate(n_responses: int, *, seed: int = SEED, progress: bool = True, journeys: bool = True) -> Shape:
    """Replace the current database's data with ``n_responses`` responses and the rest, record
    the load, and return its shape. ``journeys=False`` makes no journey maps and no journeys
    (every interaction stands alone)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from infra.days import day_start

    rng = np.random.default_rng(seed)
    shape = Shape(responses=n_responses, customers=max(5_000, n_responses // 10), seed=seed)
    today = timezone.localdate()
    shape.first_day, shape.last_day = today - timedelta(days=_dataset.DAYS), today - timedelta(days=1)
    bounds = (int(day_start(shape.first_day).timestamp()), int(day_start(today).timestamp()))
    _bulk_load.COPY_SECONDS.clear()
    _bulk_load.FILLED_FROM_DEFAULT.clear()
    phases = Phases(shape, progress=progress)
    quote = connection.ops.quote_name
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with phases("prepare"):
            dropped = _prepare(cursor, quote)
            _dataset_catalogue.catalogue_write(shape, journeys=journeys)
            tables = {name: Table(cursor, name) for name in BULK}
        with phases("load"):
            _load(connection.connection, tables, shape, rng, bounds, phases, journeys=journeys)
        with phases("check"):
            _sequences(cursor, quote)
            orphans = _bulk_load.foreign_key_orphans(cursor, [*BULK, *CATALOGUE], quote)
            if orphans:
                raise RuntimeError(f"generated rows break foreign keys: {orphans}")
        with phases("constraints"):
            dropped = _constraints_create(cursor, dropped, shape, quote)
        commit = time.perf_counter()
    shape.seconds["commit"] = round(time.perf_counter() - commit, 2)
    with phases("indexes"):
        _indexes_create(dropped, shape)
    with phases("vacuum"):
        vacuum_analyze(*BULK, *CATALOGUE)
    shape.seconds["total"] = round(time.perf_counter() - started, 2)
    shape.seconds.update({f"copy.{k}": round(v, 2) for k, v in _bulk_load.COPY_SECONDS.items()})
    with connection.cursor() as cursor:
        _record(cursor, shape, fingerprint(journeys=journeys))
    return shape


def _prepare(cursor, quote) -> list[_bulk_load.Index]:
    """Session settings for the load, TRUNCATE, forget the previous load's record, and drop the
    big tables' secondary indexes (returned, to build again; listed in ``bench_pending_index``,
    committed with the data, until they are)."""
    # Foreign-key triggers off for this transaction (superuser only); the check phase verifies
    # the keys set-based, once. Memory for the anti-joins and the UNIQUE constraints' indexes.
    cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename ~ %s", [DERIVED]
    )
    derived = [name for (name,) in cursor.fetchall()]
    cursor.execute(f"TRUNCATE {', '.join([*BULK, *CATALOGUE, *derived])} RESTART IDENTITY CASCADE")
    cursor.execute(RECORD)
    cursor.execute("DELETE FROM bench_dataset")
    left = {index.name: index for index in _pending(cursor)}  # a load that stopped half-way
    present = _bulk_load.secondary_indexes(cursor, list(BULK))
    for index in present:
        cursor.execute(index.drop_sql(quote))
    dropped = list({**{index.name: index for index in present}, **left}.values())
    cursor.execute("DELETE FROM bench_pending_index")
    for index in dropped:
        cursor.execute(
            "INSERT INTO bench_pending_index VALUES (%s, %s, %s, %s)",
            [index.table, index.name, index.definition, index.constraint],
        )
    return dropped


def _pending(cursor) -> list[_bulk_load.Index]:
    cursor.execute(PENDING)
    cursor.execute("SELECT table_name, name, definition, constraint_def FROM bench_pending_index")
    return [_bulk_load.Index(*row) for row in cursor.fetchall()]


def _connect():
    """A connection of its own to the current database, for a session that builds indexes."""
    import psycopg2
    from django.db import connection

    raw = psycopg2.connect(**connection.get_connection_params())
    with raw.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '768MB'")
    raw.commit()
    return raw


def _constraints_create(
    cursor, dropped: list[_bulk_load.Index], shape: Shape, quote
) -> list[_bulk_load.Index]:
    """The UNIQUE constraints again, in the load's transaction: the data is committed with them,
    and no reader of the tables (this transaction still holds them) can hold up the ALTER TABLE.
    Returns the plain indexes, left to build."""
    for index in dropped:
        if index.constraint:
            started = time.perf_counter()
            cursor.execute(index.create_sql(quote))
            cursor.execute("DELETE FROM bench_pending_index WHERE name = %s", [index.name])
            _add_seconds(shape, f"index.{index.table}", time.perf_counter() - started)
    return [index for index in dropped if not index.constraint]


def _add_seconds(shape: Shape | None, key: str, seconds: float) -> None:
    if shape is not None:
        shape.seconds[key] = round(shape.seconds.get(key, 0.0) + seconds, 2)


def _indexes_create(indexes: list[_bulk_load.Index], shape: Shape | None = None) -> None:
    """Build ``indexes`` again over two sessions (CREATE INDEX lets readers in), the biggest
    tables' first, crossing each off ``bench_pending_index`` as it is done; seconds per table
    (summed over both sessions) in ``shape``."""
    from django.db import connection

    rows = shape.counts if shape else {}
    ordered = sorted(indexes, key=lambda index: (-rows.get(index.table, 0), index.table, index.name))
    seconds = _bulk_load.indexes_create(
        _connect,
        ordered,
        connection.ops.quote_name,
        done=lambda cursor, index: cursor.execute(
            "DELETE FROM bench_pending_index WHERE name = %s", [index.name]
        ),
    )
    for index in ordered:
        _add_seconds(shape, f"index.{index.table}", seconds[index.name])


def repair() -> None:
    """Build the indexes a load dropped and did not get to build again (it stopped half-way)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_pending_index') IS NOT NULL")
        left = _pending(cursor) if cursor.fetchone()[0] else []
    if left:
        _indexes_create(left)


def _load(
    raw_connection, tables: dict[str, Table], shape: Shape, rng, bounds, phases: Phases, *, journeys: bool
):
    """Plan and COPY the six bulk tables, parents first; the pipe still has queued chunks of one
    table to copy while this thread plans the next."""
    start_s, end_s = bounds
    n = shape.responses
    with CopyPipe(raw_connection, freeze=True) as pipe:

        def send(table: str, rows: int, build, *arguments) -> None:
            shape.counts[table] = rows
            _send(pipe, tables[table], rows, phases, lambda lo, hi: build(*arguments, lo, hi))

        with _timed("plan"):
            customers = _dataset.customers_plan(rng, shape.customers, start_s)
        send("touchpoints_customer", shape.customers, _dataset.customer_columns, customers)
        with _timed("plan"):
            total = round(_dataset.INTERACTIONS_PER_RESPONSE * n)
            interactions = _dataset.interactions_plan(
                rng, customers, total, start_s, end_s, journeys=journeys
            )
        journey_count = len(interactions.journey_start)
        send("journeys_journey", journey_count, _dataset.journey_columns, interactions, shape.journey_map_ids)
        send(
            "touchpoints_interaction",
            total,
            _dataset.interaction_columns,
            rng,
            interactions,
            shape.touchpoints,
        )
        with _timed("plan"):
            responses = _dataset.responses_plan(rng, customers, interactions, n, start_s, end_s)
        del interactions  # memory: the responses plan holds what the rest needs
        send("surveys_invitation", n, _dataset.invitation_columns, rng, responses, shape.survey_ids)
        send("surveys_response", n, _dataset.response_columns, responses, shape.survey_ids)
        answers = _Answers(rng, responses, shape.questions)
        _send(pipe, tables["surveys_answer"], n, phases, answers, unit="responses")
    shape.counts["surveys_answer"] = answers.next_id - 1
    shape.counts.update(
        {name: len(rows) for name, rows in _dataset_catalogue.catalogue_counts(shape).items()}
    )


class _Answers:
    """The answers of responses lo..hi, numbered on from the previous chunk's."""

    def __init__(self, rng, responses, questions) -> None:
        self.rng, self.responses, self.questions, self.next_id = rng, responses, questions, 1

    def __call__(self, lo: int, hi: int) -> dict:
        columns = _dataset.answer_columns(self.rng, self.responses, self.questions, lo, hi, self.next_id)
        self.next_id += len(columns["id"])
        return columns


@contextmanager
def _timed(key: str):
    started = time.perf_counter()
    yield
    _bulk_load.COPY_SECONDS[key] = _bulk_load.COPY_SECONDS.get(key, 0.0) + time.perf_counter() - started


def _send(pipe: CopyPipe, table: Table, rows: int, phases: Phases, columns, *, unit: str = "rows") -> None:
    """Build, encode and queue ``rows`` rows of ``table`` in chunks (``columns(lo, hi)``); the
    answers go by chunks of responses. About ten progress lines per table."""
    started = time.perf_counter()
    chunks = max(1, -(-rows // CHUNK))
    for number, lo in enumerate(range(0, rows, CHUNK), start=1):
        hi = min(rows, lo + CHUNK)
        with _timed("columns"):
            built = columns(lo, hi)
        data = _bulk_load.encode(table, built, len(next(iter(built.values()))))
        with _timed("wait"):
            pipe.put(table, data)
        if number == chunks or number % max(1, chunks // 10) == 0:
            phases.rows(table.name, hi, rows, started, unit)


def _sequences(cursor, quote) -> None:
    """Every id sequence of the bulk tables past the rows loaded."""
    for table in BULK:
        cursor.execute(  # table names are this module's constants
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT coalesce(max(id), 0) + 1 FROM {quote(table)}), false)"
        )


def vacuum_analyze(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
