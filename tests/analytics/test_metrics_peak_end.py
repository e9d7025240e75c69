"""``peak_end_frame`` against the scalar ``peak_end`` on float scores, in and out of order."""

import math
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.metrics import peak_end, peak_end_frame, peak_end_rule

# The frame is computed a block of whole journeys at a time; blocks of three moments make every
# example span several (and journeys longer than a block), as a million moments would.
BLOCKS = pytest.mark.parametrize("block", [3, peak_end_rule._BLOCK])

# Scores as the product stores them (tenths, thousandths), their mirror images around 5 (whose
# |s - 5| differ in the last bit as floats, 6.4 against 3.6), and any float in 0..10 (off the
# thousandths grid, so the general path runs).
tenths = st.integers(0, 100).map(lambda n: n / 10)
thousandths = st.integers(0, 10_000).map(lambda n: n / 1000)
any_score = st.floats(0.0, 10.0, allow_nan=False)
scores = st.one_of(tenths, thousandths, any_score)
floors = st.none() | tenths
journeys = st.lists(st.lists(st.tuples(scores, floors), min_size=1, max_size=7), min_size=1, max_size=12)


def _rows(journeys, positions):
    return pd.DataFrame(
        {
            "journey_id": np.repeat(np.arange(len(journeys), dtype=np.int64) * 3, [len(j) for j in journeys]),
            "position": np.concatenate(positions).astype(np.int64),
            "score": [s for journey in journeys for s, _ in journey],
            "floor": [math.nan if f is None else f for journey in journeys for _, f in journey],
        }
    )


def _assert_frame_is_scalar(frame, journeys, positions):
    assert list(frame.index) == [i * 3 for i in range(len(journeys))]
    for i, (journey, at) in enumerate(zip(journeys, positions, strict=True)):
        scalar = peak_end([s for s, _ in journey], floors=[f for _, f in journey])
        row = frame.loc[i * 3]
        assert row["peak_position"] == at[scalar.peak_index]
        assert row["end_position"] == at[scalar.end_index]
        for field in ("peak", "end", "peak_end", "contrast"):
            assert row[field] == getattr(scalar, field), field
        assert (row["floor_breaches"], row["n"]) == (scalar.floor_breaches, len(journey))
        # The mean is a float sum, not fsum: equal to rounding (decision 10).
        assert math.isclose(row["mean"], scalar.mean, rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(row["gap"], scalar.gap, rel_tol=1e-12, abs_tol=1e-12)


@BLOCKS
@given(journeys=journeys, data=st.data())
def test_peak_end_frame_equals_scalar_on_float_scores(block, journeys, data):
    positions = [
        sorted(data.draw(st.lists(st.integers(-99, 99), min_size=len(j), max_size=len(j), unique=True)))
        for j in journeys
    ]
    rows = _rows(journeys, positions)
    if data.draw(st.booleans(), label="shuffled"):
        rows = rows.iloc[data.draw(st.permutations(range(len(rows))))]
    with mock.patch.object(peak_end_rule, "_BLOCK", block):
        frame = peak_end_frame(rows)
    _assert_frame_is_scalar(frame, journeys, positions)


@pytest.mark.parametrize(
    ("scores", "peak"),
    [
        ([3.6, 6.4, 5.0], 6.4),  # |6.4 - 5| > |3.6 - 5| as floats: the scalar says 6.4
        ([6.1, 3.9, 5.0], 3.9),  # |6.1 - 5| < |3.9 - 5| as floats
        ([6.5, 3.5, 5.0], 3.5),  # an exact tie goes below neutral
        ([2.0, 2.0, 8.0], 2.0),  # ...and then to the later moment
        ([5.0, 5.0], 5.0),
    ],
)
def test_peak_end_frame_ties_as_the_scalar_does(scores, peak):
    journeys = [[(s, None) for s in scores]]
    positions = [list(range(len(scores)))]
    frame = peak_end_frame(_rows(journeys, positions))
    assert frame.loc[0, "peak"] == peak == peak_end(scores).peak
    _assert_frame_is_scalar(frame, journeys, positions)


def test_peak_end_frame_off_the_grid_takes_the_later_of_equal_peaks():
    scores = [0.5 + 1e-12, 9.0, 0.5 + 1e-12, 7.0]
    journeys = [[(s, None) for s in scores]]
    positions = [[10, 20, 30, 40]]
    frame = peak_end_frame(_rows(journeys, positions))
    assert frame.loc[0, "peak_position"] == 30
    _assert_frame_is_scalar(frame, journeys, positions)


@BLOCKS
def test_peak_end_frame_reads_sorted_and_shuffled_rows_alike(block):
    rng = np.random.default_rng(3)
    size = 20_000
    rows = pd.DataFrame(
        {
            "journey_id": np.sort(rng.integers(0, 4_000, size)),
            "position": np.arange(size, dtype=np.int64),
            "score": np.round(rng.uniform(0, 10, size), 1),
            "floor": np.where(rng.random(size) < 0.3, 4.0, np.nan),
        }
    )
    shuffled = rows.sample(frac=1.0, random_state=4)
    with mock.patch.object(peak_end_rule, "_BLOCK", block):
        blocked = peak_end_frame(shuffled)
    pd.testing.assert_frame_equal(blocked, peak_end_frame(rows))


def test_peak_end_frame_refuses_a_duplicate_pair_in_sorted_rows():
    rows = pd.DataFrame({"journey_id": [1, 1, 2], "position": [0, 0, 1], "score": [5.0, 6.0, 7.0]})
    with pytest.raises(ValueError, match="duplicate"):
        peak_end_frame(rows)
