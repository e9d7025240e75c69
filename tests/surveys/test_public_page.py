"""The customer's survey page: what GET shows and changes, the neutral page, the failure limit and
the staff preview."""

from datetime import timedelta
from html.parser import HTMLParser
from uuid import uuid4

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys.models import Invitation, Question, Response, Survey
from surveys.tokens import token_for
from surveys.views.public import ANSWERED_COOKIE, ANSWERED_COOKIE_SALT
from tests.factories import InvitationFactory, QuestionFactory, ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db

QType = Question.Type


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own: failure counts must not leak from one test into another."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid4())}
    }


def link(invitation: Invitation, **query) -> str:
    url = reverse("survey-answer", args=[token_for(invitation.token_nonce)])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def survey() -> Survey:
    """A survey with one question of every type, in English and Chinese."""
    survey = SurveyFactory(intros={"en": "Two minutes, no more.", "zh-hans": "只需两分钟。"})
    QuestionFactory(
        survey=survey,
        order=1,
        type=QType.NPS,
        scale_labels={"en": ["Not at all likely", "Extremely likely"], "zh-hans": ["完全不可能", "极有可能"]},
    )
    QuestionFactory(
        survey=survey, order=2, type=QType.CSAT, texts={"en": "Satisfied?", "zh-hans": "满意吗？"}
    )
    QuestionFactory(survey=survey, order=3, type=QType.CES, texts={"en": "Easy?", "zh-hans": "容易吗？"})
    QuestionFactory(
        survey=survey, order=4, type=QType.RATING, scale_min=1, scale_max=4, texts={"en": "Rate the staff"}
    )
    QuestionFactory(
        survey=survey,
        order=5,
        type=QType.EXPECTATION_EXPERIENCE,
        scale_min=1,
        scale_max=10,
        texts={"en": "Speed of delivery", "zh-hans": "送货速度"},
    )
    QuestionFactory(
        survey=survey,
        order=6,
        type=QType.SINGLE_CHOICE,
        texts={"en": "Channel?"},
        choices=[
            {"value": "phone", "labels": {"en": "Phone", "zh-hans": "电话"}},
            {"value": "store", "labels": {"en": "Store", "zh-hans": "门店"}},
        ],
    )
    QuestionFactory(
        survey=survey,
        order=7,
        type=QType.MULTI_CHOICE,
        required=False,
        texts={"en": "What mattered?"},
        choices=[
            {"value": "price", "labels": {"en": "Price"}},
            {"value": "speed", "labels": {"en": "Speed"}},
        ],
    )
    QuestionFactory(
        survey=survey,
        order=8,
        type=QType.TEXT,
        required=False,
        texts={"en": "Anything else?", "zh-hans": "其他？"},
    )
    return survey


@pytest.fixture
def invitation(survey) -> Invitation:
    return InvitationFactory(survey=survey, status=Invitation.Status.SENT, language="en")


class FormOutline(HTMLParser):
    """Collects inputs, labels and fieldset/legend pairs of a page."""

    def __init__(self):
        super().__init__()
        self.inputs: list[dict] = []
        self.label_targets: set[str] = set()
        self.fieldsets = 0
        self.legends = 0
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "textarea", "select") and attrs.get("type") != "hidden":
            self.inputs.append(attrs)
        elif tag == "label" and "for" in attrs:
            self.label_targets.add(attrs["for"])
        elif tag == "fieldset":
            self.fieldsets += 1
        elif tag == "legend":
            self.legends += 1
        elif tag == "script":
            self.scripts += 1


def outline(response) -> FormOutline:
    parser = FormOutline()
    parser.feed(response.content.decode())
    return parser


# --- what the page shows --------------------------------------------------------------------------


def test_nps_is_eleven_radio_buttons_from_0_to_10_with_the_labelled_ends(client, invitation, survey):
    nps = survey.questions.get(order=1)
    page = outline(client.get(link(invitation)))
    radios = [i for i in page.inputs if i.get("name") == f"q{nps.id}"]
    assert [(r["type"], r["value"]) for r in radios] == [("radio", str(n)) for n in range(11)]
    content = client.get(link(invitation)).content.decode()
    assert "0 = Not at all likely" in content and "10 = Extremely likely" in content


