"""Journey peak–end scores and the journey rollups built from them (metrics.md, "Peak–end score").

Every expected figure comes from ``analytics.metrics.peak_end`` over the same
scores, so the stored rows are held side by side with the single source of truth.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from analytics.metrics import NEUTRAL, pain_to_experience, peak_end
from analytics.models import (
    PEAK_END_BINS,
    JourneyRollup,
    JourneyScore,
    MomentOfTruthRollup,
    StaleKind,
    StaleMark,
)
from analytics.services import metrics_mark_stale, metrics_rebuild, metrics_refresh_stale
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    JourneyFactory,
    JourneyMapFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db

START = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


def journey_of(moments, *, started_at=START, **journey_fields):
    """A journey and its interactions, one hour apart in the order given.

    ``moments`` holds ``(score, touchpoint)`` pairs; a touchpoint of ``None`` gets a fresh one.
    Returns the journey and its interactions in time order.
    """
    journey = JourneyFactory(started_at=started_at, **journey_fields)
    interactions = [
        InteractionFactory(
            journey=journey,
            customer=journey.customer,
            touchpoint=touchpoint or TouchpointFactory(),
            experience_score=score,
            occurred_at=started_at + timedelta(hours=hour),
        )
        for hour, (score, touchpoint) in enumerate(moments)
    ]
    return journey, interactions


def scored(scores):
    """``(score, None)`` moments: each at a fresh touchpoint without a floor."""
    return [(score, None) for score in scores]


def score_of(journey) -> JourneyScore:
    return JourneyScore.objects.get(journey=journey)


def assert_score_matches(row: JourneyScore, expected, interactions) -> None:
    """``row`` holds ``expected`` (a ``PeakEnd``) and points at the right moments of ``interactions``."""
    assert row.moments == len(interactions)
    assert (row.peak, row.end) == (expected.peak, expected.end)
    assert row.peak_end == pytest.approx(expected.peak_end, abs=1e-12)
    assert row.mean == pytest.approx(expected.mean, abs=1e-12)
    assert row.gap == pytest.approx(expected.gap, abs=1e-12)
    assert row.contrast == pytest.approx(expected.contrast, abs=1e-12)
    assert row.floor_breaches == expected.floor_breaches
    peak, end = interactions[expected.peak_index], interactions[expected.end_index]
    assert (row.peak_interaction_id, row.peak_touchpoint_id) == (peak.id, peak.touchpoint_id)
    assert (row.end_interaction_id, row.end_touchpoint_id) == (end.id, end.touchpoint_id)


# --- One journey's score ------------------------------------------------------


def test_score_is_peak_end_of_the_scored_moments_in_time_order():
    journey = JourneyFactory(started_at=START)
    floored = TouchpointFactory(floor_score=4.0)
    # Recorded out of time order: by id, the end would be 7.0 and the peak the 1.0 of hour 0.
    hours_and_scores = [(4, 3.0), (2, 1.0), (3, 6.0), (0, 1.0), (1, 7.0)]
    made = {
        hour: InteractionFactory(
            journey=journey,
            customer=journey.customer,
            touchpoint=floored,
            experience_score=score,
            occurred_at=START + timedelta(hours=hour),
        )
        for hour, score in hours_and_scores
    }
    in_time = [made[hour] for hour in sorted(made)]

    metrics_rebuild()

    expected = peak_end([i.experience_score for i in in_time], floors=[4.0] * len(in_time))
    assert (expected.end, expected.peak_index) == (3.0, 2)  # by time: the later of the two equal pains
    assert_score_matches(score_of(journey), expected, in_time)


def test_score_row_carries_the_start_day_map_and_segment_of_the_journey():
    journey_map = JourneyMapFactory()
    customer = CustomerFactory(segment="gold-club")
    journey, _ = journey_of(
        scored([4.0]),
        started_at=datetime(2024, 5, 7, 23, 30, tzinfo=UTC),
        journey_map=journey_map,
        customer=customer,
    )

    metrics_rebuild()

    row = score_of(journey)
    assert (row.day.isoformat(), row.journey_map_id, row.segment) == (
        "2024-05-07",
        journey_map.id,
        "gold-club",
    )


def test_score_day_is_the_start_day_in_the_platform_time_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"  # UTC+8: 20:00 UTC on 7 May is 04:00 on 8 May
    journey, _ = journey_of(scored([4.0]), started_at=datetime(2024, 5, 7, 20, 0, tzinfo=UTC))

    metrics_rebuild()

    assert score_of(journey).day.isoformat() == "2024-05-08"
    assert list(JourneyRollup.objects.values_list("day", flat=True)) == [score_of(journey).day]


def test_interactions_without_an_experience_score_are_ignored():
    touchpoint = TouchpointFactory(floor_score=9.0)
    journey, interactions = journey_of([(8.0, None), (None, touchpoint), (3.0, None), (None, touchpoint)])
    scored_moments = [interactions[0], interactions[2]]

    metrics_rebuild()

    expected = peak_end([8.0, 3.0])
    assert_score_matches(score_of(journey), expected, scored_moments)


def test_journey_without_a_scored_moment_gets_no_score_and_no_rollup():
    unscored, _ = journey_of([(None, None), (None, None)])
    empty = JourneyFactory(started_at=START)

    metrics_rebuild()

    assert not JourneyScore.objects.filter(journey__in=[unscored, empty]).exists()
    assert not JourneyRollup.objects.exists()
    assert not MomentOfTruthRollup.objects.exists()


def test_one_moment_is_both_peak_and_end():
    journey, interactions = journey_of(scored([2.0]))

    metrics_rebuild()

    row = score_of(journey)
    assert row.peak_interaction_id == row.end_interaction_id == interactions[0].id
    assert (row.peak, row.end, row.peak_end, row.gap, row.contrast) == (2.0, 2.0, 2.0, 0.0, 0.0)


def test_moments_at_the_same_instant_end_with_the_later_recorded():
    journey = JourneyFactory(started_at=START)
    same_instant = START + timedelta(hours=2)
    first = InteractionFactory(
        journey=journey, customer=journey.customer, experience_score=0.0, occurred_at=START
    )
    earlier_recorded = InteractionFactory(
        journey=journey, customer=journey.customer, experience_score=6.0, occurred_at=same_instant
    )
    later_recorded = InteractionFactory(
        journey=journey, customer=journey.customer, experience_score=4.0, occurred_at=same_instant
    )
    assert later_recorded.id > earlier_recorded.id

    metrics_rebuild()

    row = score_of(journey)
    assert (row.end, row.end_interaction_id) == (4.0, later_recorded.id)
    assert_score_matches(row, peak_end([0.0, 6.0, 4.0]), [first, earlier_recorded, later_recorded])


def test_peak_tie_between_pain_and_joy_goes_to_the_pain():
    # 2 and 8 are equally far from neutral; the joy comes later, so "later wins" alone would pick it.
    journey, interactions = journey_of(scored([2.0, 8.0, 5.0]))

    metrics_rebuild()

    row = score_of(journey)
    assert (row.peak, row.peak_interaction_id) == (2.0, interactions[0].id)
    assert row.peak_touchpoint_id == interactions[0].touchpoint_id


@pytest.mark.parametrize("score", [2.0, 8.0], ids=["pain", "joy"])
def test_peak_tie_between_equal_moments_goes_to_the_later(score):
    journey, interactions = journey_of(scored([score, 6.0, score, 5.0]))

    metrics_rebuild()

    row = score_of(journey)
    assert (row.peak, row.peak_interaction_id) == (score, interactions[2].id)
    assert row.peak_touchpoint_id == interactions[2].touchpoint_id


def test_peak_and_end_point_at_their_interactions_and_touchpoints():
    checkout, delivery, support = TouchpointFactory(), TouchpointFactory(), TouchpointFactory()
    journey, interactions = journey_of([(7.0, checkout), (1.0, delivery), (6.0, support), (8.0, checkout)])

    metrics_rebuild()

    row = score_of(journey)
    assert (row.peak_interaction_id, row.peak_touchpoint_id) == (interactions[1].id, delivery.id)
    assert (row.end_interaction_id, row.end_touchpoint_id) == (interactions[3].id, checkout.id)


def test_floor_breaches_count_scores_strictly_below_the_touchpoint_floor():
    floor_4, floor_6, no_floor = (
        TouchpointFactory(floor_score=4.0),
        TouchpointFactory(floor_score=6.0),
        TouchpointFactory(floor_score=None),
    )
    moments = [
        (3.9, floor_4),  # breach
        (4.0, floor_4),  # at the floor: not a breach
        (0.0, no_floor),  # no floor to break
        (5.5, floor_6),  # breach
        (6.0, floor_6),  # at the floor
    ]
    journey, _ = journey_of(moments)

    metrics_rebuild()

    expected = peak_end([s for s, _ in moments], floors=[4.0, 4.0, None, 6.0, 6.0])
    assert expected.floor_breaches == 2
    assert score_of(journey).floor_breaches == 2


def test_longer_procedure_ending_in_mild_pain_is_remembered_as_less_bad():
    # Redelmeier & Kahneman 1996: both peak at pain 8; A ends at pain 7, B goes on and ends at pain 1.
    pains_a = [2, 5, 8, 7]
    pains_b = [2, 5, 8, 7, 4, 1]
    short, _ = journey_of(scored([pain_to_experience(p) for p in pains_a]))
    longer, _ = journey_of(scored([pain_to_experience(p) for p in pains_b]))

    metrics_rebuild()

    short_row, longer_row = score_of(short), score_of(longer)
    assert short_row.peak == longer_row.peak == pain_to_experience(8)
    assert short_row.peak_end == peak_end([pain_to_experience(p) for p in pains_a]).peak_end
    assert longer_row.peak_end == peak_end([pain_to_experience(p) for p in pains_b]).peak_end
    assert longer_row.peak_end > short_row.peak_end
    # ... although B held more pain in total (duration neglect).
    assert sum(pains_b) > sum(pains_a)


# --- Journey rollups ----------------------------------------------------------


@pytest.fixture
def journeys_over_two_days():
    """Journeys over two start days, two maps and no map, two segments, every kind of bin edge."""
    map_a, map_b = JourneyMapFactory(), JourneyMapFactory()
    consumer, business = CustomerFactory(segment="consumer"), CustomerFactory(segment="business")
    floored, plain = TouchpointFactory(floor_score=5.0), TouchpointFactory()
    day_2 = START + timedelta(days=1)
    plans = [
        (START, map_a, consumer, [(10.0, plain), (10.0, plain)]),  # peak–end 10: the last bin
        (START, map_a, consumer, [(4.0, floored), (6.0, plain)]),  # peak–end 5.0 exactly: bin 5
        (START, map_a, consumer, [(1.0, floored), (9.0, plain), (5.0, plain)]),
        (START, map_a, business, [(2.0, plain), (3.0, floored)]),
        (START, map_b, consumer, [(0.0, floored), (0.5, floored)]),  # bin 0, two breaches
        (START, None, consumer, [(7.0, plain)]),
        (day_2, map_a, consumer, [(8.0, plain), (4.5, floored)]),
        (day_2, map_a, consumer, [(6.0, floored), (9.5, plain)]),
        (day_2, map_b, business, [(5.0, plain), (5.0, floored)]),  # neutral: neither pain nor breach
    ]
    journeys = []
    for started_at, journey_map, customer, moments in plans:
        journey, _ = journey_of(moments, started_at=started_at, journey_map=journey_map, customer=customer)
        journeys.append(journey)
    journey_of([(None, plain)], started_at=START, journey_map=map_a, customer=consumer)  # no score
    metrics_rebuild()
    return journeys


def journey_bin(value: float) -> int:
    return min(int(value), PEAK_END_BINS - 1)


def expected_journey_rollups() -> dict:
    """JourneyRollup figures computed in Python from the stored JourneyScore rows."""
    expected = defaultdict(lambda: dict.fromkeys(JOURNEY_SUMS, 0))
    for score in JourneyScore.objects.all():
        row = expected[(score.day, score.journey_map_id, score.segment, journey_bin(score.peak_end))]
        row["journeys"] += 1
        row["peak_end_sum"] += score.peak_end
        row["mean_sum"] += score.mean
        row["gap_sum"] += score.gap
        row["floor_breaches"] += score.floor_breaches
        row["journeys_breached"] += score.floor_breaches > 0
    return dict(expected)


JOURNEY_SUMS = ("journeys", "peak_end_sum", "mean_sum", "gap_sum", "floor_breaches", "journeys_breached")


def stored_journey_rollups() -> dict:
    return {
        (row.day, row.journey_map_id, row.segment, row.peak_end_bin): {
            name: getattr(row, name) for name in JOURNEY_SUMS
        }
        for row in JourneyRollup.objects.all()
    }


def assert_journey_rollups_match_scores() -> None:
    stored, expected = stored_journey_rollups(), expected_journey_rollups()
    assert stored.keys() == expected.keys()
    for key, sums in expected.items():
        assert stored[key] == pytest.approx(sums, abs=1e-9), key


def expected_moment_rollups() -> dict:
    expected = defaultdict(lambda: {"peaks": 0, "negative_peaks": 0, "ends": 0, "negative_ends": 0})
    for score in JourneyScore.objects.all():
        key = (score.day, score.journey_map_id, score.segment)
        expected[(*key, score.peak_touchpoint_id)]["peaks"] += 1
        expected[(*key, score.peak_touchpoint_id)]["negative_peaks"] += score.peak < NEUTRAL
        expected[(*key, score.end_touchpoint_id)]["ends"] += 1
        expected[(*key, score.end_touchpoint_id)]["negative_ends"] += score.end < NEUTRAL
    return dict(expected)


def stored_moment_rollups() -> dict:
    return {
        (row.day, row.journey_map_id, row.segment, row.touchpoint_id): {
            "peaks": row.peaks,
            "negative_peaks": row.negative_peaks,
            "ends": row.ends,
            "negative_ends": row.negative_ends,
        }
        for row in MomentOfTruthRollup.objects.all()
    }


def test_every_scored_journey_has_its_peak_end_score(journeys_over_two_days):
    assert JourneyScore.objects.count() == len(journeys_over_two_days)
    for journey in journeys_over_two_days:
        in_time = list(journey.interactions.order_by("occurred_at", "id"))
        expected = peak_end(
            [i.experience_score for i in in_time], floors=[i.touchpoint.floor_score for i in in_time]
        )
        assert_score_matches(score_of(journey), expected, in_time)


def test_journey_rollup_distribution_and_sums_match_the_journey_scores(journeys_over_two_days):
    assert_journey_rollups_match_scores()
    bins = {key[3] for key in stored_journey_rollups()}
    assert {0, 5, PEAK_END_BINS - 1} <= bins  # the fixture reaches both ends and an exact edge


def test_journey_rollup_counts_journeys_with_a_breach_and_all_their_breaches(journeys_over_two_days):
    rows = JourneyRollup.objects.all()
    assert sum(row.journeys for row in rows) == len(journeys_over_two_days)
    assert sum(row.floor_breaches for row in rows) == sum(
        s.floor_breaches for s in JourneyScore.objects.all()
    )
    assert (
        sum(row.journeys_breached for row in rows)
        == JourneyScore.objects.filter(floor_breaches__gt=0).count()
    )
    assert sum(row.floor_breaches for row in rows) > sum(row.journeys_breached for row in rows)


def test_moment_of_truth_rollup_counts_match_the_journey_scores(journeys_over_two_days):
    stored = stored_moment_rollups()
    assert stored == expected_moment_rollups()
    assert sum(row["negative_peaks"] for row in stored.values()) > 0
    assert sum(row["negative_ends"] for row in stored.values()) > 0


# --- Keeping scores fresh -------------------------------------------------------


def test_new_interaction_marked_in_its_transaction_updates_score_and_rollups_after_refresh(
    journeys_over_two_days, django_capture_on_commit_callbacks
):
    journey = journeys_over_two_days[5]  # one moment of 7.0, no map
    before = score_of(journey)

    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        added = InteractionFactory(
            journey=journey,
            customer=journey.customer,
            experience_score=1.0,
            occurred_at=START + timedelta(hours=5),
        )
        assert metrics_mark_stale(interaction_ids=[added.id]) > 0

    assert len(callbacks) == 1  # the refresh is queued for after the commit, not run inside it
    assert score_of(journey).peak_end == before.peak_end  # nothing recomputed yet

    metrics_refresh_stale()

    after = score_of(journey)
    assert_score_matches(after, peak_end([7.0, 1.0]), [*journey.interactions.order_by("occurred_at")])
    assert after.end_interaction_id == added.id
    assert not StaleMark.objects.exists()
    assert_journey_rollups_match_scores()
    assert stored_moment_rollups() == expected_moment_rollups()
    moved_to = (after.day, None, after.segment, journey_bin(after.peak_end))
    assert stored_journey_rollups()[moved_to]["journeys"] == 1


def test_marking_an_interaction_refreshes_the_journey_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    journey, _ = journey_of(scored([6.0]))
    metrics_rebuild()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        added = InteractionFactory(
            journey=journey,
            customer=journey.customer,
            experience_score=0.0,
            occurred_at=START + timedelta(hours=1),
        )
        metrics_mark_stale(interaction_ids=[added.id])

    assert score_of(journey).peak_end == peak_end([6.0, 0.0]).peak_end
    assert not StaleMark.objects.exists()
    assert_journey_rollups_match_scores()


def test_deleted_journey_leaves_the_rollups_after_refresh(journeys_over_two_days):
    gone = journeys_over_two_days[1]  # shares day, map and segment with journeys 0 and 2
    gone_score = score_of(gone)
    key = (gone_score.day, gone_score.journey_map_id, gone_score.segment)
    journeys_before = sum(r.journeys for r in JourneyRollup.objects.filter(day=key[0]))

    with transaction.atomic():
        metrics_mark_stale(journey_ids=[gone.id])
        gone.delete()
    metrics_refresh_stale()

    assert not JourneyScore.objects.filter(journey_id=gone_score.journey_id).exists()
    assert sum(r.journeys for r in JourneyRollup.objects.filter(day=key[0])) == journeys_before - 1
    assert_journey_rollups_match_scores()
    assert stored_moment_rollups() == expected_moment_rollups()
    assert not StaleMark.objects.filter(kind=StaleKind.JOURNEY_DAY).exists()


def test_journey_losing_its_only_scored_moment_loses_its_score_and_rollup_after_refresh():
    journey, (only,) = journey_of(scored([3.0]))
    metrics_rebuild()
    assert JourneyRollup.objects.get().journeys == 1

    with transaction.atomic():
        metrics_mark_stale(interaction_ids=[only.id])
        only.delete()
    metrics_refresh_stale()

    assert not JourneyScore.objects.filter(journey=journey).exists()
    assert not JourneyRollup.objects.exists()
    assert not MomentOfTruthRollup.objects.exists()


def test_refreshing_without_marks_changes_nothing(journeys_over_two_days):
    rollups = stored_journey_rollups()
    moments = stored_moment_rollups()

    report = metrics_refresh_stale()

    assert (report.journeys, report.rows) == (0, 0)
    assert stored_journey_rollups() == rollups
    assert stored_moment_rollups() == moments
