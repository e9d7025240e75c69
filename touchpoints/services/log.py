"""Writes of customers and interactions."""

from collections.abc import Collection, Mapping
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from touchpoints import hooks
from touchpoints.models import Customer, Interaction, InteractionSource, Touchpoint

from .sql import update_by_id


@transaction.atomic
def interaction_log(
    *,
    customer: Customer,
    touchpoint: Touchpoint,
    occurred_at: datetime | None = None,
    channel: str = "",
    agent=None,
    category: str = "",
    outcome: str = "",
    notes: str = "",
    experience_score: float | None = None,
    expected_value: float | None = None,
    actual_value: float | None = None,
    journey=None,
    journey_ref: str = "",
    source: str = InteractionSource.AGENT,
    external_id: str | None = None,
) -> Interaction:
    """Record one contact at a touchpoint, then let the rest of the platform know.

    The channel defaults to the touchpoint's. Validated with the model's
    rules (``ValidationError`` on bad values, nothing saved). In the same
    transaction the metrics of its day and journey are marked stale, its
    customer is marked for journey assembly (or it joins the journey its
    ``journey_ref`` names) and the survey rules are applied, so a rolled-back
    log leaves no invitation.
    """
    interaction = Interaction(
        customer=customer,
        touchpoint=touchpoint,
        channel=channel or touchpoint.channel,
        occurred_at=occurred_at or timezone.now(),
        agent=agent,
        category=category,
        outcome=outcome,
        notes=notes,
        experience_score=experience_score,
        expected_value=expected_value,
        actual_value=actual_value,
        journey=journey,
        journey_ref=journey_ref,
        source=source,
        external_id=external_id or None,
    )
    interaction.full_clean()
    interaction.save()
    hooks.interactions_added(interaction_ids=[interaction.id])
    hooks.interactions_logged(interactions=hooks.LoggedInteractions.of([interaction]), now=None)
    return interaction


@transaction.atomic
def interactions_journey_set(
    *, interaction_ids: Collection[int], journey_id: int | None, customer_id: int
) -> int:
    """Move the customer's interactions among ``interaction_ids`` onto journey ``journey_id`` (None:
    off any journey); the others are left alone. Returns how many moved. The days and journeys they
    leave are marked stale before the move and those they join after it."""
    ids = list(
        Interaction.objects.filter(id__in=list(interaction_ids), customer_id=customer_id).values_list(
            "id", flat=True
        )
    )
    if ids:
        hooks.interactions_changed(interaction_ids=ids)
        Interaction.objects.filter(id__in=ids).update(journey_id=journey_id)
        hooks.interactions_changed(interaction_ids=ids)
    return len(ids)


def interactions_journeys_assign(assignments: Mapping[int, int | None]) -> int:
    """Put each interaction (key) on its journey (value; None: off any journey), set-based; returns
    how many rows were written. For the journeys app's assembly, which reports the journeys it
    changed itself (``journeys.hooks.journeys_changed``): a journey is no figure of the ledger's, so
    no ledger hook is called (calling ``interactions_changed`` would ask for assembly again)."""
    if not assignments:
        return 0
    rows = sorted(assignments.items())
    if update_by_id(Interaction, ["journey_id"], rows):
        return len(rows)
    by_journey: dict[int | None, list[int]] = {}
    for interaction_id, journey_id in rows:
        by_journey.setdefault(journey_id, []).append(interaction_id)
    return sum(
        Interaction.objects.filter(id__in=ids).update(journey_id=journey_id)
        for journey_id, ids in by_journey.items()
    )
