"""Submitting answers: every answer checked against its question, one response per invitation, in one
transaction, with the rollups told; nothing saved when anything is wrong."""

import threading
from datetime import timedelta
from uuid import uuid4

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from analytics.models import StaleKind, StaleMark
from surveys.models import Answer, Invitation, Question, Response, Survey
from surveys.services.responses import AlreadyAnswered, AnswerErrors, InvitationClosed, response_submit
from surveys.tokens import token_for
from tests.factories import InvitationFactory, QuestionFactory, SurveyFactory

QType = Question.Type


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own: failure counts must not leak from one test into another."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid4())}
    }


def link(invitation: Invitation) -> str:
    return reverse("survey-answer", args=[token_for(invitation.token_nonce)])


def build_survey() -> dict[str, Question]:
    """A live survey with one question of every type; the text and multi-choice ones optional."""
    survey = SurveyFactory()
    return {
        "nps": QuestionFactory(survey=survey, order=1, type=QType.NPS),
        "csat": QuestionFactory(survey=survey, order=2, type=QType.CSAT, texts={"en": "Satisfied?"}),
        "ces": QuestionFactory(survey=survey, order=3, type=QType.CES, texts={"en": "Easy?"}),
        "rating": QuestionFactory(
            survey=survey, order=4, type=QType.RATING, scale_min=1, scale_max=4, texts={"en": "Staff?"}
        ),
        "pair": QuestionFactory(
            survey=survey,
            order=5,
            type=QType.EXPECTATION_EXPERIENCE,
            scale_min=1,
            scale_max=10,
            texts={"en": "Delivery speed"},
        ),
        "single": QuestionFactory(
            survey=survey,
            order=6,
            type=QType.SINGLE_CHOICE,
            texts={"en": "Channel?"},
            choices=[
                {"value": "phone", "labels": {"en": "Phone"}},
                {"value": "store", "labels": {"en": "Store"}},
            ],
        ),
        "multi": QuestionFactory(
            survey=survey,
            order=7,
            type=QType.MULTI_CHOICE,
            required=False,
            texts={"en": "What mattered?"},
            choices=[
                {"value": "price", "labels": {"en": "Price"}},
                {"value": "speed", "labels": {"en": "Speed"}},
                {"value": "staff", "labels": {"en": "Staff"}},
            ],
        ),
        "text": QuestionFactory(
            survey=survey, order=8, type=QType.TEXT, required=False, texts={"en": "Else?"}
        ),
    }


@pytest.fixture
def questions(db) -> dict[str, Question]:
    return build_survey()


@pytest.fixture
def invitation(questions) -> Invitation:
    return InvitationFactory(survey=questions["nps"].survey, status=Invitation.Status.SENT, language="en")


def valid_answers(q: dict[str, Question]) -> dict:
    return {
        f"q{q['nps'].id}": "9",
        f"q{q['csat'].id}": "4",
        f"q{q['ces'].id}": "6",
        f"q{q['rating'].id}": "3",
        f"q{q['pair'].id}-expected": "8",
        f"q{q['pair'].id}": "6",
        f"q{q['single'].id}": "store",
        f"q{q['multi'].id}": ["staff", "price"],
        f"q{q['text'].id}": "  Quick and friendly.  ",
        "lang": "en",
    }


def nothing_saved(invitation: Invitation) -> bool:
    invitation.refresh_from_db()
    return (
        not Response.objects.exists()
        and not Answer.objects.exists()
        and not StaleMark.objects.exists()
        and invitation.status != Invitation.Status.RESPONDED
        and invitation.responded_at is None
    )


# --- a valid submission -------------------------------------------------------------------------


@pytest.mark.django_db
def test_valid_answers_are_stored_as_one_response_with_typed_answers(client, questions, invitation):
    response = client.post(link(invitation), valid_answers(questions))
    assert response.status_code == 302
    stored = Response.objects.get(invitation=invitation)
    assert (stored.survey_id, stored.customer_id, stored.language) == (
        invitation.survey_id,
        invitation.customer_id,
        "en",
    )
    rows = {a.question_id: a for a in stored.answers.all()}
    q = questions
    assert {name: rows[q[name].id].score for name in ("nps", "csat", "ces", "rating", "pair")} == {
        "nps": 9,
        "csat": 4,
        "ces": 6,
        "rating": 3,
        "pair": 6,
    }
    assert rows[q["pair"].id].expected == 8
    assert rows[q["single"].id].choices == ["store"]
    assert rows[q["multi"].id].choices == ["price", "staff"]  # in the question's order
    assert rows[q["text"].id].text == "Quick and friendly."
    assert all(a.question_type == a.question.type for a in rows.values())


