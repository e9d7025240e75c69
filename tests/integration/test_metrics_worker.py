"""A committed response reaches the rollups through a real Celery worker on PostgreSQL and Redis."""

import pytest
from django.db import transaction
from django.utils import timezone

from analytics.models import ResponseRollup, StaleMark
from analytics.services import metrics_mark_stale
from followups.models import FollowUp
from surveys.models import Question
from tests.factories import AnswerFactory, QuestionFactory, ResponseFactory

from .conftest import wait_for

pytestmark = pytest.mark.integration


def test_a_committed_response_is_rolled_up_by_the_worker(celery_worker):
    question = QuestionFactory(type=Question.Type.NPS)
    with transaction.atomic():
        response = ResponseFactory(invitation__survey=question.survey, submitted_at=timezone.now())
        AnswerFactory(response=response, question=question, score=3)
        metrics_mark_stale(response_ids=[response.id])
        assert not ResponseRollup.objects.exists()  # nothing runs inline or before commit

    row = wait_for(lambda: ResponseRollup.objects.filter(survey=question.survey).first())
    assert row is not None, "the worker did not refresh the rollup within 30 s"
    assert (row.nps_n, row.nps_detractors) == (1, 1)
    assert wait_for(lambda: not StaleMark.objects.exists(), timeout=10)
    case = FollowUp.objects.get(response=response)  # a detractor opens a case in the same refresh
    assert (case.reason, case.score) == (FollowUp.Reason.DETRACTOR, 3.0)
