"""Reads of follow-up cases for the people who work them: lists, one case, one customer's cases.

Who sees what: a CX manager sees every case; an agent sees the cases assigned to them and
the team queue (cases without an assignee). Whether a customer was *recovered* is read from
their answers: the NPS answer of their latest response submitted after the event that opened
the case (the detractor response, or the floor-breaching interaction).
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from access.roles import AGENT, MANAGER, ROLES, has_role
from analytics.metrics import nps_category
from followups.models import FollowUp, FollowUpStatus
from surveys.models import Answer, QuestionType

# Which list a person asks for.
SCOPE_OPEN = "open"
SCOPE_RESOLVED = "resolved"
SCOPE_ALL = "all"
SCOPES = (SCOPE_OPEN, SCOPE_RESOLVED, SCOPE_ALL)
# Whose cases a manager narrows the list to ("" is everybody's).
ASSIGNEE_MINE = "mine"
ASSIGNEE_QUEUE = "queue"
ASSIGNEE_FILTERS = ("", ASSIGNEE_MINE, ASSIGNEE_QUEUE)

CUSTOMER_CASES_MAX = 100

NPS_CATEGORY_LABELS = {
    "promoter": pgettext_lazy("NPS category", "promoter"),
    "passive": pgettext_lazy("NPS category", "passive"),
    "detractor": pgettext_lazy("NPS category", "detractor"),
}


@dataclass(frozen=True, slots=True)
class Recovery:
    """The customer's NPS answer after the case opened: ``recovered`` when no longer a detractor."""

    score: float
    category: str
    answered_at: datetime

    @property
    def recovered(self) -> bool:
        return self.category != "detractor"

    @property
    def category_label(self) -> str:
        """The category in words for people (``category`` is the code)."""
        return str(NPS_CATEGORY_LABELS.get(self.category, self.category))


def follow_up_visible_to(user) -> Q:
    """The cases ``user`` may see: all for a manager, own and queue for an agent, none otherwise."""
    if has_role(user, MANAGER):
        return Q()
    if has_role(user, AGENT):
        return Q(assignee=user) | Q(assignee__isnull=True)
    return Q(pk__in=[])


def follow_up_may_work(follow_up: FollowUp, user) -> bool:
    """Change status, notes and outcome: a manager on any case, an agent on a case assigned to them."""
    return has_role(user, MANAGER) or (has_role(user, AGENT) and follow_up.assignee_id == user.id)


def follow_up_may_take(follow_up: FollowUp, user) -> bool:
    """An agent or manager may take an unresolved case from the team queue."""
    return (
        has_role(user, *ROLES)
        and follow_up.assignee_id is None
        and follow_up.status != FollowUpStatus.RESOLVED
    )


def _later_nps_answers() -> QuerySet[Answer]:
    """NPS answers of the case's customer submitted after the case's event, latest first."""
    return Answer.objects.filter(
        response__customer=OuterRef("customer_id"),
        response__submitted_at__gt=OuterRef("event_at"),
        question_type=QuestionType.NPS,
        score__isnull=False,
    ).order_by("-response__submitted_at", "-response_id")


