"""/interactions/: one logged like an agent's (stale marks, survey rules), listed with filters."""

import pytest
from django.utils import timezone

from analytics.models import StaleMark
from surveys.models import Invitation, SurveyRule
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    JourneyFactory,
    SurveyFactory,
    TouchpointFactory,
)
from touchpoints.models import Interaction

from .conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery():
    return TouchpointFactory(code="delivery", channel="in_store")


def test_log_one_defaults_channel_and_time_and_marks_source_api(api, delivery):
    CustomerFactory(external_id="C-1")
    body = api.post(
        "/api/v1/interactions/", {"customer": "C-1", "touchpoint": "delivery", "experience_score": 7}
    ).json()
    stored = Interaction.objects.get(id=body["id"])
    assert (stored.channel, stored.source, stored.experience_score) == ("in_store", "api", 7)
    assert body["customer"] == "C-1" and body["touchpoint"] == "delivery"


def test_log_one_marks_metrics_stale_and_applies_survey_rules(api, delivery):
    CustomerFactory(external_id="C-1")
    SurveyRule.objects.create(survey=SurveyFactory(), touchpoint=delivery, delay_hours=0)
    api.post(
        "/api/v1/interactions/",
        {"customer": "C-1", "touchpoint": "delivery", "occurred_at": timezone.now().isoformat()},
    )
    assert StaleMark.objects.exists() and Invitation.objects.count() == 1


def test_an_existing_external_id_is_400_unique(api, delivery):
    InteractionFactory(external_id="X", touchpoint=delivery, customer=CustomerFactory(external_id="C-1"))
    assert_error(
        api.post("/api/v1/interactions/", {"customer": "C-1", "touchpoint": "delivery", "external_id": "X"}),
        400,
        "unique",
        "external_id",
    )


def test_unknown_customer_or_touchpoint_is_400(api, delivery):
    assert_error(
        api.post("/api/v1/interactions/", {"customer": "NOPE", "touchpoint": "delivery"}),
        400,
        "does_not_exist",
        "customer",
    )


def test_a_journey_of_another_customer_is_refused(api, delivery):
    CustomerFactory(external_id="C-1")
    journey = JourneyFactory()
    response = api.post(
        "/api/v1/interactions/", {"customer": "C-1", "touchpoint": "delivery", "journey": journey.id}
    )
    assert_error(response, 400, field="journey")


def test_list_filters_by_customer_touchpoint_stage_and_time(api, delivery):
    ada = CustomerFactory(external_id="ADA")
    InteractionFactory(customer=ada, touchpoint=delivery, occurred_at=timezone.now())
    InteractionFactory(touchpoint=TouchpointFactory(code="web", stage="pre_sale"))
    count = lambda q: len(api.get(f"/api/v1/interactions/?{q}").json()["results"])  # noqa: E731
    assert count("customer=ADA") == 1
    assert count("touchpoint=web") == 1
    assert count("stage=pre_sale") == 1
    assert count("occurred_after=2100-01-01T00:00:00Z") == 0
