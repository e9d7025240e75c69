"""Metric definitions from shared/design/metrics.md, tested without a database."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.metrics import (
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    MIN_DRIVER_PAIRS,
    RATIO_CAP,
    Z_95,
    ces_counts,
    ces_score,
    ces_summary,
    csat_counts,
    csat_score,
    csat_summary,
    driver_quadrant,
    driver_quadrants,
    expectation_ratio,
    key_drivers,
    nps_category,
    nps_difference,
    nps_from_scores,
    nps_summary,
    pain_to_experience,
    peak_end,
    peak_end_frame,
    ratio_outcome,
    ratio_summary,
    ratio_summary_of,
)

NOT_AN_INTEGER = [9.0, np.float64(9.0), True, np.bool_(True), "9", None, 9.5]

# --- NPS -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (0, "detractor"),
        (6, "detractor"),
        (7, "passive"),
        (8, "passive"),
        (9, "promoter"),
        (10, "promoter"),
        (np.int64(9), "promoter"),
    ],
)
def test_nps_category_follows_reichheld_bands(score, category):
    assert nps_category(score) == category


@pytest.mark.parametrize("score", [-1, 11, *NOT_AN_INTEGER])
def test_nps_category_rejects_anything_but_an_integer_0_to_10(score):
    with pytest.raises(ValueError):
        nps_category(score)


def test_worked_example_matches_metrics_md():
    summary = nps_summary(promoters=291, passives=476, detractors=395)
    assert summary.n == 1162
    assert round(summary.nps, 2) == -8.95
    assert round(summary.se, 2) == 2.24


def test_empty_bucket_has_undefined_nps_not_zero():
    summary = nps_summary(promoters=0, passives=0, detractors=0)
    assert summary.n == 0
    assert (summary.nps, summary.se, summary.ci_low, summary.ci_high) == (None,) * 4


def test_interval_is_adjusted_wald_worked_by_hand():
    # P' = 1.75, D' = 0.75, n' = 4: NPS' = 25, SE' = 100 * sqrt(0.5625 / 4) = 37.5.
    summary = nps_summary(promoters=1, passives=0, detractors=0)
    assert summary.nps == 100.0
    assert summary.ci_low == pytest.approx(25 - Z_95 * 37.5)
    assert summary.ci_high == pytest.approx(25 + Z_95 * 37.5)


def test_single_promoter_has_zero_se_but_an_interval_of_real_width():
    summary = nps_summary(promoters=1, passives=0, detractors=0)
    assert summary.se == 0.0
    assert summary.ci_high - summary.ci_low > 100.0


def test_interval_is_clipped_to_plus_minus_100():
    promoters = nps_summary(promoters=1000, passives=0, detractors=0)
    detractors = nps_summary(promoters=0, passives=0, detractors=1000)
    assert promoters.ci_high == 100.0
    assert promoters.ci_low < 100.0
    assert detractors.ci_low == -100.0
    assert detractors.ci_high > -100.0


@pytest.mark.parametrize("bad", [-1, 1.0, True, None, "3"])
@pytest.mark.parametrize("field", ["promoters", "passives", "detractors"])
def test_nps_summary_rejects_counts_that_are_not_non_negative_integers(field, bad):
    counts = {"promoters": 1, "passives": 1, "detractors": 1, field: bad}
    with pytest.raises(ValueError):
        nps_summary(**counts)


def test_nps_from_scores_counts_each_band():
    summary = nps_from_scores([0, 6, 7, 8, 9, 10, 10])
    assert (summary.promoters, summary.passives, summary.detractors) == (3, 2, 2)
    assert summary.nps == pytest.approx(100 / 7)


def test_nps_from_scores_rejects_one_bad_answer():
    with pytest.raises(ValueError):
        nps_from_scores([9, 10, 9.0])


# a: NPS 40, SE 8; b: NPS 0, SE sqrt(80); z = 40 / sqrt(64 + 80) = 10 / 3.
GOOD = nps_summary(promoters=60, passives=20, detractors=20)
FLAT = nps_summary(promoters=40, passives=20, detractors=40)


def test_nps_rise_beyond_noise_is_significant():
    difference = nps_difference(GOOD, FLAT)
    assert difference.diff == pytest.approx(40.0)
    assert difference.z == pytest.approx(10 / 3)
    assert difference.significant is True


def test_nps_fall_beyond_noise_is_significant_with_negative_z():
    difference = nps_difference(FLAT, GOOD)
    assert difference.z == pytest.approx(-10 / 3)
    assert difference.significant is True


def test_nps_change_within_noise_is_not_significant():
    slightly_better = nps_summary(promoters=45, passives=20, detractors=35)
    difference = nps_difference(slightly_better, FLAT)
    assert difference.diff == pytest.approx(10.0)
    assert abs(difference.z) < 1.96
    assert difference.significant is False


def test_nps_difference_with_an_empty_side_is_undefined():
    empty = nps_summary(promoters=0, passives=0, detractors=0)
    assert nps_difference(GOOD, empty) == nps_difference(empty, GOOD)
    assert nps_difference(GOOD, empty).diff is None
    assert nps_difference(GOOD, empty).z is None
    assert nps_difference(GOOD, empty).significant is None


def test_nps_difference_of_two_zero_se_buckets():
    promoters = nps_summary(promoters=5, passives=0, detractors=0)
    detractors = nps_summary(promoters=0, passives=0, detractors=3)
    same = nps_difference(promoters, promoters)
    assert (same.diff, same.z, same.significant) == (0.0, None, False)
    apart = nps_difference(detractors, promoters)
    assert (apart.diff, apart.z, apart.significant) == (-200.0, -math.inf, True)


# --- CSAT and CES ------------------------------------------------------------


def test_csat_is_percent_of_fours_and_fives():
    n, satisfied = csat_counts([1, 2, 3, 4, 5])
    assert (n, satisfied) == (5, 2)
    assert csat_summary(n=n, satisfied=satisfied).csat == 40.0


def test_csat_of_no_answers_is_undefined():
    assert csat_summary(n=0, satisfied=0).csat is None


@pytest.mark.parametrize("score", [0, 6, *NOT_AN_INTEGER])
def test_csat_rejects_anything_but_an_integer_1_to_5(score):
    with pytest.raises(ValueError):
        csat_score(score)
    with pytest.raises(ValueError):
        csat_counts([4, score])


@pytest.mark.parametrize(("n", "satisfied"), [(2, 3), (-1, 0), (2, -1), (2.0, 1)])
def test_csat_summary_rejects_impossible_counts(n, satisfied):
    with pytest.raises(ValueError):
        csat_summary(n=n, satisfied=satisfied)


def test_ces_reports_mean_and_percent_of_five_to_seven():
    n, total, easy = ces_counts([1, 5, 7, 7])
    assert (n, total, easy) == (4, 20, 3)
    summary = ces_summary(n=n, total=total, easy=easy)
    assert (summary.mean, summary.easy_share) == (5.0, 75.0)


def test_ces_of_no_answers_is_undefined():
    summary = ces_summary(n=0, total=0, easy=0)
    assert (summary.mean, summary.easy_share) == (None, None)


@pytest.mark.parametrize("score", [0, 8, *NOT_AN_INTEGER])
def test_ces_rejects_anything_but_an_integer_1_to_7(score):
    with pytest.raises(ValueError):
        ces_score(score)
    with pytest.raises(ValueError):
        ces_counts([4, score])


@pytest.mark.parametrize(("n", "total", "easy"), [(2, 1, 0), (2, 15, 0), (2, 10, 3), (-1, 0, 0), (1, 4.0, 0)])
def test_ces_summary_rejects_counts_no_answers_could_give(n, total, easy):
    with pytest.raises(ValueError):
        ces_summary(n=n, total=total, easy=easy)


# --- Expectation ratio -------------------------------------------------------


def test_lower_is_better_promised_three_days_done_in_one_is_three():
    assert expectation_ratio(expected=3, experienced=1, direction=LOWER_IS_BETTER) == 3


def test_higher_is_better_is_experience_over_expectation():
    ratio = expectation_ratio(expected=4, experienced=5, direction=HIGHER_IS_BETTER)
    assert ratio == 1.25


def test_instant_lower_is_better_experience_is_capped_at_ten():
    ratio = expectation_ratio(expected=3, experienced=0, direction=LOWER_IS_BETTER)
    assert ratio == RATIO_CAP == 10.0


@pytest.mark.parametrize(
    ("expected", "experienced", "direction", "ratio"),
    [
        (1, 1000, HIGHER_IS_BETTER, 10.0),
        (1000, 1, LOWER_IS_BETTER, 10.0),
        (1000, 1, HIGHER_IS_BETTER, 0.1),
        (1, 1000, LOWER_IS_BETTER, 0.1),
    ],
)
def test_ratio_is_clamped_to_a_tenth_and_ten_in_both_directions(expected, experienced, direction, ratio):
    assert expectation_ratio(expected=expected, experienced=experienced, direction=direction) == ratio


def test_higher_is_better_experience_of_zero_is_floored_so_its_log_is_finite():
    ratio = expectation_ratio(expected=4, experienced=0, direction=HIGHER_IS_BETTER)
    assert ratio == 1 / RATIO_CAP
    assert ratio_outcome(ratio) == "below"


@pytest.mark.parametrize(
    ("expected", "experienced", "direction"),
    [
        (0, 1, HIGHER_IS_BETTER),
        (-1, 1, LOWER_IS_BETTER),
        (None, 1, HIGHER_IS_BETTER),
        (math.nan, 1, HIGHER_IS_BETTER),
        (math.inf, 1, LOWER_IS_BETTER),
        (3, -1, LOWER_IS_BETTER),
        (3, None, LOWER_IS_BETTER),
        (3, math.nan, HIGHER_IS_BETTER),
        (3, math.inf, HIGHER_IS_BETTER),
        (3, True, HIGHER_IS_BETTER),
        (3, 1, "sideways"),
    ],
)
def test_expectation_ratio_rejects_invalid_inputs(expected, experienced, direction):
    with pytest.raises(ValueError):
        expectation_ratio(expected=expected, experienced=experienced, direction=direction)


@pytest.mark.parametrize(
    ("ratio", "outcome"),
    [
        (1.0, "met"),
        (1 + 5e-10, "met"),
        (1 - 5e-10, "met"),
        (1 + 2e-9, "above"),
        (1 - 2e-9, "below"),
        (3.0, "above"),
        (0.1, "below"),
    ],
)
def test_ratio_outcome_uses_a_tolerance_of_1e_9(ratio, outcome):
    assert ratio_outcome(ratio) == outcome


def test_geometric_mean_of_two_and_a_half_is_one():
    summary = ratio_summary_of([2.0, 0.5])
    assert abs(summary.geometric_mean - 1.0) <= 1e-12


def test_ratio_shares_are_fractions_of_n():
    summary = ratio_summary_of([2.0, 0.5, 1.0, 1.0])
    assert (summary.share_below, summary.share_met, summary.share_above) == (
        0.25,
        0.5,
        0.25,
    )


def test_ratio_summary_of_nothing_is_undefined():
    summary = ratio_summary(n=0, sum_log=0.0, below=0, met=0, above=0)
    assert summary == ratio_summary_of([])
    assert (summary.geometric_mean, summary.share_met) == (None, None)


@pytest.mark.parametrize(
    "counts",
    [
        {"n": 3, "sum_log": 0.0, "below": 1, "met": 1, "above": 0},
        {"n": -1, "sum_log": 0.0, "below": 0, "met": 0, "above": 0},
        {"n": 1, "sum_log": math.nan, "below": 0, "met": 1, "above": 0},
    ],
)
def test_ratio_summary_rejects_inconsistent_counts(counts):
    with pytest.raises(ValueError):
        ratio_summary(**counts)


@pytest.mark.parametrize("ratio", [0.0, -1.0, math.nan, None])
def test_ratio_summary_of_rejects_non_positive_ratios(ratio):
    with pytest.raises(ValueError):
        ratio_summary_of([1.0, ratio])


# --- Peak-end ------------------------------------------------------------------


def test_single_moment_is_both_peak_and_end():
    result = peak_end([3])
    assert (result.peak_index, result.end_index) == (0, 0)
    assert (result.peak, result.end, result.peak_end, result.gap) == (3, 3, 3, 0)


@pytest.mark.parametrize("scores", [[8, 2], [2, 8]])
def test_equal_intensity_negative_peak_beats_positive(scores):
    result = peak_end(scores)
    assert result.peak == 2
    assert result.peak_index == scores.index(2)


def test_equal_intensity_same_sign_later_moment_is_peak():
    assert peak_end([2, 6, 2, 7]).peak_index == 2
    assert peak_end([9, 6, 9, 5]).peak_index == 2


def test_all_neutral_journey_peaks_at_its_last_moment():
    assert peak_end([5, 5, 5]).peak_index == 2


def test_end_is_the_last_moment_in_the_given_order():
    result = peak_end([7, 3, 7])
    assert (result.end_index, result.end) == (2, 7)


def test_peak_end_figures_worked_by_hand():
    result = peak_end([6, 2, 8, 7], floors=[5, 3, None, 7])
    assert (result.peak_index, result.peak, result.end) == (1, 2, 7)
    assert result.peak_end == 4.5
    assert result.mean == 5.75
    assert result.gap == -1.25
    assert result.contrast == 6
    assert result.floor_breaches == 1  # 2 < 3; 7 is not below a floor of 7


def test_pain_maps_to_experience_below_neutral():
    assert [pain_to_experience(p) for p in (0, 8, 10)] == [5.0, 1.0, 0.0]
    with pytest.raises(ValueError):
        pain_to_experience(11)


def test_longer_colonoscopy_ending_gently_is_remembered_as_less_bad():
    short = [pain_to_experience(p) for p in (2, 5, 8, 7)]
    long = [pain_to_experience(p) for p in (2, 5, 8, 7, 5, 3, 1)]
    assert sum(map(pain_to_experience, (5, 3, 1))) < 3 * 5  # more pain in total
    assert peak_end(long).peak_end > peak_end(short).peak_end


def test_cold_water_trial_with_thirty_extra_seconds_is_preferred():
    sixty_seconds = [pain_to_experience(8)] * 6  # one moment per 10 s
    longer = sixty_seconds + [pain_to_experience(7)] * 3
    assert peak_end(longer).peak_end > peak_end(sixty_seconds).peak_end
    assert peak_end(longer).mean > peak_end(sixty_seconds).mean


@pytest.mark.parametrize("scores", [[], [5, 10.5], [-0.5], [5, math.nan], [True], [None]])
def test_peak_end_rejects_empty_or_out_of_range_journeys(scores):
    with pytest.raises(ValueError):
        peak_end(scores)


def test_peak_end_rejects_floors_of_another_length():
    with pytest.raises(ValueError):
        peak_end([5, 6], floors=[4])


def _moments(journey_id, scores, positions, floors=None):
    return pd.DataFrame(
        {
            "journey_id": journey_id,
            "position": positions,
            "score": scores,
            "floor": floors if floors is not None else [math.nan] * len(scores),
        }
    )


def test_peak_end_frame_orders_by_position_not_by_row():
    rows = pd.concat(
        [
            _moments("b", [7, 8, 2], [30, 10, 20], [None, None, 3]),
            _moments("a", [4], [1]),
        ]
    )
    frame = peak_end_frame(rows)
    assert list(frame.index) == ["a", "b"]
    b = frame.loc["b"].to_dict()
    assert (b["peak_position"], b["peak"], b["end_position"], b["end"]) == (20, 2, 30, 7)
    assert (b["peak_end"], b["mean"], b["contrast"]) == (4.5, 17 / 3, 6)
    assert (b["floor_breaches"], b["n"]) == (1, 3)
    assert frame["n"].dtype.kind == frame["floor_breaches"].dtype.kind == "i"
    assert frame.loc["a", "peak_end"] == 4


def test_peak_end_frame_without_floor_column_counts_no_breaches():
    rows = _moments(1, [0, 10], [0, 1]).drop(columns="floor")
    assert peak_end_frame(rows).loc[1, "floor_breaches"] == 0


@pytest.mark.parametrize(
    "rows",
    [
        _moments(1, [5, 6], [1, 1]),
        _moments(1, [5, 11], [1, 2]),
        _moments(1, [5, math.nan], [1, 2]),
        _moments(1, [5, 6], [1.0, 2.0]),
        _moments(1, [5], [1]).drop(columns="score"),
    ],
    ids=["duplicate-position", "out-of-range", "missing-score", "float-position", "no-score"],
)
def test_peak_end_frame_rejects_invalid_moments(rows):
    with pytest.raises(ValueError):
        peak_end_frame(rows)


def test_peak_end_frame_of_no_moments_is_empty():
    frame = peak_end_frame(_moments(1, [], []).astype({"position": int}))
    assert frame.empty
    assert "peak_end" in frame.columns


journeys = st.lists(
    st.lists(st.tuples(st.integers(0, 10), st.none() | st.integers(0, 10)), min_size=1, max_size=6),
    min_size=1,
    max_size=15,
)


@given(journeys=journeys, data=st.data())
def test_peak_end_frame_equals_scalar_peak_end(journeys, data):
    parts, expected = [], {}
    for journey_id, moments in enumerate(journeys):
        scores = [s for s, _ in moments]
        floors = [f for _, f in moments]
        size = len(moments)
        positions = sorted(
            data.draw(st.lists(st.integers(-50, 50), min_size=size, max_size=size, unique=True))
        )
        parts.append(_moments(journey_id * 7, scores, positions, floors))
        expected[journey_id * 7] = (peak_end(scores, floors=floors), positions)
    rows = pd.concat(parts, ignore_index=True)
    rows = rows.iloc[data.draw(st.permutations(range(len(rows))))]
    frame = peak_end_frame(rows)
    assert list(frame.index) == sorted(expected)
    for journey_id, (scalar, positions) in expected.items():
        row = frame.loc[journey_id].to_dict()
        assert row["peak_position"] == positions[scalar.peak_index]
        assert row["end_position"] == positions[scalar.end_index]
        for field in ("peak", "end", "peak_end", "mean", "gap", "contrast", "floor_breaches"):
            assert row[field] == getattr(scalar, field), field
        assert row["n"] == len(positions)


# --- Key drivers -----------------------------------------------------------------


def _survey(n, seed=0):
    rng = np.random.default_rng(seed)
    recommend = rng.integers(0, 11, n)
    service = np.clip(recommend // 2 + rng.integers(-1, 2, n), 1, 5)
    price = rng.integers(1, 6, n)
    return {"recommend": recommend, "service": service, "price": price}


def test_driver_importance_is_pearson_r_with_fisher_interval():
    survey = _survey(200)
    service, price = key_drivers(survey, outcome="recommend")
    r = np.corrcoef(survey["service"], survey["recommend"])[0, 1]
    half = Z_95 / math.sqrt(200 - 3)
    assert service.dimension == "service"
    assert service.n == 200
    assert service.enough_data is True
    assert service.importance == pytest.approx(r, abs=1e-12)
    assert service.ci_low == pytest.approx(math.tanh(math.atanh(r) - half))
    assert service.ci_high == pytest.approx(math.tanh(math.atanh(r) + half))
    assert service.performance == pytest.approx(survey["service"].mean())
    assert service.importance > price.importance


def test_drivers_pair_only_rows_answering_both_but_perform_over_all_answers():
    survey = {
        "recommend": [None, *range(11)] * 3,
        "service": [1.0, *([3.0, 5.0] * 5), None] * 3,
    }
    (service,) = key_drivers(pd.DataFrame(survey), outcome="recommend")
    assert service.n == 30
    assert service.performance == pytest.approx((1 + 4 * 10) / 11)


def test_driver_below_thirty_pairs_is_not_enough_data():
    survey = {k: v[: MIN_DRIVER_PAIRS - 1] for k, v in _survey(200).items()}
    service = key_drivers(survey, outcome="recommend")[0]
    assert (service.n, service.enough_data) == (29, False)
    assert (service.importance, service.ci_low, service.ci_high) == (None, None, None)
    assert service.performance == pytest.approx(np.mean(survey["service"]))


def test_constant_dimension_has_no_importance():
    survey = {"recommend": list(range(11)) * 4, "service": [4] * 44}
    (service,) = key_drivers(survey, outcome="recommend")
    assert (service.importance, service.enough_data, service.performance) == (None, False, 4)


def test_perfect_correlation_has_a_degenerate_interval():
    survey = {"recommend": list(range(11)) * 3, "service": [10 - x for x in range(11)] * 3}
    (service,) = key_drivers(survey, outcome="recommend")
    assert (service.importance, service.ci_low, service.ci_high) == (-1.0, -1.0, -1.0)


@pytest.mark.parametrize("bad", [11, -1, 7.5])
def test_key_drivers_rejects_outcomes_outside_0_to_10(bad):
    with pytest.raises(ValueError):
        key_drivers({"recommend": [bad, 5], "service": [1, 2]}, outcome="recommend")


def test_key_drivers_rejects_a_missing_outcome_column():
    with pytest.raises(ValueError):
        key_drivers({"service": [1, 2]}, outcome="recommend")


@pytest.mark.parametrize(
    ("importance", "performance", "quadrant"),
    [
        (0.6, 2.0, "act_first"),
        (0.6, 4.0, "keep_up"),
        (0.1, 2.0, "low_priority"),
        (0.1, 4.0, "overkill"),
        (0.5, 3.0, "keep_up"),
    ],
)
def test_driver_quadrant(importance, performance, quadrant):
    cuts = {"importance_cut": 0.5, "performance_cut": 3.0}
    assert driver_quadrant(importance, performance, **cuts) == quadrant


def test_driver_quadrants_cut_at_medians_of_dimensions_with_enough_data():
    survey = _survey(300, seed=1)
    survey["brand"] = np.clip(survey["recommend"] // 2 + 1, 1, 5)  # strong, high
    survey["convenience"] = 6 - survey["service"]  # strong negative, low
    survey["sparse"] = [1.0] * 10 + [None] * 290
    quadrants = driver_quadrants(key_drivers(survey, outcome="recommend"))
    assert quadrants["sparse"] is None
    results = {r.dimension: r for r in key_drivers(survey, outcome="recommend")}
    ranked = [r for r in results.values() if r.enough_data]
    importance_cut = np.median([r.importance for r in ranked])
    performance_cut = np.median([r.performance for r in ranked])
    for r in ranked:
        assert quadrants[r.dimension] == driver_quadrant(
            r.importance,
            r.performance,
            importance_cut=importance_cut,
            performance_cut=performance_cut,
        )
    assert len({quadrants[r.dimension] for r in ranked}) > 1


# --- Additivity (properties) -----------------------------------------------------

nps_scores = st.lists(st.integers(0, 10), max_size=60)


def _counts(scores):
    summary = nps_from_scores(scores)
    return summary.promoters, summary.passives, summary.detractors


@given(nps_scores)
def test_nps_from_counts_equals_nps_from_scores(scores):
    promoters = sum(s >= 9 for s in scores)
    passives = sum(7 <= s <= 8 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    by_counts = nps_summary(promoters=promoters, passives=passives, detractors=detractors)
    assert by_counts == nps_from_scores(scores)


@given(nps_scores, nps_scores)
def test_nps_of_a_split_equals_nps_of_the_whole(first, second):
    (p1, pa1, d1), (p2, pa2, d2) = _counts(first), _counts(second)
    rollup = nps_summary(promoters=p1 + p2, passives=pa1 + pa2, detractors=d1 + d2)
    assert rollup == nps_from_scores(first + second)


@given(st.lists(st.integers(1, 5)), st.lists(st.integers(1, 5)))
def test_csat_of_a_split_equals_csat_of_the_whole(first, second):
    (n1, s1), (n2, s2) = csat_counts(first), csat_counts(second)
    whole = csat_summary(**dict(zip(("n", "satisfied"), csat_counts(first + second), strict=True)))
    assert csat_summary(n=n1 + n2, satisfied=s1 + s2) == whole


@given(st.lists(st.integers(1, 7)), st.lists(st.integers(1, 7)))
def test_ces_of_a_split_equals_ces_of_the_whole(first, second):
    parts = [ces_counts(first), ces_counts(second)]
    n, total, easy = (sum(column) for column in zip(*parts, strict=True))
    whole_n, whole_total, whole_easy = ces_counts(first + second)
    assert ces_summary(n=n, total=total, easy=easy) == ces_summary(
        n=whole_n, total=whole_total, easy=whole_easy
    )


ratios = st.lists(
    st.sampled_from([1.0, 2.0, 0.5, 3.0, 0.1, 10.0])
    | st.floats(min_value=0.1, max_value=10.0, allow_nan=False),
    max_size=40,
)


def _accumulate(ratio_list):
    outcomes = [ratio_outcome(r) for r in ratio_list]
    return {
        "n": len(ratio_list),
        "sum_log": math.fsum(math.log(r) for r in ratio_list),
        **{k: outcomes.count(k) for k in ("below", "met", "above")},
    }


@given(ratios)
def test_ratio_summary_of_equals_ratio_summary_of_its_counts(ratio_list):
    assert ratio_summary_of(ratio_list) == ratio_summary(**_accumulate(ratio_list))


@given(ratios, ratios)
def test_ratio_summary_of_a_split_equals_the_whole(first, second):
    a, b = _accumulate(first), _accumulate(second)
    rollup = ratio_summary(**{k: a[k] + b[k] for k in a})
    whole = ratio_summary_of(first + second)
    assert (rollup.n, rollup.share_below, rollup.share_met, rollup.share_above) == (
        whole.n,
        whole.share_below,
        whole.share_met,
        whole.share_above,
    )
    if whole.n:
        assert rollup.geometric_mean == pytest.approx(whole.geometric_mean, rel=1e-12)


def test_metrics_package_imports_no_django():
    """metrics.md: the single source of truth is pure maths; a Django import would tie it to I/O."""
    import subprocess
    import sys
    from pathlib import Path

    probe = (
        "import sys, analytics.metrics; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=environment, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