def _with_recovery_columns(cases: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    later = _later_nps_answers()
    return cases.annotate(
        event_at=Coalesce(F("response__submitted_at"), F("interaction__occurred_at"), F("opened_at")),
        recovery_score=Subquery(later.values("score")[:1]),
        recovery_at=Subquery(later.values("response__submitted_at")[:1]),
    )


def _attach_recovery(cases: list[FollowUp], now: datetime | None = None) -> list[FollowUp]:
    """Set ``recovery`` (or None) and ``overdue`` on each case."""
    now = now or timezone.now()
    for case in cases:
        case.overdue = case.status != FollowUpStatus.RESOLVED and case.due_at < now
        score = getattr(case, "recovery_score", None)
        case.recovery = (
            Recovery(score=score, category=nps_category(int(score)), answered_at=case.recovery_at)
            if score is not None
            else None
        )
    return cases


def follow_up_list(
    *, user, scope: str = SCOPE_OPEN, assignee: str = "", now: datetime | None = None
) -> QuerySet[FollowUp]:
    """The cases ``user`` may see, overdue first, then by due time; resolved ones last, latest first.

    ``scope`` keeps the unresolved cases (``open``), the resolved ones or all; ``assignee``
    narrows to the user's own cases (``mine``) or the team queue (``queue``). Each case carries
    the columns ``with_recovery`` turns into ``recovery`` and ``overdue``. One query for any
    page of it (correlated subqueries, no N+1).
    """
    now = now or timezone.now()
    cases = FollowUp.objects.filter(follow_up_visible_to(user)).select_related(
        "customer", "assignee", "response__survey", "interaction__touchpoint"
    )
    if scope == SCOPE_OPEN:
        cases = cases.exclude(status=FollowUpStatus.RESOLVED)
    elif scope == SCOPE_RESOLVED:
        cases = cases.filter(status=FollowUpStatus.RESOLVED)
    if assignee == ASSIGNEE_MINE:
        cases = cases.filter(assignee=user)
    elif assignee == ASSIGNEE_QUEUE:
        cases = cases.filter(assignee__isnull=True)
    unresolved = ~Q(status=FollowUpStatus.RESOLVED)
    cases = cases.annotate(
        rank=Case(
            When(unresolved & Q(due_at__lt=now), then=Value(0)),
            When(unresolved, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
    )
    open_due = Case(When(unresolved, then=F("due_at")), default=None)
    return _with_recovery_columns(cases).order_by(
        "rank", open_due.asc(), F("resolved_at").desc(nulls_last=True), "id"
    )


def with_recovery(cases) -> list[FollowUp]:
    """Materialise cases of ``follow_up_list`` (a page of them) with their ``recovery``."""
    return _attach_recovery(list(cases))


def follow_up_detail(*, follow_up_id: int, user) -> FollowUp:
    """One case ``user`` may see, with its customer, trigger (the response and its answers, or the
    interaction) and ``recovery``. Raises ``FollowUp.DoesNotExist`` for a case out of sight."""
    answers = Answer.objects.select_related("question").order_by("question__order")
    case = (
        _with_recovery_columns(FollowUp.objects.filter(follow_up_visible_to(user), pk=follow_up_id))
        .select_related(
            "customer",
            "assignee",
            "response__survey",
            "response__invitation__interaction__touchpoint",
            "interaction__touchpoint",
            "interaction__agent",
        )
        .prefetch_related(Prefetch("response__answers", queryset=answers))
        .get()
    )
    if case.response is not None:
        for answer in case.response.answers.all():
            answer.label = answer.question.text_in(case.response.language)
    return _attach_recovery([case])[0]


def follow_ups_of_customer(*, customer_id: int, limit: int = CUSTOMER_CASES_MAX) -> list[FollowUp]:
    """The customer's cases, latest opened first, with assignee and ``recovery`` (one query)."""
    cases = (
        FollowUp.objects.filter(customer_id=customer_id)
        .select_related("assignee")
        .order_by("-opened_at", "-id")
    )
    return _attach_recovery(list(_with_recovery_columns(cases)[:limit]))


def follow_up_assignees() -> QuerySet:
    """Active staff who hold a role: the people a manager may hand a case to."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=ROLES) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "username")
    )


@dataclass(frozen=True, slots=True)
class FollowUpCounts:
    open: int
    overdue: int


def follow_up_counts(*, now: datetime | None = None) -> FollowUpCounts:
    """Cases not resolved yet, and those of them past their due time (one indexed query)."""
    now = now or timezone.now()
    counts = FollowUp.objects.exclude(status=FollowUpStatus.RESOLVED).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now))
    )
    return FollowUpCounts(open=counts["open"], overdue=counts["overdue"])
