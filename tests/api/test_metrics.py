"""The metrics endpoints answer exactly what the selectors (and so the dashboards) compute."""

import json
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction

from analytics.metrics import driver_quadrants
from analytics.selectors import (
    MetricFilters,
    driver_summary,
    expectation_by_touchpoint,
    interaction_summary,
    journey_summary,
    moments_of_truth,
    response_comparison,
    response_series,
    response_summary,
)
from analytics.services import metrics_rebuild
from surveys.models import Question
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
)
from touchpoints.models import Direction

pytestmark = pytest.mark.django_db

FIRST = date(2025, 1, 1)
DAYS = 60


def at(day_offset: int, hour: int) -> datetime:
    day = FIRST + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction rolled back at its end (each test runs in a
    savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_dataset()
        transaction.set_rollback(True)


def build_dataset() -> dict:
    """60 days of responses (NPS, an expectation pair, two driver ratings), interactions with
    scores and measures, and journeys; then the rollups rebuilt as the workers would."""
    rng = random.Random(20250101)
    delivery = TouchpointFactory(
        code="delivery",
        stage="post_sale",
        channel="in_store",
        floor_score=4,
        measure_name="Delivery time",
        measure_unit="days",
        measure_direction=Direction.LOWER_IS_BETTER,
    )
    web = TouchpointFactory(code="web", stage="pre_sale", channel="web", floor_score=5)
    customers = [
        CustomerFactory(segment=seg, value_tier=tier)
        for seg, tier in [("smb", "gold"), ("smb", "standard"), ("consumer", "standard"), ("", "silver")] * 3
    ]
    survey = SurveyFactory(kind="transactional", touchpoint=delivery)
    nps_q = QuestionFactory(survey=survey, order=1, type=Question.Type.NPS)
    pair_q = QuestionFactory(
        survey=survey, order=2, type=Question.Type.EXPECTATION_EXPERIENCE, scale_min=1, scale_max=10
    )
    service_q = QuestionFactory(
        survey=survey, order=3, type=Question.Type.RATING, scale_min=1, scale_max=5, driver="service"
    )
    price_q = QuestionFactory(
        survey=survey, order=4, type=Question.Type.RATING, scale_min=1, scale_max=5, driver="price"
    )
    csat_q = QuestionFactory(survey=survey, order=5, type=Question.Type.CSAT)
    ces_q = QuestionFactory(survey=survey, order=6, type=Question.Type.CES)
    effort = random.Random(7)  # CSAT and CES from their own stream: the other answers stay as they were
    other = SurveyFactory()
    other_nps = QuestionFactory(survey=other, order=1, type=Question.Type.NPS)
    for _ in range(90):
        day, customer = rng.randrange(DAYS), rng.choice(customers)
        touchpoint = rng.choice([delivery, web])
        interaction = InteractionFactory(
            customer=customer,
            touchpoint=touchpoint,
            channel=touchpoint.channel,
            occurred_at=at(day, 9),
            experience_score=rng.randint(0, 10),
            expected_value=rng.choice([None, 2, 3]),
            actual_value=rng.choice([1, 2, 4]),
        )
        use_other = rng.random() < 0.3
        invitation = InvitationFactory(
            survey=other if use_other else survey, customer=customer, interaction=interaction
        )
        response = ResponseFactory(invitation=invitation, submitted_at=at(day, 15))
        nps = rng.choices(range(11), weights=[1, 1, 1, 1, 2, 2, 3, 5, 8, 8, 6])[0]
        if use_other:
            AnswerFactory(response=response, question=other_nps, score=nps)
            continue
        AnswerFactory(response=response, question=nps_q, score=nps)
        AnswerFactory(
            response=response, question=pair_q, expected=rng.randint(3, 9), score=rng.randint(1, 10)
        )
        AnswerFactory(response=response, question=service_q, score=min(5, max(1, round(nps / 2))))
        AnswerFactory(response=response, question=price_q, score=rng.randint(1, 5))
        if effort.random() < 0.8:
            AnswerFactory(response=response, question=csat_q, score=effort.randint(1, 5))
        if effort.random() < 0.6:
            AnswerFactory(response=response, question=ces_q, score=effort.randint(1, 7))
    for _ in range(15):
        customer = rng.choice(customers)
        day = rng.randrange(DAYS - 5)
        journey = JourneyFactory(customer=customer, started_at=at(day, 8))
        for step in range(rng.randint(1, 4)):
            touchpoint = rng.choice([delivery, web])
            InteractionFactory(
                customer=customer,
                journey=journey,
                touchpoint=touchpoint,
                channel=touchpoint.channel,
                occurred_at=at(day + step, 10),
                experience_score=rng.randint(0, 10),
            )
    metrics_rebuild()
    return {"survey": survey, "delivery": delivery, "web": web, "journey_map_id": journey.journey_map_id}


def round_trip(value):
    """A selector figure as JSON would carry it: non-finite floats are null."""
    return json.loads(
        json.dumps(value, default=str, allow_nan=True).replace("Infinity", "null").replace("NaN", "null")
    )


def nps_dict(figures) -> dict:
    n = figures.nps
    return {"responses": figures.responses, "nps": round_trip(vars_of(n))}


def vars_of(obj) -> dict:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


def ratio_dict(ratio) -> dict:
    return round_trip(vars_of(ratio))


FILTER_SETS = [
    {},
    {"start": "2025-01-10", "end": "2025-02-08"},
    {"start": "2025-01-01", "end": "2025-01-31", "segment": "smb"},
    {"touchpoint": "delivery", "value_tier": "standard"},
    {"stage": "pre_sale", "channel": "web"},
]


def to_filters(params: dict, dataset, **extra) -> MetricFilters:
    return MetricFilters(
        start=date.fromisoformat(params["start"]) if "start" in params else None,
        end=date.fromisoformat(params["end"]) if "end" in params else None,
        survey_id=params.get("survey"),
        touchpoint_id=dataset[params["touchpoint"]].id if "touchpoint" in params else None,
        stage=params.get("stage"),
        channel=params.get("channel"),
        segment=params.get("segment"),
        value_tier=params.get("value_tier"),
        **extra,
    )


@pytest.mark.parametrize("params", FILTER_SETS)
@pytest.mark.parametrize("interval", [None, "week"])
def test_nps_equals_the_selectors(api, dataset, params, interval):
    query = {**params, **({"interval": interval} if interval else {})}
    body = api.get("/api/v1/metrics/nps/", query).json()
    filters = to_filters(params, dataset)
    summary = response_summary(filters=filters)
    assert body["summary"] == nps_dict(summary)
    assert summary.responses > 0 or params.get("stage")
    if interval:
        expected = [
            {"period": str(p.period), **nps_dict(p.figures)}
            for p in response_series(filters=filters, interval=interval)
        ]
        assert body["series"] == expected and expected
    else:
        assert body["series"] is None
    if filters.days:
        comparison = response_comparison(filters=filters)
        assert body["comparison"]["previous"] == nps_dict(comparison.previous)
        assert body["comparison"]["change"] == round_trip(vars_of(comparison.nps_change))
        assert body["comparison"]["previous_end"] == str(filters.start - timedelta(days=1))
    else:
        assert body["comparison"] is None


def test_nps_of_a_survey(api, dataset):
    survey = dataset["survey"]
    body = api.get("/api/v1/metrics/nps/", {"survey": survey.id}).json()
    assert body["summary"] == nps_dict(response_summary(filters=MetricFilters(survey_id=survey.id)))


@pytest.mark.parametrize("params", FILTER_SETS)
@pytest.mark.parametrize(("path", "figure"), [("csat", "csat"), ("ces", "ces")])
@pytest.mark.parametrize("interval", [None, "week"])
def test_csat_and_ces_equal_the_selectors(api, dataset, params, path, figure, interval):
    query = {**params, **({"interval": interval} if interval else {})}
    body = api.get(f"/api/v1/metrics/{path}/", query).json()
    filters = to_filters(params, dataset)
    summary = response_summary(filters=filters)

    def figures_dict(figures) -> dict:
        return {"responses": figures.responses, figure: round_trip(vars_of(getattr(figures, figure)))}

    assert body["summary"] == figures_dict(summary)
    assert getattr(summary, figure).n > 0 or params.get("stage")
    if figure == "ces" and summary.ces.n >= 2:
        assert summary.ces.ci_low < summary.ces.mean < summary.ces.ci_high  # the rollups carry Σx²
    if interval:
        expected = [
            {"period": str(p.period), **figures_dict(p.figures)}
            for p in response_series(filters=filters, interval=interval)
        ]
        assert body["series"] == expected and expected
    else:
        assert body["series"] is None
    assert body["filters"]["interval"] == interval


@pytest.mark.parametrize("params", FILTER_SETS)
def test_expectation_equals_the_selectors(api, dataset, params):
    body = api.get("/api/v1/metrics/expectation/", {**params, "interval": "month"}).json()
    filters = to_filters(params, dataset)
    assert body["summary"]["survey"] == ratio_dict(response_summary(filters=filters).expectation)
    assert body["summary"]["measure"] == ratio_dict(interaction_summary(filters=filters).measure)
    expected = [
        {
            "touchpoint": dataset_code(dataset, item.touchpoint_id),
            "name": item.label,
            "survey": ratio_dict(item.survey),
            "measure": ratio_dict(item.measure),
        }
        for item in expectation_by_touchpoint(filters=filters)
    ]
    assert body["by_touchpoint"] == expected
    assert body["series"] == [
        {"period": str(p.period), "survey": ratio_dict(p.figures.expectation)}
        for p in response_series(filters=filters, interval="month")
    ]


def test_expectation_with_a_survey_filter_has_no_measure(api, dataset):
    body = api.get("/api/v1/metrics/expectation/", {"survey": dataset["survey"].id}).json()
    assert body["summary"]["measure"] is None and body["summary"]["survey"]["n"] > 0


def dataset_code(dataset, touchpoint_id: int) -> str:
    return next(tp.code for tp in (dataset["delivery"], dataset["web"]) if tp.id == touchpoint_id)


def journey_dict(figures) -> dict:
    return round_trip(
        {
            **vars_of(figures.aggregate),
            "floor_breaches": figures.floor_breaches,
            "distribution": figures.distribution,
        }
    )


@pytest.mark.parametrize("params", [{}, {"segment": "smb"}, {"start": "2025-01-05", "end": "2025-02-20"}])
def test_peak_end_equals_the_selectors(api, dataset, params):
    body = api.get("/api/v1/metrics/peak-end/", {**params, "interval": "week"}).json()
    filters = to_filters(params, dataset)
    summary = journey_summary(filters=filters)
    assert summary.aggregate.journeys > 0
    assert body["summary"] == journey_dict(summary)
    assert body["moments_of_truth"] == [
        {
            "touchpoint": dataset_code(dataset, m.touchpoint_id),
            "name": m.label,
            "peaks": m.peaks,
            "negative_peaks": m.negative_peaks,
            "ends": m.ends,
            "negative_ends": m.negative_ends,
        }
        for m in moments_of_truth(filters=filters)
    ]
    # The series: each week's figures are the summary of that week's days; together they add up.
    assert sum(point["summary"]["journeys"] for point in body["series"]) == summary.aggregate.journeys
    for point in body["series"]:
        first = date.fromisoformat(point["period"])
        week = replace(
            filters,
            start=max(first, filters.start or first),
            end=min(first + timedelta(days=6), filters.end or first + timedelta(days=6)),
        )
        assert point["summary"] == journey_dict(journey_summary(filters=week))


def test_peak_end_by_journey_map(api, dataset):
    journey_map_id = dataset["journey_map_id"]
    body = api.get("/api/v1/metrics/peak-end/", {"journey_map": journey_map_id}).json()
    assert body["summary"] == journey_dict(
        journey_summary(filters=MetricFilters(journey_map_id=journey_map_id))
    )


def driver_dicts(results) -> list[dict]:
    quadrants = driver_quadrants(results)
    labels = {"service": "Service", "price": "Price"}
    return [
        round_trip(
            {
                "dimension": r.dimension,
                "label": labels[r.dimension],
                "n": r.n,
                "importance": r.importance,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "performance": r.performance,
                "enough_data": r.enough_data,
                "quadrant": quadrants[r.dimension],
            }
        )
        for r in results
    ]


@pytest.mark.parametrize("params", [{}, {"segment": "smb"}, {"start": "2025-01-01", "end": "2025-01-31"}])
def test_drivers_equal_the_selectors(api, dataset, params):
    body = api.get("/api/v1/metrics/drivers/", {**params, "interval": "month"}).json()
    filters = to_filters(params, dataset)
    expected = driver_dicts(driver_summary(filters=filters))
    assert body["drivers"] == expected and [d["dimension"] for d in expected] == ["service", "price"]
    for point in body["series"]:
        first = date.fromisoformat(point["period"])
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        month = replace(filters, start=max(first, filters.start or first), end=min(last, filters.end or last))
        assert point["drivers"] == driver_dicts(driver_summary(filters=month))
