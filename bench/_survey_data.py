"""Survey data of the benchmarks and fault scripts that answer or email surveys.

A live two-language survey (``survey_create``), customers with distinct addresses
(``customers_create``) and invitations built as the application builds them, with their
tokens known (``invitations_create``, ``queued_invitations``). The ORM in bulk: these runs
need thousands of rows, not millions (``bench/_setup.py`` loads those).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass
class BenchSurvey:
    survey_id: int
    nps_field: str
    text_field: str


def survey_create() -> BenchSurvey:
    """A live survey in English and Simplified Chinese: an NPS question and an optional text."""
    from surveys.models import Question, Survey

    survey = Survey.objects.create(
        name="Bench relationship survey",
        kind=Survey.Kind.RELATIONSHIP,
        languages=["en", "zh-hans"],
        titles={"en": "How did we do?", "zh-hans": "请评价我们的服务"},
        intros={"en": "Two questions, under a minute.", "zh-hans": "两个问题，不到一分钟。"},
        status=Survey.Status.LIVE,
    )
    nps = Question.objects.create(
        survey=survey,
        order=1,
        type=Question.Type.NPS,
        texts={
            "en": "How likely are you to recommend us to a friend or colleague?",
            "zh-hans": "您向朋友或同事推荐我们的可能性有多大？",
        },
        scale_labels={"en": ["Not at all likely", "Extremely likely"], "zh-hans": ["完全不可能", "极有可能"]},
        driver=Question.Driver.RELATIONSHIP,
    )
    text = Question.objects.create(
        survey=survey,
        order=2,
        type=Question.Type.TEXT,
        texts={
            "en": "What is the main reason for your score?",
            "zh-hans": "您给出这个分数的主要原因是什么？",
        },
        required=False,
    )
    return BenchSurvey(survey.id, f"q{nps.id}", f"q{text.id}")


def customers_create(count: int, *, prefix: str) -> list:
    """``count`` customers with distinct addresses, every other one preferring Chinese."""
    from touchpoints.models import Customer

    return Customer.objects.bulk_create(
        [
            Customer(
                external_id=f"BENCH-{prefix}-{i:07d}",
                name=f"Bench customer {prefix}{i}",
                email=f"bench-{prefix.lower()}{i}@example.com",
                locale="zh-hans" if i % 2 else "en",
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


def invitations_create(survey_id: int, customers: list, *, status: str) -> list[tuple[int, str, str]]:
    """One invitation per customer in ``status``, built as ``invitation_create`` builds them
    (nonce, hash of the derived token, language) but in bulk and without enqueueing a send.
    Returns (id, token, language) per invitation."""
    from django.utils import timezone

    from surveys.models import Invitation, InvitationStatus, Survey
    from surveys.services.invitations import invitation_language
    from surveys.tokens import token_for, token_hash, token_nonce_new

    survey = Survey.objects.get(id=survey_id)
    now = timezone.now()
    rows, tokens = [], []
    for customer in customers:
        nonce = token_nonce_new()
        token = token_for(nonce)
        tokens.append(token)
        rows.append(
            Invitation(
                survey=survey,
                customer=customer,
                token_nonce=nonce,
                token_hash=token_hash(token),
                status=status,
                language=invitation_language(survey=survey, customer=customer),
                send_after=now - timedelta(minutes=1),
                sent_at=now if status == InvitationStatus.SENT else None,
                expires_at=now + timedelta(days=60),
            )
        )
    created = Invitation.objects.bulk_create(rows, batch_size=2000)
    return [(row.id, token, row.language) for row, token in zip(created, tokens, strict=True)]


def queued_invitations(survey_id: int, count: int, prefix: str) -> list[int]:
    """The ids of ``count`` queued invitations of new customers (``prefix`` in their ids)."""
    from surveys.models import InvitationStatus

    customers = customers_create(count, prefix=prefix)
    return [i for i, _, _ in invitations_create(survey_id, customers, status=InvitationStatus.QUEUED)]
