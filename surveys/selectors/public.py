"""Reads behind the customer-facing survey pages: the invitation a token opens, a survey's questions.

A survey page costs one query: the invitation with its survey and customer. The survey's questions
come from a cache in this process, keyed by the survey's id and ``updated_at``, which every edit of
the survey or of its questions stamps (the builder's services, the admin's survey form): an edit
changes the key, so the next page reads the questions again and never shows the old ones. The
cache holds the questions of the ``QUESTIONS_KEPT`` surveys answered last; a process starts empty.
"""

import re
from datetime import datetime
from functools import lru_cache

from django.db.models import Prefetch
from django.utils import timezone

from surveys.models import Invitation, InvitationStatus, Question, Survey, SurveyStatus
from surveys.tokens import token_hash

# Tokens are 43 URL-safe base64 characters; anything else is refused before it costs a query.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,128}")

# Statuses in which an invitation can still be answered. Bounced and suppressed
# invitations never reached the customer, so a link to one is not honoured either.
OPEN_STATUSES = (InvitationStatus.QUEUED, InvitationStatus.SENT, InvitationStatus.OPENED)


def invitation_is_open(invitation: Invitation, *, now: datetime | None = None) -> bool:
    """Whether ``invitation`` can be answered now: not answered, not expired, its survey live."""
    now = now or timezone.now()
    return (
        invitation.status in OPEN_STATUSES
        and invitation.expires_at > now
        and invitation.survey.status == SurveyStatus.LIVE
    )


def invitation_for_token(token: str, *, open_only: bool = True) -> Invitation | None:
    """The invitation an emailed token opens, with its survey and customer.

    None for an unknown or malformed token and, with ``open_only``, for one
    that can no longer be answered (answered, expired, never delivered, survey
    closed): the public pages treat those cases alike. The lookup goes by the
    token's hash; the token itself is never stored.
    """
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    try:
        invitation = Invitation.objects.select_related("survey", "customer").get(token_hash=token_hash(token))
    except Invitation.DoesNotExist:
        return None
    if open_only and not invitation_is_open(invitation):
        return None
    return invitation


QUESTIONS_KEPT = 64


def survey_questions(*, survey: Survey) -> list[Question]:
    """The survey's questions in the order customers see them, as of ``survey.updated_at``.

    One query the first time this process meets that version of the survey, none after. The
    questions are read after ``survey``, so the version kept under a stamp is never older than the
    stamp. The instances are shared between requests: read them, never change them.
    """
    return list(_questions_of(survey.pk, survey.updated_at))


@lru_cache(maxsize=QUESTIONS_KEPT)
def _questions_of(survey_id: int, updated_at: datetime) -> tuple[Question, ...]:
    return tuple(Question.objects.filter(survey_id=survey_id).order_by("order", "id"))


def survey_with_questions(*, survey_id: int) -> Survey | None:
    """A survey of any status with its ordered questions prefetched (two queries); None if unknown."""
    return (
        Survey.objects.filter(pk=survey_id)
        .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("order", "id")))
        .first()
    )
