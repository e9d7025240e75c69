"""Series of the figures that have no series selector (peak–end, drivers): the summary selector run
once per period that has data, the period clipped to the filters' own start and end.

The periods come from the rollup's days (one query); a period's figures are
then exactly what the summary selector gives for that period's days. Capped at
``MAX_PERIODS`` so a daily series over decades cannot run thousands of queries.
"""

import calendar
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import TypeVar

from django.db.models import Model, Q
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from analytics.selectors import MetricFilters
from analytics.selectors.sources import rollup_model

T = TypeVar("T")
MAX_PERIODS = 400


def period_last_day(first: date, interval: str) -> date:
    if interval == "week":
        return first + timedelta(days=6)
    if interval == "month":
        return first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first


def summaries_by_period(
    *,
    model: type[Model],
    rows: Q,
    filters: MetricFilters,
    interval: str,
    summary: Callable[[MetricFilters], T],
) -> list[tuple[date, T]]:
    """``[(first day of period, summary(filters narrowed to the period)), …]``, oldest first."""
    periods = list(rollup_model(model, filters).objects.filter(rows).dates("day", interval))
    if len(periods) > MAX_PERIODS:
        raise ValidationError(
            {
                "interval": [
                    _("%(count)s periods: more than %(max)s; narrow start–end or use a longer interval.")
                    % {"count": len(periods), "max": MAX_PERIODS}
                ]
            }
        )
    series = []
    for first in periods:
        start = max(first, filters.start) if filters.start else first
        last = period_last_day(first, interval)
        end = min(last, filters.end) if filters.end else last
        series.append((first, summary(replace(filters, start=start, end=end))))
    return series
