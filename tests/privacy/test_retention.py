"""The response retention policy: off by default, anonymise keeps every figure, delete recomputes
them from the responses that remain; batches, budgets and the cutoff's edge."""

import io
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from analytics.models import StaleMark
from analytics.selectors import MetricFilters, response_summary
from analytics.services import metrics_rebuild, metrics_refresh_stale
from audit.models import AuditEvent
from followups.models import FollowUp
from privacy import tasks
from privacy.services import ANONYMOUS_NAME, customer_export, responses_retention_apply
from privacy.services import retention as retention_module
from surveys.models import Answer, Invitation, Question, Response
from surveys.tokens import token_for, token_hash
from tests.factories import AnswerFactory, InvitationFactory, ResponseFactory
from touchpoints.models import Customer
from webhooks.models import WebhookMessage

from .world import COMMENT, build_world, figures, rollup_tables, rows_containing, webhook_messages_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    metrics_rebuild()
    return world


@pytest.fixture
def keep_25_days(settings):
    """Responses of 40 (the customer) and 30 days ago (the bystander) are past it; 20 and 3 are not."""
    settings.RESPONSE_RETENTION_DAYS = 25
    return settings


def texts(response: Response) -> list[str]:
    return sorted(Answer.objects.filter(response=response).values_list("text", flat=True))


def test_retention_is_off_by_default_and_then_changes_nothing(world):
    assert django_settings.RESPONSE_RETENTION_DAYS == 0
    before = (rollup_tables(), list(Answer.objects.values_list("text", flat=True).order_by("id")))

    report = responses_retention_apply(now=world.now)

    assert (report.cutoff, report.due, report.responses) == (None, 0, 0)
    assert (rollup_tables(), list(Answer.objects.values_list("text", flat=True).order_by("id"))) == before
    assert Response.objects.filter(customer=world.customer).count() == 3
    assert not AuditEvent.objects.filter(action="retention").exists()


def test_anonymise_strips_text_and_the_customer_but_keeps_every_figure(world, keep_25_days):
    before_figures, before_tables = figures(now=world.now), rollup_tables()

    report = responses_retention_apply(now=world.now)

    assert (report.mode, report.due, report.responses, report.complete) == ("anonymise", 2, 2, True)
    assert not StaleMark.objects.exists()
    assert (figures(now=world.now), rollup_tables()) == (before_figures, before_tables)
    metrics_rebuild()
    assert (figures(now=world.now), rollup_tables()) == (before_figures, before_tables)


def test_an_anonymised_response_leads_to_no_one(world, keep_25_days):
    old, recent = world.responses[40], world.responses[20]
    interaction = old.invitation.interaction

    responses_retention_apply(now=world.now)

    old.refresh_from_db()
    invitation = Invitation.objects.get(pk=old.invitation_id)
    placeholder = Customer.objects.get(pk=old.customer_id)
    assert (placeholder.name, placeholder.email, placeholder.segment, placeholder.value_tier) == (
        ANONYMOUS_NAME,
        "",
        "consumer",
        "gold",
    )
    assert texts(old) == ["", "", "", ""]
    assert invitation.customer_id == placeholder.pk and invitation.interaction_id is None
    assert (invitation.interaction_touchpoint_id, invitation.interaction_channel) == (
        interaction.touchpoint_id,
        interaction.channel,
    )
    assert token_hash(token_for(invitation.token_nonce)) != invitation.token_hash
    case = FollowUp.objects.get(response=old)
    assert (case.customer_id, case.notes, case.outcome) == (placeholder.pk, "", "")
    # The customer keeps what is younger than the cutoff; the export no longer holds the old answer.
    assert Response.objects.get(pk=recent.pk).customer_id == world.customer.pk
    assert "Quick and friendly" in texts(recent)
    exported = customer_export(world.customer)
    assert [r["id"] for r in exported["responses"]] == [recent.pk, world.responses[3].pk]


def test_old_webhook_copies_go_with_the_text_and_pending_ones_stay(world, keep_25_days):
    webhook_messages_at(world, days_ago=26)
    pending = WebhookMessage.objects.filter(event_type="invitation.bounced").get()
    WebhookMessage.objects.filter(pk=pending.pk).update(status="pending", next_attempt_at=world.now)

    report = responses_retention_apply(now=world.now)

    assert report.webhook_messages == 2
    assert list(WebhookMessage.objects.values_list("pk", flat=True)) == [pending.pk]
    assert rows_containing([COMMENT]) == []


