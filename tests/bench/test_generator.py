"""The benchmark data generator (``bench/_dataset.py``, ``bench/_dataset_load.py``) on a small size.

PostgreSQL only (binary COPY, COPY FREEZE, session_replication_role). One load of 2,000
responses is shared by the tests of the data (module fixture); the others load their own.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bench import _bulk_load, _dataset_load
from tests.conftest import skip_or_fail

# The tests of the shared load read it; they need the test database set up all the same.
pytestmark = pytest.mark.django_db

SIZE = 2_000
# The schema but the generator's own bookkeeping tables (bench_…).
INDEXES = (
    "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'bench%' "
    "ORDER BY indexname"
)
CONSTRAINTS = (
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE 'bench%' "
    "ORDER BY conname"
)


def _rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _run(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """2,000 responses generated once for the module (and the schema as it was before)."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
        schema = (_rows(INDEXES), _rows(CONSTRAINTS))
        shape = _dataset_load.generate(SIZE, progress=False)
        yield shape, schema
        _run("TRUNCATE bench_dataset")
        _run(
            f"TRUNCATE {', '.join((*_dataset_load.BULK, *_dataset_load.CATALOGUE))} RESTART IDENTITY CASCADE"
        )


@pytest.fixture
def data(loaded, django_db_blocker):
    with django_db_blocker.unblock():
        yield loaded[0]


def test_the_indexes_and_constraints_dropped_for_the_load_are_back_as_they_were(loaded, django_db_blocker):
    with django_db_blocker.unblock():
        assert (_rows(INDEXES), _rows(CONSTRAINTS)) == loaded[1]


def test_every_table_holds_the_rows_counted(data):
    assert data.counts["surveys_response"] == SIZE
    assert data.counts["touchpoints_customer"] == 5_000
    for table, count in data.counts.items():
        assert _rows(f"SELECT count(*) FROM {table}")[0][0] == count, table  # noqa: S608


def test_an_invitation_follows_a_distinct_earlier_interaction_of_its_own_customer(data):
    [(followed, other_customer, later, distinct)] = _rows(
        "SELECT count(i.interaction_id), count(*) FILTER (WHERE x.customer_id <> i.customer_id), "
        "count(*) FILTER (WHERE x.occurred_at > i.created_at), count(DISTINCT i.interaction_id) "
        "FROM surveys_invitation i JOIN touchpoints_interaction x ON x.id = i.interaction_id"
    )
    assert followed > SIZE // 2
    assert (other_customer, later, distinct) == (0, 0, followed)


def test_journeys_are_three_to_six_interactions_of_one_customer_in_map_order(data):
    [(in_journeys, total)] = _rows("SELECT count(journey_id), count(*) FROM touchpoints_interaction")
    assert 0.55 < in_journeys / total < 0.65
    steps = _rows(
        "SELECT j.id, count(*), count(DISTINCT x.customer_id), bool_and(x.customer_id = j.customer_id), "
        "array_agg(s.position ORDER BY x.occurred_at, x.id) "
        "FROM journeys_journey j JOIN touchpoints_interaction x ON x.journey_id = j.id "
        "JOIN journeys_journeymapstep s ON s.journey_map_id = j.journey_map_id "
        "AND s.touchpoint_id = x.touchpoint_id GROUP BY j.id"
    )
    assert len(steps) == data.counts["journeys_journey"]
    for _, count, customers, own, positions in steps:
        assert 3 <= count <= 6 and customers == 1 and own
        assert positions == sorted(positions)


def test_a_journey_starts_at_its_first_interaction_and_an_ended_one_ends_at_its_last(data):
    wrong = _rows(
        "SELECT j.id FROM journeys_journey j JOIN touchpoints_interaction x ON x.journey_id = j.id "
        "GROUP BY j.id HAVING min(x.occurred_at) <> min(j.started_at) "
        "OR coalesce(min(j.ended_at), max(x.occurred_at)) <> max(x.occurred_at) "
        "OR (min(j.status) = 'in_progress') <> (min(j.ended_at) IS NULL)"
    )
    assert wrong == []


def test_nps_is_around_thirty_and_today_is_empty(data):
    [(nps,)] = _rows(
        "SELECT 100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*) "
        "FROM surveys_answer WHERE question_type = 'nps'"
    )
    assert 20 < nps < 42
    [(last,)] = _rows("SELECT max(submitted_at) FROM surveys_response")
    assert timezone.localtime(last).date() == timezone.localdate() - timedelta(days=1)


