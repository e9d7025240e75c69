"""The dashboards' own selectors: the expectation heatmap and the journey-map curve (rollups only, held
against ``analytics.metrics`` on the raw rows), the filter choices, and the comments list."""

import math
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from analytics.metrics import expectation_ratio, experience_summary, ratio_summary_of
from analytics.selectors import MetricFilters, driver_summary, expectation_by_touchpoint
from analytics.selectors.dashboards import (
    customer_segments,
    driver_summary_by_segment,
    expectation_heatmap,
    filter_options,
    journey_curve,
    touchpoint_catalogue,
)
from analytics.services import metrics_rebuild
from surveys.models import Question
from surveys.selectors.comments import comment_export, comment_list
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    JourneyFactory,
    JourneyMapFactory,
    JourneyMapStepFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
)
from touchpoints.models import Direction, Stage

pytestmark = pytest.mark.django_db

LOWER, HIGHER = Direction.LOWER_IS_BETTER, Direction.HIGHER_IS_BETTER
MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)
SPRING = MetricFilters(start=date(2025, 3, 1), end=date(2025, 4, 30))


def at(day: int, month: int = 3, hour: int = 12) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


def pair_response(survey, question, interaction, moment, expected, experienced):
    response = ResponseFactory(
        invitation=InvitationFactory(survey=survey, interaction=interaction), submitted_at=moment
    )
    AnswerFactory(response=response, question=question, expected=expected, score=experienced)
    return response


@pytest.fixture
def ratios():
    """A measured touchpoint (wait time, lower is better) with survey pairs on it, over two months."""
    wait = TouchpointFactory(
        name="Support call",
        stage=Stage.POST_SALE,
        measure_name="Wait",
        measure_unit="min",
        measure_direction=LOWER,
    )
    quiet = TouchpointFactory(name="Web advert", stage=Stage.PRE_SALE)
    survey = SurveyFactory()
    pair = QuestionFactory(survey=survey, type=Question.Type.EXPECTATION_EXPERIENCE, direction=HIGHER)
    march = [
        InteractionFactory(touchpoint=wait, occurred_at=at(3), expected_value=5, actual_value=10),
        InteractionFactory(touchpoint=wait, occurred_at=at(20), expected_value=5, actual_value=5),
    ]
    april = [InteractionFactory(touchpoint=wait, occurred_at=at(2, 4), expected_value=4, actual_value=1)]
    pair_response(survey, pair, march[0], at(4), expected=8, experienced=6)
    pair_response(survey, pair, april[0], at(3, 4), expected=5, experienced=7)
    InteractionFactory(touchpoint=quiet, occurred_at=at(5), experience_score=7.0)
    metrics_rebuild()
    return {"wait": wait, "quiet": quiet, "survey": survey}


def test_the_heatmap_pools_survey_pairs_and_measures_per_month(ratios):
    heatmap = expectation_heatmap(filters=SPRING)
    wait = ratios["wait"].id
    march = heatmap.cell(wait, MARCH)
    april = heatmap.cell(wait, APRIL)
    expected_march = ratio_summary_of(
        [
            expectation_ratio(expected=5, experienced=10, direction=LOWER),
            expectation_ratio(expected=5, experienced=5, direction=LOWER),
            expectation_ratio(expected=8, experienced=6, direction=HIGHER),
        ]
    )

    assert heatmap.months == [MARCH, APRIL]
    assert [t.id for t in heatmap.touchpoints] == [wait]  # a touchpoint without ratios is left out
    assert (march.ratio.n, march.survey_n, march.measure_n) == (3, 1, 2)
    assert march.ratio.geometric_mean == pytest.approx(expected_march.geometric_mean, rel=1e-12)
    assert march.ratio.share_below == expected_march.share_below
    assert (april.survey_n, april.measure_n) == (1, 1)
    assert april.ratio.geometric_mean == pytest.approx(math.sqrt(4.0 * 7 / 5), rel=1e-12)


