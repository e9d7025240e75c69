"""The webhook events of follow-up cases (``followup.created``, ``followup.resolved``) and the payload
each carries. Each is published inside the transaction that makes the change."""

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Q

from followups.models import FollowUp
from webhooks.models import WebhookEventType
from webhooks.selectors import webhook_subscribed_types
from webhooks.services import webhook_event_publish, webhook_events_publish

FOLLOWUP_CREATED = WebhookEventType.FOLLOWUP_CREATED.value
FOLLOWUP_RESOLVED = WebhookEventType.FOLLOWUP_RESOLVED.value


def follow_up_payload(case: FollowUp) -> dict:
    """A follow-up case: why it was opened, its state and the source response or interaction.

    Internal notes are left out; the outcome is included.
    """
    return {
        "id": case.id,
        "reason": case.reason,
        "status": case.status,
        "score": case.score,
        "customer_external_id": case.customer.external_id,
        "response_id": case.response_id,
        "interaction_id": case.interaction_id,
        "assignee_id": case.assignee_id,
        "opened_at": case.opened_at,
        "due_at": case.due_at,
        "resolved_at": case.resolved_at,
        "outcome": case.outcome,
    }


def follow_ups_created_publish(*, cases: Sequence[FollowUp], opened_at: datetime) -> int:
    """``followup.created`` for those of ``cases`` that were inserted by the call opening them at
    ``opened_at``.

    The insert ignores conflicts and, on PostgreSQL, does not say which rows
    it wrote: the rows are read back by their response and interaction, and a
    case counts as created here when its ``opened_at`` is this call's (a
    case opened earlier, or by a concurrent call, carries another time).
    """
    if not cases or FOLLOWUP_CREATED not in webhook_subscribed_types():
        return 0
    response_ids = [case.response_id for case in cases if case.response_id]
    interaction_ids = [case.interaction_id for case in cases if case.interaction_id]
    created = (
        FollowUp.objects.filter(Q(response_id__in=response_ids) | Q(interaction_id__in=interaction_ids))
        .filter(opened_at=opened_at)
        .select_related("customer")
        .order_by("id")
    )
    return webhook_events_publish(
        event_type=FOLLOWUP_CREATED,
        payloads=[follow_up_payload(case) for case in created],
        occurred_at=opened_at,
    )


def follow_up_resolved_publish(*, case: FollowUp) -> int:
    """``followup.resolved`` for a case just moved to resolved (``resolved_at`` set), from whichever
    path resolved it (the case page, the API). Costs one query when nobody subscribes."""
    if FOLLOWUP_RESOLVED not in webhook_subscribed_types():
        return 0
    return webhook_event_publish(
        event_type=FOLLOWUP_RESOLVED, payload=follow_up_payload(case), occurred_at=case.resolved_at
    )
