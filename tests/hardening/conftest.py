"""Fixtures of the hardening tests: one small world with an object of every kind, the role
users (a superuser besides the manager, agent and outsider), API clients, and a snapshot of
the domain tables to prove a refused request stored nothing."""

import json
import logging
import socket
from datetime import timedelta
from types import SimpleNamespace
from uuid import uuid4

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import StaffPreference
from access.roles import AGENT
from analytics.models import StaleMark
from api.keys import api_key_create
from api.models import IdempotencyRecord
from exports.models import ExportJob
from followups.models import FollowUp, FollowUpReason, FollowUpStatus
from journeys.models import AssemblyMark, AssemblyRun, Journey, JourneyMap, JourneyMapStep
from surveys.models import Answer, Invitation, Question, Response, Survey, SurveyRule
from surveys.tokens import token_for
from tests.conftest import PASSWORD
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    JourneyFactory,
    JourneyMapStepFactory,
    QuestionFactory,
    SurveyFactory,
    TouchpointFactory,
    UserFactory,
)
from touchpoints.models import Channel, Customer, Interaction, Stage, Touchpoint
from webhooks.models import WebhookEndpoint

QType = Question.Type

# Every table a write of the web UI or the API can touch (API keys are left out: a key's
# ``last_used_at`` moves on use, by design).
DOMAIN_MODELS = (
    Customer,
    Touchpoint,
    Interaction,
    JourneyMap,
    JourneyMapStep,
    Journey,
    AssemblyMark,
    AssemblyRun,
    Survey,
    Question,
    SurveyRule,
    Invitation,
    Response,
    Answer,
    FollowUp,
    WebhookEndpoint,
    ExportJob,
    StaleMark,
    IdempotencyRecord,
    StaffPreference,
)


def db_state():
    """A fingerprint of every row of the domain tables: equal before and after a request means
    it wrote nothing. On PostgreSQL one query hashes each table's rows; elsewhere the rows."""
    if connection.vendor != "postgresql":
        return {model._meta.label: list(model.objects.order_by("pk").values()) for model in DOMAIN_MODELS}
    quote = connection.ops.quote_name
    hashes = []
    for model in DOMAIN_MODELS:
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        rows = f"string_agg(t::text, '|' ORDER BY t.{pk})"
        hashes.append(f"(SELECT md5(coalesce({rows}, '')) FROM {table} t)")  # noqa: S608 - model names
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(hashes)}")
        return cursor.fetchone()


@pytest.fixture(autouse=True)
def _quiet_refusals():
    """Thousands of refused requests are the point here: keep Django's per-4xx warning out of the
    log (5xx errors are still logged)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own: failure counts of the public pages and throttle counts of
    the API must not leak between tests (Redis keeps them otherwise)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid4())}
    }
    # Thousands of refusals from one address: keep every limit out of the way, so each nasty
    # value reaches the code behind the limit (the limits have tests of their own).
    settings.SURVEY_FAILURE_LIMIT = 10_000
    settings.LOGIN_FAILURE_LIMIT = settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10_000
    settings.API_THROTTLE_RATE = "none"


@pytest.fixture(autouse=True)
def _public_dns(monkeypatch):
    """Every webhook host resolves to a public address: no network in tests."""

    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root-sam", password=PASSWORD, is_superuser=True, is_staff=True)


@pytest.fixture
def other_agent(db):
    user = UserFactory(username="agnes", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=AGENT)[0])
    return user


def signed_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client(key: str | None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def send_json(client: APIClient, method: str, path: str, body, **headers):
    """Send ``body`` as JSON text of our own making: ``json.dumps`` escapes every non-ASCII
    character, so lone surrogates travel as ``\\ud800`` escapes, as any JSON client sends them."""
    if method == "get":
        return client.get(path, **headers)
    text = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(path, text, content_type="application/json", **headers)


def assert_api_error(response) -> list[dict]:
    """A 4xx in the API's one error shape: ``{"errors": [{"field", "code", "message"}]}``."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors"} and body["errors"], body
    for entry in body["errors"]:
        assert set(entry) == {"field", "code", "message"}, entry
        assert entry["field"] is None or isinstance(entry["field"], str)
        assert isinstance(entry["code"], str) and entry["code"]
        assert isinstance(entry["message"], str) and entry["message"]
    return body["errors"]


@pytest.fixture
def api():
    """A client whose key holds every scope."""
    return api_client(api_key_create(name="Hardening CRM")[1])


