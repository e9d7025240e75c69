"""The follow-up pages and the emails to staff in Chinese: no English left for a Chinese reader, and
an email in the language its recipient chose, whoever caused it."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from access.languages import set_user_language
from followups.models import FollowUp, FollowUpReason, FollowUpStatus
from followups.services import follow_up_assign, follow_up_progress
from followups.services.notifications import follow_up_assigned_notify
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

from .chinese import ZH, english_left, language_restored  # noqa: F401 - autouse

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def cases(manager, agent):
    """A detractor case with a comment, assigned and worked; a recovered one in the queue, overdue;
    a floor breach, resolved."""
    survey = SurveyFactory(name="Delivery NPS")
    nps = QuestionFactory(survey=survey, order=1, texts={"en": "Recommend us?", "zh-hans": "推荐吗？"})
    why = QuestionFactory(survey=survey, order=2, type="text", required=False, texts={"zh-hans": "为什么？"})
    worked, recovered = CustomerFactory(name="Grace Hopper"), CustomerFactory(name="Ada Lovelace")
    opened = []
    for customer, assignee, due in ((worked, agent, 20), (recovered, None, -3)):
        invitation = InvitationFactory(survey=survey, customer=customer)
        response = ResponseFactory(invitation=invitation, submitted_at=NOW - timedelta(hours=50), language=ZH)
        AnswerFactory(response=response, question=nps, score=2)
        AnswerFactory(response=response, question=why, text="没人回电话")
        opened.append(
            FollowUp.objects.create(
                reason=FollowUpReason.DETRACTOR,
                customer=customer,
                response=response,
                score=2,
                assignee=assignee,
                opened_at=NOW - timedelta(hours=48),
                due_at=NOW + timedelta(hours=due),
            )
        )
    later = ResponseFactory(invitation=InvitationFactory(survey=survey, customer=recovered), language=ZH)
    AnswerFactory(response=later, question=nps, score=9)
    desk = TouchpointFactory(name="退货柜台", floor_score=5)
    interaction = InteractionFactory(touchpoint=desk, experience_score=2, agent=agent, notes="拒绝退货")
    breach = FollowUp.objects.create(
        reason=FollowUpReason.FLOOR_BREACH,
        customer=interaction.customer,
        interaction=interaction,
        score=2,
        assignee=agent,
        opened_at=NOW - timedelta(hours=5),
        due_at=NOW + timedelta(hours=43),
    )
    follow_up_progress(follow_up_id=breach.id, by=manager, status="resolved", outcome="已退款", note="已回电")
    return {"worked": opened[0], "recovered": opened[1], "breach": breach, "survey": survey}


def data_of(cases, *users) -> list[str]:
    """What the pages show as it is stored: names, ids, the notes' dated lines."""
    shown = [cases["survey"].name]
    for case in FollowUp.objects.select_related("customer"):
        customer = case.customer  # the segment is the CRM's word for it
        shown += [customer.name, customer.external_id, customer.get_segment_display(), case.notes]
    for user in users:
        shown += [user.get_full_name(), user.get_username()]
    return shown


def test_the_case_list_reads_in_chinese(manager_client, manager, agent, cases):
    html = manager_client.get(
        reverse("follow-up-list"), {"scope": "all"}, HTTP_ACCEPT_LANGUAGE=ZH
    ).content.decode()

    assert "跟进工单" in html and "已逾期" in html and "已挽回" in html and "推荐者" in html
    assert english_left(html, data=data_of(cases, manager, agent)) == []


@pytest.mark.parametrize("which", ["worked", "recovered", "breach"])
def test_a_case_page_reads_in_chinese(manager_client, manager, agent, cases, which):
    case = cases[which]

    html = manager_client.get(reverse("follow-up-detail", args=[case.id]), HTTP_ACCEPT_LANGUAGE=ZH)

    assert html.status_code == 200
    assert english_left(html.content.decode(), data=data_of(cases, manager, agent)) == []


def test_the_case_history_is_written_in_the_language_of_who_changes_it(manager_client, cases):
    case = cases["worked"]

    manager_client.post(
        reverse("follow-up-update", args=[case.id]),
        {"status": "contacted", "note": "打过电话"},
        HTTP_ACCEPT_LANGUAGE=ZH,
    )

    case.refresh_from_db()
    assert case.status == FollowUpStatus.CONTACTED
    assert case.notes.splitlines()[-1].endswith("待处理 → 已联系。 打过电话")


def test_an_assignment_email_goes_out_in_the_language_the_assignee_chose(
    manager_client, manager, agent, cases, django_capture_on_commit_callbacks
):
    set_user_language(agent, ZH)
    case = cases["recovered"]

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(  # the manager reads English
            reverse("follow-up-assign", args=[case.id]), {"assignee": agent.id}, HTTP_ACCEPT_LANGUAGE="en"
        )

    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == [agent.email]
    assert email.subject == "新指派的跟进工单：Ada Lovelace"
    assert "给您指派了一个跟进工单：贬损者答卷" in email.body and "截止时间" in email.body
    link = settings.SITE_URL + reverse("follow-up-detail", args=[case.id])
    assert link in email.body
    assert english_left(f"<main>{email.body}</main>", data=[*data_of(cases, manager, agent), link]) == []


def test_an_assignee_who_chose_english_gets_english_from_a_manager_reading_chinese(
    manager, agent, cases, django_capture_on_commit_callbacks
):
    set_user_language(agent, "en")
    set_user_language(manager, ZH)

    with django_capture_on_commit_callbacks(execute=True):
        follow_up_assign(follow_up_id=cases["recovered"].id, assignee=agent, by=manager)

    [email] = mail.outbox
    assert email.subject == "Follow-up case assigned to you: Ada Lovelace"
    assert "assigned a follow-up case to you: Detractor response, Ada Lovelace (score 2)." in email.body


def test_no_email_when_a_manager_takes_a_case_for_themselves(
    manager, cases, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_assign(follow_up_id=cases["recovered"].id, assignee=manager, by=manager)

    assert mail.outbox == []


def test_no_email_for_a_case_handed_on_before_the_email_went(manager, agent, cases):
    case = cases["worked"]  # the agent's
    FollowUp.objects.filter(pk=case.id).update(assignee=manager)

    assert not follow_up_assigned_notify(follow_up_id=case.id, assignee_id=agent.id, by_id=manager.id)
    assert mail.outbox == []
