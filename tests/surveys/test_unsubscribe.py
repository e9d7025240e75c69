"""Unsubscribing from survey email: a confirm page, its button, and the RFC 8058 one-click POST."""

from datetime import timedelta
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys.models import Invitation
from surveys.services.responses import customer_unsubscribe
from surveys.tokens import token_for
from tests.factories import InvitationFactory, ResponseFactory

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own: failure counts must not leak from one test into another."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid4())}
    }


def unsubscribe_link(invitation: Invitation) -> str:
    return reverse("survey-unsubscribe", args=[token_for(invitation.token_nonce)])


@pytest.fixture
def invitation() -> Invitation:
    return InvitationFactory(status=Invitation.Status.SENT, language="en")


def opted_out(invitation: Invitation) -> bool:
    invitation.customer.refresh_from_db()
    return invitation.customer.email_opt_out


def test_get_asks_to_confirm_with_a_button_and_changes_nothing(client, invitation):
    response = client.get(unsubscribe_link(invitation))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post"' in content and "Unsubscribe</button>" in content
    assert not opted_out(invitation)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT


def test_the_confirm_button_unsubscribes_the_customer(client, invitation):
    response = client.post(unsubscribe_link(invitation) + "?lang=en", {"confirm": "1"})
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    assert opted_out(invitation)
    assert invitation.customer.email_opt_out_at is not None


def test_one_click_post_without_a_csrf_token_unsubscribes(invitation):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe_link(invitation), ONE_CLICK, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert opted_out(invitation)


def test_unsubscribing_twice_keeps_the_first_time(client, invitation):
    client.post(unsubscribe_link(invitation), ONE_CLICK, content_type="application/x-www-form-urlencoded")
    first = invitation.customer.__class__.objects.get(pk=invitation.customer_id).email_opt_out_at
    response = client.post(unsubscribe_link(invitation), {"confirm": "1"})
    assert response.status_code == 200
    invitation.customer.refresh_from_db()
    assert invitation.customer.email_opt_out_at == first


def test_the_service_reports_whether_it_changed_anything(invitation):
    assert customer_unsubscribe(invitation=invitation) is True
    assert customer_unsubscribe(invitation=invitation) is False


def test_an_unsubscribed_customer_is_told_so_on_the_confirm_page(client, invitation):
    customer_unsubscribe(invitation=invitation)
    assert b"You are unsubscribed" in client.get(unsubscribe_link(invitation)).content


def test_the_link_still_unsubscribes_after_the_survey_was_answered(client):
    answered = ResponseFactory(invitation__status=Invitation.Status.RESPONDED).invitation
    assert client.get(unsubscribe_link(answered)).status_code == 200
    client.post(unsubscribe_link(answered), {"confirm": "1"})
    assert opted_out(answered)


def test_the_link_still_unsubscribes_after_the_invitation_expired(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        status=Invitation.Status.EXPIRED,
        created_at=timezone.now() - timedelta(days=61),
        expires_at=timezone.now() - timedelta(days=1),
    )
    client.post(unsubscribe_link(invitation), ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert opted_out(invitation)


def test_the_page_speaks_the_invitation_language(client):
    invitation = InvitationFactory(language="zh-hans")
    content = client.get(unsubscribe_link(invitation)).content.decode()
    assert "退订调查邮件" in content and '<html lang="zh-hans">' in content


def test_an_unknown_token_gets_the_same_neutral_page_as_the_survey_link(client, invitation):
    unknown_token = token_for("0" * 32)
    survey_page = client.get(reverse("survey-answer", args=[unknown_token]))
    for response in (
        client.get(reverse("survey-unsubscribe", args=[unknown_token])),
        client.post(
            reverse("survey-unsubscribe", args=[unknown_token]), ONE_CLICK, content_type="text/plain"
        ),
    ):
        assert (response.status_code, response.content) == (404, survey_page.content)
    assert not opted_out(invitation)


def test_unsubscribe_pages_send_no_referrer_and_are_never_cached(client, invitation):
    response = client.get(unsubscribe_link(invitation))
    assert (response["Referrer-Policy"], response["Cache-Control"]) == ("no-referrer", "no-store")


def test_unknown_unsubscribe_tokens_count_towards_the_failure_limit(client, invitation, settings):
    settings.SURVEY_FAILURE_LIMIT = 2
    for number in range(2):
        client.get(reverse("survey-unsubscribe", args=[token_for(f"{number:032d}")]))
    assert client.post(unsubscribe_link(invitation), {"confirm": "1"}).status_code == 429
    assert not opted_out(invitation)
