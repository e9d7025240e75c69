"""Journey analytics on assembled journeys: interactions logged as an agent logs them, journeys
assembled by the map's rules (``journeys_assemble_pending``), abandoned by the timeout sweep, and the
rollups refreshed from the stale marks (``metrics_refresh_stale``). Every number the selectors give
is checked against a direct computation over the journeys and their interactions."""

import itertools
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from analytics.metrics import peak_end, step_time_bin_bounds, step_time_bins
from analytics.models import JourneyPath, JourneyPathStep, StaleMark, coarse_models_of
from analytics.selectors import MetricFilters, journey_analytics, journey_funnel
from analytics.services import metrics_mark_stale, metrics_rebuild, metrics_refresh_stale
from analytics.services.journey_scores import _rebuild_portable
from analytics.services.rollup_writes import JOURNEY_MODELS
from infra.days import local_day
from journeys.models import Journey, JourneyMap, JourneyStatus
from journeys.services import journeys_assemble_pending, journeys_timeout_close
from tests.factories import CustomerFactory, JourneyMapStepFactory, TouchpointFactory
from touchpoints.models import Stage
from touchpoints.services import customer_update, interaction_log

pytestmark = pytest.mark.django_db

STEPS = (
    ("browse", Stage.PRE_SALE),
    ("cart", Stage.MID_SALE),
    ("pay", Stage.MID_SALE),
    ("deliver", Stage.POST_SALE),
)
TIMEOUT_DAYS = 30
GAPS = (timedelta(seconds=20), timedelta(minutes=7), timedelta(hours=3), timedelta(days=2), timedelta(days=9))


@dataclass
class Online:
    journey_map: JourneyMap
    touchpoints: dict


@pytest.fixture
def online(db) -> Online:
    return online_map()


def online_map() -> Online:
    """A published map of four steps that lets an outside touchpoint (a support call) join."""
    journey_map = JourneyMap.objects.create(
        name="Online order",
        status=JourneyMap.Status.PUBLISHED,
        timeout_days=TIMEOUT_DAYS,
        include_outside=True,
    )
    touchpoints = {
        code: TouchpointFactory(code=code, name=code.title(), stage=stage, floor_score=3.0)
        for code, stage in STEPS
    }
    for position, (code, _stage) in enumerate(STEPS, start=1):
        JourneyMapStepFactory(journey_map=journey_map, touchpoint=touchpoints[code], position=position)
    touchpoints["support"] = TouchpointFactory(code="support", name="Support call")
    return Online(journey_map, touchpoints)


def walk(online: Online, customer, start, moments) -> None:
    """Log (code, time after the start, score) moments for a customer, as an agent logs them."""
    for code, after, score in moments:
        interaction_log(
            customer=customer,
            touchpoint=online.touchpoints[code],
            occurred_at=start + after,
            experience_score=score,
        )


def population(online: Online, *, customers: int, seed: int) -> None:
    """Customers who start, skip steps, stop half-way, call support, finish; started over 60 days,
    so some have timed out (abandoned), some are still open, some completed."""
    rng = random.Random(seed)
    now = timezone.now()
    for _ in range(customers):
        customer = CustomerFactory(
            segment=rng.choice(["consumer", "smb", ""]), value_tier=rng.choice(["standard", "silver", "gold"])
        )
        codes = ["browse"]
        for code in ("cart", "pay", "deliver"):
            chance = rng.random()
            if chance < 0.25:
                break
            if chance > 0.35:
                codes.append(code)
        if rng.random() < 0.3:
            codes.insert(rng.randrange(1, len(codes) + 1), "support")
        if rng.random() < 0.2:
            codes.insert(rng.randrange(1, len(codes) + 1), codes[rng.randrange(len(codes))])  # a step again
        after, moments = timedelta(0), []
        for index, code in enumerate(codes):
            if index:
                after += rng.choice(GAPS) * rng.uniform(0.5, 1.5)
            moments.append((code, after, rng.choice([None, 0.0, 2.0, 4.0, 5.0, 7.0, 9.0, 10.0])))
        start = now - after - timedelta(days=rng.uniform(0.1, 60))
        walk(online, customer, start, moments)
    journeys_assemble_pending()
    metrics_refresh_stale()


# --- the direct computation -------------------------------------------------------------------------


@dataclass
class Expected:
    journeys: int
    reached: Counter
    continued: Counter
    dropped: dict
    durations: dict
    statuses: Counter


