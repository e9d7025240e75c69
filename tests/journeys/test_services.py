"""Journeys are started, given their customer's interactions and ended through services that keep
the journey figures fresh."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from analytics.models import StaleKind, StaleMark
from journeys.models import Journey, JourneyStatus
from journeys.services import journey_end, journey_interactions_attach, journey_start
from tests.factories import CustomerFactory, InteractionFactory, JourneyFactory, JourneyMapFactory

pytestmark = pytest.mark.django_db


def _journeys_marked() -> set[int]:
    return set(StaleMark.objects.filter(kind=StaleKind.JOURNEY).values_list("journey_id", flat=True))


def test_a_started_journey_is_in_progress_and_its_figures_go_stale():
    customer, journey_map = CustomerFactory(), JourneyMapFactory()

    journey = journey_start(customer=customer, journey_map=journey_map)

    assert (journey.status, journey.ended_at, journey.journey_map) == (
        JourneyStatus.IN_PROGRESS,
        None,
        journey_map,
    )
    assert journey.id in _journeys_marked()


def test_no_journey_starts_on_an_inactive_map():
    with pytest.raises(ValidationError) as refused:
        journey_start(customer=CustomerFactory(), journey_map=JourneyMapFactory(active=False))
    assert "journey_map" in refused.value.message_dict
    assert not Journey.objects.exists()


def test_attaching_moves_the_interactions_and_marks_both_journeys_stale():
    customer = CustomerFactory()
    before, after = JourneyFactory(customer=customer), JourneyFactory(customer=customer)
    interactions = [InteractionFactory(customer=customer, journey=before) for _ in range(2)]
    StaleMark.objects.all().delete()

    moved = journey_interactions_attach(journey=after, interaction_ids=[i.id for i in interactions])

    assert moved == 2
    assert set(after.interactions.values_list("id", flat=True)) == {i.id for i in interactions}
    assert {before.id, after.id} <= _journeys_marked()


def test_another_customers_interaction_cannot_join_and_nothing_moves():
    journey = JourneyFactory()
    own = InteractionFactory(customer=journey.customer)
    foreign = InteractionFactory()

    with pytest.raises(ValidationError) as refused:
        journey_interactions_attach(journey=journey, interaction_ids=[own.id, foreign.id])

    assert "interactions" in refused.value.message_dict
    own.refresh_from_db()
    foreign.refresh_from_db()
    assert (own.journey_id, foreign.journey_id) == (None, None)


def test_a_journey_ends_completed_or_abandoned_and_never_before_it_started():
    journey = JourneyFactory()

    with pytest.raises(ValidationError):
        journey_end(journey=journey, status="finished")
    with pytest.raises(ValidationError):
        journey_end(
            journey=journey, status=JourneyStatus.COMPLETED, ended_at=journey.started_at - timedelta(hours=1)
        )
    StaleMark.objects.all().delete()

    ended = journey_end(journey=journey, status=JourneyStatus.ABANDONED, ended_at=timezone.now())

    assert ended.status == JourneyStatus.ABANDONED
    assert Journey.objects.get(id=journey.id).status == JourneyStatus.ABANDONED
    assert journey.id in _journeys_marked()


def test_an_ended_journey_re_opens_in_progress():
    journey = journey_end(journey=JourneyFactory(), status=JourneyStatus.COMPLETED)

    reopened = journey_end(journey=journey, status=JourneyStatus.IN_PROGRESS)

    assert (reopened.status, reopened.ended_at) == (JourneyStatus.IN_PROGRESS, None)
