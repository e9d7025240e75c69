"""Key drivers and response rates for a filter set, from ``DriverRollup`` and ``InvitationRollup``."""

from dataclasses import dataclass

from django.db.models import Sum

from analytics.metrics import DriverResult, driver_from_sums
from analytics.models import DriverRollup, InvitationRollup
from surveys.models import QuestionDriver

from .filters import MetricFilters
from .sources import rollup_model

_DRIVER_SUMS = ("pairs", "sum_x", "sum_y", "sum_xx", "sum_yy", "sum_xy", "ratings", "ratings_sum")


@dataclass(frozen=True, slots=True)
class InvitationFigures:
    """Invitations emailed in the period and how many were answered; ``response_rate`` is a
    fraction 0..1 of those sent, None when none was sent."""

    sent: int
    responded: int
    bounced: int
    response_rate: float | None


def driver_summary(*, filters: MetricFilters) -> list[DriverResult]:
    """Importance (Pearson r with likelihood to recommend) and performance (mean rating on 0–10)
    of every experience dimension with ratings in the period, in the order of ``QuestionDriver``.

    One query over rollups; ``analytics.metrics.driver_quadrants`` names the quadrants.
    """
    rows = {
        row["dimension"]: row
        for row in rollup_model(DriverRollup, filters, by=("dimension",))
        .objects.filter(filters.for_responses())
        .values("dimension")
        .annotate(**{f"total_{name}": Sum(name) for name in _DRIVER_SUMS})
        .order_by()
    }
    order = {value: index for index, value in enumerate(QuestionDriver.values)}
    return [
        driver_from_sums(
            dimension=dimension,
            n=int(row["total_pairs"]),
            sum_x=float(row["total_sum_x"]),
            sum_y=float(row["total_sum_y"]),
            sum_xx=float(row["total_sum_xx"]),
            sum_yy=float(row["total_sum_yy"]),
            sum_xy=float(row["total_sum_xy"]),
            ratings_n=int(row["total_ratings"]),
            ratings_sum=float(row["total_ratings_sum"]),
        )
        for dimension, row in sorted(rows.items(), key=lambda item: (order.get(item[0], 99), item[0]))
    ]


def invitation_summary(*, filters: MetricFilters) -> InvitationFigures:
    """Invitations sent in the period (by sending day) and answered (one query over rollups)."""
    sums = (
        rollup_model(InvitationRollup, filters)
        .objects.filter(filters.for_responses())
        .aggregate(sent=Sum("sent"), responded=Sum("responded"), bounced=Sum("bounced"))
    )
    sent, responded, bounced = (int(sums[name] or 0) for name in ("sent", "responded", "bounced"))
    return InvitationFigures(sent, responded, bounced, responded / sent if sent else None)
