"""POST /surveys/{id}/invitations/ answers what is known (queued, or suppressed and why);
GET /invitations/ and /invitations/{id}/ read what became of each (scope invitations:read)."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from api.keys import api_key_create
from api.models import ApiKey
from surveys.models import EmailSuppression, Invitation
from surveys.services.webhook_events import INVITATION_SUPPRESSED
from tests.factories import CustomerFactory, InteractionFactory, InvitationFactory, SurveyFactory
from webhooks.models import WebhookMessage
from webhooks.services import webhook_endpoint_create

from .conftest import assert_error

pytestmark = pytest.mark.django_db

LIST = "/api/v1/invitations/"


def invite(api, survey, customer: str, **body):
    return api.post(f"/api/v1/surveys/{survey.id}/invitations/", {"customer": customer, **body})


# --- POST: the answer says what is known ----------------------------------------------------------


def test_inviting_a_customer_who_opted_out_answers_suppressed_with_the_reason(
    api, django_capture_on_commit_callbacks
):
    survey = SurveyFactory()
    CustomerFactory(external_id="C-1", email_opt_out=True)
    with django_capture_on_commit_callbacks() as callbacks:
        response = invite(api, survey, "C-1")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["suppression_reason"]) == ("suppressed", "customer opted out of email")
    assert body["suppressed_at"] is not None and body["sent_at"] is None
    assert Invitation.objects.get(id=body["id"]).status == Invitation.Status.SUPPRESSED
    assert callbacks == []  # no send enqueued


def test_inviting_within_the_frequency_cap_answers_suppressed(api, settings):
    settings.SURVEY_FREQUENCY_CAP_DAYS = 30
    survey = SurveyFactory()
    customer = CustomerFactory(external_id="C-1")
    InvitationFactory(customer=customer, status="sent", sent_at=timezone.now() - timedelta(days=3))
    body = invite(api, survey, "C-1").json()
    assert body["status"] == "suppressed"
    assert body["suppression_reason"].startswith("frequency cap: already invited on")


def test_inviting_a_suppressed_address_answers_suppressed(api):
    survey = SurveyFactory()
    customer = CustomerFactory(external_id="C-1")
    EmailSuppression.objects.create(email=customer.email.lower(), reason="complaint")
    body = invite(api, survey, "C-1").json()
    assert (body["status"], body["suppression_reason"]) == ("suppressed", "address suppressed: complaint")


def test_a_suppressed_invitation_publishes_invitation_suppressed(api):
    webhook_endpoint_create(url="https://93.184.216.34/hooks", events=[INVITATION_SUPPRESSED])
    survey = SurveyFactory()
    CustomerFactory(external_id="C-1", email_opt_out=True)
    body = invite(api, survey, "C-1").json()
    [message] = WebhookMessage.objects.filter(event_type=INVITATION_SUPPRESSED)
    assert message.payload == {
        "id": body["id"],
        "survey_id": survey.id,
        "customer_external_id": "C-1",
        "interaction_id": None,
        "suppressed_at": message.payload["suppressed_at"],
        "reason": "customer opted out of email",
    }
    # The outbox writes milliseconds.
    published = parse_datetime(message.payload["suppressed_at"])
    assert abs(published - parse_datetime(body["suppressed_at"])) < timedelta(milliseconds=1)


def test_inviting_a_customer_who_may_be_emailed_answers_queued(api):
    survey = SurveyFactory()
    CustomerFactory(external_id="C-1")
    body = invite(api, survey, "C-1").json()
    assert (body["status"], body["suppression_reason"], body["suppressed_at"]) == ("queued", "", None)


def test_inviting_an_unknown_customer_reads_as_it_does_in_the_interaction_calls(api):
    survey = SurveyFactory()
    errors = assert_error(invite(api, survey, "nope"), 400, "does_not_exist", "customer")
    interaction_errors = assert_error(
        api.post("/api/v1/interactions/", {"customer": "nope", "touchpoint": "x"}), 400, field="customer"
    )
    wording = {e["message"] for e in errors if e["field"] == "customer"}
    assert wording == {"No customer with external_id 'nope'."}
    assert wording == {e["message"] for e in interaction_errors if e["field"] == "customer"}


# --- GET /invitations/ ------------------------------------------------------------------------------


def test_an_invitation_reads_with_its_status_times_and_interaction_and_never_its_token(api):
    interaction = InteractionFactory(customer=CustomerFactory(external_id="C-1"))
    now = timezone.now()
    invitation = InvitationFactory(
        customer=interaction.customer,
        interaction=interaction,
        status=Invitation.Status.RESPONDED,
        sent_at=now - timedelta(hours=3),
        opened_at=now - timedelta(hours=2),
        responded_at=now - timedelta(hours=1),
    )
    response = api.get(f"{LIST}{invitation.id}/")
    assert response.status_code == 200
    body = response.json()
    assert {
        key: body[key]
        for key in ("id", "survey", "customer", "interaction", "touchpoint", "channel", "status")
    } == {
        "id": invitation.id,
        "survey": invitation.survey_id,
        "customer": "C-1",
        "interaction": interaction.id,
        "touchpoint": interaction.touchpoint.code,
        "channel": interaction.channel,
        "status": "responded",
    }
    assert all(body[key] for key in ("created_at", "sent_at", "opened_at", "responded_at"))
    assert not {"token", "token_hash", "token_nonce"} & set(body)
    assert invitation.token_hash not in response.content.decode()
    assert invitation.token_nonce not in response.content.decode()


def test_an_invitation_whose_interaction_link_was_cut_keeps_its_touchpoint_and_channel(api):
    kept = InteractionFactory()
    invitation = InvitationFactory(interaction_touchpoint=kept.touchpoint, interaction_channel="phone")
    body = api.get(f"{LIST}{invitation.id}/").json()
    assert (body["interaction"], body["touchpoint"], body["channel"]) == (None, kept.touchpoint.code, "phone")


def test_an_invitation_without_interaction_has_no_touchpoint_or_channel(api):
    body = api.get(f"{LIST}{InvitationFactory().id}/").json()
    assert (body["interaction"], body["touchpoint"], body["channel"]) == (None, None, None)


def test_an_unknown_invitation_is_404(api):
    [error] = assert_error(api.get(f"{LIST}999999/"), 404, code="not_found")
    assert "invitation" in error["message"].lower()


def test_the_list_is_oldest_first_and_cursor_paginated(api):
    ids = [InvitationFactory().id for _ in range(5)]
    first = api.get(f"{LIST}?page_size=3").json()
    assert [row["id"] for row in first["results"]] == ids[:3]
    second = api.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == ids[3:] and second["next"] is None


def test_the_list_is_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    for _ in range(8):
        InvitationFactory(interaction=InteractionFactory())
    kept = InteractionFactory()
    InvitationFactory(interaction_touchpoint=kept.touchpoint, interaction_channel="web")
    api.get(LIST)  # the key's first use is recorded once
    with django_assert_max_num_queries(2):  # key, invitations joined with customers and interactions
        body = api.get(LIST).json()
    assert len(body["results"]) == 9 and all(row["touchpoint"] for row in body["results"])


def test_the_list_filters_by_survey_customer_status_and_creation_time(api):
    survey = SurveyFactory()
    customer = CustomerFactory(external_id="C-1")
    suppressed = InvitationFactory(survey=survey, customer=customer, status=Invitation.Status.SUPPRESSED)
    sent = InvitationFactory(survey=survey, status=Invitation.Status.SENT)
    other = InvitationFactory(customer=customer)
    old = InvitationFactory()
    Invitation.objects.filter(id=old.id).update(created_at=timezone.now() - timedelta(days=10))

    def ids(query: str) -> list[int]:
        response = api.get(f"{LIST}?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(f"survey={survey.id}") == [suppressed.id, sent.id]
    assert ids("customer=C-1") == [suppressed.id, other.id]
    assert ids(f"survey={survey.id}&status=suppressed") == [suppressed.id]
    week_ago = (timezone.now() - timedelta(days=7)).isoformat().replace("+00:00", "Z")
    assert ids(f"created_since={week_ago}") == [suppressed.id, sent.id, other.id]
    assert ids(f"created_until={week_ago}") == [old.id]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("survey=abc", "survey"),
        ("survey=0", "survey"),
        ("status=lost", "status"),
        ("created_since=yesterday", "created_since"),
        ("created_until=2025-13-01", "created_until"),
        ("created_since=", "created_since"),
        ("status=", "status"),
        ("created_since=2025-03-02T00:00:00Z&created_until=2025-03-01T00:00:00Z", "created_until"),
    ],
)
def test_a_bad_filter_answers_400_naming_it(api, query, field):
    assert_error(api.get(f"{LIST}?{query}"), 400, field=field)


# --- scopes -------------------------------------------------------------------------------------------


def test_reading_invitations_needs_invitations_read(scoped):
    invitation = InvitationFactory()
    for client in (scoped("surveys:read", "responses:read"), scoped("invitations:write")):
        assert_error(client.get(LIST), 403, code="missing_scope")
        assert_error(client.get(f"{LIST}{invitation.id}/"), 403, code="missing_scope")
    reader = scoped("invitations:read")
    assert reader.get(LIST).status_code == 200
    assert reader.get(f"{LIST}{invitation.id}/").status_code == 200


def test_invitations_are_only_read_through_the_api(api):
    invitation = InvitationFactory()
    for response in (
        api.post(LIST, {"customer": invitation.customer.external_id, "survey": invitation.survey_id}),
        api.patch(f"{LIST}{invitation.id}/", {"status": "sent"}),
        api.delete(f"{LIST}{invitation.id}/"),
    ):
        assert response.status_code in (403, 405), response.content
    assert list(Invitation.objects.values_list("id", "status")) == [(invitation.id, "queued")]


def test_existing_keys_that_invite_are_granted_invitations_read_and_others_are_not():
    migration = importlib.import_module("api.migrations.0002_invitations_read_scope")
    inviter, _ = api_key_create(name="CRM", scopes=["customers:write", "invitations:write"])
    reader, _ = api_key_create(name="BI", scopes=["responses:read"])
    ApiKey.objects.filter(id=inviter.id).update(scopes=["customers:write", "invitations:write"])
    migration.grant(django_apps, None)
    migration.grant(django_apps, None)  # twice: granted once
    inviter.refresh_from_db()
    reader.refresh_from_db()
    assert inviter.scopes == ["customers:write", "invitations:write", "invitations:read"]
    assert reader.scopes == ["responses:read"]
    migration.revoke(django_apps, None)
    inviter.refresh_from_db()
    assert inviter.scopes == ["customers:write", "invitations:write"]


# --- the schema ---------------------------------------------------------------------------------------


def test_the_schema_describes_the_suppressed_answer_and_the_invitation_reads(client):
    openapi = client.get("/api/schema/?format=json").json()
    post = openapi["paths"]["/api/v1/surveys/{id}/invitations/"]["post"]
    examples = post["responses"]["201"]["content"]["application/json"]["examples"]
    assert {example["value"]["status"] for example in examples.values()} == {"queued", "suppressed"}
    invitation = openapi["components"]["schemas"]["Invitation"]["properties"]
    assert {"suppression_reason", "suppressed_at", "sent_at", "opened_at", "responded_at"} <= set(invitation)
    assert "token" not in invitation
    listing = openapi["paths"]["/api/v1/invitations/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "survey",
        "customer",
        "status",
        "created_since",
        "created_until",
        "cursor",
    }
    assert "`invitations:read`" in listing["description"]
    assert "/api/v1/invitations/{id}/" in openapi["paths"]
