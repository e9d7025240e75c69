"""The demo's follow-up cases, as a team would have them today: opened as the events came in over
the last ``FOLLOW_UP_MAX_AGE_DAYS``, and worked by the demo agent and manager — old ones mostly
resolved, some left overdue, recent ones open or in progress, a few due within hours.

Cases are opened by the platform's own rule (``analytics.services.follow_ups_open_for_days``, as
the metrics refresh opens them), each a few minutes after its detractor response or floor breach
(the refresh runs every minute), and worked through the follow-up services with dated steps, so
the notes read as the case's history. Deterministic for the builder's ``rng`` and ``now``.
"""

import random
from datetime import datetime, timedelta

from django.conf import settings

from analytics.models import StaleKind
from analytics.services import follow_ups_open_for_days
from followups.models import FollowUp, FollowUpStatus
from followups.services import follow_up_progress, follow_up_sla, follow_up_take

from . import content_zh
from .catalogue import BATCH_SIZE

OPEN, IN_PROGRESS, CONTACTED, RESOLVED = range(4)  # how far a case got, in the status order
# (hours since the case opened, at least) → chances of stopping at open, in progress, contacted,
# resolved: a fresh case is mostly untouched, an old one mostly closed, and a share of the old ones
# is still unresolved past its due time (overdue).
PROGRESS_BY_AGE = (
    (48, (0.05, 0.02, 0.03, 0.9)),
    (12, (0.35, 0.3, 0.2, 0.15)),
    (0, (0.75, 0.2, 0.05, 0.0)),
)
# Most cases are worked within the SLA: the steps of one fall within this share of it.
WORK_SPAN_OF_SLA = (0.25, 1.25)
QUEUE_TAKEN_BY_MANAGER = 0.3  # the rest of the queue is taken by the agent
START_NOTES = ("Reading the answers before calling.", "Checking the order history first.")
CONTACT_NOTES = (
    "Called the customer; they explained what went wrong.",
    "Left a voicemail and sent an email.",
    "Spoke to the customer, who was glad we called.",
)
OUTCOMES = (
    "Apologised and explained",
    "Refund or credit given",
    "Issue fixed",
    "Replacement sent",
    "Customer could not be reached",
)
# demo language → (start notes, contact notes, outcomes)
CASE_WORDS = {
    "en": (START_NOTES, CONTACT_NOTES, OUTCOMES),
    "zh-hans": (content_zh.START_NOTES, content_zh.CONTACT_NOTES, content_zh.OUTCOMES),
}


def _event_at(case: FollowUp) -> datetime:
    return case.response.submitted_at if case.response_id else case.interaction.occurred_at


def _cases_open(rng: random.Random, *, now: datetime) -> list[FollowUp]:
    """Open the cases of the last ``FOLLOW_UP_MAX_AGE_DAYS`` and date each just after its event."""
    days = [(now - timedelta(days=n)).date() for n in range(settings.FOLLOW_UP_MAX_AGE_DAYS + 2)]
    for kind in (StaleKind.RESPONSE_DAY, StaleKind.INTERACTION_DAY):
        follow_ups_open_for_days(kind=kind, days=days, now=now)
    cases = list(FollowUp.objects.select_related("response", "interaction").order_by("id"))
    for case in cases:
        case.opened_at = min(_event_at(case) + timedelta(minutes=rng.uniform(1, 3)), now)
        case.due_at = case.opened_at + follow_up_sla()
    FollowUp.objects.bulk_update(cases, ["opened_at", "due_at"], batch_size=BATCH_SIZE)
    return sorted(cases, key=lambda case: (case.opened_at, case.id))


def _how_far(rng: random.Random, *, age: timedelta) -> int:
    hours = age.total_seconds() / 3600
    weights = next(weights for least, weights in PROGRESS_BY_AGE if hours >= least)
    return rng.choices((OPEN, IN_PROGRESS, CONTACTED, RESOLVED), weights)[0]


def _case_work(rng: random.Random, case: FollowUp, *, now: datetime, agent, manager, words) -> None:
    """Move one case as far as its age makes likely, each step at a time between opening and now;
    ``words``: the (start notes, contact notes, outcomes) to choose from."""
    start_notes, contact_notes, outcomes = words
    reached = _how_far(rng, age=now - case.opened_at)
    if reached == OPEN:
        return
    span = min(now - case.opened_at, follow_up_sla() * rng.uniform(*WORK_SPAN_OF_SLA))
    times = sorted(case.opened_at + span * rng.uniform(0.05, 1) for _ in range(3))
    if case.assignee_id is None:
        worker = manager if rng.random() < QUEUE_TAKEN_BY_MANAGER else agent
    else:  # the demo agent, on the interactions they logged
        worker = {agent.id: agent, manager.id: manager}.get(case.assignee_id) or case.assignee
    if case.assignee_id is None:
        follow_up_take(follow_up_id=case.id, user=worker, now=times[0])  # taking starts it
    else:
        follow_up_progress(
            follow_up_id=case.id,
            by=worker,
            status=FollowUpStatus.IN_PROGRESS,
            note=rng.choice(start_notes),
            now=times[0],
        )
    if reached >= CONTACTED:
        follow_up_progress(
            follow_up_id=case.id,
            by=worker,
            status=FollowUpStatus.CONTACTED,
            note=rng.choice(contact_notes),
            now=times[1],
        )
    if reached == RESOLVED:
        follow_up_progress(
            follow_up_id=case.id,
            by=worker,
            status=FollowUpStatus.RESOLVED,
            outcome=rng.choice(outcomes),
            now=times[2],
        )


def follow_ups_seed(rng: random.Random, *, now: datetime, agent, manager, language: str = "en") -> int:
    """Open and work the demo's cases (see the module), their notes and outcomes in the demo's
    ``language``; returns how many were opened."""
    cases = _cases_open(rng, now=now)
    for case in cases:
        _case_work(rng, case, now=now, agent=agent, manager=manager, words=CASE_WORDS[language])
    return len(cases)
