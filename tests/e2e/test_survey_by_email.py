"""A survey end to end with every real part: an interaction triggers an invitation by rule, a real
Celery worker emails it through a real SMTP server, a phone-sized Chromium answers it in Chinese,
and the frequency cap suppresses the next invitation."""

import re

import pytest
from django.utils import timezone

from surveys.models import Invitation, Question, Response, SurveyRule
from tests.factories import CustomerFactory, QuestionFactory, SurveyFactory, TouchpointFactory
from tests.integration.conftest import celery_worker, celery_workers, wait_for  # noqa: F401 - fixtures used below
from tests.smtp import body_html, body_text, smtp_server  # noqa: F401
from touchpoints.services import interaction_log

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


@pytest.fixture
def broker(postgres_and_redis) -> str:
    """Redis only: this test is about the survey's way, which is the same on either broker (the
    tests in tests/integration run on both)."""
    return postgres_and_redis


@pytest.fixture
def worker_environment(smtp_server, live_server):  # noqa: F811 - overrides the default, uses the fixture
    """The worker emails through the test SMTP server, with links to the live test server."""
    return {
        "EMAIL_HOST": smtp_server.host,
        "EMAIL_PORT": str(smtp_server.port),
        "SITE_URL": live_server.url,
        "SURVEY_COMPANY_NAME": "Acme Retail",
        "SURVEY_FREQUENCY_CAP_DAYS": "30",
    }


@pytest.fixture
def delivery_survey():
    touchpoint = TouchpointFactory(name="Delivery", code="delivery")
    survey = SurveyFactory(
        name="After your delivery",
        languages=["en", "zh-hans"],
        titles={"en": "How was your delivery?", "zh-hans": "您对送货满意吗？"},
    )
    nps = QuestionFactory(
        survey=survey,
        order=1,
        type=Question.Type.NPS,
        scale_labels={"en": ["Not at all likely", "Extremely likely"], "zh-hans": ["完全不可能", "非常可能"]},
    )
    comment = QuestionFactory(
        survey=survey,
        order=2,
        type=Question.Type.TEXT,
        required=False,
        texts={"en": "What could we do better?", "zh-hans": "我们还能做得更好吗？"},
    )
    SurveyRule.objects.create(survey=survey, touchpoint=touchpoint, delay_hours=0)
    return touchpoint, survey, nps, comment


def choose(page, question, value: int) -> None:
    """Tap the scale button of ``value``, as a finger would: its label (the radio itself is hidden)."""
    radio = page.locator(f'input[name="q{question.id}"][value="{value}"]')
    page.locator(f'label[for="{radio.get_attribute("id")}"]').tap()
    assert radio.is_checked()


def answer_page(browser, link: str):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    response = page.goto(link)
    return context, page, response, errors


def test_an_invitation_by_rule_is_emailed_answered_in_chinese_on_a_phone_and_kept_once(
    celery_worker,  # noqa: F811
    smtp_server,  # noqa: F811
    live_server,
    browser,
    screenshot,
    delivery_survey,
):
    touchpoint, _survey, nps, comment = delivery_survey
    customer = CustomerFactory(name="王芳", email="wang.fang@example.cn", locale="zh-hans")

    interaction_log(customer=customer, touchpoint=touchpoint)  # commits: the rule invites, the worker sends

    messages = wait_for(lambda: smtp_server.to(customer.email), timeout=60)
    assert messages, "no email reached the SMTP server within 60 s"
    (message,) = messages
    assert "Acme Retail" in message["Subject"] and "您对送货满意吗" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(rf"{re.escape(live_server.url)}/s/[\w-]+/", body_text(message)).group(0)
    unsubscribe = re.search(rf"{re.escape(live_server.url)}/u/[\w-]+/", body_text(message)).group(0)
    assert str(message["List-Unsubscribe"]).strip() == f"<{unsubscribe}>"
    assert link in body_html(message)

    # Two tabs, as when a customer opens the email twice: GET consumes nothing.
    first, page, response, errors = answer_page(browser, link)
    second, stale_page, _, _ = answer_page(browser, link)
    assert response.status == 200
    assert page.get_by_text("我们还能做得更好吗？").is_visible()
    choose(page, nps, 9)
    page.locator(f'textarea[name="q{comment.id}"]').fill("送货很快，包装也很好。")
    screenshot(page, "-answering")
    page.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    assert "/s/thanks/" in page.url
    screenshot(page, "-thanks")
    assert errors == []

    stored = Response.objects.get(invitation__customer=customer)
    assert stored.language == "zh-hans"
    answers = {answer.question_id: answer for answer in stored.answers.all()}
    assert answers[nps.id].score == 9
    assert answers[comment.id].text == "送货很快，包装也很好。"

    # The second tab submits too: told "already answered", and the first response is kept.
    choose(stale_page, nps, 2)
    stale_page.locator('button[type="submit"]').click()
    stale_page.wait_for_load_state()
    assert stale_page.get_by_text("您已经回答过了").is_visible()
    screenshot(stale_page, "-already-answered")
    assert Response.objects.filter(invitation__customer=customer).count() == 1
    assert Response.objects.get(invitation__customer=customer).answers.get(question=nps).score == 9
    first.close()
    second.close()

    # A second interaction a minute later: its invitation falls inside the 30-day cap.
    interaction_log(customer=customer, touchpoint=touchpoint, occurred_at=timezone.now())
    suppressed = wait_for(
        lambda: Invitation.objects.filter(customer=customer, status=Invitation.Status.SUPPRESSED).first(),
        timeout=60,
    )
    assert suppressed is not None, "the second invitation was not decided within 60 s"
    assert suppressed.suppression_reason.startswith("frequency cap")
    assert len(smtp_server.to(customer.email)) == 1
