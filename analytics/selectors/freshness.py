"""How fresh the rollups are: what is still marked stale, and when buckets were last computed."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min

from analytics.models import RollupBucket, StaleMark


@dataclass(frozen=True, slots=True)
class Freshness:
    """``pending`` changes not yet in the rollups (0: every figure is current), the oldest of them,
    and the last time any bucket was recomputed."""

    pending: int
    oldest_pending: datetime | None
    last_refreshed: datetime | None


def metrics_freshness() -> Freshness:
    marks = StaleMark.objects.aggregate(pending=Count("id"), oldest=Min("marked_at"))
    last = RollupBucket.objects.aggregate(last=Max("refreshed_at"))["last"]
    return Freshness(pending=marks["pending"], oldest_pending=marks["oldest"], last_refreshed=last)
