"""Invitations: queue them, decide suppression, email each at most once, remind once, sweep.

Sending protocol
----------------
``invitation_send`` locks the invitation row (``SKIP LOCKED``: a second
worker holding the same id moves on) and the customer row (so two invitations
to one customer cannot both pass the frequency cap), re-checks that it is
still queued, decides suppression, marks it sent (and its day stale), then
hands the email to the SMTP server, all in one transaction; the SMTP session
is closed (QUIT) only after the commit. A task that runs twice finds the row
sent and does nothing; a worker killed before the commit leaves the row
queued, and the sweeper enqueues it again. The one window left is a crash
between the SMTP server accepting the message and the commit (a duplicate,
never a loss); it is as short as one commit (bench/faults_worker_kill.py).

Suppression (``_suppression``: opt-out, no address, the suppression list, a
survey no longer live, the frequency cap) is decided twice by the same code:
when the invitation is created, so the caller learns at once that it will
never be emailed, and again when it is sent, since any of it may change in
between. Either way the invitation becomes ``suppressed`` with its reason and
``invitation.suppressed`` is published in that transaction.

The token is never stored: it is derived from the invitation's nonce when the
email is built (``surveys.tokens``).
"""

import contextlib
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from infra.tasks import enqueue_on_commit
from surveys.email import invitation_message
from surveys.hooks import invitations_changed, invitations_sent
from surveys.models import EmailSuppression, Invitation, InvitationStatus, Response, Survey, SurveyStatus
from surveys.suppressions import suppression_keys
from surveys.tokens import token_for, token_hash, token_nonce_new
from touchpoints.models import Customer

from .webhook_events import invitation_bounced_publish, invitation_suppressed_publish

logger = logging.getLogger(__name__)

# An enqueued send not done after this long is presumed lost and enqueued again.
SEND_LEASE = timedelta(minutes=10)
# A send that began this long ago, whose row no worker holds any more, was cut short by a dead
# worker: it is enqueued again at once rather than after the lease.
SEND_STALL = timedelta(seconds=30)
SWEEP_BATCH = 1000

SENT_STATUSES = (InvitationStatus.SENT, InvitationStatus.OPENED, InvitationStatus.RESPONDED)


def invitation_language(*, survey: Survey, customer: Customer) -> str:
    """The customer's preferred language when the survey offers it, else the survey's default."""
    return customer.locale if customer.locale in (survey.languages or []) else survey.default_language


@transaction.atomic
def invitation_create(
    *,
    survey: Survey,
    customer: Customer,
    interaction=None,
    rule=None,
    send_after: datetime | None = None,
    now: datetime | None = None,
) -> Invitation:
    """Queue one invitation of ``customer`` to ``survey``; it is emailed from ``send_after`` on.

    When that time has come, the send is enqueued once this transaction
    commits; later ones are picked up by the sweeper. An invitation that is
    suppressed already (opt-out, suppressed address, frequency cap as of
    ``send_after``…) is stored ``suppressed`` with its reason, published as
    ``invitation.suppressed`` and never enqueued; a queued one is checked again when sent.
    """
    now = now or timezone.now()
    nonce = token_nonce_new()
    invitation = Invitation(
        survey=survey,
        customer=customer,
        interaction=interaction,
        rule=rule,
        token_nonce=nonce,
        token_hash=token_hash(token_for(nonce)),
        language=invitation_language(survey=survey, customer=customer),
        send_after=send_after or now,
        expires_at=now + timedelta(days=settings.SURVEY_INVITATION_EXPIRY_DAYS),
    )
    # The cap is judged at the earliest time the email could leave, as the send will judge it.
    suppression = _suppression(invitation, now=max(invitation.send_after, now))
    if suppression:
        _suppress(invitation, suppression, now=now, save=False)
    invitation.save(force_insert=True)
    if suppression:
        invitation_suppressed_publish(invitation=invitation)
    elif invitation.send_after <= now:
        invitations_enqueue(ids=[invitation.id], now=now)
        invitation.send_enqueued_at = now
    return invitation


def invitations_enqueue(*, ids: list[int], now: datetime | None = None) -> int:
    """Enqueue the sends of ``ids`` once the current transaction commits; records when."""
    if not ids:
        return 0
    Invitation.objects.filter(id__in=ids).update(send_enqueued_at=now or timezone.now())
    for invitation_id in ids:
        enqueue_on_commit("surveys.tasks.invitation_send", invitation_id)
    return len(ids)


@dataclass(frozen=True, slots=True)
class Suppression:
    reason: str


