"""New rows are added to the rollups they count in (fine rows and every copy), and a journey's new
score replaces its old one in the journey rollups, giving exactly the tables a recompute of their
days gives; a day with a change to an existing row is recomputed."""

import random
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from analytics.models import DAY_KINDS, RollupBucket, StaleKind, StaleMark
from analytics.services import metrics_mark_added, metrics_mark_stale, metrics_rebuild, metrics_refresh_stale
from analytics.services.rollup_writes import models_of
from surveys.models import Question
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    JourneyFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="rows are added on PostgreSQL; elsewhere their days are recomputed",
)

DAY = date(2026, 5, 4)


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_default_timezone())


def tables() -> dict[str, list[tuple]]:
    """Every rollup table (fine and copies) without surrogate ids, floats rounded."""
    result = {}
    for kind in DAY_KINDS:
        for model in models_of(kind):
            rows = model.objects.values()
            result[model.__name__] = sorted(
                tuple(round(v, 9) if isinstance(v, float) else v for k, v in row.items() if k != "id")
                for row in rows
            )
    return result


@pytest.fixture
def catalogue(db):
    touchpoints = [
        TouchpointFactory(floor_score=4, measure_name="Wait", measure_direction="lower_is_better")
        for _ in range(3)
    ]
    survey = SurveyFactory(touchpoint=touchpoints[0])
    questions = {
        "nps": QuestionFactory(survey=survey, type=Question.Type.NPS, order=1),
        "ces": QuestionFactory(survey=survey, type=Question.Type.CES, order=2, driver="service"),
        "pair": QuestionFactory(
            survey=survey, type=Question.Type.EXPECTATION_EXPERIENCE, order=3, driver="product"
        ),
    }
    customers = [
        CustomerFactory(segment=segment, value_tier=tier)
        for segment in ("smb", "")
        for tier in ("gold", "standard")
    ]
    journeys = {
        customer.id: [JourneyFactory(customer=customer, started_at=at(DAY, 7)) for _ in range(2)]
        for customer in customers
    }
    # As the journey services do for a journey they open (journeys_changed): every journey counts in
    # the outcome rollups, with interactions or not.
    metrics_mark_stale(journey_ids=[journey.id for made in journeys.values() for journey in made])
    return touchpoints, survey, questions, customers, journeys


def new_rows(catalogue, rng: random.Random, count: int, *, days: list[date]):
    """``count`` interactions, each followed by a sent invitation, most of them answered."""
    touchpoints, survey, questions, customers, journeys = catalogue
    ids = {"responses": [], "interactions": [], "invitations": []}
    for _ in range(count):
        day = rng.choice(days)
        customer = rng.choice(customers)
        interaction = InteractionFactory(
            customer=customer,
            touchpoint=rng.choice(touchpoints),
            channel=rng.choice(["phone", "email", "web"]),
            occurred_at=at(day, rng.randint(8, 18)),
            experience_score=rng.choice([None, 2.0, 6.5, 9.0]),
            expected_value=rng.choice([None, 10.0]),
            actual_value=rng.choice([None, 5.0, 12.0]),
            journey=rng.choice([None, *journeys[customer.id]]),
        )
        invitation = InvitationFactory(
            survey=survey, customer=customer, interaction=interaction, sent_at=at(day, 19), status="sent"
        )
        ids["interactions"].append(interaction.id)
        ids["invitations"].append(invitation.id)
        if rng.random() < 0.8:
            response = ResponseFactory(
                invitation=invitation, submitted_at=at(day + timedelta(days=rng.randint(0, 2)), 20)
            )
            AnswerFactory(response=response, question=questions["nps"], score=rng.randint(0, 10))
            AnswerFactory(response=response, question=questions["ces"], score=rng.randint(1, 7))
            AnswerFactory(
                response=response,
                question=questions["pair"],
                score=rng.randint(1, 10),
                expected=rng.randint(1, 10),
            )
            ids["responses"].append(response.id)
    return ids


def add(ids) -> None:
    metrics_mark_added(
        interaction_ids=ids["interactions"], invitation_ids=ids["invitations"], response_ids=ids["responses"]
    )


def test_new_rows_added_in_batches_give_the_tables_of_a_rebuild(catalogue):
    rng = random.Random(7)
    days = [DAY + timedelta(days=offset) for offset in range(4)]
    for _ in range(3):  # three refreshes, each adding rows to days that already have some
        add(new_rows(catalogue, rng, 12, days=days))
        report = metrics_refresh_stale()
        assert report.complete and not StaleMark.objects.exists()
    added = tables()
    assert added["ResponseRollup"] and added["InvitationChannelRollup"] and added["DriverTierRollup"]
    assert added["JourneyMapRollup"] and added["MomentOfTruthRollup"]  # scores changed three times
    metrics_rebuild()
    assert tables() == added


def test_new_rows_are_added_not_their_days_recomputed(catalogue):
    rng = random.Random(3)
    add(new_rows(catalogue, rng, 5, days=[DAY]))
    metrics_refresh_stale()
    ResponseRollupModel = models_of(StaleKind.RESPONSE_DAY)[0]
    # A row the recompute would remove: adding new rows leaves it, a recompute of the day would not.
    marker = ResponseRollupModel.objects.filter(day=DAY).first()
    ResponseRollupModel.objects.filter(pk=marker.pk).update(responses=marker.responses + 1000)
    add(new_rows(catalogue, rng, 3, days=[DAY]))
    metrics_refresh_stale()
    assert ResponseRollupModel.objects.get(pk=marker.pk).responses >= 1000


def test_a_day_with_a_changed_row_is_recomputed_and_its_new_rows_counted_once(catalogue):
    rng = random.Random(11)
    ids = new_rows(catalogue, rng, 6, days=[DAY])
    add(ids)
    metrics_mark_stale(response_ids=ids["responses"][:1])  # a change in the same day, before the refresh
    metrics_refresh_stale()
    refreshed = tables()
    metrics_rebuild()
    assert tables() == refreshed


def test_the_bucket_counts_the_rows_a_day_gained(catalogue):
    rng = random.Random(5)
    add(new_rows(catalogue, rng, 4, days=[DAY]))
    metrics_refresh_stale()
    held = sum(model.objects.filter(day=DAY).count() for model in models_of(StaleKind.RESPONSE_DAY))
    bucket = RollupBucket.objects.get(kind=StaleKind.RESPONSE_DAY, day=DAY)
    assert bucket.rows == held and bucket.refreshed_at is not None


def test_an_added_row_is_counted_once_however_often_the_refresh_runs(catalogue):
    rng = random.Random(13)
    add(new_rows(catalogue, rng, 5, days=[DAY]))
    metrics_refresh_stale()
    once = tables()
    metrics_refresh_stale()
    assert tables() == once
