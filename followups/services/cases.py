"""Opening follow-up cases for detractors and floor breaches: the one way cases come to exist."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from followups.models import FollowUp

from .webhook_events import follow_ups_created_publish


@dataclass(frozen=True, slots=True)
class FollowUpTrigger:
    """Something that calls for a follow-up: a detractor response or a floor-breaching interaction."""

    reason: str
    customer_id: int
    score: float
    response_id: int | None = None
    interaction_id: int | None = None
    agent_id: int | None = None


def follow_up_sla() -> timedelta:
    return timedelta(hours=settings.FOLLOW_UP_SLA_HOURS)


@transaction.atomic
def follow_ups_open(*, triggers: Sequence[FollowUpTrigger], now: datetime | None = None) -> int:
    """Open one case per trigger, never a second for the same response or interaction.

    The case goes to the agent of the interaction when that user is active,
    else to the team queue (no assignee); it is due ``FOLLOW_UP_SLA_HOURS``
    after opening. Safe to call twice or concurrently with the same triggers:
    the unique response/interaction columns refuse a duplicate. Returns how
    many cases were opened (a concurrent call that won the race for a case
    is counted by both).
    """
    if not triggers:
        return 0
    now = now or timezone.now()
    due = now + follow_up_sla()
    agent_ids = {t.agent_id for t in triggers if t.agent_id is not None}
    active_agents = set(
        get_user_model().objects.filter(id__in=agent_ids, is_active=True).values_list("id", flat=True)
    )
    existing_responses: set[int | None] = set(
        FollowUp.objects.filter(
            response_id__in=[t.response_id for t in triggers if t.response_id]
        ).values_list("response_id", flat=True)
    )
    existing_interactions: set[int | None] = set(
        FollowUp.objects.filter(
            interaction_id__in=[t.interaction_id for t in triggers if t.interaction_id]
        ).values_list("interaction_id", flat=True)
    )
    cases: dict[tuple, FollowUp] = {}  # one per response or interaction, even if repeated here
    for t in triggers:
        key = (t.response_id, t.interaction_id)
        if key in cases or t.response_id in existing_responses or t.interaction_id in existing_interactions:
            continue
        cases[key] = FollowUp(
            reason=t.reason,
            customer_id=t.customer_id,
            response_id=t.response_id,
            interaction_id=t.interaction_id,
            score=t.score,
            assignee_id=t.agent_id if t.agent_id in active_agents else None,
            opened_at=now,
            due_at=due,
        )
    # A concurrent call may have opened some of these since the reads above.
    FollowUp.objects.bulk_create(list(cases.values()), ignore_conflicts=True)
    follow_ups_created_publish(cases=list(cases.values()), opened_at=now)
    return len(cases)
