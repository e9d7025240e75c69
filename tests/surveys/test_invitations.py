"""Invitations: created by rules, emailed at most once, suppressed with a reason, reminded once, swept."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from analytics.models import StaleMark
from surveys.models import EmailSuppression, Invitation, SurveyRule
from surveys.services.invitations import (
    SEND_LEASE,
    invitation_create,
    invitation_remind,
    invitation_send,
    invitations_due_reminder,
    invitations_sweep,
)
from surveys.services.rules import survey_rules_apply
from surveys.services.webhook_events import INVITATION_BOUNCED, INVITATION_SUPPRESSED
from surveys.tokens import token_hash
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
)
from touchpoints.models import Interaction, Stage
from touchpoints.services import interaction_log
from webhooks.models import WebhookMessage
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _memory_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SURVEY_COMPANY_NAME = "Acme Retail"
    settings.SITE_URL = "https://cx.example.com"


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses every recipient."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"no such user") for m in messages})


def queued(**kwargs) -> Invitation:
    customer = kwargs.pop("customer", None) or CustomerFactory(locale=kwargs.pop("locale", "en"))
    survey = kwargs.pop("survey", None) or SurveyFactory(name="After your visit")
    return invitation_create(survey=survey, customer=customer, **kwargs)


@pytest.fixture
def subscribed():
    """An endpoint subscribed to the invitation events: ``subscribed(type)``, the payloads published."""
    webhook_endpoint_create(
        url="https://93.184.216.34/hooks", events=[INVITATION_SUPPRESSED, INVITATION_BOUNCED]
    )

    def published(event_type: str) -> list[dict]:
        return [m.payload for m in WebhookMessage.objects.filter(event_type=event_type).order_by("id")]

    return published


def link_token(message) -> str:
    line = next(line for line in message.body.splitlines() if "/s/" in line)
    return line.rsplit("/s/", 1)[1].strip("/")


# --- creating -------------------------------------------------------------------------------------


def test_a_due_invitation_is_enqueued_when_its_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = queued()
    assert invitation.status == Invitation.Status.QUEUED
    assert invitation.send_enqueued_at is not None
    assert len(callbacks) == 1


def test_a_later_invitation_waits_for_the_sweeper(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = queued(send_after=timezone.now() + timedelta(hours=24))
    assert callbacks == []
    assert invitation.send_enqueued_at is None


def test_the_invitation_speaks_the_customers_language_when_the_survey_does(settings):
    settings.SURVEY_INVITATION_EXPIRY_DAYS = 60
    chinese = queued(locale="zh-hans")
    french = queued(locale="fr")
    assert (chinese.language, french.language) == ("zh-hans", "en")
    assert timedelta(days=59, hours=23) < chinese.expires_at - chinese.created_at <= timedelta(days=60)


# --- sending --------------------------------------------------------------------------------------


def test_sending_emails_html_and_text_with_the_links_and_unsubscribe_headers():
    invitation = queued()
    assert invitation_send(invitation_id=invitation.id) == "sent"
    (message,) = mail.outbox
    token = link_token(message)
    assert token_hash(token) == invitation.token_hash
    assert f"https://cx.example.com/s/{token}/" in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<https://cx.example.com/u/{token}/>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f"https://cx.example.com/s/{token}/" in html
    assert "Acme Retail" in message.subject and "Tell us how we did" in message.subject
    invitation.refresh_from_db()
    assert (invitation.status, invitation.sent_at is not None) == (Invitation.Status.SENT, True)


def test_a_chinese_customer_gets_a_chinese_email():
    invitation = queued(locale="zh-hans")
    invitation_send(invitation_id=invitation.id)
    (message,) = mail.outbox
    assert "请评价我们的服务" in message.subject
    assert message.extra_headers["Content-Language"] == "zh-hans"


def test_html_in_a_customer_name_is_escaped_in_the_html_email():
    invitation = queued(customer=CustomerFactory(name="<script>alert(1)</script>"))
    invitation_send(invitation_id=invitation.id)
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_sending_twice_emails_once():
    invitation = queued()
    assert invitation_send(invitation_id=invitation.id) == "sent"
    assert invitation_send(invitation_id=invitation.id) == "skipped"
    assert len(mail.outbox) == 1


def test_an_invitation_not_yet_due_is_not_sent():
    invitation = queued(send_after=timezone.now() + timedelta(hours=1))
    assert invitation_send(invitation_id=invitation.id) == "not_due"
    assert mail.outbox == []


def test_an_expired_invitation_is_not_sent():
    invitation = queued()
    later = invitation.expires_at + timedelta(seconds=1)
    assert invitation_send(invitation_id=invitation.id, now=later) == "expired"
    assert Invitation.objects.get(id=invitation.id).status == Invitation.Status.EXPIRED


SUPPRESSIONS = [
    (lambda c, s: setattr(c, "email_opt_out", True), "customer opted out of email"),
    (lambda c, s: setattr(c, "email", ""), "customer has no email address"),
    (
        lambda c, s: EmailSuppression.objects.create(email=c.email.upper().lower(), reason="bounced"),
        "address suppressed: bounced",
    ),
    (lambda c, s: setattr(s, "status", "closed"), "survey is closed"),
]


@pytest.mark.parametrize(("setup", "reason"), SUPPRESSIONS)
def test_an_invitation_suppressed_between_creation_and_sending_is_never_emailed_and_says_why(
    setup, reason, subscribed
):
    customer, survey = CustomerFactory(), SurveyFactory()
    invitation = queued(customer=customer, survey=survey)
    assert invitation.status == Invitation.Status.QUEUED
    setup(customer, survey)
    customer.save()
    survey.save()
    assert invitation_send(invitation_id=invitation.id) == "suppressed"
    invitation.refresh_from_db()
    assert (invitation.status, invitation.suppression_reason) == (Invitation.Status.SUPPRESSED, reason)
    assert invitation.suppressed_at is not None
    assert mail.outbox == []
    [payload] = subscribed(INVITATION_SUPPRESSED)
    assert (payload["id"], payload["reason"], payload["customer_external_id"]) == (
        invitation.id,
        reason,
        customer.external_id,
    )


@pytest.mark.parametrize(("setup", "reason"), SUPPRESSIONS[:3])
def test_an_invitation_already_suppressed_is_created_suppressed_and_never_enqueued(setup, reason, subscribed):
    customer, survey = CustomerFactory(), SurveyFactory()
    setup(customer, survey)
    customer.save()
    invitation = queued(customer=customer, survey=survey)
    assert (invitation.status, invitation.suppression_reason) == (Invitation.Status.SUPPRESSED, reason)
    stored = Invitation.objects.get(id=invitation.id)
    assert (stored.status, stored.send_enqueued_at) == (Invitation.Status.SUPPRESSED, None)
    assert stored.suppressed_at is not None
    [payload] = subscribed(INVITATION_SUPPRESSED)
    assert (payload["id"], payload["survey_id"], payload["reason"]) == (invitation.id, survey.id, reason)
    assert invitation_send(invitation_id=invitation.id) == "skipped"
    assert mail.outbox == []


def test_a_suppression_published_at_creation_rolls_back_with_it(subscribed):
    customer = CustomerFactory(email_opt_out=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert queued(customer=customer).status == Invitation.Status.SUPPRESSED
        assert subscribed(INVITATION_SUPPRESSED)
        raise RuntimeError("the caller's transaction fails")
    assert not Invitation.objects.exists()
    assert subscribed(INVITATION_SUPPRESSED) == []


def test_a_second_invitation_inside_the_frequency_cap_is_suppressed(settings):
    settings.SURVEY_FREQUENCY_CAP_DAYS = 30
    customer = CustomerFactory()
    first, second = queued(customer=customer), queued(customer=customer, survey=SurveyFactory())
    assert invitation_send(invitation_id=first.id) == "sent"
    assert invitation_send(invitation_id=second.id) == "suppressed"
    second.refresh_from_db()
    assert second.suppression_reason.startswith("frequency cap: already invited on")
    assert len(mail.outbox) == 1


def test_an_invitation_inside_the_frequency_cap_is_created_suppressed(settings, subscribed):
    settings.SURVEY_FREQUENCY_CAP_DAYS = 30
    customer = CustomerFactory()
    InvitationFactory(customer=customer, status="sent", sent_at=timezone.now() - timedelta(days=5))
    invitation = queued(customer=customer)
    assert invitation.status == Invitation.Status.SUPPRESSED
    assert invitation.suppression_reason.startswith("frequency cap: already invited on")
    assert [p["id"] for p in subscribed(INVITATION_SUPPRESSED)] == [invitation.id]


def test_the_cap_at_creation_is_judged_at_send_after(settings):
    settings.SURVEY_FREQUENCY_CAP_DAYS = 30
    customer = CustomerFactory()
    InvitationFactory(customer=customer, status="sent", sent_at=timezone.now() - timedelta(days=29))
    after_the_window = queued(customer=customer, send_after=timezone.now() + timedelta(days=2))
    inside_it = queued(customer=customer, send_after=timezone.now() + timedelta(hours=12))
    assert (after_the_window.status, inside_it.status) == (
        Invitation.Status.QUEUED,
        Invitation.Status.SUPPRESSED,
    )


def test_after_the_cap_window_the_customer_is_invited_again(settings):
    settings.SURVEY_FREQUENCY_CAP_DAYS = 30
    customer = CustomerFactory()
    InvitationFactory(customer=customer, status="sent", sent_at=timezone.now() - timedelta(days=31))
    assert invitation_send(invitation_id=queued(customer=customer).id) == "sent"


def test_a_cap_of_zero_turns_the_cap_off(settings):
    settings.SURVEY_FREQUENCY_CAP_DAYS = 0
    customer = CustomerFactory()
    for _ in range(2):
        assert invitation_send(invitation_id=queued(customer=customer).id) == "sent"


def test_a_refused_recipient_bounces_and_the_address_is_never_emailed_again(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    customer = CustomerFactory()
    invitation = queued(customer=customer)
    assert invitation_send(invitation_id=invitation.id) == "bounced"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.BOUNCED and invitation.bounced_at is not None
    assert EmailSuppression.objects.filter(email=customer.email.lower()).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SURVEY_FREQUENCY_CAP_DAYS = 0
    again = queued(customer=customer)
    assert (again.status, again.suppression_reason) == (
        Invitation.Status.SUPPRESSED,
        "address suppressed: bounced",
    )


def test_a_refused_recipient_at_sending_publishes_invitation_bounced(settings, subscribed):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    invitation = queued()
    assert invitation_send(invitation_id=invitation.id) == "bounced"
    [payload] = subscribed(INVITATION_BOUNCED)
    assert (payload["id"], payload["email"]) == (invitation.id, invitation.customer.email)
    assert payload["reason"].startswith("refused by the mail server")


def test_a_failing_mail_server_leaves_the_invitation_queued(monkeypatch):
    invitation = queued()

    def down(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", down)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        invitation_send(invitation_id=invitation.id)
    assert Invitation.objects.get(id=invitation.id).status == Invitation.Status.QUEUED


# --- the sweeper ----------------------------------------------------------------------------------


def test_the_sweeper_enqueues_due_invitations_never_enqueued_or_lost(django_capture_on_commit_callbacks):
    now = timezone.now()
    never = InvitationFactory(send_after=now - timedelta(minutes=5))
    lost = InvitationFactory(send_after=now - timedelta(hours=1), send_enqueued_at=now - SEND_LEASE * 2)
    in_flight = InvitationFactory(
        send_after=now - timedelta(hours=1), send_enqueued_at=now - timedelta(minutes=1)
    )
    later = InvitationFactory(send_after=now + timedelta(hours=1))
    with django_capture_on_commit_callbacks() as callbacks:
        assert invitations_sweep(now=now) == 2
    assert len(callbacks) == 2
    enqueued = set(Invitation.objects.filter(send_enqueued_at=now).values_list("id", flat=True))
    assert enqueued == {never.id, lost.id}
    assert in_flight.id not in enqueued and later.id not in enqueued


def test_the_sweeper_sends_through_the_task_in_eager_mode(django_capture_on_commit_callbacks):
    InvitationFactory(send_after=timezone.now() - timedelta(minutes=1), customer=CustomerFactory())
    with django_capture_on_commit_callbacks(execute=True):
        invitations_sweep()
    assert len(mail.outbox) == 1


def test_the_sweeper_expires_queued_invitations_past_their_expiry():
    invitation = InvitationFactory(send_after=timezone.now() - timedelta(days=1))
    invitations_sweep(now=invitation.expires_at + timedelta(minutes=1))
    assert Invitation.objects.get(id=invitation.id).status == Invitation.Status.EXPIRED


# --- reminders ------------------------------------------------------------------------------------


def sent_days_ago(days: float, **kwargs) -> Invitation:
    then = timezone.now() - timedelta(days=days)
    invitation = queued(now=then, **kwargs)
    assert invitation_send(invitation_id=invitation.id, now=then) == "sent"
    mail.outbox.clear()
    return Invitation.objects.get(id=invitation.id)


def test_one_reminder_goes_to_a_non_responder_after_three_days(settings):
    settings.SURVEY_REMINDER_AFTER_DAYS = 3
    due, early = sent_days_ago(3.5), sent_days_ago(1)
    assert invitations_due_reminder() == [due.id]
    assert early.id not in invitations_due_reminder()
    assert invitation_remind(invitation_id=due.id) == "reminded"
    assert invitation_remind(invitation_id=due.id) == "skipped"
    (message,) = mail.outbox
    assert message.subject.startswith("Reminder")
    assert link_token(message) and token_hash(link_token(message)) == due.token_hash
    assert invitations_due_reminder() == []


def test_no_reminder_after_a_response():
    invitation = sent_days_ago(4)
    ResponseFactory(invitation=invitation)
    assert invitation_remind(invitation_id=invitation.id) == "skipped"
    assert mail.outbox == []


def test_no_reminder_to_a_customer_who_opted_out_meanwhile():
    invitation = sent_days_ago(4)
    invitation.customer.email_opt_out = True
    invitation.customer.save()
    assert invitation_remind(invitation_id=invitation.id) == "suppressed"
    assert mail.outbox == []


# --- survey rules ---------------------------------------------------------------------------------


@pytest.fixture
def delivery():
    return TouchpointFactory(name="Delivery", stage=Stage.POST_SALE)


def test_an_interaction_at_a_rules_touchpoint_invites_after_the_delay(delivery):
    rule = SurveyRule.objects.create(survey=SurveyFactory(), touchpoint=delivery, delay_hours=24)
    interaction = InteractionFactory(touchpoint=delivery, occurred_at=timezone.now() - timedelta(hours=1))
    (invitation,) = survey_rules_apply(interactions=[interaction])
    assert (invitation.rule, invitation.interaction, invitation.customer) == (
        rule,
        interaction,
        interaction.customer,
    )
    assert invitation.send_after == interaction.occurred_at + timedelta(hours=24)


def test_a_stage_rule_matches_every_touchpoint_of_the_stage(delivery):
    SurveyRule.objects.create(survey=SurveyFactory(), stage=Stage.POST_SALE, delay_hours=0)
    other_stage = TouchpointFactory(stage=Stage.PRE_SALE)
    hits = survey_rules_apply(interactions=[InteractionFactory(touchpoint=delivery)])
    misses = survey_rules_apply(interactions=[InteractionFactory(touchpoint=other_stage)])
    assert (len(hits), misses) == (1, [])


def test_applying_the_rules_twice_invites_once(delivery):
    SurveyRule.objects.create(survey=SurveyFactory(), touchpoint=delivery)
    interaction = InteractionFactory(touchpoint=delivery)
    survey_rules_apply(interactions=[interaction])
    assert survey_rules_apply(interactions=[interaction]) == []
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    "rule_kwargs", [{"active": False}, {"survey__status": "draft"}, {"survey__status": "closed"}]
)
def test_inactive_rules_and_surveys_not_live_invite_nobody(delivery, rule_kwargs):
    status = rule_kwargs.pop("survey__status", "live")
    SurveyRule.objects.create(survey=SurveyFactory(status=status), touchpoint=delivery, **rule_kwargs)
    assert survey_rules_apply(interactions=[InteractionFactory(touchpoint=delivery)]) == []


def test_an_old_interaction_invites_nobody(delivery):
    SurveyRule.objects.create(survey=SurveyFactory(), touchpoint=delivery)
    old = InteractionFactory(touchpoint=delivery, occurred_at=timezone.now() - timedelta(days=30))
    assert survey_rules_apply(interactions=[old]) == []


def test_a_rule_names_a_touchpoint_or_a_stage_never_both(delivery):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyRule.objects.create(survey=SurveyFactory(), touchpoint=delivery, stage=Stage.POST_SALE)
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyRule.objects.create(survey=SurveyFactory())


# --- logging an interaction -----------------------------------------------------------------------


def test_logging_an_interaction_applies_the_rules_and_marks_the_metrics(delivery):
    SurveyRule.objects.create(survey=SurveyFactory(), touchpoint=delivery, delay_hours=0)
    interaction = interaction_log(customer=CustomerFactory(), touchpoint=delivery, experience_score=3)
    assert interaction.channel == delivery.channel
    assert Invitation.objects.get().interaction == interaction
    assert StaleMark.objects.filter(kind="interaction_row", row_id=interaction.id).exists()


def test_a_rule_inviting_a_customer_who_opted_out_records_the_suppression(delivery):
    SurveyRule.objects.create(survey=SurveyFactory(), touchpoint=delivery, delay_hours=0)
    customer = CustomerFactory(email_opt_out=True)
    interaction_log(customer=customer, touchpoint=delivery)
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.suppression_reason, invitation.send_enqueued_at) == (
        Invitation.Status.SUPPRESSED,
        "customer opted out of email",
        None,
    )
    assert mail.outbox == []


def test_a_bad_interaction_is_refused_and_leaves_nothing(delivery):
    SurveyRule.objects.create(survey=SurveyFactory(), touchpoint=delivery, delay_hours=0)
    with pytest.raises(ValidationError) as refused:
        interaction_log(customer=CustomerFactory(), touchpoint=delivery, experience_score=11)
    assert "experience_score" in refused.value.message_dict, refused.value
    assert not Interaction.objects.exists() and not Invitation.objects.exists()
    assert not StaleMark.objects.exists()
