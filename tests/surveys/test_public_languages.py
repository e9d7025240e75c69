"""Every public page speaks one language: in Chinese no fixed English word is left, in English no
Chinese one. The survey's content is data in both languages; what remains once it is taken out is
the page's own words."""

import re
from html.parser import HTMLParser
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import Invitation, Question, Survey
from surveys.tokens import token_for
from tests.factories import InvitationFactory, QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

QType = Question.Type
COMPANY = "顺达物流"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
LATIN = re.compile(r"[A-Za-z]")
VISIBLE_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own: failure counts must not leak from one test into another."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid4())}
    }
    settings.SURVEY_COMPANY_NAME = COMPANY


# The survey's content per language: data, taken out of a page before its fixed words are read.
CONTENT = {
    "zh-hans": {
        "title": "请告诉我们您的体验",
        "intro": "只需两分钟。",
        "nps": "您向朋友或同事推荐我们的可能性有多大？",
        "pair": "送货速度",
        "choice": "您通过哪个渠道联系我们？",
        "phone": "电话",
        "store": "门店",
        "text": "还有什么想告诉我们的吗？",
        "long": "请为我们的服务打分",
    },
    "en": {
        "title": "Tell us how we did",
        "intro": "Two minutes, no more.",
        "nps": "How likely are you to recommend us?",
        "pair": "Speed of delivery",
        "choice": "How did you reach us?",
        "phone": "Phone",
        "store": "Store",
        "text": "Anything else?",
        "long": "Rate our service",
    },
}


def texts(key: str) -> dict[str, str]:
    return {language: words[key] for language, words in CONTENT.items()}


@pytest.fixture
def survey() -> Survey:
    """A survey in Chinese and English with a question of each kind the page draws differently."""
    survey = SurveyFactory(titles=texts("title"), intros=texts("intro"))
    QuestionFactory(survey=survey, order=1, type=QType.NPS, texts=texts("nps"), scale_labels={})
    QuestionFactory(
        survey=survey,
        order=2,
        type=QType.EXPECTATION_EXPERIENCE,
        scale_min=1,
        scale_max=5,
        texts=texts("pair"),
    )
    QuestionFactory(
        survey=survey,
        order=3,
        type=QType.SINGLE_CHOICE,
        required=False,
        texts=texts("choice"),
        choices=[
            {"value": "phone", "labels": texts("phone")},
            {"value": "store", "labels": texts("store")},
        ],
    )
    QuestionFactory(survey=survey, order=4, type=QType.TEXT, required=False, texts=texts("text"))
    QuestionFactory(survey=survey, order=5, type=QType.RATING, scale_min=1, scale_max=20, texts=texts("long"))
    return survey


class PageWords(HTMLParser):
    """The text a reader meets on a page (text and the attributes read aloud), the language
    switcher left out: it names each language in itself."""

    def __init__(self):
        super().__init__()
        self.words: list[str] = []
        self._in_switcher = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and (self._in_switcher or "languages" in (attrs.get("class") or "")):
            self._in_switcher += 1
        self.words += [attrs[name] for name in VISIBLE_ATTRIBUTES if attrs.get(name)]

    def handle_endtag(self, tag):
        if tag == "nav" and self._in_switcher:
            self._in_switcher -= 1

    def handle_data(self, data):
        if not self._in_switcher and data.strip():
            self.words.append(data.strip())


def fixed_words(page: str, language: str) -> str:
    """The page's own words: what is left of its text once the survey's content and the company
    name are taken out."""
    parser = PageWords()
    parser.feed(page)
    words = "\n".join(parser.words)
    for data in sorted([COMPANY, *CONTENT[language].values()], key=len, reverse=True):
        words = words.replace(data, "")
    return words


def link(invitation: Invitation, name: str = "survey-answer") -> str:
    return reverse(name, args=[token_for(invitation.token_nonce)])


