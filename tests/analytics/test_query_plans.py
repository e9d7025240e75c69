"""Every metrics call, dashboard page and rollup refresh reads the tables that grow with responses,
interactions and journeys through an index that serves it, whatever the filters.

Guarded by plans, never by timings: each statement a request (or the refresh) runs is planned
with sequential scans off over a seeded, analysed database (``tests.analytics.plans``). A plan
that still scans a growing table sequentially, walks a whole index of one, or reads it by an
index and then throws rows away on a column it filters by, would read ever more rows as the data
grows, and fails the case. The refresh may filter the source rows it found by an index (by id, by
time); on rollup tables it must not filter what it read either.
"""

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.models import InteractionRollup, JourneyRollup, ResponseRollup, StaleMark
from analytics.services import metrics_rebuild, metrics_refresh_stale
from api.keys import api_key_create
from demo.services import build_demo
from journeys.models import Journey, JourneyMap
from surveys.models import Question, Response, Survey
from surveys.services.answer_form import EXPECTED_SUFFIX, question_scale
from surveys.services.responses import response_submit
from tests.factories import InvitationFactory
from touchpoints.models import Customer, Interaction, Touchpoint
from touchpoints.services import interaction_log

from .plans import REFRESH, describe, growing_tables, plan_problems, record_statements, rollup_tables

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's EXPLAIN"),
]

CUSTOMERS, MONTHS = 300, 4  # about 300 responses, 3,000 interactions and 500 journeys


def _analyze() -> None:
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _most_answered(column: str):
    """The value of a rollup column with the most responses: a filter on it selects real rows."""
    row = (
        ResponseRollup.objects.exclude(**{column: None if column.endswith("_id") else ""})
        .values(column)
        .annotate(n=Sum("responses"))
        .order_by("-n", column)
        .first()
    )
    return row[column]


def _seed() -> SimpleNamespace:
    """The demo over a few months (every survey, touchpoint, channel, segment and value tier, with
    journeys and comments), its rollups built as a rebuild builds them, then the planner's statistics."""
    build_demo(customers=CUSTOMERS, seed=7, months=MONTHS, force=True, progress=None)
    metrics_rebuild()
    # Check the seeded rows' deferred foreign keys once, here: left pending, every test's teardown
    # would check them all again (its savepoint rollback puts them back in the queue).
    connection.check_constraints()
    _analyze()
    today = timezone.localdate()
    touchpoint = Touchpoint.objects.get(id=_most_answered("touchpoint_id"))
    tiers = Customer.objects.exclude(value_tier="").values("value_tier").annotate(n=Count("id"))
    return SimpleNamespace(
        today=today,
        start=today - timedelta(days=29),
        survey=Survey.objects.get(id=_most_answered("survey_id")),
        touchpoint=touchpoint,
        stage=touchpoint.stage,
        channel=_most_answered("channel"),
        segment=_most_answered("segment"),
        value_tier=min(tiers, key=lambda row: row["n"])["value_tier"],  # the rarest: a selective filter
        journey_map=JourneyMap.objects.order_by("id").first(),
    )


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _seed()
        transaction.set_rollback(True)


