"""The numbers a dashboard shows are the metrics selectors' numbers for the same filters.

Each test seeds the demo (``seed_demo --customers 60 --seed 7``: rollups computed), renders a
page with the test client, reads the key figures from their ``data-`` attributes and the
figures' JSON, and holds them against the selectors called directly.
"""

import io
import json
import math
import re
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from analytics.metrics import driver_quadrants
from analytics.selectors import (
    MetricFilters,
    driver_summary,
    expectation_by_touchpoint,
    interaction_breakdown,
    interaction_summary,
    invitation_summary,
    journey_summary,
    response_breakdown,
    response_comparison,
    response_series,
    response_summary,
)
from analytics.selectors.dashboards import expectation_heatmap, journey_curve
from followups.selectors import follow_up_counts
from journeys.models import JourneyMap
from surveys.selectors.comments import comment_list
from touchpoints.models import Stage, Touchpoint

pytestmark = pytest.mark.django_db


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[dict] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append({"tag": tag, **{name: value or "" for name, value in attrs}})


def elements(response) -> list[dict]:
    """Every start tag of the page, as a dict of its attributes (and ``tag``)."""
    parser = _Elements()
    parser.feed(response.content.decode())
    return parser.elements


def kpis(response) -> dict[str, dict]:
    return {e["data-metric"]: e for e in elements(response) if "data-metric" in e}


def number(text: str) -> float | None:
    """A ``data-value``: the exact repr of a number, "" for an undefined figure."""
    return None if text == "" else float(text)


def figures(response) -> dict[str, dict]:
    """The figures embedded in the page, by element id, as plotly JSON."""
    found = re.findall(
        r'<script type="application/json" id="([^"]+)-data" class="js-figure">(.*?)</script>',
        response.content.decode(),
        flags=re.S,
    )
    return {chart_id: json.loads(text) for chart_id, text in found}


def year(**filters) -> MetricFilters:
    today = timezone.localdate()
    return MetricFilters(start=today - timedelta(days=364), end=today, **filters)


def seed(customers: int = 60) -> None:
    call_command("seed_demo", "--customers", str(customers), "--seed", "7", stdout=io.StringIO())


@pytest.fixture
def demo(db):
    seed()


def test_overview_key_figures_equal_the_selectors(manager_client, demo):
    # Half a year, so that the previous half (the comparison) holds answers too.
    today = timezone.localdate()
    filters = MetricFilters(start=today - timedelta(days=179), end=today)
    response = manager_client.get(
        reverse("dashboard-overview"), {"start": filters.start.isoformat(), "end": filters.end.isoformat()}
    )
    shown = kpis(response)
    comparison = response_comparison(filters=filters)
    current, change = comparison.current, comparison.nps_change
    invitations = invitation_summary(filters=filters)
    follow_ups = follow_up_counts()

    assert current.nps.n > 30 and comparison.previous.nps.n > 30  # the comparison is not vacuous
    assert number(shown["nps"]["data-value"]) == current.nps.nps
    assert number(shown["nps"]["data-ci-low"]) == current.nps.ci_low
    assert number(shown["nps"]["data-ci-high"]) == current.nps.ci_high
    assert number(shown["nps-change"]["data-value"]) == change.diff
    assert number(shown["nps-change"]["data-z"]) == change.z
    assert shown["nps-change"]["data-significant"] == ("true" if change.significant else "false")
    assert number(shown["nps-change"]["data-previous"]) == comparison.previous.nps.nps
    assert number(shown["responses"]["data-value"]) == current.responses
    assert number(shown["response-rate"]["data-value"]) == invitations.response_rate
    assert number(shown["response-rate"]["data-sent"]) == invitations.sent
    assert number(shown["csat"]["data-value"]) == current.csat.csat
    assert number(shown["expectation"]["data-value"]) == current.expectation.geometric_mean
    assert number(shown["follow-ups-open"]["data-value"]) == follow_ups.open
    assert number(shown["follow-ups-overdue"]["data-value"]) == follow_ups.overdue


