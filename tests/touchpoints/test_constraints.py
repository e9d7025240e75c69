"""The database itself refuses bad rows, whatever code path wrote them."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from surveys.models import Question, Response
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    JourneyFactory,
    JourneyMapStepFactory,
    QuestionFactory,
    ResponseFactory,
    TouchpointFactory,
)
from touchpoints.models import Customer, Interaction

pytestmark = pytest.mark.django_db


def refused(make) -> bool:
    """True when the database raises IntegrityError for the row ``make`` writes."""
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def test_experience_score_of_11_is_refused():
    assert refused(lambda: InteractionFactory(experience_score=11))
    assert not Interaction.objects.filter(experience_score=11).exists()


def test_experience_scores_at_both_ends_of_the_scale_are_kept():
    assert not refused(lambda: InteractionFactory(experience_score=0))
    assert not refused(lambda: InteractionFactory(experience_score=10))


def test_negative_experience_score_is_refused():
    assert refused(lambda: InteractionFactory(experience_score=-0.5))


def test_nps_answer_of_11_is_refused():
    assert refused(lambda: AnswerFactory(score=11))


def test_nps_answer_that_is_not_a_whole_number_is_refused():
    assert refused(lambda: AnswerFactory(score=7.5))


def test_nps_answer_of_10_is_kept():
    assert not refused(lambda: AnswerFactory(score=10))


def test_csat_answer_of_6_is_refused_but_5_is_kept():
    question = QuestionFactory(type=Question.Type.CSAT)
    assert refused(lambda: AnswerFactory(question=question, score=6))
    assert not refused(lambda: AnswerFactory(question=question, score=5))


def test_ces_answer_of_0_is_refused():
    question = QuestionFactory(type=Question.Type.CES)
    assert refused(lambda: AnswerFactory(question=question, score=0))


def test_zero_expectation_is_refused():
    question = QuestionFactory(type=Question.Type.EXPECTATION_EXPERIENCE, scale_min=1, scale_max=10)
    assert refused(lambda: AnswerFactory(question=question, expected=0, score=5))
    assert refused(lambda: InteractionFactory(expected_value=0, actual_value=1))


def test_second_response_to_one_invitation_is_refused_and_first_kept():
    first = ResponseFactory()
    assert refused(lambda: ResponseFactory(invitation=first.invitation))
    assert list(Response.objects.filter(invitation_id=first.invitation_id)) == [first]


def test_second_answer_to_one_question_in_a_response_is_refused():
    answer = AnswerFactory(score=9)
    assert refused(lambda: AnswerFactory(response=answer.response, question=answer.question, score=3))


def test_duplicate_customer_external_id_is_refused():
    CustomerFactory(external_id="CRM-42")
    assert refused(lambda: CustomerFactory(external_id="CRM-42"))
    assert Customer.objects.filter(external_id="CRM-42").count() == 1


def test_empty_customer_external_id_is_refused():
    assert refused(lambda: CustomerFactory(external_id=""))


def test_duplicate_interaction_external_id_is_refused_but_many_without_one_are_kept():
    InteractionFactory(external_id="INT-1")
    assert refused(lambda: InteractionFactory(external_id="INT-1"))
    assert not refused(lambda: InteractionFactory(external_id=None))
    assert not refused(lambda: InteractionFactory(external_id=None))


def test_duplicate_touchpoint_code_is_refused():
    TouchpointFactory(code="delivery")
    assert refused(lambda: TouchpointFactory(code="delivery"))


def test_touchpoint_floor_above_10_is_refused():
    assert refused(lambda: TouchpointFactory(floor_score=10.5))


def test_touchpoint_measure_without_direction_is_refused():
    assert refused(lambda: TouchpointFactory(measure_name="Delivery time", measure_direction=""))
    assert not refused(
        lambda: TouchpointFactory(measure_name="Delivery time", measure_direction="lower_is_better")
    )


def test_unknown_channel_is_refused():
    assert refused(lambda: InteractionFactory(channel="pigeon"))


def test_journey_ending_before_it_started_is_refused():
    now = timezone.now()
    assert refused(lambda: JourneyFactory(started_at=now, ended_at=now - timezone.timedelta(hours=1)))


def test_touchpoint_appears_once_per_journey_map():
    step = JourneyMapStepFactory()
    assert refused(lambda: JourneyMapStepFactory(journey_map=step.journey_map, touchpoint=step.touchpoint))


def test_invitation_token_hashes_are_unique():
    invitation = InvitationFactory()
    assert refused(lambda: InvitationFactory(token_hash=invitation.token_hash))
