"""Dashboard pages keep what they compute from the rollups in the cache: a second view with the
same filters builds no figure and reads no rollup, and the next view after a refresh of any bucket
shows the new numbers (the key holds the rollups' stamp). What changes without a refresh — the
follow-up counts, the comments — is read on every view."""

import io
import re
from datetime import date, timedelta
from uuid import uuid4

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from analytics import charts
from analytics.models import RollupBucket, StaleKind
from analytics.selectors.freshness import rollups_stamp
from analytics.services import metrics_mark_stale, metrics_refresh_stale, rollup_refresh_days
from followups.models import FollowUp, FollowUpReason
from infra.days import local_day
from surveys.models import Question, Response
from tests.analytics.test_dashboard_numbers import elements, figures, kpis, number
from tests.factories import (
    AnswerFactory,
    JourneyMapFactory,
    JourneyMapStepFactory,
    QuestionFactory,
    ResponseFactory,
    TouchpointFactory,
)
from touchpoints.models import Touchpoint

pytestmark = pytest.mark.django_db

ROLLUP_TABLE = re.compile(r'"analytics_\w*rollup"')  # every rollup table; not analytics_rollupbucket
YEAR = {"period": "last_365"}


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A cache of this test's own: nothing kept by another test can be served here."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid4())}
    }


@pytest.fixture
def charts_built(monkeypatch) -> list[str]:
    """The id of every chart the pages build, in order."""
    built: list[str] = []
    build = charts.chart

    def counting(chart_id, figure):
        built.append(chart_id)
        return build(chart_id, figure)

    monkeypatch.setattr(charts, "chart", counting)
    return built


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--customers", "20", "--seed", "7", stdout=io.StringIO())


def _delivery() -> str:
    return reverse("dashboard-touchpoint-detail", args=[Touchpoint.objects.get(code="delivery").id])


