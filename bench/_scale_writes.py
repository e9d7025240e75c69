"""The write side of ``bench/bench_scale.py``: the rebuild against its bare GROUP BYs, and refreshes
after 1,000 new rows written as the product writes them (rows and their marks in one transaction)."""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import timedelta
from unittest import mock

import numpy as np

from bench._setup import CES_P, CSAT_P, NPS_P, SURVEY_P, Timer, emit

BATCH = 1000


def _span_days():
    from django.db.models import Max, Min

    from infra.days import local_day
    from surveys.models import Response

    bounds = Response.objects.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    first, last = local_day(bounds["first"]), local_day(bounds["last"])
    return [first.fromordinal(ordinal) for ordinal in range(first.toordinal(), last.toordinal() + 1)]


def bare_group_bys() -> dict[str, float]:
    """Seconds of each grouped query the rebuild needs, over every day at once, as a bare SELECT."""
    from django.db import connection

    from analytics.services.rollup_rows import scope_of
    from analytics.services.rollup_writes import DAY_SOURCES

    scope = scope_of(_span_days())
    seconds = {}
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        for sources in DAY_SOURCES.values():
            for source in sources:
                sql, params = source.select(scope)
                with Timer() as t:
                    cursor.execute(f"SELECT count(*) FROM ({sql}) q", params)  # noqa: S608
                    cursor.fetchone()
                seconds[source.model.__name__] = t.seconds
        with Timer() as t:
            cursor.execute(
                "SELECT count(*), sum(experience_score) FROM (SELECT journey_id, id, touchpoint_id, "
                "experience_score FROM touchpoints_interaction WHERE journey_id IS NOT NULL "
                "AND experience_score IS NOT NULL ORDER BY journey_id, occurred_at, id) m"
            )
            cursor.fetchone()
        seconds["journey moments"] = t.seconds
        cursor.execute("RESET jit")
    return seconds


def rebuild(size: int, figures: dict) -> None:
    from analytics.services import metrics_rebuild

    floors = bare_group_bys()
    floor = sum(floors.values())
    for name, seconds in floors.items():
        emit(size, f"bare GROUP BY: {name}", f"{seconds:8.2f} s")
    phases: dict[str, float] = {}
    started = {"at": time.perf_counter(), "label": None}

    def progress(label: str, total: int):
        now = time.perf_counter()
        if started["label"]:
            phases[started["label"]] = now - started["at"]
        started.update(at=now, label=label)
        return lambda done: None

    with Timer() as t:
        metrics_rebuild(progress=progress)
    phases[started["label"]] = time.perf_counter() - started["at"]
    for label, seconds in phases.items():
        emit(size, f"rebuild phase: {label}", f"{seconds:8.2f} s")
    emit(size, "rebuild_metrics (all phases)", f"{t.seconds:8.2f} s")
    emit(size, "bare GROUP BYs (sum)", f"{floor:8.2f} s")
    emit(size, "rebuild ÷ bare GROUP BYs", f"{t.seconds / floor:8.2f} ×")
    figures["rebuild"] = {"rebuild_s": t.seconds, "floor_s": floor, "phases": phases, "floors": floors}


def _invitations(n: int, rng, *, sent_days_ago: tuple[int, int], now) -> list:
    """``n`` sent invitations (unsaved) over the surveys in ``SURVEY_P`` shares, following recent
    interactions of the same customer where the survey is transactional."""
    from surveys.models import Invitation, Survey
    from touchpoints.models import Interaction

    surveys = list(Survey.objects.order_by("id"))
    recent = list(
        Interaction.objects.filter(occurred_at__gte=now - timedelta(days=10))
        .order_by("-id")
        .values_list("id", "customer_id")[:20_000]
    )
    pick = rng.choice(3, size=n, p=SURVEY_P)
    low, high = sent_days_ago
    invitations = []
    for k in range(n):
        survey = surveys[pick[k]]
        interaction_id, customer_id = recent[int(rng.integers(0, len(recent)))]
        if survey.kind == Survey.Kind.RELATIONSHIP:
            interaction_id = None
        sent_at = now - timedelta(days=int(rng.integers(low, high + 1)), hours=2)
        invitations.append(
            Invitation(
                survey=survey,
                customer_id=customer_id,
                interaction_id=interaction_id,
                token_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
                status=Invitation.Status.SENT,
                language="en",
                send_after=sent_at,
                sent_at=sent_at,
                expires_at=now + timedelta(days=14),
            )
        )
    return invitations


