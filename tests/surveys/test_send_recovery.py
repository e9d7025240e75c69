"""A send cut short by a dead worker is enqueued again within a minute, not after the lease; a send
still running, or waiting on its retry, is left alone; the last step of a send does not wait for a
disk flush."""

import smtplib
import threading
from datetime import timedelta

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections, transaction
from django.utils import timezone

from surveys.models import Invitation
from surveys.services.invitations import SEND_STALL, invitation_send, invitations_sweep
from tests.conftest import skip_or_fail
from tests.factories import InvitationFactory


@pytest.fixture(autouse=True)
def _memory_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _cut_short(now, **kwargs) -> Invitation:
    """A queued invitation whose send began ``SEND_STALL`` and more ago, enqueued a minute ago."""
    return InvitationFactory(
        send_after=now - timedelta(hours=1),
        send_enqueued_at=now - timedelta(minutes=1),
        send_started_at=now - SEND_STALL - timedelta(seconds=1),
        **kwargs,
    )


@pytest.mark.django_db
def test_a_send_cut_short_is_enqueued_again_at_once_and_only_once(django_capture_on_commit_callbacks):
    now = timezone.now()
    cut_short = _cut_short(now)
    waiting = InvitationFactory(
        send_after=now - timedelta(hours=1), send_enqueued_at=now - timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks() as callbacks:
        assert invitations_sweep(now=now) == 1
    assert len(callbacks) == 1
    cut_short.refresh_from_db()
    waiting.refresh_from_db()
    assert (cut_short.send_enqueued_at, cut_short.send_started_at) == (now, None)
    assert waiting.send_enqueued_at < now  # enqueued, never begun: it waits for the lease
    assert invitations_sweep(now=now + timedelta(seconds=1)) == 0


@pytest.mark.django_db
def test_a_send_that_began_only_just_now_is_left_to_its_worker():
    now = timezone.now()
    InvitationFactory(
        send_after=now - timedelta(hours=1),
        send_enqueued_at=now - timedelta(minutes=1),
        send_started_at=now - SEND_STALL + timedelta(seconds=5),
    )
    assert invitations_sweep(now=now) == 0


class DownBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


@pytest.mark.django_db
def test_a_failed_send_clears_its_mark_and_leaves_the_retry_to_the_task(settings):
    settings.EMAIL_BACKEND = "tests.surveys.test_send_recovery.DownBackend"
    invitation = InvitationFactory(send_after=timezone.now() - timedelta(minutes=1))

    with pytest.raises(smtplib.SMTPServerDisconnected):
        invitation_send(invitation_id=invitation.id)

    invitation.refresh_from_db()
    assert (invitation.status, invitation.send_started_at) == (Invitation.Status.QUEUED, None)


@pytest.mark.django_db
def test_a_sent_invitation_keeps_the_moment_its_send_began():
    invitation = InvitationFactory(send_after=timezone.now() - timedelta(minutes=1))
    assert invitation_send(invitation_id=invitation.id) == "sent"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    assert invitation.send_started_at is not None and invitation.send_started_at <= invitation.sent_at


def _require_postgresql():
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL for row locks: set DATABASE_URL=postgres://…")


@pytest.mark.django_db(transaction=True)
def test_a_send_still_running_holds_its_row_and_is_not_enqueued_again():
    _require_postgresql()
    now = timezone.now()
    running = _cut_short(now)
    locked, release = threading.Event(), threading.Event()

    def worker_sending():
        try:
            with transaction.atomic():
                Invitation.objects.select_for_update().get(id=running.id)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker_sending)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        assert invitations_sweep(now=now) == 0
    finally:
        release.set()
        thread.join()
    assert invitations_sweep(now=now) == 1  # the worker went away without sending


class SynchronousCommitProbe(BaseEmailBackend):
    """Records the transaction's ``synchronous_commit`` at the moment the message is handed over."""

    seen: list[str] = []

    def send_messages(self, messages):
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            SynchronousCommitProbe.seen.append(cursor.fetchone()[0])
        return len(messages)


@pytest.mark.django_db(transaction=True)
def test_the_sending_transaction_commits_without_waiting_for_the_flush(settings):
    _require_postgresql()
    settings.EMAIL_BACKEND = "tests.surveys.test_send_recovery.SynchronousCommitProbe"
    SynchronousCommitProbe.seen = []
    invitation = InvitationFactory(send_after=timezone.now() - timedelta(minutes=1))

    assert invitation_send(invitation_id=invitation.id) == "sent"

    assert SynchronousCommitProbe.seen == ["off"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # SET LOCAL: the connection's next transactions are unchanged


@pytest.mark.django_db
def test_inside_a_callers_transaction_the_commit_is_left_as_it_is(settings):
    _require_postgresql()
    settings.EMAIL_BACKEND = "tests.surveys.test_send_recovery.SynchronousCommitProbe"
    SynchronousCommitProbe.seen = []
    invitation = InvitationFactory(send_after=timezone.now() - timedelta(minutes=1))

    assert invitation_send(invitation_id=invitation.id) == "sent"

    assert SynchronousCommitProbe.seen == ["on"]
