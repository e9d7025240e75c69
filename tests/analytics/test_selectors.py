"""Dashboard selectors read the rollups; every figure must equal ``analytics.metrics`` on the raw answers.

A small dataset is built with factories, the rollups are rebuilt, and each
selector's figures are held against the metric functions applied by hand to
the answers the filters should select.
"""

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction

from analytics.metrics import (
    RatioSummary,
    ces_counts,
    ces_figures,
    csat_counts,
    csat_figures,
    expectation_ratio,
    experience_summary,
    journey_aggregate,
    nps_difference,
    nps_from_scores,
    peak_end,
    ratio_summary_of,
)
from analytics.models import PEAK_END_BINS
from analytics.selectors import (
    DIMENSIONS,
    INTERACTION_DIMENSIONS,
    MetricFilters,
    ResponseFigures,
    expectation_by_touchpoint,
    interaction_breakdown,
    interaction_summary,
    journey_summary,
    metrics_freshness,
    moments_of_truth,
    response_breakdown,
    response_comparison,
    response_series,
    response_summary,
)
from analytics.services import metrics_mark_stale, metrics_rebuild, metrics_refresh_stale
from surveys.models import Question, Survey
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    JourneyFactory,
    JourneyMapFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
)
from touchpoints.models import Channel, Direction, Stage

pytestmark = pytest.mark.django_db

HIGHER, LOWER = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
D1, D2, D3, D4, D5 = (
    date(2024, 3, 4),
    date(2024, 3, 6),
    date(2024, 3, 10),
    date(2024, 3, 11),
    date(2024, 4, 1),
)
ALL_RESPONSES = ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12")


