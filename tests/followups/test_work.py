"""Working follow-up cases: who sees and works which case, the forward-only status, resolving with an
outcome, and whether the customer was recovered."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from access.roles import user_roles
from analytics.services import metrics_mark_stale, metrics_refresh_stale
from followups.models import FollowUp, FollowUpReason, FollowUpStatus
from followups.selectors import (
    ASSIGNEE_QUEUE,
    SCOPE_ALL,
    SCOPE_RESOLVED,
    follow_up_detail,
    follow_up_list,
    with_recovery,
)
from followups.services import follow_up_assign, follow_up_progress, follow_up_take
from tests.factories import (
    AnswerFactory,
    InvitationFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def nps_response(score, *, customer=None, at=None):
    survey = SurveyFactory()
    invitation = InvitationFactory(survey=survey, **({"customer": customer} if customer else {}))
    response = ResponseFactory(invitation=invitation, submitted_at=at or NOW - timedelta(hours=1))
    AnswerFactory(response=response, question=QuestionFactory(survey=survey), score=score)
    return response


def case(*, assignee=None, status=FollowUpStatus.OPEN, due_in=timedelta(hours=24), score=3, **fields):
    """A detractor case due ``due_in`` from now, opened 48 hours before it is due."""
    opened_at = NOW + due_in - timedelta(hours=48)
    response = nps_response(score, at=opened_at - timedelta(minutes=1))
    return FollowUp.objects.create(
        reason=FollowUpReason.DETRACTOR,
        customer=response.customer,
        response=response,
        score=score,
        assignee=assignee,
        status=status,
        opened_at=opened_at,
        due_at=NOW + due_in,
        **fields,
    )


def refreshed(case_: FollowUp) -> FollowUp:
    return FollowUp.objects.get(pk=case_.pk)


# --- Opened by the refresh, once ---------------------------------------------------------


def test_one_case_per_detractor_response_even_when_the_refresh_runs_twice():
    detractor = nps_response(2)
    nps_response(9)  # a promoter opens nothing

    metrics_mark_stale(response_ids=[detractor.id])
    metrics_refresh_stale()
    metrics_refresh_stale()
    metrics_mark_stale(response_ids=[detractor.id])
    metrics_refresh_stale()

    assert list(FollowUp.objects.values_list("response_id", flat=True)) == [detractor.id]


# --- Who sees what ---------------------------------------------------------------------


def test_a_manager_sees_every_case_overdue_first(manager, agent):
    later = case(assignee=agent, due_in=timedelta(hours=30))
    overdue = case(assignee=UserFactory(), due_in=-timedelta(hours=5))
    sooner = case(due_in=timedelta(hours=2))
    very_overdue = case(due_in=-timedelta(days=2))

    listed = with_recovery(follow_up_list(user=manager))

    assert listed == [very_overdue, overdue, sooner, later]
    assert [c.overdue for c in listed] == [True, True, False, False]


def test_an_agent_sees_their_own_cases_and_the_queue_but_not_a_colleagues(agent):
    own = case(assignee=agent)
    queue = case()
    case(assignee=UserFactory(username="colleague"))

    assert set(follow_up_list(user=agent)) == {own, queue}


def test_someone_without_a_role_sees_no_case(outsider):
    case()

    assert not follow_up_list(user=outsider).exists()


def test_resolved_cases_are_listed_apart_latest_first(manager):
    open_case = case()
    first = case(status=FollowUpStatus.RESOLVED, resolved_at=NOW - timedelta(days=2), outcome="x")
    second = case(status=FollowUpStatus.RESOLVED, resolved_at=NOW - timedelta(days=1), outcome="y")

    assert list(follow_up_list(user=manager, scope=SCOPE_RESOLVED)) == [second, first]
    assert list(follow_up_list(user=manager, scope=SCOPE_ALL)) == [open_case, second, first]


def test_the_queue_filter_keeps_unassigned_cases(manager, agent):
    queued = case()
    case(assignee=agent)

    assert list(follow_up_list(user=manager, assignee=ASSIGNEE_QUEUE)) == [queued]


def test_an_agent_cannot_open_a_colleagues_case(agent):
    foreign = case(assignee=UserFactory(username="colleague"))

    with pytest.raises(FollowUp.DoesNotExist):
        follow_up_detail(follow_up_id=foreign.pk, user=agent)


# --- Recovery ---------------------------------------------------------------------------


def test_a_later_nps_answer_shows_whether_the_customer_was_recovered(manager):
    recovered, still_unhappy, silent = case(), case(), case()
    nps_response(9, customer=recovered.customer, at=NOW)
    nps_response(4, customer=still_unhappy.customer, at=NOW)
    nps_response(10, at=NOW)  # someone else's answer

    by_id = {c.pk: c for c in with_recovery(follow_up_list(user=manager))}

    assert (by_id[recovered.pk].recovery.score, by_id[recovered.pk].recovery.category) == (9, "promoter")
    assert by_id[recovered.pk].recovery.recovered
    assert by_id[still_unhappy.pk].recovery.category == "detractor"
    assert not by_id[still_unhappy.pk].recovery.recovered
    assert by_id[silent.pk].recovery is None


def test_the_latest_later_answer_counts_and_earlier_ones_do_not(manager):
    detractor_case = case()
    nps_response(10, customer=detractor_case.customer, at=NOW - timedelta(days=3))  # before the case
    nps_response(8, customer=detractor_case.customer, at=NOW - timedelta(minutes=30))
    nps_response(5, customer=detractor_case.customer, at=NOW)

    detail = follow_up_detail(follow_up_id=detractor_case.pk, user=manager)

    assert (detail.recovery.score, detail.recovery.category) == (5, "detractor")


# --- Taking and assigning -------------------------------------------------------------------


def test_an_agent_takes_a_queue_case(agent):
    queued = case()

    follow_up_take(follow_up_id=queued.pk, user=agent)

    taken = refreshed(queued)
    assert taken.assignee == agent
    assert "took the case from the queue" in taken.notes


def test_taking_an_open_case_starts_it(agent):
    queued = case()

    follow_up_take(follow_up_id=queued.pk, user=agent)

    taken = refreshed(queued)
    assert taken.status == FollowUpStatus.IN_PROGRESS
    assert taken.notes.endswith("took the case from the queue. Open → In progress.")


def test_taking_a_case_further_along_keeps_its_status(agent):
    queued = case(status=FollowUpStatus.CONTACTED)  # a manager handed it back to the queue

    follow_up_take(follow_up_id=queued.pk, user=agent)

    assert refreshed(queued).status == FollowUpStatus.CONTACTED


def test_a_case_taken_by_someone_else_cannot_be_taken(agent):
    colleague = UserFactory(username="colleague")
    queued = case(assignee=colleague)

    with pytest.raises(ValidationError, match="took this case already"):
        follow_up_take(follow_up_id=queued.pk, user=agent)
    assert refreshed(queued).assignee == colleague


def test_someone_without_a_role_cannot_take_a_case(outsider):
    queued = case()

    with pytest.raises(PermissionDenied):
        follow_up_take(follow_up_id=queued.pk, user=outsider)


def test_a_manager_assigns_a_case_and_back_to_the_queue(manager, agent):
    queued = case()

    follow_up_assign(follow_up_id=queued.pk, assignee=agent, by=manager)
    assert refreshed(queued).assignee == agent
    follow_up_assign(follow_up_id=queued.pk, assignee=None, by=manager)
    assert refreshed(queued).assignee is None


def test_an_agent_cannot_assign(agent):
    queued = case()

    with pytest.raises(PermissionDenied):
        follow_up_assign(follow_up_id=queued.pk, assignee=agent, by=agent)


def test_a_case_goes_only_to_someone_with_a_role(manager, outsider):
    queued = case()

    with pytest.raises(ValidationError):
        follow_up_assign(follow_up_id=queued.pk, assignee=outsider, by=manager)


# --- Moving a case forward ------------------------------------------------------------------


def test_a_case_moves_forward_to_resolved_with_an_outcome(agent):
    mine = case(assignee=agent)

    follow_up_progress(follow_up_id=mine.pk, by=agent, status="in_progress", note="Calling now")
    follow_up_progress(follow_up_id=mine.pk, by=agent, status="contacted", note="Apologised on the phone")
    follow_up_progress(follow_up_id=mine.pk, by=agent, status="resolved", outcome="Refund or credit given")

    done = refreshed(mine)
    assert done.status == FollowUpStatus.RESOLVED
    assert done.outcome == "Refund or credit given"
    assert done.resolved_at is not None and done.resolved_at >= NOW
    lines = done.notes.splitlines()
    assert len(lines) == 3
    assert "Open → In progress. Calling now" in lines[0]
    assert "Contacted → Resolved. Outcome: Refund or credit given." in lines[2]


@pytest.mark.parametrize("outcome", ["Apologised for the service.", "Refunded!", "Issue fixed"])
def test_notes_close_each_sentence_with_one_full_stop(manager, outcome):
    mine = case()

    follow_up_progress(
        follow_up_id=mine.pk, by=manager, status="resolved", outcome=outcome, note="She thanked us."
    )

    notes = refreshed(mine).notes
    assert ".." not in notes and "!." not in notes
    assert f"Outcome: {outcome.rstrip('.!')}" in notes and notes.endswith("She thanked us.")


def test_a_name_ending_in_a_full_stop_gets_no_second_one(manager, agent):
    agent.first_name, agent.last_name = "Sam", "Lee Jr."
    agent.save()

    follow_up_assign(follow_up_id=case().pk, assignee=agent, by=manager)

    assert FollowUp.objects.get().notes.endswith("assigned the case to Sam Lee Jr.")


def test_resolving_needs_an_outcome(agent):
    mine = case(assignee=agent)

    with pytest.raises(ValidationError) as refused:
        follow_up_progress(follow_up_id=mine.pk, by=agent, status="resolved")

    assert "outcome" in refused.value.message_dict
    assert refreshed(mine).status == FollowUpStatus.OPEN


def test_a_case_never_moves_backward(agent):
    mine = case(assignee=agent, status=FollowUpStatus.CONTACTED)

    with pytest.raises(ValidationError, match="only moves forward"):
        follow_up_progress(follow_up_id=mine.pk, by=agent, status="in_progress")


def test_a_resolved_case_takes_a_note_but_no_change(agent):
    done = case(assignee=agent, status=FollowUpStatus.RESOLVED, resolved_at=NOW, outcome="Fixed")

    follow_up_progress(follow_up_id=done.pk, by=agent, status="resolved", note="Customer wrote to thank us")
    with pytest.raises(ValidationError, match="resolved and closed"):
        follow_up_progress(follow_up_id=done.pk, by=agent, status="open")

    after = refreshed(done)
    assert after.status == FollowUpStatus.RESOLVED and after.resolved_at == done.resolved_at
    assert "Customer wrote to thank us" in after.notes


def test_an_agent_takes_a_queue_case_before_working_it(agent):
    queued = case()

    with pytest.raises(PermissionDenied, match="Take the case"):
        follow_up_progress(follow_up_id=queued.pk, by=agent, status="in_progress")


def test_an_agent_cannot_work_a_colleagues_case(agent):
    foreign = case(assignee=UserFactory(username="colleague"))

    with pytest.raises(PermissionDenied):
        follow_up_progress(follow_up_id=foreign.pk, by=agent, status="in_progress")


def test_a_manager_works_any_case(manager):
    foreign = case(assignee=UserFactory(username="colleague"))

    follow_up_progress(follow_up_id=foreign.pk, by=manager, status="contacted", note="Called myself")

    assert refreshed(foreign).status == FollowUpStatus.CONTACTED


def test_saving_nothing_is_refused(agent):
    mine = case(assignee=agent)

    with pytest.raises(ValidationError, match="Nothing to save"):
        follow_up_progress(follow_up_id=mine.pk, by=agent, status="open", note="   ")


def test_the_case_list_is_one_query_however_many_cases(manager, django_assert_num_queries):
    for _ in range(12):
        recovered = case(assignee=UserFactory())
        nps_response(9, customer=recovered.customer, at=NOW)
    user_roles(manager)  # the role lookup is cached on the user, once per request

    with django_assert_num_queries(1):
        listed = with_recovery(follow_up_list(user=manager))
        [(c.customer.name, c.assignee.username, c.response.survey.name) for c in listed]
