"""The funnel maths (``analytics.metrics.funnel``), without a database: the bins of the time between
steps, the median from a histogram against numpy's median of the raw durations, the funnel's
counts and shares, the outcomes, and each journey's steps from its moments."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.metrics import (
    STEP_TIME_BINS,
    STEP_TIME_EDGES_US,
    StepCounts,
    funnel_steps,
    journey_outcomes,
    journey_step_frame,
    peak_end_distribution,
    share_interval,
    step_time_bin_bounds,
    step_time_bins,
    step_time_median,
)

MINUTE, HOUR, DAY = 60, 3600, 86400
TOP = 365 * DAY


def histogram_of(seconds) -> list[int]:
    bins = step_time_bins(np.round(np.asarray(seconds, dtype=float) * 1e6).astype(np.int64))
    return np.bincount(bins, minlength=STEP_TIME_BINS).tolist()


def bin_of(seconds: float) -> int:
    return int(step_time_bins([round(seconds * 1e6)])[0])


def test_bins_run_from_under_a_minute_through_log_spaced_steps_to_a_year_and_beyond():
    assert STEP_TIME_BINS == 50 and len(STEP_TIME_EDGES_US) == 49
    assert STEP_TIME_EDGES_US[0] == MINUTE * 10**6 and STEP_TIME_EDGES_US[-1] == TOP * 10**6
    ratios = np.diff(np.log(np.asarray(STEP_TIME_EDGES_US, dtype=float)))
    assert np.allclose(ratios, math.log(TOP / MINUTE) / 48, rtol=1e-6)
    assert [bin_of(s) for s in (0, 59.999999, 60, TOP - 1e-6, TOP, 10 * TOP)] == [0, 0, 1, 48, 49, 49]


def test_a_duration_on_an_edge_falls_in_the_bin_it_opens():
    for index, edge in enumerate(STEP_TIME_EDGES_US, start=1):
        assert step_time_bins([edge - 1, edge])[1] == index
        assert step_time_bins([edge - 1])[0] == index - 1


def test_a_negative_duration_counts_as_instant():
    assert step_time_bins([-5_000_000]).tolist() == [0]


def test_bin_bounds_cover_the_line_without_gaps():
    bounds = [step_time_bin_bounds(index) for index in range(STEP_TIME_BINS)]
    assert bounds[0] == (0.0, 60.0)
    assert all(high == low for (_, high), (low, _) in itertools.pairwise(bounds))
    assert bounds[-1] == (float(TOP), math.inf)


def test_median_of_no_durations_is_undefined():
    assert step_time_median([0] * STEP_TIME_BINS).median is None


def test_median_is_interpolated_inside_the_bin_of_the_middle_rank():
    counts = [0] * STEP_TIME_BINS
    counts[1], counts[3] = 1, 3  # n = 4, rank 2 is the first of the three in bin 3
    low, high = step_time_bin_bounds(3)
    assert step_time_median(counts).median == pytest.approx(low + (2 - 1) / 3 * (high - low))
    assert step_time_median(counts).n == 4


def test_a_median_in_the_open_top_bin_is_its_lower_edge_and_says_at_least():
    time = step_time_median(histogram_of([2 * TOP, 3 * TOP, 5]))
    assert (time.median, time.beyond) == (float(TOP), True)


def _middle_bins_span(seconds: np.ndarray) -> float:
    """The span of the bins holding the middle value(s): the bound on the histogram median's error."""
    ordered = np.sort(seconds)
    n = len(ordered)
    middle = [ordered[(n - 1) // 2], ordered[n // 2]]
    low = step_time_bin_bounds(bin_of(middle[0]))[0]
    high = step_time_bin_bounds(bin_of(middle[1]))[1]
    return high - low


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.floats(min_value=0, max_value=TOP * 0.999, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=200,
    )
)
def test_histogram_median_is_within_the_middle_bins_of_numpys_median(durations):
    seconds = np.round(np.asarray(durations) * 1e6) / 1e6  # what microsecond timestamps can hold
    estimate = step_time_median(histogram_of(seconds)).median
    exact = float(np.median(seconds))
    assert abs(estimate - exact) <= _middle_bins_span(seconds) + 1e-6


@pytest.mark.parametrize("n", [1, 2, 7, 100, 1001])
def test_histogram_median_of_log_normal_durations_is_within_one_bin_width(n):
    rng = np.random.default_rng(n)
    seconds = np.round(np.exp(rng.normal(math.log(2 * DAY), 1.5, size=n)) * 1e6) / 1e6
    estimate = step_time_median(histogram_of(seconds)).median
    exact = float(np.median(seconds))
    assert abs(estimate - exact) <= _middle_bins_span(seconds)
    if n % 2:  # one middle value: its own bin
        low, high = step_time_bin_bounds(bin_of(exact))
        assert low <= estimate <= high


def _counts(position, reached, continued, abandoned=0, open_=0, durations=()) -> StepCounts:
    return StepCounts(position, reached, continued, abandoned, open_, histogram_of(durations))


def test_the_funnel_counts_who_did_not_go_on_and_how_they_stand():
    steps = funnel_steps(
        journeys=10,
        steps=[
            _counts(1, 10, 7, abandoned=2, open_=1, durations=[HOUR] * 7),
            _counts(2, 8, 4, abandoned=3, open_=0, durations=[DAY] * 4),
            _counts(3, 4, 0),
        ],
    )
    first, second, last = steps
    assert (first.reached, first.continued, first.dropped) == (10, 7, 3)
    assert (first.dropped_abandoned, first.dropped_in_progress, first.dropped_completed) == (2, 1, 0)
    assert first.reached_share == 1.0 and second.reached_share == 0.8
    assert first.drop == share_interval(n=10, x=3)
    assert second.dropped_completed == 1
    assert (
        step_time_bin_bounds(bin_of(HOUR))[0] <= first.to_next.median <= step_time_bin_bounds(bin_of(HOUR))[1]
    )
    assert (last.drop, last.to_next, last.dropped, last.last) == (None, None, 0, True)


def test_a_funnel_of_no_journeys_has_no_shares():
    (step,) = funnel_steps(journeys=0, steps=[_counts(1, 0, 0)])
    assert step.reached_share is None and step.last


@pytest.mark.parametrize(
    "counts",
    [
        _counts(1, 3, 4, durations=[1] * 4),  # more went on than reached
        _counts(1, 5, 2, abandoned=4, durations=[1] * 2),  # more abandoned than dropped
        _counts(1, 5, 2, durations=[1] * 3),  # a duration for a journey that did not go on
    ],
)
def test_sums_no_journeys_could_give_are_refused(counts):
    with pytest.raises(ValueError):
        funnel_steps(journeys=5, steps=[counts, _counts(2, 1, 0)])


def test_outcomes_are_shares_of_the_journeys_started_with_intervals():
    outcomes = journey_outcomes(completed=6, abandoned=3, in_progress=1)
    assert outcomes.journeys == 10
    assert outcomes.completion == share_interval(n=10, x=6)
    assert outcomes.abandonment == share_interval(n=10, x=3)
    assert outcomes.open_share == share_interval(n=10, x=1)
    assert outcomes.completed_of_ended == share_interval(n=9, x=6)
    assert journey_outcomes(completed=0, abandoned=0, in_progress=0).completion.share is None


def test_peak_end_distribution_has_its_mean_and_refuses_an_impossible_sum():
    distribution = peak_end_distribution(peak_end_sum=13.0, bins=[0, 1, 0, 0, 0, 0, 0, 0, 0, 1])
    assert (distribution.n, distribution.mean, distribution.share(9)) == (2, 6.5, 0.5)
    with pytest.raises(ValueError):
        peak_end_distribution(peak_end_sum=25.0, bins=[0, 1, 0, 0, 0, 0, 0, 0, 0, 1])


def _moments(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["journey_id", "position", "next_position", "occurred_us"])


def test_each_journey_step_is_timed_from_its_first_interaction_to_the_first_at_the_next():
    s = 10**6
    frame = journey_step_frame(
        _moments(
            [
                (1, 1, 2, 0),
                (1, 1, 2, 50 * s),  # a second interaction at step 1 does not move its start
                (1, 2, 3, 2 * HOUR * s),
                (1, 2, 3, 3 * HOUR * s),
                (1, 3, -1, 2 * DAY * s),  # the last step has no next
                (2, 1, 2, 0),
                (2, 3, -1, DAY * s),  # step 2 skipped: step 1 did not go on
                (3, 2, 3, DAY * s),
                (3, 3, -1, 0),  # the next step met first counts as instant
            ]
        )
    )
    assert frame.to_dict("records") == [
        {"journey_id": 1, "position": 1, "next_bin": bin_of(2 * HOUR)},
        {"journey_id": 1, "position": 2, "next_bin": bin_of(2 * DAY - 2 * HOUR)},
        {"journey_id": 1, "position": 3, "next_bin": -1},
        {"journey_id": 2, "position": 1, "next_bin": -1},
        {"journey_id": 2, "position": 3, "next_bin": -1},
        {"journey_id": 3, "position": 2, "next_bin": 0},
        {"journey_id": 3, "position": 3, "next_bin": -1},
    ]


def test_no_moments_give_no_steps():
    assert journey_step_frame(_moments([])).empty
