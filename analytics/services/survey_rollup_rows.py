"""Grouped queries for the key-driver and invitation rollups, of the source rows a ``Scope`` selects."""

from collections.abc import Collection
from datetime import date

from django.db import connection
from django.db.models import Case, Count, F, FloatField, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import Coalesce, Greatest, RowNumber

from analytics.models import DriverRollup, InvitationRollup
from infra.days import day_of
from surveys.models import Answer, Invitation, InvitationStatus, QuestionType

from .rollup_rows import SLICE_COLUMNS, Scope, _count_if, scope_of, slice_fields, survey_slice

# The scale a driver rating is read on when its question does not say (as the survey page shows it).
DEFAULT_SCALES = {
    QuestionType.CSAT: (1, 5),
    QuestionType.CES: (1, 7),
    QuestionType.RATING: (1, 5),
    QuestionType.EXPECTATION_EXPERIENCE: (1, 10),
}


def _scale_end(end: str) -> Case:
    """SQL of a driver question's scale end: fixed for CSAT and CES, else its own or the default."""
    index = 0 if end == "min" else 1
    own = f"question__scale_{end}"
    return Case(
        When(question_type=QuestionType.CSAT, then=Value(float(DEFAULT_SCALES[QuestionType.CSAT][index]))),
        When(question_type=QuestionType.CES, then=Value(float(DEFAULT_SCALES[QuestionType.CES][index]))),
        When(
            question_type=QuestionType.RATING,
            then=Coalesce(own, Value(DEFAULT_SCALES[QuestionType.RATING][index]), output_field=FloatField()),
        ),
        default=Coalesce(
            own, Value(DEFAULT_SCALES[QuestionType.EXPECTATION_EXPERIENCE][index]), output_field=FloatField()
        ),
        output_field=FloatField(),
    )


def _first_nps_answers(scope: Scope):
    """Each response's first NPS answer (by question order, then id) of the responses of the scope:
    rows of (response_id, score)."""
    return (
        Answer.objects.filter(
            scope.where("submitted_at", row="response"), question_type=QuestionType.NPS, score__isnull=False
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("response_id"),
                order_by=[F("question__order").asc(), F("id").asc()],
            )
        )
        .filter(rank=1)
        .values("response_id", "score")
        .order_by()
    )


def _driver_ratings(scope: Scope):
    """Every rating of a question with a driver dimension of the scope's responses, normalised to
    0–10, with its response, day, survey slice and dimension."""
    low, high = _scale_end("min"), _scale_end("max")
    return (
        Answer.objects.filter(scope.where("submitted_at", row="response"), score__isnull=False)
        .exclude(question__driver="")
        .annotate(
            **survey_slice(
                invitation="response__invitation",
                survey="response__survey",
                customer="response__customer",
            )
        )
        .annotate(
            bucket_day=day_of("response__submitted_at"),
            dimension=F("question__driver"),
            x=Value(10.0) * (F("score") - low) / Greatest(high - low, Value(1.0)),
        )
        .values("response_id", "bucket_day", *SLICE_COLUMNS, "dimension", "x")
        .order_by()
    )


_DRIVER_KEY = ("bucket_day", *SLICE_COLUMNS, "dimension")
# The pair sums over ratings r joined to their response's first NPS answer o (NULL: no pair).
_DRIVER_SUMS_SQL = """
    COUNT(o.y) AS pairs,
    COALESCE(SUM(CASE WHEN o.y IS NOT NULL THEN r.x END), 0.0) AS sum_x,
    COALESCE(SUM(o.y), 0.0) AS sum_y,
    COALESCE(SUM(CASE WHEN o.y IS NOT NULL THEN r.x * r.x END), 0.0) AS sum_xx,
    COALESCE(SUM(o.y * o.y), 0.0) AS sum_yy,
    COALESCE(SUM(r.x * o.y), 0.0) AS sum_xy,
    COUNT(*) AS ratings,
    COALESCE(SUM(r.x), 0.0) AS ratings_sum
"""


def driver_rollup_sql(scope: Scope) -> tuple[str, tuple]:
    """Key-driver sums of the responses of the scope (one grouped query): its SQL and parameters.

    Each rating of a question with a driver dimension is normalised to 0–10
    by its scale (``metrics.rating_to_ten``); it pairs with the response's
    NPS answer (its first, should a survey ask twice). The first NPS answers
    are found once, in a derived table the ratings join, rather than looked up
    for each rating.
    """
    ratings_sql, ratings_params = _driver_ratings(scope).query.sql_with_params()
    nps_sql, nps_params = _first_nps_answers(scope).query.sql_with_params()
    key = ", ".join(f"r.{column}" for column in _DRIVER_KEY)
    # Only compiled ORM SQL and constants are interpolated; every value is a parameter.
    sql = (
        f"SELECT {key}, {_DRIVER_SUMS_SQL} "  # noqa: S608
        f"FROM ({ratings_sql}) r "
        f"LEFT JOIN (SELECT n.response_id, n.score * 1.0 AS y FROM ({nps_sql}) n) o "
        f"ON o.response_id = r.response_id "
        f"GROUP BY {key}"
    )
    return sql, (*ratings_params, *nps_params)


def driver_rollup_rows(days: Collection[date]) -> list[DriverRollup]:
    """Unsaved key-driver rollup rows of the responses submitted on ``days``."""
    sql, params = driver_rollup_sql(scope_of(days))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        grouped = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    rows = []
    for row in grouped:
        day = row.pop("bucket_day")
        rows.append(
            DriverRollup(
                day=date.fromisoformat(day) if isinstance(day, str) else day,  # SQLite returns text
                **slice_fields(row),
                **row,
            )
        )
    return rows


def invitation_rollup_query(scope: Scope, *, counts: str = "all") -> QuerySet:
    """Invitations of the scope by sending day, per survey slice: sent, answered, bounced after
    sending. ``counts="sent"`` counts only that they were sent (invitations just sent, whose
    answer and bounce come later with marks of their own), ``"answered"`` only their answers."""
    zero = Value(0, output_field=IntegerField())
    measures = {
        "sent": Count("id") if counts != "answered" else zero,
        "responded": Count("response") if counts != "sent" else zero,
        "bounced": _count_if(Q(status=InvitationStatus.BOUNCED)) if counts == "all" else zero,
    }
    return (
        Invitation.objects.filter(scope.where("sent_at"))
        .annotate(**survey_slice(invitation="", survey="survey", customer="customer"))
        .annotate(bucket_day=day_of("sent_at"))
        .values("bucket_day", *SLICE_COLUMNS)
        .annotate(**measures)
        .order_by()
    )


def invitation_rollup_rows(days: Collection[date]) -> list[InvitationRollup]:
    """Unsaved invitation rollup rows of the invitations sent on ``days``."""
    return [
        InvitationRollup(day=row.pop("bucket_day"), **slice_fields(row), **row)
        for row in invitation_rollup_query(scope_of(days))
    ]
