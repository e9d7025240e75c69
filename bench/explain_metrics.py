"""EXPLAIN (ANALYZE, BUFFERS) of the metrics engine's queries on the data ``bench_metrics.py`` left.

Not a benchmark (``make bench`` runs only ``bench_*.py``): run it after
``bench_metrics.py`` to see the plans behind the figures::

    .venv/bin/python bench/explain_metrics.py
    .venv/bin/python bench/explain_metrics.py --only rollup_batch,summary_365

Each entry calls the real function once, captures the SQL Django sent
(``CaptureQueriesContext``) and runs ``EXPLAIN (ANALYZE, BUFFERS)`` on the
statements that read source or rollup rows.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _setup

READS = ("surveys_response", "analytics_responserollup")


def _explain(label: str, call) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    for query in queries.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or not any(t in sql for t in READS):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"===== {label}\n{sql}\n\n{plan}\n", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="", help="comma-separated labels")
    args = parser.parse_args()
    only = {s for s in args.only.split(",") if s}

    _setup.django_setup(migrate=False)
    from django.utils import timezone

    from analytics.selectors import MetricFilters, response_breakdown, response_series, response_summary
    from analytics.services import rollup_rows

    today = timezone.localdate()
    end = today - timedelta(days=1)
    batch = _setup.bucket_days(end - timedelta(days=30), end)
    since = timezone.now() - timedelta(days=14)
    window = {days: MetricFilters(start=end - timedelta(days=days - 1), end=end) for days in (90, 365)}
    plans = {
        "rollup_batch": lambda: rollup_rows.response_rollup_rows(batch),
        "rollup_1day": lambda: rollup_rows.response_rollup_rows([end]),
        "detractors_1day": lambda: rollup_rows.detractor_responses([end], since=since),
        "summary_90": lambda: response_summary(filters=window[90]),
        "summary_365": lambda: response_summary(filters=window[365]),
        "series_365": lambda: response_series(filters=window[365], interval="day"),
        "breakdown_365": lambda: response_breakdown(filters=window[365], by="touchpoint"),
    }
    for label, call in plans.items():
        if not only or label in only:
            _explain(label, call)


if __name__ == "__main__":
    main()
