"""Journeys assembled from interactions as they are logged, stored idempotently."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import StaleKind, StaleMark
from journeys.models import AssemblyMark, Journey, JourneyMap, JourneyOrigin, JourneyStatus
from journeys.services import journeys_assemble, journeys_assemble_pending, journeys_timeout_close
from tests.factories import CustomerFactory, JourneyMapStepFactory, TouchpointFactory
from touchpoints.models import Interaction
from touchpoints.services import interaction_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def online():
    journey_map = JourneyMap.objects.create(
        name="Online order", status=JourneyMap.Status.PUBLISHED, timeout_days=30
    )
    steps = [TouchpointFactory(code=code) for code in ("browse", "cart", "pay", "deliver")]
    for position, touchpoint in enumerate(steps, start=1):
        JourneyMapStepFactory(journey_map=journey_map, touchpoint=touchpoint, position=position)
    return journey_map, steps


def _log(customer, touchpoint, days_ago, score=None):
    return interaction_log(
        customer=customer,
        touchpoint=touchpoint,
        occurred_at=timezone.now() - timedelta(days=days_ago),
        experience_score=score,
    )


def _state():
    return sorted(
        (j.customer_id, j.journey_map_id, j.status, j.started_at, j.ended_at, j.furthest_step, j.id)
        for j in Journey.objects.all()
    ), sorted(Interaction.objects.values_list("id", "journey_id"))


def test_logged_interactions_become_a_journey_once_assembled(online):
    _journey_map, (browse, cart, pay, deliver) = online
    customer = CustomerFactory()
    logged = [_log(customer, browse, 5, 7), _log(customer, cart, 4, 3), _log(customer, pay, 3, 8)]
    assert AssemblyMark.objects.filter(customer=customer).count() == 3

    result = journeys_assemble_pending()

    assert (result.customers, result.created) == (1, 1)
    journey = Journey.objects.get()
    assert (journey.origin, journey.status, journey.furthest_step) == (
        JourneyOrigin.ASSEMBLED,
        JourneyStatus.IN_PROGRESS,
        3,
    )
    assert journey.assembly_key == logged[0].id and journey.started_at == logged[0].occurred_at
    assert set(Interaction.objects.values_list("journey_id", flat=True)) == {journey.id}
    assert StaleMark.objects.filter(kind=StaleKind.JOURNEY, journey_id=journey.id).exists()
    assert not AssemblyMark.objects.exists()

    _log(customer, deliver, 1, 9)
    journeys_assemble_pending()
    journey.refresh_from_db()
    assert (journey.status, journey.furthest_step) == (JourneyStatus.COMPLETED, 4)


def test_replaying_every_interaction_changes_nothing(online):
    _, (browse, cart, _pay, deliver) = online
    for n in range(3):
        customer = CustomerFactory()
        _log(customer, browse, 20 + n)
        _log(customer, cart, 19 + n)
        if n != 1:
            _log(customer, deliver, 10)
    journeys_assemble_pending()
    before = _state()
    updated_at = dict(Journey.objects.values_list("id", "updated_at"))

    result = journeys_assemble(dict.fromkeys(Interaction.objects.values_list("customer_id", flat=True)))

    assert (result.created, result.updated, result.deleted, result.moved) == (0, 0, 0, 0)
    assert _state() == before
    assert dict(Journey.objects.values_list("id", "updated_at")) == updated_at


def test_a_back_filled_interaction_re_assembles_the_window(online):
    _, (browse, cart, pay, _deliver) = online
    customer = CustomerFactory()
    _log(customer, cart, 8)
    _log(customer, pay, 7)
    journeys_assemble_pending()
    assert not Journey.objects.exists()  # no start yet: a cart alone is no journey

    first = _log(customer, browse, 9)  # yesterday's contact, arriving late
    journeys_assemble_pending()

    journey = Journey.objects.get()
    assert journey.assembly_key == first.id and journey.furthest_step == 3
    assert Interaction.objects.filter(journey=journey).count() == 3


def test_the_timeout_sweep_abandons_what_assembly_would(online):
    _, (browse, cart, *_) = online
    customer = CustomerFactory()
    _log(customer, browse, 45)
    last = _log(customer, cart, 40)
    journeys_assemble_pending(now=timezone.now() - timedelta(days=39))
    assert Journey.objects.get().status == JourneyStatus.IN_PROGRESS

    assert journeys_timeout_close() == 1

    journey = Journey.objects.get()
    assert (journey.status, journey.ended_at) == (JourneyStatus.ABANDONED, last.occurred_at)
    before = _state()
    journeys_assemble({customer.id: None})
    assert _state() == before


def test_a_draft_map_assembles_nothing_and_publishing_then_withdrawing_re_makes(online):
    journey_map, (browse, *_) = online
    journey_map.status = JourneyMap.Status.DRAFT
    journey_map.save()
    customer = CustomerFactory()
    _log(customer, browse, 1)
    journeys_assemble_pending()
    assert not Journey.objects.exists()

    JourneyMap.objects.filter(id=journey_map.id).update(status=JourneyMap.Status.PUBLISHED)
    journeys_assemble({customer.id: None})
    assert Journey.objects.count() == 1

    JourneyMap.objects.filter(id=journey_map.id).update(active=False)
    journeys_assemble({customer.id: None})
    assert not Journey.objects.exists()
    assert Interaction.objects.get().journey_id is None
