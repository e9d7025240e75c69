"""Grouped queries for the key-driver and invitation rollups, one set of days at a time."""

from collections.abc import Collection
from datetime import date

from django.db.models import Case, Count, F, FloatField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest

from analytics.buckets import day_of, within_days
from analytics.models import DriverRollup, InvitationRollup
from surveys.models import Answer, Invitation, InvitationStatus, QuestionType

from .rollup_rows import SLICE_COLUMNS, _count_if, slice_fields, survey_slice

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


def driver_rollup_rows(days: Collection[date]) -> list[DriverRollup]:
    """Key-driver sums of the responses submitted on ``days`` (one query).

    Each rating of a question with a driver dimension is normalised to 0–10
    by its scale (``metrics.rating_to_ten``); it pairs with the response's
    NPS answer (its first, should a survey ask twice).
    """
    outcome = (
        Answer.objects.filter(
            response_id=OuterRef("response_id"), question_type=QuestionType.NPS, score__isnull=False
        )
        .order_by("question__order", "id")
        .values("score")[:1]
    )
    low, high = _scale_end("min"), _scale_end("max")
    paired = Q(y__isnull=False)
    grouped = (
        Answer.objects.filter(within_days("response__submitted_at", days), score__isnull=False)
        .exclude(question__driver="")
        .annotate(
            **survey_slice(
                interaction="response__invitation__interaction",
                survey="response__survey",
                customer="response__customer",
            )
        )
        .annotate(
            bucket_day=day_of("response__submitted_at"),
            dimension=F("question__driver"),
            x=Value(10.0) * (F("score") - low) / Greatest(high - low, Value(1.0)),
            y=Subquery(outcome, output_field=FloatField()),
        )
        .values("bucket_day", *SLICE_COLUMNS, "dimension")
        .annotate(
            pairs=_count_if(paired),
            sum_x=Coalesce(Sum("x", filter=paired), Value(0.0)),
            sum_y=Coalesce(Sum("y", filter=paired), Value(0.0)),
            sum_xx=Coalesce(Sum(F("x") * F("x"), filter=paired), Value(0.0)),
            sum_yy=Coalesce(Sum(F("y") * F("y"), filter=paired), Value(0.0)),
            sum_xy=Coalesce(Sum(F("x") * F("y"), filter=paired), Value(0.0)),
            ratings=Count("id"),
            ratings_sum=Coalesce(Sum("x"), Value(0.0)),
        )
        .order_by()
    )
    return [DriverRollup(day=row.pop("bucket_day"), **slice_fields(row), **row) for row in grouped]


def invitation_rollup_rows(days: Collection[date]) -> list[InvitationRollup]:
    """Invitations emailed on ``days``, per survey slice: sent, answered, bounced after sending."""
    grouped = (
        Invitation.objects.filter(within_days("sent_at", days))
        .annotate(**survey_slice(interaction="interaction", survey="survey", customer="customer"))
        .annotate(bucket_day=day_of("sent_at"))
        .values("bucket_day", *SLICE_COLUMNS)
        .annotate(
            sent=Count("id"),
            responded=Count("response"),
            bounced=_count_if(Q(status=InvitationStatus.BOUNCED)),
        )
        .order_by()
    )
    return [InvitationRollup(day=row.pop("bucket_day"), **slice_fields(row), **row) for row in grouped]
