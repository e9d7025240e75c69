"""Reads behind the customer-facing survey pages: the invitation a token opens, a survey's questions."""

import re
from datetime import datetime

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


def survey_questions(*, survey_id: int) -> list[Question]:
    """The survey's questions in the order customers see them (one query)."""
    return list(Question.objects.filter(survey_id=survey_id).order_by("order", "id"))


def survey_with_questions(*, survey_id: int) -> Survey | None:
    """A survey of any status with its ordered questions prefetched (two queries); None if unknown."""
    return (
        Survey.objects.filter(pk=survey_id)
        .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("order", "id")))
        .first()
    )