def expected(online: Online, filters: MetricFilters) -> Expected:
    """The funnel computed from the journeys and their interactions, one journey at a time."""
    position_of = {step.touchpoint_id: step.position for step in online.journey_map.steps.all()}
    positions = sorted(position_of.values())
    next_of = dict(itertools.pairwise(positions))
    result = Expected(0, Counter(), Counter(), defaultdict(Counter), defaultdict(list), Counter())
    for journey in Journey.objects.filter(journey_map=online.journey_map).select_related("customer"):
        day = local_day(journey.started_at)
        if (filters.start and day < filters.start) or (filters.end and day > filters.end):
            continue
        if filters.segment is not None and journey.customer.segment != filters.segment:
            continue
        if filters.value_tier is not None and journey.customer.value_tier != filters.value_tier:
            continue
        result.journeys += 1
        result.statuses[journey.status] += 1
        firsts = {}
        for interaction in journey.interactions.all():
            position = position_of.get(interaction.touchpoint_id)
            if position is not None:
                firsts[position] = min(firsts.get(position, interaction.occurred_at), interaction.occurred_at)
        for position, first in firsts.items():
            result.reached[position] += 1
            following = next_of.get(position)
            if following is None:
                continue
            if following in firsts:
                result.continued[position] += 1
                result.durations[position].append(max(0.0, (firsts[following] - first).total_seconds()))
            else:
                result.dropped[position][journey.status] += 1
    return result


def map_filters(online: Online, **extra) -> MetricFilters:
    return MetricFilters(journey_map_id=online.journey_map.id, **extra)