@pytest.mark.parametrize(("order", "values"), [(2, range(1, 6)), (3, range(1, 8)), (4, range(1, 5))])
def test_csat_ces_and_rating_offer_exactly_their_scale(client, invitation, survey, order, values):
    question = survey.questions.get(order=order)
    page = outline(client.get(link(invitation)))
    assert [i["value"] for i in page.inputs if i.get("name") == f"q{question.id}"] == [str(n) for n in values]


def test_expectation_pair_asks_what_was_expected_and_what_was_got_on_its_scale(client, invitation, survey):
    pair = survey.questions.get(order=5)
    response = client.get(link(invitation))
    page = outline(response)
    expected = [i["value"] for i in page.inputs if i.get("name") == f"q{pair.id}-expected"]
    experienced = [i["value"] for i in page.inputs if i.get("name") == f"q{pair.id}"]
    assert expected == experienced == [str(n) for n in range(1, 11)]
    assert b"What did you expect?" in response.content and b"What did you get?" in response.content


def test_choices_are_offered_with_their_labels(client, invitation, survey):
    single, multi = survey.questions.get(order=6), survey.questions.get(order=7)
    page = outline(client.get(link(invitation)))
    assert [(i["type"], i["value"]) for i in page.inputs if i.get("name") == f"q{single.id}"] == [
        ("radio", "phone"),
        ("radio", "store"),
    ]
    assert [(i["type"], i["value"]) for i in page.inputs if i.get("name") == f"q{multi.id}"] == [
        ("checkbox", "price"),
        ("checkbox", "speed"),
    ]


def test_text_answer_is_limited_to_the_configured_length(client, invitation, survey, settings):
    settings.SURVEY_TEXT_MAX_LENGTH = 500
    text = survey.questions.get(order=8)
    page = outline(client.get(link(invitation)))
    (area,) = [i for i in page.inputs if i.get("name") == f"q{text.id}"]
    assert area["maxlength"] == "500"


def test_every_input_is_labelled_and_every_question_is_a_fieldset_with_a_legend(client, invitation):
    page = outline(client.get(link(invitation)))
    assert page.inputs
    unlabelled = [i for i in page.inputs if i.get("id") not in page.label_targets]
    assert unlabelled == []
    # eight questions, plus one inner fieldset per half of the expectation pair
    assert page.fieldsets == page.legends == 10


def test_optional_questions_say_so_and_the_page_counts_its_questions(client, invitation):
    content = client.get(link(invitation)).content.decode()
    assert content.count("(optional)") == 2
    assert "8 questions" in content
    assert "Question 8 of 8" in content


def test_page_needs_no_script_and_uses_its_own_stylesheet_without_staff_navigation(
    manager_client, invitation
):
    response = manager_client.get(link(invitation))  # even a signed-in manager sees the customer's page
    assert outline(response).scripts == 0
    assert b"/static/css/survey.css" in response.content
    assert b"/static/css/cem.css" not in response.content
    assert b"Sign out" not in response.content and b"maya" not in response.content


def test_page_loads_survey_and_questions_in_a_fixed_number_of_queries(
    client, invitation, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):  # invitation + survey + customer, questions, the open mark
        assert client.get(link(invitation)).status_code == 200


def test_public_pages_send_no_referrer_and_are_never_cached(client, invitation):
    for response in (client.get(link(invitation)), client.get(reverse("survey-answer", args=["x" * 43]))):
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Cache-Control"] == "no-store"


# --- language -------------------------------------------------------------------------------------


def test_page_is_shown_in_the_invitation_language_with_chinese_question_texts(client, survey):
    invitation = InvitationFactory(survey=survey, language="zh-hans")
    content = client.get(link(invitation)).content.decode()
    assert '<html lang="zh-hans">' in content
    assert "请告诉我们您的体验" in content  # the survey title
    assert "您向朋友或同事推荐我们的可能性有多大？" in content  # the NPS question
    assert "0 = 完全不可能" in content
    assert "电话" in content  # a choice label
    assert "提交答案" in content  # the submit button
    assert "Send my answers" not in content


