"""The public pages read right to left in a language written so: ``<html dir>`` from the page
language, and a stylesheet whose sides are logical (inline-start/end), never left or right."""

import re
from pathlib import Path
from uuid import uuid4

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from surveys.languages import language_direction
from surveys.models import Invitation, Question
from surveys.tokens import token_for
from tests.factories import InvitationFactory, QuestionFactory, SurveyFactory

QType = Question.Type
STYLESHEET = Path(django_settings.BASE_DIR) / "static" / "css" / "survey.css"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own: failure counts must not leak from one test into another."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid4())}
    }


@pytest.fixture
def arabic_invitation() -> Invitation:
    """An invitation to a survey offered in Arabic, a language the product has no catalogue for."""
    survey = SurveyFactory(languages=["ar", "en"], titles={"ar": "أخبرنا عن تجربتك", "en": "Tell us"})
    QuestionFactory(survey=survey, type=QType.NPS, texts={"ar": "ما مدى احتمال أن توصي بنا؟"})
    return InvitationFactory(survey=survey, status=Invitation.Status.SENT, language="ar")


@pytest.mark.django_db
def test_a_survey_page_in_arabic_reads_right_to_left(client, arabic_invitation):
    content = client.get(reverse("survey-answer", args=[token_for(arabic_invitation.token_nonce)])).content
    page = content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "ما مدى احتمال أن توصي بنا؟" in page
    assert "Send my answers" in page  # no Arabic catalogue: English fixed words, as before


@pytest.mark.django_db
def test_the_unsubscribe_page_in_arabic_reads_right_to_left_too(client, arabic_invitation):
    url = reverse("survey-unsubscribe", args=[token_for(arabic_invitation.token_nonce)])
    assert '<html lang="ar" dir="rtl">' in client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_page_in_a_left_to_right_language_is_not_marked_right_to_left(client, language):
    invitation = InvitationFactory(
        survey=QuestionFactory(type=QType.NPS).survey, status=Invitation.Status.SENT, language=language
    )
    page = client.get(reverse("survey-answer", args=[token_for(invitation.token_nonce)])).content.decode()
    assert f'<html lang="{language}">' in page and "rtl" not in page


@pytest.mark.parametrize(
    ("language", "direction"),
    [("ar", "rtl"), ("he", "rtl"), ("fa", "rtl"), ("en", "ltr"), ("zh-hans", "ltr"), ("xx-unknown", "ltr")],
)
def test_a_language_direction_comes_from_django_language_info(language, direction):
    assert language_direction(language) == direction


def _declarations(css: str) -> list[tuple[str, str]]:
    """(property, value) of every declaration in ``css``, comments left out."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    blocks = re.findall(r"\{([^{}]*)\}", css)
    return [
        (name.strip().lower(), value.strip().lower())
        for block in blocks
        for declaration in block.split(";")
        if ":" in declaration
        for name, value in [declaration.split(":", 1)]
    ]


def test_the_stylesheet_has_no_physical_left_or_right():
    declarations = _declarations(STYLESHEET.read_text())
    assert len(declarations) > 100  # the parse found the stylesheet's rules
    physical = [
        (name, value) for name, value in declarations if re.search(r"\b(left|right)\b", f"{name} {value}")
    ]
    assert physical == []
    # A four-value margin or padding sets the left and right sides apart.
    sided = [
        (name, value)
        for name, value in declarations
        if name in ("margin", "padding", "inset", "border-width") and len(value.split()) == 4
    ]
    assert sided == []


def test_the_stylesheet_places_its_sides_with_logical_properties():
    declarations = dict(_declarations(STYLESHEET.read_text()))
    assert declarations["padding-inline-start"] == "1.1rem"  # the error summary's list
    assert declarations["float"] == "inline-start"  # a question's legend
    assert declarations["text-align"] == "end"  # a scale's highest end label


def test_the_checks_above_would_catch_a_physical_side():
    declarations = _declarations(
        ".a { margin-left: 1rem } /* left */ .b { float: right; padding: 1px 2px 3px 4px }"
    )
    assert declarations == [("margin-left", "1rem"), ("float", "right"), ("padding", "1px 2px 3px 4px")]
