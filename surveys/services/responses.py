"""Customers' side of an invitation: opening the survey, answering it once, unsubscribing.

Answering protocol
------------------
``response_submit`` first claims the invitation in one conditional ``UPDATE`` (status →
responded, where it is still open: not answered, not expired, its survey live, no response
stored). The ``UPDATE`` takes the invitation's row lock for the rest of the transaction, as
``SELECT … FOR UPDATE`` would: a concurrent submission of the same token waits on it, and once
the first commits PostgreSQL checks its condition again against the committed row and finds it
answered, so it claims nothing. Then every answer is validated, and the ``Response``, its
``Answer`` rows (one INSERT), the stale marks of the rollups (one INSERT) and the webhook outbox
messages (one INSERT, after one read of the subscriptions) are written in the same transaction.
An invalid answer rolls the claim back with the rest: nothing is written unless everything is
valid. The one-to-one ``Response.invitation`` refuses a second row even to a writer that skipped
the claim; that refusal is reported as ``AlreadyAnswered``.
"""

from collections.abc import Mapping
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from surveys.hooks import responses_added
from surveys.languages import survey_language
from surveys.models import Answer, Invitation, InvitationStatus, Response, Survey, SurveyStatus
from surveys.selectors.public import OPEN_STATUSES, survey_questions
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

    ``invitation`` as just read decides which conditional UPDATE is needed, if any: none for one
    opened already. The condition is checked again in the UPDATE, so repeated or concurrent opens
    (mail scanners fetch links too) write at most once and never move an answered or expired
    invitation backwards.
    """
    now = timezone.now()
    if invitation.status in _UNOPENED:
        Invitation.objects.filter(pk=invitation.pk, status__in=_UNOPENED).update(
            status=InvitationStatus.OPENED, opened_at=Coalesce(F("opened_at"), Value(now))
        )
    elif invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now)


def response_submit(*, invitation: Invitation, data: Mapping, language: str) -> Response:
    """Store the customer's answers to ``invitation`` (with its survey and customer, as just read)
    as one ``Response``.

    ``data`` is the posted form (see ``surveys.services.answer_form``); ``language``
    the one the customer answered in (the survey's first when it does not
    offer it). Raises ``AlreadyAnswered``, ``InvitationClosed`` or
    ``AnswerErrors``; in each case nothing is written.
    """
    try:
        return _response_store(invitation=invitation, data=data, language=language)
    except IntegrityError as error:
        # A response written meanwhile by a writer that skipped the claim; anything else is a bug.
        if Response.objects.filter(invitation_id=invitation.pk).exists():
            raise AlreadyAnswered from error
        raise


def _claim_sql() -> str:
    """The claim as one statement: an invitation still open (not answered, not expired, its survey
    live, no response stored) is marked responded. Written out, not built with the ORM: the two
    ``EXISTS`` cost the ORM more to compile (0.9 ms) than the database to run."""
    quote = connection.ops.quote_name
    invitation, survey, response = (quote(model._meta.db_table) for model in (Invitation, Survey, Response))
    open_statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    return (
        f"UPDATE {invitation} SET status = %s, responded_at = %s, opened_at = COALESCE(opened_at, %s) "  # noqa: S608 - names from the models
        f"WHERE id = %s AND status IN ({open_statuses}) AND expires_at > %s "
        f"AND EXISTS (SELECT 1 FROM {survey} s WHERE s.id = {invitation}.survey_id AND s.status = %s) "
        f"AND NOT EXISTS (SELECT 1 FROM {response} r WHERE r.invitation_id = {invitation}.id)"
    )


def _invitation_claim(invitation: Invitation, now: datetime) -> None:
    """Mark the invitation responded if it is still open, holding its row lock until the commit;
    ``AlreadyAnswered`` or ``InvitationClosed`` (and nothing changed) if it is not."""
    with connection.cursor() as cursor:
        cursor.execute(
            _claim_sql(),
            [InvitationStatus.RESPONDED.value, now, now, invitation.pk]
            + [status.value for status in OPEN_STATUSES]
            + [now, SurveyStatus.LIVE.value],
        )
        if cursor.rowcount == 1:
            return
    status, has_response = (
        Invitation.objects.filter(pk=invitation.pk)
        .annotate(has_response=Exists(Response.objects.filter(invitation_id=OuterRef("pk"))))
        .values_list("status", "has_response")
        .get()
    )
    if status == InvitationStatus.RESPONDED or has_response:
        raise AlreadyAnswered
    raise InvitationClosed


@transaction.atomic
def _response_store(*, invitation: Invitation, data: Mapping, language: str) -> Response:
    now = timezone.now()
    _invitation_claim(invitation, now)
    survey = invitation.survey
    language = survey_language(survey.languages, language)
    form = AnswerForm(questions=survey_questions(survey=survey), language=language, data=data)
    if not form.is_valid():
        raise AnswerErrors(form.question_errors())
    response = Response(
        invitation=invitation,
        survey=survey,
        customer_id=invitation.customer_id,
        submitted_at=now,
        language=language,
    )
    if Invitation.customer.is_cached(invitation):  # the webhook payload names the customer
        response.customer = invitation.customer
    response.save(force_insert=True)
    answers = Answer.objects.bulk_create(
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
    response_events_publish(response=response, answers=answers)
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