def test_lang_parameter_switches_to_another_language_the_survey_offers(client, invitation):
    content = client.get(link(invitation, lang="zh-hans")).content.decode()
    assert "送货速度" in content and "您的期望是？" in content


def test_lang_parameter_for_a_language_the_survey_does_not_offer_is_ignored(client, survey):
    survey.languages = ["en"]
    survey.save()
    invitation = InvitationFactory(survey=survey, language="en")
    content = client.get(link(invitation, lang="zh-hans")).content.decode()
    assert '<html lang="en">' in content and "提交答案" not in content


def test_language_switcher_lists_only_the_languages_the_survey_offers(client, invitation, survey):
    content = client.get(link(invitation)).content.decode()
    assert 'href="?lang=zh-hans"' in content and 'href="?lang=en"' in content
    survey.languages = ["en"]
    survey.save()
    assert "?lang=" not in client.get(link(invitation)).content.decode()


def test_unknown_invitation_language_falls_back_to_the_survey_first_language(client, survey):
    survey.languages = ["zh-hans", "en"]
    survey.save()
    invitation = InvitationFactory(survey=survey, language="fr")
    assert '<html lang="zh-hans">' in client.get(link(invitation)).content.decode()


# --- GET changes nothing but "opened" ---------------------------------------------------------


def test_get_marks_the_invitation_opened_and_sets_opened_at_once(client, invitation):
    client.get(link(invitation))
    invitation.refresh_from_db()
    first = invitation.opened_at
    assert invitation.status == Invitation.Status.OPENED and first is not None
    client.get(link(invitation))
    invitation.refresh_from_db()
    assert invitation.opened_at == first


def test_get_of_a_queued_invitation_marks_it_opened(client, survey):
    invitation = InvitationFactory(survey=survey, status=Invitation.Status.QUEUED)
    client.get(link(invitation))
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPENED


def test_two_gets_then_a_post_stores_the_answer(client):
    question = QuestionFactory(type=QType.NPS)
    invitation = InvitationFactory(survey=question.survey)
    client.get(link(invitation))
    client.get(link(invitation))
    response = client.post(link(invitation), {f"q{question.id}": "9"})
    assert response.status_code == 302
    assert Response.objects.get(invitation=invitation).answers.get().score == 9


# --- the neutral page -------------------------------------------------------------------------


def test_unknown_expired_and_answered_tokens_get_the_same_neutral_page(client, survey):
    answered = ResponseFactory(
        invitation__survey=survey, invitation__status=Invitation.Status.RESPONDED
    ).invitation
    expired_by_date = InvitationFactory(survey=survey)
    Invitation.objects.filter(pk=expired_by_date.pk).update(
        created_at=timezone.now() - timedelta(days=61), expires_at=timezone.now() - timedelta(seconds=1)
    )
    expired_by_status = InvitationFactory(survey=survey, status=Invitation.Status.EXPIRED)
    urls = [
        reverse("survey-answer", args=[token_for("0" * 32)]),  # well-formed but unknown
        reverse("survey-answer", args=["not-a-token"]),
        link(answered),
        link(expired_by_date),
        link(expired_by_status),
    ]
    responses = [client.get(url) for url in urls]
    assert {r.status_code for r in responses} == {404}
    assert len({r.content for r in responses}) == 1
    assert len({tuple(sorted(r.headers.items())) for r in responses}) == 1
    assert not any(r.cookies for r in responses)
    assert b"This link is no longer open" in responses[0].content


def test_a_closed_survey_answers_with_the_neutral_page(client, invitation, survey):
    survey.status = Survey.Status.CLOSED
    survey.save()
    unknown = client.get(reverse("survey-answer", args=[token_for("0" * 32)]))
    response = client.get(link(invitation))
    assert (response.status_code, response.content) == (404, unknown.content)


def test_neutral_page_does_not_change_the_invitation(client, survey):
    invitation = InvitationFactory(survey=survey, status=Invitation.Status.EXPIRED)
    client.get(link(invitation))
    invitation.refresh_from_db()
    assert (invitation.status, invitation.opened_at) == (Invitation.Status.EXPIRED, None)


# --- reopening an answered link from the browser that answered it ---------------------------------