# --- the filter combinations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A filter combination: ``params(seeded, api)`` gives the query parameters (the API names a
    touchpoint by code, the dashboards by id)."""

    name: str
    parts: tuple[str, ...]
    extra: tuple[tuple[str, str], ...] = ()

    def params(self, data, *, api: bool) -> dict:
        values = {}
        for part in self.parts:
            values.update(_PART[part](data, api))
        return values | dict(self.extra)


_PART = {
    "period": lambda d, api: (
        {"start": d.start.isoformat(), "end": d.today.isoformat()}
        if api
        else {"period": "custom", "start": d.start.isoformat(), "end": d.today.isoformat()}
    ),
    "start": lambda d, api: {"start": (d.today - timedelta(days=59)).isoformat()},
    "year": lambda d, api: (
        {"start": (d.today - timedelta(days=364)).isoformat(), "end": d.today.isoformat()}
        if api
        else {"period": "last_365"}
    ),
    "survey": lambda d, api: {"survey": d.survey.id},
    "touchpoint": lambda d, api: {"touchpoint": d.touchpoint.code if api else d.touchpoint.id},
    "stage": lambda d, api: {"stage": d.stage},
    "channel": lambda d, api: {"channel": d.channel},
    "segment": lambda d, api: {"segment": d.segment},
    "value_tier": lambda d, api: {"value_tier": d.value_tier},
    "journey_map": lambda d, api: {"journey_map": d.journey_map.id},
}

COMMON = (
    Case("no filter", ()),
    Case("period", ("period",)),
    Case("start only", ("start",)),
    Case("year", ("year",)),
    Case("survey", ("survey",)),
    Case("touchpoint", ("touchpoint",)),
    Case("stage", ("stage",)),
    Case("channel", ("channel",)),
    Case("segment", ("segment",)),
    Case("value tier", ("value_tier",)),
    Case("period+survey+touchpoint+stage", ("period", "survey", "touchpoint", "stage")),
    Case("period+segment", ("period", "segment")),
    Case("period+channel+value tier", ("period", "channel", "value_tier")),
    Case("survey+segment+value tier", ("survey", "segment", "value_tier")),
)
SERIES = (
    Case("interval day+period", ("period",), (("interval", "day"),)),
    Case("interval week", (), (("interval", "week"),)),
    Case("interval month+segment", ("segment",), (("interval", "month"),)),
    Case("interval week+survey+touchpoint", ("survey", "touchpoint"), (("interval", "week"),)),
)
JOURNEY_MAP = (
    Case("journey map", ("journey_map",)),
    Case("period+journey map+segment", ("period", "journey_map", "segment")),
    Case("journey map+value tier+touchpoint", ("journey_map", "value_tier", "touchpoint")),
)

# --- checks ---------------------------------------------------------------------------------------


def assert_served_by_indexes(statements, **options) -> None:
    assert statements, "nothing was recorded"
    problems = plan_problems(statements, **options)
    if problems:
        pytest.fail(describe(problems), pytrace=False)


# --- the metrics API ------------------------------------------------------------------------------

METRICS = ("nps", "csat", "ces", "expectation", "drivers", "peak-end")
API_CASES = [
    pytest.param(metric, case, id=f"{metric}: {case.name}")
    for metric in METRICS
    for case in (*COMMON, *SERIES, *(JOURNEY_MAP if metric == "peak-end" else ()))
]


@pytest.fixture
def metrics_api(db):
    _, key = api_key_create(name="plans", scopes=["metrics:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.mark.parametrize(("metric", "case"), API_CASES)
def test_a_metrics_call_reads_growing_tables_only_by_an_index_that_serves_it(
    seeded, metrics_api, metric, case
):
    params = case.params(seeded, api=True)
    with record_statements() as statements:
        response = metrics_api.get(f"/api/v1/metrics/{metric}/", params)
    assert response.status_code == 200, response.content[:500]
    assert_served_by_indexes(statements)


# --- the dashboards -------------------------------------------------------------------------------

NO_SEGMENT = Case("no segment", (), (("segment", "-"),))
COMMENT_SEARCHES = (
    Case("search", (), (("q", "delivery"),)),
    Case("search+period+segment", ("period", "segment"), (("q", "slow"),)),
    Case("second page", ("year",), (("page", "2"),)),
)
PAGES = {
    "dashboard-overview": (*COMMON, NO_SEGMENT, *SERIES),
    "dashboard-touchpoints": (*COMMON, NO_SEGMENT),
    "dashboard-journeys": (*COMMON, *JOURNEY_MAP),
    "dashboard-drivers": (*COMMON, NO_SEGMENT),
    "dashboard-comments": (*COMMON, *COMMENT_SEARCHES),
}
DETAIL_CASES = tuple(case for case in COMMON if "touchpoint" not in case.parts)
EXPORT_CASES = tuple(case for case in COMMON if case.name in ("no filter", "period+channel+value tier"))
DASHBOARD_CASES = [
    pytest.param(name, None, case, id=f"{name.removeprefix('dashboard-')}: {case.name}")
    for name, cases in PAGES.items()
    for case in cases
]
DASHBOARD_CASES += [
    pytest.param("dashboard-touchpoint-detail", None, case, id=f"touchpoint-detail: {case.name}")
    for case in DETAIL_CASES
]
DASHBOARD_CASES += [
    pytest.param("dashboard-export", slug, case, id=f"export {slug}: {case.name}")
    for slug in ("overview", "touchpoints", "journeys", "drivers", "comments")
    for case in EXPORT_CASES
]


def _dashboard_url(name: str, slug: str | None, data) -> str:
    if name == "dashboard-export":
        return reverse(name, kwargs={"slug": slug, "fmt": "xlsx"})
    if name == "dashboard-touchpoint-detail":
        return reverse(name, args=[data.touchpoint.id])
    return reverse(name)


@pytest.mark.parametrize(("name", "slug", "case"), DASHBOARD_CASES)
def test_a_dashboard_page_reads_growing_tables_only_by_an_index_that_serves_it(
    seeded, manager_client, name, slug, case
):
    params = case.params(seeded, api=False)
    url = _dashboard_url(name, slug, seeded)
    with record_statements() as statements:
        response = manager_client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    assert_served_by_indexes(statements)


# --- the refresh ----------------------------------------------------------------------------------

NEW_RESPONSES = NEW_INTERACTIONS = 20


def _answers(questions) -> dict:
    """Valid answers to every question: the scale's top for scores, the first choice, a short text."""
    data = {"lang": "en"}
    for question in questions:
        name = f"q{question.id}"
        if question.type == Question.Type.TEXT:
            data[name] = "The parcel came late but the driver was kind."
        elif question.type in (Question.Type.SINGLE_CHOICE, Question.Type.MULTI_CHOICE):
            data[name] = question.choices[0]["value"]
        else:
            low, high = question_scale(question)
            data[name] = str(high if question.id % 2 else low)
            if question.type == Question.Type.EXPECTATION_EXPERIENCE:
                data[name + EXPECTED_SUFFIX] = str(high)
    return data