def test_overview_trend_plots_the_series_with_its_interval(manager_client, demo):
    response = manager_client.get(reverse("dashboard-overview"), {"period": "last_365"})
    figure = figures(response)["chart-nps-trend"]
    series = [p for p in response_series(filters=year(), interval="month") if p.figures.nps.nps is not None]
    line = next(trace for trace in figure["data"] if trace["name"] == "NPS")
    band = next(trace for trace in figure["data"] if trace["name"] == "95 % interval")

    assert line["x"] == [p.period.isoformat() for p in series]
    assert line["y"] == [p.figures.nps.nps for p in series]
    assert band["y"] == [p.figures.nps.ci_high for p in series] + [p.figures.nps.ci_low for p in series][::-1]
    split = figures(response)["chart-nps-split"]
    nps = response_summary(filters=year()).nps
    shares = {trace["name"].split(" ")[0]: trace["x"][0] for trace in split["data"]}
    assert shares == {
        "Detractors": 100 * nps.detractors / nps.n,
        "Passives": 100 * nps.passives / nps.n,
        "Promoters": 100 * nps.promoters / nps.n,
    }


def test_touchpoint_rows_equal_the_breakdowns_and_follow_the_stages(manager_client, demo):
    response = manager_client.get(reverse("dashboard-touchpoints"), {"period": "last_365"})
    rows = [e for e in elements(response) if e["tag"] == "tr" and "data-touchpoint" in e]
    filters = year()
    nps = {row.key: row.figures.nps.nps for row in response_breakdown(filters=filters, by="touchpoint")}
    ratios = {row.touchpoint_id: row for row in expectation_by_touchpoint(filters=filters)}
    breaches = {
        row.key: row.figures.experience.floor_breaches
        for row in interaction_breakdown(filters=filters, by="touchpoint")
    }

    assert len(rows) >= 15
    for row in rows:
        touchpoint = int(row["data-touchpoint"])
        assert number(row["data-nps"]) == nps.get(touchpoint)
        expectation = ratios.get(touchpoint)
        assert number(row["data-ratio-survey"]) == (
            expectation.survey.geometric_mean if expectation else None
        )
        assert number(row["data-ratio-measure"]) == (
            expectation.measure.geometric_mean if expectation else None
        )
        assert number(row["data-breaches"]) == breaches.get(touchpoint)
    order = {Stage.PRE_SALE: 0, Stage.MID_SALE: 1, Stage.POST_SALE: 2}
    stages = [order[row["data-stage"]] for row in rows]
    assert stages == sorted(stages)


def test_heatmap_colours_each_month_by_the_selector_ratio(manager_client, demo):
    response = manager_client.get(reverse("dashboard-touchpoints"), {"period": "last_365"})
    trace = figures(response)["chart-expectation-heatmap"]["data"][0]
    heatmap = expectation_heatmap(filters=year())

    assert trace["y"] == [t.name for t in heatmap.touchpoints]
    for touchpoint, z_row in zip(heatmap.touchpoints, trace["z"], strict=True):
        for month, z in zip(heatmap.months, z_row, strict=True):
            cell = heatmap.cell(touchpoint.id, month)
            if cell is None:
                assert z is None
            else:
                assert z == pytest.approx(max(-1.0, min(1.0, math.log2(cell.ratio.geometric_mean))))


def test_a_stage_filter_narrows_the_touchpoints_to_that_stage(manager_client, demo):
    response = manager_client.get(
        reverse("dashboard-touchpoints"), {"period": "last_365", "stage": "post_sale"}
    )
    rows = [e for e in elements(response) if e["tag"] == "tr" and "data-touchpoint" in e]
    filters = year(stage="post_sale")
    nps = {row.key: row.figures.nps.nps for row in response_breakdown(filters=filters, by="touchpoint")}

    assert rows and {row["data-stage"] for row in rows} == {"post_sale"}
    assert {int(r["data-touchpoint"]): number(r["data-nps"]) for r in rows if r["data-nps"]} == {
        key: value for key, value in nps.items() if value is not None
    }


