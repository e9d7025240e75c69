"""``journey.completed`` and ``journey.abandoned``: an endpoint subscribed through the API receives
them, signed, with the journey's peak–end score as ``analytics.metrics.peak_end`` gives it for the
journey's scores in time order (and as the stored score says once the metrics are refreshed)."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from analytics.metrics import peak_end
from analytics.models import JourneyScore
from analytics.services import metrics_refresh_stale
from api.keys import api_key_create
from journeys.models import Journey, JourneyMap, JourneyStatus
from journeys.services import journeys_assemble_pending
from journeys.tasks import journeys_timeout_sweep
from tests.api.conftest import client_with
from tests.factories import CustomerFactory, JourneyMapStepFactory, TouchpointFactory
from touchpoints.services import interaction_log
from webhooks.models import WebhookMessage
from webhooks.signing import webhook_verify

from .test_delivery import Receiver

pytestmark = pytest.mark.django_db

JOURNEY_EVENTS = ["journey.completed", "journey.abandoned"]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    with Receiver() as running:
        yield running


@pytest.fixture
def crm(db):
    return client_with(api_key_create(name="CRM")[1])


@pytest.fixture
def subscribed(crm, receiver):
    """An endpoint subscribed, through the API, to both journey events; its secret is checked."""
    response = crm.post("/api/v1/webhooks/", {"url": receiver.url, "events": JOURNEY_EVENTS}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["events"] == JOURNEY_EVENTS
    receiver.secret = response.json()["secret"]
    return receiver


@pytest.fixture
def online():
    journey_map = JourneyMap.objects.create(
        name="Online order", status=JourneyMap.Status.PUBLISHED, timeout_days=30
    )
    codes = ("browse", "cart", "pay", "deliver")
    touchpoints = [
        TouchpointFactory(code=code, floor_score=4 if code == "deliver" else None) for code in codes
    ]
    for position, touchpoint in enumerate(touchpoints, start=1):
        JourneyMapStepFactory(journey_map=journey_map, touchpoint=touchpoint, position=position)
    return journey_map, touchpoints


def _walk(customer, touchpoints, scores, *, start):
    """Interactions at ``touchpoints`` an hour apart from ``start``, with ``scores``."""
    for hour, (touchpoint, score) in enumerate(zip(touchpoints, scores, strict=False)):
        interaction_log(
            customer=customer,
            touchpoint=touchpoint,
            occurred_at=start + timedelta(hours=hour),
            experience_score=score,
        )


def _events(receiver, event_type: str) -> list[dict]:
    bodies = [json.loads(request.body) for request in receiver.requests]
    return [body["data"] for body in bodies if body["type"] == event_type]


def _expected(scores, floors) -> dict:
    result = peak_end(scores, floors=floors)
    return {
        "moments": len(scores),
        "peak": result.peak,
        "end": result.end,
        "peak_end": result.peak_end,
        "mean": result.mean,
        "gap": result.gap,
        "contrast": result.contrast,
        "floor_breaches": result.floor_breaches,
    }


def test_a_completed_journey_is_sent_with_the_peak_end_of_its_scores(
    subscribed, online, django_capture_on_commit_callbacks
):
    journey_map, touchpoints = online
    customer = CustomerFactory(external_id="C-ADA")
    scores = [7.0, 2.0, 8.0, 3.0]
    with django_capture_on_commit_callbacks(execute=True):
        _walk(customer, touchpoints, scores, start=timezone.now() - timedelta(days=2))
        journeys_assemble_pending()

    (event,) = _events(subscribed, "journey.completed")
    journey = Journey.objects.get()
    assert (event["id"], event["customer"], event["journey_map"], event["status"]) == (
        journey.id,
        "C-ADA",
        journey_map.id,
        "completed",
    )
    expected = _expected(scores, [None, None, None, 4])
    assert {key: event["peak_end"][key] for key in expected} == expected
    assert (event["peak_end"]["peak_touchpoint"], event["peak_end"]["end_touchpoint"]) == ("cart", "deliver")
    assert all(
        webhook_verify(secret=subscribed.secret, headers=r.headers, body=r.body) for r in subscribed.requests
    )
    metrics_refresh_stale()
    stored = JourneyScore.objects.get(journey=journey)
    assert (stored.peak_end, stored.mean, stored.floor_breaches) == (
        expected["peak_end"],
        expected["mean"],
        expected["floor_breaches"],
    )


def test_a_journey_silent_past_the_timeout_is_sent_as_abandoned_by_the_beat_sweep(
    subscribed, online, django_capture_on_commit_callbacks
):
    _, touchpoints = online
    customer = CustomerFactory(external_id="C-BOB")
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        _walk(customer, touchpoints[:2], [9.0, 1.5], start=start)
        journeys_assemble_pending()
    assert Journey.objects.get().status == JourneyStatus.IN_PROGRESS

    with time_machine.travel(start + timedelta(days=31), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert journeys_timeout_sweep()["abandoned"] == 1
        (event,) = _events(subscribed, "journey.abandoned")
        assert all(
            webhook_verify(secret=subscribed.secret, headers=r.headers, body=r.body)
            for r in subscribed.requests
        )

    assert event["status"] == "abandoned" and event["ended_at"].startswith(
        (start + timedelta(hours=1)).date().isoformat()
    )
    expected = _expected([9.0, 1.5], [None, None])
    assert {key: event["peak_end"][key] for key in expected} == expected
    assert _events(subscribed, "journey.completed") == []


def test_a_journey_ended_through_the_api_is_sent_once(
    subscribed, crm, online, django_capture_on_commit_callbacks
):
    _, touchpoints = online
    customer = CustomerFactory(external_id="C-CY")
    with django_capture_on_commit_callbacks(execute=True):
        _walk(customer, touchpoints[:1], [6.0], start=timezone.now() - timedelta(hours=2))
        journeys_assemble_pending()
    journey = Journey.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # the same end twice: one event
            answer = crm.patch(f"/api/v1/journeys/{journey.id}/", {"status": "completed"}, format="json")
            assert answer.status_code == 200, answer.content

    (event,) = _events(subscribed, "journey.completed")
    assert (event["id"], event["origin"], event["peak_end"]["peak_end"]) == (journey.id, "explicit", 6.0)


def test_an_endpoint_gets_only_the_journey_events_it_subscribed_to(
    crm, receiver, online, django_capture_on_commit_callbacks
):
    response = crm.post(
        "/api/v1/webhooks/", {"url": receiver.url, "events": ["journey.completed"]}, format="json"
    )
    assert response.status_code == 201
    _, touchpoints = online
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        _walk(CustomerFactory(), touchpoints[:2], [5.0, 5.0], start=start)
        journeys_assemble_pending()
    with time_machine.travel(start + timedelta(days=31), tick=False):
        journeys_timeout_sweep()
    assert Journey.objects.get().status == JourneyStatus.ABANDONED
    assert not WebhookMessage.objects.exists() and receiver.requests == []


def test_the_webhooks_api_lists_the_journey_events_and_refuses_unknown_ones(crm, receiver, client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    items = components["WebhookEndpointRequest"]["properties"]["events"]["items"]
    assert set(JOURNEY_EVENTS) <= set(components[items["$ref"].rsplit("/", 1)[1]]["enum"])
    refused = crm.post(
        "/api/v1/webhooks/", {"url": receiver.url, "events": ["journey.started"]}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"].startswith("events")
