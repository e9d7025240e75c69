"""Reads of the agent workspace: the customer 360, one customer's whole history across channels.

It merges what every app holds about one customer (interactions, invitations, responses, journeys,
follow-up cases), which is why it lives above them all rather than in any one of them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import pgettext_lazy

from analytics.metrics import nps_category
from followups.selectors import follow_ups_of_customer
from journeys.models import JourneyStatus
from journeys.selectors import journeys_of_customer, journeys_progress
from surveys.models import Answer, Invitation, QuestionType, Response
from touchpoints.models import Customer, Interaction
from touchpoints.selectors import customer_get

# The customer 360 shows this many events a page (the newest first).
TIMELINE_PAGE = 500
# An NPS answer's category as the page names it (glossary: 推荐者 / 被动者 / 贬损者).
NPS_CATEGORY_LABELS = {
    "promoter": pgettext_lazy("NPS category", "promoter"),
    "passive": pgettext_lazy("NPS category", "passive"),
    "detractor": pgettext_lazy("NPS category", "detractor"),
}


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One thing that happened with the customer: ``kind`` is interaction, invitation, response,
    journey or follow_up, ``item`` the row itself, ``at`` when it happened."""

    kind: str
    at: datetime
    item: Any


@dataclass(frozen=True, slots=True)
class Customer360:
    """A customer and their history, newest first.

    ``events`` holds up to ``TIMELINE_PAGE`` interactions, invitations and responses, and the
    journeys started and follow-ups opened in the same span; ``older_than`` is the instant to
    pass as ``before`` for the next (older) page, None on the last page. ``journeys`` (with their
    peak–end ``summary``; those in progress also with their ``progress``, a
    ``journeys.selectors.JourneyProgress``) and ``follow_ups`` (with ``recovery``) are the
    customer's latest, for the page's panels.
    """

    customer: Customer
    events: list[TimelineEvent]
    older_than: datetime | None
    journeys: list
    follow_ups: list

    @property
    def journeys_open(self) -> list:
        """The journeys in progress, latest start first: where the customer is now."""
        return [journey for journey in self.journeys if journey.status == JourneyStatus.IN_PROGRESS]

    @property
    def journeys_ended(self) -> list:
        """The completed and abandoned journeys, latest start first."""
        return [journey for journey in self.journeys if journey.status != JourneyStatus.IN_PROGRESS]

    @property
    def follow_ups_open(self) -> list:
        return [case for case in self.follow_ups if case.status != "resolved"]

    @property
    def follow_ups_past(self) -> list:
        return [case for case in self.follow_ups if case.status == "resolved"]


def _newest(queryset: QuerySet, field: str, *, before: datetime | None, limit: int) -> list:
    if before is not None:
        queryset = queryset.filter(**{f"{field}__lte": before})
    return list(queryset.order_by(f"-{field}", "-id")[: limit + 1])


def _survey_events(customer_id: int, *, before: datetime | None, limit: int) -> list[TimelineEvent]:
    """The customer's invitations and responses (answers and their questions prefetched)."""
    invitations = _newest(
        Invitation.objects.filter(customer_id=customer_id).select_related("survey"),
        "created_at",
        before=before,
        limit=limit,
    )
    answers = Answer.objects.select_related("question").order_by("question__order")
    responses = _newest(
        Response.objects.filter(customer_id=customer_id)
        .select_related("survey", "invitation__interaction__touchpoint")
        .prefetch_related(Prefetch("answers", queryset=answers)),
        "submitted_at",
        before=before,
        limit=limit,
    )
    for response in responses:
        for answer in response.answers.all():
            nps = answer.question_type == QuestionType.NPS and answer.score is not None
            answer.nps_category = nps_category(int(answer.score)) if nps else ""
            answer.nps_label = NPS_CATEGORY_LABELS.get(answer.nps_category, answer.nps_category)
            answer.label = answer.question.text_in(response.language)
    return [TimelineEvent("invitation", i.created_at, i) for i in invitations] + [
        TimelineEvent("response", r.submitted_at, r) for r in responses
    ]


def customer_360(
    *, customer_id: int, before: datetime | None = None, limit: int = TIMELINE_PAGE
) -> Customer360:
    """The customer 360: who they are and everything that happened with them, across channels.

    Interactions (with touchpoint, stage, channel, agent and journey), survey invitations and
    responses (with every answer), journeys (with peak–end and moments of truth; those in progress
    with their step and low point so far) and follow-up cases
    (with recovery), merged by time, newest first; ``before`` pages back (events at or before
    it). A fixed number of queries whatever the history's length. Raises
    ``Customer.DoesNotExist``.
    """
    customer = customer_get(customer_id=customer_id)
    interactions = _newest(
        Interaction.objects.filter(customer_id=customer_id).select_related(
            "touchpoint", "agent", "journey__journey_map"
        ),
        "occurred_at",
        before=before,
        limit=limit,
    )
    events = [TimelineEvent("interaction", i.occurred_at, i) for i in interactions]
    events += _survey_events(customer_id, before=before, limit=limit)
    events.sort(key=lambda event: event.at, reverse=True)
    older_than = None
    if len(events) > limit:
        # Cut between two instants, so the next page (at or before ``older_than``) repeats and
        # skips nothing; a page of one single instant (never seen in practice) moves on past it.
        boundary = events[limit].at
        kept = [event for event in events[:limit] if event.at > boundary]
        if kept:
            events, older_than = kept, boundary
        else:
            events, older_than = events[:limit], boundary - timedelta(microseconds=1)
    journeys = journeys_of_customer(customer_id=customer_id)
    progress = journeys_progress(journeys=[j for j in journeys if j.status == JourneyStatus.IN_PROGRESS])
    for journey in journeys:
        journey.progress = progress.get(journey.id)
    follow_ups = follow_ups_of_customer(customer_id=customer_id)

    def in_span(moment: datetime) -> bool:
        return (before is None or moment <= before) and (older_than is None or moment > older_than)

    events += [TimelineEvent("journey", j.started_at, j) for j in journeys if in_span(j.started_at)]
    events += [TimelineEvent("follow_up", f.opened_at, f) for f in follow_ups if in_span(f.opened_at)]
    events.sort(key=lambda event: event.at, reverse=True)
    return Customer360(
        customer=customer, events=events, older_than=older_than, journeys=journeys, follow_ups=follow_ups
    )
