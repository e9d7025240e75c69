"""Committed interactions become a journey, and its peak–end score, through real Celery workers: the
assembly on the ``journeys`` queue, the score on ``metrics``."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from analytics.metrics import peak_end
from analytics.models import JourneyScore
from journeys.models import AssemblyMark, Journey, JourneyMap, JourneyStatus
from tests.factories import CustomerFactory, JourneyMapStepFactory, TouchpointFactory
from touchpoints.services import interaction_log, interactions_upsert

from .conftest import wait_for

pytestmark = pytest.mark.integration


def test_logged_interactions_are_assembled_and_scored_by_the_workers(celery_workers):
    celery_workers.start("journeys", "metrics")
    journey_map = JourneyMap.objects.create(name="Repair", status=JourneyMap.Status.PUBLISHED)
    steps = [TouchpointFactory(code=f"repair-{n}") for n in range(3)]
    for position, touchpoint in enumerate(steps, start=1):
        JourneyMapStepFactory(journey_map=journey_map, touchpoint=touchpoint, position=position)
    customer = CustomerFactory(external_id="C-REPAIR")
    start = timezone.now() - timedelta(days=3)

    with transaction.atomic():
        interaction_log(customer=customer, touchpoint=steps[0], occurred_at=start, experience_score=6)
        assert AssemblyMark.objects.filter(customer=customer).exists()
    # The last step first, then the middle one a day before it: the order of arrival is not time's.
    interactions_upsert(
        items=[
            {
                "customer": "C-REPAIR",
                "touchpoint": steps[2].code,
                "occurred_at": (start + timedelta(days=2)).isoformat(),
                "experience_score": 9,
            },
            {
                "customer": "C-REPAIR",
                "touchpoint": steps[1].code,
                "occurred_at": (start + timedelta(days=1)).isoformat(),
                "experience_score": 2,
            },
        ]
    )

    journey = wait_for(
        lambda: Journey.objects.filter(customer=customer, status=JourneyStatus.COMPLETED).first()
    )
    assert journey is not None, "the journeys worker assembled no completed journey within 30 s"
    assert journey.furthest_step == 3 and journey.interactions.count() == 3
    score = wait_for(lambda: JourneyScore.objects.filter(journey=journey, moments=3).first())
    assert score is not None, "the metrics worker scored no journey within 30 s"
    assert score.peak_end == peak_end([6, 2, 9]).peak_end
    assert wait_for(lambda: not AssemblyMark.objects.exists(), timeout=10)
