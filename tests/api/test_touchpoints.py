"""/touchpoints/: the catalogue by code; code, stage and channel are fixed; a new floor refreshes figures."""

import pytest

from analytics.models import StaleKind, StaleMark
from tests.factories import InteractionFactory, JourneyFactory, TouchpointFactory
from touchpoints.models import Touchpoint

from .conftest import assert_error

pytestmark = pytest.mark.django_db

NEW = {"code": "delivery", "name": "Delivery", "stage": "post_sale", "channel": "in_store", "floor_score": 4}


def test_create_and_read_by_code(api):
    assert api.post("/api/v1/touchpoints/", NEW).status_code == 201
    assert api.get("/api/v1/touchpoints/delivery/").json()["floor_score"] == 4


def test_create_refuses_a_duplicate_code_and_a_bad_stage(api):
    api.post("/api/v1/touchpoints/", NEW)
    assert_error(api.post("/api/v1/touchpoints/", NEW), 400, "unique", "code")
    assert_error(api.post("/api/v1/touchpoints/", {**NEW, "code": "x", "stage": "later"}), 400, field="stage")


def test_floor_must_be_within_0_to_10(api):
    assert_error(
        api.post("/api/v1/touchpoints/", {**NEW, "floor_score": 11}), 400, "max_value", "floor_score"
    )


def test_patch_changes_name_and_floor_but_not_code_stage_or_channel(api):
    TouchpointFactory(code="delivery", stage="post_sale", channel="phone")
    body = api.patch(
        "/api/v1/touchpoints/delivery/",
        {"name": "Home delivery", "code": "x", "stage": "pre_sale", "channel": "web"},
    ).json()
    assert (body["code"], body["name"], body["stage"], body["channel"]) == (
        "delivery",
        "Home delivery",
        "post_sale",
        "phone",
    )


def test_a_new_floor_marks_the_days_and_journeys_of_its_interactions_stale(api):
    touchpoint = TouchpointFactory(code="delivery")
    journey = JourneyFactory()
    InteractionFactory(touchpoint=touchpoint, customer=journey.customer, journey=journey)
    StaleMark.objects.all().delete()
    api.patch("/api/v1/touchpoints/delivery/", {"description": "words only"})
    assert not StaleMark.objects.exists()
    api.patch("/api/v1/touchpoints/delivery/", {"floor_score": 6})
    kinds = set(StaleMark.objects.values_list("kind", flat=True))
    assert {StaleKind.INTERACTION_DAY, StaleKind.JOURNEY} <= kinds


def test_put_and_delete_are_not_offered(api):
    TouchpointFactory(code="delivery")
    assert_error(api.put("/api/v1/touchpoints/delivery/", NEW), 405, "method_not_allowed")
    assert_error(api.delete("/api/v1/touchpoints/delivery/"), 405, "method_not_allowed")
    assert Touchpoint.objects.filter(code="delivery").exists()


def test_list_filters_by_stage_and_active(api):
    TouchpointFactory(code="a", stage="pre_sale")
    TouchpointFactory(code="b", stage="post_sale", active=False)
    codes = lambda q: [t["code"] for t in api.get(f"/api/v1/touchpoints/?{q}").json()["results"]]  # noqa: E731
    assert codes("stage=pre_sale") == ["a"]
    assert codes("active=false") == ["b"]
