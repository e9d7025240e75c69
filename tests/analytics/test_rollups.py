"""The SQL rollups agree with ``analytics.metrics`` on random data, and a split rolls up like the whole.

These run on whatever database the suite uses; CI runs them on PostgreSQL.
"""

import itertools
import math
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.metrics import (
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    ces_counts,
    csat_counts,
    expectation_ratio,
    nps_category,
    nps_from_scores,
    nps_summary,
    ratio_outcome,
)
from analytics.models import InteractionRollup, ResponseRollup, StaleKind
from analytics.services import rollup_refresh_days
from surveys.models import Answer, Invitation, Question, Response
from tests.analytics.twins import twin_differences
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    QuestionFactory,
    SurveyFactory,
    TouchpointFactory,
)
from touchpoints.models import Channel, Stage

FIRST_DAY = date(2026, 3, 1)
DAYS = [FIRST_DAY + timedelta(days=offset) for offset in range(4)]


def at_noon(day: date) -> datetime:
    """Noon of ``day`` in the platform's time zone: inside that day's bucket."""
    return timezone.make_aware(datetime.combine(day, time(12)), timezone.get_default_timezone())


class _Rollback(Exception):
    """Raised to undo one hypothesis example's rows."""


@pytest.fixture
def catalogue(db):
    """One survey with a question of every scored type, two touchpoints and two segments."""
    survey = SurveyFactory()
    questions = {
        "nps": QuestionFactory(survey=survey, type=Question.Type.NPS),
        "csat": QuestionFactory(survey=survey, type=Question.Type.CSAT),
        "ces": QuestionFactory(survey=survey, type=Question.Type.CES),
        "higher": QuestionFactory(
            survey=survey, type=Question.Type.EXPECTATION_EXPERIENCE, direction=HIGHER_IS_BETTER
        ),
        "lower": QuestionFactory(
            survey=survey, type=Question.Type.EXPECTATION_EXPERIENCE, direction=LOWER_IS_BETTER
        ),
    }
    touchpoints = [
        TouchpointFactory(stage=Stage.PRE_SALE, channel=Channel.WEB),
        TouchpointFactory(stage=Stage.POST_SALE, channel=Channel.PHONE),
    ]
    customers = [
        CustomerFactory(segment="consumer", value_tier="standard"),
        CustomerFactory(segment="business", value_tier="gold"),
    ]
    return {"survey": survey, "questions": questions, "touchpoints": touchpoints, "customers": customers}


# Pairs include the edges: equal (met), zero experiences (cap / floor), ratios beyond the clamp.
pair_values = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 7.5, 10.0, 40.0])
expectations = st.sampled_from([0.5, 1.0, 2.0, 3.0, 10.0])
a_response = st.fixed_dictionaries(
    {
        "day": st.integers(0, len(DAYS) - 1),
        "customer": st.integers(0, 1),
        "touchpoint": st.sampled_from([None, 0, 1]),
        "channel": st.sampled_from([Channel.WEB, Channel.PHONE]),
        "nps": st.none() | st.integers(0, 10),
        "csat": st.none() | st.integers(1, 5),
        "ces": st.none() | st.integers(1, 7),
        "higher": st.none() | st.tuples(expectations, pair_values),
        "lower": st.none() | st.tuples(expectations, pair_values),
    }
)


def store(catalogue, responses: list[dict]) -> None:
    """Write responses (invitation, optional interaction, answers) in bulk."""
    survey, questions = catalogue["survey"], catalogue["questions"]
    for number, spec in enumerate(responses):
        customer = catalogue["customers"][spec["customer"]]
        moment = at_noon(DAYS[spec["day"]])
        interaction = None
        if spec["touchpoint"] is not None:
            interaction = InteractionFactory(
                customer=customer,
                touchpoint=catalogue["touchpoints"][spec["touchpoint"]],
                channel=spec["channel"],
                occurred_at=moment,
            )
        invitation = Invitation.objects.create(
            survey=survey,
            customer=customer,
            interaction=interaction,
            token_hash=f"{number:064x}",
            send_after=moment,
            expires_at=timezone.now() + timedelta(days=60),
        )
        response = Response.objects.create(
            invitation=invitation, survey=survey, customer=customer, submitted_at=moment, language="en"
        )
        answers = []
        for kind in ("nps", "csat", "ces"):
            if spec[kind] is not None:
                answers.append(Answer(question=questions[kind], score=spec[kind]))
        for kind in ("higher", "lower"):
            if spec[kind] is not None:
                expected, experienced = spec[kind]
                answers.append(Answer(question=questions[kind], score=experienced, expected=expected))
        for answer in answers:
            answer.response = response
            answer.question_type = answer.question.type
        Answer.objects.bulk_create(answers)


