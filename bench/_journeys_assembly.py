"""Assembly throughput for ``bench/bench_journeys.py``: interactions per second through the assembler,
beside the bare SQL of the same rows, measured batch by batch in one run.

Each batch of customers (``journeys.services.runs.RUN_BATCH`` of them, as a background re-assembly
takes them) runs in one transaction that is rolled back at the end, so the data set stays as it was
loaded and every run measures the same work. In that transaction, in this order:

1. *warm-up*: the batch's interactions read once, untimed, so that neither side below pays for
   reading them from disk first;
2. *bare read*: ``SELECT`` of the same rows the assembler reads (the batch's interactions, ordered
   by customer, time and id), fetched: the read no assembly can avoid;
3. *full*: ``journeys_assemble`` of the batch, whole histories (a map published or edited). The
   loaded journeys are not what the default rules make of the same interactions (the generator
   draws any steps of a map, not always its first), so this pass creates, updates, deletes and
   moves a lot: the heavy case;
4. *replay*: the same call again: nothing left to write (idempotent), the read and the rules alone;
5. *incremental*: two new interactions per customer, at the first two steps of one of the maps,
   in the hour before now, through the API's bulk path (``interactions_upsert``, 1,000 a call: the
   customers are marked in the same transaction), then ``journeys_assemble_pending`` (timed alone;
   it offers each customer's open journeys' interactions again, from the window's start);
6. *back-fill*: one interaction per customer 200 days back, at a map's second step (a CRM sending
   old contacts late), logged the same way, then ``journeys_assemble_pending``: the window moves
   back to the start of any journey open then;
7. *bare write*: ``UPDATE … SET journey_id = NULL`` of every row read in 2, from ``UNNEST`` of their
   ids (one statement; each row written once, an indexed column changing: more rows than assembly
   writes, none of its other work).

The ``on_commit`` work assembly asks for (the peak–end refresh task, webhooks) never runs: nothing
commits. So the figures leave out the commit itself (a few ms per batch).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta

NEW_PER_CUSTOMER = 2
BACKFILL_DAYS = 200
API_BATCH = 1000


class _Rollback(Exception):
    """Raised to leave a batch's transaction without committing."""


@dataclass
class Phase:
    """Seconds and rows of one phase, summed over the batches."""

    seconds: float = 0.0
    interactions: int = 0  # offered to the rules, or read / written by the bare SQL
    new: int = 0  # interactions logged (incremental and back-fill)
    log_seconds: float = 0.0  # logging them through the API's bulk path
    created: int = 0
    updated: int = 0
    deleted: int = 0
    moved: int = 0

    def add_result(self, result, seconds: float) -> None:
        self.seconds += seconds
        self.interactions += result.interactions
        for name in ("created", "updated", "deleted", "moved"):
            setattr(self, name, getattr(self, name) + getattr(result, name))

    @property
    def rate(self) -> float:
        return self.interactions / self.seconds if self.seconds else 0.0


@dataclass
class AssemblyFigures:
    customers: int = 0
    batches: int = 0
    batch_customers: int = 0
    phases: dict[str, Phase] = field(default_factory=dict)

    def phase(self, name: str) -> Phase:
        return self.phases.setdefault(name, Phase())

    def as_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k != "phases"}
        out["phases"] = {name: {**asdict(p), "rate": round(p.rate, 1)} for name, p in self.phases.items()}
        return out


