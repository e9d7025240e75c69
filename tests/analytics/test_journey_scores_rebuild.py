"""``journey_scores_rebuild`` writes the table the per-batch ``journey_scores_refresh`` writes.

The reference is the path ``metrics_rebuild`` took before the rebuild existed: batches of
``journey_scores_refresh(force=True)``, run inside a savepoint that is then rolled back, so the
rebuild starts from the same table, marks and rollups. The scores are compared column by
column (``computed_at`` aside), exactly; the journey rollups once the marks left are refreshed.
"""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from analytics.models import JourneyScore, StaleKind, StaleMark, coarse_models_of
from analytics.services import metrics_refresh_stale, rollup_refresh_days
from analytics.services.freshness import journey_scores_refresh
from analytics.services.journey_scores import _rebuild_portable, journey_scores_rebuild
from analytics.services.rollup_writes import JOURNEY_MODELS
from journeys.models import Journey
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    JourneyFactory,
    JourneyMapFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db

START = datetime(2024, 5, 6, 20, 0, tzinfo=UTC)  # 04:00 the next day in Shanghai
COMPARED = [f.attname for f in JourneyScore._meta.concrete_fields if f.name != "computed_at"]


@pytest.fixture
def journeys(settings):
    """Forty journeys over three days: ties in time, unscored and floored moments, maps and no
    map, segments and tiers, journeys without a scored moment; scored once, then a score made
    stale, one left to a journey without moments, and journey marks on every seventh."""
    settings.TIME_ZONE = "Asia/Shanghai"
    rng = random.Random(5)
    touchpoints = [TouchpointFactory(floor_score=floor) for floor in (None, 4.0, None, 6.5, 3.0, None)]
    maps = [JourneyMapFactory(), JourneyMapFactory(), None]
    customers = [
        CustomerFactory(segment=segment, value_tier=tier)
        for segment in ("consumer", "smb", "")
        for tier in ("standard", "gold")
    ]
    made = []
    for _ in range(40):
        started = START + timedelta(hours=rng.randrange(0, 72))
        journey = JourneyFactory(
            started_at=started, journey_map=rng.choice(maps), customer=rng.choice(customers)
        )
        for _ in range(rng.randrange(0, 7)):
            InteractionFactory(
                journey=journey,
                customer=journey.customer,
                touchpoint=rng.choice(touchpoints),
                experience_score=rng.choice([None, 0.0, 2.5, 3.6, 5.0, 6.4, 7.0, 10.0, rng.uniform(0, 10)]),
                occurred_at=started + timedelta(hours=rng.randrange(0, 4)),  # ties: the id decides
            )
        made.append(journey)
    # A stale score the rebuild must replace, and one of a journey that has lost its moments.
    journey_scores_refresh(journey_ids=[j.id for j in made], force=True)
    JourneyScore.objects.filter(journey=made[1]).update(peak_end=9.9, segment="stale")
    lost = next(j for j in made if not JourneyScore.objects.filter(journey=j).exists())
    scored = JourneyScore.objects.first()
    JourneyScore.objects.create(
        **{f: getattr(scored, f) for f in COMPARED if f != "journey_id"},
        journey_id=lost.id,
        computed_at=scored.computed_at,
    )
    # The rollups count the stale scores, as they would have when those were written.
    days = sorted(set(JourneyScore.objects.values_list("day", flat=True)))
    rollup_refresh_days(kind=StaleKind.JOURNEY_DAY, days=days, force=True)
    for index in range(0, len(made), 7):
        StaleMark.objects.create(
            kind=StaleKind.JOURNEY, journey_id=made[index].id, day=date(2024, 1, 1 + index // 7)
        )
    return made


def _table():
    return sorted(JourneyScore.objects.values_list(*COMPARED))


def _journey_marks():
    return sorted(StaleMark.objects.filter(kind=StaleKind.JOURNEY).values_list("journey_id", "day"))


def _rollups():
    """Every journey rollup row (fine and coarse), sums rounded: added up in another order."""
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


def _per_batch(ids, batch=7):
    """The table and journey marks batches of ``journey_scores_refresh(force=True)`` leave, and
    the rollups once the marks left are refreshed; rolled back afterwards."""
    with transaction.atomic():
        for start in range(0, len(ids), batch):
            journey_scores_refresh(journey_ids=ids[start : start + batch], force=True)
        table, marks = _table(), _journey_marks()
        metrics_refresh_stale()
        rollups = _rollups()
        transaction.set_rollback(True)
    return table, marks, rollups


def test_rebuild_writes_the_table_of_the_per_batch_refresh(journeys):
    expected = _per_batch(sorted(j.id for j in journeys))
    assert _table() != expected[0]
    assert _journey_marks()  # there are marks to consume

    written = journey_scores_rebuild()

    assert _table() == expected[0]
    assert written == len(expected[0])
    assert _journey_marks() == expected[1] == []
    metrics_refresh_stale()
    assert _rollups() == expected[2]


def test_rebuild_marks_the_days_whose_scores_it_changed(journeys):
    StaleMark.objects.filter(kind=StaleKind.JOURNEY_DAY).delete()
    old_days = set(JourneyScore.objects.values_list("day", flat=True))
    marks_days = set(StaleMark.objects.filter(kind=StaleKind.JOURNEY).values_list("day", flat=True))

    journey_scores_rebuild()

    marked = set(StaleMark.objects.filter(kind=StaleKind.JOURNEY_DAY).values_list("day", flat=True))
    new_days = set(JourneyScore.objects.values_list("day", flat=True))
    assert marked == old_days | new_days | marks_days
    assert len(marks_days) > 1


def test_rebuild_since_a_day_rescores_only_the_journeys_started_from_it(journeys):
    in_scope = Journey.objects.filter(started_at__gte=datetime(2024, 5, 7, 16, 0, tzinfo=UTC))
    assert 0 < in_scope.count() < len(journeys)
    expected = _per_batch(sorted(in_scope.values_list("id", flat=True)))

    journey_scores_rebuild(since=date(2024, 5, 8))  # Shanghai days: 7 May 16:00 UTC onwards

    assert _table() == expected[0]
    assert _journey_marks() == expected[1] != []  # the older journeys' marks stay
    metrics_refresh_stale()
    assert _rollups() == expected[2]


def test_rebuild_through_the_orm_writes_the_same_table(journeys):
    expected = _per_batch(sorted(j.id for j in journeys))

    with transaction.atomic():
        _rebuild_portable(Journey.objects.all(), lambda done: None)

    assert _table() == expected[0]
    assert _journey_marks() == expected[1]
    metrics_refresh_stale()
    assert _rollups() == expected[2]


def test_rebuild_reports_progress_in_journeys(journeys):
    calls = []

    def progress(label, total):
        calls.append((label, total))
        return calls.append

    journey_scores_rebuild(progress=progress)

    (label, total), *done = calls
    assert (label, total) == ("Journeys", len(journeys))
    assert sum(done) == len(journeys)
    assert all(n > 0 for n in done)


def test_rebuild_of_no_journeys_writes_nothing():
    assert journey_scores_rebuild() == 0
    assert not JourneyScore.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_rebuild_leaves_the_marks_of_a_journey_a_refresh_holds():
    """A refresh holding a journey (from another connection) may write scores it read before
    the journey's latest change: the rebuild must leave that change's mark for later."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks and SKIP LOCKED are PostgreSQL's")
    held, free = (JourneyFactory(started_at=START) for _ in range(2))
    for journey in (held, free):
        InteractionFactory(
            journey=journey, customer=journey.customer, experience_score=7.0, occurred_at=START
        )
        StaleMark.objects.create(kind=StaleKind.JOURNEY, journey_id=journey.id)
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute("SELECT id FROM journeys_journey WHERE id = %s FOR NO KEY UPDATE", [held.id])
        assert journey_scores_rebuild() == 2
    finally:
        holder.rollback()
        holder.close()
    assert _journey_marks() == [(held.id, None)]
    assert JourneyScore.objects.count() == 2
