"""The customer 360: the profile on top, the whole cross-channel history in time order, journeys
with peak–end and moments of truth, follow-ups; a fixed number of queries however long it is."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.services import metrics_mark_stale, metrics_refresh_stale
from followups.models import FollowUp, FollowUpReason, FollowUpStatus
from surveys.models import Invitation, Question
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    JourneyFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
    UserFactory,
)
from touchpoints.models import Channel, Stage
from workspace.selectors import customer_360

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def ago(**delta):
    return NOW - timedelta(**delta)


def answered(customer, *, nps, comment="", at, survey_name="After your visit"):
    survey = SurveyFactory(name=survey_name)
    response = ResponseFactory(
        invitation=InvitationFactory(survey=survey, customer=customer, status=Invitation.Status.RESPONDED),
        submitted_at=at,
    )
    AnswerFactory(response=response, question=QuestionFactory(survey=survey, order=1), score=nps)
    if comment:
        question = QuestionFactory(survey=survey, order=2, type=Question.Type.TEXT, required=False)
        AnswerFactory(response=response, question=question, text=comment)
    return response


def detail(client, customer, **params):
    return client.get(reverse("customer-detail", args=[customer.id]), params)


def test_profile_shows_segment_value_tier_language_and_opt_out(agent_client):
    customer = CustomerFactory(
        name="王芳", segment="enterprise", value_tier="gold", locale="zh-hans", email_opt_out=True
    )

    html = detail(agent_client, customer).content.decode()

    assert "王芳" in html and "Enterprise" in html and "Gold" in html
    assert "<dt>Language</dt><dd>Simplified Chinese</dd>" in html
    assert "Opted out" in html


def test_history_merges_every_kind_newest_first():
    customer = CustomerFactory()
    phone = InteractionFactory(customer=customer, occurred_at=ago(days=5), channel=Channel.PHONE)
    invitation = InvitationFactory(customer=customer)
    invitation.created_at = ago(days=4)
    invitation.save()
    response = answered(customer, nps=3, at=ago(days=3))
    store = InteractionFactory(customer=customer, occurred_at=ago(days=1), channel=Channel.IN_STORE)
    InteractionFactory(occurred_at=ago(hours=1))  # someone else's

    view = customer_360(customer_id=customer.id)

    items = [(event.kind, event.item.pk) for event in view.events]
    assert items.index(("interaction", store.pk)) < items.index(("response", response.pk))
    assert items.index(("response", response.pk)) < items.index(("invitation", invitation.pk))
    assert items.index(("invitation", invitation.pk)) < items.index(("interaction", phone.pk))
    assert [event.at for event in view.events] == sorted((event.at for event in view.events), reverse=True)
    assert all(event.item.customer_id == customer.id for event in view.events)


def test_an_interaction_shows_who_where_how_and_what(agent_client):
    customer = CustomerFactory()
    touchpoint = TouchpointFactory(
        name="Delivery",
        stage=Stage.POST_SALE,
        measure_name="Delivery time",
        measure_unit="days",
        measure_direction="lower_is_better",
    )
    agent = UserFactory(username="sam", first_name="Sam", last_name="Ortiz")
    InteractionFactory(
        customer=customer,
        touchpoint=touchpoint,
        channel=Channel.CHAT,
        agent=agent,
        outcome="escalated",
        category="Late parcel",
        notes="Parcel stuck in depot",
        expected_value=2,
        actual_value=5,
    )

    html = detail(agent_client, customer).content.decode()

    for text in (
        "Delivery",
        "Post-sale",
        "Chat",
        "Escalated",
        "Sam Ortiz",
        "Late parcel",
        "Parcel stuck in depot",
    ):
        assert text in html
    assert "Delivery time: expected 2.0, actual 5.0 days" in html


def test_a_response_shows_its_scores_and_comment(agent_client):
    customer = CustomerFactory()
    answered(
        customer, nps=3, comment="The parcel came a week late.", at=ago(days=1), survey_name="Delivery NPS"
    )

    html = detail(agent_client, customer).content.decode()

    assert "Delivery NPS" in html
    assert 'class="nps nps-detractor">3<' in html
    assert "The parcel came a week late." in html


def test_a_journey_shows_its_peak_end_and_moments_of_truth(agent_client):
    customer = CustomerFactory()
    journey = JourneyFactory(customer=customer, journey_map__name="Buy a sofa", started_at=ago(days=10))
    showroom = TouchpointFactory(name="Showroom visit")
    delivery = TouchpointFactory(name="Sofa delivery")
    InteractionFactory(
        customer=customer, journey=journey, touchpoint=showroom, experience_score=9, occurred_at=ago(days=9)
    )
    InteractionFactory(
        customer=customer, journey=journey, touchpoint=delivery, experience_score=2, occurred_at=ago(days=2)
    )
    metrics_mark_stale(journey_ids=[journey.id])
    metrics_refresh_stale()

    html = detail(agent_client, customer).content.decode()

    assert "Buy a sofa" in html
    # The peak is the most intense moment (9 is further from neutral than 2), the end the last.
    assert 'Peak–end so far <span class="score">5.5</span>' in html  # it is in progress
    assert "peak Showroom visit (9), end Sofa delivery (2)" in html


def test_open_and_past_follow_ups_are_shown_with_the_open_one_on_top(agent_client):
    customer = CustomerFactory()
    for status, score in ((FollowUpStatus.OPEN, 2), (FollowUpStatus.RESOLVED, 4)):
        FollowUp.objects.create(
            reason=FollowUpReason.DETRACTOR,
            customer=customer,
            response=answered(customer, nps=score, at=ago(days=score)),
            score=score,
            status=status,
            opened_at=ago(days=score),
            due_at=ago(days=score) + timedelta(days=2),
            outcome="Refunded" if status == FollowUpStatus.RESOLVED else "",
        )

    html = detail(agent_client, customer).content.decode()

    assert "Open follow-up:" in html
    assert html.count("Open follow-up:") == 1
    assert "Outcome: Refunded" in html


def test_the_page_costs_a_fixed_number_of_queries_with_500_events(
    agent_client, django_assert_max_num_queries
):
    customer = CustomerFactory()
    touchpoints = TouchpointFactory.create_batch(5)
    agents = UserFactory.create_batch(3)
    journeys = JourneyFactory.create_batch(10, customer=customer)
    for n in range(300):
        InteractionFactory(
            customer=customer,
            touchpoint=touchpoints[n % 5],
            agent=agents[n % 3],
            journey=journeys[n % 10],
            experience_score=n % 11,
            occurred_at=ago(hours=n),
        )
    for n in range(95):
        answered(customer, nps=n % 11, comment=f"comment {n}", at=ago(hours=n, minutes=30))
    assert len(customer_360(customer_id=customer.id).events) >= 500
    metrics_mark_stale(journey_ids=[j.id for j in journeys])
    metrics_refresh_stale()

    with django_assert_max_num_queries(16):
        response = detail(agent_client, customer)

    assert response.status_code == 200
    assert response.content.decode().count('class="event ') >= 500


def test_older_history_pages_back_without_repeating_or_skipping():
    customer = CustomerFactory()
    interactions = [InteractionFactory(customer=customer, occurred_at=ago(hours=n)) for n in range(7)]
    # Two at the same instant across the page boundary.
    interactions.append(InteractionFactory(customer=customer, occurred_at=interactions[2].occurred_at))

    seen, before = [], None
    while True:
        view = customer_360(customer_id=customer.id, before=before, limit=3)
        seen += [event.item.pk for event in view.events]
        if view.older_than is None:
            break
        before = view.older_than

    assert sorted(seen) == sorted(i.pk for i in interactions)


def test_older_history_link_opens_the_next_page(agent_client, monkeypatch):
    customer = CustomerFactory()
    InteractionFactory(customer=customer, occurred_at=ago(days=30), notes="the oldest contact")
    InteractionFactory(customer=customer, occurred_at=ago(days=1), notes="the newest contact")
    view = customer_360(customer_id=customer.id, limit=1)

    response = detail(agent_client, customer, before=view.older_than.isoformat())

    html = response.content.decode()
    assert "the oldest contact" in html and "the newest contact" not in html


@pytest.mark.parametrize("before", ["yesterday", "2024-13-45T00:00:00+00:00", "2024-05-01T10:00:00"])
def test_a_malformed_paging_instant_shows_the_latest_history(agent_client, before):
    customer = CustomerFactory()
    InteractionFactory(customer=customer, notes="the newest contact")

    response = detail(agent_client, customer, before=before)

    assert response.status_code == 200
    assert "the newest contact" in response.content.decode()


def test_an_unknown_customer_is_404(agent_client):
    assert agent_client.get(reverse("customer-detail", args=[987654])).status_code == 404
