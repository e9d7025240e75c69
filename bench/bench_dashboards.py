"""Benchmark of the CX dashboards: server time and bytes sent per page, at 10k and 1M responses.

Run from the repository root (``make bench`` runs every ``bench/bench_*.py``)::

    .venv/bin/python bench/bench_dashboards.py                     # 10k and 1M responses
    .venv/bin/python bench/bench_dashboards.py --sizes 10000       # one size
    .venv/bin/python bench/bench_dashboards.py --runs 15

Uses its own PostgreSQL database, ``cem_bench_dashboards`` (``BENCH_DASHBOARDS_DATABASE_URL``
overrides it), filled by the shared generator ``bench/_setup.py`` (responses, invitations,
interactions and answers through COPY), to which this script adds what the dashboards also
show, set-based in SQL:

* two journey maps over the bench touchpoints and one journey per customer with interactions
  (its interactions in time order, the map by customer id parity), so journeys get peak–end
  scores and moments of truth;
* driver dimensions on the transactional survey's CES ("convenience") and expectation pair
  ("service") questions, paired with its NPS answer;
* a free-text question on the transactional survey, answered by about 30 % of its responses
  (the comments list, the one place that reads raw answers).

Then ``metrics_rebuild()`` computes every journey score and rollup, as ``seed_demo`` does.
``--reuse`` keeps data already loaded at the size asked for (to time the pages again).

Figures, one line each, per size: for every page (and three downloads), the server time of
one GET through the whole Django stack (test client, signed-in manager, ``DEBUG`` off: URL
resolution, middleware, selectors, figure building, template rendering), the median of
``--runs`` after two warm-ups, with the number of SQL queries; then the bytes sent: the HTML,
of which the figures' JSON, and the HTML gzipped. Once: plotly.min.js, served as a static file.

Benchmarks are measurements: nothing here asserts on a time.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import sys
import time
import warnings
from pathlib import Path

DATABASE_URL = os.environ.get(
    "BENCH_DASHBOARDS_DATABASE_URL", "postgres://root@127.0.0.1:5432/cem_bench_dashboards"
)
os.environ["BENCH_DATABASE_URL"] = DATABASE_URL  # read by _setup at import

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _setup  # noqa: E402
from bench._setup import Timer, emit  # noqa: E402

COMMENT_SHARE = 0.3
ROLLUP_TABLES = (
    "analytics_responserollup",
    "analytics_interactionrollup",
    "analytics_driverrollup",
    "analytics_invitationrollup",
    "analytics_journeyrollup",
    "analytics_momentoftruthrollup",
    "analytics_rollupbucket",
)
COMMENTS = (
    "The parcel arrived late and nobody told me.",
    "Quick, friendly and easy.",
    "I had to call twice before anyone helped.",
    "Great experience, I will be back.",
    "It was fine, nothing special.",
    "包裹比承诺的晚了好几天才到。",
)
FIGURE_JSON = re.compile(r'<script type="application/json" id="[^"]+" class="js-figure">(.*?)</script>', re.S)


def _journeys_and_comments() -> dict[str, int]:
    """Journey maps, one journey per customer, driver dimensions and comments (set-based SQL)."""
    from django.db import connection, transaction

    from journeys.models import JourneyMap, JourneyMapStep
    from surveys.models import Question, QuestionType, Survey
    from touchpoints.models import Touchpoint

    JourneyMap.objects.all().delete()  # the generator truncates journeys, not maps
    touchpoints = list(Touchpoint.objects.order_by("id"))
    maps = [JourneyMap.objects.create(name=name) for name in ("Online purchase", "In-store purchase")]
    layouts = (touchpoints[0:20:2], touchpoints[1:20:2])  # ten steps each, across the three stages
    JourneyMapStep.objects.bulk_create(
        JourneyMapStep(journey_map=journey_map, touchpoint=touchpoint, position=position)
        for journey_map, layout in zip(maps, layouts, strict=True)
        for position, touchpoint in enumerate(layout, start=1)
    )
    transactional = Survey.objects.get(kind=Survey.Kind.TRANSACTIONAL)
    Question.objects.filter(survey=transactional, type=QuestionType.CES).update(driver="convenience")
    Question.objects.filter(survey=transactional, type=QuestionType.EXPECTATION_EXPERIENCE).update(
        driver="service"
    )
    text = Question.objects.create(
        survey=transactional,
        order=99,
        type=QuestionType.TEXT,
        texts={"en": "Anything to add?"},
        required=False,
    )
    phrases = "ARRAY[" + ", ".join(["%s"] * len(COMMENTS)) + "]"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO journeys_journey (customer_id, journey_map_id, started_at, ended_at, status, "
            "created_at, updated_at) SELECT customer_id, CASE WHEN customer_id %% 2 = 0 THEN %s ELSE %s END, "
            "min(occurred_at), max(occurred_at), 'completed', now(), now() "
            "FROM touchpoints_interaction GROUP BY customer_id",
            [maps[0].id, maps[1].id],
        )
        journeys = cursor.rowcount
        cursor.execute(
            "UPDATE touchpoints_interaction i SET journey_id = j.id FROM journeys_journey j "
            "WHERE j.customer_id = i.customer_id"
        )
        cursor.execute(
            "INSERT INTO surveys_answer (response_id, question_id, question_type, text, choices) "  # noqa: S608
            f"SELECT r.id, %s, 'text', ({phrases})[1 + r.id %% %s], '[]' FROM surveys_response r "
            "WHERE r.survey_id = %s AND (r.id * 7919) %% 100 < %s",
            [text.id, *COMMENTS, len(COMMENTS), transactional.id, int(COMMENT_SHARE * 100)],
        )
        comments = cursor.rowcount
    _setup.vacuum_analyze("journeys_journey", "touchpoints_interaction", "surveys_answer")
    return {"journeys": journeys, "comments": comments}


def _manager_client():
    from access.roles import MANAGER

    return _setup.signed_in_client("bench-manager", MANAGER)


def _pages() -> list[tuple[str, str, dict]]:
    from django.urls import reverse

    from touchpoints.models import Touchpoint

    touchpoint = Touchpoint.objects.order_by("id").values_list("id", flat=True)[4]

    def export(slug: str, fmt: str) -> str:
        return reverse("dashboard-export", kwargs={"slug": slug, "fmt": fmt})

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
        ("download overview.xlsx (365 days)", export("overview", "xlsx"), {"period": "last_365"}),
        ("download touchpoints.xlsx (365 days)", export("touchpoints", "xlsx"), {"period": "last_365"}),
        ("download comments.csv (90 days, ≤10k rows)", export("comments", "csv"), {}),
    ]


def _measure(client, url: str, params: dict, runs: int) -> tuple[float, int, bytes]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, params)
        seconds.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, params)
    return statistics.median(seconds), len(captured), response.content


def _loaded(size: int) -> bool:
    """The database already holds this size's data, rollups computed (a previous run's)."""
    from analytics.models import ResponseRollup
    from journeys.models import Journey
    from surveys.models import Response

    return Response.objects.count() == size and Journey.objects.exists() and ResponseRollup.objects.exists()


def _load(size: int) -> None:
    from analytics.services import metrics_rebuild

    with Timer() as generation:
        # This script adds its own journeys (one per customer) below: none from the generator.
        shape = _setup.generate(size, progress=False, journeys=False)
        extra = _journeys_and_comments()
    emit(size, "data: generate + journeys + comments (COPY, SQL)", f"{generation.seconds:8.1f} s")
    emit(
        size,
        "data: interactions / journeys / comments",
        (f"{shape.counts['interactions']:,} / {extra['journeys']:,} / {extra['comments']:,}"),
    )
    with Timer() as rebuild:
        metrics_rebuild()
    emit(size, "data: metrics_rebuild (journey scores, every rollup)", f"{rebuild.seconds:8.1f} s")


def bench_size(size: int, runs: int, *, reuse: bool) -> None:
    from django.db.models import Count

    from analytics.models import (
        DriverRollup,
        InteractionRollup,
        JourneyRollup,
        MomentOfTruthRollup,
        ResponseRollup,
    )

    if reuse and _loaded(size):
        emit(size, "data: reused from the previous run", "")
    else:
        _load(size)
    # What autovacuum does soon after a rebuild: planner statistics and the visibility map.
    with Timer() as vacuum:
        _setup.vacuum_analyze(*ROLLUP_TABLES)
    emit(size, "data: VACUUM ANALYZE of the rollup tables", f"{vacuum.seconds:8.1f} s")
    rows = {
        model.__name__: model.objects.aggregate(n=Count("id"))["n"]
        for model in (ResponseRollup, InteractionRollup, DriverRollup, JourneyRollup, MomentOfTruthRollup)
    }
    emit(
        size,
        "rollup rows: " + " / ".join(name.removesuffix("Rollup") for name in rows),
        (" / ".join(f"{n:,}" for n in rows.values())),
    )
    client = _manager_client()
    emit(
        size,
        "machine load average (1, 5, 15 min) before the pages",
        " / ".join(f"{v:.2f}" for v in os.getloadavg()),
    )
    for name, url, params in _pages():
        seconds, queries, content = _measure(client, url, params, runs)
        emit(size, f"{name}: server time", f"{seconds * 1000:8.1f} ms  ({queries} queries)")
        if "download" in name:
            emit(size, f"{name}: bytes", f"{len(content):>9,} B")
            continue
        html = content.decode()
        figures = sum(len(match) for match in FIGURE_JSON.findall(html))
        emit(
            size,
            f"{name}: bytes",
            (
                f"{len(content):>9,} B HTML, of which {figures:,} B figure JSON; "
                f"{len(gzip.compress(content)):,} B gzipped"
            ),
        )


def plotly_js() -> None:
    from django.contrib.staticfiles import finders

    path = Path(finders.find("vendor/plotly/plotly.min.js"))
    raw = path.read_bytes()
    emit(
        None,
        "plotly.min.js (static, cached; once per browser)",
        (f"{len(raw):>9,} B, {len(gzip.compress(raw)):,} B gzipped"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000", help="Responses per run, comma-separated.")
    parser.add_argument("--runs", type=int, default=9, help="Timed requests per page (median).")
    parser.add_argument(
        "--reuse", action="store_true", help="Keep the data already loaded when it is of the size asked for."
    )
    args = parser.parse_args()
    # Static files come from the finders here (no collectstatic): not a production concern.
    warnings.filterwarnings("ignore", message="No directory at")
    _setup.django_setup()
    plotly_js()
    for size in (int(s) for s in args.sizes.split(",")):
        bench_size(size, args.runs, reuse=args.reuse)


if __name__ == "__main__":
    main()