def at(day: date, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


# --- Expected figures, from the metric functions ----------------------------------------


@dataclass
class Sent:
    """One response as the rollups should see it, with its answers."""

    day: date
    survey_id: int
    touchpoint_id: int | None
    stage: str
    channel: str
    segment: str
    nps: int | None = None
    csat: int | None = None
    ces: int | None = None
    pairs: list[tuple[float, float, str]] = field(default_factory=list)  # (expected, experienced, direction)


def figures_by_hand(sent: list[Sent]) -> ResponseFigures:
    """The figures of these responses, from ``analytics.metrics`` applied to their raw answers."""
    csat_n, satisfied = csat_counts([s.csat for s in sent if s.csat is not None])
    ces_answers = [s.ces for s in sent if s.ces is not None]
    ces_n, ces_total, easy = ces_counts(ces_answers)
    ratios = [
        expectation_ratio(expected=expected, experienced=experienced, direction=direction)
        for s in sent
        for expected, experienced, direction in s.pairs
    ]
    return ResponseFigures(
        responses=len(sent),
        nps=nps_from_scores([s.nps for s in sent if s.nps is not None]),
        csat=csat_figures(n=csat_n, satisfied=satisfied),
        ces=ces_figures(
            n=ces_n, total=ces_total, sum_squares=sum(score * score for score in ces_answers), easy=easy
        ),
        expectation=ratio_summary_of(ratios),
    )


def assert_same_figures(actual: ResponseFigures, expected: ResponseFigures) -> None:
    """Counts and count-derived figures exactly; the geometric mean to float rounding (Σ ln r in SQL)."""
    assert actual.responses == expected.responses
    assert actual.nps == expected.nps
    assert actual.csat == expected.csat
    assert actual.ces == expected.ces
    assert_same_ratios(actual.expectation, expected.expectation)


def assert_same_ratios(got: RatioSummary, want: RatioSummary) -> None:
    assert (got.n, got.share_below, got.share_met, got.share_above) == (
        want.n,
        want.share_below,
        want.share_met,
        want.share_above,
    )
    if want.geometric_mean is None:
        assert got.geometric_mean is None
    else:
        assert got.geometric_mean == pytest.approx(want.geometric_mean, rel=1e-12)


def counts_of(figures: ResponseFigures) -> tuple:
    """Every additive count behind a set of figures."""
    return (
        figures.responses,
        figures.nps.promoters,
        figures.nps.passives,
        figures.nps.detractors,
        figures.csat.n,
        figures.csat.satisfied,
        figures.ces.n,
        round(figures.ces.mean * figures.ces.n) if figures.ces.n else 0,
        round(figures.ces.easy_share * figures.ces.n / 100) if figures.ces.n else 0,
        figures.expectation.n,
        *(
            round(share * figures.expectation.n) if figures.expectation.n else 0
            for share in (
                figures.expectation.share_below,
                figures.expectation.share_met,
                figures.expectation.share_above,
            )
        ),
    )


def summed_counts(all_figures) -> tuple:
    return tuple(sum(column) for column in zip(*(counts_of(f) for f in all_figures), strict=True))


# --- The response dataset -----------------------------------------------------------------


@dataclass
class ResponseData:
    sent: dict[str, Sent]
    surveys: dict[str, Survey]
    touchpoints: dict[str, object]
    interactions: dict[str, object]

    def figures(self, *labels: str) -> ResponseFigures:
        return figures_by_hand([self.sent[label] for label in labels])


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker) -> ResponseData:
    """The response dataset, built once for the module (as ``TestCase.setUpTestData`` does).

    It is written inside a transaction rolled back when the module ends; each test runs in its
    own savepoint within it, so what a test writes is gone before the next one.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield response_dataset()
        transaction.set_rollback(True)


def response_dataset() -> ResponseData:
    """Twelve responses over five days, two surveys, three touchpoints, three segments; six interactions.

    ====  =====================  ============  ========  ===============================
    R     submitted              survey        segment   invitation followed
    ====  =====================  ============  ========  ===============================
    R1    D1 00:00:00            relationship  consumer  —
    R2    D1 12:00               relationship  business  web_b (web touchpoint, chat)
    R11   D1 13:00 (text only)   relationship  consumer  —
    R3    D2 23:59:59            transactional ""        — (survey's phone touchpoint)
    R4    D2 08:00               transactional consumer  store (store touchpoint, in store)
    R5    D3 10:00               relationship  consumer  —
    R6    D3 23:59:59            relationship  ""        —
    R7    D4 00:00:00            transactional business  — (survey's phone touchpoint)
    R8    D4 15:00               relationship  consumer  phone (phone touchpoint, email)
    R12   D4 16:00               transactional ""        web_a (web touchpoint, web)
    R9    D5 09:00               transactional consumer  — (survey's phone touchpoint)
    R10   D5 10:00               relationship  business  —
    ====  =====================  ============  ========  ===============================
    """
    web = TouchpointFactory(
        stage=Stage.PRE_SALE,
        channel=Channel.WEB,
        floor_score=4.0,
        measure_name="Delivery time",
        measure_unit="days",
        measure_direction=LOWER,
    )
    phone = TouchpointFactory(stage=Stage.POST_SALE, channel=Channel.PHONE)
    store = TouchpointFactory(
        stage=Stage.MID_SALE,
        channel=Channel.IN_STORE,
        floor_score=6.0,
        measure_name="Order accuracy",
        measure_unit="%",
        measure_direction=HIGHER,
    )
    consumer, business, anonymous = (
        CustomerFactory(segment="consumer"),
        CustomerFactory(segment="business"),
        CustomerFactory(segment=""),
    )
    interactions = {
        # Promised 3 days, delivered in 1: r = 3. Scored 3, below the floor of 4.
        "web_b": InteractionFactory(
            touchpoint=web,
            channel=Channel.CHAT,
            customer=business,
            occurred_at=at(D1, 11),
            experience_score=3.0,
            expected_value=3,
            actual_value=1,
        ),
        # Promised 2 days, took 4: r = 0.5. Scored exactly at the floor: no breach.
        "web_a": InteractionFactory(
            touchpoint=web,
            channel=Channel.WEB,
            customer=anonymous,
            occurred_at=at(D4, 15, 30),
            experience_score=4.0,
            expected_value=2,
            actual_value=4,
        ),
        # Higher is better: 8 of a promised 10, r = 0.8. Scored 5.5, below the floor of 6.
        "store": InteractionFactory(
            touchpoint=store,
            channel=Channel.IN_STORE,
            customer=consumer,
            occurred_at=at(D2, 7),
            experience_score=5.5,
            expected_value=10,
            actual_value=8,
        ),
        "store_met": InteractionFactory(
            touchpoint=store,
            channel=Channel.IN_STORE,
            customer=business,
            occurred_at=at(D3, 9),
            experience_score=9.0,
            expected_value=10,
            actual_value=10,
        ),
        # The phone touchpoint has no measure: these values must not make a ratio.
        "phone": InteractionFactory(
            touchpoint=phone,
            channel=Channel.EMAIL,
            customer=consumer,
            occurred_at=at(D4, 14),
            experience_score=None,
            expected_value=5,
            actual_value=1,
        ),
        "phone_low": InteractionFactory(
            touchpoint=phone,
            channel=Channel.PHONE,
            customer=anonymous,
            occurred_at=at(D5, 8),
            experience_score=2.0,
        ),
    }
    relationship = SurveyFactory(kind=Survey.Kind.RELATIONSHIP, touchpoint=None)
    transactional = SurveyFactory(kind=Survey.Kind.TRANSACTIONAL, touchpoint=phone)
    questions = {
        relationship: {
            "nps": QuestionFactory(survey=relationship, type=Question.Type.NPS),
            "csat": QuestionFactory(survey=relationship, type=Question.Type.CSAT),
            "ces": QuestionFactory(survey=relationship, type=Question.Type.CES),
            HIGHER: QuestionFactory(
                survey=relationship, type=Question.Type.EXPECTATION_EXPERIENCE, direction=HIGHER
            ),
            LOWER: QuestionFactory(
                survey=relationship, type=Question.Type.EXPECTATION_EXPERIENCE, direction=LOWER
            ),
            "text": QuestionFactory(survey=relationship, type=Question.Type.TEXT),
        },
        transactional: {
            "nps": QuestionFactory(survey=transactional, type=Question.Type.NPS),
            HIGHER: QuestionFactory(
                survey=transactional, type=Question.Type.EXPECTATION_EXPERIENCE, direction=HIGHER
            ),
        },
    }
    sent: dict[str, Sent] = {}

    def respond(label, moment, survey, customer, interaction=None, *, text=False, pairs=(), **scores):
        invitation = InvitationFactory(survey=survey, customer=customer, interaction=interaction)
        response = ResponseFactory(invitation=invitation, submitted_at=moment)
        for kind, score in scores.items():
            AnswerFactory(response=response, question=questions[survey][kind], score=score)
        for expected, experienced, direction in pairs:
            AnswerFactory(
                response=response, question=questions[survey][direction], expected=expected, score=experienced
            )
        if text:
            AnswerFactory(response=response, question=questions[survey]["text"], text="Slow checkout")
        touchpoint = interaction.touchpoint if interaction else survey.touchpoint
        sent[label] = Sent(
            day=moment.date(),
            survey_id=survey.id,
            touchpoint_id=touchpoint.id if touchpoint else None,
            stage=touchpoint.stage if touchpoint else "",
            channel=interaction.channel if interaction else (touchpoint.channel if touchpoint else ""),
            segment=customer.segment,
            pairs=list(pairs),
            **scores,
        )

    rel, tx = relationship, transactional
    respond("R1", at(D1, 0), rel, consumer, nps=10, csat=5, ces=7, pairs=[(4, 5, HIGHER), (3, 3, LOWER)])
    respond(
        "R2",
        at(D1, 12),
        rel,
        business,
        interactions["web_b"],
        nps=3,
        csat=2,
        ces=2,
        pairs=[(5, 2, HIGHER), (2, 4, LOWER)],
    )
    respond("R11", at(D1, 13), rel, consumer, text=True)
    respond("R3", at(D2, 23, 59, 59), tx, anonymous, nps=8, pairs=[(5, 5, HIGHER)])
    respond("R4", at(D2, 8), tx, consumer, interactions["store"], nps=9, pairs=[(4, 2, HIGHER)])
    respond("R5", at(D3, 10), rel, consumer, nps=6, csat=4, ces=5)
    # An instant "lower is better" experience (0) is capped at RATIO_CAP.
    respond("R6", at(D3, 23, 59, 59), rel, anonymous, nps=9, csat=3, ces=4, pairs=[(1, 0, LOWER)])
    respond("R7", at(D4, 0), tx, business, nps=7, pairs=[(8, 4, HIGHER)])
    respond("R8", at(D4, 15), rel, consumer, interactions["phone"], nps=0, csat=1, ces=1)
    respond("R12", at(D4, 16), tx, anonymous, interactions["web_a"], nps=4)
    respond("R9", at(D5, 9), tx, consumer, nps=10, pairs=[(2, 6, HIGHER)])
    # A "higher is better" experience of 0 is clamped to 1 / RATIO_CAP.
    respond("R10", at(D5, 10), rel, business, nps=5, csat=5, ces=6, pairs=[(3, 0, HIGHER)])
    assert set(sent) == set(ALL_RESPONSES)

    metrics_rebuild()
    return ResponseData(
        sent=sent,
        surveys={"relationship": relationship, "transactional": transactional},
        touchpoints={"web": web, "phone": phone, "store": store},
        interactions=interactions,
    )


# --- response_summary ------------------------------------------------------------------------


def test_summary_equals_the_metric_functions_on_every_answer(data):
    summary = response_summary(filters=MetricFilters())

    assert_same_figures(summary, data.figures(*ALL_RESPONSES))
    # The dataset reaches every figure: none is left undefined.
    assert summary.nps.nps is not None and summary.csat.csat is not None and summary.ces.mean is not None
    # Ratios: 1.25, 1, 0.4, 0.5, 1, 0.5, 10 (capped), 0.5, 3, 0.1 (clamped).
    assert summary.expectation.n == 10
    assert (summary.expectation.share_below, summary.expectation.share_met) == (0.5, 0.2)


def test_summary_of_nps_by_hand(data):
    # Promoters R1 R4 R6 R9, passives R3 R7, detractors R2 R5 R8 R10 R12; R11 has no NPS answer.
    nps = response_summary(filters=MetricFilters()).nps

    assert (nps.n, nps.promoters, nps.passives, nps.detractors) == (11, 4, 2, 5)
    assert nps.nps == pytest.approx(100 * (4 - 5) / 11)


def test_summary_of_an_empty_selection_is_undefined_not_zero(data):
    summary = response_summary(filters=MetricFilters(start=date(2023, 1, 1), end=date(2023, 1, 31)))

    assert summary.responses == 0
    assert (summary.nps.nps, summary.csat.csat, summary.ces.mean, summary.expectation.geometric_mean) == (
        None,
        None,
        None,
        None,
    )


RESPONSE_FILTERS = {
    "date range, both ends inclusive": (
        {"start": D2, "end": D4},
        ("R3", "R4", "R5", "R6", "R7", "R8", "R12"),
    ),
    "one day": ({"start": D3, "end": D3}, ("R5", "R6")),
    "start only": ({"start": D4}, ("R7", "R8", "R12", "R9", "R10")),
    "end only": ({"end": D1}, ("R1", "R2", "R11")),
    "survey": ({"survey_id": "transactional"}, ("R3", "R4", "R7", "R12", "R9")),
    # The phone touchpoint: the survey's own (R3 R7 R9) or the followed interaction's (R8);
    # R4 answered the phone survey after a store interaction, and the interaction wins.
    "touchpoint via interaction or survey": ({"touchpoint_id": "phone"}, ("R3", "R7", "R8", "R9")),
    "touchpoint via interaction": ({"touchpoint_id": "web"}, ("R2", "R12")),
    "touchpoint of the interaction over the survey's": ({"touchpoint_id": "store"}, ("R4",)),
    "stage": ({"stage": Stage.POST_SALE}, ("R3", "R7", "R8", "R9")),
    "no stage": ({"stage": ""}, ("R1", "R11", "R5", "R6", "R10")),
    "channel of the interaction": ({"channel": Channel.CHAT}, ("R2",)),
    "channel of the survey's touchpoint": ({"channel": Channel.PHONE}, ("R3", "R7", "R9")),
    "segment": ({"segment": "consumer"}, ("R1", "R11", "R4", "R5", "R8", "R9")),
    "no segment": ({"segment": ""}, ("R3", "R6", "R12")),
    "several at once": (
        {"survey_id": "relationship", "segment": "consumer", "start": D1, "end": D3},
        ("R1", "R11", "R5"),
    ),
}


@pytest.mark.parametrize(("given", "selected"), RESPONSE_FILTERS.values(), ids=RESPONSE_FILTERS.keys())
def test_each_filter_selects_exactly_its_responses(data, given, selected):
    named = {"survey_id": data.surveys, "touchpoint_id": data.touchpoints}
    filters = MetricFilters(
        **{name: named[name][value].id if name in named else value for name, value in given.items()}
    )

    assert_same_figures(response_summary(filters=filters), data.figures(*selected))


def test_days_are_calendar_days_in_the_platform_time_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"  # UTC+8
    survey = SurveyFactory()
    question = QuestionFactory(survey=survey)
    late_evening_utc = ResponseFactory(invitation__survey=survey, submitted_at=at(D1, 20))  # D1+1 04:00 local
    AnswerFactory(response=late_evening_utc, question=question, score=10)
    metrics_rebuild()

    def on(day: date) -> MetricFilters:
        return MetricFilters(start=day, end=day, survey_id=survey.id)

    assert response_summary(filters=on(D1)).responses == 0
    assert response_summary(filters=on(D1 + timedelta(days=1))).nps.promoters == 1


# --- response_series -------------------------------------------------------------------------

SERIES = {
    "day": {
        D1: ("R1", "R2", "R11"),
        D2: ("R3", "R4"),
        D3: ("R5", "R6"),
        D4: ("R7", "R8", "R12"),
        D5: ("R9", "R10"),
    },
    # Weeks start on Monday: D1 (Mon 4 March) to D3 (Sun 10 March) are one week.
    "week": {
        date(2024, 3, 4): ("R1", "R2", "R11", "R3", "R4", "R5", "R6"),
        date(2024, 3, 11): ("R7", "R8", "R12"),
        date(2024, 4, 1): ("R9", "R10"),
    },
    "month": {
        date(2024, 3, 1): ("R1", "R2", "R11", "R3", "R4", "R5", "R6", "R7", "R8", "R12"),
        date(2024, 4, 1): ("R9", "R10"),
    },
}


@pytest.mark.parametrize("interval", SERIES.keys())
def test_series_groups_responses_by_interval(data, interval):
    points = response_series(filters=MetricFilters(), interval=interval)

    assert [point.period for point in points] == list(SERIES[interval])
    for point in points:
        assert_same_figures(point.figures, data.figures(*SERIES[interval][point.period]))


@pytest.mark.parametrize("interval", SERIES.keys())
def test_series_points_add_up_to_the_summary(data, interval):
    filters = MetricFilters(start=D2, end=D5)

    points = response_series(filters=filters, interval=interval)

    assert summed_counts(p.figures for p in points) == counts_of(response_summary(filters=filters))


def test_series_refuses_an_unknown_interval(data):
    with pytest.raises(ValueError, match="interval"):
        response_series(filters=MetricFilters(), interval="year")


# --- response_breakdown ----------------------------------------------------------------------


def key_of(sent: Sent, by: str):
    return {
        "survey": sent.survey_id,
        "touchpoint": sent.touchpoint_id,
        "stage": sent.stage,
        "channel": sent.channel,
        "segment": sent.segment,
    }[by]


@pytest.mark.parametrize("by", DIMENSIONS)
def test_breakdown_rows_add_up_to_the_summary(data, by):
    filters = MetricFilters(end=D4)

    rows = response_breakdown(filters=filters, by=by)

    assert len(rows) > 1
    assert summed_counts(row.figures for row in rows) == counts_of(response_summary(filters=filters))


@pytest.mark.parametrize("by", DIMENSIONS)
def test_each_breakdown_row_holds_its_own_responses_most_first(data, by):
    groups = defaultdict(list)
    for label, sent in data.sent.items():
        groups[key_of(sent, by)].append(label)

    rows = response_breakdown(filters=MetricFilters(), by=by)

    assert {row.key for row in rows} == set(groups)
    for row in rows:
        assert_same_figures(row.figures, data.figures(*groups[row.key]))
    assert [row.figures.responses for row in rows] == sorted((len(g) for g in groups.values()), reverse=True)


def test_breakdown_labels_name_touchpoints_and_the_missing_one(data):
    rows = {row.key: row.label for row in response_breakdown(filters=MetricFilters(), by="touchpoint")}

    assert rows == {
        None: "No touchpoint",
        data.touchpoints["phone"].id: data.touchpoints["phone"].name,
        data.touchpoints["web"].id: data.touchpoints["web"].name,
        data.touchpoints["store"].id: data.touchpoints["store"].name,
    }


# --- response_comparison ---------------------------------------------------------------------


def test_comparison_uses_the_previous_period_of_equal_length(data):
    filters = MetricFilters(start=date(2024, 3, 8), end=date(2024, 3, 14))  # D3 and D4

    comparison = response_comparison(filters=filters)

    assert comparison.previous_filters == MetricFilters(start=date(2024, 3, 1), end=date(2024, 3, 7))
    current, previous = (
        data.figures("R5", "R6", "R7", "R8", "R12"),
        data.figures("R1", "R2", "R11", "R3", "R4"),
    )
    assert_same_figures(comparison.current, current)
    assert_same_figures(comparison.previous, previous)
    assert comparison.nps_change == nps_difference(current.nps, previous.nps)
    assert comparison.nps_change.diff == current.nps.nps - previous.nps.nps == -40.0 - 25.0


def test_comparison_keeps_the_other_filters_for_the_previous_period(data):
    survey = data.surveys["transactional"]
    filters = MetricFilters(start=D4, end=D5, survey_id=survey.id)  # 22 days: 11 March to 1 April

    comparison = response_comparison(filters=filters)

    assert comparison.previous_filters == MetricFilters(
        start=D4 - timedelta(days=22), end=D4 - timedelta(days=1), survey_id=survey.id
    )
    assert_same_figures(comparison.current, data.figures("R7", "R12", "R9"))
    assert_same_figures(comparison.previous, data.figures("R3", "R4"))


def test_comparison_needs_both_ends_of_the_period(data):
    with pytest.raises(ValueError, match="start and end"):
        response_comparison(filters=MetricFilters(start=D1))


# --- Touchpoints: expectation ratios and experience ------------------------------------------


def measure_ratios(*interactions) -> list[float]:
    return [
        expectation_ratio(
            expected=i.expected_value, experienced=i.actual_value, direction=i.touchpoint.measure_direction
        )
        for i in interactions
    ]


def test_expectation_by_touchpoint_puts_the_most_disappointing_first(data):
    # Worst geometric means: web 0.45 (survey) < store 0.5 (survey) < phone 1.14 (survey only).
    rows = expectation_by_touchpoint(filters=MetricFilters())

    assert [row.touchpoint_id for row in rows] == [
        data.touchpoints[name].id for name in ("web", "store", "phone")
    ]


def test_expectation_by_touchpoint_holds_survey_pairs_and_measure_ratios(data):
    rows = {row.touchpoint_id: row for row in expectation_by_touchpoint(filters=MetricFilters())}
    web, store, phone = (data.touchpoints[name] for name in ("web", "store", "phone"))
    surveyed = {
        touchpoint.id: ratio_summary_of(
            [
                expectation_ratio(expected=e, experienced=x, direction=d)
                for s in data.sent.values()
                if s.touchpoint_id == touchpoint.id
                for e, x, d in s.pairs
            ]
        )
        for touchpoint in (web, store, phone)
    }
    measured = {
        web.id: ratio_summary_of(measure_ratios(data.interactions["web_b"], data.interactions["web_a"])),
        store.id: ratio_summary_of(
            measure_ratios(data.interactions["store"], data.interactions["store_met"])
        ),
    }

    for touchpoint in (web, store, phone):
        row = rows[touchpoint.id]
        assert row.label == touchpoint.name
        for got, want in ((row.survey, surveyed[touchpoint.id]), (row.measure, measured.get(touchpoint.id))):
            assert_same_ratios(got, want or ratio_summary_of([]))
    # Promised 3 days and delivered in 1 is delight (r = 3); promised 2, took 4, is r = 0.5.
    assert rows[web.id].measure.geometric_mean == pytest.approx(math.sqrt(3 * 0.5))
    # The phone touchpoint declares no measure: its interaction's values make no ratio.
    assert rows[phone.id].measure.n == 0


def test_expectation_by_touchpoint_with_a_survey_filter_leaves_out_measures(data):
    rows = expectation_by_touchpoint(filters=MetricFilters(survey_id=data.surveys["transactional"].id))

    assert all(row.measure.n == 0 for row in rows)
    assert {row.touchpoint_id: row.survey.n for row in rows} == {
        data.touchpoints["phone"].id: 3,
        data.touchpoints["store"].id: 1,
    }


def experience_by_hand(interactions) -> tuple:
    scored = [i for i in interactions if i.experience_score is not None]
    breaches = sum(
        1
        for i in scored
        if i.touchpoint.floor_score is not None and i.experience_score < i.touchpoint.floor_score
    )
    return len(interactions), experience_summary(
        n=len(scored), total=math.fsum(i.experience_score for i in scored), floor_breaches=breaches
    )


def test_interaction_summary_has_the_experience_mean_and_floor_breaches(data):
    figures = interaction_summary(filters=MetricFilters())

    interactions, experience = experience_by_hand(list(data.interactions.values()))
    assert figures.interactions == interactions == 6
    assert figures.experience.n == experience.n == 5
    assert figures.experience.mean == pytest.approx(experience.mean) == pytest.approx(23.5 / 5)
    # 3.0 under a floor of 4 and 5.5 under 6; 4.0 sits on its floor; 2.0 has no floor.
    assert figures.experience.floor_breaches == experience.floor_breaches == 2
    expected_measure = ratio_summary_of(
        measure_ratios(*(data.interactions[name] for name in ("web_b", "web_a", "store", "store_met")))
    )
    assert expected_measure.n == 4
    assert_same_ratios(figures.measure, expected_measure)


@pytest.mark.parametrize(
    ("given", "selected"),
    [
        ({"touchpoint_id": "web"}, ("web_b", "web_a")),
        ({"channel": Channel.IN_STORE}, ("store", "store_met")),
        ({"segment": ""}, ("web_a", "phone_low")),
        ({"stage": Stage.POST_SALE, "start": D4, "end": D4}, ("phone",)),
    ],
    ids=["touchpoint", "channel", "no segment", "stage and day"],
)
def test_interaction_summary_filters_narrow_the_interactions(data, given, selected):
    filters = MetricFilters(
        **{k: data.touchpoints[v].id if k == "touchpoint_id" else v for k, v in given.items()}
    )

    figures = interaction_summary(filters=filters)

    interactions, experience = experience_by_hand([data.interactions[name] for name in selected])
    assert figures.interactions == interactions
    assert asdict(figures.experience) == pytest.approx(asdict(experience))


def test_interaction_summary_ignores_the_survey_filter(data):
    with_survey = interaction_summary(filters=MetricFilters(survey_id=data.surveys["relationship"].id))

    assert with_survey == interaction_summary(filters=MetricFilters())
    assert with_survey.interactions == 6


@pytest.mark.parametrize("by", INTERACTION_DIMENSIONS)
def test_interaction_breakdown_rows_add_up_to_the_summary(data, by):
    rows = interaction_breakdown(filters=MetricFilters(), by=by)
    summary = interaction_summary(filters=MetricFilters())

    assert len(rows) > 1
    assert sum(r.figures.interactions for r in rows) == summary.interactions
    assert sum(r.figures.experience.n for r in rows) == summary.experience.n
    assert sum(r.figures.experience.floor_breaches for r in rows) == summary.experience.floor_breaches
    assert sum(r.figures.measure.n for r in rows) == summary.measure.n


# --- Journeys -------------------------------------------------------------------------------


@dataclass
class JourneyData:
    maps: dict
    touchpoints: dict
    scores: dict  # journey name → (PeakEnd, start day, map name, segment, peak touchpoint, end touchpoint)


@pytest.fixture
def journeys() -> JourneyData:
    maps = {"A": JourneyMapFactory(), "B": JourneyMapFactory()}
    touchpoints = {
        "x": TouchpointFactory(stage=Stage.PRE_SALE),
        "y": TouchpointFactory(stage=Stage.MID_SALE, floor_score=3.0),
        "z": TouchpointFactory(stage=Stage.POST_SALE),
    }
    plans = {
        # name: (start day, map, segment, [(touchpoint, score), …] in time order)
        "J1": (D1, "A", "consumer", [("x", 8.0), ("y", 2.0), ("z", 6.0)]),  # negative peak at y
        "J2": (D2, "A", "business", [("x", 9.0), ("z", 4.0)]),  # negative end at z
        "J3": (D2, "B", "consumer", [("y", 1.0), ("y", 4.5)]),  # negative peak and end at y
        "J4": (D5, "A", "consumer", [("x", 10.0)]),  # peak–end 10: the last bin
        "J5": (D3, None, "", [("z", 0.0), ("x", 7.0)]),  # negative peak at z, unmapped
    }
    scores = {}
    for name, (day, map_name, segment, moments) in plans.items():
        journey = JourneyFactory(
            started_at=at(day, 9),
            journey_map=maps[map_name] if map_name else None,
            customer=CustomerFactory(segment=segment),
        )
        for hour, (touchpoint, score) in enumerate(moments):
            InteractionFactory(
                journey=journey,
                customer=journey.customer,
                touchpoint=touchpoints[touchpoint],
                experience_score=score,
                occurred_at=at(day, 10 + hour),
            )
        result = peak_end(
            [score for _, score in moments], floors=[touchpoints[tp].floor_score for tp, _ in moments]
        )
        peak_tp, end_tp = moments[result.peak_index][0], moments[result.end_index][0]
        scores[name] = (result, day, map_name, segment, peak_tp, end_tp)
    metrics_rebuild()
    return JourneyData(maps=maps, touchpoints=touchpoints, scores=scores)


def journey_figures_by_hand(results) -> tuple:
    distribution = [0] * PEAK_END_BINS
    for result in results:
        distribution[min(int(result.peak_end), PEAK_END_BINS - 1)] += 1
    aggregate = journey_aggregate(
        journeys=len(results),
        peak_end_sum=math.fsum(r.peak_end for r in results),
        mean_sum=math.fsum(r.mean for r in results),
        gap_sum=math.fsum(r.gap for r in results),
        journeys_breached=sum(1 for r in results if r.floor_breaches),
    )
    return aggregate, distribution, sum(r.floor_breaches for r in results)


@pytest.mark.parametrize(
    ("given", "selected"),
    [
        ({}, ("J1", "J2", "J3", "J4", "J5")),
        ({"start": D2, "end": D3}, ("J2", "J3", "J5")),
        ({"segment": "consumer"}, ("J1", "J3", "J4")),
        ({"segment": ""}, ("J5",)),
        ({"journey_map_id": "A"}, ("J1", "J2", "J4")),
    ],
    ids=["all", "start days", "segment", "no segment", "journey map"],
)
def test_journey_summary_equals_peak_end_of_the_selected_journeys(journeys, given, selected):
    filters = MetricFilters(
        **{k: journeys.maps[v].id if k == "journey_map_id" else v for k, v in given.items()}
    )

    figures = journey_summary(filters=filters)

    aggregate, distribution, breaches = journey_figures_by_hand([journeys.scores[n][0] for n in selected])
    assert figures.distribution == distribution
    assert figures.floor_breaches == breaches
    assert asdict(figures.aggregate) == pytest.approx(asdict(aggregate))


def test_journey_summary_spreads_journeys_over_the_bins(journeys):
    figures = journey_summary(filters=MetricFilters())

    # J1 4.0, J2 6.5, J3 2.75, J4 10 (last bin), J5 3.5; J1 and J3 break the floor at y.
    assert figures.distribution == [0, 0, 1, 1, 1, 0, 1, 0, 0, 1]
    assert (figures.aggregate.journeys, figures.aggregate.journeys_breached, figures.floor_breaches) == (
        5,
        2,
        2,
    )


def test_moments_of_truth_rank_negative_peaks_then_negative_ends(journeys):
    rows = moments_of_truth(filters=MetricFilters())

    tp = journeys.touchpoints
    assert [(r.touchpoint_id, r.peaks, r.negative_peaks, r.ends, r.negative_ends) for r in rows] == [
        (tp["y"].id, 2, 2, 1, 1),  # J1 and J3 peak at y in pain; J3 ends there below neutral
        (tp["z"].id, 1, 1, 2, 1),  # J5 peaks at z; J1 and J2 end there, J2 below neutral
        (tp["x"].id, 2, 0, 2, 0),  # J2 and J4 peak at x in joy; J4 and J5 end there
    ]
    assert [r.label for r in rows] == [tp[name].name for name in ("y", "z", "x")]


def test_moments_of_truth_counts_match_the_journeys(journeys):
    filters = MetricFilters(journey_map_id=journeys.maps["A"].id)

    rows = {r.touchpoint_id: r for r in moments_of_truth(filters=filters)}

    expected = defaultdict(lambda: [0, 0, 0, 0])
    for result, _, map_name, _, peak_tp, end_tp in journeys.scores.values():
        if map_name != "A":
            continue
        peak, end = expected[journeys.touchpoints[peak_tp].id], expected[journeys.touchpoints[end_tp].id]
        peak[0] += 1
        peak[1] += result.peak < 5
        end[2] += 1
        end[3] += result.end < 5
    assert {k: [r.peaks, r.negative_peaks, r.ends, r.negative_ends] for k, r in rows.items()} == expected


def test_moments_of_truth_filter_by_touchpoint_stage_and_limit(journeys):
    tp = journeys.touchpoints

    by_stage = moments_of_truth(filters=MetricFilters(stage=Stage.POST_SALE))
    limited = moments_of_truth(filters=MetricFilters(), limit=1)

    assert [r.touchpoint_id for r in by_stage] == [tp["z"].id]
    assert [r.touchpoint_id for r in limited] == [tp["y"].id]


# --- Freshness ------------------------------------------------------------------------------


def test_freshness_shows_pending_marks_before_a_refresh_and_none_after(data):
    before = metrics_freshness()
    assert before.pending == 0 and before.oldest_pending is None
    last_rebuilt = before.last_refreshed
    assert last_rebuilt is not None

    marks = metrics_mark_stale(
        response_ids=[data.interactions["store"].invitations.get().response.id],
        interaction_ids=[data.interactions["web_b"].id, data.interactions["phone_low"].id],
    )

    pending = metrics_freshness()
    assert pending.pending == marks == 3  # one response day, two interaction days
    assert pending.oldest_pending is not None

    metrics_refresh_stale()

    after = metrics_freshness()
    assert (after.pending, after.oldest_pending) == (0, None)
    assert after.last_refreshed >= last_rebuilt


# --- Query counts ---------------------------------------------------------------------------


def scaled_dataset(size: int) -> None:
    """``size`` touchpoints, surveys, segments and journey maps, with responses and interactions on
    ``size`` days: size² responses and interactions, ``size`` journeys."""
    first = date(2024, 6, 3)
    for k in range(size):
        touchpoint = TouchpointFactory(measure_name="Wait", measure_direction=LOWER, floor_score=5.0)
        survey = SurveyFactory(kind=Survey.Kind.TRANSACTIONAL, touchpoint=touchpoint)
        nps = QuestionFactory(survey=survey)
        pair = QuestionFactory(survey=survey, type=Question.Type.EXPECTATION_EXPERIENCE)
        customer = CustomerFactory(segment=f"segment-{k}")
        journey = JourneyFactory(customer=customer, started_at=at(first, 8))
        for d in range(size):
            interaction = InteractionFactory(
                touchpoint=touchpoint,
                customer=customer,
                journey=journey,
                occurred_at=at(first + timedelta(days=d), 9),
                experience_score=(k + d) % 11,
                expected_value=2,
                actual_value=1 + d,
            )
            response = ResponseFactory(
                invitation=InvitationFactory(survey=survey, customer=customer, interaction=interaction),
                submitted_at=at(first + timedelta(days=d), 10),
            )
            AnswerFactory(response=response, question=nps, score=(k * 3 + d) % 11)
            AnswerFactory(response=response, question=pair, expected=5, score=1 + (k + d) % 9)
    metrics_rebuild()


SELECTOR_QUERIES = {
    "response_summary": (1, lambda f: response_summary(filters=f)),
    "response_series by week": (1, lambda f: response_series(filters=f, interval="week")),
    "response_breakdown by touchpoint": (2, lambda f: response_breakdown(filters=f, by="touchpoint")),
    "response_breakdown by survey": (2, lambda f: response_breakdown(filters=f, by="survey")),
    "response_comparison": (2, lambda f: response_comparison(filters=f)),
    "expectation_by_touchpoint": (3, lambda f: expectation_by_touchpoint(filters=f)),
    "interaction_summary": (1, lambda f: interaction_summary(filters=f)),
    "interaction_breakdown by touchpoint": (2, lambda f: interaction_breakdown(filters=f, by="touchpoint")),
    "journey_summary": (1, lambda f: journey_summary(filters=f)),
    "moments_of_truth": (2, lambda f: moments_of_truth(filters=f)),
    "metrics_freshness": (2, lambda f: metrics_freshness()),
}


@pytest.mark.parametrize("size", [2, 6])
def test_each_selector_runs_a_fixed_number_of_queries_whatever_the_data_size(
    size, django_assert_max_num_queries
):
    scaled_dataset(size)
    filters = MetricFilters(start=date(2024, 6, 1), end=date(2024, 6, 30))

    for name, (queries, selector) in SELECTOR_QUERIES.items():
        with django_assert_max_num_queries(queries, info=name):
            result = selector(filters)
        if isinstance(result, list) and name != "response_series by week":
            assert len(result) == size, name  # one row per touchpoint, survey or moment
    assert response_summary(filters=filters).responses == size * size
    assert journey_summary(filters=filters).aggregate.journeys == size
