"""Metrics endpoints at the edges: no data gives nulls, a certain change, invalid filters, caps."""

import math
from datetime import UTC, date, datetime

import pytest

from analytics.selectors import MetricFilters, response_comparison
from analytics.services import metrics_rebuild
from surveys.models import Question
from tests.factories import AnswerFactory, InvitationFactory, QuestionFactory, ResponseFactory, SurveyFactory

from .conftest import assert_error

pytestmark = pytest.mark.django_db


def test_without_data_every_figure_is_null_not_zero(api, db):
    body = api.get("/api/v1/metrics/nps/", {"start": "2030-01-01", "end": "2030-01-31"}).json()
    assert body["summary"]["nps"]["nps"] is None and body["summary"]["nps"]["ci_low"] is None
    assert body["comparison"]["change"] == {"diff": None, "z": None, "significant": None}
    expectation = api.get("/api/v1/metrics/expectation/").json()["summary"]["survey"]
    assert expectation["geometric_mean"] is None and expectation["share_met"] is None
    assert api.get("/api/v1/metrics/peak-end/").json()["summary"]["mean_peak_end"] is None


def test_a_certain_difference_has_a_null_z_and_is_significant(api, db):
    survey = SurveyFactory()
    question = QuestionFactory(survey=survey, type=Question.Type.NPS)
    for day, score in ((date(2025, 1, 5), 10), (date(2024, 12, 20), 0)):
        response = ResponseFactory(
            invitation=InvitationFactory(survey=survey),
            submitted_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
        )
        AnswerFactory(response=response, question=question, score=score)
    metrics_rebuild()
    change = api.get("/api/v1/metrics/nps/", {"start": "2025-01-01", "end": "2025-01-31"}).json()[
        "comparison"
    ]["change"]
    assert change == {"diff": 200.0, "z": None, "significant": True}
    assert math.isinf(
        response_comparison(filters=MetricFilters(start=date(2025, 1, 1), end=date(2025, 1, 31))).nps_change.z
    )


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"start": "2025-02-01", "end": "2025-01-01"}, "end", "invalid"),
        ({"start": "tomorrow"}, "start", "invalid"),
        ({"touchpoint": "nope"}, "touchpoint", "does_not_exist"),
        ({"interval": "hour"}, "interval", "invalid_choice"),
        ({"stage": "later"}, "stage", "invalid_choice"),
        ({"survey": "x"}, "survey", "invalid"),
        ({"start": "0001-01-01", "end": "0001-01-02"}, "start", "invalid"),
    ],
)
def test_invalid_filters_are_400(api, db, query, field, code):
    assert_error(api.get("/api/v1/metrics/nps/", query), 400, code, field)


def test_a_daily_series_over_too_many_periods_is_refused(api, db, monkeypatch):
    monkeypatch.setattr("analytics.api.metric_periods.MAX_PERIODS", 0)
    survey = SurveyFactory()
    response = ResponseFactory(invitation=InvitationFactory(survey=survey))
    AnswerFactory(
        response=response, question=QuestionFactory(survey=survey, type="rating", driver="price"), score=3
    )
    metrics_rebuild()
    assert_error(api.get("/api/v1/metrics/drivers/", {"interval": "day"}), 400, field="interval")
