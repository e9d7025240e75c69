"""Interactions that name their journey by the connected system's id (``journey_external_id``), in the
single and the bulk call alike: they join that journey, started if there is none; another customer's
journey, or a journey named both ways, is refused naming the field, in the same words."""

import pytest

from journeys.models import Journey, JourneyMap, JourneyOrigin
from tests.factories import CustomerFactory, JourneyFactory, JourneyMapStepFactory, TouchpointFactory
from touchpoints.models import Interaction

from .conftest import assert_error

pytestmark = pytest.mark.django_db

SINGLE, BULK = "/api/v1/interactions/", "/api/v1/interactions/bulk/"


@pytest.fixture
def world():
    checkout = TouchpointFactory(code="checkout")
    journey_map = JourneyMap.objects.create(name="Online order", status=JourneyMap.Status.PUBLISHED)
    JourneyMapStepFactory(journey_map=journey_map, touchpoint=checkout, position=1)
    ada, bob = CustomerFactory(external_id="C-ADA"), CustomerFactory(external_id="C-BOB")
    return journey_map, ada, bob


def _item(**fields) -> dict:
    return {"customer": "C-ADA", "touchpoint": "checkout", "occurred_at": "2025-03-02T10:00:00Z", **fields}


def test_a_single_interaction_starts_the_journey_it_names_and_answers_it(api, world):
    journey_map, ada, _ = world

    response = api.post(SINGLE, _item(journey_external_id=" ORDER-1 "), format="json")

    assert response.status_code == 201, response.content
    journey = Journey.objects.get()
    assert (journey.external_id, journey.customer, journey.journey_map, journey.origin) == (
        "ORDER-1",
        ada,
        journey_map,
        JourneyOrigin.EXPLICIT,
    )
    assert (response.json()["journey"], response.json()["journey_external_id"]) == (journey.id, "ORDER-1")


def test_the_next_interaction_naming_it_joins_the_same_journey(api, world):
    api.post(SINGLE, _item(journey_external_id="ORDER-1"), format="json")
    api.post(BULK, {"items": [_item(journey_external_id="ORDER-1", external_id="I-2")]}, format="json")

    journey = Journey.objects.get()
    assert list(Interaction.objects.values_list("journey_id", flat=True)) == [journey.id, journey.id]
    listed = api.get(f"{SINGLE}?customer=C-ADA").json()["results"]
    assert [(i["journey"], i["journey_external_id"]) for i in listed] == [(journey.id, "ORDER-1")] * 2


def test_a_bulk_call_puts_each_item_on_the_journey_it_names(api, world):
    items = [_item(external_id=f"I-{n}", journey_external_id=f"ORDER-{n % 2}") for n in range(4)]
    items.append(_item(external_id="I-9", customer="C-BOB", journey_external_id="TICKET-1"))

    results = api.post(BULK, {"items": items}, format="json").json()["results"]

    assert [r["status"] for r in results] == ["created"] * 5
    by_ref = dict(Journey.objects.values_list("external_id", "customer__external_id"))
    assert by_ref == {"ORDER-0": "C-ADA", "ORDER-1": "C-ADA", "TICKET-1": "C-BOB"}
    placed = Interaction.objects.values_list("external_id", "journey__external_id")
    assert dict(placed) == {
        "I-0": "ORDER-0",
        "I-1": "ORDER-1",
        "I-2": "ORDER-0",
        "I-3": "ORDER-1",
        "I-9": "TICKET-1",
    }


def test_another_customers_journey_is_refused_in_both_calls_in_the_same_words(api, world):
    JourneyFactory(customer=world[2], external_id="TICKET-1")
    item = _item(journey_external_id="TICKET-1")

    single = assert_error(api.post(SINGLE, item, format="json"), 400, "other_customer", "journey_external_id")
    (result,) = api.post(BULK, {"items": [item]}, format="json").json()["results"]

    assert result["status"] == "error" and result["errors"] == single
    assert single == [
        {
            "field": "journey_external_id",
            "code": "other_customer",
            "message": "The journey 'TICKET-1' is another customer's.",
        }
    ]
    assert not Interaction.objects.exists()


def test_a_journey_named_both_by_id_and_by_external_id_is_refused(api, world):
    journey = JourneyFactory(customer=world[1])
    item = _item(journey=journey.id, journey_external_id="ORDER-1")

    single = assert_error(api.post(SINGLE, item, format="json"), 400, "exclusive", "journey_external_id")
    (result,) = api.post(BULK, {"items": [item]}, format="json").json()["results"]

    assert result["errors"] == single
    assert not Interaction.objects.exists() and Journey.objects.count() == 1


def test_a_null_journey_with_an_external_id_is_no_conflict(api, world):
    response = api.post(SINGLE, _item(journey=None, journey_external_id="ORDER-1"), format="json")
    assert response.status_code == 201, response.content
    assert Journey.objects.get().external_id == "ORDER-1"


@pytest.mark.parametrize(
    ("value", "code"),
    [(12, "invalid"), (None, "null"), ("x" * 101, "max_length"), ("a\x00b", "null_characters_not_allowed")],
)
def test_a_journey_external_id_that_is_no_id_is_refused_alike(api, world, value, code):
    item = _item(journey_external_id=value)
    single = assert_error(api.post(SINGLE, item, format="json"), 400, code, "journey_external_id")
    (result,) = api.post(BULK, {"items": [item]}, format="json").json()["results"]
    assert result["errors"] == single
    assert not Interaction.objects.exists()


def test_every_error_of_an_item_is_reported_at_once_in_both_calls(api, world):
    JourneyFactory(customer=world[2], external_id="TICKET-1")
    own = JourneyFactory(customer=world[1])
    for item, expected in [
        (
            _item(journey_external_id="TICKET-1", channel="fax"),
            [("channel", "invalid_choice"), ("journey_external_id", "other_customer")],
        ),
        (
            _item(journey=own.id, journey_external_id="X", experience_score=11),
            [("experience_score", "max_value"), ("journey_external_id", "exclusive")],
        ),
        (_item(customer="NOPE", journey_external_id="TICKET-1"), [("customer", "does_not_exist")]),
    ]:
        (result,) = api.post(BULK, {"items": [item]}, format="json").json()["results"]
        single = assert_error(api.post(SINGLE, item, format="json"), 400)
        assert [(e["field"], e["code"]) for e in result["errors"]] == expected, item
        assert sorted(single, key=str) == sorted(result["errors"], key=str), item
    assert not Interaction.objects.exists()


def test_a_blank_journey_external_id_names_no_journey(api, world):
    response = api.post(SINGLE, _item(journey_external_id="  "), format="json")
    assert response.status_code == 201 and response.json()["journey_external_id"] == ""
    assert not Journey.objects.filter(origin=JourneyOrigin.EXPLICIT).exists()


def test_a_bulk_of_named_interactions_takes_as_many_queries_for_200_journeys_as_for_1(
    api, world, django_assert_max_num_queries
):
    api.post(BULK, {"items": [_item()]}, format="json")  # the key's first use writes its last-used time
    items = [_item(external_id=f"W-{n}", journey_external_id=f"ORDER-{n}") for n in range(200)]
    with django_assert_max_num_queries(30):  # as many as for one item: nothing is read or written per row
        results = api.post(BULK, {"items": items}, format="json").json()["results"]
    assert {r["status"] for r in results} == {"created"}
    assert Journey.objects.filter(origin=JourneyOrigin.EXPLICIT).count() == 200
