"""/follow-ups/: read cases; PATCH moves one forward through follow_up_progress, as the API key."""

from datetime import timedelta

import pytest
from django.utils import timezone

from followups.models import FollowUp, FollowUpReason
from tests.factories import ResponseFactory

from .conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    response = ResponseFactory()
    now = timezone.now()
    return FollowUp.objects.create(
        reason=FollowUpReason.DETRACTOR,
        customer=response.customer,
        response=response,
        score=3,
        opened_at=now - timedelta(days=3),
        due_at=now - timedelta(days=1),
    )


def test_list_and_filters(api, case):
    assert [c["id"] for c in api.get("/api/v1/follow-ups/?status=open").json()["results"]] == [case.id]
    assert [c["id"] for c in api.get("/api/v1/follow-ups/?overdue=true").json()["results"]] == [case.id]
    assert api.get("/api/v1/follow-ups/?overdue=false").json()["results"] == []
    assert api.get("/api/v1/follow-ups/?status=resolved").json()["results"] == []


def test_patch_moves_forward_and_signs_the_notes_with_the_key(api, case, api_key):
    body = api.patch(
        f"/api/v1/follow-ups/{case.id}/", {"status": "contacted", "note": "Called, left a message."}
    ).json()
    assert body["status"] == "contacted"
    assert f"API key '{api_key[0].name}'" in body["notes"] and "Called, left a message." in body["notes"]


def test_resolving_needs_an_outcome(api, case):
    assert_error(api.patch(f"/api/v1/follow-ups/{case.id}/", {"status": "resolved"}), 400, field="outcome")
    body = api.patch(f"/api/v1/follow-ups/{case.id}/", {"status": "resolved", "outcome": "Refunded"}).json()
    assert body["status"] == "resolved" and body["resolved_at"] is not None and body["outcome"] == "Refunded"


def test_a_case_never_moves_backward(api, case):
    api.patch(f"/api/v1/follow-ups/{case.id}/", {"status": "contacted"})
    assert_error(api.patch(f"/api/v1/follow-ups/{case.id}/", {"status": "open"}), 400, field="status")
    assert FollowUp.objects.get(id=case.id).status == "contacted"


def test_an_unknown_status_is_400(api, case):
    assert_error(
        api.patch(f"/api/v1/follow-ups/{case.id}/", {"status": "closed"}), 400, "invalid_choice", "status"
    )


def test_assignee_and_score_cannot_be_written(api, case):
    api.patch(f"/api/v1/follow-ups/{case.id}/", {"note": "x", "score": 10, "assignee": "root"})
    stored = FollowUp.objects.get(id=case.id)
    assert stored.score == 3 and stored.assignee_id is None