def middle_bins_span(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    low_bin, high_bin = (
        int(step_time_bins([round(ordered[index] * 1e6)])[0])
        for index in ((len(ordered) - 1) // 2, len(ordered) // 2)
    )
    return step_time_bin_bounds(high_bin)[1] - step_time_bin_bounds(low_bin)[0]


def assert_funnel_is_the_direct_computation(online: Online, filters: MetricFilters) -> None:
    direct = expected(online, filters)
    funnel = journey_funnel(filters=filters)
    assert funnel.journeys == direct.journeys
    for row in funnel.steps:
        position, figures = row.step.position, row.figures
        assert figures.reached == direct.reached[position], position
        if figures.last:
            continue
        assert figures.continued == direct.continued[position], position
        assert figures.dropped == direct.reached[position] - direct.continued[position]
        assert figures.dropped_abandoned == direct.dropped[position][JourneyStatus.ABANDONED]
        assert figures.dropped_in_progress == direct.dropped[position][JourneyStatus.IN_PROGRESS]
        assert figures.dropped_completed == direct.dropped[position][JourneyStatus.COMPLETED]
        durations = direct.durations[position]
        assert figures.to_next.n == len(durations)
        if durations:
            exact = float(np.median(durations))
            assert abs(figures.to_next.median - exact) <= middle_bins_span(durations), position


# --- the funnel -------------------------------------------------------------------------------------


def test_the_funnel_counts_the_journeys_that_reached_each_step_and_went_on(online):
    population(online, customers=60, seed=3)
    statuses = set(Journey.objects.values_list("status", flat=True))
    assert statuses == {JourneyStatus.COMPLETED, JourneyStatus.ABANDONED, JourneyStatus.IN_PROGRESS}
    assert JourneyPathStep.objects.filter(next_bin__isnull=False).exists()

    assert_funnel_is_the_direct_computation(online, map_filters(online))


@pytest.mark.parametrize(
    "extra",
    [
        {"segment": "smb"},
        {"value_tier": "gold"},
        {"segment": "", "value_tier": "standard"},
        {"start": "recent"},
    ],
    ids=["segment", "value tier", "no segment + tier", "period"],
)
def test_the_funnel_of_a_slice_is_that_slices_direct_computation(online, extra):
    population(online, customers=60, seed=4)
    if extra.get("start") == "recent":
        extra = {"start": timezone.localdate() - timedelta(days=20), "end": timezone.localdate()}
    assert expected(online, map_filters(online, **extra)).journeys > 0

    assert_funnel_is_the_direct_computation(online, map_filters(online, **extra))


def test_a_step_met_twice_is_timed_from_its_first_interaction(online):
    customer, start = CustomerFactory(), timezone.now() - timedelta(days=3)
    walk(
        online,
        customer,
        start,
        [
            ("browse", timedelta(0), 5.0),
            ("browse", timedelta(hours=5), 6.0),
            ("cart", timedelta(hours=6), 7.0),
        ],
    )
    journeys_assemble_pending()
    metrics_refresh_stale()

    (first, *_rest) = journey_funnel(filters=map_filters(online)).steps
    low, high = step_time_bin_bounds(int(step_time_bins([6 * 3600 * 10**6])[0]))
    assert first.figures.to_next.n == 1 and low <= first.figures.to_next.median <= high


def test_a_support_call_joins_the_journey_but_is_no_step(online):
    customer, start = CustomerFactory(), timezone.now() - timedelta(days=2)
    walk(online, customer, start, [("browse", timedelta(0), 6.0), ("support", timedelta(hours=1), 1.0)])
    journeys_assemble_pending()
    metrics_refresh_stale()

    journey = Journey.objects.get()
    assert journey.interactions.count() == 2
    funnel = journey_funnel(filters=map_filters(online))
    assert [row.figures.reached for row in funnel.steps] == [1, 0, 0, 0]
    assert funnel.steps[0].figures.dropped_in_progress == 1


# --- status changes after scoring ----------------------------------------------------------------------


def test_the_timeout_sweep_moves_a_scored_journey_from_open_to_abandoned_in_every_rollup(online):
    customer, start = CustomerFactory(), timezone.now() - timedelta(days=TIMEOUT_DAYS - 2)
    walk(online, customer, start, [("browse", timedelta(0), 8.0), ("cart", timedelta(hours=2), 2.0)])
    journeys_assemble_pending()
    metrics_refresh_stale()
    before = journey_analytics(filters=map_filters(online))
    assert before.outcomes.total.in_progress == 1 and not before.give_up
    assert before.funnel.steps[1].figures.dropped_in_progress == 1

    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        assert journeys_timeout_close() == 1
        assert StaleMark.objects.exists()
        metrics_refresh_stale()

    after = journey_analytics(filters=map_filters(online))
    assert (after.outcomes.total.in_progress, after.outcomes.total.abandoned) == (0, 1)
    assert after.funnel.steps[1].figures.dropped_abandoned == 1
    assert after.funnel.steps[1].figures.dropped_in_progress == 0
    expected_score = peak_end([8.0, 2.0])
    abandoned = after.outcomes.peak_end[JourneyStatus.ABANDONED]
    assert (abandoned.n, abandoned.mean) == (1, expected_score.peak_end)
    assert after.outcomes.peak_end[JourneyStatus.IN_PROGRESS].n == 0
    (gave_up,) = after.give_up
    assert (gave_up.touchpoint_id, gave_up.ends, gave_up.negative_ends) == (
        online.touchpoints["cart"].id,
        1,
        1,
    )
    assert (gave_up.peaks, gave_up.negative_peaks) == (1, 1)  # 2 is further from 5 than 8


def test_the_second_customer_who_stops_half_way_shows_in_the_drop_off_once_abandoned(online):
    """The acceptance scenario: one customer goes the whole way; the second stops after the cart
    and is abandoned by the sweep after the timeout."""
    start = timezone.now() - timedelta(hours=8)
    first, second = CustomerFactory(external_id="CRM-ADA"), CustomerFactory(external_id="CRM-BOB")
    walk(
        online,
        first,
        start,
        [
            ("browse", timedelta(0), 7.0),
            ("cart", timedelta(hours=1), 6.0),
            ("support", timedelta(hours=2), 2.0),
            ("pay", timedelta(hours=3), 8.0),
            ("deliver", timedelta(hours=5), 9.0),
        ],
    )
    walk(online, second, start, [("browse", timedelta(0), 9.0), ("cart", timedelta(hours=2), 4.0)])
    journeys_assemble_pending()
    metrics_refresh_stale()
    cart = journey_funnel(filters=map_filters(online)).steps[1].figures
    assert (cart.reached, cart.continued, cart.dropped_in_progress, cart.dropped_abandoned) == (2, 1, 1, 0)

    with time_machine.travel(timezone.now() + timedelta(days=TIMEOUT_DAYS + 1), tick=False):
        journeys_timeout_close()
        metrics_refresh_stale()
        analytics = journey_analytics(filters=map_filters(online))

    reached = [row.figures.reached for row in analytics.funnel.steps]
    assert reached == [2, 2, 1, 1]
    cart = analytics.funnel.steps[1].figures
    assert (cart.dropped, cart.dropped_abandoned, cart.dropped_in_progress) == (1, 1, 0)
    assert cart.drop.share == 0.5
    total = analytics.outcomes.total
    assert (total.journeys, total.completed, total.abandoned) == (2, 1, 1)
    assert [m.touchpoint_id for m in analytics.give_up] == [online.touchpoints["cart"].id]


def test_a_customer_moving_segment_moves_their_journeys_in_the_funnel(online):
    population(online, customers=20, seed=5)
    customer = Journey.objects.filter(journey_map=online.journey_map).first().customer
    customer_update(customer=customer, data={"segment": "enterprise"})
    metrics_refresh_stale()

    assert_funnel_is_the_direct_computation(online, map_filters(online, segment="enterprise"))
    assert_funnel_is_the_direct_computation(online, map_filters(online))


def test_a_deleted_journey_leaves_the_funnel_after_refresh(online):
    population(online, customers=20, seed=6)
    gone = Journey.objects.filter(journey_map=online.journey_map).order_by("id").first()
    with transaction.atomic():
        metrics_mark_stale(journey_ids=[gone.id])
        gone.delete()
    metrics_refresh_stale()

    assert not JourneyPath.objects.filter(journey_id=gone.id).exists()
    assert not JourneyPathStep.objects.filter(path_id=gone.id).exists()
    assert_funnel_is_the_direct_computation(online, map_filters(online))


# --- the rebuild gives the tables the refresh gives --------------------------------------------------


def rollup_tables() -> dict:
    rows = {}
    for model in JOURNEY_MODELS:
        for table in (model, *coarse_models_of(model)):
            fields = [f.attname for f in table._meta.concrete_fields if f.name != "id"]
            rows[table.__name__] = sorted(
                (
                    tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                    for row in table.objects.values_list(*fields)
                ),
                key=repr,
            )
    return rows


def path_tables() -> tuple:
    return (
        sorted(
            JourneyPath.objects.values_list(
                "journey_id", "day", "journey_map_id", "segment", "value_tier", "status"
            )
        ),
        sorted(JourneyPathStep.objects.values_list("path_id", "position", "next_bin")),
    )


def test_the_rebuild_writes_the_paths_and_rollups_the_refresh_wrote(online):
    population(online, customers=50, seed=7)
    refreshed = path_tables(), rollup_tables()
    JourneyPathStep.objects.all().update(next_bin=None)  # wrong, so the rebuild has to rewrite them
    JourneyPath.objects.all().update(status=JourneyStatus.IN_PROGRESS, segment="stale")

    metrics_rebuild()

    assert (path_tables(), rollup_tables()) == refreshed


def test_the_rebuild_since_a_day_leaves_older_journeys_as_they_are(online):
    population(online, customers=50, seed=8)
    refreshed = path_tables(), rollup_tables()
    since = timezone.localdate() - timedelta(days=20)

    metrics_rebuild(since=since)

    assert (path_tables(), rollup_tables()) == refreshed


def test_the_rebuild_through_the_orm_writes_the_same_paths(online):
    population(online, customers=40, seed=9)
    refreshed = path_tables()
    JourneyPathStep.objects.all().delete()
    JourneyPath.objects.all().delete()

    with transaction.atomic():
        _rebuild_portable(Journey.objects.all(), lambda done: None)

    assert path_tables() == refreshed


def test_journeys_without_a_scored_moment_are_counted_in_the_funnel_and_outcomes(online):
    customer = CustomerFactory()
    walk(online, customer, timezone.now() - timedelta(days=1), [("browse", timedelta(0), None)])
    journeys_assemble_pending()
    metrics_refresh_stale()

    analytics = journey_analytics(filters=map_filters(online))
    assert analytics.funnel.steps[0].figures.reached == 1
    assert analytics.outcomes.total.in_progress == 1
    assert analytics.outcomes.peak_end[JourneyStatus.IN_PROGRESS].n == 0


def test_a_day_of_journeys_is_bucketed_by_the_start_day(online, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    customer = CustomerFactory()
    start = timezone.make_aware(timezone.datetime(2026, 3, 9, 17, 30), timezone.get_fixed_timezone(0))
    walk(online, customer, start, [("browse", timedelta(0), 5.0), ("cart", timedelta(hours=10), 5.0)])
    journeys_assemble_pending(now=start + timedelta(days=1))
    metrics_refresh_stale()

    day = date(2026, 3, 10)  # 01:30 in Shanghai
    assert JourneyPath.objects.get().day == day
    assert journey_funnel(filters=map_filters(online, start=day, end=day)).steps[0].figures.reached == 1
    assert (
        journey_funnel(
            filters=map_filters(online, start=day - timedelta(days=1), end=day - timedelta(days=1))
        ).journeys
        == 0
    )
