"""Customers' free-text comments, newest first: the one dashboard list that reads raw answers.

Paginated without a COUNT (a page fetches one row more than it shows to know whether
another follows), so a page costs one query whatever the number of responses. The
newest-first walk follows the ``response_time_idx`` index on ``submitted_at``. The
touchpoint, stage and channel of a comment are those of the interaction its invitation
followed, else the survey's own touchpoint — the same rule the rollups slice by.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import F, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from surveys.models import Answer, QuestionType
from touchpoints.models import Stage

PER_PAGE = 25
EXPORT_LIMIT = 10_000
SEARCH_MAX_LENGTH = 100

_INTERACTION = "response__invitation__interaction"
_SURVEY_TOUCHPOINT = "response__survey__touchpoint"


@dataclass(frozen=True, slots=True)
class Comment:
    """One comment with its response's context. ``nps`` is the 0–10 answer of the same response,
    ``csat`` its 1–5 answer; either is None when the survey did not ask it or it was skipped."""

    answer_id: int
    response_id: int
    submitted_at: datetime
    language: str
    survey: str
    touchpoint_id: int | None
    touchpoint: str
    stage: str
    channel: str
    segment: str
    nps: float | None
    csat: float | None
    text: str

    @property
    def stage_label(self) -> str:
        return dict(Stage.choices).get(self.stage, self.stage)

    @property
    def language_name(self) -> str:
        return dict(settings.LANGUAGES).get(self.language, self.language)


@dataclass(frozen=True, slots=True)
class CommentPage:
    comments: list[Comment]
    number: int
    per_page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.comments else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.comments)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _score_of(question_type: str) -> Subquery:
    first = (
        Answer.objects.filter(response_id=OuterRef("response_id"), question_type=question_type)
        .order_by("question__order", "id")
        .values("score")[:1]
    )
    return Subquery(first, output_field=FloatField())


def _slice(interaction_path: str, survey_path: str, value) -> Q:
    """The comment's interaction has ``value`` at ``interaction_path``, or it has no interaction and
    the survey has it at ``survey_path``; ``""`` (no stage, no channel): neither has a touchpoint.

    An OR of the two paths rather than a filter on the ``Coalesce`` annotation: the planner then
    keeps walking the newest responses first and stops at a page (tens of milliseconds at a
    million responses, against seconds for a hash join of the whole period).
    """
    if value == "":
        return Q(**{f"{_INTERACTION}__isnull": True, f"{_SURVEY_TOUCHPOINT}__isnull": True})
    return Q(**{f"{_INTERACTION}__{interaction_path}": value}) | Q(
        **{f"{_INTERACTION}__isnull": True, f"response__survey__{survey_path}": value}
    )


def _comments(
    *,
    start: date | None = None,
    end: date | None = None,
    survey_id: int | None = None,
    touchpoint_id: int | None = None,
    stage: str | None = None,
    channel: str | None = None,
    segment: str | None = None,
    value_tier: str | None = None,
    search: str = "",
) -> QuerySet:
    condition = Q(question_type=QuestionType.TEXT) & ~Q(text="")
    if start:
        condition &= Q(response__submitted_at__gte=_day_start(start))
    if end:
        condition &= Q(response__submitted_at__lt=_day_start(end + timedelta(days=1)))
    if survey_id is not None:
        condition &= Q(response__survey_id=survey_id)
    if segment is not None:
        condition &= Q(response__customer__segment=segment)
    if value_tier is not None:
        condition &= Q(response__customer__value_tier=value_tier)
    search = search.strip()[:SEARCH_MAX_LENGTH]
    if search:
        condition &= Q(text__icontains=search)
    queryset = Answer.objects.annotate(
        comment_touchpoint_id=Coalesce(f"{_INTERACTION}__touchpoint_id", f"{_SURVEY_TOUCHPOINT}_id"),
        comment_touchpoint=Coalesce(f"{_INTERACTION}__touchpoint__name", f"{_SURVEY_TOUCHPOINT}__name"),
        comment_stage=Coalesce(f"{_INTERACTION}__touchpoint__stage", f"{_SURVEY_TOUCHPOINT}__stage"),
        comment_channel=Coalesce(f"{_INTERACTION}__channel", f"{_SURVEY_TOUCHPOINT}__channel"),
    ).filter(condition)
    slices = (
        ("touchpoint_id", "touchpoint_id", touchpoint_id),
        ("touchpoint__stage", "touchpoint__stage", stage),
        ("channel", "touchpoint__channel", channel),
    )
    for interaction_path, survey_path, value in slices:
        if value is not None:
            queryset = queryset.filter(_slice(interaction_path, survey_path, value))
    return queryset.annotate(
        submitted_at=F("response__submitted_at"),
        nps=_score_of(QuestionType.NPS),
        csat=_score_of(QuestionType.CSAT),
    ).order_by("-response__submitted_at", "-id")


def _comment_of(row: dict) -> Comment:
    return Comment(
        answer_id=row["id"],
        response_id=row["response_id"],
        submitted_at=row["submitted_at"],
        language=row["response__language"],
        survey=row["response__survey__name"],
        touchpoint_id=row["comment_touchpoint_id"],
        touchpoint=row["comment_touchpoint"] or "",
        stage=row["comment_stage"] or "",
        channel=row["comment_channel"] or "",
        segment=row["response__customer__segment"],
        nps=row["nps"],
        csat=row["csat"],
        text=row["text"],
    )


_FIELDS = (
    "id",
    "response_id",
    "submitted_at",
    "response__language",
    "response__survey__name",
    "comment_touchpoint_id",
    "comment_touchpoint",
    "comment_stage",
    "comment_channel",
    "response__customer__segment",
    "nps",
    "csat",
    "text",
)


def comment_list(
    *,
    start: date | None = None,
    end: date | None = None,
    survey_id: int | None = None,
    touchpoint_id: int | None = None,
    stage: str | None = None,
    channel: str | None = None,
    segment: str | None = None,
    value_tier: str | None = None,
    search: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> CommentPage:
    """One page of the comments the filters select, newest first (one query).

    ``start``/``end`` are inclusive days in the platform's time zone; ``search`` matches
    anywhere in the text, case-insensitively (its first 100 characters). ``None`` means no
    limit; ``segment=""`` selects customers without a segment, ``stage=""``/``channel=""``
    comments without a touchpoint. A page past the last one is empty.
    """
    page = max(1, page)
    offset = (page - 1) * per_page
    rows = list(
        _comments(
            start=start,
            end=end,
            survey_id=survey_id,
            touchpoint_id=touchpoint_id,
            stage=stage,
            channel=channel,
            segment=segment,
            value_tier=value_tier,
            search=search,
        ).values(*_FIELDS)[offset : offset + per_page + 1]
    )
    return CommentPage(
        comments=[_comment_of(row) for row in rows[:per_page]],
        number=page,
        per_page=per_page,
        has_next=len(rows) > per_page,
    )


def comment_export(*, limit: int = EXPORT_LIMIT, **filters) -> list[Comment]:
    """The newest ``limit`` comments the filters select (as ``comment_list``), for a download."""
    return [_comment_of(row) for row in _comments(**filters).values(*_FIELDS)[:limit]]
