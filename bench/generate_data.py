"""Load (or keep) the benchmark data sets: one database per size, reused between runs.

Run from the repository root::

    .venv/bin/python bench/generate_data.py --sizes 10000,1000000,10000000
    .venv/bin/python bench/generate_data.py --sizes 1000000 --force      # load again anyway

Each size has its own database (``cem_bench_10k``, ``cem_bench_1m``, ``cem_bench_10m``;
``BENCH_DATABASE_URL`` overrides it, for one size). The script migrates it, then loads the data
(``bench/_dataset.py`` says what it holds, ``bench/_dataset_load.py`` how it is loaded) unless
the load recorded there has the same size, seed and generator fingerprint. It prints a line as
each phase starts and ends, then a table of the seconds per phase and the rows per table.
Rollups are not computed: the data is source rows only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _dataset_load

PHASES = ("prepare", "load", "check", "constraints", "commit", "indexes", "vacuum", "total")
# Inside the load: the producer's work (this thread) and the COPY of each table (the pipe's).
LOAD_PARTS = ("plan", "columns", "encode", "wait")


def _table(shapes: dict[int, object]) -> None:
    labels = [_dataset_load.size_label(size) for size in shapes]
    seconds = [shape.seconds for shape in shapes.values()]

    def line(name: str, values: list[str]) -> None:
        print(f"  {name:<40}" + "".join(f"{v:>18}" for v in values), flush=True)

    def figure(key: str) -> list[str]:
        return [f"{s[key]:.1f}" if key in s else "-" for s in seconds]

    line("seconds per phase", labels)
    for phase in PHASES:
        line(phase, figure(phase))
        if phase == "load":
            for part in LOAD_PARTS:
                line(f"  {part} (this thread)", figure(f"copy.{part}"))
            for table in _dataset_load.BULK:
                line(f"  COPY {table}", figure(f"copy.{table}"))
        if phase == "indexes":
            for table in _dataset_load.BULK:
                line(f"  {table} (constraints too)", figure(f"index.{table}"))
    line("rows per table", labels)
    for table in (*_dataset_load.BULK, *_dataset_load.CATALOGUE):
        line(table, [f"{shape.counts.get(table, 0):,}" for shape in shapes.values()])
    line("load average (1/5/15 min) at the end", [shape.load_average for shape in shapes.values()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000,10000000", help="Responses per data set.")
    parser.add_argument("--seed", type=int, default=_dataset_load.SEED)
    parser.add_argument("--force", action="store_true", help="Load again even when the data is there.")
    parser.add_argument("--quiet", action="store_true", help="No progress lines, only the table.")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if os.environ.get("BENCH_DATABASE_URL") and len(sizes) > 1:
        parser.error("BENCH_DATABASE_URL names one database: give one size")
    shapes = {}
    for size in sizes:
        url = _dataset_load.database_url(size)
        load = " / ".join(f"{v:.2f}" for v in os.getloadavg())
        database = url.rsplit("/", 1)[-1]
        print(f"== {size:,} responses in {database} (load average {load} on {os.cpu_count()} CPUs)")
        started = time.perf_counter()
        shape = _dataset_load.dataset(size, seed=args.seed, force=args.force, progress=not args.quiet)
        if shape.reused:
            print(
                f"  reused the data loaded {shape.loaded_at:%Y-%m-%d %H:%M} (same size, seed and generator): "
                f"migrate + check {time.perf_counter() - started:.1f} s; "
                f"days {shape.first_day} … {shape.last_day}",
                flush=True,
            )
        else:
            print(f"  loaded in {shape.seconds['total']:.1f} s", flush=True)
        shapes[size] = shape
    _table(shapes)


if __name__ == "__main__":
    main()
