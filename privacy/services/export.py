"""Everything the platform holds about one customer, as one JSON-serialisable document.

What a customer may ask to see (a subject access request): their profile,
every logged contact, their journeys, the survey invitations sent to them and
what happened to each email, their answers, the follow-up cases about them,
suppression entries for their address and the webhook messages that carried
their data to connected systems. Survey links are left out (never stored:
only the hash of the token and the nonce it is derived from, which would
reopen the survey), and so are the staff who handled them.
"""

from datetime import datetime

from django.db.models import Prefetch
from django.utils import timezone

from analytics.models import JourneyScore
from audit.services import audit_record
from followups.models import FollowUp
from journeys.models import Journey
from surveys.models import Answer, EmailSuppression, Invitation, Response
from surveys.suppressions import suppression_keys
from touchpoints.models import Customer, Interaction

from .copies import webhook_messages_about

EXPORT_FORMAT = "cem.customer-export/1"


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _profile(customer: Customer) -> dict:
    return {
        "id": customer.pk,
        "external_id": customer.external_id,
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "locale": customer.locale,
        "segment": customer.segment,
        "value_tier": customer.value_tier,
        "email_opt_out": customer.email_opt_out,
        "email_opt_out_at": _when(customer.email_opt_out_at),
        "attributes": customer.attributes,
        "created_at": _when(customer.created_at),
        "updated_at": _when(customer.updated_at),
    }


def _interactions(customer: Customer) -> list[dict]:
    rows = (
        Interaction.objects.filter(customer=customer)
        .select_related("touchpoint")
        .order_by("occurred_at", "id")
    )
    return [
        {
            "id": i.pk,
            "external_id": i.external_id,
            "occurred_at": _when(i.occurred_at),
            "touchpoint": {"code": i.touchpoint.code, "name": i.touchpoint.name, "stage": i.touchpoint.stage},
            "channel": i.channel,
            "source": i.source,
            "category": i.category,
            "outcome": i.outcome,
            "notes": i.notes,
            "experience_score": i.experience_score,
            "expected_value": i.expected_value,
            "actual_value": i.actual_value,
            "journey_id": i.journey_id,
            "created_at": _when(i.created_at),
        }
        for i in rows
    ]


def _journeys(customer: Customer) -> list[dict]:
    scores = {score.journey_id: score for score in JourneyScore.objects.filter(journey__customer=customer)}
    rows = (
        Journey.objects.filter(customer=customer).select_related("journey_map").order_by("started_at", "id")
    )
    journeys = []
    for journey in rows:
        score = scores.get(journey.pk)
        journeys.append(
            {
                "id": journey.pk,
                "journey_map": journey.journey_map.name if journey.journey_map_id else None,
                "status": journey.status,
                "started_at": _when(journey.started_at),
                "ended_at": _when(journey.ended_at),
                "peak_end": None
                if score is None
                else {
                    "score": score.peak_end,
                    "peak": score.peak,
                    "end": score.end,
                    "mean": score.mean,
                    "moments": score.moments,
                    "floor_breaches": score.floor_breaches,
                },
            }
        )
    return journeys


def _email_events(invitation: Invitation) -> list[dict]:
    """What happened to the invitation's email, in time order."""
    events = [
        ("sent", invitation.sent_at),
        ("reminded", invitation.reminded_at),
        ("opened", invitation.opened_at),
        ("responded", invitation.responded_at),
        ("bounced", invitation.bounced_at),
        ("suppressed", invitation.suppressed_at),
    ]
    happened = sorted((at, name) for name, at in events if at is not None)
    return [{"event": name, "at": _when(at)} for at, name in happened]


def _invitations(customer: Customer) -> list[dict]:
    rows = Invitation.objects.filter(customer=customer).select_related("survey").order_by("created_at", "id")
    return [
        {
            "id": invitation.pk,
            "survey": {"id": invitation.survey_id, "name": invitation.survey.name},
            "interaction_id": invitation.interaction_id,
            "status": invitation.status,
            "language": invitation.language,
            "created_at": _when(invitation.created_at),
            "send_after": _when(invitation.send_after),
            "expires_at": _when(invitation.expires_at),
            "suppression_reason": invitation.suppression_reason,
            "email_events": _email_events(invitation),
        }
        for invitation in rows
    ]


