"""How fresh the rollups are: what is still marked stale, and when buckets were last computed."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Count, DateTimeField, F, Max, Min, Sum, Value

from analytics.models import RollupBucket, StaleMark
from journeys.models import JourneyMap


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


# Any fixed instant: the stamp sums each bucket's refresh time as its distance from it.
_STAMP_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _bucket_totals() -> dict:
    return RollupBucket.objects.aggregate(
        n=Count("id"),
        last=Max("refreshed_at"),
        total=Sum(F("refreshed_at") - Value(_STAMP_EPOCH, output_field=DateTimeField())),
    )


def _stamp_of(buckets: dict, *, journey_maps: bool) -> str:
    parts = [buckets["n"], buckets["last"], buckets["total"]]
    if journey_maps:
        maps = JourneyMap.objects.aggregate(changed=Max("updated_at"), steps=Count("steps"))
        parts += [maps["changed"], maps["steps"]]
    return "|".join("" if part is None else str(part) for part in parts)


def rollups_stamp(*, journey_maps: bool = False) -> str:
    """A value that changes whenever any rollup is refreshed, for the keys of what is computed
    from the rollups (``analytics.views.dashboards.page_cache``). One query; two with
    ``journey_maps``, which adds the journey maps' last change and their number of steps (a page
    drawing a map's steps reads them beside the rollups).

    Every refresh of a day bucket, full or incremental, sets its ``refreshed_at``. The stamp holds
    the sum of those times, not only the latest, so a refresh that commits after a later one still
    changes it; and the number of buckets, so a new bucket does too.
    """
    return _stamp_of(_bucket_totals(), journey_maps=journey_maps)


def dashboard_freshness(*, journey_maps: bool = False) -> tuple[Freshness, str]:
    """``metrics_freshness()`` and ``rollups_stamp()`` at once, for a dashboard page that shows the
    one and keys its figures with the other: two queries (three with ``journey_maps``)."""
    marks = StaleMark.objects.aggregate(pending=Count("id"), oldest=Min("marked_at"))
    buckets = _bucket_totals()
    freshness = Freshness(
        pending=marks["pending"], oldest_pending=marks["oldest"], last_refreshed=buckets["last"]
    )
    return freshness, _stamp_of(buckets, journey_maps=journey_maps)
