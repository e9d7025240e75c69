"""Shared set-up of the benchmarks: a dedicated PostgreSQL database and fast synthetic data.

``django_setup()`` points Django at ``cem_bench`` (created when missing, never the
development or test database; ``bench/_services.py`` does the set-up), migrates it and
returns. ``generate(n)`` empties the source and rollup tables and loads ``n`` survey
responses with their invitations, interactions and answers through ``COPY … FROM STDIN``
(``bench/_bulk_load.py``: an in-memory CSV per chunk), not the ORM row by row. The data
respects every CHECK constraint of the models.

Shape of the data (see ``Shape``):

* customers: ``max(5 000, n / 10)``, five segments, four value tiers;
* 20 touchpoints over the three stages, each with a main channel and two others;
* 3 live surveys — a relationship survey without touchpoint (one NPS question), a
  transactional survey on one touchpoint (NPS, expectation/experience pair, CES)
  and a CSAT survey without touchpoint (one CSAT question); the CES, pair and CSAT
  questions carry a key-driver dimension;
* one invitation per response; transactional (90 %) and CSAT (100 %) invitations
  follow an interaction on a random touchpoint, the rest fall back to the survey's
  own touchpoint or to none;
* responses uniformly over the 365 days before today (today stays empty).
"""

from __future__ import annotations

import hashlib
import os
import statistics
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from bench import _services
from bench._bulk_load import COPY_SECONDS, copy_frame, utc

BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/cem_bench")

SEGMENTS = ("consumer", "smb", "enterprise", "public_sector", "partner")
SEGMENT_P = (0.40, 0.25, 0.15, 0.10, 0.10)
TIERS = ("standard", "silver", "gold", "platinum")
TIER_P = (0.70, 0.20, 0.08, 0.02)
STAGE_SIZES = (("pre_sale", 6), ("mid_sale", 6), ("post_sale", 8))
CHANNELS = ("phone", "email", "chat", "web", "in_store", "social", "sms", "app")
# Share of responses per survey: relationship, transactional, CSAT.
SURVEY_P = (0.25, 0.45, 0.30)
WITH_INTERACTION = (0.0, 0.9, 1.0)
NPS_P = np.array([2, 1, 1, 2, 2, 4, 6, 12, 20, 25, 25], dtype=float) / 100
CSAT_P = np.array([5, 8, 17, 40, 30], dtype=float) / 100
CES_P = np.array([3, 5, 8, 14, 25, 25, 20], dtype=float) / 100
CHUNK = 250_000
DAYS = 365

# Tables emptied between sizes (CASCADE reaches whatever references them).
TRUNCATE = (
    "analytics_followup",
    "analytics_stalemark",
    "analytics_rollupbucket",
    "analytics_responserollup",
    "analytics_interactionrollup",
    "analytics_journeyrollup",
    "analytics_momentoftruthrollup",
    "analytics_journeyscore",
    "surveys_answer",
    "surveys_response",
    "surveys_invitation",
    "surveys_question",
    "surveys_survey",
    "touchpoints_interaction",
    "journeys_journey",
    "touchpoints_touchpoint",
    "touchpoints_customer",
)
LOADED = (
    "touchpoints_customer",
    "touchpoints_interaction",
    "surveys_invitation",
    "surveys_response",
    "surveys_answer",
)


def django_setup(*, migrate: bool = True) -> None:
    """Configure Django for the benchmark database, set it up and migrate."""
    _services.django_setup(
        {
            "DATABASE_URL": BENCH_DATABASE_URL,
            "DJANGO_SETTINGS_MODULE": "cem.settings",
            "DJANGO_LOG_LEVEL": os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
        },
        migrate=migrate,
    )
    from django.conf import settings

    # Production runs without DEBUG: no per-query log in connection.queries.
    settings.DEBUG = False


# --- timing helpers ------------------------------------------------------------------------


