"""Export fixtures: a small data set of two surveys, every question type, two touchpoints."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.services.freshness import metrics_rebuild
from surveys.models import Question
from tests.api.conftest import make_key  # noqa: F401 - keys for the API tests
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
)
from touchpoints.models import Channel


@pytest.fixture
def exports_root(settings, tmp_path):
    settings.EXPORTS_ROOT = str(tmp_path / "exports")
    return tmp_path / "exports"


@pytest.fixture
def survey_data():
    """Survey A (NPS, a pair, multiple choice, text) answered 4 times across two touchpoints and two
    segments; survey B (NPS) answered twice. Rollups rebuilt, so the dashboards count them."""
    now = timezone.now() - timedelta(hours=1)
    delivery = TouchpointFactory(code="delivery", name="Delivery", channel=Channel.PHONE, stage="post_sale")
    store = TouchpointFactory(code="store", name="Store", channel=Channel.IN_STORE, stage="mid_sale")
    a = SurveyFactory(name="After delivery")
    nps = QuestionFactory(survey=a, order=1, type=Question.Type.NPS)
    pair = QuestionFactory(survey=a, order=2, type=Question.Type.EXPECTATION_EXPERIENCE, texts={"en": "Wait"})
    multi = QuestionFactory(
        survey=a,
        order=3,
        type=Question.Type.MULTI_CHOICE,
        texts={"en": "What mattered?"},
        choices=[{"value": "price"}, {"value": "speed"}],
        required=False,
    )
    text = QuestionFactory(survey=a, order=4, type=Question.Type.TEXT, texts={"en": "Why?"}, required=False)
    b = SurveyFactory(name="Relationship")
    b_nps = QuestionFactory(survey=b, order=1, type=Question.Type.NPS)
    consumers = [CustomerFactory(segment="consumer") for _ in range(2)]
    smb = CustomerFactory(segment="smb", value_tier="gold", external_id="=SMB")
    rows = [
        (consumers[0], delivery, 10, (5.0, 4.0), ["price", "speed"], "=cmd|' /C calc'!A0"),
        (consumers[1], delivery, 6, (5.0, 7.0), [], "Late"),
        (smb, store, 9, None, ["speed"], ""),
        (smb, delivery, 3, (10.0, 5.0), [], "-5 % off"),
    ]
    responses = []
    for customer, touchpoint, score, measures, chosen, said in rows:
        interaction = InteractionFactory(customer=customer, touchpoint=touchpoint, occurred_at=now)
        invitation = InvitationFactory(survey=a, customer=customer, interaction=interaction)
        response = ResponseFactory(invitation=invitation, submitted_at=now)
        AnswerFactory(response=response, question=nps, score=score)
        if measures:
            AnswerFactory(response=response, question=pair, expected=measures[0], score=measures[1])
        if chosen:
            AnswerFactory(response=response, question=multi, choices=chosen)
        if said:
            AnswerFactory(response=response, question=text, text=said)
        responses.append(response)
    for customer, score in ((consumers[0], 8), (smb, 2)):
        response = ResponseFactory(
            invitation=InvitationFactory(survey=b, customer=customer), submitted_at=now
        )
        AnswerFactory(response=response, question=b_nps, score=score)
    metrics_rebuild()
    return {"a": a, "b": b, "delivery": delivery, "store": store, "responses": responses}
