"""End labels of scales: the standard wording NPS, CSAT and CES questions get in every language, what
a manager changes or clears, and the expectation/experience pair asked on its scale with its labels —
from the builder to the stored question, the public page and the answers it accepts."""

from html.parser import HTMLParser
from uuid import uuid4

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from surveys.models import Invitation, Question, Response, Survey
from surveys.services import builder as services
from surveys.tokens import token_for
from tests.factories import AnswerFactory, InvitationFactory, QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

QType = Question.Type
BOTH = {"en": "How was it?", "zh-hans": "体验如何？"}

# Written out here, not read from the code: the wording is the product's promise.
STANDARD = {
    QType.NPS: {"en": ["Not at all likely", "Extremely likely"], "zh-hans": ["完全不可能", "极有可能"]},
    QType.CSAT: {"en": ["Very dissatisfied", "Very satisfied"], "zh-hans": ["非常不满意", "非常满意"]},
    QType.CES: {"en": ["Very difficult", "Very easy"], "zh-hans": ["非常困难", "非常容易"]},
}
HIGHEST = {QType.NPS: 10, QType.CSAT: 5, QType.CES: 7}
LOWEST = {QType.NPS: 0, QType.CSAT: 1, QType.CES: 1}


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own: failure counts must not leak from one test into another."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid4())}
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def question_form(question_type: str, **fields) -> dict:
    """The builder's question form as a manager posts it, every label field left empty."""
    form = {
        "type": question_type,
        "text_en": "How was it?",
        "text_zh-hans": "体验如何？",
        "required": "on",
        "direction": "higher_is_better",
        "driver": "",
        "scale_min": "",
        "scale_max": "",
    }
    for code in ("en", "zh-hans"):
        form[f"scale_low_{code}"] = form[f"scale_high_{code}"] = ""
    return {**form, **fields}


def create_url(survey: Survey) -> str:
    return reverse("survey-builder-question-create", args=[survey.pk])


def edit_url(question: Question) -> str:
    return reverse("survey-builder-question-edit", args=[question.survey_id, question.pk])


def link(invitation: Invitation, language: str = "en") -> str:
    return reverse("survey-answer", args=[token_for(invitation.token_nonce)]) + f"?lang={language}"


def invite(survey: Survey) -> Invitation:
    return InvitationFactory(survey=survey, status=Invitation.Status.SENT, language="en")


class ScaleEnds(HTMLParser):
    """The texts of the page's ``scale-ends`` paragraphs, one list of spans per scale, and its inputs."""

    def __init__(self):
        super().__init__()
        self.ends: list[list[str]] = []
        self.inputs: list[dict] = []
        self._in_ends = self._in_span = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "p" and "scale-ends" in (attrs.get("class") or ""):
            self._in_ends = True
            self.ends.append([])
        elif tag == "span" and self._in_ends:
            self._in_span = True
            self.ends[-1].append("")
        elif tag == "input":
            self.inputs.append(attrs)

    def handle_endtag(self, tag):
        if tag == "span":
            self._in_span = False
        elif tag == "p":
            self._in_ends = False

    def handle_data(self, data):
        if self._in_span:
            self.ends[-1][-1] += data


def scale_ends(response) -> ScaleEnds:
    page = ScaleEnds()
    page.feed(response.content.decode())
    return page


# --- standard labels on a new question ------------------------------------------------------------


@pytest.mark.parametrize("question_type", [QType.NPS, QType.CSAT, QType.CES])
def test_new_standard_question_gets_the_standard_labels_in_both_languages(manager_client, question_type):
    survey = SurveyFactory(status=Survey.Status.DRAFT)
    response = manager_client.post(create_url(survey), question_form(question_type))
    assert response.status_code == 302
    assert survey.questions.get().scale_labels == STANDARD[question_type]


def test_labels_typed_in_one_language_are_kept_and_the_blank_one_gets_the_standard_wording(manager_client):
    survey = SurveyFactory(status=Survey.Status.DRAFT)
    manager_client.post(
        create_url(survey),
        question_form(QType.NPS, **{"scale_low_en": "Never", "scale_high_en": "Certainly"}),
    )
    assert survey.questions.get().scale_labels == {
        "en": ["Never", "Certainly"],
        "zh-hans": ["完全不可能", "极有可能"],
    }


