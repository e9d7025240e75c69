"""The journey analytics as people and systems read them: the journeys dashboard, its download and
``/api/v1/metrics/journeys/`` show the numbers ``analytics.metrics`` gives for sums computed directly
from the journeys; and each read costs the same few queries over the same few rollup rows however
many journeys there are."""

import csv
import io
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

import numpy as np
import plotly.graph_objects as go
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from analytics import charts
from analytics.metrics import (
    STEP_TIME_BINS,
    StepCounts,
    funnel_steps,
    journey_outcomes,
    peak_end,
    step_time_bins,
)
from analytics.models import JourneyStatusRollup, JourneyStepRollup, MomentStatusRollup
from analytics.selectors import MetricFilters, journey_analytics
from analytics.selectors.sources import rollup_model
from analytics.services import metrics_refresh_stale
from api.keys import api_key_create
from infra.days import local_day
from journeys.models import Journey, JourneyStatus
from journeys.services import journeys_assemble_pending
from tests.factories import CustomerFactory
from touchpoints.models import Interaction

from .test_dashboard_numbers import elements, figures, kpis
from .test_journey_funnel import Online, expected, online_map, population, walk

pytestmark = pytest.mark.django_db

DAYS = 90  # the page's default period


@pytest.fixture
def api(db) -> APIClient:
    _, key = api_key_create(name="funnel", scopes=["metrics:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def online(db) -> Online:
    return online_map()


@pytest.fixture
def live(online) -> Online:
    population(online, customers=70, seed=11)
    return online


def period_filters(online: Online) -> MetricFilters:
    today = timezone.localdate()
    return MetricFilters(
        start=today - timedelta(days=DAYS - 1), end=today, journey_map_id=online.journey_map.id
    )


def reference_funnel(online: Online, filters: MetricFilters):
    """``metrics.funnel_steps`` over sums counted straight from the journeys and their interactions."""
    direct = expected(online, filters)
    steps = []
    for step in online.journey_map.steps.order_by("position"):
        durations = direct.durations[step.position]
        bins = step_time_bins(np.round(np.asarray(durations, dtype=float) * 1e6).astype(np.int64))
        steps.append(
            StepCounts(
                position=step.position,
                reached=direct.reached[step.position],
                continued=direct.continued[step.position],
                dropped_abandoned=direct.dropped[step.position][JourneyStatus.ABANDONED],
                dropped_in_progress=direct.dropped[step.position][JourneyStatus.IN_PROGRESS],
                histogram=np.bincount(bins, minlength=STEP_TIME_BINS).tolist(),
            )
        )
    return funnel_steps(journeys=direct.journeys, steps=steps), direct


def journeys_in(online: Online, filters: MetricFilters) -> list[Journey]:
    return [
        journey
        for journey in Journey.objects.filter(journey_map=online.journey_map)
        if filters.start <= local_day(journey.started_at) <= filters.end
    ]


def reference_peak_end(journeys: list[Journey]) -> dict:
    """Per status: the peak–end scores of its journeys with a scored moment (``metrics.peak_end``)."""
    scores = defaultdict(list)
    for journey in journeys:
        moments = list(
            Interaction.objects.filter(journey=journey, experience_score__isnull=False)
            .order_by("occurred_at", "id")
            .values_list("experience_score", flat=True)
        )
        if moments:
            scores[journey.status].append(peak_end(moments).peak_end)
    return scores


def reference_give_up(journeys: list[Journey], online: Online) -> Counter:
    """Where abandoned journeys ended: the touchpoint of their last scored moment."""
    ends = Counter()
    for journey in journeys:
        if journey.status != JourneyStatus.ABANDONED:
            continue
        last = (
            Interaction.objects.filter(journey=journey, experience_score__isnull=False)
            .order_by("occurred_at", "id")
            .last()
        )
        if last:
            ends[last.touchpoint.code] += 1
    return ends


def csv_table(client, online: Online, table: str) -> list[dict]:
    response = client.get(
        reverse("dashboard-export", kwargs={"slug": "journeys", "fmt": "csv"}),
        {"journey_map": online.journey_map.id, "table": table},
    )
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def cell(text: str) -> float | None:
    return None if text in ("", None) else float(text)


def test_page_download_api_and_metrics_show_the_same_funnel(manager_client, api, live):
    filters = period_filters(live)
    reference, direct = reference_funnel(live, filters)
    assert direct.journeys and any(step.dropped_abandoned for step in reference)

    page = manager_client.get(reverse("dashboard-journeys"), {"journey_map": live.journey_map.id})
    rows = [e for e in elements(page) if e["tag"] == "tr" and "data-reached" in e]
    download = csv_table(manager_client, live, "funnel")
    answer = api.get(
        "/api/v1/metrics/journeys/",
        {
            "journey_map": live.journey_map.id,
            "start": filters.start.isoformat(),
            "end": filters.end.isoformat(),
        },
    ).json()["funnel"]

    assert len(rows) == len(download) == len(answer) == len(reference) == 4
    for step, row, line, item in zip(reference, rows, download, answer, strict=True):
        median = step.to_next.median if step.to_next else None
        drop = step.drop.share if step.drop else None
        assert (int(row["data-reached"]), int(line["reached"]), item["reached"]) == (step.reached,) * 3
        assert (int(row["data-continued"]), int(line["went on"]), item["continued"]) == (step.continued,) * 3
        assert (int(row["data-dropped"]), int(line["did not go on"]), item["dropped"]) == (step.dropped,) * 3
        assert int(row["data-dropped-abandoned"]) == int(line["dropped abandoned"]) == step.dropped_abandoned
        assert item["dropped_abandoned"] == step.dropped_abandoned
        assert int(row["data-dropped-in-progress"]) == item["dropped_in_progress"] == step.dropped_in_progress
        assert cell(row["data-drop-share"]) == cell(line["drop share"]) == drop
        assert (item["drop"] or {}).get("share") == drop
        assert cell(row["data-median-seconds"]) == cell(line["median seconds to next step"]) == median
        assert (item["to_next"] or {}).get("median_seconds") == median
    funnel = figures(page)["journey-funnel"]
    assert funnel["data"][0]["x"] == [step.reached for step in reference]


def test_page_download_api_and_metrics_show_the_same_outcomes(manager_client, api, live):
    filters = period_filters(live)
    journeys = journeys_in(live, filters)
    statuses = Counter(journey.status for journey in journeys)
    reference = journey_outcomes(
        completed=statuses[JourneyStatus.COMPLETED],
        abandoned=statuses[JourneyStatus.ABANDONED],
        in_progress=statuses[JourneyStatus.IN_PROGRESS],
    )
    assert reference.completed and reference.abandoned and reference.in_progress

    page = kpis(manager_client.get(reverse("dashboard-journeys"), {"journey_map": live.journey_map.id}))
    totals = {row["status"]: row for row in csv_table(manager_client, live, "outcome_totals")}
    answer = api.get(
        "/api/v1/metrics/journeys/",
        {
            "journey_map": live.journey_map.id,
            "start": filters.start.isoformat(),
            "end": filters.end.isoformat(),
        },
    ).json()

    assert float(page["completed"]["data-value"]) == reference.completion.share
    assert float(page["abandoned"]["data-value"]) == reference.abandonment.share
    assert (
        cell(totals["completed"]["share"])
        == answer["outcomes"]["completion"]["share"]
        == reference.completion.share
    )
    assert cell(totals["abandoned"]["share ci low"]) == answer["outcomes"]["abandonment"]["ci_low"]
    assert answer["outcomes"]["abandonment"]["ci_low"] == reference.abandonment.ci_low
    assert (
        int(totals["in_progress"]["journeys"]) == answer["outcomes"]["in_progress"] == reference.in_progress
    )

    # By start week (the page's 90 days): each week's journeys, from Monday.
    weekly = defaultdict(Counter)
    for journey in journeys:
        day = local_day(journey.started_at)
        weekly[day - timedelta(days=day.weekday())][journey.status] += 1
    series = csv_table(manager_client, live, "outcomes")
    assert answer["interval"] == "week" and "period (week)" in series[0]
    assert [row["period (week)"] for row in series] == [p["period"] for p in answer["series"]]
    assert [p["period"] for p in answer["series"]] == [week.isoformat() for week in sorted(weekly)]
    for row, point, week in zip(series, answer["series"], sorted(weekly), strict=True):
        counts = weekly[week]
        assert (int(row["completed"]), point["completed"]) == (counts[JourneyStatus.COMPLETED],) * 2
        assert (int(row["abandoned"]), point["abandoned"]) == (counts[JourneyStatus.ABANDONED],) * 2
        assert cell(row["completion share"]) == point["completion"]["share"]


def test_page_download_api_and_metrics_show_the_same_peak_end_by_outcome_and_give_up(
    manager_client, api, live
):
    filters = period_filters(live)
    journeys = journeys_in(live, filters)
    scores = reference_peak_end(journeys)
    answer = api.get(
        "/api/v1/metrics/journeys/",
        {
            "journey_map": live.journey_map.id,
            "start": filters.start.isoformat(),
            "end": filters.end.isoformat(),
        },
    ).json()
    by_status = {item["status"]: item for item in answer["peak_end_by_outcome"]}
    download = defaultdict(dict)
    for row in csv_table(manager_client, live, "peak_end_by_outcome"):
        download[row["status"]][row["peak-end score"]] = int(row["journeys"])

    for status in (JourneyStatus.COMPLETED, JourneyStatus.ABANDONED, JourneyStatus.IN_PROGRESS):
        values = scores[status]
        bins = np.bincount(np.minimum(np.floor(values).astype(int), 9), minlength=10).tolist()
        assert by_status[status]["scored"] == len(values)
        assert (
            by_status[status]["distribution"] == bins == [download[status][f"{k}-{k + 1}"] for k in range(10)]
        )
        if values:
            assert by_status[status]["mean_peak_end"] == pytest.approx(float(np.mean(values)), abs=1e-12)

    ends = reference_give_up(journeys, live)
    assert ends
    gave_up = {item["touchpoint"]: item["ends"] for item in answer["give_up"] if item["ends"]}
    assert gave_up == dict(ends)
    names = {tp.code: tp.name for tp in live.touchpoints.values()}
    download = {
        row["touchpoint"]: int(row["ends of abandoned journeys"])
        for row in csv_table(manager_client, live, "give_up")
    }
    assert {code: download[names[code]] for code in gave_up} == gave_up


def test_the_page_draws_every_journey_analytics_figure(manager_client, live):
    page = manager_client.get(reverse("dashboard-journeys"), {"journey_map": live.journey_map.id})
    drawn = figures(page)
    for chart_id in (
        "journey-funnel",
        "chart-step-times",
        "chart-journey-outcomes",
        "chart-peak-end-by-outcome",
        "chart-give-up",
    ):
        assert chart_id in drawn and drawn[chart_id]["data"], chart_id
    assert 'id="journey-funnel"' in page.content.decode()


def test_every_figure_is_valid_plotly_with_an_empty_state_that_says_why(live):
    analytics = journey_analytics(filters=period_filters(live))
    built = [
        charts.journey_funnel_figure(analytics.funnel, map_name="Online order", empty_reason="none"),
        charts.step_time_figure(analytics.funnel, empty_reason="none"),
        charts.journey_outcomes_figure(analytics.outcomes, empty_reason="none"),
        charts.peak_end_by_outcome_figure(analytics.outcomes, empty_reason="none"),
        charts.give_up_figure(analytics.give_up, catalogue=[], empty_reason="none"),
    ]
    for figure in built:
        assert not figure.empty
        go.Figure(figure.spec)  # validated: an unknown property raises
    empty = journey_analytics(
        filters=MetricFilters(
            journey_map_id=live.journey_map.id, start=timezone.localdate() + timedelta(days=1)
        )
    )
    assert charts.journey_funnel_figure(empty.funnel, map_name="x", empty_reason="nothing here").empty
    assert charts.give_up_figure(empty.give_up, catalogue=[], empty_reason="nothing here").empty


# --- flat in data size ---------------------------------------------------------------------------------


def dense(online: Online, customers: int) -> None:
    """Journeys on five fixed days a month and more ago, every third one given up after the cart
    (abandoned by the timeout), the others of all four steps: more customers, the same buckets."""
    today = timezone.localdate()
    codes = ("browse", "cart", "pay", "deliver")
    for index in range(customers):
        start = timezone.make_aware(datetime.combine(today - timedelta(days=32 + index % 5), time(9)))
        walk(
            online,
            CustomerFactory(segment="consumer", value_tier="gold"),
            start,
            [
                (code, timedelta(hours=step), float(step * 2))
                for step, code in enumerate(codes[: 2 if index % 3 == 2 else 4])
            ],
        )
    journeys_assemble_pending()
    metrics_refresh_stale()


def rollup_rows_read(filters: MetricFilters) -> int:
    """How many rollup rows the three reads match (no EXPLAIN: the rows their filters select)."""
    return sum(
        rollup_model(model, filters, by=by).objects.filter(where, **extra).count()
        for model, by, where, extra in (
            (JourneyStepRollup, ("position",), filters.for_journeys(), {}),
            (JourneyStatusRollup, ("status",), filters.for_journeys(), {}),
            (
                MomentStatusRollup,
                ("touchpoint_id", "status"),
                filters.for_moments(),
                {"status": JourneyStatus.ABANDONED},
            ),
        )
    )


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_reads_cost_the_same_queries_and_rows_at_four_times_the_journeys(
    online, manager_client, api, django_assert_max_num_queries
):
    filters = period_filters(online)

    def page():
        response = manager_client.get(reverse("dashboard-journeys"), {"journey_map": online.journey_map.id})
        assert response.status_code == 200

    def call():
        assert api.get("/api/v1/metrics/journeys/", {"journey_map": online.journey_map.id}).status_code == 200

    measured = []
    for customers in (15, 45):  # 15, then 60 in all
        dense(online, customers)
        call()  # the key's first use of the minute writes its last-used time
        with django_assert_max_num_queries(19):
            page_queries = count_queries(page)
        with django_assert_max_num_queries(12):
            api_queries = count_queries(call)
        selector_queries = count_queries(lambda: journey_analytics(filters=filters))
        measured.append((page_queries, api_queries, selector_queries, rollup_rows_read(filters)))
    assert Journey.objects.count() == 60
    assert measured[0] == measured[1]
    assert measured[0][2] == 5  # outcomes, the map's steps, the funnel, give-up and its names
    # days × positions; × statuses; × the abandoned journeys' peak (browse) and end (cart) touchpoints
    assert measured[0][3] == 5 * 4 + 5 * 2 + 5 * 2
    assert Journey.objects.filter(status=JourneyStatus.ABANDONED).count() == 20
