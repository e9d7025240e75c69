"""The demo's journeys come from the live path: seed_demo writes interactions only, publishes the
maps with their assembly rules and lets the assembler build the journeys; their peak–end scores
come from the metrics rebuild. The story: most journeys complete, some customers give up before
buying (most often after a bad pre-sale contact), and those journeys are remembered worse."""

import io
import statistics
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from analytics.models import JourneyScore
from demo.services import build_demo
from journeys.models import Journey, JourneyMap
from journeys.services import journeys_assemble
from touchpoints.models import Customer, Interaction, Stage

pytestmark = pytest.mark.django_db
SMALL = ("--customers", "60", "--seed", "7")


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_the_maps_are_published_with_their_assembly_rules():
    seed(*SMALL)

    rules = {}
    for journey_map in JourneyMap.objects.prefetch_related("steps__touchpoint"):
        steps = list(journey_map.steps.all())
        assert journey_map.assembles and journey_map.published_at is not None
        rules[journey_map.name] = (
            {step.touchpoint.code for step in steps if step.starts},
            {step.touchpoint.code for step in steps if step.ends},
            journey_map.timeout_days,
            journey_map.include_outside,
            journey_map.concurrent,
        )
    assert rules == {
        "Online purchase": ({"web-ad", "website-browse"}, {"delivery"}, 30, True, False),
        "In-store purchase": ({"sales-call", "store-visit"}, {"installation"}, 30, False, False),
    }


def test_every_journey_is_assembled_and_assembling_again_changes_nothing():
    now = timezone.now()
    build_demo(customers=60, seed=7, now=now)
    before = sorted(Journey.objects.values_list("id", "status", "ended_at", "furthest_step"))
    placed = sorted(Interaction.objects.values_list("id", "journey_id"))

    again = journeys_assemble(dict.fromkeys(Customer.objects.values_list("id", flat=True)), now=now)

    assert (again.created, again.updated, again.deleted, again.moved) == (0, 0, 0, 0)
    assert sorted(Journey.objects.values_list("id", "status", "ended_at", "furthest_step")) == before
    assert sorted(Interaction.objects.values_list("id", "journey_id")) == placed
    assert set(Journey.objects.values_list("origin", flat=True)) == {Journey.Origin.ASSEMBLED}
    assert not Interaction.objects.exclude(journey_ref="").exists()
    # Most contacts are steps of a journey; the others are after-care and standalone contacts.
    assert (
        0.6 < Interaction.objects.filter(journey__isnull=False).count() / Interaction.objects.count() < 0.95
    )


def test_customers_who_give_up_before_buying_make_the_abandoned_journeys():
    seed(*SMALL)

    journeys = Journey.objects.prefetch_related("interactions__touchpoint__map_steps")
    abandoned = [j for j in journeys if j.status == Journey.Status.ABANDONED]
    assert 0.08 <= len(abandoned) / journeys.count() <= 0.35
    for journey in abandoned:
        contacts = sorted(journey.interactions.all(), key=lambda i: (i.occurred_at, i.id))
        # Its last step on the map; a contact outside it (a support call) may have joined later.
        on_map = [
            i
            for i in contacts
            if any(s.journey_map_id == journey.journey_map_id for s in i.touchpoint.map_steps.all())
        ]
        assert on_map[-1].touchpoint.stage == Stage.PRE_SALE
        assert on_map[-1].outcome == Interaction.Outcome.NOT_PURCHASED
        assert journey.ended_at == contacts[-1].occurred_at


def test_abandoned_journeys_are_remembered_worse_than_completed_ones():
    seed("--customers", "150", "--seed", "7")

    def peak_end(status: str) -> float:
        return statistics.mean(
            JourneyScore.objects.filter(journey__status=status).values_list("peak_end", flat=True)
        )

    assert peak_end(Journey.Status.ABANDONED) < peak_end(Journey.Status.COMPLETED) - 1
    ends = set(
        JourneyScore.objects.filter(journey__status="completed").values_list(
            "end_touchpoint__code", flat=True
        )
    )
    assert ends == {"delivery", "installation"}


def test_a_demo_customer_in_the_middle_of_a_journey_reads_it_on_their_360(agent_client):
    seed(*SMALL)
    journey = (
        Journey.objects.filter(status=Journey.Status.IN_PROGRESS, score__isnull=False)
        .select_related("journey_map")
        .order_by("id")
        .first()
    )
    steps = journey.journey_map.steps.count()

    html = agent_client.get(reverse("customer-detail", args=[journey.customer_id])).content.decode()

    assert (
        f"This customer is in the middle of {journey.journey_map.name}, "
        f"step {journey.furthest_step} of {steps}" in html
    )
    assert timezone.now() - journey.last_activity_at <= timedelta(days=journey.journey_map.timeout_days)