def test_a_rating_gets_no_standard_labels():
    question = services.question_create(
        survey=SurveyFactory(status=Survey.Status.DRAFT),
        type=QType.RATING,
        texts=BOTH,
        scale_min=1,
        scale_max=5,
    )
    assert question.scale_labels == {}


def test_new_question_form_started_from_a_type_shows_its_standard_labels_to_edit(manager_client):
    survey = SurveyFactory(status=Survey.Status.DRAFT)
    response = manager_client.get(create_url(survey), {"type": QType.CSAT})
    form = response.context["form"]
    assert (form["type"].value(), form["scale_low_en"].value(), form["scale_high_zh-hans"].value()) == (
        "csat",
        "Very dissatisfied",
        "非常满意",
    )
    assert 'value="Very dissatisfied"' in response.content.decode()


# --- editing: what the form shows is what the page shows -----------------------------------------


def test_edit_form_of_a_question_stored_without_labels_shows_the_standard_ones(manager_client):
    question = QuestionFactory(survey=SurveyFactory(status=Survey.Status.DRAFT), type=QType.CES)
    form = manager_client.get(edit_url(question)).context["form"]
    assert [form[f"scale_{end}_{code}"].value() for code in ("en", "zh-hans") for end in ("low", "high")] == [
        "Very difficult",
        "Very easy",
        "非常困难",
        "非常容易",
    ]


