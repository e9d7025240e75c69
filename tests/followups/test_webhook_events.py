"""``followup.resolved``: published once, in the resolving transaction, whichever way a case is resolved."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.keys import api_key_create
from followups.models import FollowUp, FollowUpReason, FollowUpStatus
from followups.services import follow_up_progress
from followups.services.webhook_events import FOLLOWUP_CREATED, FOLLOWUP_RESOLVED
from tests.factories import ResponseFactory
from webhooks.models import WebhookEventType, WebhookMessage
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db
PUBLIC_URL = "https://93.184.216.34/hooks"  # an IP literal: creating it needs no DNS


@pytest.fixture
def subscribed():
    """An endpoint subscribed to every event type the API offers."""
    endpoint, _ = webhook_endpoint_create(url=PUBLIC_URL, events=WebhookEventType.values)
    return endpoint


@pytest.fixture
def case():
    response = ResponseFactory()
    now = timezone.now()
    return FollowUp.objects.create(
        reason=FollowUpReason.DETRACTOR,
        customer=response.customer,
        response=response,
        score=3,
        opened_at=now - timedelta(hours=3),
        due_at=now + timedelta(hours=45),
    )


def resolved_messages() -> list[WebhookMessage]:
    return list(WebhookMessage.objects.filter(event_type=FOLLOWUP_RESOLVED))


def test_resolving_through_the_api_publishes_one_followup_resolved(subscribed, case):
    _, key = api_key_create(name="CRM", scopes=None)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    answer = api.patch(f"/api/v1/follow-ups/{case.id}/", {"status": "resolved", "outcome": "Refunded"})

    assert answer.status_code == 200
    [message] = resolved_messages()
    assert message.endpoint_id == subscribed.id
    payload = message.payload
    assert (payload["id"], payload["status"], payload["outcome"]) == (case.id, "resolved", "Refunded")
    assert payload["customer_external_id"] == case.customer.external_id
    assert payload["resolved_at"] is not None


def test_resolving_on_the_case_page_publishes_one_followup_resolved(subscribed, case, manager_client):
    answer = manager_client.post(
        reverse("follow-up-update", args=[case.id]), {"status": "resolved", "outcome": "Issue fixed"}
    )

    assert answer.status_code == 302
    [message] = resolved_messages()
    assert (message.payload["id"], message.payload["outcome"]) == (case.id, "Issue fixed")


def test_a_rolled_back_resolution_publishes_nothing(subscribed, case, manager):
    with pytest.raises(RuntimeError), transaction.atomic():
        follow_up_progress(follow_up_id=case.id, by=manager, status="resolved", outcome="Issue fixed")
        raise RuntimeError("the writer's transaction fails after the change")

    assert resolved_messages() == []
    assert FollowUp.objects.get(id=case.id).status == FollowUpStatus.OPEN


def test_only_the_move_to_resolved_publishes_not_other_steps_or_later_notes(subscribed, case, manager):
    follow_up_progress(follow_up_id=case.id, by=manager, status="contacted", note="Called")
    assert resolved_messages() == []
    follow_up_progress(follow_up_id=case.id, by=manager, status="resolved", outcome="Issue fixed")
    follow_up_progress(follow_up_id=case.id, by=manager, status="resolved", note="They wrote to thank us.")

    assert len(resolved_messages()) == 1
    assert not WebhookMessage.objects.filter(event_type=FOLLOWUP_CREATED).exists()


def test_nobody_subscribed_costs_one_query_and_publishes_nothing(case, manager, django_assert_num_queries):
    follow_up_progress(follow_up_id=case.id, by=manager, status="contacted")  # caches the roles
    # The savepoint and its release, locking the case, saving it, and who subscribes to what.
    with django_assert_num_queries(5):
        follow_up_progress(follow_up_id=case.id, by=manager, status="resolved", outcome="Issue fixed")
    assert not WebhookMessage.objects.exists()