def test_the_heatmap_months_add_up_to_the_touchpoint_ratios(ratios):
    heatmap = expectation_heatmap(filters=SPRING)
    (row,) = expectation_by_touchpoint(filters=SPRING)
    n = row.survey.n + row.measure.n
    pooled = (
        row.survey.n * math.log(row.survey.geometric_mean)
        + row.measure.n * math.log(row.measure.geometric_mean)
    ) / n
    cells = [heatmap.cell(row.touchpoint_id, month) for month in heatmap.months]

    assert sum(c.ratio.n for c in cells) == n
    assert sum(c.ratio.n * math.log(c.ratio.geometric_mean) for c in cells) / n == pytest.approx(
        pooled, rel=1e-12
    )


def test_a_survey_filter_keeps_only_survey_ratios_in_the_heatmap(ratios):
    heatmap = expectation_heatmap(
        filters=MetricFilters(start=SPRING.start, end=SPRING.end, survey_id=ratios["survey"].id)
    )
    cells = list(heatmap.cells.values())
    assert {(c.survey_n, c.measure_n) for c in cells} == {(1, 0)}


def test_the_heatmap_is_empty_outside_the_data(ratios):
    heatmap = expectation_heatmap(filters=MetricFilters(start=date(2024, 1, 1), end=date(2024, 1, 31)))
    assert (heatmap.cells, heatmap.months, heatmap.touchpoints) == ({}, [], [])


@pytest.fixture
def journey_map():
    """A three-step map; two journeys along it, one also at a touchpoint off the map."""
    steps = [
        JourneyMapStepFactory(position=1, touchpoint=TouchpointFactory(name="Browse", stage=Stage.PRE_SALE)),
    ]
    journey_map = steps[0].journey_map
    steps.append(
        JourneyMapStepFactory(
            journey_map=journey_map,
            position=2,
            touchpoint=TouchpointFactory(name="Checkout", stage=Stage.MID_SALE),
        )
    )
    steps.append(
        JourneyMapStepFactory(
            journey_map=journey_map,
            position=3,
            touchpoint=TouchpointFactory(name="Delivery", stage=Stage.POST_SALE),
        )
    )
    browse, checkout, delivery = (step.touchpoint for step in steps)
    first = JourneyFactory(journey_map=journey_map, started_at=at(2))
    second = JourneyFactory(journey_map=journey_map, started_at=at(3))
    # First journey: 7, 8, 2 — the peak and the end are the delivery (pain).
    for hour, touchpoint, score in ((1, browse, 7.0), (2, checkout, 8.0), (3, delivery, 2.0)):
        InteractionFactory(
            journey=first,
            customer=first.customer,
            touchpoint=touchpoint,
            occurred_at=at(2, hour=hour),
            experience_score=score,
        )
    # Second: 6, 10 — the checkout is both peak (|10 - 5|) and end.
    for hour, touchpoint, score in ((1, browse, 6.0), (2, checkout, 10.0)):
        InteractionFactory(
            journey=second,
            customer=second.customer,
            touchpoint=touchpoint,
            occurred_at=at(3, hour=hour),
            experience_score=score,
        )
    # A contact at the delivery touchpoint outside any journey still counts in the step's experience.
    InteractionFactory(touchpoint=delivery, occurred_at=at(9), experience_score=5.0)
    metrics_rebuild()
    return journey_map, (browse, checkout, delivery)


def test_the_curve_averages_the_experience_at_each_step(journey_map):
    journey_map, (browse, checkout, delivery) = journey_map
    curve = journey_curve(filters=SPRING, journey_map_id=journey_map.id)

    assert [step.touchpoint_id for step in curve.steps] == [browse.id, checkout.id, delivery.id]
    assert [step.experience for step in curve.steps] == [
        experience_summary(n=2, total=13.0, floor_breaches=0),
        experience_summary(n=2, total=18.0, floor_breaches=0),
        experience_summary(n=2, total=7.0, floor_breaches=0),
    ]
    assert [step.stage_label for step in curve.steps] == ["Pre-sale", "Purchase", "Post-sale"]