def _answers(responses: list, rng) -> list:
    from surveys.models import Answer, Question

    questions: dict[int, list] = {}
    for question in Question.objects.order_by("order"):
        questions.setdefault(question.survey_id, []).append(question)
    draw = {
        "nps": lambda: float(rng.choice(11, p=NPS_P)),
        "csat": lambda: float(rng.choice(5, p=CSAT_P) + 1),
        "ces": lambda: float(rng.choice(7, p=CES_P) + 1),
        "expectation_experience": lambda: float(rng.integers(1, 11)),
        "rating": lambda: float(rng.integers(1, 6)),
    }
    answers = []
    for response in responses:
        for question in questions.get(response.survey_id, []):
            if question.type not in draw:
                continue
            expected = float(rng.integers(1, 11)) if question.type == "expectation_experience" else None
            answers.append(
                Answer(
                    response=response,
                    question=question,
                    question_type=question.type,
                    score=draw[question.type](),
                    expected=expected,
                )
            )
    return answers


def _held_back():
    from analytics import tasks

    return mock.patch.object(tasks.metrics_refresh_stale, "delay_on_commit")


def _sent(n: int, rng, *, sent_days_ago: tuple[int, int]) -> list:
    """Write ``n`` sent invitations and their marks, then refresh (untimed): the state before answers."""
    from django.db import transaction
    from django.utils import timezone

    from analytics.services import metrics_mark_added, metrics_refresh_stale
    from surveys.models import Invitation

    with _held_back(), transaction.atomic():
        invitations = Invitation.objects.bulk_create(
            _invitations(n, rng, sent_days_ago=sent_days_ago, now=timezone.now())
        )
        metrics_mark_added(invitation_ids=[invitation.id for invitation in invitations])
    metrics_refresh_stale()
    return invitations


def _answered(invitations: list, rng) -> tuple[list[int], float]:
    """Write a response with answers to each invitation and their marks, as the survey page does;
    returns their ids and the seconds of the write."""
    from django.db import transaction
    from django.utils import timezone

    from analytics.services import metrics_mark_added
    from surveys.models import Answer, Response

    now = timezone.now()
    with Timer() as write, _held_back(), transaction.atomic():
        responses = Response.objects.bulk_create(
            Response(
                invitation=invitation,
                survey_id=invitation.survey_id,
                customer_id=invitation.customer_id,
                submitted_at=now - timedelta(seconds=int(rng.integers(0, 600))),
                language="en",
            )
            for invitation in invitations
        )
        Answer.objects.bulk_create(_answers(responses, rng), batch_size=5000)
        metrics_mark_added(response_ids=[response.id for response in responses])
    return [response.id for response in responses], write.seconds


def _remove(invitations: list, response_ids: list[int]) -> None:
    from django.db import transaction

    from analytics.services import metrics_mark_stale, metrics_refresh_stale
    from followups.models import FollowUp
    from surveys.models import Answer, Invitation, Response

    with _held_back(), transaction.atomic():
        metrics_mark_stale(response_ids=response_ids, invitation_ids=[i.id for i in invitations])
        FollowUp.objects.filter(response_id__in=response_ids).delete()
        Answer.objects.filter(response_id__in=response_ids).delete()
        Response.objects.filter(id__in=response_ids).delete()
        Invitation.objects.filter(id__in=[i.id for i in invitations]).delete()
    metrics_refresh_stale()


def _old_way(kinds_days: dict) -> float:
    """Seconds of recomputing the days new rows fell on, as the refresh did before rows were added."""
    from analytics.services import rollup_refresh_days

    with Timer() as t:
        for kind, days in kinds_days.items():
            rollup_refresh_days(kind=kind, days=days, force=True)
    return t.seconds


