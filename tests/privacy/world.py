"""A small world for the privacy tests: one customer with data of every kind, a bystander, and
ways to read back the figures and search every row of the database for a string."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from analytics.models import JourneyScore
from analytics.selectors import (
    DIMENSIONS,
    INTERACTION_DIMENSIONS,
    MetricFilters,
    driver_summary,
    expectation_by_touchpoint,
    interaction_breakdown,
    interaction_summary,
    invitation_summary,
    journey_summary,
    moments_of_truth,
    response_breakdown,
    response_series,
    response_summary,
)
from api.keys import api_key_create
from api.models import IdempotencyRecord
from followups.models import FollowUp, FollowUpReason
from followups.selectors import follow_up_counts
from surveys.models import EmailSuppression, Invitation, Question
from surveys.services.webhook_events import invitation_payload, response_payload
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    JourneyFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
)
from touchpoints.models import Channel, Direction, ValueTier
from webhooks.models import WebhookEndpoint, WebhookMessage
from webhooks.services import webhook_event_publish

NAME = "Zelda Quartermaine"
EMAIL = "Zelda.Q@example.org"
PHONE = "+447700900123"  # as stored: E.164
EXTERNAL_ID = "CRM-ZQ-77"
INTERACTION_EXTERNAL_ID = "INT-ZQ-1"
COMMENT = "The driver left my parcel at flat 4, Quartermaine House"
NOTE = "Zelda rang from her mobile about the parcel"
CASE_NOTE = "Called back on +44 7700 900123"
# Every one of these identifies the person or is something they wrote.
SECRETS = (
    NAME,
    "Quartermaine",
    EMAIL.lower(),
    PHONE,
    "7700900123",  # the stored number's digits, in any other copy of it
    "7700 900123",  # as a person writes it (the case note)
    EXTERNAL_ID,
    INTERACTION_EXTERNAL_ID,
    COMMENT,
    "LC-99812",
)


@dataclass
class World:
    now: datetime
    customer: object
    bystander: object
    survey: object
    responses: dict  # days ago → response of the customer
    bystander_response: object
    queued: object
    bounced: object


def _answers(response, questions, *, nps, csat, text, expected, experienced):
    AnswerFactory(response=response, question=questions["nps"], score=nps)
    AnswerFactory(response=response, question=questions["csat"], score=csat)
    AnswerFactory(response=response, question=questions["text"], text=text)
    AnswerFactory(response=response, question=questions["pair"], expected=expected, score=experienced)


def build_world(*, now: datetime | None = None) -> World:
    """The customer answered three times (40, 20 and 3 days ago) after contacts at a measured
    touchpoint with a floor; a bystander in another segment answered once, 30 days ago."""
    now = now or timezone.now()
    delivery = TouchpointFactory(
        name="Delivery",
        floor_score=4,
        measure_name="Delivery time",
        measure_unit="days",
        measure_direction=Direction.LOWER_IS_BETTER,
    )
    # No touchpoint of its own: a response's slice comes from the interaction its invitation followed.
    survey = SurveyFactory()
    questions = {
        "nps": QuestionFactory(survey=survey, type=Question.Type.NPS),
        "csat": QuestionFactory(survey=survey, type=Question.Type.CSAT, driver="service"),
        "text": QuestionFactory(survey=survey, type=Question.Type.TEXT, required=False),
        "pair": QuestionFactory(
            survey=survey, type=Question.Type.EXPECTATION_EXPERIENCE, scale_min=1, scale_max=10
        ),
    }
    customer = CustomerFactory(
        name=NAME,
        email=EMAIL,
        phone=PHONE,
        external_id=EXTERNAL_ID,
        segment="consumer",
        value_tier=ValueTier.GOLD,
        attributes={"loyalty_card": "LC-99812", "nickname": "Zee"},
    )
    bystander = CustomerFactory(name="Bert Bystander", segment="business", value_tier=ValueTier.SILVER)
    journey = JourneyFactory(customer=customer, started_at=now - timedelta(days=41))
    responses = {}
    for days_ago, nps, text in ((40, 3, COMMENT), (20, 9, "Quick and friendly"), (3, 6, f"Ask for {NAME}")):
        interaction = InteractionFactory(
            customer=customer,
            touchpoint=delivery,
            channel=Channel.CHAT,  # not the touchpoint's own channel
            journey=journey,
            occurred_at=now - timedelta(days=days_ago, hours=2),
            experience_score=2 if nps < 7 else 8,
            expected_value=3,
            actual_value=5 if nps < 7 else 1,
            notes=NOTE,
            external_id=INTERACTION_EXTERNAL_ID if days_ago == 40 else None,
        )
        invitation = InvitationFactory(
            survey=survey,
            customer=customer,
            interaction=interaction,
            status=Invitation.Status.RESPONDED,
            sent_at=now - timedelta(days=days_ago, hours=1),
            responded_at=now - timedelta(days=days_ago),
        )
        response = ResponseFactory(invitation=invitation, submitted_at=now - timedelta(days=days_ago))
        _answers(response, questions, nps=nps, csat=2 if nps < 7 else 5, text=text, expected=3, experienced=4)
        responses[days_ago] = response
    FollowUp.objects.create(
        reason=FollowUpReason.DETRACTOR,
        customer=customer,
        response=responses[40],
        score=3,
        opened_at=now - timedelta(days=40),
        due_at=now - timedelta(days=38),
        notes=CASE_NOTE,
        outcome=f"Refunded {NAME}",
    )
    bounced = InvitationFactory(
        survey=survey,
        customer=customer,
        status=Invitation.Status.BOUNCED,
        sent_at=now - timedelta(days=10),
        bounced_at=now - timedelta(days=10) + timedelta(minutes=1),
        suppression_reason=f"refused by the mail server: {{'{EMAIL}': (550, b'no such user')}}",
    )
    queued = InvitationFactory(survey=survey, customer=customer, send_after=now + timedelta(days=1))
    EmailSuppression.objects.create(email=EMAIL.lower(), reason="bounced")

    other = InteractionFactory(
        customer=bystander,
        touchpoint=delivery,
        occurred_at=now - timedelta(days=30, hours=2),
        experience_score=6,
    )
    bystander_response = ResponseFactory(
        invitation=InvitationFactory(
            survey=survey,
            customer=bystander,
            interaction=other,
            status=Invitation.Status.RESPONDED,
            sent_at=now - timedelta(days=30, hours=1),
        ),
        submitted_at=now - timedelta(days=30),
    )
    _answers(bystander_response, questions, nps=10, csat=5, text="Bert's comment", expected=2, experienced=2)

    WebhookEndpoint.objects.create(
        url="https://crm.example.com/hooks",
        events=["response.created", "invitation.bounced"],
        secret="whsec_dGVzdA==",
    )
    for response in (responses[40], bystander_response):
        webhook_event_publish(
            event_type="response.created",
            payload=response_payload(response, response.answers.all()),
            occurred_at=response.submitted_at,
        )
    webhook_event_publish(event_type="invitation.bounced", payload=invitation_payload(bounced))
    api_key, _ = api_key_create(name="CRM")
    IdempotencyRecord.objects.create(
        api_key=api_key,
        key="k-1",
        request_hash="0" * 64,
        state="done",
        status_code=201,
        body={"external_id": EXTERNAL_ID, "name": NAME, "email": EMAIL, "phone": PHONE},
        created_at=now,
    )
    return World(
        now=now,
        customer=customer,
        bystander=bystander,
        survey=survey,
        responses=responses,
        bystander_response=bystander_response,
        queued=queued,
        bounced=bounced,
    )


def webhook_messages_at(world: World, *, days_ago: int) -> None:
    """Date the outbox back: every message created, and delivered, ``days_ago`` days before now."""
    moment = world.now - timedelta(days=days_ago)
    WebhookMessage.objects.update(
        created_at=moment, status="delivered", delivered_at=moment, next_attempt_at=None
    )


def figures(*, now: datetime) -> dict:
    """Every figure a dashboard shows, over all time, from the selectors."""
    every = MetricFilters()
    return {
        "responses": response_summary(filters=every),
        "series": response_series(filters=every, interval="day"),
        **{f"responses by {by}": response_breakdown(filters=every, by=by) for by in DIMENSIONS},
        "interactions": interaction_summary(filters=every),
        **{
            f"interactions by {by}": interaction_breakdown(filters=every, by=by)
            for by in INTERACTION_DIMENSIONS
        },
        "expectation": expectation_by_touchpoint(filters=every),
        "journeys": journey_summary(filters=every),
        "moments": moments_of_truth(filters=every),
        "drivers": driver_summary(filters=every),
        "invitations": invitation_summary(filters=every),
        "tier gold": response_summary(filters=MetricFilters(value_tier=ValueTier.GOLD)),
        "segment consumer": response_summary(filters=MetricFilters(segment="consumer")),
        "follow-ups": follow_up_counts(now=now),
    }


def rollup_models() -> list:
    """Every rollup table of the analytics app (fine and coarser), and the journey scores."""
    found = [m for m in apps.get_app_config("analytics").get_models() if m.__name__.endswith("Rollup")]
    return [*sorted(found, key=lambda model: model.__name__), JourneyScore]


def rollup_tables() -> dict[str, list]:
    """Every rollup row (and journey score), without ids and computation times, in a stable order."""
    tables = {}
    for model in rollup_models():
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "computed_at")]
        rows = [tuple(row) for row in model.objects.values_list(*names)]
        tables[model.__name__] = sorted(rows, key=repr)
    return tables


def rows_containing(texts) -> list[str]:
    """``app.Model.field = …`` for every text or JSON column of every table holding one of ``texts``
    (case-insensitive)."""
    found = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        columns = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for field in columns:
            value = (
                Cast(field.name, TextField()) if isinstance(field, models.JSONField) else models.F(field.name)
            )
            condition = Q()
            for text in texts:
                condition |= Q(haystack__icontains=text)
                if isinstance(field, models.JSONField):  # JSON may escape non-ASCII text
                    condition |= Q(haystack__icontains=json.dumps(text)[1:-1])
            hits = (
                model._default_manager.annotate(haystack=value)
                .filter(condition)
                .values_list("haystack", flat=True)[:3]
            )
            found += [f"{model._meta.label}.{field.name} = {hit!r}" for hit in hits]
    return found
