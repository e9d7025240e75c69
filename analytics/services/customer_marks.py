"""Marking stale every figure a customer is part of (their segment or value tier changed, or they go)."""

from collections.abc import Collection

from journeys.models import Journey
from surveys.models import Invitation, Response
from touchpoints.models import Interaction

from .marks import metrics_mark_stale


def metrics_mark_customers_stale(*, customer_ids: Collection[int]) -> int:
    """Mark the days of the customers' interactions, responses and sent invitations, and their
    journeys, stale. Call it before a delete (the rows must exist to be found)."""
    if not customer_ids:
        return 0
    return metrics_mark_stale(
        interaction_ids=Interaction.objects.filter(customer_id__in=customer_ids).values_list("id", flat=True),
        response_ids=Response.objects.filter(customer_id__in=customer_ids).values_list("id", flat=True),
        journey_ids=Journey.objects.filter(customer_id__in=customer_ids).values_list("id", flat=True),
        invitation_ids=Invitation.objects.filter(
            customer_id__in=customer_ids, sent_at__isnull=False
        ).values_list("id", flat=True),
    )