def test_journey_figures_equal_the_journey_selectors(manager_client, demo):
    journey_map = JourneyMap.objects.get(name="Online purchase")
    response = manager_client.get(
        reverse("dashboard-journeys"), {"period": "last_365", "journey_map": journey_map.id}
    )
    shown = kpis(response)
    filters = year(journey_map_id=journey_map.id)
    summary = journey_summary(filters=filters)
    curve = journey_curve(filters=filters, journey_map_id=journey_map.id)

    assert summary.aggregate.journeys > 10
    assert number(shown["journeys"]["data-value"]) == summary.aggregate.journeys
    assert number(shown["peak-end"]["data-value"]) == summary.aggregate.mean_peak_end
    assert number(shown["mean-experience"]["data-value"]) == summary.aggregate.mean_of_means
    assert number(shown["gap"]["data-value"]) == summary.aggregate.mean_gap
    assert number(shown["typical-peak"]["data-value"]) == curve.typical_peak.touchpoint_id
    assert number(shown["typical-end"]["data-value"]) == curve.typical_end.touchpoint_id
    steps = [e for e in elements(response) if e["tag"] == "tr" and "data-step" in e and "data-mean" in e]
    assert [(int(s["data-touchpoint"]), number(s["data-mean"])) for s in steps] == [
        (step.touchpoint_id, step.experience.mean) for step in curve.steps
    ]
    distribution = figures(response)["chart-peak-end"]["data"][0]
    assert distribution["y"] == summary.distribution


def test_drivers_equal_the_driver_summary_and_name_the_act_first_quadrant(manager_client, db):
    seed(150)  # enough pairs (30) for the dimensions to be ranked
    response = manager_client.get(reverse("dashboard-drivers"), {"period": "last_365"})
    rows = [e for e in elements(response) if e["tag"] == "tr" and "data-dimension" in e]
    results = driver_summary(filters=year())
    quadrants = driver_quadrants(results)

    assert any(r.enough_data for r in results)
    assert [
        (r["data-dimension"], number(r["data-importance"]), number(r["data-performance"]), r["data-quadrant"])
        for r in rows
    ] == [(d.dimension, d.importance, d.performance, quadrants[d.dimension] or "") for d in results]
    act_first = next(e for e in elements(response) if e.get("id") == "act-first")
    assert act_first["data-dimensions"].split(",") == [d for d, q in quadrants.items() if q == "act_first"]
    assert "Act first on:" in response.content.decode()
    segments = {e["data-segment"]: e["data-act-first"] for e in elements(response) if "data-segment" in e}
    assert segments  # one row per segment, its act-first dimensions as driver_summary ranks them
    for segment, shown_act_first in segments.items():
        mine = driver_quadrants(driver_summary(filters=year(segment=segment)))
        assert shown_act_first == ",".join(d for d, q in mine.items() if q == "act_first")


def test_comments_list_the_selector_page_newest_first(manager_client, demo):
    response = manager_client.get(reverse("dashboard-comments"), {"period": "last_365"})
    shown = [int(e["data-response"]) for e in elements(response) if "data-response" in e]
    filters = year()
    page = comment_list(start=filters.start, end=filters.end)

    assert len(shown) == 25 and page.has_next
    assert shown == [c.response_id for c in page.comments]


def test_touchpoint_drill_down_shows_that_touchpoints_figures(manager_client, demo):
    touchpoint = Touchpoint.objects.get(code="delivery")
    response = manager_client.get(
        reverse("dashboard-touchpoint-detail", args=[touchpoint.id]), {"period": "last_365"}
    )
    shown = kpis(response)
    filters = year(touchpoint_id=touchpoint.id)

    assert number(shown["nps"]["data-value"]) == response_summary(filters=filters).nps.nps
    assert number(shown["experience"]["data-value"]) == interaction_summary(filters=filters).experience.mean
    assert (
        number(shown["floor-breaches"]["data-value"])
        == interaction_summary(filters=filters).experience.floor_breaches
    )
    assert "follow-ups-open" not in shown  # platform-wide counts stay on the overview
    assert 'name="touchpoint"' not in response.content.decode()  # the URL names the touchpoint
    comments = comment_list(start=filters.start, end=filters.end, touchpoint_id=touchpoint.id, per_page=10)
    assert [int(e["data-response"]) for e in elements(response) if "data-response" in e] == [
        c.response_id for c in comments.comments
    ]


def test_the_default_period_is_the_last_90_days_ending_today(manager_client, demo):
    response = manager_client.get(reverse("dashboard-overview"))
    today = timezone.localdate()
    filters = MetricFilters(start=today - timedelta(days=89), end=today)

    assert number(kpis(response)["responses"]["data-value"]) == response_summary(filters=filters).responses
    assert replace(filters).days == 90