@pytest.fixture
def world(db, manager, agent, other_agent):
    """One object of every kind the pages and the API act on.

    - customer ``C-1`` (on a journey) with interactions at a touchpoint without a measure
      (``counter``) and one with a measure (``delivery``);
    - a live survey with one question of every type, a rule, an open invitation (``token``),
      an answered invitation, and a draft survey;
    - follow-up cases: in the queue, assigned to ``agent``, assigned to ``other_agent``, resolved;
    - a webhook endpoint.
    """
    now = timezone.now()
    counter = TouchpointFactory(
        code="counter", name="Counter", stage=Stage.MID_SALE, channel=Channel.IN_STORE
    )
    delivery = TouchpointFactory(
        code="delivery",
        name="Delivery",
        stage=Stage.POST_SALE,
        channel=Channel.PHONE,
        measure_name="Delivery time",
        measure_unit="days",
        measure_direction="lower_is_better",
    )
    customer = CustomerFactory(external_id="C-1", name="Ada Lovelace", segment="consumer")
    journey_map = JourneyMapStepFactory(touchpoint=counter).journey_map
    journey = JourneyFactory(customer=customer, journey_map=journey_map)
    interaction = InteractionFactory(
        customer=customer, touchpoint=counter, journey=journey, experience_score=2
    )
    survey = SurveyFactory(name="After the counter", languages=["en"], titles={"en": "How was it?"})
    questions = {
        "nps": QuestionFactory(survey=survey, order=1, type=QType.NPS, texts={"en": "Recommend us?"}),
        "csat": QuestionFactory(
            survey=survey, order=2, type=QType.CSAT, required=False, texts={"en": "Happy?"}
        ),
        "ces": QuestionFactory(survey=survey, order=3, type=QType.CES, required=False, texts={"en": "Easy?"}),
        "rating": QuestionFactory(
            survey=survey,
            order=4,
            type=QType.RATING,
            required=False,
            scale_min=1,
            scale_max=4,
            texts={"en": "Staff?"},
        ),
        "pair": QuestionFactory(
            survey=survey,
            order=5,
            type=QType.EXPECTATION_EXPERIENCE,
            required=False,
            scale_min=1,
            scale_max=10,
            texts={"en": "Speed"},
        ),
        "single": QuestionFactory(
            survey=survey,
            order=6,
            type=QType.SINGLE_CHOICE,
            required=False,
            texts={"en": "Channel?"},
            choices=[
                {"value": "phone", "labels": {"en": "Phone"}},
                {"value": "store", "labels": {"en": "Store"}},
            ],
        ),
        "multi": QuestionFactory(
            survey=survey,
            order=7,
            type=QType.MULTI_CHOICE,
            required=False,
            texts={"en": "What mattered?"},
            choices=[
                {"value": "price", "labels": {"en": "Price"}},
                {"value": "speed", "labels": {"en": "Speed"}},
            ],
        ),
        "text": QuestionFactory(
            survey=survey, order=8, type=QType.TEXT, required=False, texts={"en": "Else?"}
        ),
    }
    rule = SurveyRule.objects.create(survey=survey, touchpoint=delivery, delay_hours=24)
    invitation = InvitationFactory(
        survey=survey,
        customer=customer,
        status=Invitation.Status.SENT,
        language="en",
        interaction=interaction,
    )
    answered = InvitationFactory(
        survey=survey, customer=customer, status=Invitation.Status.RESPONDED, language="en", responded_at=now
    )
    response = Response.objects.create(
        invitation=answered, survey=survey, customer=customer, submitted_at=now, language="en"
    )
    Answer.objects.create(response=response, question=questions["nps"], question_type=QType.NPS, score=2)
    draft = SurveyFactory(name="Draft", status=Survey.Status.DRAFT, languages=["en"], titles={"en": "Draft"})
    draft_question = QuestionFactory(survey=draft, order=1, type=QType.NPS, texts={"en": "Recommend?"})

    def case(assignee=None, status=FollowUpStatus.OPEN, **fields):
        return FollowUp.objects.create(
            reason=FollowUpReason.FLOOR_BREACH,
            customer=customer,
            interaction=InteractionFactory(customer=customer, touchpoint=counter, experience_score=1),
            score=1,
            assignee=assignee,
            status=status,
            opened_at=now - timedelta(hours=1),
            due_at=now + timedelta(days=2),
            resolved_at=now if status == FollowUpStatus.RESOLVED else None,
            outcome="Refunded" if status == FollowUpStatus.RESOLVED else "",
            **fields,
        )

    webhook = WebhookEndpoint.objects.create(
        url="https://crm.example.com/hooks", events=["response.detractor"], secret="whsec_x"
    )
    export_job = ExportJob.objects.create(kind="customers", file_format="csv", requested_by=manager)
    assembly_run = AssemblyRun.objects.create(journey_map=journey_map, created_by=manager)
    return SimpleNamespace(
        export_job=export_job,
        assembly_run=assembly_run,
        now=now,
        counter=counter,
        delivery=delivery,
        customer=customer,
        journey_map=journey_map,
        journey=journey,
        interaction=interaction,
        survey=survey,
        questions=questions,
        rule=rule,
        invitation=invitation,
        token=token_for(invitation.token_nonce),
        answered_token=token_for(answered.token_nonce),
        response=response,
        draft=draft,
        draft_question=draft_question,
        queue_case=case(),
        agents_case=case(assignee=agent),
        others_case=case(assignee=other_agent),
        resolved_case=case(assignee=agent, status=FollowUpStatus.RESOLVED),
        webhook=webhook,
        manager=manager,
        agent=agent,
        other_agent=other_agent,
    )
