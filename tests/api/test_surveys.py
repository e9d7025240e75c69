"""/surveys/ (read), /surveys/{id}/invitations/ (invite), /responses/ (read, cursor, filters)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import Invitation, Survey
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
)

from .conftest import assert_error

pytestmark = pytest.mark.django_db


def test_survey_detail_lists_questions_in_order(api):
    survey = SurveyFactory()
    QuestionFactory(survey=survey, order=2, type="csat")
    QuestionFactory(survey=survey, order=1)
    body = api.get(f"/api/v1/surveys/{survey.id}/").json()
    assert [q["order"] for q in body["questions"]] == [1, 2] and body["status"] == "live"


def test_surveys_filter_by_status(api):
    SurveyFactory(status=Survey.Status.DRAFT)
    live = SurveyFactory()
    assert [s["id"] for s in api.get("/api/v1/surveys/?status=live").json()["results"]] == [live.id]


def test_invite_queues_one_invitation_and_never_returns_a_token(api):
    survey = SurveyFactory()
    customer = CustomerFactory(external_id="C-1")
    interaction = InteractionFactory(customer=customer)
    response = api.post(
        f"/api/v1/surveys/{survey.id}/invitations/", {"customer": "C-1", "interaction": interaction.id}
    )
    assert response.status_code == 201
    body = response.json()
    invitation = Invitation.objects.get(id=body["id"])
    assert (invitation.customer_id, invitation.interaction_id, body["status"]) == (
        customer.id,
        interaction.id,
        "queued",
    )
    assert not {"token", "token_hash", "token_nonce"} & set(body)
    assert invitation.token_hash not in response.content.decode()


def test_invite_with_send_after_waits(api):
    survey = SurveyFactory()
    CustomerFactory(external_id="C-1")
    later = timezone.now() + timedelta(days=2)
    body = api.post(
        f"/api/v1/surveys/{survey.id}/invitations/", {"customer": "C-1", "send_after": later.isoformat()}
    ).json()
    assert Invitation.objects.get(id=body["id"]).send_enqueued_at is None


def test_invite_to_a_draft_survey_is_refused(api):
    survey = SurveyFactory(status=Survey.Status.DRAFT)
    CustomerFactory(external_id="C-1")
    assert_error(
        api.post(f"/api/v1/surveys/{survey.id}/invitations/", {"customer": "C-1"}), 400, field="survey"
    )
    assert not Invitation.objects.exists()


def test_invite_about_another_customers_interaction_is_refused(api):
    survey = SurveyFactory()
    CustomerFactory(external_id="C-1")
    other = InteractionFactory()
    response = api.post(
        f"/api/v1/surveys/{survey.id}/invitations/", {"customer": "C-1", "interaction": other.id}
    )
    assert_error(response, 400, field="interaction")


def test_invite_to_a_missing_survey_is_404(api):
    assert_error(api.post("/api/v1/surveys/424242/invitations/", {"customer": "C-1"}), 404, "not_found")


def test_responses_list_with_answers_and_filters(api):
    old = ResponseFactory(submitted_at=timezone.now() - timedelta(days=10))
    new = ResponseFactory(invitation=InvitationFactory(customer=CustomerFactory(external_id="C-9")))
    AnswerFactory(response=new, question=QuestionFactory(survey=new.survey), score=9)
    body = api.get("/api/v1/responses/").json()
    assert [r["id"] for r in body["results"]] == [old.id, new.id]
    assert body["results"][1]["answers"][0]["score"] == 9 and body["results"][1]["customer"] == "C-9"
    since = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert [r["id"] for r in api.get("/api/v1/responses/", {"since": since}).json()["results"]] == [new.id]
    assert [r["id"] for r in api.get(f"/api/v1/responses/?survey={old.survey_id}").json()["results"]] == [
        old.id
    ]
    assert [r["id"] for r in api.get("/api/v1/responses/?customer=C-9").json()["results"]] == [new.id]


def test_responses_list_is_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    for _ in range(5):
        response = ResponseFactory()
        AnswerFactory(response=response, question=QuestionFactory(survey=response.survey), score=5)
    api.get("/api/v1/responses/")  # the key's first use writes its last-used time
    with django_assert_max_num_queries(3):  # key, responses with customers and invitations, answers
        api.get("/api/v1/responses/")
