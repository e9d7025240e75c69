"""Key-driver and invitation rollups: the SQL sums give what ``analytics.metrics`` gives on raw answers."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.metrics import key_drivers
from analytics.models import DriverRollup, InvitationRollup, StaleKind, StaleMark
from analytics.selectors import MetricFilters, driver_summary, invitation_summary
from analytics.services import metrics_mark_stale, metrics_refresh_stale, rollup_refresh_days
from surveys.models import Invitation, Question
from tests.analytics.twins import twin_differences
from tests.factories import AnswerFactory, InvitationFactory, QuestionFactory, ResponseFactory, SurveyFactory

DAY = date(2026, 4, 6)


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_default_timezone())


@pytest.fixture
def driver_survey(db):
    survey = SurveyFactory()
    return {
        "nps": QuestionFactory(survey=survey, type=Question.Type.NPS),
        "service": QuestionFactory(survey=survey, type=Question.Type.CSAT, driver="service"),
        "price": QuestionFactory(
            survey=survey, type=Question.Type.RATING, scale_min=0, scale_max=4, driver="price"
        ),
    }


class _Rollback(Exception):
    pass


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    answers=st.lists(
        st.tuples(
            st.none() | st.integers(0, 10), st.none() | st.integers(1, 5), st.none() | st.integers(0, 4)
        ),
        min_size=28,
        max_size=45,
    )
)
def test_driver_rollup_equals_key_drivers_on_the_normalised_ratings(driver_survey, answers):
    from django.db import transaction

    try:
        with transaction.atomic():
            questions = driver_survey
            for nps, service, price in answers:
                response = ResponseFactory(invitation__survey=questions["nps"].survey, submitted_at=at(DAY))
                for key, score in (("nps", nps), ("service", service), ("price", price)):
                    if score is not None:
                        AnswerFactory(response=response, question=questions[key], score=score)
            rollup_refresh_days(kind=StaleKind.RESPONSE_DAY, days=[DAY], force=True)
            rolled = {r.dimension: r for r in driver_summary(filters=MetricFilters())}
            # CSAT 1–5 and a 0–4 rating, both read on 0–10 as the rollup reads them.
            raw = key_drivers(
                {
                    "service": [None if s is None else 10 * (s - 1) / 4 for _, s, _ in answers],
                    "price": [None if p is None else 10 * p / 4 for _, _, p in answers],
                    "nps": [n for n, _, _ in answers],
                },
                outcome="nps",
            )
            for want in raw:
                if want.performance is None:
                    assert want.dimension not in rolled
                    continue
                got = rolled[want.dimension]
                assert (got.n, got.enough_data) == (want.n, want.enough_data)
                assert got.performance == pytest.approx(want.performance, abs=1e-9)
                if want.importance is None:
                    assert got.importance is None
                else:
                    assert got.importance == pytest.approx(want.importance, abs=1e-9)
            assert twin_differences() == []
            raise _Rollback
    except _Rollback:
        pass


def test_a_rating_pairs_with_the_first_nps_answer_when_a_survey_asks_twice(driver_survey):
    survey, nps = driver_survey["nps"].survey, driver_survey["nps"]
    nps.order = 1000
    nps.save(update_fields=["order"])
    # Created after the other NPS question but asked before it: the question order decides, not the id.
    asked_first = QuestionFactory(survey=survey, type=Question.Type.NPS, order=999)
    response = ResponseFactory(invitation__survey=survey, submitted_at=at(DAY))
    AnswerFactory(response=response, question=nps, score=9)
    AnswerFactory(response=response, question=asked_first, score=2)
    AnswerFactory(response=response, question=driver_survey["service"], score=5)
    skipped_first = ResponseFactory(invitation__survey=survey, submitted_at=at(DAY))
    AnswerFactory(response=skipped_first, question=nps, score=4)  # the first NPS question was left blank
    AnswerFactory(response=skipped_first, question=driver_survey["service"], score=1)
    rollup_refresh_days(kind=StaleKind.RESPONSE_DAY, days=[DAY], force=True)

    row = DriverRollup.objects.get(dimension="service")
    assert (row.pairs, row.ratings) == (2, 2)
    assert row.sum_y == 2 + 4
    assert row.sum_xy == 10.0 * 2 + 0.0 * 4
    assert twin_differences() == []


def test_ratings_of_questions_without_a_driver_are_not_drivers(driver_survey):
    plain = QuestionFactory(survey=driver_survey["nps"].survey, type=Question.Type.CSAT)
    response = ResponseFactory(invitation__survey=plain.survey, submitted_at=at(DAY))
    AnswerFactory(response=response, question=plain, score=5)
    rollup_refresh_days(kind=StaleKind.RESPONSE_DAY, days=[DAY], force=True)
    assert driver_summary(filters=MetricFilters()) == []


def sent(day: date, **kwargs) -> Invitation:
    return InvitationFactory(status=Invitation.Status.SENT, sent_at=at(day), **kwargs)


def test_the_response_rate_is_answered_over_sent_by_sending_day(db):
    answered = sent(DAY)
    sent(DAY)
    sent(DAY + timedelta(days=1))
    InvitationFactory()  # queued, never sent: not counted
    ResponseFactory(invitation=answered, submitted_at=at(DAY + timedelta(days=3)))
    rollup_refresh_days(kind=StaleKind.INVITATION_DAY, days=[DAY, DAY + timedelta(days=1)], force=True)
    one_day = invitation_summary(filters=MetricFilters(start=DAY, end=DAY))
    both = invitation_summary(filters=MetricFilters(start=DAY, end=DAY + timedelta(days=1)))
    assert (one_day.sent, one_day.responded, one_day.response_rate) == (2, 1, 0.5)
    assert (both.sent, both.responded) == (3, 1)
    assert invitation_summary(filters=MetricFilters(start=DAY + timedelta(days=5))).response_rate is None
    assert twin_differences() == []


def test_an_answer_marks_the_sending_day_of_its_invitation(db):
    invitation = sent(DAY)
    rollup_refresh_days(kind=StaleKind.INVITATION_DAY, days=[DAY], force=True)
    assert InvitationRollup.objects.get().responded == 0
    response = ResponseFactory(invitation=invitation, submitted_at=at(DAY + timedelta(days=2)))
    metrics_mark_stale(response_ids=[response.id])
    assert StaleMark.objects.filter(kind=StaleKind.INVITATION_DAY, day=DAY).exists()
    metrics_refresh_stale()
    assert InvitationRollup.objects.get().responded == 1


def test_sending_an_invitation_marks_its_day(db, settings):
    from surveys.services.invitations import invitation_create, invitation_send

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    invitation = invitation_create(survey=SurveyFactory(), customer=InvitationFactory().customer)
    invitation_send(invitation_id=invitation.id)
    assert StaleMark.objects.filter(kind=StaleKind.INVITATION_SENT).exists()
    metrics_refresh_stale()
    assert invitation_summary(filters=MetricFilters()).sent == 1