class Timer:
    """``with Timer() as t: …`` then ``t.seconds``."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start


def fmt_n(n: int) -> str:
    return f"{n:,}".replace(",", "_") if n < 1000 else f"{n:,}"


def emit(size: int | None, figure: str, value: str) -> None:
    """One result line: ``[size] figure .... value``."""
    label = f"[{fmt_n(size)}]" if size is not None else "[-]"
    print(f"{label:>13} {figure:<58} {value}", flush=True)


def timings_ms(call, runs: int, *, warmups: int = 0) -> list[float]:
    """Milliseconds of ``runs`` calls of ``call``, after ``warmups`` untimed ones."""
    for _ in range(warmups):
        call()
    times = []
    for _ in range(runs):
        with Timer() as t:
            call()
        times.append(t.seconds * 1000)
    return times


def median_ms(call, runs: int = 3, *, warmups: int = 0) -> float:
    return statistics.median(timings_ms(call, runs, warmups=warmups))


def signed_in_client(username: str, group: str):
    """A Django test client signed in as ``username``, a member of ``group`` (both created if missing)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username=username)
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    client = Client()
    client.force_login(user)
    return client


# --- data generation --------------------------------------------------------------------------


@dataclass
class Shape:
    responses: int
    customers: int
    touchpoints: list[dict] = field(default_factory=list)
    survey_ids: list[int] = field(default_factory=list)
    # per survey: [(question_id, type)]
    questions: list[list[tuple[int, str]]] = field(default_factory=list)
    survey_touchpoint: list[int | None] = field(default_factory=list)
    first_day: date | None = None
    last_day: date | None = None
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TRUNCATE)} RESTART IDENTITY CASCADE")


def touchpoints_new(code_prefix: str = "bench-tp") -> list:
    """20 unsaved touchpoints over the three stages (``STAGE_SIZES``): every third with a floor
    score, every fourth with a measure (a wait time, lower is better)."""
    from touchpoints.models import Direction, Touchpoint

    touchpoints = []
    number = 0
    for stage, count in STAGE_SIZES:
        for _ in range(count):
            number += 1
            measured = number % 4 == 0
            touchpoints.append(
                Touchpoint(
                    code=f"{code_prefix}-{number:02d}",
                    name=f"Touchpoint {number:02d}",
                    stage=stage,
                    channel=CHANNELS[number % len(CHANNELS)],
                    floor_score=4.0 if number % 3 == 0 else None,
                    measure_name="Wait time" if measured else "",
                    measure_unit="minutes" if measured else "",
                    measure_direction=Direction.LOWER_IS_BETTER if measured else "",
                )
            )
    return touchpoints


def _catalogue(shape: Shape) -> None:
    """Touchpoints, surveys and questions (a few rows: the ORM is fine here)."""
    from surveys.models import Survey
    from touchpoints.models import Touchpoint

    touchpoints = touchpoints_new()
    Touchpoint.objects.bulk_create(touchpoints)
    shape.touchpoints = [
        {
            "id": tp.id,
            "channels": (
                tp.channel,
                CHANNELS[(CHANNELS.index(tp.channel) + 1) % len(CHANNELS)],
                CHANNELS[(CHANNELS.index(tp.channel) + 3) % len(CHANNELS)],
            ),
        }
        for tp in touchpoints
    ]
    transactional_tp = touchpoints[-1]
    surveys = [
        Survey(name="Relationship NPS", kind=Survey.Kind.RELATIONSHIP, languages=["en"], status="live"),
        Survey(
            name="After contact",
            kind=Survey.Kind.TRANSACTIONAL,
            languages=["en"],
            status="live",
            touchpoint=transactional_tp,
        ),
        Survey(name="Satisfaction", kind=Survey.Kind.CSAT, languages=["en"], status="live"),
    ]
    Survey.objects.bulk_create(surveys)
    questions = _questions(surveys)
    shape.survey_ids = [s.id for s in surveys]
    shape.survey_touchpoint = [None, transactional_tp.id, None]
    shape.questions = [
        [(q.id, str(q.type)) for q in questions if q.survey_id == survey.id] for survey in surveys
    ]


