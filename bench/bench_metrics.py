"""Benchmark of the metrics engine: rollup rebuild, incremental refresh, selectors, peak–end.

Run from the repository root (``make bench`` runs every ``bench/bench_*.py``)::

    .venv/bin/python bench/bench_metrics.py                       # 100k and 1M responses
    .venv/bin/python bench/bench_metrics.py --sizes 100000        # one size
    .venv/bin/python bench/bench_metrics.py --sizes 100000,1000000,10000000

Uses its own database (``cem_bench``, see ``bench/_setup.py``) and regenerates it
for each size. A size above 1M only runs when generation + rebuild at 1M took
less than ``--gate-seconds`` (180 s) and that time, scaled linearly to the size,
fits ``--budget-seconds`` (15 min, the budget of one script on a 2-core
machine); otherwise the line says why it was skipped.

Figures, one line each, per size:

* full rebuild of the response-day rollups: ``rollup_refresh_days(kind="response_day",
  days=<31-day batch>, force=True)`` over every day with responses, in the
  ``DAY_BATCH`` batches ``metrics_rebuild`` uses (responses only: no journeys,
  interaction or invitation rollups). Whatever models the kind writes are
  reported (``ResponseRollup`` and, since they landed, ``DriverRollup``). Beside
  it: the time its builder (the grouped queries) took inside the rebuild,
  ``response_rollup_rows`` alone, and the floor: a bare
  ``SELECT day, survey_id, count(*) FROM response JOIN answer … GROUP BY 1, 2``
  over the same rows, in the same batches. Then the builder for 1, 7 and 31
  days mid-history (does it cost what the days hold, or the whole table?) and
  the 31 days again with ``SET jit = off``;
* refresh after 1,000 responses submitted today: insert them with their answers
  and ``metrics_mark_stale(response_ids=…)`` in one ``transaction.atomic()``
  (the after-commit task is held back so it does not run inline in eager mode),
  then time ``metrics_refresh_stale()``; the median of ``--refresh-reps``
  repetitions, each starting from the same state (the rows are deleted, marked
  and refreshed again, untimed). Then the refresh of one full past day, after
  marking one of its responses;
* the selectors (``response_summary``, ``response_series(interval="day")``,
  ``response_breakdown(by="touchpoint")``, and the three in a row) over a 90- and
  a 365-day window ending yesterday: median of ``--runs`` runs after two warm-ups.
  These read the touchpoint-level twin; the summary with a segment filter, which
  must read the fine table, is timed beside them;

and once, without database: ``peak_end_frame`` over 1M journeys x 5 moments
beside the scalar ``peak_end`` loop, timed on a 100k-journey sample and scaled.

``--reuse --only refresh,selectors`` re-measures on the data a previous run left.
The machine's load average is printed before each size: on a shared machine,
ratios within one run are the figure.

Benchmarks are measurements: nothing here asserts on a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pandas as pd

from bench import _bulk_load, _metrics_writes, _services, _setup
from bench._setup import Timer, emit

GATE_SIZE = 1_000_000
PARTS = ("rebuild", "refresh", "selectors", "peak-end")


def _holds(size: int) -> bool:
    """cem_bench holds exactly ``size`` responses before today, and rollups of them."""
    from django.utils import timezone

    from analytics.models import ResponseRollup
    from infra.days import day_start
    from surveys.models import Response

    before_today = Response.objects.filter(submitted_at__lt=day_start(timezone.localdate())).count()
    return before_today == size and ResponseRollup.objects.exists()


def _days_with_responses():
    from django.db.models import Max, Min

    from infra.days import local_day
    from surveys.models import Response

    bounds = Response.objects.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    return _setup.bucket_days(local_day(bounds["first"]), local_day(bounds["last"]))


def _batches(days: list, size: int) -> list[list]:
    return [days[i : i + size] for i in range(0, len(days), size)]


FLOOR_SQL = """
SELECT (r.submitted_at AT TIME ZONE %s)::date AS day, r.survey_id, count(*)
FROM surveys_response r
JOIN surveys_answer a ON a.response_id = r.id
WHERE r.submitted_at >= %s AND r.submitted_at < %s
GROUP BY 1, 2
"""


def _response_day_kind():
    """The models and the builder ``rollup_refresh_days(kind="response_day")`` uses, whatever they
    are in the tree being measured (they grew from one model to two while this was written)."""
    from analytics.models import ResponseRollup
    from analytics.services import freshness, rollup_rows

    rollups = getattr(freshness, "_ROLLUPS", {})
    for kind, (models, build) in rollups.items():
        if str(kind) == "response_day":
            return models, build
    return (ResponseRollup,), rollup_rows.response_rollup_rows


def bench_rebuild(size: int) -> float:
    """Full rebuild of the response-day rollups, the grouped queries alone, and the floor."""
    from analytics.services import freshness

    days = _days_with_responses()
    batches = _batches(days, freshness.DAY_BATCH)
    models, build = _response_day_kind()
    rebuild, query = _rebuild_timed(size, days, batches, models, build)
    floor = _floor_seconds(size, batches)
    emit(size, "ratio rebuild / floor", f"{rebuild / floor:8.1f} x")
    emit(size, "ratio grouped queries / floor", f"{query / floor:8.1f} x")
    _check_sums(size)
    _spans(size, days, build)

    # What autovacuum would do after a rebuild (index-only scans need the visibility map).
    tables = [m._meta.db_table for m in models]
    _setup.vacuum_analyze(*tables, "analytics_rollupbucket", "analytics_followup")
    for model in models:
        emit(size, f"{model.__name__} rows", f"{model.objects.count():>8,}")
    return rebuild


def _rebuild_timed(size: int, days: list, batches: list[list], models, build) -> tuple[float, float]:
    """The rebuild in ``batches``, and the seconds its builder took inside it: (rebuild, builder)."""
    from analytics.services import freshness, rollup_rows
    from followups.models import FollowUp

    names = " + ".join(m.__name__ for m in models)

    # Time the builder inside the rebuild (the grouped queries and the rows they return) by
    # wrapping it in place, rather than running it a second time.
    query_seconds = [0.0]
    built = [0]

    def timed(batch_days):
        with Timer() as t:
            result = build(batch_days)
        query_seconds[0] += t.seconds
        built[0] += len(result)
        return result

    rollups = getattr(freshness, "_ROLLUPS", None)
    key = next((k for k in (rollups or {}) if str(k) == "response_day"), None)
    patch = (
        mock.patch.dict(rollups, {key: (models, timed)})
        if key is not None
        else mock.patch.object(rollup_rows, "response_rollup_rows", timed)
    )
    rows = 0
    with patch, Timer() as rebuild:
        for batch in batches:
            rows += freshness.rollup_refresh_days(kind="response_day", days=batch, force=True)
    emit(
        size,
        f"rebuild response_day rollups ({len(days)} days, {len(batches)} batches)",
        f"{rebuild.seconds:8.2f} s  ({names}: {rows:,} rows; {FollowUp.objects.count():,} follow-ups opened)",
    )
    query = query_seconds[0]
    emit(
        size,
        f"  of which the grouped queries ({getattr(build, '__name__', 'builder')})",
        f"{query:8.2f} s  ({built[0]:,} rows; the rest is deletes, inserts, buckets, follow-ups)",
    )
    if build is not rollup_rows.response_rollup_rows:
        with Timer() as response_query:
            for batch in batches:
                rollup_rows.response_rollup_rows(batch)
        emit(size, "  response_rollup_rows alone, same batches (rerun)", f"{response_query.seconds:8.2f} s")
    return rebuild.seconds, query


def _floor_seconds(size: int, batches: list[list]) -> float:
    """The bare grouped SELECT over the same rows, in the same batches."""
    from django.conf import settings
    from django.db import connection

    from infra.days import day_start

    with Timer() as floor, connection.cursor() as cursor:
        groups = 0
        for batch in batches:
            cursor.execute(
                FLOOR_SQL,
                [settings.TIME_ZONE, day_start(batch[0]), day_start(batch[-1] + timedelta(days=1))],
            )
            groups += len(cursor.fetchall())
    emit(
        size,
        "floor: bare SELECT day, survey, count(*) GROUP BY",
        f"{floor.seconds:8.2f} s  ({groups:,} groups)",
    )
    return floor.seconds


def _check_sums(size: int) -> None:
    """Sanity check (not timed): the rollups hold every response and every NPS answer once."""
    from django.db.models import Sum

    from analytics.models import ResponseRollup
    from surveys.models import Answer, Response

    totals = ResponseRollup.objects.aggregate(responses=Sum("responses"), nps=Sum("nps_n"))
    source = (Response.objects.count(), Answer.objects.filter(question_type="nps").count())
    same = (totals["responses"], totals["nps"]) == source
    emit(
        size,
        "check: rollup sums = source counts (responses, NPS answers)",
        f"{'yes' if same else 'NO'}  ({totals['responses']:,}, {totals['nps']:,})",
    )


def _spans(size: int, days: list, build) -> None:
    """The builder for 1, 7 and 31 days mid-history, and the 31 days without JIT."""
    from django.db import connection

    from analytics.services import rollup_rows

    # Does a recompute cost what the days asked for hold, or what the whole table holds?
    middle = days[len(days) // 2]
    for span, runs in ((1, 3), (7, 3), (31, 1)):
        window = _setup.bucket_days(middle, middle + timedelta(days=span - 1))
        whole = _setup.median_ms(lambda w=window: build(w), runs)
        alone = _setup.median_ms(lambda w=window: rollup_rows.response_rollup_rows(w), runs)
        emit(
            size,
            f"grouped queries for {span} day(s) mid-history ({'median of 3' if runs == 3 else 'once'})",
            f"{whole:8.0f} ms  (response_rollup_rows alone {alone:.0f} ms)",
        )

    # The same 31 days without PostgreSQL's JIT compiler (this session only).
    window = _setup.bucket_days(middle, middle + timedelta(days=30))
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        whole = _setup.median_ms(lambda: build(window), 1)
        alone = _setup.median_ms(lambda: rollup_rows.response_rollup_rows(window), 1)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")
    emit(
        size,
        "grouped queries for 31 day(s), SET jit = off (once)",
        f"{whole:8.0f} ms  (response_rollup_rows alone {alone:.0f} ms)",
    )


def _runs(seconds: list[float]) -> str:
    return "runs: " + ", ".join(f"{t * 1000:.0f}" for t in seconds) + " ms"


def _report(report) -> str:
    days = ", ".join(f"{kind}: {count}" for kind, count in report.days.items())
    return f"days {days}; rows written {report.rows}"


def _refresh_past_day(size: int, *, reps: int) -> None:
    """One response of a full past day changes: the refresh recomputes that whole day."""
    from django.db import transaction
    from django.utils import timezone

    from analytics import tasks
    from analytics.services import metrics_mark_stale, metrics_refresh_stale
    from infra.days import day_start
    from surveys.models import Response

    day = timezone.localdate() - timedelta(days=180)
    on_day = Response.objects.filter(
        submitted_at__gte=day_start(day), submitted_at__lt=day_start(day) + timedelta(days=1)
    )
    count = on_day.count()
    one = on_day.values_list("id", flat=True).first()
    times, report = [], None
    for _ in range(reps):
        with mock.patch.object(tasks.metrics_refresh_stale, "delay_on_commit"), transaction.atomic():
            metrics_mark_stale(response_ids=[one])
        with Timer() as refresh:
            report = metrics_refresh_stale()
        times.append(refresh.seconds)
    emit(
        size,
        f"metrics_refresh_stale of one full past day ({count:,} responses; median)",
        f"{statistics.median(times) * 1000:8.0f} ms  ({_runs(times)}; {_report(report)})",
    )


def bench_refresh(size: int, *, reps: int, new: int = 1000) -> None:
    from analytics.services import metrics_refresh_stale

    rng = np.random.default_rng(7)
    write_times, refresh_times, report = [], [], None
    for _ in range(reps):
        with Timer() as write:
            ids = _metrics_writes.responses_today(new, rng)
        with Timer() as refresh:
            report = metrics_refresh_stale()
        write_times.append(write.seconds)
        refresh_times.append(refresh.seconds)
        _metrics_writes.responses_remove(ids)
    emit(
        size,
        f"write {new:,} responses today + metrics_mark_stale (median)",
        f"{statistics.median(write_times) * 1000:8.0f} ms",
    )
    emit(
        size,
        f"metrics_refresh_stale after {new:,} new responses (median)",
        f"{statistics.median(refresh_times) * 1000:8.0f} ms  ({_runs(refresh_times)}; {_report(report)})",
    )
    _refresh_past_day(size, reps=reps)


def bench_selectors(size: int, *, runs: int) -> None:
    from django.utils import timezone

    from analytics.models import ResponseRollup, ResponseTouchpointRollup
    from analytics.selectors import MetricFilters, response_breakdown, response_series, response_summary

    end = timezone.localdate() - timedelta(days=1)
    segment = ResponseRollup.objects.exclude(segment="").values_list("segment", flat=True).first() or ""
    for days in (90, 365):
        filters = MetricFilters(start=end - timedelta(days=days - 1), end=end)
        fine = ResponseRollup.objects.filter(filters.for_responses()).count()
        twin = ResponseTouchpointRollup.objects.filter(filters.for_responses()).count()
        in_window = f"{twin:,} twin rows read, {fine:,} fine rows in window"
        calls = {
            "summary": lambda f=filters: response_summary(filters=f),
            "series(day)": lambda f=filters: response_series(filters=f, interval="day"),
            "breakdown(touchpoint)": lambda f=filters: response_breakdown(filters=f, by="touchpoint"),
        }
        parts = tuple(calls.values())
        calls["all three"] = lambda c=parts: [call() for call in c]
        # A segment filter needs the fine table (the twin has no segment column).
        segmented = replace(filters, segment=segment)
        calls[f"summary, segment {segment!r} (fine table)"] = lambda f=segmented: response_summary(filters=f)
        for name, call in calls.items():
            times = _setup.timings_ms(call, runs, warmups=2)
            emit(
                size,
                f"selector {name}, {days} days",
                f"{statistics.median(times):8.1f} ms  (min {min(times):.1f}, max {max(times):.1f}; "
                f"{in_window})",
            )


def bench_peak_end(*, journeys: int, moments: int, sample: int) -> None:
    from analytics.metrics import peak_end, peak_end_frame

    rng = np.random.default_rng(11)
    rows = journeys * moments
    frame = pd.DataFrame(
        {
            "journey_id": np.repeat(np.arange(1, journeys + 1, dtype=np.int64), moments),
            "position": np.tile(np.arange(moments, dtype=np.int64), journeys),
            "score": np.round(rng.uniform(0.0, 10.0, size=rows), 1),
            "floor": np.where(rng.random(rows) < 0.3, 4.0, np.nan),
        }
    )
    times = []
    for _ in range(3):
        with Timer() as t:
            result = peak_end_frame(frame)
        times.append(t.seconds)
    vectorised = statistics.median(times)
    emit(
        None,
        f"peak_end_frame, {journeys:,} journeys x {moments} moments",
        f"{vectorised:8.2f} s  (median of 3; {rows / vectorised / 1e6:.1f} M moments/s)",
    )

    score = frame["score"].to_numpy()[: sample * moments].reshape(sample, moments).tolist()
    floor = frame["floor"].to_numpy()[: sample * moments].reshape(sample, moments)
    floors = [[None if np.isnan(f) else float(f) for f in row] for row in floor]
    with Timer() as t:
        scalar = [peak_end(s, floors=f) for s, f in zip(score, floors, strict=True)]
    scaled = t.seconds * journeys / sample
    emit(
        None,
        f"scalar peak_end loop, {sample:,} journeys (measured)",
        f"{t.seconds:8.2f} s",
    )
    emit(None, f"scalar peak_end loop scaled to {journeys:,} journeys", f"{scaled:8.2f} s")
    emit(None, "ratio scalar / vectorised", f"{scaled / vectorised:8.1f} x")
    head = result.iloc[:sample]
    differ = int(
        (~np.isclose(head["peak_end"].to_numpy(), [p.peak_end for p in scalar])).sum()
        + (head["floor_breaches"].to_numpy() != [p.floor_breaches for p in scalar]).sum()
    )
    emit(None, "vectorised vs scalar on the sample: journeys that differ", f"{differ:8d}")


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000", help="response counts, comma-separated")
    parser.add_argument("--runs", type=int, default=20, help="selector runs per figure (median)")
    parser.add_argument("--refresh-reps", type=int, default=3, help="refresh repetitions (median)")
    parser.add_argument(
        "--gate-seconds",
        type=float,
        default=180.0,
        help="sizes above 1M run only if generation + rebuild at 1M took less than this",
    )
    parser.add_argument(
        "--budget-seconds",
        type=float,
        default=900.0,
        help="sizes above 1M also need 1M's generation + rebuild, scaled linearly, to fit this",
    )
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run, of {','.join(PARTS)}",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the data (and rollups) already in cem_bench when it holds exactly the size asked for",
    )
    parser.add_argument("--skip-peak-end", action="store_true")
    parser.add_argument("--peak-end-journeys", type=int, default=1_000_000)
    parser.add_argument("--peak-end-sample", type=int, default=100_000)
    return parser.parse_args()


def main() -> None:
    args = _parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    parts = {p for p in args.only.split(",") if p}
    if args.skip_peak_end:
        parts.discard("peak-end")

    _setup.django_setup()
    print(f"code measured: {_services.code_fingerprint()}", flush=True)
    gate: float | None = None
    for size in sizes:
        if _skipped(size, gate, args) or not parts & {"rebuild", "refresh", "selectors"}:
            continue
        gate = _bench_size(size, args, parts, gate)
    if "peak-end" in parts:
        print(f"== peak-end, no database (load average {os.getloadavg()[0]:.1f})", flush=True)
        bench_peak_end(journeys=args.peak_end_journeys, moments=5, sample=args.peak_end_sample)


def _skipped(size: int, gate: float | None, args) -> bool:
    """A size above 1M runs only when the 1M run's generation + rebuild (``gate``) says it fits."""
    if size <= GATE_SIZE:
        return False
    if gate is None:
        emit(size, "SKIPPED", f"needs a 1M run first to decide (gate {args.gate_seconds:.0f} s)")
        return True
    projected = gate * size / GATE_SIZE
    if gate >= args.gate_seconds or projected > args.budget_seconds:
        emit(
            size,
            "SKIPPED",
            f"generation + rebuild took {gate:.0f} s at 1M (gate {args.gate_seconds:.0f} s); "
            f"linear projection {projected / 60:.0f} min (budget {args.budget_seconds / 60:.0f} min)",
        )
        return True
    return False


