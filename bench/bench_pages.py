"""Benchmark of the dashboard pages' server time: nothing kept, after a refresh, and kept.

Run from the repository root (``make bench`` runs every ``bench/bench_*.py``)::

    .venv/bin/python bench/bench_pages.py                  # 1M responses, 25 timed requests a page
    .venv/bin/python bench/bench_pages.py --size 10000 --runs 40
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/bench_pages.py   # the cache in Redis

Uses its own PostgreSQL database, ``cem_bench_pages`` (``BENCH_PAGES_DATABASE_URL`` overrides
it). When it does not hold ``--size`` responses with their rollups, it is filled as
``bench_dashboards.py`` fills its own (the shared generator ``bench/_setup.py``, journey maps,
driver dimensions and comments, then ``metrics_rebuild()``); else the data is reused.

Each page is requested through the whole Django stack (test client, signed-in manager, ``DEBUG``
off), two warm-ups, then ``--runs`` timed GETs (``time.perf_counter`` around ``client.get``) in
each of three states:

* cold: the cache emptied before each request (nothing kept: every query, every figure);
* refreshed: one rollup bucket's ``refreshed_at`` set to now before each request, as every
  refresh does, so the figures are computed again while the filter bar stays kept;
* warm: the same request again, everything a page may keep kept.

Figures, one line per page and state: the median and 95th percentile of the server time in
milliseconds, the median CPU time of this process (the application's own work: Django, the
figures, the templates, the client side of the queries; not PostgreSQL's, nor time spent waiting
for a CPU on a busy machine) and the SQL queries of one such request. The cache is this process's
memory unless ``REDIS_URL`` is set. Benchmarks are measurements: nothing here asserts on a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

DATABASE_URL = os.environ.get("BENCH_PAGES_DATABASE_URL", "postgres://root@127.0.0.1:5432/cem_bench_pages")
os.environ["BENCH_DATABASE_URL"] = DATABASE_URL  # read by _setup at import
os.environ["BENCH_DASHBOARDS_DATABASE_URL"] = DATABASE_URL  # and by bench_dashboards

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _setup  # noqa: E402
from bench._services import percentile  # noqa: E402
from bench._setup import emit  # noqa: E402

STATES = ("cold", "refreshed", "warm")


def _pages() -> list[tuple[str, str, dict]]:
    from django.urls import reverse

    from touchpoints.models import Touchpoint

    touchpoint = Touchpoint.objects.order_by("id").values_list("id", flat=True)[4]
    return [
        ("overview (90 days)", reverse("dashboard-overview"), {}),
        ("overview (365 days)", reverse("dashboard-overview"), {"period": "last_365"}),
        ("touchpoints (90 days)", reverse("dashboard-touchpoints"), {}),
        ("touchpoints (365 days)", reverse("dashboard-touchpoints"), {"period": "last_365"}),
        ("touchpoint drill-down (90 days)", reverse("dashboard-touchpoint-detail", args=[touchpoint]), {}),
        ("journeys (90 days)", reverse("dashboard-journeys"), {}),
        ("drivers (365 days, 5 segments)", reverse("dashboard-drivers"), {"period": "last_365"}),
        ("comments, page 1 (90 days)", reverse("dashboard-comments"), {}),
        ("comments, page 20 (90 days)", reverse("dashboard-comments"), {"page": "20"}),
        ("comments, search 'late' (90 days)", reverse("dashboard-comments"), {"q": "late"}),
    ]


def _before(state: str):
    """What is done before each timed request of ``state`` (not timed)."""
    from django.core.cache import cache
    from django.db.models.functions import Now

    from analytics.models import RollupBucket

    bucket = RollupBucket.objects.order_by("-day").values_list("id", flat=True).first()

    def cold() -> None:
        cache.clear()

    def refreshed() -> None:
        RollupBucket.objects.filter(id=bucket).update(refreshed_at=Now())

    return {"cold": cold, "refreshed": refreshed, "warm": lambda: None}[state]


def _measure(client, url: str, params: dict, state: str, runs: int) -> tuple[list[float], list[float], int]:
    """Server time and this process's CPU time (seconds) of ``runs`` requests, and their queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    before = _before(state)
    for _ in range(2):
        before()
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
    seconds, cpu = [], []
    for _ in range(runs):
        before()
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(url, params)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    before()
    with CaptureQueriesContext(connection) as captured:
        client.get(url, params)
    return seconds, cpu, len(captured)


def _ensure_data(size: int) -> None:
    from bench import bench_dashboards

    if bench_dashboards._loaded(size):
        emit(size, "data: reused from a previous run", "")
        return
    bench_dashboards._load(size)
    _setup.vacuum_analyze(*bench_dashboards.ROLLUP_TABLES)


def bench(size: int, runs: int) -> None:
    from django.conf import settings

    from access.roles import MANAGER

    _ensure_data(size)
    client = _setup.signed_in_client("bench-manager", MANAGER)
    emit(size, "cache backend", settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1])
    emit(size, "machine load average (1, 5, 15 min)", " / ".join(f"{v:.2f}" for v in os.getloadavg()))
    print(f"{'page':<36} {'state':<10} {'median':>9} {'p95':>9} {'CPU':>9} {'queries':>8}", flush=True)
    for name, url, params in _pages():
        for state in STATES:
            seconds, cpu, queries = _measure(client, url, params, state, runs)
            ms = [s * 1000 for s in seconds]
            print(
                f"{name:<36} {state:<10} {statistics.median(ms):7.1f}ms {percentile(ms, 0.95):7.1f}ms"
                f" {statistics.median(cpu) * 1000:7.1f}ms {queries:>8}",
                flush=True,
            )
    emit(size, "machine load average after the pages", " / ".join(f"{v:.2f}" for v in os.getloadavg()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="Responses in the data set.")
    parser.add_argument("--runs", type=int, default=25, help="Timed requests per page and state (≥ 20).")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="No directory at")
    _setup.django_setup()
    bench(args.size, max(args.runs, 20))


if __name__ == "__main__":
    main()