@pytest.mark.django_db
def test_a_submission_redirects_to_the_thank_you_page_in_the_customer_language(client, questions, invitation):
    answers = valid_answers(questions) | {"lang": "zh-hans"}
    response = client.post(link(invitation), answers, follow=True)
    assert response.redirect_chain == [(reverse("survey-thanks") + "?lang=zh-hans", 302)]
    assert "谢谢" in response.content.decode()
    assert Response.objects.get().language == "zh-hans"


@pytest.mark.django_db
def test_a_submission_marks_the_invitation_responded(client, questions, invitation):
    client.post(link(invitation), valid_answers(questions))
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.RESPONDED
    assert invitation.responded_at is not None and invitation.opened_at is not None


@pytest.mark.django_db
def test_a_submission_marks_the_new_response_for_the_rollups(client, questions, invitation):
    client.post(link(invitation), valid_answers(questions))
    response = Response.objects.get()
    assert list(StaleMark.objects.filter(kind=StaleKind.RESPONSE_ROW).values_list("row_id", flat=True)) == [
        response.id
    ]


@pytest.mark.django_db
def test_optional_questions_may_be_left_blank(client, questions, invitation):
    answers = valid_answers(questions)
    del answers[f"q{questions['multi'].id}"]
    answers[f"q{questions['text'].id}"] = "   "
    assert client.post(link(invitation), answers).status_code == 302
    answered = set(Response.objects.get().answers.values_list("question_id", flat=True))
    assert questions["multi"].id not in answered and questions["text"].id not in answered


@pytest.mark.django_db
def test_an_optional_expectation_pair_left_blank_stores_no_answer(client):
    pair = QuestionFactory(type=QType.EXPECTATION_EXPERIENCE, required=False, scale_min=1, scale_max=5)
    invitation = InvitationFactory(survey=pair.survey)
    assert client.post(link(invitation), {}).status_code == 302
    assert not Answer.objects.exists() and Response.objects.count() == 1


@pytest.mark.django_db
def test_the_answer_post_needs_no_csrf_cookie(questions, invitation):
    """The token in the path is the secret; browsers post ``Origin: null`` under no-referrer."""
    client = Client(enforce_csrf_checks=True)
    assert client.post(link(invitation), valid_answers(questions)).status_code == 302


# --- invalid submissions: a message next to the question, nothing saved --------------------------


def _scale(name, value):
    return lambda q: {f"q{q[name].id}": value}


BAD_ANSWERS = {
    "nps above 10": ("nps", _scale("nps", "11"), "Choose a whole number from 0 to 10."),
    "nps below 0": ("nps", _scale("nps", "-1"), "Choose a whole number from 0 to 10."),
    "nps not whole": ("nps", _scale("nps", "7.5"), "Choose a whole number from 0 to 10."),
    "nps as a decimal": ("nps", _scale("nps", "7.0"), "Choose a whole number from 0 to 10."),
    "nps not a number": ("nps", _scale("nps", "ten"), "Choose a whole number from 0 to 10."),
    "nps given twice": (
        "nps",
        lambda q: {f"q{q['nps'].id}": ["3", "9"]},
        "Choose a whole number from 0 to 10.",
    ),
    "csat 0": ("csat", _scale("csat", "0"), "Choose a whole number from 1 to 5."),
    "ces 8": ("ces", _scale("ces", "8"), "Choose a whole number from 1 to 7."),
    "rating past its own scale": ("rating", _scale("rating", "5"), "Choose a whole number from 1 to 4."),
    "required nps missing": ("nps", _scale("nps", ""), "Please answer this question."),
    "required choice missing": ("single", _scale("single", ""), "Please answer this question."),
    "expectation 0": (
        "pair",
        lambda q: {f"q{q['pair'].id}-expected": "0"},
        "Choose a whole number from 1 to 10.",
    ),
    "pair half missing": (
        "pair",
        lambda q: {f"q{q['pair'].id}-expected": ""},
        "Please answer both parts: what you expected and what you got.",
    ),
    "choice not among the values": ("single", _scale("single", "email"), "Choose one of the options shown."),
    "multi choice with a foreign value": (
        "multi",
        lambda q: {f"q{q['multi'].id}": ["price", "bribe"]},
        "Choose only among the options shown.",
    ),
    "text too long": (
        "text",
        _scale("text", "x" * 2001),
        "Please keep your answer to 2000 characters or fewer",
    ),
    "text with a null character": (
        "text",
        _scale("text", "ok\x00"),
        "contains a character that cannot be stored",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_ANSWERS.values(), ids=BAD_ANSWERS.keys())
def test_an_invalid_answer_is_explained_next_to_its_question_and_nothing_is_saved(
    client, questions, invitation, case
):
    name, change, message = case
    response = client.post(link(invitation), valid_answers(questions) | change(questions))
    assert response.status_code == 400
    content = response.content.decode()
    error_at = content.index(f'<p class="field-error" id="q{questions[name].id}-error">')
    assert message in content[error_at : error_at + 200]
    assert content.count('class="field-error"') == 1
    assert nothing_saved(invitation)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["q987654", "q987654-expected", "q{other}"])
