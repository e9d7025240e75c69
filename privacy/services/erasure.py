"""Erasing one customer's personal data while every figure they were part of stays as it was.

The customer row stays, pseudonymised (``placeholders``): its id, segment,
value tier and language are what the rollups and journeys slice by, and its
interactions, journeys, invitations, responses and cases keep their numbers.
Everything that identifies the person, or that they wrote, goes.
"""

from dataclasses import asdict, dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from audit.services import audit_record
from followups.models import FollowUp
from surveys.models import Answer, EmailSuppression, Invitation, InvitationStatus, Response
from surveys.suppressions import suppression_hash
from touchpoints.models import Customer, Interaction

from .copies import idempotency_records_about, webhook_messages_about
from .invitations import invitations_scrub
from .placeholders import ERASED_NAME, customer_is_anonymous, customer_is_erased, erased_external_id

ERASED_REASON = "customer erased"


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """What one erasure changed (counts of rows; a repeated erasure finds little left to do)."""

    customer_id: int
    already_erased: bool
    interactions: int
    invitations: int
    answers: int
    follow_ups: int
    suppressions: int
    webhook_messages: int
    idempotency_records: int


def _suppressions_hash(email: str) -> int:
    """Keep the address's suppression entries as a keyed hash: the person's address leaves the
    list, yet the address is never emailed again should it come back."""
    if not email:
        return 0
    hashed = suppression_hash(email)
    plain = EmailSuppression.objects.filter(email=email.strip().lower())
    count = plain.count()
    if EmailSuppression.objects.filter(email=hashed).exists():
        plain.delete()
    else:
        plain.update(email=hashed)
    return count


def _person_locked(customer: Customer) -> Customer:
    """The customer's row, locked for the erasure; refuses an anonymous-respondents placeholder."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer_is_anonymous(customer):
        raise ValidationError(
            gettext("This record holds anonymised responses of many people; there is no one to erase."),
            code="not_a_person",
        )
    return customer


def _invitations_end(customer: Customer, *, now: datetime) -> int:
    """Kill every survey link of the customer and suppress the queued invitations; returns the
    number of invitations scrubbed."""
    invitation_ids = list(Invitation.objects.filter(customer=customer).values_list("id", flat=True))
    invitations = invitations_scrub(invitation_ids=invitation_ids)
    Invitation.objects.filter(id__in=invitation_ids, status=InvitationStatus.QUEUED).update(
        status=InvitationStatus.SUPPRESSED, suppressed_at=now, suppression_reason=ERASED_REASON
    )
    return invitations


def _written_texts_remove(customer: Customer) -> tuple[int, int, int]:
    """Blank what the customer wrote or was written about them: free-text answers, contact notes
    and interactions' external ids, follow-up notes and outcomes. Returns the rows changed of
    each (answers, interactions, follow-ups)."""
    answers = (
        Answer.objects.filter(response__in=Response.objects.filter(customer=customer))
        .exclude(text="")
        .update(text="")
    )
    interactions = (
        Interaction.objects.filter(customer=customer)
        .exclude(notes="", external_id__isnull=True)
        .update(notes="", external_id=None)
    )
    follow_ups = (
        FollowUp.objects.filter(customer=customer).exclude(notes="", outcome="").update(notes="", outcome="")
    )
    return answers, interactions, follow_ups


def _customer_pseudonymise(customer: Customer, *, now: datetime) -> None:
    """Blank the identifying fields, replace the external id and opt the row out of email."""
    customer.name = ERASED_NAME
    customer.external_id = erased_external_id(customer)
    customer.email = ""
    customer.phone = ""
    customer.attributes = {}
    if not customer.email_opt_out:
        customer.email_opt_out, customer.email_opt_out_at = True, now
    customer.save()


@transaction.atomic
def customer_erase(customer: Customer, *, actor=None, request=None) -> ErasureReport:
    """Erase ``customer``'s personal data in one transaction; safe to repeat.

    Blanks name, email, phone and custom attributes and replaces the external
    id (``erased-<id>``); opts the row out of email and ends queued
    invitations; kills every survey link; removes free-text answers, contact
    notes, interactions' external ids and follow-up notes and outcomes; hashes
    suppression entries of the address; deletes webhook messages and stored
    API answers that carry the customer's data. Scores, choices, times,
    touchpoints, segment and value tier stay, so every figure is unchanged and
    nothing needs recomputing. Records an ``erasure`` audit event (counts only).

    Raises ``ValidationError`` for an anonymous-respondents placeholder: it
    holds anonymised responses of many people, not one person's data.
    """
    customer = _person_locked(customer)
    already_erased = customer_is_erased(customer)
    external_id, email, phone = customer.external_id, customer.email, customer.phone
    now = timezone.now()

    webhook_messages, _ = webhook_messages_about(external_id=external_id, email=email).delete()
    idempotency_records, _ = idempotency_records_about(values=[external_id, email, phone]).delete()
    suppressions = _suppressions_hash(email)
    invitations = _invitations_end(customer, now=now)
    answers, interactions, follow_ups = _written_texts_remove(customer)
    _customer_pseudonymise(customer, now=now)

    report = ErasureReport(
        customer_id=customer.pk,
        already_erased=already_erased,
        interactions=interactions,
        invitations=invitations,
        answers=answers,
        follow_ups=follow_ups,
        suppressions=suppressions,
        webhook_messages=webhook_messages,
        idempotency_records=idempotency_records,
    )
    details = asdict(report)
    del details["customer_id"]
    audit_record(
        action="erasure", actor=actor, request=request, target=f"customer:{customer.pk}", details=details
    )
    return report
