"""The duplicate window of ``invitation_send``: once the SMTP server has the message, only the commit is left.

A worker killed between the server's acceptance and the commit leaves the invitation
queued, and it is sent again (bench/faults_worker_kill.py measures it). Everything the
commit records is therefore written before the email leaves, and the SMTP session's QUIT
waits until after the commit. These tests run without a test transaction around them, so
``in_atomic_block`` tells whether the send's own transaction is still open.
"""

import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

from analytics.models import StaleKind, StaleMark
from surveys.models import Invitation
from surveys.services.invitations import invitation_send
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db(transaction=True)
BACKEND = f"{__name__}.RecordingBackend"


class RecordingBackend(BaseEmailBackend):
    """Records, at each step of the SMTP session, what the sending transaction has written."""

    events: list[tuple[str, dict]] = []
    refuse = False

    def open(self):
        self.events.append(("open", {"in_transaction": connection.in_atomic_block}))
        return True

    def send_messages(self, messages):
        invitation_id = int(messages[0].extra_headers["X-CEM-Invitation"])
        row = Invitation.objects.get(id=invitation_id)  # the same connection: uncommitted writes show
        self.events.append(
            (
                "accepted",
                {
                    "in_transaction": connection.in_atomic_block,
                    "status": row.status,
                    "sent_at": row.sent_at,
                    "marks": StaleMark.objects.filter(kind=StaleKind.INVITATION_SENT).count(),
                },
            )
        )
        if self.refuse:
            raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"no such user")})
        return len(messages)

    def close(self):
        self.events.append(("quit", {"in_transaction": connection.in_atomic_block}))


@pytest.fixture
def recording(settings):
    settings.EMAIL_BACKEND = BACKEND
    RecordingBackend.events = []
    RecordingBackend.refuse = False
    yield RecordingBackend
    RecordingBackend.refuse = False


def test_the_invitation_is_recorded_sent_before_the_server_accepts_the_email(recording):
    invitation = InvitationFactory()

    assert invitation_send(invitation_id=invitation.id) == "sent"

    accepted = dict(recording.events)["accepted"]
    assert accepted["in_transaction"]
    assert accepted["status"] == Invitation.Status.SENT
    assert accepted["sent_at"] is not None
    assert accepted["marks"] == 1  # the sending day is marked stale in the same transaction


def test_the_smtp_session_is_closed_only_after_the_commit(recording):
    invitation = InvitationFactory()

    invitation_send(invitation_id=invitation.id)

    assert [name for name, _ in recording.events] == ["open", "accepted", "quit"]
    assert dict(recording.events)["quit"]["in_transaction"] is False


def test_a_refused_recipient_leaves_no_sent_mark(recording):
    recording.refuse = True
    invitation = InvitationFactory()

    assert invitation_send(invitation_id=invitation.id) == "bounced"

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.BOUNCED
    assert invitation.sent_at is None
    assert not StaleMark.objects.filter(
        kind__in=[StaleKind.INVITATION_DAY, StaleKind.INVITATION_SENT]
    ).exists()