def _questions(surveys: list) -> list:
    """The questions of the three surveys (NPS; NPS, expectation pair, CES; CSAT), saved."""
    from surveys.models import Question, QuestionDriver, QuestionType
    from touchpoints.models import Direction

    layout = [
        [QuestionType.NPS],
        [QuestionType.NPS, QuestionType.EXPECTATION_EXPERIENCE, QuestionType.CES],
        [QuestionType.CSAT],
    ]
    scales = {
        QuestionType.NPS: (0, 10),
        QuestionType.CSAT: (1, 5),
        QuestionType.CES: (1, 7),
        QuestionType.EXPECTATION_EXPERIENCE: (0, 10),
    }
    # Ratings that measure an experience dimension feed the key-driver rollups.
    drivers = {
        QuestionType.CES: QuestionDriver.CONVENIENCE,
        QuestionType.EXPECTATION_EXPERIENCE: QuestionDriver.SERVICE,
        QuestionType.CSAT: QuestionDriver.SERVICE,
    }
    questions = [
        Question(
            survey=survey,
            order=order,
            type=kind,
            texts={"en": f"{kind} question"},
            scale_min=scales[kind][0],
            scale_max=scales[kind][1],
            direction=Direction.HIGHER_IS_BETTER,
            driver=drivers.get(kind, ""),
        )
        for survey, kinds in zip(surveys, layout, strict=True)
        for order, kind in enumerate(kinds, start=1)
    ]
    Question.objects.bulk_create(questions)
    return questions


def _customers(cursor, shape: Shape, rng: np.random.Generator, now: datetime) -> None:
    n = shape.customers
    ids = np.arange(1, n + 1)
    frame = pd.DataFrame(
        {
            "id": ids,
            "external_id": [f"BENCH-{i:08d}" for i in ids],
            "name": [f"Customer {i}" for i in ids],
            "email": [f"c{i}@example.com" for i in ids],
            "phone": "",
            "locale": "en",
            "segment": np.array(SEGMENTS)[rng.choice(len(SEGMENTS), size=n, p=SEGMENT_P)],
            "value_tier": np.array(TIERS)[rng.choice(len(TIERS), size=n, p=TIER_P)],
            "email_opt_out": "f",
            "attributes": "{}",
            "created_at": now.isoformat(),
            "updated_at": now.isoformat(),
        }
    )
    copy_frame(cursor, "touchpoints_customer", list(frame.columns), frame)


