"""Writes of journeys: start one, attach the customer's interactions to it, end it.

Each service owns its transaction, validates with the model's rules (``ValidationError`` by field,
nothing saved) and calls ``journeys_changed`` so the journey's peak–end score and the journey
rollups are recomputed. The interactions themselves belong to the ledger: attaching goes through
``touchpoints.services.interactions_journey_set``, which marks the days they leave and join.
"""

from collections.abc import Collection
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from journeys.hooks import journeys_changed
from journeys.models import Journey, JourneyMap, JourneyStatus
from touchpoints.models import Customer
from touchpoints.services import interactions_journey_set

ENDED = (JourneyStatus.COMPLETED, JourneyStatus.ABANDONED)


@transaction.atomic
def journey_start(
    *, customer: Customer, journey_map: JourneyMap | None, started_at: datetime | None = None
) -> Journey:
    """A new journey of ``customer`` along ``journey_map`` (None: an unmapped journey), in progress."""
    if journey_map is not None and not journey_map.active:
        raise ValidationError({"journey_map": gettext("This journey map is not active.")})
    journey = Journey(customer=customer, journey_map=journey_map, started_at=started_at or timezone.now())
    journey.full_clean()
    journey.save()
    journeys_changed(journey_ids=[journey.id])
    return journey


@transaction.atomic
def journey_interactions_attach(*, journey: Journey, interaction_ids: Collection[int]) -> int:
    """Make these interactions steps of ``journey`` (moving them off any other journey); returns how
    many. Every one must be the journey's customer's: otherwise nothing moves."""
    moved = interactions_journey_set(
        interaction_ids=interaction_ids, journey_id=journey.id, customer_id=journey.customer_id
    )
    if moved != len(set(interaction_ids)):
        raise ValidationError(
            {"interactions": gettext("Only this customer's interactions can join the journey.")}
        )
    journeys_changed(journey_ids=[journey.id])
    return moved


@transaction.atomic
def journey_end(*, journey: Journey, status: str, ended_at: datetime | None = None) -> Journey:
    """End ``journey`` as completed or abandoned at ``ended_at`` (default now; not before its start)."""
    if status not in ENDED:
        message = gettext("A journey ends as one of: %(statuses)s.") % {"statuses": ", ".join(ENDED)}
        raise ValidationError({"status": message})
    journey = Journey.objects.select_for_update().get(id=journey.id)
    journey.status, journey.ended_at = status, ended_at or timezone.now()
    journey.full_clean()
    journey.save(update_fields=["status", "ended_at", "updated_at"])
    journeys_changed(journey_ids=[journey.id])
    return journey