def test_an_answer_to_a_question_the_survey_does_not_have_refuses_the_form(
    client, questions, invitation, field
):
    other = QuestionFactory(survey=SurveyFactory())  # a real question, of another survey
    answers = valid_answers(questions) | {field.format(other=other.id): "5"}
    response = client.post(link(invitation), answers)
    assert response.status_code == 400
    assert "This survey has changed since the page was opened" in response.content.decode()
    assert nothing_saved(invitation)


@pytest.mark.django_db
def test_fields_that_are_no_answers_are_ignored(client, questions, invitation):
    answers = valid_answers(questions) | {"csrfmiddlewaretoken": "x", "utm_source": "mail", "submit": "1"}
    assert client.post(link(invitation), answers).status_code == 302


@pytest.mark.django_db
def test_posted_answers_are_kept_on_the_page_after_an_error(client, questions, invitation):
    answers = valid_answers(questions) | {f"q{questions['nps'].id}": ""}
    content = client.post(link(invitation), answers).content.decode()
    assert f'id="q{questions["csat"].id}-4" name="q{questions["csat"].id}" value="4" checked' in content
    assert 'value="store" checked' in content
    assert "Quick and friendly." in content


@pytest.mark.django_db
def test_html_in_a_text_answer_is_stored_as_text_and_escaped_on_the_page(client, questions, invitation):
    script = '<script>alert("x")</script><b>bold</b>'
    invalid = valid_answers(questions) | {f"q{questions['text'].id}": script, f"q{questions['nps'].id}": "99"}
    content = client.post(link(invitation), invalid).content.decode()
    assert script not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in content
    client.post(link(invitation), invalid | {f"q{questions['nps'].id}": "9"})
    assert Answer.objects.get(question=questions["text"]).text == script


@pytest.mark.django_db
def test_question_texts_are_escaped_too(client):
    question = QuestionFactory(type=QType.NPS, texts={"en": "<img src=x onerror=alert(1)>"})
    content = client.get(link(InvitationFactory(survey=question.survey))).content.decode()
    assert "<img src=x" not in content and "&lt;img src=x onerror=alert(1)&gt;" in content


# --- the service ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_service_reports_errors_by_question_id(questions, invitation):
    data = valid_answers(questions) | {f"q{questions['nps'].id}": "11", f"q{questions['ces'].id}": ""}
    with pytest.raises(AnswerErrors) as raised:
        response_submit(invitation=invitation, data=data, language="en")
    assert raised.value.errors == {
        questions["nps"].id: "Choose a whole number from 0 to 10.",
        questions["ces"].id: "Please answer this question.",
    }


