"""Customers' side of an invitation: opening the survey, answering it once, unsubscribing.

Answering protocol
------------------
``response_submit`` locks the invitation row (``SELECT … FOR UPDATE``), checks
it is still open and unanswered, validates every answer, then writes the
``Response``, its ``Answer`` rows, the stale marks of the rollups and the
invitation's new status in one transaction. A concurrent submission of the
same token waits on the lock and then finds the invitation answered; the
one-to-one ``Response.invitation`` refuses a second row even to a writer that
skipped the lock. Nothing is written unless everything is valid.
"""

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from surveys.hooks import responses_added
from surveys.models import Answer, Invitation, InvitationStatus, Response
from surveys.public_text import survey_language
from surveys.selectors.public import invitation_is_open, survey_questions
from surveys.services.answer_form import AnswerForm
from touchpoints.models import Customer

from .webhook_events import response_events_publish

_UNOPENED = (InvitationStatus.QUEUED, InvitationStatus.SENT)


class AnswerErrors(Exception):
    """Some answers are invalid; ``errors`` maps question id → message (``None``: the whole form)."""

    def __init__(self, errors: dict[int | None, str]):
        super().__init__(errors)
        self.errors = errors


class AlreadyAnswered(Exception):
    """The invitation has a response already; the first one is kept."""


class InvitationClosed(Exception):
    """The invitation can no longer be answered (expired, survey closed, never delivered)."""


def invitation_open(*, invitation: Invitation) -> None:
    """Record that the customer opened the survey: status queued/sent → opened, ``opened_at`` once.

    One conditional UPDATE, so repeated or concurrent opens (mail scanners
    fetch links too) write at most once and never move an answered or
    expired invitation backwards.
    """
    Invitation.objects.filter(pk=invitation.pk).filter(
        Q(opened_at__isnull=True) | Q(status__in=_UNOPENED)
    ).update(
        status=Case(When(status__in=_UNOPENED, then=Value(InvitationStatus.OPENED)), default=F("status")),
        opened_at=Coalesce(F("opened_at"), Value(timezone.now())),
    )


@transaction.atomic
def response_submit(*, invitation: Invitation, data: Mapping, language: str) -> Response:
    """Store the customer's answers to ``invitation`` as one ``Response``.

    ``data`` is the posted form (see ``surveys.services.answer_form``); ``language``
    the one the customer answered in (the survey's first when it does not
    offer it). Raises ``AlreadyAnswered``, ``InvitationClosed`` or
    ``AnswerErrors``; in each case nothing is written.
    """
    locked = Invitation.objects.select_for_update().select_related("survey").get(pk=invitation.pk)
    if locked.status == InvitationStatus.RESPONDED or Response.objects.filter(invitation=locked).exists():
        raise AlreadyAnswered
    if not invitation_is_open(locked):
        raise InvitationClosed
    survey = locked.survey
    language = survey_language(survey.languages, language)
    form = AnswerForm(questions=survey_questions(survey_id=survey.id), language=language, data=data)
    if not form.is_valid():
        raise AnswerErrors(form.question_errors())
    now = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: the duplicate is reported, not a broken transaction
            response = Response.objects.create(
                invitation=locked,
                survey=survey,
                customer_id=locked.customer_id,
                submitted_at=now,
                language=language,
            )
    except IntegrityError as error:
        raise AlreadyAnswered from error
    Answer.objects.bulk_create(
        [
            Answer(
                response=response,
                question=value.question,
                question_type=value.question.type,
                score=value.score,
                expected=value.expected,
                text=value.text,
                choices=value.choices,
            )
            for value in form.answer_values()
        ]
    )
    responses_added(response_ids=[response.id])
    response_events_publish(response=response, answers=response.answers.all())
    Invitation.objects.filter(pk=locked.pk).update(
        status=InvitationStatus.RESPONDED,
        responded_at=now,
        opened_at=Coalesce(F("opened_at"), Value(now)),
    )
    return response


def customer_unsubscribe(*, invitation: Invitation) -> bool:
    """Opt the invitation's customer out of survey email; True if this call did it.

    Idempotent (a second call, or a mail client's one-click POST after the
    browser's, keeps the first time). Works whatever state the invitation is
    in. One UPDATE, so it needs no transaction of its own.
    """
    now = timezone.now()
    changed = Customer.objects.filter(pk=invitation.customer_id, email_opt_out=False).update(
        email_opt_out=True, email_opt_out_at=now, updated_at=now
    )
    return changed == 1


def responses_of_customers_delete(*, customer_ids) -> int:
    """Delete the customers' responses and their answers (their figures were marked stale first by the
    caller); returns how many responses."""
    return Response.objects.filter(customer_id__in=customer_ids).delete()[1].get("surveys.Response", 0)
