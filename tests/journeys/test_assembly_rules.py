"""The assembly rules as a pure function: one customer's interactions → journeys (journeys.assembly)."""

from datetime import UTC, datetime, timedelta

import pytest

from journeys.assembly import (
    ABANDONED,
    COMPLETED,
    IN_PROGRESS,
    MapRules,
    Moment,
    Span,
    assemble,
    window_start,
)

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
BROWSE, CART, PAY, DELIVER, SUPPORT = 11, 12, 13, 14, 99


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def online(**rules) -> MapRules:
    steps = [
        (BROWSE, 1, False, False),
        (CART, 2, False, False),
        (PAY, 3, False, False),
        (DELIVER, 4, False, False),
    ]
    return MapRules.of(id=1, steps=steps, timeout=timedelta(days=30), **rules)


def moments(*pairs) -> list[Moment]:
    return [Moment(index + 1, touchpoint, when) for index, (touchpoint, when) in enumerate(pairs)]


def test_the_first_step_starts_and_the_last_ends_when_no_step_is_marked():
    rules = online()
    assert rules.starts == {BROWSE} and rules.ends == {DELIVER}
    made = assemble(
        moments((BROWSE, day(0)), (CART, day(1)), (PAY, day(2)), (DELIVER, day(5))), [rules], day(9)
    )
    assert len(made) == 1
    journey = made[0]
    assert (journey.status, journey.started_at, journey.ended_at) == (COMPLETED, day(0), day(5))
    assert journey.interaction_ids == [1, 2, 3, 4] and journey.furthest_step == 4


def test_marked_steps_replace_the_defaults():
    rules = MapRules.of(
        id=1,
        steps=[(BROWSE, 1, False, False), (CART, 2, True, False), (PAY, 3, False, True)],
        timeout=timedelta(days=3),
    )
    assert (rules.starts, rules.ends) == ({CART}, {PAY})
    made = assemble(moments((BROWSE, day(0)), (CART, day(1)), (PAY, day(2))), [rules], day(3))
    assert [j.interaction_ids for j in made] == [[2, 3]]


def test_a_step_without_an_open_journey_starts_nothing():
    assert assemble(moments((CART, day(0)), (DELIVER, day(1))), [online()], day(2)) == []


def test_arrival_order_does_not_matter():
    pairs = [(BROWSE, day(0)), (CART, day(1)), (PAY, day(2))]
    forward = assemble(moments(*pairs), [online()], day(3))
    backward = assemble(list(reversed(moments(*pairs))), [online()], day(3))
    assert [(j.key, j.interaction_ids, j.status) for j in forward] == [
        (j.key, j.interaction_ids, j.status) for j in backward
    ]


def test_silence_past_the_timeout_abandons_the_journey_at_its_last_interaction():
    made = assemble(moments((BROWSE, day(0)), (CART, day(2))), [online()], day(40))
    assert (made[0].status, made[0].ended_at) == (ABANDONED, day(2))
    assert assemble(moments((BROWSE, day(0)), (CART, day(2))), [online()], day(31))[0].status == IN_PROGRESS


def test_after_a_timeout_a_start_opens_a_new_journey_and_a_step_joins_none():
    made = assemble(
        moments((BROWSE, day(0)), (CART, day(40)), (BROWSE, day(41)), (PAY, day(42))), [online()], day(43)
    )
    assert [(j.interaction_ids, j.status) for j in made] == [([1], ABANDONED), ([3, 4], IN_PROGRESS)]


def test_one_open_journey_at_a_time_unless_the_map_allows_several():
    pairs = [(BROWSE, day(0)), (BROWSE, day(1)), (PAY, day(2)), (PAY, day(3))]
    single = assemble(moments(*pairs), [online()], day(4))
    assert [j.interaction_ids for j in single] == [[1, 2, 3, 4]]
    several = assemble(moments(*pairs), [online(concurrent=True)], day(4))
    # Each payment goes to the earliest open journey that has not reached that step yet.
    assert [j.interaction_ids for j in several] == [[1, 3], [2, 4]]


def test_touchpoints_outside_the_map_join_only_when_the_map_includes_them():
    pairs = [(BROWSE, day(0)), (SUPPORT, day(1)), (DELIVER, day(2))]
    assert assemble(moments(*pairs), [online()], day(3))[0].interaction_ids == [1, 3]
    made = assemble(moments(*pairs), [online(include_outside=True)], day(3))
    assert made[0].interaction_ids == [1, 2, 3] and made[0].furthest_step == 4
    # Outside interactions join open journeys only: before a start, after an end, nothing.
    assert assemble(moments((SUPPORT, day(0))), [online(include_outside=True)], day(1)) == []


def test_an_interaction_joins_the_first_map_that_takes_it_as_a_step():
    store = MapRules.of(
        id=2, steps=[(PAY, 1, False, False), (SUPPORT, 2, False, False)], timeout=timedelta(days=5)
    )
    made = assemble(moments((BROWSE, day(0)), (PAY, day(1)), (SUPPORT, day(2))), [store, online()], day(3))
    by_map = {j.map_id: j.interaction_ids for j in made}
    # PAY went to map 1, the first in id order to take it as a step: map 2 never started.
    assert by_map == {1: [1, 2]}


def test_an_end_that_is_also_the_start_makes_one_step_journeys():
    rules = MapRules.of(id=1, steps=[(PAY, 1, False, False)], timeout=timedelta(days=1))
    made = assemble(moments((PAY, day(0)), (PAY, day(1))), [rules], day(2))
    assert [(j.interaction_ids, j.status) for j in made] == [([1], COMPLETED), ([2], COMPLETED)]


@pytest.mark.parametrize(
    ("since", "spans", "expected"),
    [
        (None, [], None),
        (day(5), [], day(5)),
        (day(5), [Span(day(0), day(3))], day(5)),  # closed before: untouched
        (day(5), [Span(day(0), day(5))], day(0)),  # open up to the moment: re-made
        (day(5), [Span(day(0), None)], day(0)),
        (day(5), [Span(day(-10), day(1)), Span(day(1), None)], day(-10)),  # a chain moves it further
        (day(5), [Span(day(-10), day(0)), Span(day(1), None)], day(1)),
    ],
)
def test_the_window_moves_back_to_the_start_of_every_journey_open_across_it(since, spans, expected):
    assert window_start(since, spans) == expected


def test_re_assembling_a_window_gives_what_re_assembling_everything_gives():
    rules = [online(include_outside=True)]
    pairs = [
        (BROWSE, day(0)),
        (DELIVER, day(1)),
        (BROWSE, day(10)),
        (SUPPORT, day(12)),
        (CART, day(50)),
        (BROWSE, day(60)),
        (PAY, day(61)),
    ]
    everything = assemble(moments(*pairs), rules, day(70))
    spans = [
        Span(j.started_at, j.ended_at if j.status == COMPLETED else j.last_at + timedelta(days=30))
        for j in everything
    ]
    start = window_start(day(61), spans)
    kept = [j for j in everything if j.started_at < start]
    again = assemble([m for m in moments(*pairs) if m.occurred_at >= start], rules, day(70))
    assert [(j.key, j.interaction_ids, j.status) for j in kept + again] == [
        (j.key, j.interaction_ids, j.status) for j in everything
    ]
