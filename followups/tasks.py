"""Celery tasks of the follow-up app: thin, they call a service."""

from celery import shared_task

from .services import notifications


@shared_task
def follow_up_assigned_notify(follow_up_id: int, assignee_id: int, by_id: int | None = None) -> bool:
    """Email the assignee of a case handed to them, in their language (no-op if it is no longer theirs)."""
    return notifications.follow_up_assigned_notify(
        follow_up_id=follow_up_id, assignee_id=assignee_id, by_id=by_id
    )