def _suppression(invitation: Invitation, *, now: datetime) -> Suppression | None:
    """Why this invitation must not be emailed at ``now``, or None. Checked in this order, when the
    invitation is created and again when it is sent; the frequency cap counts invitations sent."""
    customer, survey = invitation.customer, invitation.survey
    if customer.email_opt_out:
        return Suppression("customer opted out of email")
    if not customer.email:
        return Suppression("customer has no email address")
    blocked = EmailSuppression.objects.filter(email__in=suppression_keys(customer.email)).first()
    if blocked:
        return Suppression(f"address suppressed: {blocked.reason}")
    if survey.status != SurveyStatus.LIVE:
        # The status's code, not its label: the reason is stored and sent to API clients and
        # webhooks, so it reads the same whichever language the writer's request runs in.
        return Suppression(f"survey is {survey.status}")
    cap = settings.SURVEY_FREQUENCY_CAP_DAYS
    if cap > 0:
        recent = (
            Invitation.objects.filter(
                customer=customer, status__in=SENT_STATUSES, sent_at__gt=now - timedelta(days=cap)
            )
            .exclude(id=invitation.id)
            .order_by("-sent_at")
            .values_list("sent_at", flat=True)
            .first()
        )
        if recent:
            return Suppression(
                f"frequency cap: already invited on {recent.date().isoformat()} (cap {cap} days)"
            )
    return None


def invitation_send(*, invitation_id: int, now: datetime | None = None) -> str:
    """Email one queued invitation at most once. Returns what happened:
    ``sent``, ``suppressed``, ``expired``, ``bounced``, ``not_due``, or ``skipped`` (already
    handled, unknown, or being sent by another worker right now).

    An SMTP failure other than a refused recipient raises, leaving the
    invitation queued for a retry.
    """
    now = now or timezone.now()
    _send_begin(invitation_id=invitation_id, now=now)
    mail = get_connection(fail_silently=False)
    try:
        return _invitation_send_once(invitation_id=invitation_id, now=now, mail=mail)
    except Exception:
        # Not a dead worker: the task's own retry (with its backoff) takes it from here.
        with contextlib.suppress(DatabaseError):
            Invitation.objects.filter(id=invitation_id, status=InvitationStatus.QUEUED).update(
                send_started_at=None
            )
        raise
    finally:
        # QUIT after the commit: the end of the SMTP session is no part of the duplicate window.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            mail.close()


def _send_begin(*, invitation_id: int, now: datetime) -> None:
    """Record, committed, that a worker begins sending this due invitation.

    While it sends, the worker holds the invitation's row lock; if the worker dies, PostgreSQL
    drops the lock with its connection, and the sweeper finds a send that began but that nobody
    holds, and enqueues it again within a minute (instead of after ``SEND_LEASE``).
    """
    Invitation.objects.filter(id=invitation_id, status=InvitationStatus.QUEUED, send_after__lte=now).update(
        send_started_at=now
    )


def _invitation_send_once(*, invitation_id: int, now: datetime, mail) -> str:
    # Only a transaction of its own (a task's) may relax its commit; inside a caller's transaction
    # the setting would last until that caller commits.
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction and connection.vendor == "postgresql":
            # Once the mail server has accepted the message only this COMMIT is left, and a worker
            # killed before it returns causes a resend. Not waiting for the WAL flush shrinks that
            # window to one round trip; the commit is still durable against the worker's death (the
            # server holds it), and only a crash of PostgreSQL itself within a fraction of a second
            # could lose the "sent" mark: a duplicate email then, never a lost one.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        invitation = (
            Invitation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("survey", "customer")
            .filter(id=invitation_id, status=InvitationStatus.QUEUED)
            .first()
        )
        if invitation is None:
            return "skipped"
        if invitation.send_after > now:
            return "not_due"
        if invitation.expires_at <= now:
            invitation.status = InvitationStatus.EXPIRED
            invitation.save(update_fields=["status"])
            return "expired"
        Customer.objects.select_for_update().filter(id=invitation.customer_id).first()
        suppression = _suppression(invitation, now=now)
        if suppression:
            _suppress(invitation, suppression, now=now)
            invitation_suppressed_publish(invitation=invitation)
            return "suppressed"
        message = invitation_message(invitation, token=token_for(invitation.token_nonce))
        message.connection = mail
        mail.open()
        try:
            # Written before the email leaves, so that once the server has accepted it only the
            # commit is left; a refused recipient rolls the savepoint back.
            with transaction.atomic():
                invitation.status = InvitationStatus.SENT
                invitation.sent_at = now
                invitation.save(update_fields=["status", "sent_at"])
                invitations_sent(invitation_ids=[invitation.id])  # the response rate counts it
                message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as refused:
            invitation.sent_at = None  # rolled back with the savepoint
            _bounce(invitation, reason=f"refused by the mail server: {refused.recipients}", now=now)
            return "bounced"
        return "sent"


def _suppress(invitation: Invitation, suppression: Suppression, *, now: datetime, save: bool = True) -> None:
    invitation.status = InvitationStatus.SUPPRESSED
    invitation.suppressed_at = now
    invitation.suppression_reason = suppression.reason[:200]
    if save:
        invitation.save(update_fields=["status", "suppressed_at", "suppression_reason"])


