"""Rollups stay fresh: writes mark buckets stale, refreshes recompute them, and any number of
refreshes — twice, late, or at the same time — leave the same table."""

import threading
from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from analytics import tasks
from analytics.models import (
    InteractionRollup,
    JourneyRollup,
    JourneyScore,
    MomentOfTruthRollup,
    ResponseRollup,
    RollupBucket,
    StaleKind,
    StaleMark,
)
from analytics.services import metrics_mark_stale, metrics_rebuild, metrics_refresh_stale, rollup_refresh_days
from surveys.models import Question
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InteractionFactory,
    JourneyFactory,
    QuestionFactory,
    ResponseFactory,
    TouchpointFactory,
)

DAY = date(2026, 5, 4)


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_default_timezone())


def nps_response(score: int, *, day: date = DAY, question=None):
    question = question or QuestionFactory(type=Question.Type.NPS)
    response = ResponseFactory(
        invitation__survey=question.survey, submitted_at=at(day), invitation__customer__segment="consumer"
    )
    AnswerFactory(response=response, question=question, score=score)
    return response


def snapshot() -> dict[str, list[tuple]]:
    """Every rollup table and the journey scores, without surrogate ids or timestamps."""
    tables = {
        "responses": ResponseRollup,
        "interactions": InteractionRollup,
        "journeys": JourneyRollup,
        "moments": MomentOfTruthRollup,
    }
    result = {
        name: sorted(tuple(v for k, v in row.items() if k != "id") for row in model.objects.values())
        for name, model in tables.items()
    }
    result["scores"] = sorted(
        tuple(v for k, v in row.items() if k != "computed_at") for row in JourneyScore.objects.values()
    )
    return result


def test_marking_a_response_records_its_day_and_asks_for_a_refresh_after_commit(
    db, django_capture_on_commit_callbacks
):
    response = nps_response(3)
    with django_capture_on_commit_callbacks() as callbacks:
        assert metrics_mark_stale(response_ids=[response.id]) == 1
    assert list(StaleMark.objects.values_list("kind", "day")) == [(StaleKind.RESPONSE_DAY, DAY)]
    assert len(callbacks) == 1


def test_marking_an_interaction_marks_its_day_and_its_journey(db):
    journey = JourneyFactory(started_at=at(DAY - timedelta(days=2)))
    interaction = InteractionFactory(journey=journey, customer=journey.customer, occurred_at=at(DAY))
    metrics_mark_stale(interaction_ids=[interaction.id])
    assert sorted(StaleMark.objects.values_list("kind", "day", "journey_id")) == [
        (StaleKind.INTERACTION_DAY, DAY, None),
        (StaleKind.JOURNEY, DAY - timedelta(days=2), journey.id),
    ]


def test_nothing_to_mark_writes_nothing_and_enqueues_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert metrics_mark_stale(response_ids=[], interaction_ids=[987654]) == 0
    assert not StaleMark.objects.exists()
    assert callbacks == []


