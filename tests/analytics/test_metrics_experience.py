"""Hand-worked checks of the experience and journey aggregates in ``analytics.metrics``."""

import pytest

from analytics.metrics import experience_summary, journey_aggregate, peak_end


def test_experience_mean_and_breach_share():
    summary = experience_summary(n=4, total=26.0, floor_breaches=1)
    assert (summary.n, summary.mean, summary.floor_breaches, summary.breach_share) == (4, 6.5, 1, 0.25)


def test_no_scored_moment_is_undefined_not_zero():
    summary = experience_summary(n=0, total=0.0, floor_breaches=0)
    assert (summary.mean, summary.breach_share) == (None, None)


@pytest.mark.parametrize(
    ("n", "total", "breaches"),
    [(2, 21.0, 0), (2, -1.0, 0), (1, 5.0, 2), (-1, 0.0, 0), (1.0, 5.0, 0), (1, float("nan"), 0)],
)
def test_experience_sums_that_no_scores_can_give_are_refused(n, total, breaches):
    with pytest.raises(ValueError):
        experience_summary(n=n, total=total, floor_breaches=breaches)


def test_journey_aggregate_is_the_mean_of_the_journey_scores():
    journeys = [peak_end([8, 2, 6]), peak_end([5, 9]), peak_end([1])]
    aggregate = journey_aggregate(
        journeys=3,
        peak_end_sum=sum(j.peak_end for j in journeys),
        mean_sum=sum(j.mean for j in journeys),
        gap_sum=sum(j.gap for j in journeys),
        journeys_breached=1,
    )
    # peak-end: (2+6)/2 = 4, (9+9)/2 = 9, 1 -> mean 14/3; means: 16/3, 7, 1 -> 40/9
    assert aggregate.mean_peak_end == pytest.approx(14 / 3)
    assert aggregate.mean_of_means == pytest.approx(40 / 9)
    assert aggregate.mean_gap == pytest.approx(14 / 3 - 40 / 9)
    assert aggregate.breached_share == pytest.approx(1 / 3)


def test_no_journeys_give_no_averages():
    aggregate = journey_aggregate(
        journeys=0, peak_end_sum=0.0, mean_sum=0.0, gap_sum=0.0, journeys_breached=0
    )
    assert (aggregate.mean_peak_end, aggregate.mean_gap, aggregate.breached_share) == (None, None, None)


def test_more_breached_journeys_than_journeys_is_refused():
    with pytest.raises(ValueError):
        journey_aggregate(journeys=1, peak_end_sum=5.0, mean_sum=5.0, gap_sum=0.0, journeys_breached=2)