def expected_rows(catalogue, responses: list[dict]) -> dict[tuple, dict]:
    """The rollup rows ``analytics.metrics`` gives for the same responses, keyed like the table."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for spec in responses:
        customer = catalogue["customers"][spec["customer"]]
        touchpoint = catalogue["touchpoints"][spec["touchpoint"]] if spec["touchpoint"] is not None else None
        key = (
            DAYS[spec["day"]],
            catalogue["survey"].id,
            touchpoint.id if touchpoint else None,
            touchpoint.stage if touchpoint else "",
            spec["channel"] if touchpoint else "",
            customer.segment,
            customer.value_tier,
        )
        groups[key].append(spec)
    rows = {}
    for key, specs in groups.items():
        nps = [s["nps"] for s in specs if s["nps"] is not None]
        categories = [nps_category(score) for score in nps]
        csat_n, satisfied = csat_counts([s["csat"] for s in specs if s["csat"] is not None])
        ces_n, ces_total, ces_easy = ces_counts([s["ces"] for s in specs if s["ces"] is not None])
        ratios = [
            expectation_ratio(expected=s[kind][0], experienced=s[kind][1], direction=direction)
            for s in specs
            for kind, direction in (("higher", HIGHER_IS_BETTER), ("lower", LOWER_IS_BETTER))
            if s[kind] is not None
        ]
        outcomes = [ratio_outcome(r) for r in ratios]
        rows[key] = {
            "responses": len(specs),
            "nps_n": len(nps),
            "nps_promoters": categories.count("promoter"),
            "nps_passives": categories.count("passive"),
            "nps_detractors": categories.count("detractor"),
            "csat_n": csat_n,
            "csat_satisfied": satisfied,
            "ces_n": ces_n,
            "ces_total": ces_total,
            "ces_easy": ces_easy,
            "ces_sum_squares": sum(s["ces"] ** 2 for s in specs if s["ces"] is not None),
            "ratio_n": len(ratios),
            "ratio_sum_log": math.fsum(math.log(r) for r in ratios),
            "ratio_below": outcomes.count("below"),
            "ratio_met": outcomes.count("met"),
            "ratio_above": outcomes.count("above"),
        }
    return rows


KEY_COLUMNS = {"id", "day", "survey_id", "touchpoint_id", "stage", "channel", "segment", "value_tier"}


def table_rows() -> dict[tuple, dict]:
    """The ResponseRollup table, keyed by its dimensions."""
    rows = {}
    for row in ResponseRollup.objects.values():
        key = (
            row["day"],
            row["survey_id"],
            row["touchpoint_id"],
            row["stage"],
            row["channel"],
            row["segment"],
            row["value_tier"],
        )
        rows[key] = {name: value for name, value in row.items() if name not in KEY_COLUMNS}
    return rows


def assert_same_rows(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    for key, want in expected.items():
        got = dict(actual[key])
        assert got.pop("ratio_sum_log") == pytest.approx(want["ratio_sum_log"], rel=1e-12, abs=1e-12), key
        assert got == {name: value for name, value in want.items() if name != "ratio_sum_log"}, key


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(responses=st.lists(a_response, max_size=25))
def test_sql_rollup_equals_metrics_module_on_random_answers(catalogue, responses):
    try:
        with transaction.atomic():
            store(catalogue, responses)
            rollup_refresh_days(kind=StaleKind.RESPONSE_DAY, days=DAYS, force=True)
            assert_same_rows(table_rows(), expected_rows(catalogue, responses))
            assert twin_differences() == []
            raise _Rollback
    except _Rollback:
        pass


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    responses=st.lists(a_response, min_size=1, max_size=20),
    cuts=st.lists(st.integers(1, len(DAYS) - 1), unique=True, max_size=len(DAYS) - 1),
)
def test_rollup_of_a_split_equals_rollup_of_the_whole(catalogue, responses, cuts):
    """Refreshing the days in any batches gives the table one refresh of all days gives."""
    try:
        with transaction.atomic():
            store(catalogue, responses)
            rollup_refresh_days(kind=StaleKind.RESPONSE_DAY, days=DAYS, force=True)
            whole = table_rows()
            ResponseRollup.objects.all().delete()
            bounds = [0, *sorted(cuts), len(DAYS)]
            for start, stop in itertools.pairwise(bounds):
                rollup_refresh_days(kind=StaleKind.RESPONSE_DAY, days=DAYS[start:stop], force=True)
            assert_same_rows(table_rows(), whole)
            raise _Rollback
    except _Rollback:
        pass


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(responses=st.lists(a_response, min_size=1, max_size=25))
def test_summed_rollup_rows_give_the_nps_of_the_raw_scores(catalogue, responses):
    """NPS is additive: the sum of every bucket's counts is the NPS of all the scores at once."""
    try:
        with transaction.atomic():
            store(catalogue, responses)
            rollup_refresh_days(kind=StaleKind.RESPONSE_DAY, days=DAYS, force=True)
            rows = list(ResponseRollup.objects.values())
            summed = nps_summary(
                promoters=sum(r["nps_promoters"] for r in rows),
                passives=sum(r["nps_passives"] for r in rows),
                detractors=sum(r["nps_detractors"] for r in rows),
            )
            assert summed == nps_from_scores([s["nps"] for s in responses if s["nps"] is not None])
            raise _Rollback
    except _Rollback:
        pass