def answer(client, invitation: Invitation, **extra):
    """Submit ``invitation``'s one NPS question from ``client``."""
    question = invitation.survey.questions.get()
    response = client.post(link(invitation), {f"q{question.id}": "9"}, **extra)
    assert response.status_code == 302
    return response


@pytest.fixture
def one_question() -> Survey:
    survey = SurveyFactory()
    QuestionFactory(survey=survey, type=QType.NPS)
    return survey


def neutral(client) -> bytes:
    return client.get(reverse("survey-answer", args=[token_for("0" * 32)])).content


def test_the_browser_that_answered_is_told_so_when_it_reopens_the_link(client, one_question):
    invitation = InvitationFactory(survey=one_question, language="en")
    answer(client, invitation)
    invitation.refresh_from_db()
    before = (invitation.status, invitation.opened_at, invitation.responded_at)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(link(invitation))
    assert response.status_code == 200
    content = response.content.decode()
    assert "You have already answered — thank you" in content
    assert "This link is no longer open" not in content and "<form" not in content
    # GET changes nothing: only reads, and the invitation is as the submission left it.
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in queries.captured_queries)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.opened_at, invitation.responded_at) == before
    assert Response.objects.filter(invitation=invitation).count() == 1
    # The public pages' headers stay.
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert not response.cookies


def test_the_answered_page_speaks_the_survey_language(client, one_question):
    invitation = InvitationFactory(survey=one_question, language="zh-hans")
    answer(client, invitation)
    response = client.get(link(invitation))
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "您已经回答过了，谢谢！" in response.content.decode()
    assert "thank you" in client.get(link(invitation, lang="en")).content.decode()


def test_the_answered_cookie_holds_the_invitation_id_only_and_stays_on_survey_pages(
    client, one_question, settings
):
    settings.HTTPS = False
    invitation = InvitationFactory(survey=one_question)
    token = token_for(invitation.token_nonce)
    cookie = answer(client, invitation).cookies[ANSWERED_COOKIE]
    assert token not in cookie.output() and invitation.token_hash not in cookie.output()
    assert cookie.value.split(":")[0] == str(invitation.pk)
    assert (cookie["path"], cookie["httponly"], cookie["samesite"], cookie["secure"]) == (
        "/s/",
        True,
        "Lax",
        "",
    )
    assert int(cookie["max-age"]) == settings.SURVEY_INVITATION_EXPIRY_DAYS * 24 * 3600


@pytest.mark.parametrize("https_setting, secure_request", [(True, False), (False, True)])
def test_the_answered_cookie_is_secure_over_https(
    client, one_question, settings, https_setting, secure_request
):
    settings.HTTPS = https_setting
    invitation = InvitationFactory(survey=one_question)
    cookie = answer(client, invitation, secure=secure_request).cookies[ANSWERED_COOKIE]
    assert cookie["secure"] is True


def test_another_browser_gets_the_neutral_page_for_an_answered_link(client, one_question):
    invitation = InvitationFactory(survey=one_question)
    answer(client, invitation)
    response = Client().get(link(invitation))
    assert (response.status_code, response.content) == (404, neutral(client))


def test_a_forged_or_foreign_answered_cookie_gets_the_neutral_page(client, one_question):
    answered = ResponseFactory(
        invitation__survey=one_question, invitation__status=Invitation.Status.RESPONDED
    ).invitation
    mine = InvitationFactory(survey=one_question)
    answer(client, mine)
    forgeries = [
        str(answered.pk),  # unsigned
        signing.get_cookie_signer(salt="another purpose").sign(str(answered.pk)),
        signing.get_cookie_signer(salt=ANSWERED_COOKIE_SALT).sign(str(answered.pk))[:-1] + "x",
    ]
    unknown = neutral(Client())
    for forged in forgeries:
        browser = Client()
        browser.cookies[ANSWERED_COOKIE] = forged
        response = browser.get(link(answered))
        assert (response.status_code, response.content) == (404, unknown)
    # A genuine cookie opens only the invitations answered from that browser.
    response = client.get(link(answered))
    assert (response.status_code, response.content) == (404, unknown)


