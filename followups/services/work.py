"""Working follow-up cases: take one from the queue (which starts it: in progress), move it forward,
hand it to someone. Resolving publishes ``followup.resolved`` in the same transaction.

Cases are opened by the metrics refresh (``analytics.services.follow_up_triggers`` calls
``followups.services.cases``); people only work them. A case moves forward only — open → in
progress → contacted → resolved, steps may be skipped — and a resolved case is closed: it takes
notes, not changes. Every change appends a dated line to the case's notes, so the notes are the
case's history. The line's own words (a status change, who took or assigned the case) are written
in the language of whoever makes the change, like the note they type beside them: once written,
the history is data.

Each service locks the case row (``select_for_update``) so two agents clicking "Take" at
once, or a manager reassigning while an agent resolves, take turns instead of overwriting
each other.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext

from access.roles import MANAGER, ROLES, has_role
from followups.models import FollowUp, FollowUpStatus
from followups.selectors import follow_up_may_take, follow_up_may_work
from infra.tasks import enqueue_on_commit

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
        return gettext("the team queue")
    return user.get_full_name() or user.get_username()


def _sentence(text: str) -> str:
    """``text`` closed by one full stop: none is added after its own (``Refunded.`` stays as it is)."""
    return text if text.endswith(SENTENCE_ENDS) else text + pgettext("end of a sentence", ".")


def _append(case: FollowUp, *, by, text: str, now: datetime) -> None:
    stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
    line = f"[{stamp}] {_name(by)}: {text}"
    case.notes = f"{case.notes.rstrip()}\n{line}" if case.notes.strip() else line


def _moved(before: str, after: str) -> str:
    """The history's words for a status change: ``Open → In progress.``"""
    return gettext("%(before)s → %(after)s.") % {
        "before": FollowUpStatus(before).label,
        "after": FollowUpStatus(after).label,
    }


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
            raise ValidationError(gettext("This case is resolved: there is nothing left to take."))
        if case.assignee_id is not None:
            raise ValidationError(
                gettext("%(name)s took this case already.") % {"name": _name(case.assignee)}
            )
        raise PermissionDenied(gettext("Only agents and managers take cases."))
    case.assignee = user
    text = gettext("took the case from the queue.")
    if case.status == FollowUpStatus.OPEN:  # taking it is starting work on it
        text = f"{text} {_moved(case.status, FollowUpStatus.IN_PROGRESS)}"
        case.status = FollowUpStatus.IN_PROGRESS
    _append(case, by=user, text=text, now=now)
    case.save(update_fields=["assignee", "status", "notes"])
    return case


def _progress_errors(case: FollowUp, *, status: FollowUpStatus, note: str, outcome: str) -> dict[str, str]:
    """What is wrong with moving ``case`` to ``status`` with this note and outcome, by field."""
    errors = {}
    if case.status == FollowUpStatus.RESOLVED and (status != case.status or outcome):
        errors["status"] = gettext("This case is resolved and closed: you may still add a note.")
    elif status not in follow_up_next_statuses(case.status):
        errors["status"] = gettext("A case only moves forward: open → in progress → contacted → resolved.")
    if status == FollowUpStatus.RESOLVED and not (outcome or case.outcome):
        errors["outcome"] = gettext("Say how the case was resolved: the outcome is required to resolve it.")
    if len(outcome) > OUTCOME_MAX_LENGTH:
        errors["outcome"] = ngettext(
            "Keep the outcome under %(count)s character.",
            "Keep the outcome under %(count)s characters.",
            OUTCOME_MAX_LENGTH,
        ) % {"count": OUTCOME_MAX_LENGTH}
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = ngettext(
            "Keep a note under %(count)s character.",
            "Keep a note under %(count)s characters.",
            NOTE_MAX_LENGTH,
        ) % {"count": NOTE_MAX_LENGTH}
    return errors


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
            raise PermissionDenied(gettext("Take the case from the queue before working on it."))
        raise PermissionDenied(gettext("This case is assigned to someone else."))
    try:
        status = FollowUpStatus(status)
    except ValueError:
        raise ValidationError({"status": gettext("Choose a status.")}) from None
    errors = _progress_errors(case, status=status, note=note, outcome=outcome)
    if errors:
        raise ValidationError(errors)
    changes = []
    resolving = status == FollowUpStatus.RESOLVED and case.status != FollowUpStatus.RESOLVED
    if status != case.status:
        changes.append(_moved(case.status, status))
        case.status = status
        if status == FollowUpStatus.RESOLVED:
            case.resolved_at = now
    if outcome and outcome != case.outcome:
        changes.append(_sentence(gettext("Outcome: %(outcome)s") % {"outcome": outcome}))
        case.outcome = outcome
    if note:
        changes.append(note)
    if not changes:
        raise ValidationError({"note": gettext("Nothing to save: change the status or write a note.")})
    _append(case, by=by, text=" ".join(changes), now=now)
    case.save(update_fields=["status", "resolved_at", "outcome", "notes"])
    if resolving:
        follow_up_resolved_publish(case=case)  # in this transaction: a rollback publishes nothing
    return case


@transaction.atomic
def follow_up_assign(*, follow_up_id: int, assignee, by, now: datetime | None = None) -> FollowUp:
    """Hand a case to ``assignee`` (an active agent or manager), or back to the queue (None).

    Managers only (``PermissionDenied`` otherwise); a resolved case stays where it is. The new
    assignee, when it is someone else with an address, is emailed once this commits.
    """
    now = now or timezone.now()
    if not has_role(by, MANAGER):
        raise PermissionDenied(gettext("Only a CX manager assigns cases."))
    if assignee is not None and not (assignee.is_active and has_role(assignee, *ROLES)):
        raise ValidationError({"assignee": gettext("Cases go to active agents or managers only.")})
    case = _locked(follow_up_id)
    if case.status == FollowUpStatus.RESOLVED:
        raise ValidationError({"assignee": gettext("This case is resolved: it stays with who resolved it.")})
    if case.assignee_id == (assignee.id if assignee else None):
        return case
    case.assignee = assignee
    text = gettext("assigned the case to %(name)s") % {"name": _name(assignee)}
    _append(case, by=by, text=_sentence(text), now=now)
    case.save(update_fields=["assignee", "notes"])
    if assignee is not None and assignee.pk != by.pk and assignee.email:
        # In the assignee's language, by a task once this commits (an email is no part of the change).
        enqueue_on_commit("followups.tasks.follow_up_assigned_notify", case.id, assignee.id, by.pk)
    return case
