"""CSV import: an optional ``journey_external_id`` column puts each interaction on the journey it
names (started if there is none), as the API does; another customer's journey is a refused row."""

import io

import pytest

from journeys.models import Journey, JourneyMap, JourneyOrigin
from tests.factories import CustomerFactory, JourneyFactory, JourneyMapStepFactory, TouchpointFactory
from touchpoints.csv import RowError, csv_import
from touchpoints.models import Interaction

pytestmark = pytest.mark.django_db

HEADER = "customer_external_id,touchpoint_code,occurred_at,external_id,journey_external_id"


def import_interactions(*lines: str):
    return csv_import(kind="interactions", stream=io.StringIO("\n".join(lines) + "\n", newline=""))


@pytest.fixture
def world():
    checkout = TouchpointFactory(code="checkout")
    journey_map = JourneyMap.objects.create(name="Online order", status=JourneyMap.Status.PUBLISHED)
    JourneyMapStepFactory(journey_map=journey_map, touchpoint=checkout, position=1)
    return journey_map, CustomerFactory(external_id="C-1"), CustomerFactory(external_id="C-2")


def test_rows_naming_a_journey_join_it_and_it_is_started_once(world):
    journey_map, ada, _ = world
    report = import_interactions(
        HEADER,
        "C-1,checkout,2025-03-01T10:00:00Z,I-1,ORDER-1",
        "C-1,checkout,2025-03-02T10:00:00Z,I-2,ORDER-1",
        "C-1,checkout,2025-03-03T10:00:00Z,I-3,",
    )

    assert (report.created, report.errors) == (3, [])
    journey = Journey.objects.get(origin=JourneyOrigin.EXPLICIT)
    assert (journey.external_id, journey.customer, journey.journey_map) == ("ORDER-1", ada, journey_map)
    placed = dict(Interaction.objects.values_list("external_id", "journey_ref"))
    assert placed == {"I-1": "ORDER-1", "I-2": "ORDER-1", "I-3": ""}
    assert set(journey.interactions.values_list("external_id", flat=True)) == {"I-1", "I-2"}


def test_a_row_naming_another_customers_journey_is_refused_on_that_column(world):
    JourneyFactory(customer=world[2], external_id="TICKET-9")
    report = import_interactions(
        HEADER,
        "C-1,checkout,2025-03-01T10:00:00Z,I-1,TICKET-9",
        "C-2,checkout,2025-03-01T11:00:00Z,I-2,TICKET-9",
    )

    assert report.errors == [
        RowError(row=2, field="journey_external_id", reason="The journey “TICKET-9” is another customer's.")
    ]
    assert list(Interaction.objects.values_list("external_id", "journey__external_id")) == [
        ("I-2", "TICKET-9")
    ]


def test_a_journey_external_id_too_long_is_refused_on_its_column(world):
    report = import_interactions(HEADER, f"C-1,checkout,2025-03-01T10:00:00Z,I-1,{'x' * 101}")
    assert [(error.row, error.field) for error in report.errors] == [(2, "journey_external_id")]
    assert not Interaction.objects.exists()