def _new_responses(count: int) -> None:
    """``count`` answered invitations, submitted the way the public survey page submits them."""
    now = timezone.now()
    surveys = list(Survey.objects.filter(status=Survey.Status.LIVE).order_by("id"))
    customers = list(Customer.objects.order_by("id")[:count])
    for index, customer in enumerate(customers):
        survey = surveys[index % len(surveys)]
        interaction = customer.interactions.order_by("-occurred_at").first()
        invitation = InvitationFactory(
            survey=survey,
            customer=customer,
            interaction=interaction,
            interaction_touchpoint=interaction.touchpoint if interaction else None,
            interaction_channel=interaction.channel if interaction else "",
            status="sent",
            sent_at=now - timedelta(hours=index),
        )
        response_submit(invitation=invitation, data=_answers(survey.questions.all()), language="en")


def _new_interactions(count: int) -> None:
    """``count`` contacts logged on existing journeys, across their days, as an agent logs them."""
    journeys = list(Journey.objects.select_related("customer").order_by("id"))
    spread = journeys[:: max(1, len(journeys) // count)][:count]
    touchpoints = list(Touchpoint.objects.order_by("id"))
    for index, journey in enumerate(spread):
        interaction_log(
            customer=journey.customer,
            touchpoint=touchpoints[index % len(touchpoints)],
            occurred_at=journey.started_at + timedelta(hours=2),
            experience_score=float(index % 11),
            journey=journey,
        )


def _totals() -> tuple[int, int]:
    responses = ResponseRollup.objects.aggregate(n=Sum("responses"))["n"] or 0
    return responses, InteractionRollup.objects.aggregate(n=Sum("interactions"))["n"] or 0


def test_the_refresh_reads_source_rows_by_index_and_rollups_without_filtering(seeded):
    before = _totals()
    _new_responses(NEW_RESPONSES)
    _new_interactions(NEW_INTERACTIONS)
    assert StaleMark.objects.exists(), "the writes marked nothing stale"
    with record_statements() as statements:
        report = metrics_refresh_stale()
    # The refresh did its whole work: every mark consumed, the new rows counted in the rollups.
    assert report.complete and not StaleMark.objects.exists()
    assert _totals() == (before[0] + NEW_RESPONSES, before[1] + NEW_INTERACTIONS)
    assert_served_by_indexes(statements, verbs=REFRESH, filtered=rollup_tables())


# --- the checker itself ---------------------------------------------------------------------------


def test_the_checker_finds_every_growing_table_and_no_catalogue(seeded):
    tables = growing_tables()
    rollups = {model._meta.db_table for model in (ResponseRollup, InteractionRollup, JourneyRollup)}
    assert rollups <= rollup_tables() <= tables
    assert {"surveys_response", "touchpoints_interaction", "journeys_journey"} <= tables
    assert not tables & {"analytics_rollupbucket", "analytics_stalemark", "surveys_survey"}


def test_the_checker_reports_sequential_scans_filtering_index_scans_and_whole_index_walks(seeded):
    since = timezone.now() - timedelta(days=7)
    with record_statements() as statements:
        unordered = Response.objects.order_by()  # the default order would walk the time index
        list(unordered.filter(language="en").values_list("id"))  # no index holds the language
        # Found by the primary key, then thrown away by a filter column no index leads with.
        list(Interaction.objects.order_by().filter(id__gte=0, channel="web").values_list("id"))
        list(unordered.filter(submitted_at__gte=since).values_list("id"))
        list(Response.objects.order_by("id").values_list("id"))
        list(Response.objects.order_by("id").values_list("id")[:5])  # the walk stops at five
        list(Survey.objects.filter(name="x").values_list("id"))  # a catalogue: anything goes
    problems = plan_problems(statements)
    assert [(p.table, p.node) for p in problems] == [
        ("surveys_response", "Seq Scan"),
        ("touchpoints_interaction", problems[1].node),
        ("surveys_response", problems[2].node),
    ], describe(problems)
    assert problems[1].node != "Seq Scan" and "channel" in problems[1].condition
    assert problems[2].node != "Seq Scan" and "whole index" in problems[2].condition
    assert "language" in str(problems[0]) and 'FROM "surveys_response"' in str(problems[0])
    # The refresh may filter source rows it found by an index; a sequential scan is never allowed.
    refresh = plan_problems(statements, verbs=REFRESH, filtered=rollup_tables())
    assert [p.node for p in refresh] == ["Seq Scan", problems[2].node], describe(refresh)
