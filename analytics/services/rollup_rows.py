"""The grouped queries that compute rollup rows from source rows: those of some days, or some new rows.

Each builder reads the source rows a ``Scope`` selects with one set-based ``GROUP BY``
(no query per row) and returns the grouped query; ``analytics.services.rollup_writes``
inserts its rows with ``INSERT … SELECT`` or adds them to the rows already there. The SQL
mirrors ``analytics.metrics`` rule for rule — NPS categories, CSAT/CES thresholds, the
clamped, direction-aware expectation ratio and its "met" tolerance — and the tests hold the
two side by side on random data.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, F, FloatField, IntegerField, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Abs, Cast, Coalesce, Floor, Greatest, Least, Ln, NullIf
from django.db.models.lookups import GreaterThan, LessThan, LessThanOrEqual

from analytics.metrics import (
    CES_EASY_MIN,
    CSAT_SATISFIED_MIN,
    LOWER_IS_BETTER,
    NEUTRAL,
    PASSIVE_MIN,
    PROMOTER_MIN,
    RATIO_CAP,
    RATIO_TOLERANCE,
)
from analytics.models import (
    PEAK_END_BINS,
    InteractionRollup,
    JourneyRollup,
    JourneyScore,
    MomentOfTruthRollup,
    ResponseRollup,
)
from infra.days import day_of, within_days
from surveys.models import QuestionType, Response
from touchpoints.models import Interaction

from .journey_path_rollups import path_rollup_rows


@dataclass(frozen=True, slots=True)
class Scope:
    """The source rows a builder reads: those whose moment falls on ``days`` and, when ``ids`` is
    given, only those rows (new rows still on the day their mark names)."""

    days: tuple[date, ...]
    ids: tuple[int, ...] | None = None

    def where(self, moment: str, *, row: str = "") -> Q:
        """The filter on the rows at path ``row`` ("" for the queried model) by their ``moment``."""
        at = f"{row}__" if row else ""
        condition = within_days(f"{at}{moment}", self.days)
        if self.ids is not None:
            condition &= Q(**{f"{at}id__any": list(self.ids)})
        return condition


def scope_of(days: Collection[date]) -> Scope:
    return Scope(days=tuple(sorted(set(days))))


def _ratio(*, expected: str, experienced: str, direction: str) -> Least:
    """SQL of ``metrics.expectation_ratio``: direction-aware, an instant lower-is-better experience
    gives the cap, clamped to [1/RATIO_CAP, RATIO_CAP]."""
    raw = Case(
        When(Q(**{direction: LOWER_IS_BETTER, experienced: 0}), then=Value(RATIO_CAP)),
        When(Q(**{direction: LOWER_IS_BETTER}), then=F(expected) / F(experienced)),
        default=F(experienced) / F(expected),
        output_field=FloatField(),
    )
    return Least(Greatest(raw, Value(1.0 / RATIO_CAP)), Value(RATIO_CAP))


def _count_if(condition) -> Sum:
    """COUNT of the rows (of a join) where ``condition`` holds; 0 for none."""
    return Coalesce(
        Sum(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())), Value(0)
    )


def _ratio_aggregates(present: Q, ratio) -> dict:
    """(n, Σ ln r, below, met, above) of the ratios of rows where ``present`` holds."""
    met = LessThanOrEqual(Abs(ratio - Value(1.0)), Value(RATIO_TOLERANCE))
    outside = GreaterThan(Abs(ratio - Value(1.0)), Value(RATIO_TOLERANCE))
    return {
        "ratio_n": _count_if(present),
        "ratio_sum_log": Coalesce(Sum(Ln(ratio), filter=present), Value(0.0)),
        "ratio_below": _count_if(present & Q(outside) & Q(LessThan(ratio, Value(1.0)))),
        "ratio_met": _count_if(present & Q(met)),
        "ratio_above": _count_if(present & Q(outside) & Q(GreaterThan(ratio, Value(1.0)))),
    }


# The survey slice every survey rollup is cut by; see ``survey_slice``.
SLICE_COLUMNS = (
    "bucket_survey",
    "bucket_touchpoint",
    "bucket_stage",
    "bucket_channel",
    "bucket_segment",
    "bucket_tier",
)


def survey_slice(*, invitation: str, survey: str, customer: str) -> dict:
    """Annotations of a survey slice from the paths to the invitation ("" when the rows are
    invitations), the survey and the customer: the touchpoint, stage and channel are those of the
    interaction the invitation followed, else those the invitation kept when that link was cut
    (an anonymised response), else the survey's own touchpoint's, else none (a relationship survey)."""
    at = f"{invitation}__" if invitation else ""
    interaction, kept = f"{at}interaction", f"{at}interaction_touchpoint"
    return {
        "bucket_survey": F(survey),
        "bucket_touchpoint": Coalesce(f"{interaction}__touchpoint", kept, f"{survey}__touchpoint"),
        "bucket_stage": Coalesce(
            f"{interaction}__touchpoint__stage", f"{kept}__stage", f"{survey}__touchpoint__stage", Value("")
        ),
        "bucket_channel": Coalesce(
            f"{interaction}__channel",
            NullIf(f"{at}interaction_channel", Value("")),
            f"{survey}__touchpoint__channel",
            Value(""),
        ),
        "bucket_segment": F(f"{customer}__segment"),
        "bucket_tier": F(f"{customer}__value_tier"),
    }


def slice_fields(row: dict) -> dict:
    """Pops the ``SLICE_COLUMNS`` of a grouped row as model field values."""
    return {
        "survey_id": row.pop("bucket_survey"),
        "touchpoint_id": row.pop("bucket_touchpoint"),
        "stage": row.pop("bucket_stage"),
        "channel": row.pop("bucket_channel"),
        "segment": row.pop("bucket_segment"),
        "value_tier": row.pop("bucket_tier"),
    }


def response_rollup_query(scope: Scope) -> QuerySet:
    """Rollup rows of the responses the scope selects by submission day (one grouped query)."""
    answer_type = "answers__question_type"
    nps = Q(**{answer_type: QuestionType.NPS, "answers__score__isnull": False})
    csat = Q(**{answer_type: QuestionType.CSAT, "answers__score__isnull": False})
    ces = Q(**{answer_type: QuestionType.CES, "answers__score__isnull": False})
    pair = Q(
        **{
            answer_type: QuestionType.EXPECTATION_EXPERIENCE,
            "answers__score__isnull": False,
            "answers__expected__isnull": False,
        }
    )
    ratio = _ratio(
        expected="answers__expected", experienced="answers__score", direction="answers__question__direction"
    )
    grouped = (
        Response.objects.filter(scope.where("submitted_at"))
        .annotate(**survey_slice(invitation="invitation", survey="survey", customer="customer"))
        .annotate(bucket_day=day_of("submitted_at"))
        .values("bucket_day", *SLICE_COLUMNS)
        .annotate(
            responses=Count("id", distinct=True),
            nps_n=_count_if(nps),
            nps_promoters=_count_if(nps & Q(answers__score__gte=PROMOTER_MIN)),
            nps_passives=_count_if(nps & Q(answers__score__gte=PASSIVE_MIN, answers__score__lt=PROMOTER_MIN)),
            nps_detractors=_count_if(nps & Q(answers__score__lt=PASSIVE_MIN)),
            csat_n=_count_if(csat),
            csat_satisfied=_count_if(csat & Q(answers__score__gte=CSAT_SATISFIED_MIN)),
            ces_n=_count_if(ces),
            ces_total=Coalesce(Cast(Sum("answers__score", filter=ces), IntegerField()), Value(0)),
            ces_easy=_count_if(ces & Q(answers__score__gte=CES_EASY_MIN)),
            ces_sum_squares=Coalesce(
                Cast(Sum(F("answers__score") * F("answers__score"), filter=ces), IntegerField()), Value(0)
            ),
            **_ratio_aggregates(pair, ratio),
        )
        .order_by()
    )
    return grouped


def response_rollup_rows(days: Collection[date]) -> list[ResponseRollup]:
    """Unsaved rollup rows of the responses submitted on ``days`` (for reading and the tests)."""
    return [
        ResponseRollup(day=row.pop("bucket_day"), **slice_fields(row), **row)
        for row in response_rollup_query(scope_of(days))
    ]


def interaction_rollup_query(scope: Scope) -> QuerySet:
    """Rollup rows of the interactions the scope selects by the day they occurred (one grouped query)."""
    measured = Q(expected_value__isnull=False, actual_value__isnull=False) & ~Q(
        touchpoint__measure_direction=""
    )
    ratio = _ratio(
        expected="expected_value", experienced="actual_value", direction="touchpoint__measure_direction"
    )
    grouped = (
        Interaction.objects.filter(scope.where("occurred_at"))
        .annotate(
            bucket_day=day_of("occurred_at"),
            bucket_stage=F("touchpoint__stage"),
            bucket_segment=F("customer__segment"),
            bucket_tier=F("customer__value_tier"),
        )
        .values("bucket_day", "touchpoint_id", "bucket_stage", "channel", "bucket_segment", "bucket_tier")
        .annotate(
            interactions=Count("id"),
            scored_n=Count("experience_score"),
            score_sum=Coalesce(Sum("experience_score"), Value(0.0)),
            floor_breaches=_count_if(Q(experience_score__lt=F("touchpoint__floor_score"))),
            **_ratio_aggregates(measured, ratio),
        )
        .order_by()
    )
    return grouped


def interaction_rollup_rows(days: Collection[date]) -> list[InteractionRollup]:
    """Unsaved rollup rows of the interactions that occurred on ``days``."""
    return [
        InteractionRollup(
            day=row.pop("bucket_day"),
            touchpoint_id=row.pop("touchpoint_id"),
            stage=row.pop("bucket_stage"),
            segment=row.pop("bucket_segment"),
            value_tier=row.pop("bucket_tier"),
            **row,
        )
        for row in interaction_rollup_query(scope_of(days))
    ]


def journey_rollup_rows(days: Collection[date]) -> list:
    """Every journey rollup's rows of the journeys started on ``days``: peak–end and moments of truth
    from their scores, funnel and outcomes from their paths (seven queries)."""
    scores = journey_rollup_rows_of(JourneyScore.objects.filter(day__in=list(days)))
    return scores + path_rollup_rows(days=days)


def journey_rows_of_journeys(journey_ids: Collection[int]) -> list:
    """``journey_rollup_rows`` of the journeys ``journey_ids`` alone, from their stored scores and paths."""
    scores = journey_rollup_rows_of(JourneyScore.objects.filter(journey_id__in=list(journey_ids)))
    return scores + path_rollup_rows(journey_ids=journey_ids)


def journey_rollup_rows_of(scores: QuerySet) -> list[JourneyRollup | MomentOfTruthRollup]:
    """Journey and moment-of-truth rollup rows of the journey scores ``scores`` (three queries)."""
    scores = scores.order_by()
    peak_end_bin = Cast(Least(Floor("peak_end"), Value(float(PEAK_END_BINS - 1))), IntegerField())
    rows: list[JourneyRollup | MomentOfTruthRollup] = [
        JourneyRollup(
            day=row.pop("day"),
            journey_map_id=row.pop("journey_map_id"),
            segment=row.pop("segment"),
            value_tier=row.pop("value_tier"),
            peak_end_bin=row.pop("bin"),
            **row,
        )
        for row in scores.annotate(bin=peak_end_bin)
        .values("day", "journey_map_id", "segment", "value_tier", "bin")
        .annotate(
            # Before ``floor_breaches`` below, which shadows the column of the same name.
            journeys_breached=_count_if(Q(floor_breaches__gt=0)),
            journeys=Count("journey_id"),
            peak_end_sum=Sum("peak_end"),
            mean_sum=Sum("mean"),
            gap_sum=Sum("gap"),
            floor_breaches=Sum("floor_breaches"),
        )
    ]
    moments: dict[tuple, MomentOfTruthRollup] = {}

    def moment(row: dict, touchpoint_id: int) -> MomentOfTruthRollup:
        key = (row["day"], row["journey_map_id"], row["segment"], row["value_tier"], touchpoint_id)
        if key not in moments:
            moments[key] = MomentOfTruthRollup(
                day=key[0], journey_map_id=key[1], segment=key[2], value_tier=key[3], touchpoint_id=key[4]
            )
        return moments[key]

    negative_peak = Q(peak__lt=NEUTRAL)
    for row in scores.values("day", "journey_map_id", "segment", "value_tier", "peak_touchpoint_id").annotate(
        peaks=Count("journey_id"), negative_peaks=_count_if(negative_peak)
    ):
        target = moment(row, row["peak_touchpoint_id"])
        target.peaks, target.negative_peaks = row["peaks"], row["negative_peaks"]
    for row in scores.values("day", "journey_map_id", "segment", "value_tier", "end_touchpoint_id").annotate(
        ends=Count("journey_id"), negative_ends=_count_if(Q(end__lt=NEUTRAL))
    ):
        target = moment(row, row["end_touchpoint_id"])
        target.ends, target.negative_ends = row["ends"], row["negative_ends"]
    return rows + list(moments.values())


def detractor_responses(scope: Scope, *, since) -> list[dict]:
    """Responses of the scope submitted at or after ``since`` with an NPS answer of 0–6 and no follow-up.

    One dict per response: id, customer_id, score (the lowest NPS answer),
    agent_id (of the interaction the invitation followed), submitted_at.
    """
    nps = Q(answers__question_type=QuestionType.NPS, answers__score__isnull=False)
    return list(
        Response.objects.filter(scope.where("submitted_at"), submitted_at__gte=since, follow_up__isnull=True)
        .values("id", "customer_id", "submitted_at", agent_id=F("invitation__interaction__agent"))
        .annotate(score=Min("answers__score", filter=nps))
        .filter(score__lt=PASSIVE_MIN)
        .order_by("id")
    )


def floor_breaches(scope: Scope, *, since) -> list[dict]:
    """Interactions of the scope at or after ``since`` scored strictly below their touchpoint's floor
    and without a follow-up: id, customer_id, score, agent_id, occurred_at."""
    return list(
        Interaction.objects.filter(
            scope.where("occurred_at"),
            occurred_at__gte=since,
            experience_score__lt=F("touchpoint__floor_score"),
            follow_up__isnull=True,
        )
        .values("id", "customer_id", "agent_id", "occurred_at", score=F("experience_score"))
        .order_by("id")
    )