def _answers(
    survey_idx: np.ndarray, response_ids: np.ndarray, shape: Shape, rng: np.random.Generator
) -> pd.DataFrame:
    """One row per answered question, scores within each question type's CHECK range."""
    parts = []
    for s, questions in enumerate(shape.questions):
        mine = response_ids[survey_idx == s]
        for question_id, kind in questions:
            k = len(mine)
            expected = np.full(k, np.nan)
            if kind == "nps":
                score = rng.choice(11, size=k, p=NPS_P).astype(float)
            elif kind == "csat":
                score = (rng.choice(5, size=k, p=CSAT_P) + 1).astype(float)
            elif kind == "ces":
                score = (rng.choice(7, size=k, p=CES_P) + 1).astype(float)
            else:  # expectation/experience pair: expected > 0, experience 0..10
                expected = rng.integers(1, 11, size=k).astype(float)
                score = np.clip(np.round(expected * rng.lognormal(0.0, 0.3, size=k), 1), 0.0, 10.0)
            parts.append(
                pd.DataFrame(
                    {
                        "response_id": mine,
                        "question_id": question_id,
                        "question_type": kind,
                        "score": score,
                        "expected": expected,
                        "text": "",
                        "choices": "[]",
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def _has_field(model: str, name: str) -> bool:
    from django.apps import apps

    return any(f.name == name for f in apps.get_model(model)._meta.concrete_fields)


def _chunk(
    cursor,
    shape: Shape,
    rng: np.random.Generator,
    first_id: int,
    count: int,
    next_interaction: int,
    submitted: np.ndarray,
) -> int:
    """Load ``count`` responses starting at id ``first_id``, submitted at ``submitted`` (epoch
    seconds, ascending); returns the next interaction id."""
    ids = np.arange(first_id, first_id + count)
    survey_idx = rng.choice(3, size=count, p=SURVEY_P)
    customer = rng.integers(1, shape.customers + 1, size=count)
    lag = rng.integers(3600, 48 * 3600, size=count)
    followed = rng.random(count) < np.array(WITH_INTERACTION)[survey_idx]

    # Interactions the invitations followed.
    m = int(followed.sum())
    interaction_ids = np.arange(next_interaction, next_interaction + m)
    occurred = submitted[followed] - lag[followed]
    _interactions(cursor, shape, rng, interaction_ids, customer[followed], occurred)
    invitation_interaction = np.full(count, np.nan)
    invitation_interaction[followed] = interaction_ids
    invitations = _invitations(shape, rng, ids, survey_idx, customer, lag, submitted)
    invitations["interaction_id"] = pd.array(invitation_interaction, dtype="Int64")
    copy_frame(cursor, "surveys_invitation", list(invitations.columns), invitations)

    responses = pd.DataFrame(
        {
            "id": ids,
            "submitted_at": utc(submitted),
            "language": "en",
            "customer_id": customer,
            "invitation_id": ids,
            "survey_id": np.array(shape.survey_ids)[survey_idx],
        }
    )
    copy_frame(cursor, "surveys_response", list(responses.columns), responses)

    # Stored in response order, as a writer inserting a response with its answers leaves them.
    answers = _answers(survey_idx, ids, shape, rng).sort_values("response_id", kind="stable")
    copy_frame(cursor, "surveys_answer", list(answers.columns), answers)
    shape.counts["answers"] = shape.counts.get("answers", 0) + len(answers)
    shape.counts["interactions"] = shape.counts.get("interactions", 0) + m
    return next_interaction + m


def _interactions(
    cursor,
    shape: Shape,
    rng: np.random.Generator,
    ids: np.ndarray,
    customer: np.ndarray,
    occurred: np.ndarray,
) -> None:
    """The interactions ``ids`` of ``customer`` at ``occurred``, on random touchpoints and channels."""
    m = len(ids)
    tp_idx = rng.integers(0, len(shape.touchpoints), size=m)
    channel_pick = rng.choice(3, size=m, p=(0.7, 0.2, 0.1))
    channels = np.array([list(tp["channels"]) for tp in shape.touchpoints])
    interactions = pd.DataFrame(
        {
            "id": ids,
            "channel": channels[tp_idx, channel_pick],
            "occurred_at": utc(occurred),
            "category": "",
            "outcome": "resolved",
            "notes": "",
            "experience_score": np.round(rng.uniform(0, 10, size=m), 1),
            "source": "agent",
            "created_at": utc(occurred),
            "customer_id": customer,
            "touchpoint_id": np.array([tp["id"] for tp in shape.touchpoints])[tp_idx],
        }
    )
    copy_frame(cursor, "touchpoints_interaction", list(interactions.columns), interactions)


def _invitations(
    shape: Shape,
    rng: np.random.Generator,
    ids: np.ndarray,
    survey_idx: np.ndarray,
    customer: np.ndarray,
    lag: np.ndarray,
    submitted: np.ndarray,
) -> pd.DataFrame:
    """One responded invitation per response (``interaction_id`` is the caller's to add)."""
    count = len(ids)
    created = submitted - (lag * 0.8).astype(np.int64)
    tokens = [hashlib.sha256(b"bench-%d" % i).hexdigest() for i in ids]
    # 128-bit random nonces, hex (Invitation.token_nonce); the hashes above need not match them.
    nonces = rng.integers(0, 2**63, size=(count, 2), dtype=np.int64)
    nonce_hex = [f"{a:016x}{b:016x}" for a, b in nonces.tolist()]
    invitations = pd.DataFrame(
        {
            "id": ids,
            "token_hash": tokens,
            "token_nonce": nonce_hex,
            "status": "responded",
            "suppression_reason": "",
            "language": "en",
            "created_at": utc(created),
            "send_after": utc(created),
            "sent_at": utc(created + 60),
            "opened_at": utc(submitted - (lag * 0.05).astype(np.int64)),
            "responded_at": utc(submitted),
            "expires_at": utc(created + 14 * 86400),
            "customer_id": customer,
            "survey_id": np.array(shape.survey_ids)[survey_idx],
        }
    )
    if not _has_field("surveys.Invitation", "token_nonce"):
        invitations = invitations.drop(columns="token_nonce")
    return invitations


def generate(n_responses: int, *, seed: int = 20240601, progress: bool = True) -> Shape:
    """Empty the tables and load ``n_responses`` responses (and the rest); returns the shape."""
    from django.utils import timezone

    from infra.days import day_start

    rng = np.random.default_rng(seed)
    shape = Shape(responses=n_responses, customers=max(5_000, n_responses // 10))
    now = timezone.now()
    today = timezone.localdate()
    shape.first_day, shape.last_day = today - timedelta(days=DAYS), today - timedelta(days=1)
    start_s = int(day_start(shape.first_day).timestamp())
    span_s = int(day_start(today).timestamp()) - start_s
    # Ids ascend with submission time, as rows inserted over a year would (physical order
    # correlates with time; the planner's statistics see it).
    submitted = np.sort(start_s + rng.integers(0, span_s, size=n_responses))

    COPY_SECONDS.clear()
    with Timer() as t:
        truncate()
    shape.seconds["truncate"] = t.seconds

    with Timer() as t:
        _load(shape, rng, submitted, now, progress=progress)
    shape.seconds["copy"] = t.seconds

    # What autovacuum would do soon after a bulk load: statistics and the visibility map.
    with Timer() as t:
        vacuum_analyze(*LOADED)
    shape.seconds["vacuum_analyze"] = t.seconds
    with Timer() as t:
        orphans = _check_foreign_keys()
    shape.seconds["fk_check"] = t.seconds
    if orphans:
        raise RuntimeError(f"generated rows break foreign keys: {orphans}")
    shape.counts.update(responses=n_responses, invitations=n_responses, customers=shape.customers)
    return shape


def _load(
    shape: Shape, rng: np.random.Generator, submitted: np.ndarray, now: datetime, *, progress: bool
) -> None:
    """The catalogue, the customers and the responses in chunks (foreign-key triggers off), then the
    id sequences past the loaded rows."""
    from django.db import connection, transaction

    n_responses = len(submitted)
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
        # A bulk load skips the row-by-row foreign-key triggers (superuser only, this
        # session only); _check_foreign_keys() then verifies them set-based, once.
        cursor.execute("SET session_replication_role = replica")
    try:
        with transaction.atomic():
            _catalogue(shape)
            with connection.cursor() as cursor:
                _customers(cursor, shape, rng, now)
        next_interaction = 1
        for first in range(1, n_responses + 1, CHUNK):
            count = min(CHUNK, n_responses - first + 1)
            with transaction.atomic(), connection.cursor() as cursor:
                next_interaction = _chunk(
                    cursor,
                    shape,
                    rng,
                    first,
                    count,
                    next_interaction,
                    submitted[first - 1 : first - 1 + count],
                )
            if progress:
                print(f"    … loaded {first + count - 1:,} / {n_responses:,} responses", flush=True)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET session_replication_role")
    with connection.cursor() as cursor:
        for table in LOADED:
            cursor.execute(  # table names are this module's constants
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )


# (table, column, referenced table) of every foreign key the bulk load fills.
FOREIGN_KEYS = (
    ("touchpoints_interaction", "customer_id", "touchpoints_customer"),
    ("touchpoints_interaction", "touchpoint_id", "touchpoints_touchpoint"),
    ("surveys_invitation", "customer_id", "touchpoints_customer"),
    ("surveys_invitation", "interaction_id", "touchpoints_interaction"),
    ("surveys_invitation", "survey_id", "surveys_survey"),
    ("surveys_response", "customer_id", "touchpoints_customer"),
    ("surveys_response", "invitation_id", "surveys_invitation"),
    ("surveys_response", "survey_id", "surveys_survey"),
    ("surveys_answer", "response_id", "surveys_response"),
    ("surveys_answer", "question_id", "surveys_question"),
)


def _check_foreign_keys() -> dict[str, int]:
    """Rows whose foreign key points nowhere, per key (set-based anti-joins); {} when sound."""
    from django.db import connection

    broken = {}
    with connection.cursor() as cursor:
        for table, column, target in FOREIGN_KEYS:
            cursor.execute(  # names are this module's constants
                f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL "  # noqa: S608
                f"AND NOT EXISTS (SELECT 1 FROM {target} x WHERE x.id = t.{column})"
            )
            (count,) = cursor.fetchone()
            if count:
                broken[f"{table}.{column}"] = count
    return broken


def vacuum_analyze(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


def bucket_days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
