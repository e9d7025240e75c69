"""Key drivers from rollup sums agree with ``key_drivers`` on the raw pairs."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.metrics import MIN_DRIVER_PAIRS, driver_from_sums, key_drivers


def sums_of(pairs: list[tuple[int, int]], extra_ratings: list[int] = ()) -> dict:
    xs = [x for x, _ in pairs]
    ys = [y for _, y in pairs]
    ratings = xs + list(extra_ratings)
    return {
        "n": len(pairs),
        "sum_x": float(sum(xs)),
        "sum_y": float(sum(ys)),
        "sum_xx": float(sum(x * x for x in xs)),
        "sum_yy": float(sum(y * y for y in ys)),
        "sum_xy": float(sum(x * y for x, y in pairs)),
        "ratings_n": len(ratings),
        "ratings_sum": float(sum(ratings)),
    }


@settings(max_examples=200)
@given(
    pairs=st.lists(st.tuples(st.integers(1, 5), st.integers(0, 10)), min_size=0, max_size=120),
    extra=st.lists(st.integers(1, 5), max_size=10),
)
def test_driver_from_sums_equals_key_drivers_on_the_raw_answers(pairs, extra):
    x = [float(a) for a, _ in pairs] + [float(e) for e in extra]
    y = [float(b) for _, b in pairs] + [math.nan] * len(extra)
    (raw,) = key_drivers({"service": x, "nps": y}, outcome="nps")
    rolled = driver_from_sums(dimension="service", **sums_of(pairs, extra))
    assert (rolled.n, rolled.enough_data) == (raw.n, raw.enough_data)
    for name in ("importance", "ci_low", "ci_high", "performance"):
        got, want = getattr(rolled, name), getattr(raw, name)
        assert (got is None) == (want is None), name
        if got is not None:
            assert got == pytest.approx(want, abs=1e-9), name


def test_below_thirty_pairs_is_not_enough_data():
    pairs = [(x % 5 + 1, x % 11) for x in range(MIN_DRIVER_PAIRS - 1)]
    result = driver_from_sums(dimension="price", **sums_of(pairs))
    assert (result.enough_data, result.importance) == (False, None)
    assert result.performance == pytest.approx(sum(x for x, _ in pairs) / len(pairs))


def test_a_rating_without_spread_has_no_importance():
    pairs = [(4, y % 11) for y in range(40)]
    assert driver_from_sums(dimension="brand", **sums_of(pairs)).importance is None


def test_a_perfect_relation_has_a_degenerate_interval():
    pairs = [(x, 2 * x) for x in range(1, 6)] * 8
    result = driver_from_sums(dimension="service", **sums_of(pairs))
    assert (result.importance, result.ci_low, result.ci_high) == (1.0, 1.0, 1.0)
