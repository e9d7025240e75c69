"""Follow-up cases: one per detractor response or floor-breaching interaction, opened by the refresh."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.services import metrics_mark_stale, metrics_rebuild, metrics_refresh_stale
from followups.models import FollowUp, FollowUpReason, FollowUpStatus
from followups.services import FollowUpTrigger, follow_ups_open
from tests.factories import (
    AnswerFactory,
    InteractionFactory,
    InvitationFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The role fixtures hash a password; these tests never sign in, so spare the slow hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def nps_response(score, *, ago=timedelta(hours=1), interaction=None, **answers_by_type):
    """A response to a fresh survey with an NPS answer of ``score`` (None: no NPS question),
    submitted ``ago`` before now, its invitation following ``interaction`` (may be None).

    ``answers_by_type`` adds more answers, e.g. ``csat=1``.
    """
    survey = SurveyFactory()
    invitation = InvitationFactory(
        survey=survey,
        interaction=interaction,
        **({"customer": interaction.customer} if interaction else {}),
    )
    response = ResponseFactory(invitation=invitation, submitted_at=timezone.now() - ago)
    if score is not None:
        AnswerFactory(response=response, question=QuestionFactory(survey=survey), score=score)
    for question_type, value in answers_by_type.items():
        question = QuestionFactory(survey=survey, type=question_type)
        AnswerFactory(response=response, question=question, score=value)
    return response


def refresh_responses(*responses) -> None:
    metrics_mark_stale(response_ids=[response.id for response in responses])
    metrics_refresh_stale()


def breaching_interaction(*, score=2.0, floor=5.0, ago=timedelta(hours=1), **fields):
    return InteractionFactory(
        touchpoint=TouchpointFactory(floor_score=floor),
        experience_score=score,
        occurred_at=timezone.now() - ago,
        **fields,
    )


def refresh_interactions(*interactions) -> None:
    metrics_mark_stale(interaction_ids=[interaction.id for interaction in interactions])
    metrics_refresh_stale()


# --- Detractors -----------------------------------------------------------------


def test_detractor_response_opens_one_open_case_after_refresh():
    response = nps_response(3)

    refresh_responses(response)

    case = FollowUp.objects.get()
    assert (case.reason, case.response_id, case.interaction_id) == (
        FollowUpReason.DETRACTOR,
        response.id,
        None,
    )
    assert (case.customer_id, case.score, case.status) == (response.customer_id, 3.0, FollowUpStatus.OPEN)


@pytest.mark.parametrize("score", [0, 6])
def test_nps_answers_of_0_to_6_open_a_case(score):
    refresh_responses(nps_response(score))

    assert FollowUp.objects.filter(reason=FollowUpReason.DETRACTOR, score=score).count() == 1


@pytest.mark.parametrize("score", [7, 8, 9, 10])
def test_passives_and_promoters_open_no_case(score):
    refresh_responses(nps_response(score))

    assert not FollowUp.objects.exists()


def test_only_the_nps_answer_makes_a_detractor():
    dissatisfied_promoter = nps_response(9, csat=1, ces=1)
    no_nps_question = nps_response(None, csat=1)

    refresh_responses(dissatisfied_promoter, no_nps_question)

    assert not FollowUp.objects.exists()


def test_refreshing_and_rebuilding_again_never_open_a_second_case():
    response = nps_response(2)
    refresh_responses(response)
    first = FollowUp.objects.get()

    refresh_responses(response)
    metrics_rebuild()
    metrics_rebuild()

    assert list(FollowUp.objects.values_list("id", flat=True)) == [first.id]


def test_a_closed_case_is_not_reopened_by_a_rebuild():
    response = nps_response(2)
    refresh_responses(response)
    FollowUp.objects.update(status=FollowUpStatus.RESOLVED, resolved_at=timezone.now())

    metrics_rebuild()

    assert list(FollowUp.objects.values_list("status", flat=True)) == [FollowUpStatus.RESOLVED]


def test_opening_twice_with_the_same_triggers_opens_one_case():
    response = nps_response(4)
    trigger = FollowUpTrigger(
        reason=FollowUpReason.DETRACTOR, customer_id=response.customer_id, score=4.0, response_id=response.id
    )

    assert follow_ups_open(triggers=[trigger]) == 1
    assert follow_ups_open(triggers=[trigger]) == 0
    assert FollowUp.objects.filter(response=response).count() == 1


def test_a_trigger_repeated_in_one_call_opens_and_counts_one_case():
    interaction = breaching_interaction()
    trigger = FollowUpTrigger(
        reason=FollowUpReason.FLOOR_BREACH,
        customer_id=interaction.customer_id,
        score=2.0,
        interaction_id=interaction.id,
    )

    opened = follow_ups_open(triggers=[trigger, trigger])

    assert FollowUp.objects.filter(interaction=interaction).count() == 1
    assert opened == 1


# --- Floor breaches ---------------------------------------------------------------


def test_floor_breaching_interaction_opens_a_floor_breach_case():
    interaction = breaching_interaction(score=3.5, floor=4.0)

    refresh_interactions(interaction)

    case = FollowUp.objects.get()
    assert (case.reason, case.interaction_id, case.response_id) == (
        FollowUpReason.FLOOR_BREACH,
        interaction.id,
        None,
    )
    assert (case.customer_id, case.score) == (interaction.customer_id, 3.5)


def test_scores_at_the_floor_or_without_a_floor_open_no_case():
    at_floor = breaching_interaction(score=4.0, floor=4.0)
    no_floor = breaching_interaction(score=0.0, floor=None)
    unscored = breaching_interaction(score=None, floor=9.0)

    refresh_interactions(at_floor, no_floor, unscored)
    metrics_rebuild()

    assert not FollowUp.objects.exists()


def test_refreshing_a_breach_again_never_opens_a_second_case():
    interaction = breaching_interaction()
    refresh_interactions(interaction)

    refresh_interactions(interaction)
    metrics_rebuild()

    assert FollowUp.objects.filter(interaction=interaction).count() == 1


# --- Who gets the case --------------------------------------------------------------


def test_breach_case_goes_to_the_interactions_active_agent(agent):
    interaction = breaching_interaction(agent=agent)

    refresh_interactions(interaction)

    assert FollowUp.objects.get().assignee == agent


def test_breach_case_of_an_inactive_agent_goes_to_the_queue(agent):
    agent.is_active = False
    agent.save()
    interaction = breaching_interaction(agent=agent)

    refresh_interactions(interaction)

    assert FollowUp.objects.get().assignee is None


def test_breach_case_without_an_agent_goes_to_the_queue():
    refresh_interactions(breaching_interaction(agent=None))

    assert FollowUp.objects.get().assignee is None


def test_detractor_case_goes_to_the_agent_of_the_interaction_the_invitation_followed(agent, manager):
    # The customer's latest interaction was with someone else: only the surveyed one counts.
    surveyed = InteractionFactory(agent=agent, occurred_at=timezone.now() - timedelta(days=2))
    InteractionFactory(customer=surveyed.customer, agent=manager, occurred_at=timezone.now())
    response = nps_response(1, interaction=surveyed)

    refresh_responses(response)

    assert FollowUp.objects.get(response=response).assignee == agent


def test_detractor_case_of_an_inactive_agent_goes_to_the_queue(agent):
    agent.is_active = False
    agent.save()
    response = nps_response(1, interaction=InteractionFactory(agent=agent))

    refresh_responses(response)

    assert FollowUp.objects.get(response=response).assignee is None


def test_detractor_case_of_a_relationship_survey_goes_to_the_queue():
    response = nps_response(1, interaction=None)

    refresh_responses(response)

    assert FollowUp.objects.get(response=response).assignee is None


# --- When it is due, and how old an event may be --------------------------------------


def test_case_is_due_48_hours_after_it_opens():
    before = timezone.now()
    refresh_responses(nps_response(0))
    after = timezone.now()

    case = FollowUp.objects.get()
    assert before <= case.opened_at <= after
    assert case.due_at - case.opened_at == timedelta(hours=48)


def test_case_due_time_follows_the_sla_setting(settings):
    settings.FOLLOW_UP_SLA_HOURS = 8
    refresh_interactions(breaching_interaction())

    case = FollowUp.objects.get()
    assert case.due_at - case.opened_at == timedelta(hours=8)


def test_events_older_than_the_max_age_open_no_case():
    max_age = timedelta(days=14)
    stale_response = nps_response(0, ago=max_age + timedelta(hours=1))
    stale_breach = breaching_interaction(ago=max_age + timedelta(hours=1))

    refresh_responses(stale_response)
    refresh_interactions(stale_breach)
    metrics_rebuild()

    assert not FollowUp.objects.exists()


def test_events_just_inside_the_max_age_open_a_case():
    max_age = timedelta(days=14)
    recent_response = nps_response(0, ago=max_age - timedelta(hours=1))
    recent_breach = breaching_interaction(ago=max_age - timedelta(hours=1))

    metrics_rebuild()

    assert set(FollowUp.objects.values_list("reason", flat=True)) == {
        FollowUpReason.DETRACTOR,
        FollowUpReason.FLOOR_BREACH,
    }
    assert FollowUp.objects.filter(response=recent_response).exists()
    assert FollowUp.objects.filter(interaction=recent_breach).exists()


def test_max_age_follows_its_setting(settings):
    settings.FOLLOW_UP_MAX_AGE_DAYS = 3
    too_old = nps_response(0, ago=timedelta(days=4))
    recent = nps_response(0, ago=timedelta(days=2))

    refresh_responses(too_old, recent)

    assert list(FollowUp.objects.values_list("response_id", flat=True)) == [recent.id]