WRONG_TYPES = {
    "a number, not its text": ("nps", 9, "Choose a whole number from 0 to 10."),
    "a list for a scale": ("nps", ["9"], "Choose a whole number from 0 to 10."),
    "a string for a multiple choice": ("multi", "price", "Choose only among the options shown."),
    "a mapping for a single choice": ("single", {"value": "store"}, "Choose one of the options shown."),
    "a list for a text": ("text", ["a", "b"], "This survey has changed since the page was opened."),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_the_service_refuses_values_of_the_wrong_type(questions, invitation, case):
    name, value, message = case
    data = valid_answers(questions) | {f"q{questions[name].id}": value}
    with pytest.raises(AnswerErrors) as raised:
        response_submit(invitation=invitation, data=data, language="en")
    assert raised.value.errors[questions[name].id].startswith(message)
    assert nothing_saved(invitation)


@pytest.mark.django_db
def test_the_service_writes_messages_in_the_customer_language(questions, invitation):
    data = valid_answers(questions) | {f"q{questions['nps'].id}": "11"}
    with pytest.raises(AnswerErrors) as raised:
        response_submit(invitation=invitation, data=data, language="zh-hans")
    assert raised.value.errors == {questions["nps"].id: "请选择 0 到 10 之间的整数。"}


@pytest.mark.django_db
def test_the_service_stores_a_language_the_survey_does_not_offer_as_its_first(questions, invitation):
    response = response_submit(invitation=invitation, data=valid_answers(questions), language="fr")
    assert response.language == "en"


@pytest.mark.django_db
def test_the_service_refuses_an_expired_invitation(questions):
    invitation = InvitationFactory(survey=questions["nps"].survey)
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=61), expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(InvitationClosed):
        response_submit(invitation=invitation, data=valid_answers(questions), language="en")
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_the_service_refuses_an_invitation_of_a_closed_survey(questions, invitation):
    Survey.objects.filter(pk=invitation.survey_id).update(status=Survey.Status.CLOSED)
    with pytest.raises(InvitationClosed):
        response_submit(invitation=invitation, data=valid_answers(questions), language="en")


# --- once only ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_second_submission_is_refused_with_409_and_the_first_kept(client, questions, invitation):
    client.post(link(invitation), valid_answers(questions))
    again = client.post(link(invitation), valid_answers(questions) | {f"q{questions['nps'].id}": "0"})
    assert again.status_code == 409
    assert b"You have already answered" in again.content
    assert Response.objects.count() == 1
    assert Answer.objects.get(question=questions["nps"]).score == 9


@pytest.mark.django_db
def test_the_service_raises_already_answered_on_a_second_call(questions, invitation):
    response_submit(invitation=invitation, data=valid_answers(questions), language="en")
    with pytest.raises(AlreadyAnswered):
        response_submit(invitation=invitation, data=valid_answers(questions), language="en")


@pytest.mark.django_db
def test_a_second_submission_with_invalid_answers_is_still_told_it_was_answered(
    client, questions, invitation
):
    client.post(link(invitation), valid_answers(questions))
    assert client.post(link(invitation), {f"q{questions['nps'].id}": "99"}).status_code == 409


@pytest.mark.django_db
def test_posting_to_an_unknown_or_expired_link_gets_the_neutral_page(client, questions):
    expired = InvitationFactory(survey=questions["nps"].survey, status=Invitation.Status.EXPIRED)
    unknown = client.post(reverse("survey-answer", args=[token_for("0" * 32)]), valid_answers(questions))
    response = client.post(link(expired), valid_answers(questions))
    assert (response.status_code, unknown.status_code) == (404, 404)
    assert response.content == unknown.content
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_no_plain_token_is_stored_anywhere_once_an_invitation_is_answered(client, questions, invitation):
    token = token_for(invitation.token_nonce)
    client.get(link(invitation))
    client.post(link(invitation), valid_answers(questions))
    response = Response.objects.get()
    rows = [
        *Invitation.objects.filter(pk=invitation.pk).values(),
        *Response.objects.filter(pk=response.pk).values(),
        *Answer.objects.filter(response=response).values(),
    ]
    assert len(rows) == 2 + len(questions)
    stored = repr(rows)
    assert token not in stored
    assert invitation.token_hash in stored  # the scan sees the columns the token would be in


# --- concurrency, on PostgreSQL -----------------------------------------------------------------


@pytest.fixture
def on_postgres(transactional_db):
    if connection.vendor != "postgresql":
        from tests.conftest import skip_or_fail

        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")


def test_twenty_concurrent_submissions_of_one_token_store_exactly_one_response(on_postgres):
    questions = build_survey()
    invitation = InvitationFactory(survey=questions["nps"].survey, status=Invitation.Status.SENT)
    answers, url = valid_answers(questions), link(invitation)
    barrier = threading.Barrier(20)
    statuses, errors = [], []

    def submit():
        try:
            barrier.wait(timeout=30)
            statuses.append(Client().post(url, answers).status_code)
        except Exception as error:  # noqa: BLE001 - handed to the test thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a submission hung"
    assert errors == []
    assert sorted(statuses) == [302] + [409] * 19
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert Answer.objects.count() == len(questions)