def test_a_response_without_an_interaction_takes_the_surveys_touchpoint(catalogue):
    survey = catalogue["survey"]
    survey.touchpoint = catalogue["touchpoints"][1]
    survey.save()
    store(catalogue, [{**_blank(), "nps": 10}])
    rollup_refresh_days(kind=StaleKind.RESPONSE_DAY, days=DAYS, force=True)
    row = ResponseRollup.objects.get()
    touchpoint = catalogue["touchpoints"][1]
    assert (row.touchpoint_id, row.stage, row.channel) == (
        touchpoint.id,
        touchpoint.stage,
        touchpoint.channel,
    )


def test_responses_of_another_day_are_left_alone(catalogue):
    store(catalogue, [{**_blank(), "day": 0, "nps": 10}, {**_blank(), "day": 1, "nps": 0}])
    rollup_refresh_days(kind=StaleKind.RESPONSE_DAY, days=[DAYS[1]], force=True)
    row = ResponseRollup.objects.get()
    assert (row.day, row.nps_detractors, row.nps_promoters) == (DAYS[1], 1, 0)


def _blank() -> dict:
    return {
        "day": 0,
        "customer": 0,
        "touchpoint": None,
        "channel": Channel.WEB,
        "nps": None,
        "csat": None,
        "ces": None,
        "higher": None,
        "lower": None,
    }


# --- Interaction rollups: experience, floor breaches and the touchpoint measure -----------------


@pytest.fixture
def delivery(db):
    """A lower-is-better measure: promised days against delivered days, with a floor of 4."""
    return TouchpointFactory(
        name="Delivery",
        stage=Stage.POST_SALE,
        channel=Channel.OTHER,
        floor_score=4.0,
        measure_name="Delivery time",
        measure_unit="days",
        measure_direction=LOWER_IS_BETTER,
    )


def interaction_row() -> InteractionRollup:
    rollup_refresh_days(kind=StaleKind.INTERACTION_DAY, days=DAYS, force=True)
    return InteractionRollup.objects.get()


def test_lower_is_better_measure_promised_three_delivered_in_one_is_a_ratio_of_three(delivery):
    InteractionFactory(touchpoint=delivery, occurred_at=at_noon(DAYS[0]), expected_value=3, actual_value=1)
    row = interaction_row()
    assert (row.ratio_n, row.ratio_above, row.ratio_below, row.ratio_met) == (1, 1, 0, 0)
    assert row.ratio_sum_log == pytest.approx(math.log(3.0), rel=1e-15)


def test_instant_lower_is_better_experience_is_capped_at_ten(delivery):
    InteractionFactory(touchpoint=delivery, occurred_at=at_noon(DAYS[0]), expected_value=3, actual_value=0)
    assert interaction_row().ratio_sum_log == pytest.approx(math.log(10.0), rel=1e-15)


def test_a_measure_delivered_as_promised_is_met(delivery):
    InteractionFactory(
        touchpoint=delivery, occurred_at=at_noon(DAYS[0]), expected_value=2.5, actual_value=2.5
    )
    row = interaction_row()
    assert (row.ratio_met, row.ratio_sum_log) == (1, 0.0)


def test_values_at_a_touchpoint_without_a_measure_make_no_ratio(db):
    plain = TouchpointFactory()
    InteractionFactory(touchpoint=plain, occurred_at=at_noon(DAYS[0]), expected_value=3, actual_value=1)
    assert interaction_row().ratio_n == 0


def test_experience_scores_and_floor_breaches_are_counted(delivery):
    for score in (3.0, 4.0, 9.0, None):
        InteractionFactory(touchpoint=delivery, occurred_at=at_noon(DAYS[0]), experience_score=score)
    row = interaction_row()
    # 3 is below the floor of 4; exactly 4 is not a breach.
    assert (row.interactions, row.scored_n, row.score_sum, row.floor_breaches) == (4, 3, 16.0, 1)


def test_the_value_tier_is_a_dimension_every_selector_can_filter_on(catalogue):
    from analytics.selectors import MetricFilters, response_summary

    store(catalogue, [{**_blank(), "customer": 0, "nps": 10}, {**_blank(), "customer": 1, "nps": 0}])
    rollup_refresh_days(kind=StaleKind.RESPONSE_DAY, days=DAYS, force=True)
    gold = response_summary(filters=MetricFilters(value_tier="gold")).nps
    standard = response_summary(filters=MetricFilters(value_tier="standard")).nps
    assert (gold.n, gold.detractors, standard.n, standard.promoters) == (1, 1, 1, 1)
