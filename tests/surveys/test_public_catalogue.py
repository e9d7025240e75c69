"""The public pages' fixed words come from the gettext catalogue of the page language, whatever
language the request or the process runs in: the page kept per survey version and language, a
language without a catalogue, the form's messages and the standard scale labels."""

from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from surveys.languages import language_name, survey_language, words_language
from surveys.models import Invitation, Question
from surveys.scale_labels import STANDARD_SCALE_LABELS
from surveys.selectors import public as public_selectors
from surveys.services.answer_form import AnswerForm
from surveys.tokens import token_for
from surveys.views import public as public_views
from tests.factories import InvitationFactory, QuestionFactory, SurveyFactory

QType = Question.Type


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own: failure counts must not leak from one test into another."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid4())}
    }


@pytest.fixture(autouse=True)
def _cold_process():
    """Each test starts as a process that has not met any survey yet."""
    public_selectors._questions_of.cache_clear()
    public_views._blank_survey_page.cache_clear()


def page(client, invitation: Invitation, **query) -> str:
    url = reverse("survey-answer", args=[token_for(invitation.token_nonce)])
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def survey():
    return QuestionFactory(type=QType.NPS).survey


def invite(survey, language: str) -> Invitation:
    return InvitationFactory(survey=survey, status=Invitation.Status.SENT, language=language)


# --- the kept page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_kept_per_language_keeps_each_language_apart(client, survey):
    english, chinese = invite(survey, "en"), invite(survey, "zh-hans")
    for _ in range(2):  # rendered, then served from the kept pages
        assert "Send my answers" in page(client, english) and "提交答案" not in page(client, english)
        assert "提交答案" in page(client, chinese) and "Send my answers" not in page(client, chinese)
    assert public_views._blank_survey_page.cache_info().currsize == 2


@pytest.mark.django_db
def test_the_page_speaks_the_survey_language_not_the_browsers(survey):
    chinese_browser = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "Send my answers" in page(chinese_browser, invite(survey, "en"))
    english_browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "提交答案" in page(english_browser, invite(survey, "zh-hans"))


@pytest.mark.django_db
def test_the_page_does_not_follow_the_language_cookie_either(survey, settings):
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "Send my answers" in page(browser, invite(survey, "en"))


@pytest.mark.django_db
def test_a_survey_language_without_a_catalogue_gets_english_fixed_words(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # not the fallback of the public pages: English is
    survey = SurveyFactory(languages=["fr"], titles={"fr": "Votre avis"})
    QuestionFactory(survey=survey, type=QType.CES, texts={"fr": "Était-ce facile ?"}, scale_labels={})
    content = page(client, invite(survey, "fr"))
    assert '<html lang="fr">' in content and "Était-ce facile ?" in content
    assert "Send my answers" in content and "1 question" in content and "7 = Very easy" in content
    assert "提交答案" not in content


@pytest.mark.django_db
def test_the_question_count_and_the_text_limit_have_plural_forms(client, settings):
    settings.SURVEY_TEXT_MAX_LENGTH = 1
    survey = SurveyFactory(languages=["en"])
    QuestionFactory(survey=survey, type=QType.TEXT, texts={"en": "Anything?"})
    content = page(client, invite(survey, "en"))
    assert "1 question" in content and "1 questions" not in content
    assert "Up to 1 character." in content


# --- the language choice ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offered", "preferred", "chosen"),
    [
        (["en", "zh-hans"], ("zh-hans", "en"), "zh-hans"),
        (["en", "zh-hans"], (None, "zh-hans"), "zh-hans"),
        (["en", "zh-hans"], ("fr", None), "en"),
        (["zh-hans", "en"], (), "zh-hans"),
    ],
)
def test_survey_language_takes_the_first_preferred_language_the_survey_offers(offered, preferred, chosen):
    assert survey_language(offered, *preferred) == chosen


def test_a_survey_without_languages_speaks_the_default_language(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    assert survey_language([], "en") == "zh-hans"


def test_the_fixed_words_are_english_where_there_is_no_catalogue():
    assert [words_language(code) for code in ("en", "zh-hans", "fr", "ar", None)] == [
        "en",
        "zh-hans",
        "en",
        "en",
        "en",
    ]


def test_a_language_is_named_in_itself():
    assert (language_name("zh-hans"), language_name("en"), language_name("fr")) == (
        "简体中文",
        "English",
        "français",
    )
    assert language_name("xx") == "xx"


# --- the form's messages ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message", "label"),
    [
        ("en", "Choose a whole number from 0 to 10.", "Question 1 of 1"),
        ("zh-hans", "请选择 0 到 10 之间的整数。", "第 1 题，共 1 题"),
    ],
)
def test_the_form_speaks_its_language_whatever_language_is_active(survey, language, message, label):
    other = "en" if language == "zh-hans" else "zh-hans"
    question = survey.questions.get()
    with translation.override(other):
        form = AnswerForm(questions=[question], language=language, data={f"q{question.id}": "11"})
        assert not form.is_valid()
        assert form.question_errors() == {question.id: message}
        (row,) = form.rows(form.question_errors())
    assert (row.label, row.error) == (label, message)


@pytest.mark.django_db
def test_a_long_answer_is_refused_with_its_length_in_chinese(survey, settings):
    settings.SURVEY_TEXT_MAX_LENGTH = 5
    question = QuestionFactory(survey=survey, type=QType.TEXT)
    form = AnswerForm(questions=[question], language="zh-hans", data={f"q{question.id}": "x" * 8})
    assert not form.is_valid()
    assert form.question_errors() == {question.id: "请将回答控制在 5 个字符以内（当前 8 个）。"}


# --- the standard scale labels --------------------------------------------------------------------

STANDARD = {
    "nps": {"en": ("Not at all likely", "Extremely likely"), "zh-hans": ("完全不可能", "极有可能")},
    "csat": {"en": ("Very dissatisfied", "Very satisfied"), "zh-hans": ("非常不满意", "非常满意")},
    "ces": {"en": ("Very difficult", "Very easy"), "zh-hans": ("非常困难", "非常容易")},
}


@pytest.mark.parametrize("active", ["en", "zh-hans"])
def test_the_standard_labels_come_in_each_language_whatever_language_is_active(active):
    with translation.override(active):
        labels = {kind: dict(per_language) for kind, per_language in STANDARD_SCALE_LABELS.items()}
    assert labels == STANDARD


def test_the_standard_labels_are_plain_strings_of_the_products_languages(settings):
    ends = STANDARD_SCALE_LABELS["csat"]["zh-hans"]
    assert all(type(end) is str and not isinstance(end, Promise) for end in ends)
    assert list(STANDARD_SCALE_LABELS["nps"]) == [code for code, _name in settings.LANGUAGES]
    assert "fr" not in STANDARD_SCALE_LABELS["nps"]
    assert STANDARD_SCALE_LABELS["nps"].get("fr") is None
    with pytest.raises(KeyError):
        STANDARD_SCALE_LABELS["ces"]["fr"]