def answers(survey: Survey, nps: str = "9") -> dict:
    nps_question, pair = survey.questions.get(order=1), survey.questions.get(order=2)
    long = survey.questions.get(order=5)
    return {f"q{nps_question.id}": nps, f"q{pair.id}-expected": "4", f"q{pair.id}": "5", f"q{long.id}": "12"}


# Each page as a customer reaching it in ``language`` sees it: (status, content).
def survey_page(client, survey, language):
    invitation = InvitationFactory(survey=survey, status=Invitation.Status.SENT, language=language)
    return client.get(link(invitation))


def survey_page_with_errors(client, survey, language):
    invitation = InvitationFactory(survey=survey, status=Invitation.Status.SENT, language=language)
    return client.post(link(invitation), {**answers(survey, nps="11"), "lang": language})


def thanks(client, survey, language):
    return client.get(reverse("survey-thanks") + f"?lang={language}")


def answered(client, survey, language):
    invitation = InvitationFactory(survey=survey, status=Invitation.Status.SENT, language=language)
    assert Client().post(link(invitation), {**answers(survey), "lang": language}).status_code == 302
    return client.post(link(invitation), {**answers(survey), "lang": language})


def answered_here(client, survey, language):
    invitation = InvitationFactory(survey=survey, status=Invitation.Status.SENT, language=language)
    assert client.post(link(invitation), {**answers(survey), "lang": language}).status_code == 302
    return client.get(link(invitation))


def closed(client, survey, language):
    return client.get(reverse("survey-answer", args=[token_for("0" * 32)]))


def too_many(client, survey, language, settings):
    settings.SURVEY_FAILURE_LIMIT = 0
    return client.get(reverse("survey-answer", args=[token_for("0" * 32)]))


def unsubscribe(client, survey, language):
    invitation = InvitationFactory(survey=survey, status=Invitation.Status.SENT, language=language)
    return client.get(link(invitation, "survey-unsubscribe"))


def unsubscribed(client, survey, language):
    invitation = InvitationFactory(survey=survey, status=Invitation.Status.SENT, language=language)
    return client.post(link(invitation, "survey-unsubscribe"), {"confirm": "1"})


def preview(client, survey, language):
    return client.get(reverse("survey-preview", args=[survey.id]) + f"?lang={language}")


PAGES = {
    "survey": (survey_page, 200),
    "survey with errors": (survey_page_with_errors, 400),
    "thanks": (thanks, 200),
    "answered": (answered, 409),
    "answered_here": (answered_here, 200),
    "closed": (closed, 404),
    "too_many": (too_many, 429),
    "unsubscribe": (unsubscribe, 200),
    "unsubscribed": (unsubscribed, 200),
    "preview": (preview, 200),
}


def visit(page: str, language: str, survey, manager, settings) -> str:
    """The page in ``language``, from a browser asking for that language (the neutral pages know no
    survey and follow the browser)."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if page == "preview":
        client.force_login(manager)
    view, status = PAGES[page]
    response = (
        view(client, survey, language, settings) if view is too_many else view(client, survey, language)
    )
    assert response.status_code == status, response.content[:300]
    content = response.content.decode()
    assert f'<html lang="{language}">' in content
    assert response["Content-Language"] == language
    return content


@pytest.mark.parametrize("page", PAGES)
def test_in_chinese_no_fixed_english_word_is_left(page, survey, manager, settings):
    words = fixed_words(visit(page, "zh-hans", survey, manager, settings), "zh-hans")
    assert CJK.search(words), words  # the page has words of its own, and they are Chinese
    assert LATIN.findall(words) == [], words


@pytest.mark.parametrize("page", PAGES)
def test_in_english_the_fixed_words_are_english(page, survey, manager, settings):
    words = fixed_words(visit(page, "en", survey, manager, settings), "en")
    assert LATIN.search(words), words
    assert CJK.findall(words) == [], words


def test_the_fixed_words_check_sees_an_english_word_among_chinese(survey):
    page = f"<html><body><p>{COMPANY}已收到您的回答</p><button>Send my answers</button></body></html>"
    assert fixed_words(page, "zh-hans") == "已收到您的回答\nSend my answers"
