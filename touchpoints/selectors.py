"""Reads of customers, touchpoints and interactions."""

from django.db.models import QuerySet

from .models import Customer, Interaction, Touchpoint


def interaction_recent(*, limit: int = 20) -> QuerySet[Interaction]:
    """The latest interactions across every channel, newest first, with what a list shows."""
    return Interaction.objects.select_related("customer", "touchpoint", "agent").order_by(
        "-occurred_at", "-id"
    )[:limit]


def catalogue_counts() -> dict[str, int]:
    """How many customers, active touchpoints and interactions the platform holds."""
    return {
        "customers": Customer.objects.count(),
        "touchpoints": Touchpoint.objects.filter(active=True).count(),
        "interactions": Interaction.objects.count(),
    }
