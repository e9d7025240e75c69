"""Metrics endpoints at the edges: no data gives nulls, a certain change, invalid filters, caps."""

import math
from datetime import UTC, date, datetime

import pytest

from analytics.selectors import MetricFilters, response_comparison
from analytics.services import metrics_rebuild
from surveys.models import Question
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InvitationFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
)

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


METRICS = ["nps", "csat", "ces", "expectation", "peak-end", "drivers"]


@pytest.mark.parametrize("metric", METRICS)
def test_an_unknown_survey_is_400_naming_the_field_not_figures_of_nothing(api, db, metric):
    SurveyFactory()
    errors = assert_error(
        api.get(f"/api/v1/metrics/{metric}/", {"survey": 987654}), 400, "does_not_exist", "survey"
    )
    assert errors == [{"field": "survey", "code": "does_not_exist", "message": "No survey with id 987654."}]


def test_a_segment_no_customer_has_is_400(api, db):
    CustomerFactory(segment="smb")
    errors = assert_error(
        api.get("/api/v1/metrics/csat/", {"segment": "SMB"}), 400, "does_not_exist", "segment"
    )
    assert errors[0]["message"] == "No customer has the segment 'SMB'."


def test_a_segment_some_customer_has_without_answers_gives_null_figures(api, db):
    CustomerFactory(segment="smb")
    body = api.get("/api/v1/metrics/ces/", {"segment": "smb"}).json()
    assert body["summary"] == {
        "responses": 0,
        "ces": {
            "n": 0,
            "mean": None,
            "sd": None,
            "ci_low": None,
            "ci_high": None,
            "easy": 0,
            "easy_share": None,
            "easy_ci_low": None,
            "easy_ci_high": None,
        },
    }


def test_an_unknown_journey_map_is_400(api, db):
    assert_error(
        api.get("/api/v1/metrics/peak-end/", {"journey_map": 424242}), 400, "does_not_exist", "journey_map"
    )


def test_every_unknown_reference_is_reported_with_its_field(api, db):
    errors = assert_error(
        api.get("/api/v1/metrics/nps/", {"survey": 5, "touchpoint": "nope", "segment": "nobody"}), 400
    )
    assert sorted((e["field"], e["code"]) for e in errors) == [
        ("segment", "does_not_exist"),
        ("survey", "does_not_exist"),
        ("touchpoint", "does_not_exist"),
    ]
