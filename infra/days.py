"""Day buckets: rollups bucket by the calendar day in the platform's ``TIME_ZONE``."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone


def local_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in the platform's time zone."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def day_of(field: str) -> TruncDate:
    """SQL for the platform-time-zone day of the datetime column ``field``."""
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in the platform's time zone (aware)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def day_runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Sorted distinct ``days`` as runs of consecutive days: [(first, last), …]."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def within_days(field: str, days: Iterable[date]) -> Q:
    """A filter: the datetime column ``field`` falls on one of ``days`` (index-friendly ranges).

    Matches nothing when ``days`` is empty.
    """
    condition = Q(pk__in=[])
    for first, last in day_runs(days):
        condition |= Q(
            **{f"{field}__gte": day_start(first), f"{field}__lt": day_start(last + timedelta(days=1))}
        )
    return condition