def test_a_committed_response_reaches_the_rollup_through_the_task(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = nps_response(10)
        metrics_mark_stale(response_ids=[response.id])
    row = ResponseRollup.objects.get()
    assert (row.day, row.nps_n, row.nps_promoters) == (DAY, 1, 1)
    assert not StaleMark.objects.exists()
    assert RollupBucket.objects.get(kind=StaleKind.RESPONSE_DAY, day=DAY).refreshed_at is not None


def test_a_lost_task_is_made_good_by_the_periodic_refresh(db):
    """The mark outlives the task: beat's run recomputes the day."""
    response = nps_response(0)
    metrics_mark_stale(response_ids=[response.id])  # its on-commit task never runs here
    assert not ResponseRollup.objects.exists()
    tasks.metrics_refresh_stale.delay()
    assert ResponseRollup.objects.get().nps_detractors == 1


def test_beat_refreshes_stale_metrics_every_minute():
    entry = django_settings.CELERY_BEAT_SCHEDULE["metrics-refresh-stale"]
    assert entry == {"task": "analytics.tasks.metrics_refresh_stale", "schedule": 60.0}


def test_a_refresh_with_nothing_stale_changes_nothing(db):
    response = nps_response(9)
    metrics_mark_stale(response_ids=[response.id])
    metrics_refresh_stale()
    refreshed = RollupBucket.objects.get().refreshed_at
    report = metrics_refresh_stale()
    assert (report.rows, report.days, report.journeys) == (0, {}, 0)
    assert RollupBucket.objects.get().refreshed_at == refreshed


def test_a_deleted_response_leaves_the_rollup_on_refresh(db):
    keep, drop = nps_response(10), nps_response(0)
    metrics_rebuild()
    metrics_mark_stale(response_ids=[drop.id])  # before the delete, while the row can be found
    drop.answers.all().delete()
    drop.delete()
    metrics_refresh_stale()
    row = ResponseRollup.objects.get()
    assert (row.nps_n, row.nps_promoters, row.nps_detractors) == (1, 1, 0)
    assert keep.id


@pytest.fixture
def busy_day(db):
    """Responses, interactions with scores and a measure, and journeys over a few days."""
    question = QuestionFactory(type=Question.Type.NPS)
    touchpoint = TouchpointFactory(floor_score=5.0)
    for offset, score in enumerate([0, 3, 7, 8, 9, 10, 10, 6]):
        nps_response(score, day=DAY + timedelta(days=offset % 3), question=question)
    for number in range(6):
        customer = CustomerFactory(segment=("consumer", "business")[number % 2])
        journey = JourneyFactory(customer=customer, started_at=at(DAY))
        for step, score in enumerate([8.0, float(number), 6.0]):
            InteractionFactory(
                customer=customer,
                journey=journey,
                touchpoint=touchpoint,
                occurred_at=at(DAY + timedelta(days=step)),
                experience_score=score,
            )


def test_a_refresh_run_twice_leaves_identical_rollups(busy_day):
    metrics_rebuild()
    first = snapshot()
    assert first["responses"] and first["interactions"] and first["journeys"] and first["scores"]
    metrics_rebuild()
    assert snapshot() == first
    for kind in (StaleKind.RESPONSE_DAY, StaleKind.INTERACTION_DAY, StaleKind.JOURNEY_DAY):
        rollup_refresh_days(kind=kind, days=[DAY, DAY + timedelta(days=1)], force=True)
    assert snapshot() == first


def test_a_late_refresh_of_every_mark_equals_a_rebuild(busy_day):
    from surveys.models import Response
    from touchpoints.models import Interaction

    metrics_mark_stale(
        response_ids=Response.objects.values_list("id", flat=True),
        interaction_ids=Interaction.objects.values_list("id", flat=True),
    )
    metrics_refresh_stale()
    incremental = snapshot()
    metrics_rebuild()
    assert snapshot() == incremental
    assert not StaleMark.objects.exists()


def test_a_refresh_that_runs_out_of_time_leaves_the_rest_marked(busy_day):
    from surveys.models import Response

    metrics_mark_stale(response_ids=Response.objects.values_list("id", flat=True))
    report = metrics_refresh_stale(budget_seconds=-1)
    assert report.complete is False
    assert StaleMark.objects.filter(kind=StaleKind.RESPONSE_DAY).count() == 3


# --- the command ----------------------------------------------------------------------------


def test_rebuild_metrics_command_reports_progress_and_totals(busy_day, capsys):
    call_command("rebuild_metrics")
    out = capsys.readouterr().out
    assert "Journeys" in out and "Response days" in out and "Interaction days" in out
    assert "Rebuilt 6 journeys" in out
    assert ResponseRollup.objects.exists()


def test_rebuild_metrics_since_leaves_earlier_days_alone(busy_day):
    metrics_rebuild()
    ResponseRollup.objects.filter(day=DAY).update(responses=999)  # visibly stale
    ResponseRollup.objects.filter(day=DAY + timedelta(days=1)).update(responses=999)
    call_command("rebuild_metrics", since=(DAY + timedelta(days=1)).isoformat())
    assert ResponseRollup.objects.filter(day=DAY, responses=999).exists()
    assert not ResponseRollup.objects.filter(day=DAY + timedelta(days=1), responses=999).exists()


def test_rebuild_metrics_refuses_a_malformed_date(db):
    with pytest.raises(CommandError, match="--since must be a date"):
        call_command("rebuild_metrics", since="2026-13-01")


# --- concurrency, on PostgreSQL -----------------------------------------------------------------


@pytest.fixture
def on_postgres(transactional_db):
    if connection.vendor != "postgresql":
        from tests.conftest import skip_or_fail

        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")


def run_in_threads(*targets):
    """Run each target in its own thread (its own database connection); re-raise any failure."""
    errors = []

    def wrap(target):
        def run():
            try:
                target()
            except Exception as error:  # noqa: BLE001 - handed to the test thread below
                errors.append(error)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(target)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a refresh hung"
    if errors:
        raise errors[0]


def test_concurrent_refreshes_leave_the_table_a_single_refresh_leaves(on_postgres, busy_day):
    metrics_rebuild()
    expected = snapshot()
    ResponseRollup.objects.all().delete()
    barrier = threading.Barrier(4)

    def refresh():
        barrier.wait()
        for kind in (StaleKind.RESPONSE_DAY, StaleKind.INTERACTION_DAY):
            rollup_refresh_days(
                kind=kind, days=[DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)], force=True
            )

    run_in_threads(refresh, refresh, refresh, refresh)
    assert snapshot() == expected


