"""API fixtures: keys with chosen scopes, a client holding an all-scopes key, the error shape."""

import socket

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from analytics.services.freshness import journey_scores_refresh
from api.keys import api_key_create
from api.scopes import ALL_SCOPES
from followups.models import FollowUp, FollowUpReason
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InteractionFactory,
    JourneyFactory,
    JourneyMapStepFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
    UserFactory,
)
from webhooks.services import webhook_endpoint_create


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request leaves its language (Accept-Language's) active in the thread: the next test
    starts from the default."""
    yield
    translation.deactivate()


@pytest.fixture
def make_key(db):
    """``make_key("customers:read", ...)`` → (ApiKey, key); no scopes: every scope."""

    def make(*scopes: str, name: str = "CRM test"):
        return api_key_create(name=name, scopes=list(scopes) if scopes else None)

    return make


def client_with(key: str | None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def api_key(make_key):
    return make_key()


@pytest.fixture
def api(api_key):
    """A client sending an API key with every scope."""
    return client_with(api_key[1])


@pytest.fixture
def scoped(make_key):
    """``scoped("customers:read")`` → a client whose key holds only those scopes."""

    def make(*scopes: str) -> APIClient:
        return client_with(make_key(*scopes)[1])

    return make


@pytest.fixture
def all_scopes():
    return ALL_SCOPES


def assert_error(response, status: int, code: str | None = None, field: str | None = "__any__") -> list[dict]:
    """The response is ``status`` in the one error shape; returns its errors."""
    assert response.status_code == status, (response.status_code, getattr(response, "content", b"")[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors"}
    assert body["errors"], body
    for entry in body["errors"]:
        assert set(entry) == {"field", "code", "message"}
        assert isinstance(entry["code"], str) and entry["code"]
        assert isinstance(entry["message"], str) and entry["message"]
    if code is not None:
        assert code in [entry["code"] for entry in body["errors"]], body
    if field != "__any__":
        assert field in [entry["field"] for entry in body["errors"]], body
    return body["errors"]


@pytest.fixture
def api_rows(db, monkeypatch):
    """A little of everything, so reads return rows and not only empty pages: blank choices
    (a question without a driver, a touchpoint without a measure), nulls and nested objects.
    Returns the path parameters of real rows, by operation (a DELETE gets rows of its own)."""
    # Webhook URLs are checked against DNS: every generated host is a public address here.
    monkeypatch.setattr(
        "webhooks.targets.socket.getaddrinfo",
        lambda host, port, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443))],
    )
    assignee = UserFactory(username="alex")
    touchpoint = TouchpointFactory(code="delivery", floor_score=4)
    journey_map = JourneyMapStepFactory(touchpoint=touchpoint).journey_map
    journey = JourneyFactory(journey_map=journey_map, customer__external_id="C-1")
    customer = journey.customer
    interaction = InteractionFactory(
        customer=customer, journey=journey, touchpoint=touchpoint, experience_score=3, external_id="I-1"
    )
    journey_scores_refresh(journey_ids=[journey.id], force=True)
    survey = SurveyFactory(touchpoint=touchpoint)
    question = QuestionFactory(survey=survey, driver="")
    QuestionFactory(survey=survey, type="csat", driver="service")
    response = ResponseFactory(invitation__survey=survey, invitation__customer=customer)
    AnswerFactory(response=response, question=question, question_type=question.type, score=2)
    case = FollowUp.objects.create(
        reason=FollowUpReason.DETRACTOR,
        customer=customer,
        response=response,
        score=2,
        assignee=assignee,
        opened_at=response.submitted_at,
        due_at=response.submitted_at,
    )
    endpoint, _ = webhook_endpoint_create(url="https://crm.example.com/hooks", events=["response.created"])
    doomed, _ = webhook_endpoint_create(url="https://crm.example.com/old", events=["response.created"])
    doomed_customer = CustomerFactory(external_id="C-DOOMED")
    return {
        "/api/v1/customers/{external_id}/": {"external_id": customer.external_id},
        ("delete", "/api/v1/customers/{external_id}/"): {"external_id": doomed_customer.external_id},
        "/api/v1/touchpoints/{code}/": {"code": touchpoint.code},
        "/api/v1/journeys/{id}/": {"id": str(journey.id)},
        "/api/v1/journeys/{id}/interactions/": {"id": str(journey.id)},
        "/api/v1/journey-maps/{id}/": {"id": str(journey_map.id)},
        "/api/v1/surveys/{id}/": {"id": str(survey.id)},
        "/api/v1/surveys/{id}/invitations/": {"id": survey.id},
        "/api/v1/invitations/{id}/": {"id": str(response.invitation_id)},
        "/api/v1/follow-ups/{id}/": {"id": str(case.id)},
        "/api/v1/webhooks/{id}/": {"id": str(endpoint.id)},
        ("delete", "/api/v1/webhooks/{id}/"): {"id": str(doomed.id)},
        "interaction": interaction,
    }


def path_parameters_of(rows: dict, method: str, path: str) -> dict | None:
    """The path parameters of real rows for ``method path`` (from ``api_rows``), if it has any."""
    return rows.get((method.lower(), path), rows.get(path))
