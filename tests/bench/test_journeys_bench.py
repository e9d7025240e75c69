"""The assembly benchmark's harness (``bench/_journeys_assembly.py``) on a small load: it measures
every phase and leaves the data as it found it (each batch is rolled back)."""

import pytest
from django.db import connection

from bench import _dataset_load, _journeys_assembly
from tests.conftest import skip_or_fail

TABLES = ("journeys_journey", "touchpoints_interaction", "journeys_assemblymark", "analytics_stalemark")


def _snapshot() -> dict:
    with connection.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - this module's constants
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(sum(id * coalesce(journey_id, 0)), 0) FROM touchpoints_interaction")
        counts["placement"] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)
def test_every_phase_is_measured_and_the_data_is_left_as_loaded():
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
    _dataset_load.generate(500, progress=False)
    try:
        customers = _journeys_assembly.sample_customers(300)
        before = _snapshot()

        figures = _journeys_assembly.measure(customers, batch=100)

        assert _snapshot() == before
        phases = figures.phases
        assert set(phases) == {"bare read", "full", "replay", "incremental", "back-fill", "bare write"}
        assert figures.batches == 3 and figures.customers == len(customers)
        read = phases["bare read"].interactions
        assert read > 0 and phases["full"].interactions == phases["replay"].interactions == read
        assert phases["bare write"].interactions == read
        replay = phases["replay"]
        assert (replay.created, replay.updated, replay.deleted, replay.moved) == (0, 0, 0, 0)
        assert phases["incremental"].new == 2 * len(customers)
        assert phases["back-fill"].new == len(customers)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_dataset")