def test_delete_removes_old_responses_and_the_refreshed_rollups_are_those_of_the_rest(world, keep_25_days):
    keep_25_days.RESPONSE_RETENTION_MODE = "delete"
    old = world.responses[40]
    before = response_summary(filters=MetricFilters())

    report = responses_retention_apply(now=world.now)
    metrics_refresh_stale()

    assert (report.mode, report.responses) == ("delete", 2)
    assert not Response.objects.filter(pk__in=[old.pk, world.bystander_response.pk]).exists()
    assert not FollowUp.objects.filter(response_id=old.pk).exists()
    refreshed_figures, refreshed_tables = figures(now=world.now), rollup_tables()
    metrics_rebuild()  # from scratch, from the rows that remain
    assert (refreshed_figures, refreshed_tables) == (figures(now=world.now), rollup_tables())
    after = response_summary(filters=MetricFilters())
    remaining_nps = Answer.objects.filter(question_type=Question.Type.NPS)
    assert (before.responses, after.responses) == (4, 2)
    assert after.nps.n == remaining_nps.count() == 2
    assert after.nps.detractors == remaining_nps.filter(score__lte=6).count() == 1
    # The invitations stay (they were sent), no longer tied to anyone.
    invitation = Invitation.objects.get(pk=old.invitation_id)
    assert invitation.customer.name == ANONYMOUS_NAME and invitation.interaction_id is None


def test_batches_cover_every_due_response_and_one_at_the_cutoff_is_kept(world, keep_25_days):
    survey, nps = world.survey, world.survey.questions.get(type=Question.Type.NPS)
    cutoff = world.now - timedelta(days=25)
    for moment in (cutoff - timedelta(seconds=1), cutoff):
        response = ResponseFactory(invitation=InvitationFactory(survey=survey), submitted_at=moment)
        AnswerFactory(response=response, question=nps, score=8)
    at_cutoff = Response.objects.get(submitted_at=cutoff)

    report = responses_retention_apply(now=world.now, batch_size=2)

    assert (report.due, report.responses, report.batches) == (3, 3, 2)
    assert Response.objects.get(pk=at_cutoff.pk).customer.name != ANONYMOUS_NAME


def test_a_run_out_of_budget_stops_between_batches_and_the_next_run_carries_on(
    world, keep_25_days, monkeypatch
):
    ticks = iter(range(1000))
    monkeypatch.setattr(retention_module, "monotonic", lambda: next(ticks))

    first = responses_retention_apply(now=world.now, batch_size=1, budget_seconds=1.5)
    second = responses_retention_apply(now=world.now, batch_size=1, budget_seconds=None)

    assert (first.responses, first.complete) == (1, False)
    assert (second.due, second.responses, second.complete) == (1, 1, True)
    assert responses_retention_apply(now=world.now).due == 0
    events = AuditEvent.objects.filter(action="retention").order_by("id")
    assert [(e.actor, e.details["responses"], e.details["mode"]) for e in events] == [
        (None, 1, "anonymise"),
        (None, 1, "anonymise"),
    ]


def test_the_daily_task_is_scheduled_and_applies_the_policy(world, keep_25_days):
    schedule = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "privacy.tasks.retention_apply" in schedule

    result = tasks.retention_apply.delay().get()

    assert (result["mode"], result["responses"], result["complete"]) == ("anonymise", 2, True)


def test_the_command_dry_run_counts_and_changes_nothing_then_applies(world, keep_25_days):
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "Dry run: 2 responses submitted before" in out.getvalue()
    assert texts(world.responses[40]) != ["", "", "", ""]

    out = io.StringIO()
    call_command("apply_retention", stdout=out)

    assert "2 responses submitted before" in out.getvalue() and "anonymised" in out.getvalue()
    assert texts(world.responses[40]) == ["", "", "", ""]


def test_the_command_says_when_retention_is_off(db):
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "Retention is off" in out.getvalue()


def test_the_command_refuses_a_batch_size_below_one(db):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("apply_retention", "--batch-size", "0", stdout=io.StringIO())
