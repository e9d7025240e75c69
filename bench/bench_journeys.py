"""Benchmark of live journeys: assembly throughput and the journey analytics read paths, at 1M and 10M.

Run from the repository root::

    .venv/bin/python bench/bench_journeys.py                              # 1M and 10M responses
    .venv/bin/python bench/bench_journeys.py --sizes 1000000 --customers 5000
    .venv/bin/python bench/bench_journeys.py --skip-reads                 # assembly only

Data: the shared data sets of ``bench/generate_data.py`` (``bench._setup.dataset(n)``: the size's own
database, ``cem_bench_1m`` / ``cem_bench_10m``, loaded only when the recorded load does not match).
At 1M responses they hold 850,000 interactions (113,333 journeys, 100,000 customers), at 10M
8,500,000 (1,133,333 journeys, 1,000,000 customers), on three published maps with the default rules.

* **Assembly** (``bench/_journeys_assembly.py``): the same ``--customers`` customers at every size
  (every k-th id), a batch of ``RUN_BATCH`` at a time, each batch in a transaction rolled back, so the
  data stays as loaded: full re-assembly (whole histories), a replay of it, the incremental path (two
  new interactions per customer through the API's bulk write, then the marks consumed by
  ``journeys_assemble_pending``), a back-fill 200 days back, and beside them the bare SQL of the same
  rows (the ordered ``SELECT`` assembly reads; an ``UPDATE … FROM UNNEST`` writing each row once).
  Figures: interactions per second, and each assembly phase as a share of the bare SQL's rate.
* **Read paths** (``bench/_journeys_reads.py``): the journeys dashboard with a map's analytics
  (``?journey_map=``; computed and cached), ``GET /api/v1/metrics/journeys/?journey_map=`` (the same
  figures as JSON), ``journey_analytics()`` called directly, and ``GET /api/v1/journeys/`` (by
  customer, by map and status, unfiltered), each against the trivial view through the same client in
  the same minute. Journey scores and paths, then the journey-day rollups (funnel, outcomes, moments
  by outcome among them) are built first when the database has none, or always with
  ``--rebuild-rollups`` (timed, kept).

The raw figures go to ``bench/journeys_results.json`` (one entry per size, replaced by the next run of
that size); ``bench/RESULTS.md`` has the tables. Benchmarks are measurements: nothing here asserts on
a time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The dashboard cache and the broker: Redis database 14, so emptying the cache between requests
# touches nothing of anyone else's; throttling off for the API client.
os.environ["REDIS_URL"] = os.environ.get("BENCH_JOURNEYS_REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ["API_THROTTLE_RATE"] = "none"
sys.path.insert(0, str(ROOT))

from bench import _journeys_assembly, _journeys_reads, _services, _setup  # noqa: E402
from bench._setup import emit  # noqa: E402

RESULTS = ROOT / "bench" / "journeys_results.json"


class _Out:
    """What ``infra.progress.progress_bar`` writes to: stderr, as a management command's stdout."""

    def write(self, text: str, ending: str = "\n") -> None:
        sys.stderr.write(text + ending)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def _bar(total: int, desc: str, unit: str):
    from infra.progress import progress_bar

    return progress_bar(_Out(), total=total, desc=desc, unit=unit)


def _load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def bench_assembly(size: int, customers: int) -> dict:
    from journeys.services.runs import RUN_BATCH

    sample = _journeys_assembly.sample_customers(customers)
    load = [_load()]
    with _bar(len(sample), f"[{_setup.fmt_n(size)}] assembly", "customers") as bar:
        figures = _journeys_assembly.measure(sample, batch=RUN_BATCH, bar=bar)
    load.append(_load())
    phases = figures.phases
    bare = phases["bare read"].seconds + phases["bare write"].seconds
    floor = phases["bare read"].interactions / bare if bare else 0.0
    emit(size, f"assembly: {figures.customers:,} customers, {figures.batches} batches", "")
    for name, phase in phases.items():
        versus = "" if name.startswith("bare") else f"  = {phase.rate / floor:.2f} × bare read + write"
        writes = f" (new {phase.new:,}, logged in {phase.log_seconds:.1f} s)" if phase.new else ""
        emit(
            size,
            f"  {name}: {phase.interactions:,} interactions{writes}",
            f"{phase.seconds:7.1f} s  {phase.rate:9,.0f}/s{versus}",
        )
    return {**figures.as_dict(), "bare_read_write_rate": round(floor, 1), "load_average": load}


