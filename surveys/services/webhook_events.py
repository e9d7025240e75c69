"""The webhook events of surveys (``response.created``, ``response.detractor``, ``invitation.bounced``,
``invitation.suppressed``) and the payload each carries.

Every writer emits with one call from inside its own transaction, so an event
is published exactly when its change commits. Payloads are plain JSON objects
built from rows already in memory; times are ISO 8601 in UTC, ids are the
platform's ids (the customer also by the CRM's ``external_id``).
"""

from collections.abc import Iterable

from surveys.models import Answer, Invitation, QuestionType, Response
from webhooks.models import WebhookEventType
from webhooks.selectors import webhook_subscriptions
from webhooks.services import webhook_event_publish, webhook_messages_publish

RESPONSE_CREATED = WebhookEventType.RESPONSE_CREATED.value
RESPONSE_DETRACTOR = WebhookEventType.RESPONSE_DETRACTOR.value
INVITATION_BOUNCED = WebhookEventType.INVITATION_BOUNCED.value
INVITATION_SUPPRESSED = WebhookEventType.INVITATION_SUPPRESSED.value

DETRACTOR_MAX_NPS = 6  # NPS 0–6 is a detractor (metrics.md)


def response_payload(response: Response, answers: Iterable[Answer]) -> dict:
    """A survey response with its answers (``answers``: the response's ``Answer`` rows)."""
    return {
        "id": response.id,
        "survey_id": response.survey_id,
        "customer_external_id": response.customer.external_id,
        "submitted_at": response.submitted_at,
        "language": response.language,
        "answers": [
            {
                "question_id": answer.question_id,
                "type": answer.question_type,
                "score": answer.score,
                "expected": answer.expected,
                "text": answer.text,
                "choices": answer.choices,
            }
            for answer in answers
        ],
    }


def invitation_payload(invitation: Invitation) -> dict:
    """A survey invitation that bounced: the address is suppressed from now on."""
    return {
        "id": invitation.id,
        "survey_id": invitation.survey_id,
        "customer_external_id": invitation.customer.external_id,
        "email": invitation.customer.email,
        "bounced_at": invitation.bounced_at,
        "reason": invitation.suppression_reason,
    }


def invitation_suppressed_payload(invitation: Invitation) -> dict:
    """A survey invitation that will never be emailed, and why (``reason``: the invitation's
    ``suppression_reason``, e.g. "customer opted out of email")."""
    return {
        "id": invitation.id,
        "survey_id": invitation.survey_id,
        "customer_external_id": invitation.customer.external_id,
        "interaction_id": invitation.interaction_id,
        "suppressed_at": invitation.suppressed_at,
        "reason": invitation.suppression_reason,
    }


def _is_detractor(answers: Iterable[Answer]) -> bool:
    return any(
        answer.question_type == QuestionType.NPS
        and answer.score is not None
        and answer.score <= DETRACTOR_MAX_NPS
        for answer in answers
    )


def response_events_publish(*, response: Response, answers: Iterable[Answer]) -> int:
    """``response.created`` for a stored response and, when an NPS answer is 0–6, ``response.detractor``.

    ``answers`` (a list or a lazy queryset) are read, and the payload built, only when an active
    endpoint subscribes to either event. One query when none does (the subscriptions), and one
    INSERT of every message more when some do; the response's customer is read for its
    ``external_id`` unless it is loaded already.
    """
    subscriptions = webhook_subscriptions()
    if RESPONSE_CREATED not in subscriptions and RESPONSE_DETRACTOR not in subscriptions:
        return 0
    answers = list(answers)
    event_types = [RESPONSE_CREATED] + ([RESPONSE_DETRACTOR] if _is_detractor(answers) else [])
    subscribed = [event_type for event_type in event_types if event_type in subscriptions]
    if not subscribed:
        return 0
    payload = response_payload(response, answers)
    return webhook_messages_publish(
        events=[(event_type, payload) for event_type in subscribed],
        occurred_at=response.submitted_at,
        subscriptions=subscriptions,
    )


def invitation_bounced_publish(*, invitation: Invitation) -> int:
    """``invitation.bounced`` for an invitation just marked bounced (its customer loaded)."""
    return webhook_event_publish(
        event_type=INVITATION_BOUNCED,
        payload=invitation_payload(invitation),
        occurred_at=invitation.bounced_at,
    )


def invitation_suppressed_publish(*, invitation: Invitation) -> int:
    """``invitation.suppressed`` for an invitation just marked suppressed (its customer loaded), at
    creation or at sending."""
    return webhook_event_publish(
        event_type=INVITATION_SUPPRESSED,
        payload=invitation_suppressed_payload(invitation),
        occurred_at=invitation.suppressed_at,
    )
