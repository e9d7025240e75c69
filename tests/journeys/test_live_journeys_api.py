"""Issue 19's acceptance, through the public API only (an API key with scopes, the test client): a
customer created by the CRM, interactions posted at a published map's touchpoints in order — one
alone, some in one bulk call, one out of order (an earlier time sent last), one at a touchpoint
outside the map — become one journey whose peak–end is ``analytics.metrics.peak_end`` of those
scores in time order; a customer who stops half-way is abandoned by beat after the timeout; and
replaying every interaction of the day changes nothing.

Only the map and its touchpoints are set up through the ORM; assembly and the metrics refresh run
as the worker would run them (``journeys_assemble_pending``, ``metrics_refresh_stale``, the beat
task ``journeys_timeout_sweep``), since on-commit tasks do not run inside a test's transaction."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.metrics import peak_end
from analytics.services import metrics_refresh_stale
from api.keys import api_key_create
from journeys.models import Journey, JourneyMap
from journeys.services import journeys_assemble_pending
from journeys.tasks import journeys_timeout_sweep
from tests.factories import JourneyMapStepFactory, TouchpointFactory
from touchpoints.models import Interaction

pytestmark = pytest.mark.django_db

STEPS = ("browse", "cart", "pay", "deliver")
TIMEOUT_DAYS = 30


@pytest.fixture
def crm() -> APIClient:
    """The CRM's client: a key that writes customers and interactions and reads journeys."""
    _, key = api_key_create(name="CRM", scopes=["customers:write", "interactions:write", "customers:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def online_order() -> JourneyMap:
    """A published map browse → cart → pay → deliver; a support call outside it joins a journey."""
    journey_map = JourneyMap.objects.create(
        name="Online order",
        status=JourneyMap.Status.PUBLISHED,
        published_at=timezone.now(),
        timeout_days=TIMEOUT_DAYS,
        include_outside=True,
    )
    for position, code in enumerate(STEPS, start=1):
        touchpoint = TouchpointFactory(code=code, floor_score=5 if code == "deliver" else None)
        JourneyMapStepFactory(journey_map=journey_map, touchpoint=touchpoint, position=position)
    TouchpointFactory(code="support-call", floor_score=3)
    return journey_map


def _at(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _interaction(external_id: str, customer: str, touchpoint: str, moment: datetime, score: float) -> dict:
    return {
        "external_id": external_id,
        "customer": customer,
        "touchpoint": touchpoint,
        "occurred_at": _at(moment),
        "experience_score": score,
    }


def _post(crm: APIClient, path: str, body: dict, status: int = 201) -> dict:
    response = crm.post(path, body, format="json")
    assert response.status_code == status, response.content
    return response.json()


def _bulk(crm: APIClient, items: list[dict]) -> list[str]:
    results = _post(crm, "/api/v1/interactions/bulk/", {"items": items}, status=200)["results"]
    return [result["status"] for result in results]


def _journeys(crm: APIClient, customer: str) -> list[dict]:
    response = crm.get(f"/api/v1/journeys/?customer={customer}")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _state() -> tuple:
    """Every journey as stored (its id, updated_at included) and every interaction's journey."""
    journeys = sorted(Journey.objects.values_list())
    return journeys, sorted(Interaction.objects.values_list("id", "journey_id"))


def _scores(crm: APIClient) -> list[dict]:
    """Every journey's peak–end summary but the time it was computed."""
    summaries = [journey["peak_end"] or {} for journey in crm.get("/api/v1/journeys/").json()["results"]]
    return [{key: value for key, value in summary.items() if key != "computed_at"} for summary in summaries]


def _the_day(crm: APIClient, start: datetime) -> list[dict]:
    """The CRM's day: Ada walks the whole map (with a support call), Bob stops after the cart, Cy's
    interactions name the order they belong to. Returns every interaction sent, as sent."""
    hour = timedelta(hours=1)
    _post(crm, "/api/v1/customers/", {"external_id": "CRM-ADA", "name": "Ada Lovelace"})
    _post(crm, "/api/v1/customers/", {"external_id": "CRM-BOB", "name": "Bob Kahn"})
    _post(crm, "/api/v1/customers/", {"external_id": "CRM-CY", "name": "Cy Young"})
    browse = _interaction("WEB-1", "CRM-ADA", "browse", start, 7)
    _post(crm, "/api/v1/interactions/", browse)
    together = [
        _interaction("CART-1", "CRM-ADA", "cart", start + hour, 6),
        _interaction("CALL-1", "CRM-ADA", "support-call", start + 2 * hour, 0.5),  # outside the map
        _interaction("DLV-1", "CRM-ADA", "deliver", start + 5 * hour, 8),
        _interaction("WEB-2", "CRM-BOB", "browse", start + hour, 9),
        _interaction("CART-2", "CRM-BOB", "cart", start + 2 * hour, 4),
        # Cy's order is one the CRM knows: its interactions name it, whatever the map's rules say.
        {**_interaction("WEB-3", "CRM-CY", "browse", start, 5), "journey_external_id": "ORDER-CY"},
        {**_interaction("CART-3", "CRM-CY", "cart", start + hour, 3), "journey_external_id": "ORDER-CY"},
    ]
    assert _bulk(crm, together) == ["created"] * 7
    journeys_assemble_pending()  # the worker, after that commit
    # The payment, three hours in, reaches the CRM late: sent last, before the delivery in time.
    late = _interaction("PAY-1", "CRM-ADA", "pay", start + 3 * hour, 7)
    _post(crm, "/api/v1/interactions/", late)
    journeys_assemble_pending()
    metrics_refresh_stale()
    return [browse, *together, late]


def test_interactions_posted_through_the_api_become_journeys_with_their_peak_end(crm, online_order):
    start = timezone.now() - timedelta(hours=8)
    sent = _the_day(crm, start)

    (ada,) = _journeys(crm, "CRM-ADA")
    assert (ada["journey_map"], ada["origin"], ada["status"]) == (online_order.id, "assembled", "completed")
    assert (ada["furthest_step"], ada["steps_total"]) == (4, 4)
    # Ada's scores in time order: browse, cart, the support call, the late payment, the delivery.
    moments = sorted(
        (item for item in sent if item["customer"] == "CRM-ADA"), key=lambda item: item["occurred_at"]
    )
    assert [item["external_id"] for item in moments] == ["WEB-1", "CART-1", "CALL-1", "PAY-1", "DLV-1"]
    expected = peak_end([item["experience_score"] for item in moments], floors=[None, None, 3, None, 5])
    score = ada["peak_end"]
    assert score is not None, ada
    assert (score["moments"], score["peak"], score["end"]) == (5, expected.peak, expected.end)
    assert (score["peak_end"], score["mean"], score["gap"]) == (
        expected.peak_end,
        expected.mean,
        expected.gap,
    )
    assert (score["contrast"], score["floor_breaches"]) == (expected.contrast, expected.floor_breaches)
    assert (score["peak_touchpoint"], score["end_touchpoint"]) == ("support-call", "deliver")
    steps = crm.get(f"/api/v1/journeys/{ada['id']}/").json()["steps"]
    assert [step["external_id"] for step in steps] == [item["external_id"] for item in moments]

    (bob,) = _journeys(crm, "CRM-BOB")
    assert (bob["status"], bob["furthest_step"], bob["ended_at"]) == ("in_progress", 2, None)
    (cy,) = _journeys(crm, "CRM-CY")
    assert (cy["external_id"], cy["origin"], cy["journey_map"], cy["furthest_step"]) == (
        "ORDER-CY",
        "explicit",
        online_order.id,
        2,
    )
    assert cy["peak_end"]["peak_end"] == peak_end([5, 3]).peak_end


def test_a_customer_who_stops_half_way_is_abandoned_by_beat_after_the_timeout(crm, online_order):
    start = timezone.now() - timedelta(hours=8)
    _the_day(crm, start)

    with time_machine.travel(timezone.now() + timedelta(days=TIMEOUT_DAYS - 1), tick=False):
        assert journeys_timeout_sweep()["abandoned"] == 0  # silent for 29 days: still on its way
        assert _journeys(crm, "CRM-BOB")[0]["status"] == "in_progress"
    with time_machine.travel(timezone.now() + timedelta(days=TIMEOUT_DAYS + 1), tick=False):
        assert journeys_timeout_sweep()["abandoned"] == 1
        (bob,) = _journeys(crm, "CRM-BOB")
        metrics_refresh_stale()
        abandoned = crm.get("/api/v1/journeys/?status=abandoned").json()["results"]

    assert (bob["status"], bob["ended_at"]) == ("abandoned", _at(start + timedelta(hours=2)))
    assert [journey["id"] for journey in abandoned] == [bob["id"]]
    assert bob["peak_end"]["peak_end"] == peak_end([9, 4]).peak_end
    assert _journeys(crm, "CRM-ADA")[0]["status"] == "completed"


def test_replaying_every_interaction_of_the_day_changes_nothing(crm, online_order):
    start = timezone.now() - timedelta(hours=8)
    sent = _the_day(crm, start)
    before = _state()
    scores = _scores(crm)

    assert _bulk(crm, sent) == ["updated"] * len(sent)
    journeys_assemble_pending()
    metrics_refresh_stale()

    assert _state() == before
    assert _scores(crm) == scores  # recomputed (the replayed rows were marked stale) to the same figures

    # And after the timeout, once beat has abandoned Bob's journey, a replay agrees with it.
    with time_machine.travel(timezone.now() + timedelta(days=TIMEOUT_DAYS + 1), tick=False):
        journeys_timeout_sweep()
        after_sweep = _state()
        assert _bulk(crm, sent) == ["updated"] * len(sent)
        journeys_assemble_pending()
        assert _state() == after_sweep