def sample_customers(count: int) -> list[int]:
    """``count`` of the customers with interactions, spread evenly over them by id (every k-th): the
    same ones at every run of a data set."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "WITH active AS (SELECT DISTINCT customer_id FROM touchpoints_interaction), "
            "numbered AS (SELECT customer_id, row_number() OVER (ORDER BY customer_id) - 1 AS n, "
            "count(*) OVER () AS total FROM active) "
            "SELECT customer_id FROM numbered WHERE n %% greatest(1, total / %s) = 0 "
            "ORDER BY customer_id LIMIT %s",
            [max(1, count), count],
        )
        return [customer_id for (customer_id,) in cursor.fetchall()]


READ = (
    "SELECT id, customer_id, touchpoint_id, occurred_at, journey_id FROM touchpoints_interaction "
    "WHERE customer_id = ANY(%s) AND journey_ref = '' ORDER BY customer_id, occurred_at, id"
)


def _bare_read(cursor, customers: list[int]) -> list[tuple]:
    cursor.execute(READ, [customers])
    return cursor.fetchall()


def _bare_write(cursor, ids: list[int]) -> tuple[int, float]:
    """Every row read written once, off its journey (an indexed column changes, as assembly's moves
    do), in one statement from UNNEST of the ids; rows and seconds."""
    started = time.perf_counter()
    cursor.execute(
        "UPDATE touchpoints_interaction AS t SET journey_id = NULL "
        "FROM UNNEST(%s::bigint[]) AS v(id) WHERE t.id = v.id",
        [ids],
    )
    return cursor.rowcount, time.perf_counter() - started


def _items(
    customers: list[int], steps: list[list[str]], when, placed: list[tuple[int, timedelta]]
) -> list[dict]:
    """Interactions of ``customers`` in the API's item shape: for each (step index, offset) of
    ``placed``, one at that step of a map chosen by customer id, at ``when`` plus the offset."""
    return [
        {
            "customer": f"BENCH-{customer_id:08d}",
            "touchpoint": steps[customer_id % len(steps)][step],
            "occurred_at": (when + offset).isoformat(),
            "experience_score": 7,
        }
        for customer_id in customers
        for step, offset in placed
    ]


def _log_and_assemble(phase: Phase, items: list[dict], now) -> None:
    from journeys.services import journeys_assemble_pending
    from touchpoints.services import interactions_upsert

    started = time.perf_counter()
    for lo in range(0, len(items), API_BATCH):
        results = interactions_upsert(items=items[lo : lo + API_BATCH], now=now)
        bad = [r for r in results if r.status == "error"]
        if bad:
            raise RuntimeError(f"the bench's interactions were refused: {bad[0]}")
    logged = time.perf_counter()
    result = journeys_assemble_pending(now=now)
    phase.add_result(result, time.perf_counter() - logged)
    phase.log_seconds += logged - started
    phase.new += len(items)


def map_steps() -> list[list[str]]:
    """The touchpoint codes of each published map's steps, in order."""
    from journeys.models import JourneyMap

    return [
        list(journey_map.steps.order_by("position").values_list("touchpoint__code", flat=True))
        for journey_map in JourneyMap.objects.filter(status="published", active=True).order_by("id")
    ]


def _timed(figures: AssemblyFigures, name: str, call) -> None:
    started = time.perf_counter()
    result = call()
    figures.phase(name).add_result(result, time.perf_counter() - started)


def _batch(figures: AssemblyFigures, customers: list[int], steps, now) -> None:
    """One batch, every phase, in one transaction rolled back (module docstring)."""
    from django.db import connection, transaction

    from journeys.services import journeys_assemble

    since = dict.fromkeys(customers)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _bare_read(cursor, customers)  # warm-up
            started = time.perf_counter()
            rows = _bare_read(cursor, customers)
            read = figures.phase("bare read")
            read.seconds += time.perf_counter() - started
            read.interactions += len(rows)
            _timed(figures, "full", lambda: journeys_assemble(since, now=now))
            _timed(figures, "replay", lambda: journeys_assemble(since, now=now))
            recent = [(0, timedelta(hours=-1)), (1, timedelta(minutes=-40))]
            _log_and_assemble(figures.phase("incremental"), _items(customers, steps, now, recent), now)
            old = [(1, timedelta(days=-BACKFILL_DAYS))]
            _log_and_assemble(figures.phase("back-fill"), _items(customers, steps, now, old), now)
            written, seconds = _bare_write(cursor, [row[0] for row in rows])
            write = figures.phase("bare write")
            write.seconds += seconds
            write.interactions += written
            raise _Rollback
    except _Rollback:
        pass


def measure(customers: list[int], *, batch: int, bar=None) -> AssemblyFigures:
    """Every phase over ``customers``, ``batch`` at a time (module docstring)."""
    from django.utils import timezone

    figures = AssemblyFigures(customers=len(customers), batch_customers=batch)
    steps = map_steps()
    now = timezone.now()
    for lo in range(0, len(customers), batch):
        chunk = customers[lo : lo + batch]
        _batch(figures, chunk, steps, now)
        figures.batches += 1
        if bar is not None:
            bar.update(len(chunk))
    return figures
