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
