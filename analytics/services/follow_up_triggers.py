"""Which follow-up cases a refreshed day calls for: its detractor responses and floor breaches.

The refresh (``freshness``) finds them with the rollup queries of the day it just recomputed and
hands them to the follow-up app, which opens each case once (``followups.services.follow_ups_open``).
"""

from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from analytics.models import StaleKind
from followups.models import FollowUpReason
from followups.services import FollowUpTrigger, follow_ups_open

from . import rollup_rows
from .rollup_rows import Scope


def follow_ups_open_for(*, kind: str, scope: Scope, now: datetime | None = None) -> int:
    """Open the cases due for the detractor responses or floor breaches of the scope (its days, or
    only its new rows).

    Only events of the last ``FOLLOW_UP_MAX_AGE_DAYS`` open cases: a rebuild
    of last year's rollups must not flood the queue with history nobody can
    still act on.
    """
    now = now or timezone.now()
    since = now - timedelta(days=settings.FOLLOW_UP_MAX_AGE_DAYS)
    recent_days = tuple(day for day in scope.days if day >= since.date() - timedelta(days=1))
    if not recent_days:
        return 0
    recent = replace(scope, days=recent_days)
    if kind == StaleKind.RESPONSE_DAY:
        triggers = [
            FollowUpTrigger(
                reason=FollowUpReason.DETRACTOR,
                customer_id=row["customer_id"],
                score=row["score"],
                response_id=row["id"],
                agent_id=row["agent_id"],
            )
            for row in rollup_rows.detractor_responses(recent, since=since)
        ]
    elif kind == StaleKind.INTERACTION_DAY:
        triggers = [
            FollowUpTrigger(
                reason=FollowUpReason.FLOOR_BREACH,
                customer_id=row["customer_id"],
                score=row["score"],
                interaction_id=row["id"],
                agent_id=row["agent_id"],
            )
            for row in rollup_rows.floor_breaches(recent, since=since)
        ]
    else:
        return 0
    return follow_ups_open(triggers=triggers, now=now)


def follow_ups_open_for_days(*, kind: str, days: Collection[date], now: datetime | None = None) -> int:
    """``follow_ups_open_for`` every row of ``days``."""
    return follow_ups_open_for(kind=kind, scope=rollup_rows.scope_of(days), now=now)
