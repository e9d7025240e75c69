"""Working follow-up cases: take one from the queue (which starts it: in progress), move it forward,
hand it to someone. Resolving publishes ``followup.resolved`` in the same transaction.

Cases are opened by the metrics refresh (``analytics.services.follow_up_triggers`` calls
``followups.services.cases``); people only work them. A case moves forward only — open → in
progress → contacted → resolved, steps may be skipped — and a resolved case is closed: it takes
notes, not changes. Every change appends a dated line to the case's notes, so the notes are the
case's history.

Each service locks the case row (``select_for_update``) so two agents clicking "Take" at
once, or a manager reassigning while an agent resolves, take turns instead of overwriting
each other.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from access.roles import MANAGER, ROLES, has_role
from followups.models import FollowUp, FollowUpStatus
from followups.selectors import follow_up_may_take, follow_up_may_work

from .webhook_events import follow_up_resolved_publish

STATUS_ORDER = (
    FollowUpStatus.OPEN,
    FollowUpStatus.IN_PROGRESS,
    FollowUpStatus.CONTACTED,
    FollowUpStatus.RESOLVED,
)
NOTE_MAX_LENGTH = 4000
OUTCOME_MAX_LENGTH = FollowUp._meta.get_field("outcome").max_length
SENTENCE_ENDS = (".", "!", "?", "…", "。", "！", "？")


def _locked(follow_up_id: int) -> FollowUp:
    return FollowUp.objects.select_for_update().get(pk=follow_up_id)


def _name(user) -> str:
    if user is None:
        return "the team queue"
    return user.get_full_name() or user.get_username()


def _sentence(text: str) -> str:
    """``text`` closed by one full stop: none is added after its own (``Refunded.`` stays as it is)."""
    return text if text.endswith(SENTENCE_ENDS) else f"{text}."


def _append(case: FollowUp, *, by, text: str, now: datetime) -> None:
    stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
    line = f"[{stamp}] {_name(by)}: {text}"
    case.notes = f"{case.notes.rstrip()}\n{line}" if case.notes.strip() else line


def follow_up_next_statuses(current: str) -> list[str]:
    """The statuses a case in ``current`` may move to (itself included: a note alone is a change)."""
    return list(STATUS_ORDER[STATUS_ORDER.index(FollowUpStatus(current)) :])


@transaction.atomic
def follow_up_take(*, follow_up_id: int, user, now: datetime | None = None) -> FollowUp:
    """Assign a queue case to ``user``, and an open one moves to in progress (taking it is starting
    on it). Refused when someone else took it first or it is resolved."""
    now = now or timezone.now()
    case = _locked(follow_up_id)
    if case.assignee_id == user.id:
        return case
    if not follow_up_may_take(case, user):
        if case.status == FollowUpStatus.RESOLVED:
            raise ValidationError("This case is resolved: there is nothing left to take.")
        if case.assignee_id is not None:
            raise ValidationError(f"{_name(case.assignee)} took this case already.")
        raise PermissionDenied("Only agents and managers take cases.")
    case.assignee = user
    text = "took the case from the queue."
    if case.status == FollowUpStatus.OPEN:  # taking it is starting work on it
        text = f"{text} {case.get_status_display()} → {FollowUpStatus.IN_PROGRESS.label}."
        case.status = FollowUpStatus.IN_PROGRESS
    _append(case, by=user, text=text, now=now)
    case.save(update_fields=["assignee", "status", "notes"])
    return case


@transaction.atomic
def follow_up_progress(
    *,
    follow_up_id: int,
    by,
    status: str,
    note: str = "",
    outcome: str = "",
    now: datetime | None = None,
) -> FollowUp:
    """Move a case forward and/or add a note; resolving needs an outcome and stamps ``resolved_at``.

    ``by`` must be a manager, or the agent the case is assigned to (an agent takes a queue case
    first). ``ValidationError`` (by field) for a backward move, a change to a resolved case, a
    missing outcome or an over-long text; ``PermissionDenied`` for someone who may not work it.
    """
    now = now or timezone.now()
    note, outcome = note.strip(), outcome.strip()
    case = _locked(follow_up_id)
    if not follow_up_may_work(case, by):
        if case.assignee_id is None:
            raise PermissionDenied("Take the case from the queue before working on it.")
        raise PermissionDenied("This case is assigned to someone else.")
    try:
        status = FollowUpStatus(status)
    except ValueError:
        raise ValidationError({"status": "Choose a status."}) from None
    errors = {}
    if case.status == FollowUpStatus.RESOLVED and (status != case.status or outcome):
        errors["status"] = "This case is resolved and closed: you may still add a note."
    elif status not in follow_up_next_statuses(case.status):
        errors["status"] = "A case only moves forward: open → in progress → contacted → resolved."
    if status == FollowUpStatus.RESOLVED and not (outcome or case.outcome):
        errors["outcome"] = "Say how the case was resolved: the outcome is required to resolve it."
    if len(outcome) > OUTCOME_MAX_LENGTH:
        errors["outcome"] = f"Keep the outcome under {OUTCOME_MAX_LENGTH} characters."
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = f"Keep a note under {NOTE_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    changes = []
    resolving = status == FollowUpStatus.RESOLVED and case.status != FollowUpStatus.RESOLVED
    if status != case.status:
        changes.append(f"{case.get_status_display()} → {status.label}.")
        case.status = status
        if status == FollowUpStatus.RESOLVED:
            case.resolved_at = now
    if outcome and outcome != case.outcome:
        changes.append(_sentence(f"Outcome: {outcome}"))
        case.outcome = outcome
    if note:
        changes.append(note)
    if not changes:
        raise ValidationError({"note": "Nothing to save: change the status or write a note."})
    _append(case, by=by, text=" ".join(changes), now=now)
    case.save(update_fields=["status", "resolved_at", "outcome", "notes"])
    if resolving:
        follow_up_resolved_publish(case=case)  # in this transaction: a rollback publishes nothing
    return case


@transaction.atomic
def follow_up_assign(*, follow_up_id: int, assignee, by, now: datetime | None = None) -> FollowUp:
    """Hand a case to ``assignee`` (an active agent or manager), or back to the queue (None).

    Managers only (``PermissionDenied`` otherwise); a resolved case stays where it is.
    """
    now = now or timezone.now()
    if not has_role(by, MANAGER):
        raise PermissionDenied("Only a CX manager assigns cases.")
    if assignee is not None and not (assignee.is_active and has_role(assignee, *ROLES)):
        raise ValidationError({"assignee": "Cases go to active agents or managers only."})
    case = _locked(follow_up_id)
    if case.status == FollowUpStatus.RESOLVED:
        raise ValidationError({"assignee": "This case is resolved: it stays with who resolved it."})
    if case.assignee_id == (assignee.id if assignee else None):
        return case
    case.assignee = assignee
    _append(case, by=by, text=_sentence(f"assigned the case to {_name(assignee)}"), now=now)
    case.save(update_fields=["assignee", "notes"])
    return case
