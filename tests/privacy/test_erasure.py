"""Erasure: nothing that identifies the customer is left anywhere, every figure stays the same,
it can be repeated, and it is audited."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from analytics.models import StaleMark
from analytics.services import metrics_rebuild
from audit.models import AuditEvent
from followups.models import FollowUp
from privacy.services import customer_erase, customer_export, customer_is_erased
from privacy.services.placeholders import anonymous_customers
from surveys.models import Answer, EmailSuppression, Invitation
from surveys.services.invitations import invitation_send
from surveys.suppressions import suppression_hash
from surveys.tokens import token_for, token_hash
from tests.factories import CustomerFactory, InvitationFactory
from touchpoints.models import Customer, Interaction
from webhooks.models import WebhookMessage

from .world import EMAIL, SECRETS, build_world, figures, rollup_tables, rows_containing

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    metrics_rebuild()
    return world


def test_nothing_personal_is_left_in_any_row_of_the_database(world):
    assert rows_containing(SECRETS)  # the search finds them before

    customer_erase(world.customer)

    assert rows_containing(SECRETS) == []


def test_the_export_after_erasure_holds_nothing_personal_and_no_free_text(world):
    customer_erase(world.customer)

    document = customer_export(world.customer)

    text = str(document).lower()
    assert not [secret for secret in SECRETS if secret.lower() in text]
    profile = document["customer"]
    assert (profile["name"], profile["email"], profile["phone"], profile["attributes"]) == (
        "Erased customer",
        "",
        "",
        {},
    )
    assert all(answer["text"] == "" for response in document["responses"] for answer in response["answers"])
    assert all(i["notes"] == "" and i["external_id"] is None for i in document["interactions"])
    assert all(case["notes"] == "" and case["outcome"] == "" for case in document["follow_ups"])
    assert document["email_suppressions"] == [] and document["webhook_messages"] == []


def test_scores_times_and_slices_stay_so_every_figure_and_rollup_is_unchanged(world):
    before_figures, before_tables = figures(now=world.now), rollup_tables()

    customer_erase(world.customer)

    assert not StaleMark.objects.exists()  # nothing to recompute
    assert (figures(now=world.now), rollup_tables()) == (before_figures, before_tables)
    metrics_rebuild()
    assert (figures(now=world.now), rollup_tables()) == (before_figures, before_tables)
    kept = Answer.objects.filter(response__customer=world.customer, score__isnull=False).count()
    assert kept == 9  # NPS, CSAT and the pair's experience of three responses


def test_survey_links_stop_working_and_queued_invitations_are_never_sent(world, client):
    sent = InvitationFactory(survey=world.survey, customer=world.customer, status="sent", sent_at=world.now)
    links = {i.id: i.token_hash for i in Invitation.objects.filter(customer=world.customer)}
    emailed = reverse("survey-answer", args=[token_for(sent.token_nonce)])
    assert client.get(emailed).status_code == 200

    customer_erase(world.customer)

    assert client.get(emailed).status_code == 404

    for invitation in Invitation.objects.filter(customer=world.customer):
        assert invitation.token_hash != links[invitation.id]
        assert token_hash(token_for(invitation.token_nonce)) != invitation.token_hash
        assert invitation.suppression_reason in ("", "customer erased")
    world.queued.refresh_from_db()
    assert world.queued.status == Invitation.Status.SUPPRESSED
    assert invitation_send(invitation_id=world.queued.id) == "skipped"


def test_the_suppressed_address_is_kept_only_hashed_and_is_still_never_emailed(world):
    customer_erase(world.customer)

    assert not EmailSuppression.objects.filter(email__iexact=EMAIL).exists()
    assert EmailSuppression.objects.filter(email=suppression_hash(EMAIL)).exists()
    again = CustomerFactory(email=EMAIL.upper())
    invitation = InvitationFactory(survey=world.survey, customer=again)
    assert invitation_send(invitation_id=invitation.id) == "suppressed"
    invitation.refresh_from_db()
    assert invitation.suppression_reason == "address suppressed: bounced"


def test_webhook_copies_of_the_customer_go_and_the_bystanders_stay(world):
    assert WebhookMessage.objects.count() == 3

    customer_erase(world.customer)

    (left,) = WebhookMessage.objects.all()
    assert left.payload["customer_external_id"] == world.bystander.external_id


def test_erasing_twice_changes_nothing_more_and_is_audited_each_time(world, manager):
    def state():
        profile = Customer.objects.values().get(pk=world.customer.pk)
        del profile["updated_at"]
        return rollup_tables(), profile, rows_containing(SECRETS)

    first = customer_erase(world.customer, actor=manager)
    after_first = state()

    second = customer_erase(world.customer, actor=manager)

    assert not first.already_erased and second.already_erased
    assert (second.answers, second.interactions, second.follow_ups, second.webhook_messages) == (0, 0, 0, 0)
    assert state() == after_first
    events = list(AuditEvent.objects.filter(action="erasure").order_by("id"))
    assert [(e.actor, e.target) for e in events] == [(manager, f"customer:{world.customer.pk}")] * 2
    assert events[0].details["answers"] == 3 and events[0].details["already_erased"] is False
    assert not [secret for secret in SECRETS if secret.lower() in str(events[0].details).lower()]


def test_the_bystander_keeps_everything(world):
    bystander = Customer.objects.get(pk=world.bystander.pk)
    notes = list(Answer.objects.filter(response__customer=bystander).values_list("text", flat=True))

    customer_erase(world.customer)

    assert Customer.objects.get(pk=bystander.pk).name == bystander.name
    assert list(Answer.objects.filter(response__customer=bystander).values_list("text", flat=True)) == notes


def test_the_erased_customer_row_keeps_only_what_figures_slice_by(world):
    customer_erase(world.customer)

    customer = Customer.objects.get(pk=world.customer.pk)
    assert customer_is_erased(customer)
    assert (customer.external_id, customer.segment, customer.value_tier) == (
        f"erased-{customer.pk}",
        "consumer",
        "gold",
    )
    assert customer.email_opt_out and customer.attributes == {}
    assert not Interaction.objects.filter(customer=customer).exclude(notes="").exists()
    assert not FollowUp.objects.filter(customer=customer).exclude(notes="").exists()


def test_an_anonymous_respondents_placeholder_cannot_be_erased(db):
    placeholder_id = anonymous_customers(slices={("consumer", "gold")})[("consumer", "gold")]

    with pytest.raises(ValidationError, match="many people"):
        customer_erase(Customer.objects.get(pk=placeholder_id))

    assert not AuditEvent.objects.filter(action="erasure").exists()
