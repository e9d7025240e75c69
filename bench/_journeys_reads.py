"""The journey analytics read paths for ``bench/bench_journeys.py``: server time per request beside a
trivial view, through the same client in the same minute.

The client is Django's test client in this process, through the whole middleware stack (DEBUG off),
signed in as a manager for the pages and with an all-scopes API key for the API. The trivial view
(``bench/surveys_bench_urls.py``: "ok" through every middleware, no database, no template) is timed
before and after the paths; each path's ratio is trivial ms ÷ its ms, i.e. its requests/s as a share
of the trivial view's.

A dashboard page is timed twice: *computed* (Django's cache emptied before every request, untimed,
so the selectors run over the rollups and the figures are built each time) and *cached* (the
entry ``page_cache`` keeps; what a second viewer of the same filters gets). The page always shows
one map's analytics (the funnel, outcomes, peak–end by outcome, where customers give up): the
first map without ``?journey_map=``. ``GET /api/v1/metrics/journeys/`` is the same figures as
JSON; ``journey_analytics()`` is the selector both call, timed as a plain call in this process
(no request: its ratio says what share of the trivial view's time the figures themselves take).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta


@dataclass
class Path:
    name: str
    url: str
    params: dict
    api: bool = False
    cold: bool = False  # empty the cache before every request
    call: Callable[[], object] | None = None  # a function timed instead of a request


@dataclass
class Timing:
    name: str
    ms: float
    queries: int
    bytes: int
    ratio: float = 0.0  # trivial ms / this ms

    def as_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def rollups_build(*, force: bool = False) -> dict:
    """Journey scores and paths (``journey_scores_rebuild``), then the journey-day rollups (peak–end,
    moments of truth, the funnel's steps, outcomes and moments by outcome, with their copies per
    map) from the journeys loaded (what the read paths read), when not there yet (or ``force``);
    seconds. The rest of the rollups are not needed by these paths."""
    from django.db.models import Max, Min

    from analytics.models import JourneyPath, JourneyRollup, JourneyStepRollup, StaleKind
    from analytics.services import rollup_refresh_days
    from analytics.services.journey_scores import journey_scores_rebuild
    from analytics.services.rollup_writes import models_of
    from bench._setup import bucket_days, vacuum_analyze
    from journeys.models import Journey

    built = all(model.objects.exists() for model in (JourneyRollup, JourneyStepRollup, JourneyPath))
    if built and not force:
        return {"reused": True}
    started = time.perf_counter()
    scores = journey_scores_rebuild()
    scored = time.perf_counter()
    span = Journey.objects.aggregate(first=Min("started_at"), last=Max("started_at"))
    days = bucket_days(span["first"].date(), span["last"].date())
    rows = 0
    for lo in range(0, len(days), 31):
        rows += rollup_refresh_days(kind=StaleKind.JOURNEY_DAY, days=days[lo : lo + 31], force=True)
    rolled = time.perf_counter()
    tables = [JourneyPath._meta.db_table, "analytics_journeypathstep", "analytics_journeyscore"]
    vacuum_analyze(*tables, *(model._meta.db_table for model in models_of(StaleKind.JOURNEY_DAY)))
    return {
        "reused": False,
        "journey_scores": scores,
        "journey_paths": JourneyPath.objects.count(),
        "scores_seconds": round(scored - started, 1),  # scores and paths, one transaction
        "rollup_rows": rows,
        "rollups_seconds": round(rolled - scored, 1),
        "vacuum_seconds": round(time.perf_counter() - rolled, 1),
        "rows": {model._meta.db_table: model.objects.count() for model in models_of(StaleKind.JOURNEY_DAY)},
    }


def customers_to_read() -> dict[str, str]:
    """External ids of a typical customer (the median number of journeys) and the one with most."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT customer_id, count(*) AS n FROM journeys_journey GROUP BY customer_id ORDER BY n DESC, "
            "customer_id LIMIT 1"
        )
        heavy, most = cursor.fetchone()
        cursor.execute(
            "WITH n AS (SELECT customer_id, count(*) AS n FROM journeys_journey GROUP BY customer_id) "
            "SELECT customer_id, n FROM n WHERE n = (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY n) "
            "FROM n) ORDER BY customer_id LIMIT 1"
        )
        typical, usual = cursor.fetchone()
        cursor.execute(
            "SELECT id, external_id FROM touchpoints_customer WHERE id IN (%s, %s)", [heavy, typical]
        )
        names = dict(cursor.fetchall())
    return {
        f"typical ({usual} journeys)": names[typical],
        f"heaviest ({most} journeys)": names[heavy],
    }


def _analytics_call(journey_map_id: int, days: int, **filters) -> Callable[[], object]:
    """``journey_analytics`` of one map over the last ``days`` days to today (the page's periods),
    steps and labels looked up by the selector itself (as the metrics API calls it)."""
    from dataclasses import replace

    from django.utils import timezone

    from analytics.selectors import journey_analytics
    from analytics.selectors.filters import MetricFilters
    from infra.days import local_day

    def call():
        end = local_day(timezone.now())
        chosen = MetricFilters(start=end - timedelta(days=days - 1), end=end, journey_map_id=journey_map_id)
        return journey_analytics(filters=replace(chosen, **filters))

    return call