def bench_reads(size: int, runs: int, *, rebuild: bool = False) -> dict:
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.surveys_bench_urls"  # the site plus /bench/trivial/
    built = _journeys_reads.rollups_build(force=rebuild)
    emit(size, "journey scores and rollups", json.dumps(built))
    chosen = _journeys_reads.paths()
    load = [_load()]
    with _bar(len(chosen), f"[{_setup.fmt_n(size)}] read paths", "paths") as bar:
        figures = _journeys_reads.measure(runs, chosen, bar=bar)
    load.append(_load())
    emit(size, "trivial view (before, after)", " / ".join(f"{ms:.2f} ms" for ms in figures["trivial_ms"]))
    for timing in figures["paths"]:
        emit(
            size,
            f"  {timing['name']}",
            f"{timing['ms']:8.1f} ms  {timing['queries']:2d} queries  ÷ trivial {timing['ratio']:.3f}",
        )
    return {**figures, "rollups": built, "load_average": load, "runs": runs}


_MEASURED = ("measured_at", "machine", "code", "counts")


def _save(size: int, entry: dict) -> None:
    """The size's entry replaced by ``entry``; a part skipped keeps its last figures, with when, where
    and on what code they were measured under ``measured`` (the entry's own are this run's)."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    old = results.get(str(size), {})
    for part in ("assembly", "reads"):
        if part not in entry and part in old:
            entry[part] = {"measured": {k: old[k] for k in _MEASURED if k in old}, **old[part]}
    last = old.get("reads", {}).get("rollups", {})
    if entry.get("reads", {}).get("rollups") == {"reused": True} and not last.get("reused", True):
        entry["reads"]["rollups"] = {"reused": True, "last_build": last}  # what building them took
    elif last.get("last_build") and entry.get("reads", {}).get("rollups") == {"reused": True}:
        entry["reads"]["rollups"] = last
    results[str(size)] = {**old, **entry}  # other figures kept as they are (assembler_before_after)
    RESULTS.write_text(json.dumps(results, indent=1, default=str) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000", help="Responses per data set.")
    parser.add_argument("--customers", type=int, default=20_000, help="Customers re-assembled per size.")
    parser.add_argument("--runs", type=int, default=9, help="Timed requests per read path (median).")
    parser.add_argument("--skip-assembly", action="store_true")
    parser.add_argument("--skip-reads", action="store_true")
    parser.add_argument(
        "--rebuild-rollups", action="store_true", help="Build the journey scores and rollups again."
    )
    args = parser.parse_args()
    for size in (int(s.replace("_", "")) for s in args.sizes.split(",")):
        started = time.perf_counter()
        shape = _setup.dataset(size)
        from django.conf import settings

        settings.DEBUG = False
        entry = {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": _services.machine(),
            "cpu": _services.cpu_model(),
            "code": _services.code_version(),
            "postgres": _services.postgres_version(),
            "counts": shape.counts,
            "dataset_reused": shape.reused,
        }
        emit(
            size,
            "data set",
            f"{shape.counts['touchpoints_interaction']:,} interactions, reused: {shape.reused}",
        )
        if not args.skip_assembly:
            entry["assembly"] = bench_assembly(size, args.customers)
        if not args.skip_reads:
            entry["reads"] = bench_reads(size, args.runs, rebuild=args.rebuild_rollups)
        entry["seconds"] = round(time.perf_counter() - started, 1)
        _save(size, entry)
    _services.redis_flush(os.environ["REDIS_URL"])


if __name__ == "__main__":
    main()
