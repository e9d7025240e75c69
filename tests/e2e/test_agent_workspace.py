"""The workspace in a real browser: an agent finds a customer as they type, reads the history, logs
the call by keyboard and sees it appear; a manager resolves the follow-up a detractor opened."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.services import metrics_mark_stale, metrics_refresh_stale
from followups.models import FollowUp, FollowUpStatus
from surveys.models import Question
from tests.conftest import PASSWORD
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
)
from touchpoints.models import Channel, Interaction, Stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")


def detractor_answer(customer, *, score: int, comment: str, touchpoint=None):
    survey = SurveyFactory(name="After your delivery")
    interaction = InteractionFactory(
        customer=customer,
        occurred_at=timezone.now() - timedelta(days=2),
        **({"touchpoint": touchpoint} if touchpoint else {}),
    )
    response = ResponseFactory(
        invitation=InvitationFactory(survey=survey, customer=customer, interaction=interaction),
        submitted_at=timezone.now() - timedelta(hours=3),
    )
    AnswerFactory(response=response, question=QuestionFactory(survey=survey, order=1), score=score)
    text = QuestionFactory(survey=survey, order=2, type=Question.Type.TEXT, required=False)
    AnswerFactory(response=response, question=text, text=comment)
    return response


def test_agent_finds_a_customer_reads_the_history_and_logs_a_call(live_server, page, agent, screenshot):
    delivery = TouchpointFactory(
        name="Delivery",
        code="delivery",
        stage=Stage.POST_SALE,
        channel=Channel.PHONE,
        measure_name="Delivery time",
        measure_unit="days",
        measure_direction="lower_is_better",
    )
    TouchpointFactory(name="Showroom visit", stage=Stage.PRE_SALE, channel=Channel.IN_STORE)
    grace = CustomerFactory(
        name="Grace Hopper", external_id="CRM-1906", value_tier="gold", segment="enterprise"
    )
    CustomerFactory(name="Grace Kelly")
    InteractionFactory(
        customer=grace,
        touchpoint=delivery,
        channel=Channel.CHAT,
        notes="Asked when the sofa arrives",
        occurred_at=timezone.now() - timedelta(days=5),
    )
    detractor_answer(grace, score=3, comment="Nobody told me about the delay.", touchpoint=delivery)

    sign_in(page, live_server, agent)
    page.get_by_role("link", name="Customers").click()
    search = page.get_by_label("Find a customer")
    search.press_sequentially("hopp", delay=40)
    result = page.locator("a.result-link", has_text="Grace Hopper")
    result.wait_for()
    # As you type: the results came in without leaving the page, and the other Grace is not there.
    assert page.url.startswith(live_server.url + "/customers/")
    assert page.locator("a.result-link", has_text="Grace Kelly").count() == 0
    screenshot(page, "-search")

    search.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/customers/\d+/$"))
    timeline = page.locator("[data-timeline]")
    assert timeline.get_by_text("Asked when the sofa arrives").is_visible()
    assert timeline.get_by_text("Nobody told me about the delay.").is_visible()
    assert page.get_by_text("Gold", exact=True).first.is_visible()
    screenshot(page, "-customer")

    form = page.locator("[data-log-form]")
    assert not form.locator("[data-measure-fields]").is_visible()  # no touchpoint chosen yet
    form.get_by_label("Touchpoint").select_option(label="Delivery · Post-sale")
    assert form.get_by_label("Channel").input_value() == "phone"  # follows the touchpoint
    assert form.locator("[data-measure-fields]").is_visible()
    form.get_by_label("Outcome").select_option(label="Escalated")
    form.get_by_label("Expected").fill("2")
    form.get_by_label("Actual").fill("6")
    form.get_by_label("Experience (0–10)").fill("4")
    notes = form.get_by_label("Notes")
    notes.fill("Apologised for the delay, rebooked delivery for Friday")
    notes.press("Control+Enter")

    page.wait_for_url(re.compile(r".*/customers/\d+/#interaction-\d+$"))
    logged = Interaction.objects.get(notes__startswith="Apologised")
    assert (logged.agent_id, logged.channel, logged.actual_value) == (agent.id, "phone", 6.0)
    event = page.locator(f"#interaction-{logged.id}")
    assert event.is_visible()
    assert "rebooked delivery for Friday" in event.inner_text()
    assert page.get_by_text("Logged: Delivery · Phone.").is_visible()
    screenshot(page, "-logged")
    assert page.console_errors == []


def test_manager_resolves_the_follow_up_a_detractor_opened(live_server, page, manager, screenshot):
    customer = CustomerFactory(name="Ada Lovelace", phone="+44 20 7946 0018")
    response = detractor_answer(customer, score=1, comment="The sofa arrived broken.")
    metrics_mark_stale(response_ids=[response.id])
    metrics_refresh_stale()
    case = FollowUp.objects.get(response=response)

    sign_in(page, live_server, manager)
    page.get_by_role("link", name="Follow-ups").click()
    row = page.locator("[data-cases] tbody tr", has_text="Ada Lovelace")
    assert row.get_by_text("Open", exact=True).is_visible()
    screenshot(page, "-list")

    row.get_by_role("link", name=re.compile("Detractor response")).click()
    page.wait_for_url(f"**/follow-ups/{case.id}/")
    assert page.get_by_text("The sofa arrived broken.").is_visible()
    page.get_by_label("Status").select_option("resolved")
    page.get_by_label("Outcome").fill("Replacement sent")
    page.get_by_label("Note").fill("Called Ada, apologised, new sofa on Monday")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(f"**/follow-ups/{case.id}/")
    assert page.locator("[data-case-status]").inner_text() == "Resolved"
    assert page.locator("[data-case-outcome]").inner_text() == "Replacement sent"
    assert "new sofa on Monday" in page.locator("[data-case-notes]").inner_text()
    screenshot(page, "-resolved")
    case.refresh_from_db()
    assert case.status == FollowUpStatus.RESOLVED and case.resolved_at is not None
    assert page.console_errors == []
