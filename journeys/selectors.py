"""Reads of journeys: one customer's journeys with their peak–end summaries."""

from django.db.models import QuerySet

from .models import Journey, JourneyStatus

# A customer page shows at most this many journeys; older ones stay in the API.
CUSTOMER_JOURNEYS_MAX = 100


def journeys_of_customer(*, customer_id: int, limit: int = CUSTOMER_JOURNEYS_MAX) -> list[Journey]:
    """The customer's journeys, latest start first, each with its map and its peak–end summary.

    ``journey.summary`` is the journey's ``analytics.JourneyScore`` (peak, end, peak–end, mean,
    gap, and the peak and end touchpoints: the journey's moments of truth), or None while the
    journey has no scored moment. One query.
    """
    journeys = list(
        Journey.objects.filter(customer_id=customer_id)
        .select_related("journey_map", "score", "score__peak_touchpoint", "score__end_touchpoint")
        .order_by("-started_at", "-id")[:limit]
    )
    for journey in journeys:
        try:
            journey.summary = journey.score
        except Journey.score.RelatedObjectDoesNotExist:
            journey.summary = None
    return journeys


def journeys_open_of_customer(*, customer_id: int) -> QuerySet[Journey]:
    """The customer's journeys still in progress, latest first: those a new interaction may join."""
    return (
        Journey.objects.filter(customer_id=customer_id, status=JourneyStatus.IN_PROGRESS)
        .select_related("journey_map")
        .order_by("-started_at", "-id")
    )
