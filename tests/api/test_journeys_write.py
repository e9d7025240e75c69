"""Journeys a connected system controls through /journeys/: started idempotently by external_id,
fed with interactions, ended or re-opened; each write needs journeys:write and honours
Idempotency-Key; every refusal names its field."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from api.keys import api_key_create
from api.models import ApiKey
from journeys.models import Journey, JourneyOrigin, JourneyStatus
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    JourneyFactory,
    JourneyMapFactory,
    JourneyMapStepFactory,
    TouchpointFactory,
)
from touchpoints.models import Interaction

from .conftest import assert_error

pytestmark = pytest.mark.django_db

JOURNEYS = "/api/v1/journeys/"


@pytest.fixture
def ada():
    return CustomerFactory(external_id="C-ADA")


@pytest.fixture
def order_map():
    step = JourneyMapStepFactory(position=1, touchpoint=TouchpointFactory(code="checkout"))
    JourneyMapStepFactory(
        journey_map=step.journey_map, position=2, touchpoint=TouchpointFactory(code="delivery")
    )
    return step.journey_map


def _open(client, **body):
    return client.post(JOURNEYS, {"external_id": "ORDER-1", "customer": "C-ADA", **body}, format="json")


# --- POST /journeys/ ---------------------------------------------------------------------------------


def test_a_new_external_id_starts_an_explicit_journey_in_progress(api, ada, order_map):
    started = timezone.now() - timedelta(days=2)
    response = _open(api, journey_map=order_map.id, started_at=started.isoformat())

    assert response.status_code == 201, response.content
    body = response.json()
    journey = Journey.objects.get()
    assert body["id"] == journey.id
    assert {key: body[key] for key in ("external_id", "customer", "journey_map", "origin", "status")} == {
        "external_id": "ORDER-1",
        "customer": "C-ADA",
        "journey_map": order_map.id,
        "origin": "explicit",
        "status": "in_progress",
    }
    assert (body["steps_total"], body["furthest_step"], body["peak_end"], body["ended_at"]) == (
        2,
        None,
        None,
        None,
    )
    assert journey.started_at == started and journey.origin == JourneyOrigin.EXPLICIT


def test_the_same_external_id_again_answers_the_journey_it_names_unchanged(api, ada, order_map):
    first = _open(api, journey_map=order_map.id).json()

    again = _open(api, started_at="2020-01-01T00:00:00Z")

    assert again.status_code == 200
    assert again.json() == first
    assert Journey.objects.count() == 1


def test_an_external_id_of_another_customers_journey_is_400_naming_it(api, ada):
    JourneyFactory(external_id="ORDER-1")
    assert_error(_open(api), 400, "other_customer", "external_id")
    assert Journey.objects.count() == 1


def test_a_journey_on_no_map_has_no_steps_total(api, ada):
    body = _open(api).json()
    assert (body["journey_map"], body["steps_total"]) == (None, None)


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"external_id": None}, "external_id", "null"),
        ({"external_id": ""}, "external_id", "blank"),
        ({"external_id": 12}, "external_id", "invalid"),
        ({"external_id": "x" * 101}, "external_id", "max_length"),
        ({"customer": "NOPE"}, "customer", "does_not_exist"),
        ({"journey_map": 10**9}, "journey_map", "does_not_exist"),
        ({"journey_map": 2**70}, "journey_map", "does_not_exist"),
        ({"journey_map": "1"}, "journey_map", "invalid"),
        ({"started_at": "soon"}, "started_at", "invalid"),
    ],
)
def test_invalid_input_is_400_naming_the_field_and_stores_nothing(api, ada, body, field, code):
    assert_error(_open(api, **body), 400, code, field)
    assert not Journey.objects.exists()


def test_missing_external_id_and_customer_are_both_named(api):
    errors = assert_error(api.post(JOURNEYS, {}, format="json"), 400, "required")
    assert {error["field"] for error in errors} == {"external_id", "customer"}


def test_an_inactive_map_takes_no_journey(api, ada):
    assert_error(_open(api, journey_map=JourneyMapFactory(active=False).id), 400, field="journey_map")
    assert not Journey.objects.exists()


def test_a_start_replayed_with_its_idempotency_key_answers_the_same(api, ada):
    first = api.post(
        JOURNEYS, {"external_id": "O-9", "customer": "C-ADA"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = api.post(
        JOURNEYS, {"external_id": "O-9", "customer": "C-ADA"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    other = api.post(
        JOURNEYS, {"external_id": "O-8", "customer": "C-ADA"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert again.json() == first.json()
    assert_error(other, 422, "idempotency_key_reused")
    assert Journey.objects.count() == 1


# --- POST /journeys/{id}/interactions/ ----------------------------------------------------------------


def test_attached_interactions_become_the_journeys_steps_in_time_order(api, ada, order_map):
    journey = Journey.objects.get(id=_open(api, journey_map=order_map.id).json()["id"])
    now = timezone.now()
    later = InteractionFactory(
        customer=ada, touchpoint=order_map.steps.get(position=2).touchpoint, occurred_at=now
    )
    earlier = InteractionFactory(
        customer=ada,
        touchpoint=order_map.steps.get(position=1).touchpoint,
        occurred_at=now - timedelta(hours=3),
    )

    response = api.post(
        f"{JOURNEYS}{journey.id}/interactions/", {"interactions": [later.id, earlier.id]}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert [step["interaction"] for step in body["steps"]] == [earlier.id, later.id]
    assert (body["furthest_step"], body["last_activity_at"]) == (2, now.isoformat().replace("+00:00", "Z"))
    assert set(Interaction.objects.values_list("journey_id", flat=True)) == {journey.id}


def test_an_interaction_of_another_customer_moves_nothing_and_names_interactions(api, ada):
    journey = JourneyFactory(customer=ada)
    own, foreign = InteractionFactory(customer=ada), InteractionFactory()

    response = api.post(
        f"{JOURNEYS}{journey.id}/interactions/", {"interactions": [own.id, foreign.id]}, format="json"
    )

    assert_error(response, 400, field="interactions")
    assert list(Interaction.objects.exclude(journey=None)) == []


def test_an_unknown_interaction_id_moves_nothing(api, ada):
    journey = JourneyFactory(customer=ada)
    own = InteractionFactory(customer=ada)
    response = api.post(
        f"{JOURNEYS}{journey.id}/interactions/", {"interactions": [own.id, 10**12]}, format="json"
    )
    assert_error(response, 400, field="interactions")
    assert Interaction.objects.get().journey_id is None


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "interactions", "required"),
        ({"interactions": []}, "interactions", "min_length"),
        ({"interactions": "7"}, "interactions", "not_a_list"),
        ({"interactions": ["7"]}, "interactions.0", "invalid"),
        ({"interactions": [7, True]}, "interactions.1", "invalid"),
        ({"interactions": [0]}, "interactions.0", "min_value"),
        ({"interactions": [1] * 1001}, "interactions", "max_length"),
    ],
)
def test_interaction_ids_that_are_not_1_to_1000_ids_are_400(api, ada, body, field, code):
    journey = JourneyFactory(customer=ada)
    assert_error(api.post(f"{JOURNEYS}{journey.id}/interactions/", body, format="json"), 400, code, field)


def test_attaching_takes_an_assembled_journey_over_and_makes_it_explicit(api, ada):
    journey = JourneyFactory(customer=ada, origin=JourneyOrigin.ASSEMBLED, assembly_key=1)
    interaction = InteractionFactory(customer=ada)
    api.post(f"{JOURNEYS}{journey.id}/interactions/", {"interactions": [interaction.id]}, format="json")
    journey.refresh_from_db()
    assert (journey.origin, journey.assembly_key) == (JourneyOrigin.EXPLICIT, None)


# --- PATCH /journeys/{id}/ ----------------------------------------------------------------------------


def test_a_journey_is_completed_at_the_time_given(api, ada):
    journey = JourneyFactory(customer=ada)
    ended = timezone.now() - timedelta(hours=1)

    response = api.patch(
        f"{JOURNEYS}{journey.id}/", {"status": "completed", "ended_at": ended.isoformat()}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    journey.refresh_from_db()
    assert (journey.status, journey.ended_at) == (JourneyStatus.COMPLETED, ended)


def test_the_same_end_sent_again_changes_nothing(api, ada):
    journey = JourneyFactory(customer=ada)
    first = api.patch(f"{JOURNEYS}{journey.id}/", {"status": "abandoned"}, format="json").json()
    again = api.patch(f"{JOURNEYS}{journey.id}/", {"status": "abandoned"}, format="json").json()
    assert again == first and first["ended_at"] is not None


def test_re_opening_clears_the_end(api, ada):
    journey = JourneyFactory(customer=ada, status=JourneyStatus.COMPLETED, ended_at=timezone.now())
    body = api.patch(f"{JOURNEYS}{journey.id}/", {"status": "in_progress"}, format="json").json()
    assert (body["status"], body["ended_at"]) == ("in_progress", None)


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "status", "required"),
        ({"status": "finished"}, "status", "invalid_choice"),
        ({"status": "completed", "ended_at": "soon"}, "ended_at", "invalid"),
        ({"status": "in_progress", "ended_at": "2025-03-02T10:00:00Z"}, "ended_at", "invalid"),
        ({"status": "completed", "ended_at": "2001-01-01T00:00:00Z"}, "ended_at", "invalid"),
    ],
)
def test_an_invalid_change_is_400_naming_the_field_and_changes_nothing(api, ada, body, field, code):
    journey = JourneyFactory(customer=ada)
    before = Journey.objects.values().get(id=journey.id)
    assert_error(api.patch(f"{JOURNEYS}{journey.id}/", body, format="json"), 400, code, field)
    assert Journey.objects.values().get(id=journey.id) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [("patch", "{id}/"), ("post", "{id}/interactions/"), ("get", "{id}/")],
)
def test_an_unknown_journey_is_404(api, method, path):
    url = JOURNEYS + path.format(id=10**9)
    response = getattr(api, method)(url, {"status": "completed", "interactions": [1]}, format="json")
    assert_error(response, 404, "not_found", None)


@pytest.mark.parametrize("method", ["put", "delete"])
def test_a_journey_is_neither_replaced_nor_deleted(api, ada, method):
    journey = JourneyFactory(customer=ada)
    response = getattr(api, method)(f"{JOURNEYS}{journey.id}/", {"status": "completed"}, format="json")
    assert_error(response, 405, "method_not_allowed", None)
    assert Journey.objects.filter(id=journey.id, status=JourneyStatus.IN_PROGRESS).exists()


# --- scopes -------------------------------------------------------------------------------------------


def test_writes_need_journeys_write_and_reads_customers_read(scoped, ada):
    journey = JourneyFactory(customer=ada)
    others = scoped("customers:read", "customers:write", "interactions:write")
    for response in (
        _open(others),
        others.patch(f"{JOURNEYS}{journey.id}/", {"status": "completed"}, format="json"),
        others.post(f"{JOURNEYS}{journey.id}/interactions/", {"interactions": [1]}, format="json"),
    ):
        assert_error(response, 403, "missing_scope", None)
    writer = scoped("journeys:write")
    assert _open(writer).status_code == 201
    assert_error(writer.get(JOURNEYS), 403, "missing_scope", None)
    assert Journey.objects.filter(status=JourneyStatus.IN_PROGRESS).count() == 2


def test_keys_with_every_scope_before_journeys_write_are_granted_it_and_others_are_not():
    migration = importlib.import_module("api.migrations.0004_journeys_write_scope")
    everything, _ = api_key_create(name="CRM")
    reader, _ = api_key_create(name="BI", scopes=["customers:read"])
    before = sorted(migration.BEFORE)
    ApiKey.objects.filter(id=everything.id).update(scopes=before)
    migration.grant(django_apps, None)
    migration.grant(django_apps, None)  # twice: granted once
    everything.refresh_from_db()
    reader.refresh_from_db()
    assert everything.scopes.count("journeys:write") == 1 and set(everything.scopes) == {
        *before,
        "journeys:write",
    }
    assert reader.scopes == ["customers:read"]
    migration.revoke(django_apps, None)
    everything.refresh_from_db()
    assert sorted(everything.scopes) == before
