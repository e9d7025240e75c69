"""Celery tasks of the webhooks app: thin, they call a service."""

from celery import shared_task

from . import services


@shared_task
def webhook_deliver(message_id: int) -> str:
    """Make the due delivery attempt of one webhook message; safe to run any number of times.

    No Celery retry: a failed attempt is rescheduled in the outbox row, and its next delivery is
    enqueued with a countdown to that time (or, due later than a countdown may reach, by the sweeper).
    """
    return services.webhook_message_deliver(message_id=message_id)


@shared_task
def webhooks_sweep() -> int:
    """Beat, every minute: enqueue due webhook deliveries (retries, lost tasks, a broker outage)."""
    return services.webhooks_sweep()
