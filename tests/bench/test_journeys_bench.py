"""The journeys benchmark's harnesses on a small load: assembly (``bench/_journeys_assembly.py``)
measures every phase and leaves the data as it found it (each batch is rolled back); the read paths
(``bench/_journeys_reads.py``) all answer, over the rollups the harness builds."""

import pytest
from django.db import connection

from analytics.models import JourneyStatusRollup, JourneyStepRollup, MomentStatusRollup
from bench import _dataset_load, _journeys_assembly, _journeys_reads
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


@pytest.mark.django_db(transaction=True)
def test_every_read_path_answers_over_the_rollups_built(settings):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
    settings.ROOT_URLCONF = "bench.surveys_bench_urls"
    settings.API_THROTTLE_RATE = "none"
    _dataset_load.generate(500, progress=False)
    try:
        built = _journeys_reads.rollups_build(force=True)
        assert built["journey_scores"] > 0 and built["journey_paths"] > 0
        for model in (JourneyStepRollup, JourneyStatusRollup, MomentStatusRollup):
            assert built["rows"][model._meta.db_table] == model.objects.count() > 0
        assert _journeys_reads.rollups_build() == {"reused": True}
        chosen = _journeys_reads.paths()
        names = [path.name for path in chosen]
        assert any(name.startswith("API metrics/journeys") for name in names)
        assert any(name.startswith("journey_analytics()") for name in names)

        figures = _journeys_reads.measure(1, chosen)  # each request asserts its 200

        assert [t["name"] for t in figures["paths"]] == names
        assert all(t["queries"] > 0 and t["ratio"] > 0 for t in figures["paths"])
        assert analytics_funnel_of(chosen) > 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_dataset")


def analytics_funnel_of(chosen) -> int:
    """Journeys the first direct ``journey_analytics()`` path counts at its map's first step."""
    path = next(p for p in chosen if p.call is not None)
    return path.call().funnel.steps[0].figures.reached