def test_a_response_committed_while_a_refresh_waits_is_never_lost(on_postgres, busy_day):
    """A refresh blocked on the bucket lock, a response committed meanwhile: after the refresh and
    whatever it left marked, the rollup counts the new response."""
    metrics_rebuild()
    question = QuestionFactory(type=Question.Type.NPS)
    StaleMark.objects.create(kind=StaleKind.RESPONSE_DAY, day=DAY)  # so the refresh goes for the lock
    locked, release = threading.Event(), threading.Event()

    def hold_the_bucket():
        with transaction.atomic():
            list(RollupBucket.objects.select_for_update().filter(kind=StaleKind.RESPONSE_DAY, day=DAY))
            locked.set()
            release.wait(timeout=30)

    def refresh_when_locked():
        locked.wait(timeout=30)
        metrics_refresh_stale()

    def write_then_release():
        locked.wait(timeout=30)
        with transaction.atomic():
            # Registered first, so it runs first: the lock goes before this thread's own refresh starts.
            transaction.on_commit(release.set)
            response = nps_response(10, question=question)
            metrics_mark_stale(response_ids=[response.id])

    run_in_threads(hold_the_bucket, refresh_when_locked, write_then_release)
    metrics_refresh_stale()  # whatever a refresh left marked is picked up by the next one
    counted = snapshot()
    metrics_rebuild()
    assert snapshot() == counted
    assert sum(row.nps_n for row in ResponseRollup.objects.filter(day=DAY)) == 4


def test_a_rebuild_refreshes_the_planner_statistics_of_the_tables_it_rewrote(busy_day):
    from django.test.utils import CaptureQueriesContext

    from analytics.models import ResponseRollup, ResponseTouchpointRollup

    with CaptureQueriesContext(connection) as queries:
        metrics_rebuild()
    analyzed = {q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")}
    if connection.vendor != "postgresql":
        assert analyzed == set()
        return
    for model in (ResponseRollup, ResponseTouchpointRollup):
        assert f'ANALYZE "{model._meta.db_table}"' in analyzed
