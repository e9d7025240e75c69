"""/journeys/ (steps, peak–end, moments of truth) and /journey-maps/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.services import journey_scores_refresh
from tests.factories import InteractionFactory, JourneyFactory, JourneyMapStepFactory, TouchpointFactory

from .conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_journey():
    journey = JourneyFactory()
    start = timezone.now() - timedelta(days=3)
    touchpoints = [TouchpointFactory(code=f"tp-{i}") for i in range(3)]
    steps = [
        InteractionFactory(
            customer=journey.customer,
            journey=journey,
            touchpoint=tp,
            occurred_at=start + timedelta(hours=i),
            experience_score=score,
        )
        for i, (tp, score) in enumerate(zip(touchpoints, (6, 1, 8), strict=True))
    ]
    journey_scores_refresh(journey_ids=[journey.id], force=True)
    return journey, steps


def test_detail_has_steps_in_time_order_with_peak_and_end(api, scored_journey):
    journey, steps = scored_journey
    body = api.get(f"/api/v1/journeys/{journey.id}/").json()
    assert [s["interaction"] for s in body["steps"]] == [s.id for s in steps]
    assert [(s["is_peak"], s["is_end"]) for s in body["steps"]] == [
        (False, False),
        (True, False),
        (False, True),
    ]
    score = body["peak_end"]
    assert (score["peak"], score["end"], score["peak_end"]) == (1.0, 8.0, 4.5)
    assert (score["peak_touchpoint"], score["end_touchpoint"]) == ("tp-1", "tp-2")


def test_a_journey_without_scored_moments_has_null_peak_end(api):
    journey = JourneyFactory()
    assert api.get(f"/api/v1/journeys/{journey.id}/").json()["peak_end"] is None


def test_list_filters_by_customer_and_map(api, scored_journey):
    journey, _ = scored_journey
    other = JourneyFactory()
    results = api.get(f"/api/v1/journeys/?customer={journey.customer.external_id}").json()["results"]
    assert [j["id"] for j in results] == [journey.id]
    assert results[0]["peak_end"]["peak_end"] == 4.5 and "steps" not in results[0]
    assert [
        j["id"] for j in api.get(f"/api/v1/journeys/?journey_map={other.journey_map_id}").json()["results"]
    ] == [other.id]


def test_list_is_two_queries_whatever_the_number_of_journeys(
    api, scored_journey, django_assert_max_num_queries
):
    for _ in range(5):
        JourneyFactory()
    api.get("/api/v1/journeys/")  # the key's first use writes its last-used time
    with django_assert_max_num_queries(2):  # key, journeys joined with scores and customers
        api.get("/api/v1/journeys/")


def test_journey_maps_list_their_steps_in_order(api):
    first = JourneyMapStepFactory(position=2, touchpoint=TouchpointFactory(code="b"))
    JourneyMapStepFactory(journey_map=first.journey_map, position=1, touchpoint=TouchpointFactory(code="a"))
    body = api.get(f"/api/v1/journey-maps/{first.journey_map_id}/").json()
    assert [s["touchpoint"] for s in body["steps"]] == ["a", "b"]


def test_unknown_journey_is_404(api):
    assert_error(api.get("/api/v1/journeys/999999/"), 404, "not_found")


def test_list_shows_progress_along_the_map(api):
    step = JourneyMapStepFactory(position=1)
    for position in (2, 3):
        JourneyMapStepFactory(journey_map=step.journey_map, position=position)
    journey = JourneyFactory(journey_map=step.journey_map, external_id="ORDER-7", furthest_step=2)
    (body,) = api.get("/api/v1/journeys/").json()["results"]
    assert {key: body[key] for key in ("id", "external_id", "origin", "furthest_step", "steps_total")} == {
        "id": journey.id,
        "external_id": "ORDER-7",
        "origin": "explicit",
        "furthest_step": 2,
        "steps_total": 3,
    }
    assert {"last_activity_at", "updated_at"} <= set(body)


def test_list_filters_by_status_origin_external_id_and_start(api):
    now = timezone.now()
    old = JourneyFactory(started_at=now - timedelta(days=40), status="abandoned", origin="assembled")
    new = JourneyFactory(started_at=now - timedelta(days=1), external_id="T-1")

    def ids(query: str) -> list[int]:
        response = api.get(f"/api/v1/journeys/?{query}")
        assert response.status_code == 200, response.content
        return [j["id"] for j in response.json()["results"]]

    assert ids("status=abandoned") == [old.id]
    assert ids("origin=explicit") == [new.id]
    assert ids("external_id=T-1") == [new.id]
    started_after = (now - timedelta(days=2)).isoformat().replace("+00:00", "Z")
    assert ids(f"started_after={started_after}") == [new.id]
    assert ids(f"customer={old.customer.external_id}&status=in_progress") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=finished", "status"),
        ("started_after=soon", "started_after"),
        ("journey_map=x", "journey_map"),
    ],
)
def test_a_filter_value_it_does_not_take_is_400_naming_it(api, query, field):
    assert_error(api.get(f"/api/v1/journeys/?{query}"), 400, field=field)


def test_list_stays_two_queries_with_maps_steps_and_scores(
    api, scored_journey, django_assert_max_num_queries
):
    for n in range(6):
        step = JourneyMapStepFactory(position=1)
        JourneyMapStepFactory(journey_map=step.journey_map, position=2)
        JourneyFactory(journey_map=step.journey_map if n % 2 else None, external_id=f"E-{n}")
    api.get("/api/v1/journeys/")
    with django_assert_max_num_queries(2):
        body = api.get("/api/v1/journeys/").json()
    totals = [(j["journey_map"] is None, j["steps_total"]) for j in body["results"] if j["external_id"]]
    assert sorted(totals, key=str) == [(False, 2)] * 3 + [(True, None)] * 3
