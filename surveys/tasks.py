"""Celery tasks of the surveys app: thin, they take ids and call a service."""

import logging

from celery import shared_task
from django.conf import settings

from .services import invitations

logger = logging.getLogger(__name__)


@shared_task(
    rate_limit=settings.SURVEY_SEND_RATE,
    autoretry_for=(OSError,),  # SMTP and network errors: the invitation stays queued
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=8,
)
def invitation_send(invitation_id: int) -> str:
    """Email one invitation; safe to run any number of times."""
    return invitations.invitation_send(invitation_id=invitation_id)


@shared_task
def invitations_sweep() -> int:
    """Beat, every minute: enqueue due invitations whose send was never enqueued or was lost."""
    return invitations.invitations_sweep()


@shared_task(rate_limit=settings.SURVEY_SEND_RATE, autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def invitation_remind(invitation_id: int) -> str:
    """Send one invitation's single reminder; safe to run any number of times."""
    return invitations.invitation_remind(invitation_id=invitation_id)


@shared_task
def invitations_remind() -> int:
    """Beat, every 15 minutes: enqueue the reminders that are due."""
    ids = invitations.invitations_due_reminder()
    for invitation_id in ids:
        invitation_remind.delay(invitation_id)
    return len(ids)
