"""Intervals from additive sums: Student's t quantile, the t interval of a mean, the adjusted-Wald
interval of a share, and CSAT and CES with theirs. Hand-worked examples, no database."""

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.metrics import (
    Z_95,
    ces_counts,
    ces_figures,
    ces_summary,
    csat_figures,
    mean_interval,
    share_interval,
    t_quantile_95,
)


def sums(values: list[int]) -> dict:
    return {"n": len(values), "total": sum(values), "sum_squares": sum(v * v for v in values)}


# --- Student's t ----------------------------------------------------------------


def test_t_quantile_at_one_degree_of_freedom_is_the_cauchy_quantile():
    # t with 1 df is Cauchy: the quantile of p is tan(pi (p - 1/2)).
    assert t_quantile_95(1) == pytest.approx(math.tan(0.475 * math.pi), rel=1e-11)


def test_t_quantile_at_two_degrees_of_freedom_has_its_closed_form():
    # t with 2 df: the quantile of p is (2p - 1) / sqrt(2 p (1 - p)).
    p = 0.975
    assert t_quantile_95(2) == pytest.approx((2 * p - 1) / math.sqrt(2 * p * (1 - p)), rel=1e-11)


@pytest.mark.parametrize(("df", "table"), [(4, 2.776445), (10, 2.228139), (30, 2.042272), (120, 1.979930)])
def test_t_quantile_matches_the_printed_tables(df, table):
    assert t_quantile_95(df) == pytest.approx(table, abs=5e-7)


def test_t_quantile_falls_with_the_degrees_of_freedom_towards_the_normal_quantile():
    quantiles = [t_quantile_95(df) for df in (1, 2, 3, 5, 10, 50, 1000, 10**6)]
    assert quantiles == sorted(quantiles, reverse=True)
    assert quantiles[-1] == pytest.approx(Z_95, abs=1e-5) and quantiles[-1] > Z_95


@pytest.mark.parametrize("df", [0, -1, 2.0, True])
def test_t_quantile_needs_a_whole_positive_number_of_degrees_of_freedom(df):
    with pytest.raises(ValueError):
        t_quantile_95(df)


# --- the mean's interval ----------------------------------------------------------


def test_mean_interval_of_one_two_three():
    # mean 2, s = 1, t(2) = 4.302653: 2 ± 4.302653 / sqrt(3) = 2 ± 2.484138.
    result = mean_interval(**sums([1, 2, 3]))
    assert (result.n, result.mean, result.sd) == (3, 2.0, 1.0)
    assert result.ci_low == pytest.approx(2 - 2.484138, abs=1e-6)
    assert result.ci_high == pytest.approx(2 + 2.484138, abs=1e-6)