def _bounce(invitation: Invitation, *, reason: str, now: datetime) -> None:
    invitation.status = InvitationStatus.BOUNCED
    invitation.bounced_at = now
    invitation.suppression_reason = reason[:200]
    invitation.save(update_fields=["status", "bounced_at", "suppression_reason"])
    EmailSuppression.objects.get_or_create(
        email=invitation.customer.email.lower(), defaults={"reason": "bounced"}
    )
    invitation_bounced_publish(invitation=invitation)


@transaction.atomic
def invitation_bounce(*, invitation: Invitation, reason: str = "bounced") -> None:
    """Record a bounce reported after sending: the invitation is bounced and the address never
    emailed again."""
    invitation = Invitation.objects.select_for_update().select_related("customer").get(id=invitation.id)
    _bounce(invitation, reason=reason, now=timezone.now())
    invitations_changed(invitation_ids=[invitation.id])


def invitations_sweep(*, now: datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """Enqueue the sends of due invitations never enqueued or enqueued over ``SEND_LEASE`` ago.

    Beat runs it every minute: a lost task, a broker outage or a send that
    was due later than its creation all end here. Also expires queued
    invitations past their expiry. Returns how many sends were enqueued.
    """
    now = now or timezone.now()
    Invitation.objects.filter(status=InvitationStatus.QUEUED, expires_at__lte=now).update(
        status=InvitationStatus.EXPIRED
    )
    with transaction.atomic():
        ids = list(
            Invitation.objects.filter(status=InvitationStatus.QUEUED, send_after__lte=now)
            .filter(Q(send_enqueued_at__isnull=True) | Q(send_enqueued_at__lte=now - SEND_LEASE))
            .order_by("send_after", "id")
            .values_list("id", flat=True)[:batch]
        )
        ids += [
            invitation_id
            for invitation_id in _sends_cut_short(now=now, batch=batch)
            if invitation_id not in ids
        ]
        return invitations_enqueue(ids=ids, now=now)


def _sends_cut_short(*, now: datetime, batch: int) -> list[int]:
    """Queued invitations whose send began over ``SEND_STALL`` ago and whose row no worker holds:
    their worker died mid-send (a live one holds the row lock until it commits). Their marks are
    cleared, so each is enqueued once. Call inside a transaction."""
    ids = list(
        Invitation.objects.select_for_update(skip_locked=True)
        .filter(status=InvitationStatus.QUEUED, send_started_at__lte=now - SEND_STALL)
        .order_by("send_started_at", "id")
        .values_list("id", flat=True)[:batch]
    )
    if ids:
        Invitation.objects.filter(id__in=ids).update(send_started_at=None)
    return ids


def invitations_due_reminder(*, now: datetime | None = None, batch: int = SWEEP_BATCH) -> list[int]:
    """Invitations sent ``SURVEY_REMINDER_AFTER_DAYS`` ago or more: unanswered, not reminded, open."""
    now = now or timezone.now()
    return list(
        Invitation.objects.filter(
            status__in=(InvitationStatus.SENT, InvitationStatus.OPENED),
            reminded_at__isnull=True,
            sent_at__lte=now - timedelta(days=settings.SURVEY_REMINDER_AFTER_DAYS),
            expires_at__gt=now,
        )
        .order_by("sent_at", "id")
        .values_list("id", flat=True)[:batch]
    )


def invitation_remind(*, invitation_id: int, now: datetime | None = None) -> str:
    """Send the one reminder of an unanswered invitation; never after a response, never twice.

    Returns ``reminded``, ``suppressed`` (the customer opted out or the
    address is suppressed meanwhile; nothing is sent) or ``skipped``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("survey", "customer")
            .filter(
                id=invitation_id,
                status__in=(InvitationStatus.SENT, InvitationStatus.OPENED),
                reminded_at__isnull=True,
                expires_at__gt=now,
            )
            .first()
        )
        if invitation is None or _answered(invitation):
            return "skipped"
        customer = invitation.customer
        if (
            customer.email_opt_out
            or not customer.email
            or EmailSuppression.objects.filter(email__in=suppression_keys(customer.email)).exists()
        ):
            return "suppressed"
        token = token_for(invitation.token_nonce)
        if token_hash(token) != invitation.token_hash:  # the secret key changed: the link would be dead
            logger.warning("invitation %s: token no longer derivable, reminder skipped", invitation.id)
            return "skipped"
        invitation_message(invitation, token=token, reminder=True).send(fail_silently=False)
        invitation.reminded_at = now
        invitation.save(update_fields=["reminded_at"])
        return "reminded"


def _answered(invitation: Invitation) -> bool:
    """Whether a response exists (the status says so too, but the row is the truth)."""
    return Response.objects.filter(invitation_id=invitation.id).exists()
