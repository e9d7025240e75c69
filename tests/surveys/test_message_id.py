"""An invitation's email carries the same Message-ID however often it is built (and sent)."""

import pytest

from surveys.email import invitation_message
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def test_an_invitation_built_twice_has_one_message_id(settings):
    settings.DEFAULT_FROM_EMAIL = "CX team <surveys@example.com>"
    invitation = InvitationFactory()
    first = invitation_message(invitation, token="t").message()["Message-ID"]
    again = invitation_message(invitation, token="t").message()["Message-ID"]
    assert first == again
    assert first.startswith(f"<invitation-{invitation.id}.") and first.endswith("@example.com>")


def test_the_reminder_and_other_invitations_have_their_own():
    invitation, other = InvitationFactory(), InvitationFactory()
    ids = {
        invitation_message(invitation, token="t").message()["Message-ID"],
        invitation_message(invitation, token="t", reminder=True).message()["Message-ID"],
        invitation_message(other, token="t").message()["Message-ID"],
    }
    assert len(ids) == 3
