"""The demo's follow-up cases: opened as their events came in, worked as a team would have by now,
so the queue has something to prioritise; and the demo's text reads as written (one full stop)."""

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from demo.services import build_demo
from demo.services.comments import DRIVER, GENERIC, TOUCHPOINT
from demo.services.follow_ups import CONTACT_NOTES, OUTCOMES, START_NOTES
from followups.models import FollowUp, FollowUpStatus
from followups.selectors import follow_up_counts
from surveys.models import Answer

pytestmark = pytest.mark.django_db
NOW = timezone.now().replace(microsecond=0)
DOUBLED = re.compile(r"[.!?。！？]\s*[.!?。！？]|\s[.,!?]")  # "service.. She", "fine !", "。。"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(seed: int = 7) -> list[tuple]:
    """A small month of demo (its cases all fall within ``FOLLOW_UP_MAX_AGE_DAYS``), and its cases."""
    build_demo(customers=150, months=1, seed=seed, force=True, now=NOW)
    return list(
        FollowUp.objects.order_by("id").values_list(
            "customer__external_id", "reason", "status", "opened_at", "due_at", "resolved_at", "notes"
        )
    )


def test_demo_cases_are_spread_some_overdue_some_due_soon_some_resolved():
    # The command, whose metrics rebuild would open any case the demo had not.
    call_command("seed_demo", "--customers", "150", "--months", "1", "--seed", "7", stdout=io.StringIO())
    now = timezone.now()
    cases = list(FollowUp.objects.select_related("response", "interaction"))

    counts = follow_up_counts(now=now)
    statuses = {case.status for case in cases}
    due_soon = [c for c in cases if c.status != FollowUpStatus.RESOLVED and now <= c.due_at]
    assert counts.overdue > 0 and due_soon
    assert {FollowUpStatus.OPEN, FollowUpStatus.RESOLVED} <= statuses
    assert len({case.opened_at for case in cases}) == len(cases) > 10
    oldest = now - timedelta(days=settings.FOLLOW_UP_MAX_AGE_DAYS + 1)
    for case in cases:
        event_at = case.response.submitted_at if case.response_id else case.interaction.occurred_at
        assert event_at < case.opened_at <= event_at + timedelta(minutes=3) and oldest < case.opened_at
        assert case.due_at == case.opened_at + timedelta(hours=settings.FOLLOW_UP_SLA_HOURS)
        if case.status == FollowUpStatus.RESOLVED:
            assert case.opened_at < case.resolved_at <= now and case.outcome in OUTCOMES
        if case.status != FollowUpStatus.OPEN:
            assert case.assignee_id is not None and case.notes


def test_the_same_seed_gives_the_same_cases_and_another_seed_does_not():
    first = seed(7)
    assert seed(7) == first
    assert seed(8) != first


def test_no_demo_text_doubles_its_punctuation():
    seed()
    texts = [
        text
        for table in (GENERIC, *TOUCHPOINT.values(), *DRIVER.values())
        for by_language in table.values()
        for texts in by_language.values()
        for text in texts
    ]
    texts += [*START_NOTES, *CONTACT_NOTES, *OUTCOMES]
    texts += list(Answer.objects.exclude(text="").values_list("text", flat=True))
    texts += list(FollowUp.objects.exclude(notes="").values_list("notes", flat=True))
    assert len(texts) > 50
    assert [text for text in texts if DOUBLED.search(text)] == []
