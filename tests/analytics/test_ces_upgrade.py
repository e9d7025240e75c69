"""Rollups written before they stored Σx² of the CES answers: the migration marks their days stale,
the figures show the CES mean without an interval (never an error, never a made-up spread) until
the refresh has recomputed them, and then the interval is the one a rebuild gives."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from analytics.models import ResponseRollup, StaleKind, StaleMark, coarse_models_of
from analytics.selectors import MetricFilters, response_summary
from analytics.services import metrics_rebuild, metrics_refresh_stale
from surveys.models import Question
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InvitationFactory,
    QuestionFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db

migration = importlib.import_module("analytics.migrations.0012_ces_sum_squares")


@pytest.fixture
def answered(db):
    question = QuestionFactory(type=Question.Type.CES)
    customer = CustomerFactory(segment="smb")
    for days, score in ((1, 2), (1, 6), (2, 7), (2, 5)):
        response = ResponseFactory(
            invitation=InvitationFactory(survey=question.survey, customer=customer),
            submitted_at=timezone.now() - timedelta(days=days),
        )
        AnswerFactory(response=response, question=question, score=score)
    metrics_rebuild()


@pytest.mark.parametrize("filters", [MetricFilters(), MetricFilters(segment="smb")])  # coarse and fine rows
def test_days_without_the_sum_of_squares_show_the_mean_until_refreshed(answered, filters):
    rebuilt = response_summary(filters=filters).ces
    assert rebuilt.n == 4 and rebuilt.ci_low < rebuilt.mean < rebuilt.ci_high
    for model in (ResponseRollup, *coarse_models_of(ResponseRollup)):  # the rows as the upgrade found them
        model.objects.update(ces_sum_squares=0)

    before = response_summary(filters=filters).ces
    assert (before.n, before.mean, before.easy_share) == (rebuilt.n, rebuilt.mean, rebuilt.easy_share)
    assert (before.sd, before.ci_low, before.ci_high) == (None, None, None)

    migration.mark_ces_days_stale(apps, None)
    assert StaleMark.objects.filter(kind=StaleKind.RESPONSE_DAY).count() == 2  # the two days with CES
    metrics_refresh_stale()
    assert response_summary(filters=filters).ces == rebuilt
