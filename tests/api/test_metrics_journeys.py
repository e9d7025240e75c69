"""``GET /api/v1/metrics/journeys/``: journey analytics of one map — validated input, the selector's
numbers, the documented shape and example."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from analytics.selectors import MetricFilters, journey_analytics
from analytics.services import metrics_refresh_stale
from journeys.models import JourneyStatus
from journeys.services import journeys_assemble_pending, journeys_timeout_close
from tests.analytics import test_query_plans as plans
from tests.analytics.plans import record_statements
from tests.analytics.test_journey_funnel import online_map, population, walk
from tests.factories import CustomerFactory

from .conftest import assert_error, client_with

pytestmark = pytest.mark.django_db
URL = "/api/v1/metrics/journeys/"


@pytest.fixture
def online(db):
    return online_map()


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({}, "journey_map", "required"),
        ({"journey_map": "x"}, "journey_map", "invalid"),
        ({"journey_map": 0}, "journey_map", "min_value"),
        ({"journey_map": 424242}, "journey_map", "does_not_exist"),
        ({"interval": "hour"}, "interval", "invalid_choice"),
        ({"start": "2025-02-01", "end": "2025-01-01"}, "end", "invalid"),
        ({"segment": "nobody-has-this"}, "segment", "does_not_exist"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, online, query, field, code):
    params = (
        {"journey_map": online.journey_map.id, **query} if query and "journey_map" not in query else query
    )
    errors = assert_error(api.get(URL, params), 400)
    assert (field, code) in {(error["field"], error["code"]) for error in errors}, errors


def test_the_answer_is_the_selectors_numbers(api, online):
    population(online, customers=40, seed=21)
    start = timezone.localdate() - timedelta(days=59)
    body = api.get(
        URL, {"journey_map": online.journey_map.id, "start": start.isoformat(), "interval": "day"}
    ).json()
    analytics = journey_analytics(
        filters=MetricFilters(start=start, journey_map_id=online.journey_map.id), interval="day"
    )

    assert body["journey_map"] == {"id": online.journey_map.id, "name": "Online order"}
    assert body["interval"] == "day"
    assert [item["touchpoint"] for item in body["funnel"]] == ["browse", "cart", "pay", "deliver"]
    assert [item["reached"] for item in body["funnel"]] == [
        row.figures.reached for row in analytics.funnel.steps
    ]
    assert body["funnel"][-1]["drop"] is None and body["funnel"][-1]["to_next"] is None
    assert body["outcomes"]["journeys"] == analytics.outcomes.total.journeys > 0
    assert [point["period"] for point in body["series"]] == [
        p.period.isoformat() for p in analytics.outcomes.series
    ]
    assert [item["status"] for item in body["peak_end_by_outcome"]] == [
        "completed",
        "abandoned",
        "in_progress",
    ]
    assert [item["ends"] for item in body["give_up"]] == [m.ends for m in analytics.give_up]


def test_without_journeys_every_share_and_median_is_null(api, online):
    body = api.get(URL, {"journey_map": online.journey_map.id}).json()
    assert body["outcomes"]["journeys"] == 0 and body["outcomes"]["completion"]["share"] is None
    assert body["funnel"][0]["reached_share"] is None
    assert body["funnel"][0]["to_next"] == {"n": 0, "median_seconds": None, "at_least": False}
    assert body["series"] == [] and body["give_up"] == []


def test_the_abandoned_half_way_customer_is_in_the_drop_off(api, online):
    start = timezone.now() - timedelta(hours=6)
    walk(online, CustomerFactory(), start, [("browse", timedelta(0), 8.0), ("cart", timedelta(hours=1), 3.0)])
    journeys_assemble_pending()
    with_timeout = timezone.now() + timedelta(days=31)
    journeys_timeout_close(now=with_timeout)
    metrics_refresh_stale()

    body = api.get(URL, {"journey_map": online.journey_map.id}).json()
    cart = body["funnel"][1]
    assert (cart["reached"], cart["dropped"], cart["dropped_abandoned"]) == (1, 1, 1)
    assert body["outcomes"]["abandoned"] == 1
    assert [item["touchpoint"] for item in body["give_up"]] == ["cart"]
    assert {item["status"]: item["scored"] for item in body["peak_end_by_outcome"]}[
        JourneyStatus.ABANDONED
    ] == 1


def test_the_schema_documents_the_call_with_an_example(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"][URL]["get"]
    assert operation["summary"] == "Journey analytics of a map"
    assert {p["name"] for p in operation["parameters"]} >= {
        "journey_map",
        "start",
        "end",
        "interval",
        "segment",
    }
    example = operation["responses"]["200"]["content"]["application/json"]["examples"]
    (value,) = [item["value"] for item in example.values()]
    assert {"funnel", "outcomes", "series", "peak_end_by_outcome", "give_up"} <= set(value)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The seeded, analysed demo of the query-plan tests, built once here, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield plans._seed()
        transaction.set_rollback(True)


@pytest.fixture
def metrics_api(make_key):
    _, key = make_key("metrics:read")
    return client_with(key)


# Every filter combination the other metrics calls are planned with, on one map.
PLAN_CASES = [pytest.param(case, id=case.name) for case in (*plans.COMMON, *plans.SERIES, *plans.JOURNEY_MAP)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's EXPLAIN")
@pytest.mark.parametrize("case", PLAN_CASES)
def test_the_call_reads_growing_tables_only_by_an_index_that_serves_it(seeded, metrics_api, case):
    params = {**case.params(seeded, api=True), "journey_map": seeded.journey_map.id}
    with record_statements() as statements:
        response = metrics_api.get(URL, params)
    assert response.status_code == 200, response.content[:500]
    plans.assert_served_by_indexes(statements)