def _bench_size(size: int, args, parts: set[str], gate: float | None) -> float | None:
    """Generate (or reuse) ``size`` responses and run the parts asked for; returns the gate."""
    load = os.getloadavg()[0]
    print(f"== {size:,} responses (load average {load:.1f} on {os.cpu_count()} CPUs)", flush=True)
    reused = args.reuse and _holds(size)
    if reused:
        emit(size, "generate", "   reused the data already in cem_bench (--reuse)")
    else:
        with Timer() as generation:
            shape = _setup.generate(size)
        copy = ", ".join(f"{k} {v:.1f}" for k, v in _bulk_load.COPY_SECONDS.items())
        emit(
            size,
            "generate (truncate, COPY, VACUUM ANALYZE, FK check)",
            f"{generation.seconds:8.2f} s  ({shape.counts['answers']:,} answers, "
            f"{shape.counts['interactions']:,} interactions; {copy} s)",
        )
        if _bulk_load.FILLED_FROM_DEFAULT:
            filled = ", ".join(sorted(_bulk_load.FILLED_FROM_DEFAULT))
            emit(size, "columns filled from model defaults", filled)
    if "rebuild" in parts or not reused:
        rebuild = bench_rebuild(size)
        if size == GATE_SIZE and not reused:
            gate = generation.seconds + rebuild
            emit(size, "generation + rebuild (the 10M gate)", f"{gate:8.2f} s")
    if "refresh" in parts:
        bench_refresh(size, reps=args.refresh_reps)
    if "selectors" in parts:
        bench_selectors(size, runs=args.runs)
    return gate


if __name__ == "__main__":
    main()
