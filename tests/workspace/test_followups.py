"""The follow-up pages: the list (overdue first, recovery shown), one case, and working it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUp, FollowUpReason, FollowUpStatus
from tests.factories import (
    AnswerFactory,
    InteractionFactory,
    InvitationFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def nps_response(score, *, customer=None, at=None, comment=""):
    survey = SurveyFactory(name="Delivery NPS")
    invitation = InvitationFactory(survey=survey, **({"customer": customer} if customer else {}))
    response = ResponseFactory(invitation=invitation, submitted_at=at or NOW - timedelta(hours=3))
    AnswerFactory(response=response, question=QuestionFactory(survey=survey, order=1), score=score)
    if comment:
        question = QuestionFactory(survey=survey, order=2, type="text", required=False, texts={"en": "Why?"})
        AnswerFactory(response=response, question=question, text=comment)
    return response


def detractor_case(*, assignee=None, due_in=timedelta(hours=24), comment="", customer_name="Grace Hopper"):
    response = nps_response(2, comment=comment)
    response.customer.name = customer_name
    response.customer.save()
    return FollowUp.objects.create(
        reason=FollowUpReason.DETRACTOR,
        customer=response.customer,
        response=response,
        score=2,
        assignee=assignee,
        opened_at=NOW + due_in - timedelta(hours=48),
        due_at=NOW + due_in,
    )


def test_the_list_puts_overdue_cases_first_and_marks_them(manager_client):
    detractor_case(customer_name="Due Later", due_in=timedelta(hours=20))
    detractor_case(customer_name="Long Overdue", due_in=-timedelta(hours=3))

    html = manager_client.get(reverse("follow-up-list")).content.decode()

    assert html.index("Long Overdue") < html.index("Due Later")
    assert html.count('class="overdue"') == 1


def test_the_list_shows_a_recovered_customer(manager_client):
    case = detractor_case()
    nps_response(9, customer=case.customer, at=NOW)

    html = manager_client.get(reverse("follow-up-list")).content.decode()

    assert "Recovered: answered" in html and "(promoter)" in html


def test_a_case_shows_what_the_customer_said(agent_client):
    case = detractor_case(comment="Nobody called me back.")

    html = agent_client.get(reverse("follow-up-detail", args=[case.id])).content.decode()

    assert "Delivery NPS" in html and "Nobody called me back." in html
    assert "Take this case" in html


def test_a_floor_breach_case_shows_the_interaction(manager_client):
    interaction = InteractionFactory(
        touchpoint__name="Returns desk",
        touchpoint__floor_score=5,
        experience_score=2,
        notes="Refused the return",
    )
    case = FollowUp.objects.create(
        reason=FollowUpReason.FLOOR_BREACH,
        customer=interaction.customer,
        interaction=interaction,
        score=2,
        opened_at=NOW,
        due_at=NOW + timedelta(days=2),
    )

    html = manager_client.get(reverse("follow-up-detail", args=[case.id])).content.decode()

    assert "Returns desk" in html and "below the touchpoint's floor of 5" in html
    assert "Refused the return" in html


def test_an_agent_takes_a_queue_case_from_the_list(agent_client, agent):
    case = detractor_case()

    response = agent_client.post(reverse("follow-up-take", args=[case.id]))

    assert response["Location"] == reverse("follow-up-detail", args=[case.id])
    case.refresh_from_db()
    assert case.assignee == agent


def test_taking_a_case_a_colleague_took_meanwhile_says_so(agent_client):
    case = detractor_case()
    colleague = UserFactory(username="kim")
    FollowUp.objects.filter(pk=case.pk).update(assignee=colleague)

    response = agent_client.post(reverse("follow-up-take", args=[case.id]), follow=True)

    assert "no longer in the queue: someone else has taken it" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee == colleague


def test_resolving_without_an_outcome_shows_the_reason_on_the_form(agent_client, agent):
    case = detractor_case(assignee=agent)

    response = agent_client.post(reverse("follow-up-update", args=[case.id]), {"status": "resolved"})

    assert response.status_code == 200
    assert "the outcome is required to resolve it" in response.content.decode()
    case.refresh_from_db()
    assert case.status == FollowUpStatus.OPEN


def test_resolving_with_an_outcome_closes_the_case(agent_client, agent):
    case = detractor_case(assignee=agent)

    response = agent_client.post(
        reverse("follow-up-update", args=[case.id]),
        {"status": "resolved", "outcome": "Refund or credit given", "note": "Called, refunded the fee"},
        follow=True,
    )

    case.refresh_from_db()
    assert (case.status, case.outcome) == (FollowUpStatus.RESOLVED, "Refund or credit given")
    assert case.resolved_at is not None
    html = response.content.decode()
    assert "Case saved: resolved." in html and "Called, refunded the fee" in html


def test_the_status_choices_only_go_forward(agent_client, agent):
    case = detractor_case(assignee=agent)
    FollowUp.objects.filter(pk=case.pk).update(status=FollowUpStatus.CONTACTED)

    html = agent_client.get(reverse("follow-up-detail", args=[case.id])).content.decode()

    assert 'value="contacted"' in html and 'value="resolved"' in html
    assert 'value="open"' not in html and 'value="in_progress"' not in html


def test_a_manager_assigns_a_case(manager_client, agent):
    case = detractor_case()

    manager_client.post(reverse("follow-up-assign", args=[case.id]), {"assignee": agent.id})

    case.refresh_from_db()
    assert case.assignee == agent


def test_the_list_costs_a_few_queries_however_many_cases(manager_client, django_assert_max_num_queries):
    for n in range(30):
        detractor_case(assignee=UserFactory(), customer_name=f"Customer {n}")

    with django_assert_max_num_queries(8):
        response = manager_client.get(reverse("follow-up-list"))

    assert response.content.decode().count("Customer ") >= 30


def test_an_agents_widest_list_is_named_for_what_it_holds(agent_client):
    html = agent_client.get(reverse("follow-up-list")).content.decode()

    assert "Mine and the queue" in html and "Everyone&#x27;s" not in html