def _responses(customer: Customer) -> list[dict]:
    answers = Answer.objects.select_related("question").order_by("question__order", "id")
    rows = (
        Response.objects.filter(customer=customer)
        .select_related("survey")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("submitted_at", "id")
    )
    return [
        {
            "id": response.pk,
            "invitation_id": response.invitation_id,
            "survey": {"id": response.survey_id, "name": response.survey.name},
            "submitted_at": _when(response.submitted_at),
            "language": response.language,
            "answers": [
                {
                    "question_id": answer.question_id,
                    "question": answer.question.text_in(response.language),
                    "type": answer.question_type,
                    "score": answer.score,
                    "expected": answer.expected,
                    "text": answer.text,
                    "choices": answer.choices,
                }
                for answer in response.answers.all()
            ],
        }
        for response in rows
    ]


def _follow_ups(customer: Customer) -> list[dict]:
    rows = FollowUp.objects.filter(customer=customer).order_by("opened_at", "id")
    return [
        {
            "id": case.pk,
            "reason": case.reason,
            "status": case.status,
            "score": case.score,
            "response_id": case.response_id,
            "interaction_id": case.interaction_id,
            "opened_at": _when(case.opened_at),
            "due_at": _when(case.due_at),
            "resolved_at": _when(case.resolved_at),
            "notes": case.notes,
            "outcome": case.outcome,
        }
        for case in rows
    ]


def _suppressions(customer: Customer) -> list[dict]:
    if not customer.email:
        return []
    rows = EmailSuppression.objects.filter(email__in=suppression_keys(customer.email)).order_by("id")
    return [
        {"email": customer.email, "reason": row.reason, "created_at": _when(row.created_at)} for row in rows
    ]


def _webhook_messages(customer: Customer) -> list[dict]:
    rows = webhook_messages_about(external_id=customer.external_id, email=customer.email).order_by(
        "created_at", "id"
    )
    return [
        {
            "id": message.public_id,
            "event_type": message.event_type,
            "data": message.payload,
            "created_at": _when(message.created_at),
            "status": message.status,
            "delivered_at": _when(message.delivered_at),
        }
        for message in rows
    ]


def customer_data_counts(customer: Customer) -> dict[str, int]:
    """How many rows of each kind are held about ``customer`` (for a confirmation page)."""
    return {
        "interactions": Interaction.objects.filter(customer=customer).count(),
        "journeys": Journey.objects.filter(customer=customer).count(),
        "invitations": Invitation.objects.filter(customer=customer).count(),
        "responses": Response.objects.filter(customer=customer).count(),
        "follow_ups": FollowUp.objects.filter(customer=customer).count(),
    }


def customer_export(customer: Customer, *, actor=None, request=None) -> dict:
    """Everything held about ``customer``: a JSON-serialisable dict (times in ISO 8601, UTC).

    Records a ``customer_export`` audit event naming the customer by the
    platform's id and the counts exported, never the personal data itself.
    """
    customer = Customer.objects.get(pk=customer.pk)
    document = {
        "format": EXPORT_FORMAT,
        "exported_at": _when(timezone.now()),
        "customer": _profile(customer),
        "interactions": _interactions(customer),
        "journeys": _journeys(customer),
        "invitations": _invitations(customer),
        "responses": _responses(customer),
        "follow_ups": _follow_ups(customer),
        "email_suppressions": _suppressions(customer),
        "webhook_messages": _webhook_messages(customer),
    }
    audit_record(
        action="customer_export",
        actor=actor,
        request=request,
        target=f"customer:{customer.pk}",
        details={name: len(value) for name, value in document.items() if isinstance(value, list)},
    )
    return document