def test_the_cookie_remembers_several_answered_links(client, one_question):
    first, second = InvitationFactory(survey=one_question), InvitationFactory(survey=one_question)
    answer(client, first)
    answer(client, second)
    for invitation in (first, second):
        assert client.get(link(invitation)).status_code == 200


def test_an_answered_cookie_does_not_change_open_or_expired_links(client, one_question):
    answer(client, InvitationFactory(survey=one_question))
    fresh = InvitationFactory(survey=one_question, status=Invitation.Status.SENT)
    assert b"<form" in client.get(link(fresh)).content
    expired = InvitationFactory(survey=one_question, status=Invitation.Status.EXPIRED)
    response = client.get(link(expired))
    assert (response.status_code, response.content) == (404, neutral(Client()))


# --- the failure limit ----------------------------------------------------------------------------


def test_unknown_tokens_past_the_failure_limit_get_429_even_for_a_good_link(client, invitation, settings):
    settings.SURVEY_FAILURE_LIMIT = 3
    for number in range(3):
        assert client.get(reverse("survey-answer", args=[token_for(f"{number:032d}")])).status_code == 404
    response = client.get(link(invitation))
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.SURVEY_FAILURE_WINDOW_SECONDS)
    assert b"Please try again later" in response.content


def test_invalid_submissions_count_as_failures(client, invitation, survey, settings):
    settings.SURVEY_FAILURE_LIMIT = 2
    nps = survey.questions.get(order=1)
    assert client.post(link(invitation), {f"q{nps.id}": "11"}).status_code == 400
    assert client.post(link(invitation), {f"q{nps.id}": "12"}).status_code == 400
    assert client.post(link(invitation), {f"q{nps.id}": "9"}).status_code == 429
    assert not hasattr(Invitation.objects.get(pk=invitation.pk), "response")


def test_the_failure_limit_counts_each_client_address_apart(invitation, settings):
    settings.SURVEY_FAILURE_LIMIT = 2
    prober, customer = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="198.51.100.7")
    for number in range(3):
        prober.get(reverse("survey-answer", args=[token_for(f"{number:032d}")]))
    assert prober.get(link(invitation)).status_code == 429
    assert customer.get(link(invitation)).status_code == 200


def test_successful_pages_count_no_failure(client, invitation, settings):
    settings.SURVEY_FAILURE_LIMIT = 1
    for _ in range(3):
        assert client.get(link(invitation)).status_code == 200


# --- thank-you page -------------------------------------------------------------------------------


def test_thank_you_page_speaks_the_customer_language(client):
    assert "谢谢" in client.get(reverse("survey-thanks") + "?lang=zh-hans").content.decode()
    response = client.get(reverse("survey-thanks") + "?lang=xx")
    assert b"Thank you" in response.content
    assert response["Referrer-Policy"] == "no-referrer"


# --- the staff preview ----------------------------------------------------------------------------


def preview_url(survey, **query) -> str:
    url = reverse("survey-preview", args=[survey.id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_preview_shows_managers_the_public_page_posting_nowhere(manager_client, survey):
    survey.status = Survey.Status.DRAFT
    survey.save()
    response = manager_client.get(preview_url(survey))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Preview" in content
    assert 'method="post"' not in content and "action=" not in content
    assert '<button type="submit" class="button primary" disabled>' in content
    assert "How likely are you to recommend us" in content and "/static/css/survey.css" in content


def test_preview_follows_the_lang_parameter(manager_client, survey):
    content = manager_client.get(preview_url(survey, lang="zh-hans")).content.decode()
    assert "预览" in content and "您向朋友或同事推荐我们的可能性有多大？" in content


def test_preview_is_refused_to_agents(agent_client, survey):
    assert agent_client.get(preview_url(survey)).status_code == 403


def test_preview_is_refused_to_users_without_a_role(outsider_client, survey):
    response = outsider_client.get(preview_url(survey))
    assert response.status_code == 403
    assert b"How likely are you to recommend us" not in response.content


def test_preview_sends_anonymous_visitors_to_sign_in(client, survey):
    response = client.get(preview_url(survey))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_preview_of_an_unknown_survey_is_404(manager_client):
    assert manager_client.get(reverse("survey-preview", args=[987654])).status_code == 404