def test_the_curve_marks_the_typical_peak_and_end(journey_map):
    journey_map, (_browse, checkout, delivery) = journey_map
    curve = journey_curve(filters=SPRING, journey_map_id=journey_map.id)
    steps = {step.touchpoint_id: step for step in curve.steps}

    assert curve.journeys == 2
    assert (steps[delivery.id].peaks, steps[delivery.id].negative_peaks, steps[delivery.id].ends) == (1, 1, 1)
    assert (steps[checkout.id].peaks, steps[checkout.id].ends) == (1, 1)
    # A tie on peaks goes to the more painful step; on ends too.
    assert curve.typical_peak.touchpoint_id == delivery.id
    assert curve.typical_end.touchpoint_id == delivery.id
    assert curve.share(steps[delivery.id].peaks) == 0.5


def test_a_curve_without_journeys_has_no_typical_moments(journey_map):
    journey_map, _ = journey_map
    curve = journey_curve(
        filters=MetricFilters(start=date(2024, 1, 1), end=date(2024, 1, 31)), journey_map_id=journey_map.id
    )
    assert curve.journeys == 0 and curve.typical_peak is None and curve.typical_end is None
    assert all(step.experience.mean is None for step in curve.steps)


def test_segments_are_distinct_sorted_and_skip_the_empty_one():
    for segment in ("smb", "consumer", "", "smb", "enterprise", "consumer"):
        CustomerFactory(segment=segment)
    assert customer_segments() == ["consumer", "enterprise", "smb"]
    assert customer_segments(limit=2) == ["consumer", "enterprise"]


def test_the_filter_choices_list_touchpoints_in_stage_order():
    TouchpointFactory(name="Delivery", stage=Stage.POST_SALE)
    TouchpointFactory(name="Checkout", stage=Stage.MID_SALE)
    TouchpointFactory(name="Advert", stage=Stage.PRE_SALE, active=False)
    JourneyMapFactory(name="Online")
    options = filter_options(journey_maps=True)

    assert [(t.name, t.stage, t.active) for t in touchpoint_catalogue()] == [
        ("Advert", "pre_sale", False),
        ("Checkout", "mid_sale", True),
        ("Delivery", "post_sale", True),
    ]
    assert [name for _, name in options.journey_maps] == ["Online"]
    assert filter_options().journey_maps == []


# --- Comments -----------------------------------------------------------------------------------


@pytest.fixture
def comments():
    """Five comments: two surveys, a touchpoint by interaction and one by the survey's own."""
    delivery = TouchpointFactory(name="Delivery", stage=Stage.POST_SALE)
    relationship = SurveyFactory(name="Relationship")
    after_delivery = SurveyFactory(name="After delivery", touchpoint=delivery)
    questions = {}
    for survey in (relationship, after_delivery):
        questions[survey] = {
            "nps": QuestionFactory(survey=survey, type=Question.Type.NPS),
            "text": QuestionFactory(survey=survey, type=Question.Type.TEXT),
        }
    smb = CustomerFactory(segment="smb")

    def comment(
        text, moment, survey=relationship, *, nps=None, customer=None, interaction=None, language="en"
    ):
        invitation = InvitationFactory(
            survey=survey, customer=customer or CustomerFactory(), interaction=interaction
        )
        response = ResponseFactory(invitation=invitation, submitted_at=moment, language=language)
        if nps is not None:
            AnswerFactory(response=response, question=questions[survey]["nps"], score=nps)
        AnswerFactory(response=response, question=questions[survey]["text"], text=text)
        return response

    made = {
        "old": comment("Great people.", at(2), nps=10),
        "late": comment("The parcel was LATE.", at(5), after_delivery, nps=3),
        "smb": comment('=HYPERLINK("http://x")', at(6), customer=smb, nps=7),
        "by_interaction": comment(
            "包裹晚了", at(7), interaction=InteractionFactory(touchpoint=delivery), language="zh-hans", nps=2
        ),
        "newest": comment("Slow, but late is fine", at(9)),
    }
    comment("", at(8), nps=9)  # an empty comment is no comment
    return made, delivery