def test_ids_ascend_with_time(data):
    for table, column in (
        ("surveys_response", "submitted_at"),
        ("touchpoints_interaction", "occurred_at"),
        ("journeys_journey", "started_at"),
    ):
        [(out_of_order,)] = _rows(
            f"SELECT count(*) FROM (SELECT {column} < lag({column}) OVER (ORDER BY id) AS back "  # noqa: S608
            f"FROM {table}) t WHERE back"
        )
        assert out_of_order == 0, table


def test_the_load_is_recorded_and_only_the_same_size_seed_and_code_reuse_it(data):
    record = _dataset_load.recorded()
    assert record["fingerprint"] == _dataset_load.fingerprint()
    assert _dataset_load._matches(record, SIZE, _dataset_load.SEED)
    assert not _dataset_load._matches(record, SIZE, _dataset_load.SEED + 1)
    assert not _dataset_load._matches(record, SIZE * 2, _dataset_load.SEED)
    assert not _dataset_load._matches({**record, "fingerprint": "other code"}, SIZE, _dataset_load.SEED)


@pytest.mark.django_db(transaction=True)
def test_a_foreign_key_pointing_nowhere_is_found():
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
    _dataset_load.generate(100, progress=False, journeys=False)  # also the path without journeys
    assert _rows("SELECT count(*), count(journey_id) FROM touchpoints_interaction") == [(85, 0)]
    with connection.cursor() as cursor:
        assert (
            _bulk_load.foreign_key_orphans(cursor, list(_dataset_load.BULK), connection.ops.quote_name) == {}
        )
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE surveys_answer SET response_id = 999999 WHERE id = 1")
        cursor.execute("UPDATE touchpoints_interaction SET journey_id = 0 WHERE id = 1")
        cursor.execute("RESET session_replication_role")
        orphans = _bulk_load.foreign_key_orphans(cursor, list(_dataset_load.BULK), connection.ops.quote_name)
    assert orphans == {"surveys_answer.response_id": 1, "touchpoints_interaction.journey_id": 1}
    _run("TRUNCATE bench_dataset")


@pytest.mark.django_db(transaction=True)
def test_every_rollup_score_mark_and_bucket_table_is_emptied_even_one_it_does_not_know():
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
    _run("CREATE TABLE analytics_newkindrollup (id int)")
    try:
        _run("INSERT INTO analytics_newkindrollup VALUES (1)")
        _run("INSERT INTO analytics_stalemark (kind, day, marked_at) VALUES ('response_day', now(), now())")
        _dataset_load.generate(100, progress=False)
        assert _rows("SELECT count(*) FROM analytics_newkindrollup") == [(0,)]
        assert _rows("SELECT count(*) FROM analytics_stalemark") == [(0,)]
    finally:
        _run("DROP TABLE analytics_newkindrollup")
        _run("TRUNCATE bench_dataset")


@pytest.mark.django_db(transaction=True)
def test_indexes_a_stopped_load_left_out_are_built_before_the_database_is_used():
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
    _dataset_load.generate(100, progress=False)
    schema = (_rows(INDEXES), _rows(CONSTRAINTS))
    with connection.cursor() as cursor:
        left = _bulk_load.secondary_indexes(cursor, ["surveys_invitation"])
        for index in left:
            cursor.execute(index.drop_sql(connection.ops.quote_name))
            cursor.execute(
                "INSERT INTO bench_pending_index VALUES (%s, %s, %s, %s)",
                [index.table, index.name, index.definition, index.constraint],
            )
    assert any(index.constraint for index in left)
    assert (_rows(INDEXES), _rows(CONSTRAINTS)) != schema

    _dataset_load.repair()

    assert (_rows(INDEXES), _rows(CONSTRAINTS)) == schema
    assert _rows("SELECT count(*) FROM bench_pending_index") == [(0,)]
    _run("TRUNCATE bench_dataset")


def test_journeys_look_as_the_assembler_writes_them_on_published_maps(data):
    [(maps, published)] = _rows(
        "SELECT count(*), count(*) FILTER (WHERE status = 'published' AND published_at IS NOT NULL) "
        "FROM journeys_journeymap"
    )
    assert maps == published == 3
    wrong = _rows(
        "SELECT j.id FROM journeys_journey j JOIN touchpoints_interaction x ON x.journey_id = j.id "
        "JOIN journeys_journeymapstep s ON s.journey_map_id = j.journey_map_id "
        "AND s.touchpoint_id = x.touchpoint_id GROUP BY j.id "
        "HAVING min(j.origin) <> 'assembled' OR min(j.assembly_key) <> min(x.id) "
        "OR min(j.last_activity_at) <> max(x.occurred_at) OR min(j.furthest_step) <> max(s.position)"
    )
    assert wrong == []
    assert _rows("SELECT count(*) FROM touchpoints_interaction WHERE journey_ref <> ''") == [(0,)]