PAGES = {
    "overview": (lambda: reverse("dashboard-overview"), {}),
    "touchpoints": (lambda: reverse("dashboard-touchpoints"), YEAR),
    "touchpoint drill-down": (_delivery, YEAR),
    "journeys": (lambda: reverse("dashboard-journeys"), YEAR),
    "drivers": (lambda: reverse("dashboard-drivers"), YEAR),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_second_view_with_the_same_filters_builds_no_figure_and_reads_no_rollup(
    manager_client, demo, charts_built, page
):
    url, params = PAGES[page][0](), PAGES[page][1]
    with CaptureQueriesContext(connection) as first_queries:
        first = manager_client.get(url, params)
    built = len(charts_built)
    with CaptureQueriesContext(connection) as second_queries:
        second = manager_client.get(url, params)

    assert first.status_code == second.status_code == 200
    assert built >= 2 and len(charts_built) == built
    assert any(ROLLUP_TABLE.search(q["sql"]) for q in first_queries)
    assert not [q["sql"] for q in second_queries if ROLLUP_TABLE.search(q["sql"])]
    assert len(second_queries) < len(first_queries)
    assert figures(second) == figures(first)
    assert kpis(second) == kpis(first)


def test_other_filters_get_figures_of_their_own(manager_client, demo, charts_built):
    url = reverse("dashboard-overview")
    year = figures(manager_client.get(url, YEAR))
    quarter = figures(manager_client.get(url))

    assert len(charts_built) == 4
    assert year["chart-nps-trend"] != quarter["chart-nps-trend"]
    assert figures(manager_client.get(url, YEAR)) == year and len(charts_built) == 4


def test_another_language_gets_figures_of_its_own(manager_client, demo, charts_built):
    url = reverse("dashboard-overview")
    manager_client.get(url)
    manager_client.get(url, headers={"accept-language": "zh-hans"})

    assert len(charts_built) == 4


def _respond(question, score: int):
    response = ResponseFactory(invitation__survey=question.survey, submitted_at=timezone.now())
    AnswerFactory(response=response, question=question, score=score)
    metrics_mark_stale(response_ids=[response.id])
    return response


def _refresh_by_marks(response) -> None:
    metrics_refresh_stale()


def _refresh_the_day(response) -> None:
    rollup_refresh_days(kind=StaleKind.RESPONSE_DAY, days=[local_day(response.submitted_at)], force=True)


@pytest.mark.parametrize("refresh", [_refresh_by_marks, _refresh_the_day], ids=["stale marks", "forced day"])
def test_the_view_after_a_refresh_shows_the_new_numbers(manager_client, refresh):
    question = QuestionFactory(type=Question.Type.NPS)
    url = reverse("dashboard-overview")
    refresh(_respond(question, 10))
    before = kpis(manager_client.get(url))
    assert number(before["responses"]["data-value"]) == 1
    assert number(before["nps"]["data-value"]) == 100.0
    assert kpis(manager_client.get(url)) == before  # served from the cache

    refresh(_respond(question, 0))
    after = kpis(manager_client.get(url))

    assert number(after["responses"]["data-value"]) == 2
    assert number(after["nps"]["data-value"]) == 0.0


def test_follow_up_counts_are_read_on_every_view(manager_client, demo, charts_built):
    url = reverse("dashboard-overview")
    before = number(kpis(manager_client.get(url))["follow-ups-open"]["data-value"])
    response = Response.objects.filter(follow_up__isnull=True).first()
    now = timezone.now()
    FollowUp.objects.create(
        reason=FollowUpReason.DETRACTOR,
        customer=response.customer,
        response=response,
        score=2,
        opened_at=now,
        due_at=now + timedelta(days=1),
    )

    after = number(kpis(manager_client.get(url))["follow-ups-open"]["data-value"])

    assert after == before + 1
    assert len(charts_built) == 2  # the figures themselves came from the cache


def test_a_renamed_touchpoint_shows_at_once(manager_client, demo):
    url = reverse("dashboard-touchpoints")
    assert "Parcel handover" not in manager_client.get(url, YEAR).content.decode()
    Touchpoint.objects.filter(code="delivery").update(name="Parcel handover")

    page = manager_client.get(url, YEAR)

    assert "Parcel handover" in str(figures(page)["chart-touchpoint-nps"]["layout"]["yaxis"]["categoryarray"])


def test_a_step_added_to_a_journey_map_shows_at_once(manager_client):
    journey_map = JourneyMapFactory(name="Repair")
    first, second, third = TouchpointFactory(), TouchpointFactory(), TouchpointFactory()
    for position, touchpoint in ((1, first), (2, second)):
        JourneyMapStepFactory(journey_map=journey_map, position=position, touchpoint=touchpoint)
    url = reverse("dashboard-journeys")

    def steps() -> list[str]:
        # The steps table's rows (the funnel table's rows carry data-step too, without data-mean).
        return [
            e["data-step"] for e in elements(manager_client.get(url)) if "data-step" in e and "data-mean" in e
        ]

    assert steps() == ["1", "2"]
    JourneyMapStepFactory(journey_map=journey_map, position=3, touchpoint=third)

    assert steps() == ["1", "2", "3"]


def _comment(question, text: str) -> None:
    response = ResponseFactory(invitation__survey=question.survey, submitted_at=timezone.now())
    AnswerFactory(response=response, question=question, text=text)


def test_comments_and_their_search_are_read_on_every_view(manager_client):
    question = QuestionFactory(type=Question.Type.TEXT, required=False)
    _comment(question, "The parcel came late.")
    _comment(question, "Quick and friendly.")
    url = reverse("dashboard-comments")

    def shown(search: str) -> list[str]:
        html = manager_client.get(url, {"q": search}).content.decode()
        return re.findall(r'<td class="comment-text"[^>]*>(.*?)</td>', html)

    assert shown("late") == ["The parcel came late."]
    assert shown("quick") == ["Quick and friendly."]
    _comment(question, "Late again.")
    assert sorted(shown("late")) == ["Late again.", "The parcel came late."]


def test_the_filter_bar_shows_the_filters_of_each_view(manager_client):
    url = reverse("dashboard-overview")
    stages = {"pre_sale", "mid_sale", "post_sale"}

    def selected_stages(stage: str) -> list[str]:
        options = [e for e in elements(manager_client.get(url, {"stage": stage})) if e["tag"] == "option"]
        return [e["value"] for e in options if "selected" in e and e["value"] in stages]

    assert selected_stages("pre_sale") == ["pre_sale"]
    assert selected_stages("post_sale") == ["post_sale"]
    assert selected_stages("pre_sale") == ["pre_sale"]


def test_pages_are_served_while_the_cache_is_unreachable(manager_client, demo, monkeypatch):
    def unreachable(*args, **kwargs):
        raise RedisConnectionError("cache down")

    monkeypatch.setattr(LocMemCache, "get", unreachable)
    monkeypatch.setattr(LocMemCache, "set", unreachable)

    for url, params in PAGES.values():
        page = manager_client.get(url(), params)
        assert page.status_code == 200
        assert figures(page)


def _bucket(day: date, refreshed_at) -> RollupBucket:
    return RollupBucket.objects.create(kind=StaleKind.RESPONSE_DAY, day=day, refreshed_at=refreshed_at)


def test_the_stamp_changes_when_a_refresh_commits_after_a_later_one(db):
    now = timezone.now()
    earlier = _bucket(date(2026, 5, 4), now - timedelta(minutes=10))
    _bucket(date(2026, 5, 5), now)
    stamp = rollups_stamp()
    # A refresh that started before the latest one and committed after it: the latest time stays.
    earlier.refreshed_at = now - timedelta(minutes=1)
    earlier.save()

    assert rollups_stamp() != stamp
    _bucket(date(2026, 5, 6), None)  # a bucket not computed yet
    assert rollups_stamp() != stamp


def test_the_journeys_stamp_changes_with_a_maps_steps(db):
    journey_map = JourneyMapFactory()
    stamp, maps_stamp = rollups_stamp(), rollups_stamp(journey_maps=True)
    JourneyMapStepFactory(journey_map=journey_map, position=1, touchpoint=TouchpointFactory())

    assert rollups_stamp() == stamp
    assert rollups_stamp(journey_maps=True) != maps_stamp