def paths() -> list[Path]:
    from django.urls import reverse

    from journeys.models import JourneyMap

    maps = [str(i) for i in JourneyMap.objects.order_by("id").values_list("id", flat=True)]
    dashboard = reverse("dashboard-journeys")
    out = []
    for cold in (True, False):
        how = "computed" if cold else "cached"
        out += [
            Path(f"journeys dashboard, 90 days (first map) ({how})", dashboard, {}, cold=cold),
            Path(
                f"journeys dashboard ?journey_map= map 1, 90 days ({how})",
                dashboard,
                {"journey_map": maps[0]},
                cold=cold,
            ),
            Path(
                f"journeys dashboard ?journey_map= map 2, 365 days ({how})",
                dashboard,
                {"period": "last_365", "journey_map": maps[1]},
                cold=cold,
            ),
            Path(
                f"journeys dashboard ?journey_map= map 1, 365 days, segment ({how})",
                dashboard,
                {"period": "last_365", "journey_map": maps[0], "segment": "enterprise"},
                cold=cold,
            ),
        ]
    metrics = "/api/v1/metrics/journeys/"
    out += [
        Path("API metrics/journeys ?journey_map= map 1", metrics, {"journey_map": maps[0]}, api=True),
        Path(
            "API metrics/journeys ?journey_map= map 2, year, by week",
            metrics,
            {"journey_map": maps[1], **_year(), "interval": "week"},
            api=True,
        ),
        Path(
            "API metrics/journeys ?journey_map= map 1, year, segment",
            metrics,
            {"journey_map": maps[0], **_year(), "segment": "enterprise"},
            api=True,
        ),
        Path("journey_analytics() map 1, 90 days", "", {}, call=_analytics_call(int(maps[0]), 90)),
        Path("journey_analytics() map 2, 365 days", "", {}, call=_analytics_call(int(maps[1]), 365)),
        Path(
            "journey_analytics() map 1, 365 days, segment",
            "",
            {},
            call=_analytics_call(int(maps[0]), 365, segment="enterprise"),
        ),
    ]
    api = "/api/v1/journeys/"
    for label, external_id in customers_to_read().items():
        out.append(Path(f"API journeys ?customer= {label}", api, {"customer": external_id}, api=True))
    out += [
        Path(
            "API journeys ?journey_map=&status=abandoned",
            api,
            {"journey_map": maps[0], "status": "abandoned"},
            api=True,
        ),
        Path("API journeys, first page (no filter)", api, {}, api=True),
    ]
    return out


def _year() -> dict[str, str]:
    """The 365 days to today (the page's "last 365 days"), as the API's ``start`` and ``end``."""
    from django.utils import timezone

    from infra.days import local_day

    end = local_day(timezone.now())
    return {"start": (end - timedelta(days=364)).isoformat(), "end": end.isoformat()}


def _time(client, path: Path, runs: int) -> Timing:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if path.call is not None:
        return _time_call(path, runs)
    for _ in range(2):
        response = client.get(path.url, path.params)
        assert response.status_code == 200, (path.url, response.status_code, response.content[:300])
    seconds = []
    for _ in range(runs):
        if path.cold:
            cache.clear()
        started = time.perf_counter()
        response = client.get(path.url, path.params)
        seconds.append(time.perf_counter() - started)
    if path.cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path.url, path.params)
    return Timing(path.name, statistics.median(seconds) * 1000, len(captured), len(response.content))


def _time_call(path: Path, runs: int) -> Timing:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        path.call()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        path.call()
        seconds.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        path.call()
    return Timing(path.name, statistics.median(seconds) * 1000, len(captured), 0)


def clients():
    """The manager's client (pages) and an API client (an all-scopes key)."""
    from django.test import Client

    from access.roles import MANAGER
    from api.keys import api_key_create
    from bench._setup import signed_in_client

    _, key = api_key_create(name="bench-journeys")
    return signed_in_client("bench-manager", MANAGER), Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def measure(runs: int, chosen: list[Path], bar=None) -> dict:
    """The trivial view, every path of ``chosen``, the trivial view again; each path's ratio to the
    trivial view's mean."""
    page_client, api_client = clients()
    trivial = Path("trivial view", "/bench/trivial/", {})
    before = _time(page_client, trivial, runs)
    timings = []
    for path in chosen:
        timings.append(_time(api_client if path.api else page_client, path, runs))
        if bar is not None:
            bar.update(1)
    after = _time(page_client, trivial, runs)
    floor = (before.ms + after.ms) / 2
    for timing in timings:
        timing.ratio = floor / timing.ms
    return {
        "trivial_ms": [round(before.ms, 3), round(after.ms, 3)],
        "paths": [t.as_dict() for t in timings],
    }