def test_mean_interval_spread_is_the_sample_standard_deviation():
    values = [1, 4, 4, 5, 7, 7, 7]
    result = mean_interval(**sums(values))
    assert result.sd == pytest.approx(statistics.stdev(values), rel=1e-12)
    half = t_quantile_95(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    assert (result.ci_low, result.ci_high) == pytest.approx((5 - half, 5 + half), rel=1e-12)


def test_all_equal_values_give_the_point_as_the_interval():
    result = mean_interval(**sums([5, 5, 5, 5]))
    assert (result.mean, result.sd, result.ci_low, result.ci_high) == (5.0, 0.0, 5.0, 5.0)


def test_all_equal_real_values_give_the_point_despite_float_rounding():
    result = mean_interval(n=3, total=0.3, sum_squares=0.03)  # three times 0.1
    assert result.ci_low == result.ci_high == result.mean


def test_one_value_gives_the_point_and_no_spread():
    result = mean_interval(**sums([6]))
    assert (result.mean, result.sd, result.ci_low, result.ci_high) == (6.0, None, 6.0, 6.0)


def test_no_values_give_no_mean():
    result = mean_interval(n=0, total=0, sum_squares=0)
    assert (result.mean, result.sd, result.ci_low, result.ci_high) == (None, None, None, None)


@pytest.mark.parametrize(("n", "total", "sum_squares"), [(2, 4, 7), (0, 1, 1), (-1, 0, 0)])
def test_mean_interval_rejects_sums_no_values_could_give(n, total, sum_squares):
    with pytest.raises(ValueError):
        mean_interval(n=n, total=total, sum_squares=sum_squares)


# --- shares ----------------------------------------------------------------------


def test_share_interval_of_22_in_30_is_adjusted_wald():
    # ñ = 30 + z² = 33.841459, p̃ = (22 + z²/2) / ñ = 0.706847, half-width z·sqrt(p̃(1 − p̃)/ñ) = 0.153368.
    result = share_interval(n=30, x=22)
    assert result.share == 22 / 30
    assert (result.ci_low, result.ci_high) == pytest.approx((0.553479, 0.860214), abs=1e-6)


def test_share_interval_has_width_at_the_edges_and_stays_in_zero_to_one():
    none, all_ = share_interval(n=5, x=0), share_interval(n=5, x=5)
    assert none.ci_low == 0.0 and 0.0 < none.ci_high < 1.0
    assert all_.ci_high == 1.0 and 0.0 < all_.ci_low < 1.0


def test_share_of_nothing_is_undefined():
    result = share_interval(n=0, x=0)
    assert (result.share, result.ci_low, result.ci_high) == (None, None, None)


# --- CSAT and CES ------------------------------------------------------------------


def test_csat_figures_are_percent_with_the_adjusted_wald_interval():
    result = csat_figures(n=30, satisfied=22)
    assert (result.n, result.satisfied, result.csat) == (30, 22, 100 * 22 / 30)
    assert (result.ci_low, result.ci_high) == pytest.approx((55.3479, 86.0214), abs=1e-4)


def test_ces_figures_of_five_answers():
    # 3, 4, 5, 6, 6: mean 4.8, s² = (122 − 24²/5) / 4 = 1.7, t(4) = 2.776445:
    # 4.8 ± 2.776445 · 1.303840 / sqrt(5) = 4.8 ± 1.618932; three of five are 5–7.
    result = ces_figures(n=5, total=24, sum_squares=122, easy=3)
    assert (result.n, result.mean, result.easy, result.easy_share) == (5, 4.8, 3, 60.0)
    assert result.sd == pytest.approx(math.sqrt(1.7), rel=1e-12)
    assert (result.ci_low, result.ci_high) == pytest.approx((4.8 - 1.618932, 4.8 + 1.618932), abs=1e-6)
    easy = share_interval(n=5, x=3)
    assert (result.easy_ci_low, result.easy_ci_high) == (100 * easy.ci_low, 100 * easy.ci_high)


def test_ces_figures_keep_the_summary_points_to_the_last_bit():
    n, total, easy = ces_counts([1, 2, 7, 7, 7, 6, 3])
    result = ces_figures(n=n, total=total, sum_squares=1 + 4 + 49 * 3 + 36 + 9, easy=easy)
    summary = ces_summary(n=n, total=total, easy=easy)
    assert (result.mean, result.easy_share) == (summary.mean, summary.easy_share)


def test_ces_interval_is_clipped_to_the_scale():
    # 4, 5, 6, 7, 7: 5.8 ± 1.618932 would reach 7.42; a mean of 1–7 answers cannot.
    result = ces_figures(n=5, total=29, sum_squares=175, easy=4)
    assert result.ci_low == pytest.approx(5.8 - 1.618932, abs=1e-6)
    assert result.ci_high == 7.0


def test_ces_all_equal_answers_give_the_point_and_one_answer_too():
    same = ces_figures(n=4, total=24, sum_squares=144, easy=4)
    assert (same.mean, same.ci_low, same.ci_high) == (6.0, 6.0, 6.0)
    one = ces_figures(n=1, total=2, sum_squares=4, easy=0)
    assert (one.mean, one.ci_low, one.ci_high) == (2.0, 2.0, 2.0)


def test_ces_without_sum_of_squares_has_a_mean_but_no_interval():
    result = ces_figures(n=4, total=20, sum_squares=None, easy=3)
    assert result.mean == 5.0 and (result.sd, result.ci_low, result.ci_high) == (None, None, None)
    assert result.easy_ci_low is not None


def test_ces_of_no_answers_is_undefined():
    result = ces_figures(n=0, total=0, sum_squares=0, easy=0)
    assert (result.mean, result.ci_low, result.easy_share, result.easy_ci_low) == (None, None, None, None)


@pytest.mark.parametrize(
    ("n", "total", "sum_squares", "easy"),
    [
        (2, 8, 0, 1),  # below Σx: every answer is at least 1
        (2, 8, 57, 1),  # above 7·Σx: every answer is at most 7
        (2, 8, 31, 1),  # below (Σx)²/n = 32 (4 and 4): no spread is smaller than none
        (2, 8, 34.0, 1),  # a float Σx² means an upstream bug
    ],
)
def test_ces_figures_reject_a_sum_of_squares_no_answers_could_give(n, total, sum_squares, easy):
    with pytest.raises(ValueError):
        ces_figures(n=n, total=total, sum_squares=sum_squares, easy=easy)


@given(st.lists(st.integers(1, 7), max_size=30), st.lists(st.integers(1, 7), max_size=30))
def test_ces_figures_of_a_split_equal_those_of_the_whole(first, second):
    def parts(values):
        n, total, easy = ces_counts(values)
        return n, total, sum(v * v for v in values), easy

    a, b = parts(first), parts(second)
    n, total, squares, easy = (x + y for x, y in zip(a, b, strict=True))
    whole = parts(first + second)
    assert ces_figures(n=n, total=total, sum_squares=squares, easy=easy) == ces_figures(
        n=whole[0], total=whole[1], sum_squares=whole[2], easy=whole[3]
    )