def ids(page) -> list[int]:
    return [c.response_id for c in page.comments]


def test_comments_come_newest_first_with_their_score_touchpoint_and_language(comments):
    made, delivery = comments
    page = comment_list(start=SPRING.start, end=SPRING.end)
    first = {c.response_id: c for c in page.comments}

    assert ids(page) == [made[k].id for k in ("newest", "by_interaction", "smb", "late", "old")]
    late = first[made["late"].id]
    assert (late.nps, late.touchpoint, late.stage_label, late.survey) == (
        3.0,
        "Delivery",
        "Post-sale",
        "After delivery",
    )
    chinese = first[made["by_interaction"].id]
    assert (chinese.touchpoint_id, chinese.language_name, chinese.text) == (
        delivery.id,
        "简体中文",
        "包裹晚了",
    )
    assert first[made["newest"].id].nps is None and first[made["old"].id].touchpoint == ""


def test_comments_are_filtered_like_the_figures(comments):
    made, delivery = comments
    assert ids(comment_list(start=date(2025, 3, 6), end=date(2025, 3, 7))) == [
        made["by_interaction"].id,
        made["smb"].id,
    ]
    assert ids(comment_list(touchpoint_id=delivery.id)) == [made["by_interaction"].id, made["late"].id]
    assert ids(comment_list(stage="post_sale")) == [made["by_interaction"].id, made["late"].id]
    assert ids(comment_list(channel="phone")) == [made["by_interaction"].id, made["late"].id]
    assert ids(comment_list(stage="")) == [made["newest"].id, made["smb"].id, made["old"].id]
    assert ids(comment_list(segment="smb")) == [made["smb"].id]
    assert ids(comment_list(survey_id=made["late"].survey_id)) == [made["late"].id]


def test_the_search_is_case_insensitive_and_finds_words_anywhere(comments):
    made, _ = comments
    assert ids(comment_list(search="late")) == [made["newest"].id, made["late"].id]
    assert ids(comment_list(search="  晚了 ")) == [made["by_interaction"].id]
    assert ids(comment_list(search="nothing like this")) == []


def test_pages_know_whether_another_follows(comments):
    made, _ = comments
    first = comment_list(per_page=2)
    third = comment_list(per_page=2, page=3)
    assert (ids(first), first.has_next, first.has_previous) == (
        [made["newest"].id, made["by_interaction"].id],
        True,
        False,
    )
    assert (ids(third), third.has_next, third.has_previous, third.first_index) == (
        [made["old"].id],
        False,
        True,
        5,
    )
    assert comment_list(per_page=2, page=9).comments == []


def test_the_export_takes_the_newest_up_to_its_limit(comments):
    made, _ = comments
    assert [c.response_id for c in comment_export(limit=2)] == [made["newest"].id, made["by_interaction"].id]


# --- Key drivers per segment ---------------------------------------------------------------------


def test_drivers_by_segment_equal_the_driver_summary_of_each_segment():
    import io

    from django.core.management import call_command

    call_command("seed_demo", "--customers", "60", "--seed", "7", stdout=io.StringIO())
    filters = MetricFilters(start=date(2000, 1, 1), end=date(2100, 1, 1))
    by_segment = driver_summary_by_segment(filters=filters, limit=10)

    assert [segment for segment, _ in by_segment] and len(by_segment) <= 10
    sizes = [sum(r.n for r in results) for _, results in by_segment]
    assert sizes == sorted(sizes, reverse=True)  # the largest first
    for segment, results in by_segment:
        expected = driver_summary(filters=replace(filters, segment=segment))
        assert [r.dimension for r in results] == [r.dimension for r in expected]
        for got, want in zip(results, expected, strict=True):
            assert (got.n, got.enough_data) == (want.n, want.enough_data)
            assert got.performance == pytest.approx(want.performance, rel=1e-12)
            if want.importance is None:
                assert got.importance is None
            else:
                assert got.importance == pytest.approx(want.importance, rel=1e-12)
    assert len(driver_summary_by_segment(filters=filters, limit=1)) == 1
