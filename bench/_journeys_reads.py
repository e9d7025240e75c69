"""The journey analytics read paths for ``bench/bench_journeys.py``: server time per request beside a
trivial view, through the same client in the same minute.

The client is Django's test client in this process, through the whole middleware stack (DEBUG off),
signed in as a manager for the pages and with an all-scopes API key for the API. The trivial view
(``bench/surveys_bench_urls.py``: "ok" through every middleware, no database, no template) is timed
before and after the paths; each path's ratio is trivial ms ÷ its ms, i.e. its requests/s as a share
of the trivial view's.

A dashboard page is timed twice: *computed* (Django's cache emptied before every request, untimed,
so the selectors run over the rollups and the figures are built each time) and *cached* (the
entry ``page_cache`` keeps; what a second viewer of the same filters gets).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass


@dataclass
class Path:
    name: str
    url: str
    params: dict
    api: bool = False
    cold: bool = False  # empty the cache before every request


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
    """Journey scores and journey rollups from the journeys loaded (what the read paths read), when
    not there yet (or ``force``); seconds. The rest of the rollups are not needed by these paths."""
    from django.db.models import Max, Min

    from analytics.models import JourneyRollup, StaleKind
    from analytics.services import rollup_refresh_days
    from analytics.services.journey_scores import journey_scores_rebuild
    from bench._setup import bucket_days, vacuum_analyze
    from journeys.models import Journey

    if JourneyRollup.objects.exists() and not force:
        return {"reused": True}
    started = time.perf_counter()
    scores = journey_scores_rebuild()
    scored = time.perf_counter()
    span = Journey.objects.aggregate(first=Min("started_at"), last=Max("started_at"))
    days = bucket_days(span["first"].date(), span["last"].date())
    rows = 0
    for lo in range(0, len(days), 31):
        rows += rollup_refresh_days(kind=StaleKind.JOURNEY_DAY, days=days[lo : lo + 31], force=True)
    vacuum_analyze("analytics_journeyscore", "analytics_journeyrollup", "analytics_momentoftruthrollup")
    return {
        "reused": False,
        "journey_scores": scores,
        "scores_seconds": round(scored - started, 1),
        "rollup_rows": rows,
        "rollups_seconds": round(time.perf_counter() - scored, 1),
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


def paths() -> list[Path]:
    from django.urls import reverse

    from journeys.models import JourneyMap

    maps = list(JourneyMap.objects.order_by("id").values_list("id", flat=True))
    dashboard = reverse("dashboard-journeys")
    out = []
    for cold in (True, False):
        how = "computed" if cold else "cached"
        out += [
            Path(f"journeys dashboard, 90 days ({how})", dashboard, {}, cold=cold),
            Path(
                f"journeys dashboard, 365 days, map 2 ({how})",
                dashboard,
                {"period": "last_365", "journey_map": str(maps[1])},
                cold=cold,
            ),
        ]
    api = "/api/v1/journeys/"
    for label, external_id in customers_to_read().items():
        out.append(Path(f"API journeys ?customer= {label}", api, {"customer": external_id}, api=True))
    out += [
        Path(
            "API journeys ?journey_map=&status=abandoned",
            api,
            {"journey_map": str(maps[0]), "status": "abandoned"},
            api=True,
        ),
        Path("API journeys, first page (no filter)", api, {}, api=True),
    ]
    return out


def _time(client, path: Path, runs: int) -> Timing:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

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
