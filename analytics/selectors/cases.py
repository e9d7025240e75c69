"""How many follow-up cases are open and overdue (the dashboards' tile)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from analytics.models import FollowUp, FollowUpStatus


@dataclass(frozen=True, slots=True)
class FollowUpCounts:
    open: int
    overdue: int


def follow_up_counts(*, now: datetime | None = None) -> FollowUpCounts:
    """Cases not resolved yet, and those of them past their due time (one indexed query)."""
    now = now or timezone.now()
    counts = FollowUp.objects.exclude(status=FollowUpStatus.RESOLVED).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now))
    )
    return FollowUpCounts(open=counts["open"], overdue=counts["overdue"])
