"""Writes like the application's on the data ``bench/_setup.py`` generated, for the refresh figures.

``responses_today(n, rng)`` inserts ``n`` responses submitted today, with their invitations
and answers, and marks them stale in the same transaction, as a writer does (the after-commit
refresh task held back); ``responses_remove(ids)`` deletes them again, marking first, and
refreshes, so that the next repetition starts from the same state.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from unittest import mock

import numpy as np

from bench._setup import CES_P, CSAT_P, NPS_P, SURVEY_P


def responses_today(n: int, rng: np.random.Generator) -> list[int]:
    """Insert ``n`` responses submitted today (with invitations and answers) and mark them stale,
    in one transaction, like a writer. Returns their ids."""
    from django.db import transaction
    from django.utils import timezone

    from analytics import tasks
    from analytics.services import metrics_mark_stale
    from infra.days import day_start
    from surveys.models import Answer, Invitation, Question, Response, Survey
    from touchpoints.models import Interaction

    now = timezone.now()
    today_start = day_start(timezone.localdate())
    window = max(1, min(3600, int((now - today_start).total_seconds()) - 1))
    surveys = list(Survey.objects.order_by("id"))
    questions = {s.id: list(Question.objects.filter(survey=s).order_by("order")) for s in surveys}
    # Invitations follow interactions of the last days (the response comes a day or two later).
    recent = list(
        Interaction.objects.filter(occurred_at__gte=now - timedelta(days=3)).values_list("id", "customer_id")
    )
    invitations = _invitations_today(n, rng, surveys, recent, now)
    with mock.patch.object(tasks.metrics_refresh_stale, "delay_on_commit"), transaction.atomic():
        Invitation.objects.bulk_create(invitations)
        responses = Response.objects.bulk_create(
            [
                Response(
                    invitation=inv,
                    survey_id=inv.survey_id,
                    customer_id=inv.customer_id,
                    submitted_at=today_start + timedelta(seconds=int(rng.integers(0, window))),
                    language="en",
                )
                for inv in invitations
            ]
        )
        Answer.objects.bulk_create(_answers_new(responses, questions, rng))
        metrics_mark_stale(response_ids=[r.id for r in responses])
    return [r.id for r in responses]


def _invitations_today(n: int, rng: np.random.Generator, surveys: list, recent: list, now) -> list:
    """``n`` responded invitations, unsaved, over the surveys in ``SURVEY_P`` shares."""
    from surveys.models import Invitation, Survey

    pick = rng.choice(3, size=n, p=SURVEY_P)
    invitations = []
    for k in range(n):
        survey = surveys[pick[k]]
        interaction_id, customer_id = None, int(rng.integers(1, 5_000))
        if survey.kind != Survey.Kind.RELATIONSHIP and recent:
            interaction_id, customer_id = recent[int(rng.integers(0, len(recent)))]
        invitations.append(
            Invitation(
                survey=survey,
                customer_id=customer_id,
                interaction_id=interaction_id,
                token_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
                status=Invitation.Status.RESPONDED,
                language="en",
                send_after=now - timedelta(hours=2),
                sent_at=now - timedelta(hours=2),
                responded_at=now,
                expires_at=now + timedelta(days=14),
            )
        )
    return invitations


def _answers_new(responses: list, questions: dict, rng: np.random.Generator) -> list:
    """The answers of ``responses`` (unsaved), one per question of their survey."""
    from surveys.models import Answer

    scores = {
        "nps": lambda: float(rng.choice(11, p=NPS_P)),
        "csat": lambda: float(rng.choice(5, p=CSAT_P) + 1),
        "ces": lambda: float(rng.choice(7, p=CES_P) + 1),
        "expectation_experience": lambda: float(rng.integers(0, 11)),
    }
    answers = []
    for response in responses:
        for question in questions[response.survey_id]:
            expected = float(rng.integers(1, 11)) if question.type == "expectation_experience" else None
            answers.append(
                Answer(
                    response=response,
                    question=question,
                    question_type=question.type,
                    score=scores[question.type](),
                    expected=expected,
                )
            )
    return answers


def responses_remove(ids: list[int]) -> None:
    """Delete what ``responses_today`` added, marking it stale first as a writer must, and refresh
    (untimed): the next repetition starts from the same state."""
    from django.db import transaction

    from analytics import tasks
    from analytics.services import metrics_mark_stale, metrics_refresh_stale
    from followups.models import FollowUp
    from surveys.models import Answer, Invitation, Response

    with mock.patch.object(tasks.metrics_refresh_stale, "delay_on_commit"), transaction.atomic():
        metrics_mark_stale(response_ids=ids)
        invitation_ids = list(Response.objects.filter(id__in=ids).values_list("invitation_id", flat=True))
        FollowUp.objects.filter(response_id__in=ids).delete()
        Answer.objects.filter(response_id__in=ids).delete()
        Response.objects.filter(id__in=ids).delete()
        Invitation.objects.filter(id__in=invitation_ids).delete()
    metrics_refresh_stale()