def refresh_after_answers(
    size: int, figures: dict, *, label: str, sent_days_ago: tuple[int, int], rng
) -> None:
    from django.utils import timezone

    from analytics.models import StaleKind
    from analytics.services import metrics_refresh_stale
    from infra.days import local_day

    invitations = _sent(BATCH, rng, sent_days_ago=sent_days_ago)
    ids, write_s = _answered(invitations, rng)
    with Timer() as t:
        report = metrics_refresh_stale()
    sent_days = sorted({local_day(i.sent_at) for i in invitations})
    old = _old_way({StaleKind.RESPONSE_DAY: [timezone.localdate()], StaleKind.INVITATION_DAY: sent_days})
    _remove(invitations, ids)
    emit(size, f"refresh after 1,000 responses, {label}", f"{t.seconds * 1000:8.0f} ms")
    emit(
        size,
        f"  write of those responses / old way (recompute {len(sent_days) + 1} days)",
        f"{write_s * 1000:8.0f} / {old * 1000:.0f} ms",
    )
    figures["refresh"][label] = {
        "refresh_ms": t.seconds * 1000,
        "write_ms": write_s * 1000,
        "old_way_ms": old * 1000,
        "rows": report.rows,
    }


def refresh_after_interactions(size: int, figures: dict, rng) -> None:
    from django.db import transaction
    from django.utils import timezone

    from analytics.models import StaleKind
    from analytics.services import metrics_mark_added, metrics_mark_stale, metrics_refresh_stale
    from journeys.models import Journey
    from touchpoints.models import Interaction, Touchpoint

    now = timezone.now()
    touchpoints = list(Touchpoint.objects.values_list("id", "channel"))
    journeys = list(Journey.objects.order_by("-id").values_list("id", "customer_id")[:5000])
    with Timer() as write, _held_back(), transaction.atomic():
        rows = []
        for k in range(BATCH):
            touchpoint_id, channel = touchpoints[int(rng.integers(0, len(touchpoints)))]
            journey_id, customer_id = journeys[int(rng.integers(0, len(journeys)))]
            rows.append(
                Interaction(
                    customer_id=customer_id,
                    touchpoint_id=touchpoint_id,
                    channel=channel,
                    occurred_at=now - timedelta(seconds=int(rng.integers(0, 600))),
                    experience_score=float(rng.integers(0, 11)),
                    journey_id=journey_id if k % 5 < 3 else None,
                )
            )
        created = Interaction.objects.bulk_create(rows)
        metrics_mark_added(interaction_ids=[row.id for row in created])
    with Timer() as t:
        metrics_refresh_stale()
    old = _old_way({StaleKind.INTERACTION_DAY: [timezone.localdate()]})
    with _held_back(), transaction.atomic():
        metrics_mark_stale(interaction_ids=[row.id for row in created])
        Interaction.objects.filter(id__in=[row.id for row in created]).delete()
    metrics_refresh_stale()
    emit(size, "refresh after 1,000 interactions (600 in journeys)", f"{t.seconds * 1000:8.0f} ms")
    emit(
        size,
        "  write of those interactions / old way (recompute the day)",
        f"{write.seconds * 1000:8.0f} / {old * 1000:.0f} ms",
    )
    figures["refresh"]["interactions"] = {
        "refresh_ms": t.seconds * 1000,
        "write_ms": write.seconds * 1000,
        "old_way_ms": old * 1000,
    }


def refreshes(size: int, figures: dict) -> None:
    from analytics.services import metrics_refresh_stale

    metrics_refresh_stale()  # whatever an earlier run left marked
    rng = np.random.default_rng(16)
    for repetition in range(2):  # the first warms the caches; the second is reported
        refresh_after_answers(size, figures, label="invitations sent today", sent_days_ago=(0, 0), rng=rng)
        refresh_after_answers(
            size, figures, label="invitations sent 1–7 days ago", sent_days_ago=(1, 7), rng=rng
        )
        refresh_after_interactions(size, figures, rng)
        if repetition == 0:
            figures["refresh"].clear()