def test_manager_changes_and_clears_labels_per_language_and_the_page_follows(manager_client, client):
    survey = SurveyFactory(status=Survey.Status.DRAFT)
    manager_client.post(create_url(survey), question_form(QType.NPS))
    question = survey.questions.get()
    response = manager_client.post(
        edit_url(question),
        question_form(QType.NPS, **{"scale_low_en": "Never", "scale_high_en": "For sure"}),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.scale_labels == {"en": ["Never", "For sure"], "zh-hans": ["", ""]}

    survey.status = Survey.Status.LIVE
    survey.save()
    invitation = invite(survey)
    assert scale_ends(client.get(link(invitation, "en"))).ends == [["0 = Never", "10 = For sure"]]
    # Cleared in Chinese: no labels there, neither the standard ones nor the English ones.
    assert scale_ends(client.get(link(invitation, "zh-hans"))).ends == []


def test_changing_the_type_swaps_the_former_types_standard_labels_for_the_new_ones():
    survey = SurveyFactory(status=Survey.Status.DRAFT)
    question = services.question_create(survey=survey, type=QType.NPS, texts=BOTH)
    services.question_update(
        question=question,
        type=QType.CSAT,
        texts=BOTH,
        required=True,
        scale_labels={**question.scale_labels, "en": ["Unhappy", "Happy"]},
    )
    question.refresh_from_db()
    assert question.scale_labels == {"en": ["Unhappy", "Happy"], "zh-hans": ["非常不满意", "非常满意"]}


# --- the public page ------------------------------------------------------------------------------


@pytest.mark.parametrize("question_type", [QType.NPS, QType.CSAT, QType.CES])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_page_shows_the_standard_labels_of_a_question_stored_without_any(client, question_type, language):
    """Questions created before the standard labels existed get them at render time."""
    question = QuestionFactory(type=question_type, scale_labels={})
    page = scale_ends(client.get(link(invite(question.survey), language)))
    low, high = STANDARD[question_type][language]
    assert page.ends == [[f"{LOWEST[question_type]} = {low}", f"{HIGHEST[question_type]} = {high}"]]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_page_shows_the_labels_of_a_question_added_in_the_builder(manager_client, client, language):
    survey = SurveyFactory(status=Survey.Status.LIVE)
    manager_client.post(create_url(survey), question_form(QType.CSAT))
    page = scale_ends(client.get(link(invite(survey), language)))
    low, high = STANDARD[QType.CSAT][language]
    assert page.ends == [[f"1 = {low}", f"5 = {high}"]]


def test_one_labelled_end_keeps_its_side(client):
    question = QuestionFactory(
        type=QType.RATING, scale_min=1, scale_max=5, scale_labels={"en": ["", "Superb"]}
    )
    assert scale_ends(client.get(link(invite(question.survey)))).ends == [["", "5 = Superb"]]


# --- the expectation/experience pair --------------------------------------------------------------

PAIR_LABELS = {
    "scale_low_en": "Very poor",
    "scale_high_en": "Excellent",
    "scale_low_zh-hans": "非常差",
    "scale_high_zh-hans": "非常好",
}


@pytest.fixture
def pair(manager_client) -> Question:
    """A pair added in the builder with its scale left empty and end labels typed in both languages."""
    survey = SurveyFactory(status=Survey.Status.LIVE)
    response = manager_client.post(
        create_url(survey), question_form(QType.EXPECTATION_EXPERIENCE, **PAIR_LABELS)
    )
    assert response.status_code == 302
    return survey.questions.get()


def test_pair_keeps_the_labels_typed_and_the_scale_it_is_asked_on(pair):
    assert (pair.scale_min, pair.scale_max) == (1, 10)
    assert pair.scale_labels == {"en": ["Very poor", "Excellent"], "zh-hans": ["非常差", "非常好"]}


@pytest.mark.parametrize(
    ("language", "ends"),
    [("en", ["1 = Very poor", "10 = Excellent"]), ("zh-hans", ["1 = 非常差", "10 = 非常好"])],
)
def test_pair_shows_both_halves_as_buttons_on_its_scale_with_its_labels(client, pair, language, ends):
    page = scale_ends(client.get(link(invite(pair.survey), language)))
    for name in (f"q{pair.id}-expected", f"q{pair.id}"):
        buttons = [(i["type"], i["value"]) for i in page.inputs if i.get("name") == name]
        assert buttons == [("radio", str(n)) for n in range(1, 11)]
    assert page.ends == [ends, ends]


@pytest.mark.parametrize(
    ("expected", "experienced", "stored"), [("10", "1", True), ("11", "5", False), ("5", "0", False)]
)
def test_pair_accepts_exactly_the_scale_its_page_shows(client, pair, expected, experienced, stored):
    invitation = invite(pair.survey)
    client.post(
        link(invitation), {f"q{pair.id}-expected": expected, f"q{pair.id}": experienced, "lang": "en"}
    )
    assert Response.objects.filter(invitation=invitation).exists() is stored


def test_pair_stored_without_a_scale_is_shown_and_checked_on_1_to_10(client):
    pair = QuestionFactory(type=QType.EXPECTATION_EXPERIENCE, scale_min=None, scale_max=None)
    invitation = invite(pair.survey)
    page = scale_ends(client.get(link(invitation)))
    assert [i["value"] for i in page.inputs if i.get("name") == f"q{pair.id}"] == [
        str(n) for n in range(1, 11)
    ]
    client.post(link(invitation), {f"q{pair.id}-expected": "12", f"q{pair.id}": "3", "lang": "en"})
    assert not Response.objects.exists()


def test_answered_pair_stored_without_a_scale_still_takes_new_labels(manager_client):
    """Its answers were given on 1–10, so saving the form's 1–10 is no change of scale."""
    pair = QuestionFactory(
        survey=SurveyFactory(status=Survey.Status.LIVE),
        type=QType.EXPECTATION_EXPERIENCE,
        scale_min=None,
        scale_max=None,
    )
    AnswerFactory(question=pair, response__invitation__survey=pair.survey)
    response = manager_client.post(edit_url(pair), question_form(QType.EXPECTATION_EXPERIENCE, **PAIR_LABELS))
    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.scale_min, pair.scale_max, pair.scale_labels["en"]) == (1, 10, ["Very poor", "Excellent"])


def test_answered_pair_on_1_to_10_refuses_another_scale():
    pair = QuestionFactory(type=QType.EXPECTATION_EXPERIENCE, scale_min=None, scale_max=None)
    AnswerFactory(question=pair, response__invitation__survey=pair.survey)
    with pytest.raises(ValidationError, match="stays 1–10"):
        services.question_update(
            question=pair, type=pair.type, texts=pair.texts, required=True, scale_min=1, scale_max=7
        )
