"""The invitation and reminder emails speak the invitation's language: their fixed words from its
catalogue, whatever language the sender runs in; the survey's title is the survey's own."""

import re
from datetime import datetime

import pytest
from django.utils import timezone, translation

from surveys.email import email_language, invitation_message
from surveys.models import Invitation
from tests.factories import CustomerFactory, InvitationFactory, SurveyFactory

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
LATIN = re.compile(r"[A-Za-z]")
TITLES = {"en": "Tell us how we did", "zh-hans": "请告诉我们您的体验"}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SURVEY_COMPANY_NAME = "顺达物流"
    settings.SITE_URL = "https://cx.example.com"


def invitation_in(language: str, **survey) -> Invitation:
    return InvitationFactory(
        survey=SurveyFactory(titles=TITLES, **survey),
        customer=CustomerFactory(name="王芳"),
        language=language,
        expires_at=timezone.make_aware(datetime(2031, 3, 5, 12)),
    )


def words_of(message) -> dict[str, str]:
    """Subject, text and HTML of ``message`` with the links, the markup and the data taken out."""
    html = re.sub(r"<head>.*?</head>|<[^>]+>", " ", message.alternatives[0][0], flags=re.DOTALL)
    parts = {"subject": message.subject, "text": message.body, "html": html}
    for name, text in parts.items():
        text = re.sub(r"https://\S+", "", text)
        for data in ("顺达物流", "王芳", *TITLES.values()):
            text = text.replace(data, "")
        parts[name] = text
    return parts


@pytest.mark.parametrize("reminder", [False, True])
def test_a_chinese_invitation_has_no_english_fixed_word(reminder):
    message = invitation_message(invitation_in("zh-hans"), token="t" * 43, reminder=reminder)
    for name, words in words_of(message).items():
        assert CJK.search(words), name
        assert LATIN.findall(words) == [], (name, words)
    assert "尊敬的王芳：" in message.body and "链接有效期至 2031年3月5日。" in message.body
    assert message.extra_headers["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in message.alternatives[0][0]


@pytest.mark.parametrize("reminder", [False, True])
def test_an_english_invitation_is_english_even_when_the_sender_runs_in_chinese(reminder):
    with translation.override("zh-hans"):
        message = invitation_message(invitation_in("en"), token="t" * 43, reminder=reminder)
    for name, words in words_of(message).items():
        assert LATIN.search(words), name
        assert CJK.findall(words) == [], (name, words)
    assert message.subject.startswith("Reminder — 顺达物流: how did we do?") is reminder
    assert "Dear 王芳," in message.body and "The link works until March 5, 2031." in message.body
    assert "Do not want these emails? Unsubscribe: https://cx.example.com/u/" in message.body


def test_the_survey_title_comes_in_the_email_language():
    message = invitation_message(invitation_in("zh-hans"), token="t" * 43)
    assert message.subject == "顺达物流：请评价我们的服务（请告诉我们您的体验）"


@pytest.mark.parametrize(
    ("invitation_language", "offered", "chosen"),
    [
        ("zh-hans", ["en", "zh-hans"], "zh-hans"),
        ("zh-hans", ["en"], "en"),  # the survey does not offer it: its first language
        ("fr", ["zh-hans", "en"], "zh-hans"),
        ("fr", ["fr"], "en"),  # no catalogue for French: English
    ],
)
def test_the_email_language_is_one_both_the_survey_and_the_catalogues_offer(
    invitation_language, offered, chosen
):
    invitation = InvitationFactory(survey=SurveyFactory(languages=offered), language=invitation_language)
    assert email_language(invitation) == chosen
