"""Celery tasks of the privacy room: thin, they call a service."""

import logging

from celery import shared_task

from .services import responses_retention_apply

logger = logging.getLogger(__name__)


@shared_task(bind=True)
def retention_apply(self) -> dict:
    """Beat, daily: anonymise or delete the responses past ``RESPONSE_RETENTION_DAYS`` (a no-op at 0).

    Works in batches within a budget below the task time limit; when the budget
    runs out with work left (the first run after the policy is switched on), it
    enqueues itself to carry on. Safe to run twice or concurrently.
    """
    report = responses_retention_apply()
    if not report.complete and report.responses + report.webhook_messages > 0 and not self.request.is_eager:
        logger.info("retention stopped at its time budget; carrying on in a new task")
        self.apply_async()
    return {
        "mode": report.mode,
        "responses": report.responses,
        "webhook_messages": report.webhook_messages,
        "complete": report.complete,
    }
