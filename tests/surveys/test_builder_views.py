"""The survey builder's pages: who may open them, and what each form does."""

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import Question, Survey, SurveyRule
from tests.factories import AnswerFactory, QuestionFactory, ResponseFactory, SurveyFactory, TouchpointFactory
from touchpoints.models import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The role fixtures set a password; the default hasher spends most of a second on it, and
    this module creates a user in every one of its ~120 tests. (Autouse: runs before them.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def survey():
    """A draft survey in English and Chinese with one NPS question and one rule."""
    survey = SurveyFactory(name="Delivery follow-up", status=Survey.Status.DRAFT)
    QuestionFactory(survey=survey, order=1)
    SurveyRule.objects.create(survey=survey, stage=Stage.POST_SALE)
    return survey


def url_for(name: str, survey: Survey) -> str:
    question, rule = survey.questions.first(), survey.rules.first()
    args = {
        "survey": [survey.pk],
        "question": [survey.pk, question.pk] if question else [],
        "rule": [survey.pk, rule.pk] if rule else [],
        "none": [],
    }
    scope = (
        "none"
        if name in ("survey-builder-list", "survey-builder-create")
        else "question"
        if "-question-" in name and not name.endswith("create")
        else "rule"
        if "-rule-" in name and not name.endswith("create")
        else "survey"
    )
    return reverse(name, args=args[scope])


BUILDER_PAGES = [
    ("survey-builder-list", "get"),
    ("survey-builder-create", "get"),
    ("survey-builder-create", "post"),
    ("survey-builder-detail", "get"),
    ("survey-builder-edit", "get"),
    ("survey-builder-edit", "post"),
    ("survey-builder-publish", "post"),
    ("survey-builder-close", "post"),
    ("survey-builder-question-create", "get"),
    ("survey-builder-question-create", "post"),
    ("survey-builder-question-edit", "get"),
    ("survey-builder-question-edit", "post"),
    ("survey-builder-question-delete", "get"),
    ("survey-builder-question-delete", "post"),
    ("survey-builder-question-move", "post"),
    ("survey-builder-rule-create", "post"),
    ("survey-builder-rule-active", "post"),
    ("survey-builder-rule-delete", "post"),
]
POST_ONLY = sorted(
    {name for name, method in BUILDER_PAGES if method == "post"}
    - {name for name, method in BUILDER_PAGES if method == "get"}
)


def page_id(page) -> str:
    return f"{page[1].upper()} {page[0]}"


@pytest.mark.parametrize("page", BUILDER_PAGES, ids=page_id)
def test_manager_may_open_every_builder_page(manager_client, survey, page):
    name, method = page
    response = getattr(manager_client, method)(url_for(name, survey))
    assert response.status_code in (200, 302, 400)
    assert not response.get("Location", "").startswith(reverse("login"))


@pytest.mark.parametrize("page", BUILDER_PAGES, ids=page_id)
def test_agent_gets_403_on_every_builder_page(agent_client, survey, page):
    name, method = page
    assert getattr(agent_client, method)(url_for(name, survey)).status_code == 403


@pytest.mark.parametrize("page", BUILDER_PAGES, ids=page_id)
def test_user_without_a_role_gets_403_on_every_builder_page(outsider_client, survey, page):
    name, method = page
    assert getattr(outsider_client, method)(url_for(name, survey)).status_code == 403


@pytest.mark.parametrize("page", BUILDER_PAGES, ids=page_id)
def test_anonymous_visitor_is_sent_to_login_from_every_builder_page(client, survey, page):
    name, method = page
    response = getattr(client, method)(url_for(name, survey))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_refused_agent_changes_nothing(agent_client, survey):
    agent_client.post(url_for("survey-builder-question-delete", survey))
    agent_client.post(url_for("survey-builder-publish", survey))
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT
    assert survey.questions.count() == 1


@pytest.mark.parametrize("name", POST_ONLY)
def test_changes_are_post_only(manager_client, survey, name):
    assert manager_client.get(url_for(name, survey)).status_code == 405


def test_changes_need_the_csrf_token(manager, survey):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.post(url_for("survey-builder-publish", survey)).status_code == 403
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT


def test_navigation_shows_surveys_to_managers(manager_client):
    link = f'href="{reverse("survey-builder-list")}"'.encode()
    assert link in manager_client.get(reverse("home")).content


def test_navigation_hides_surveys_from_agents(agent_client):
    link = f'href="{reverse("survey-builder-list")}"'.encode()
    assert link not in agent_client.get(reverse("home")).content


# --- The list ---------------------------------------------------------------------------


def test_list_shows_each_survey_with_its_question_and_response_counts(manager_client, survey):
    QuestionFactory(survey=survey, order=2)
    for _ in range(3):
        ResponseFactory(invitation__survey=survey)
    response = manager_client.get(reverse("survey-builder-list"))
    [row] = response.context["surveys"]
    assert (row.name, row.question_count, row.response_count) == ("Delivery follow-up", 2, 3)
    assert b"Delivery follow-up" in response.content
    assert b"English, Simplified Chinese" in response.content
    assert b"New survey" in response.content


def test_list_counts_zero_for_a_survey_without_questions_or_responses(manager_client):
    SurveyFactory()
    [row] = manager_client.get(reverse("survey-builder-list")).context["surveys"]
    assert (row.question_count, row.response_count) == (0, 0)


@pytest.mark.parametrize("surveys", [2, 20])
def test_list_query_count_does_not_grow_with_the_surveys(
    manager_client, django_assert_max_num_queries, surveys
):
    for survey in SurveyFactory.create_batch(surveys):
        QuestionFactory(survey=survey)
        ResponseFactory(invitation__survey=survey)
    with django_assert_max_num_queries(5):
        response = manager_client.get(reverse("survey-builder-list"))
    assert len(response.context["surveys"]) == surveys


# --- Surveys ----------------------------------------------------------------------------

SURVEY_FORM = {
    "name": "After delivery",
    "kind": Survey.Kind.TRANSACTIONAL,
    "languages": ["en", "zh-hans"],
    "default_language": "zh-hans",
    "title_en": "How was delivery?",
    "title_zh-hans": "配送体验如何？",
    "intro_en": "Two minutes, promise.",
    "touchpoint": "",
}


def test_manager_creates_a_draft_survey(manager_client, manager):
    touchpoint = TouchpointFactory(name="Delivery")
    response = manager_client.post(
        reverse("survey-builder-create"), {**SURVEY_FORM, "touchpoint": touchpoint.pk}
    )
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("survey-builder-detail", args=[survey.pk])
    assert (survey.status, survey.languages, survey.touchpoint) == ("draft", ["zh-hans", "en"], touchpoint)
    assert survey.titles == {"en": "How was delivery?", "zh-hans": "配送体验如何？"}
    assert survey.intros == {"en": "Two minutes, promise."}
    assert survey.created_by == manager


def test_survey_form_requires_a_title_in_each_offered_language(manager_client):
    response = manager_client.post(reverse("survey-builder-create"), {**SURVEY_FORM, "title_zh-hans": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "title_zh-hans": ["Write the title in Simplified Chinese: the survey offers it."]
    }
    assert not Survey.objects.exists()


def test_survey_form_requires_a_language(manager_client):
    response = manager_client.post(reverse("survey-builder-create"), {**SURVEY_FORM, "languages": []})
    assert response.context["form"].errors["languages"] == ["Offer at least one language."]


def test_survey_form_refuses_a_default_language_not_offered(manager_client):
    response = manager_client.post(
        reverse("survey-builder-create"), {**SURVEY_FORM, "languages": ["en"], "default_language": "zh-hans"}
    )
    assert "default_language" in response.context["form"].errors
    assert b"The default language must be one of the languages offered." in response.content


def test_manager_edits_a_survey_and_drops_a_language(manager_client, survey):
    form = {**SURVEY_FORM, "name": "Renamed", "languages": ["en"], "default_language": "en"}
    response = manager_client.post(url_for("survey-builder-edit", survey), form)
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.name, survey.languages, survey.titles) == ("Renamed", ["en"], {"en": "How was delivery?"})


def test_edit_form_starts_from_the_survey(manager_client, survey):
    form = manager_client.get(url_for("survey-builder-edit", survey)).context["form"]
    assert form["name"].value() == "Delivery follow-up"
    assert form["languages"].value() == ["en", "zh-hans"]


def test_survey_page_lists_questions_rules_and_a_preview_link_per_language(manager_client, survey):
    response = manager_client.get(url_for("survey-builder-detail", survey))
    content = response.content.decode()
    assert "How likely are you to recommend us" in content
    assert "any touchpoint of" in content
    for code in ("en", "zh-hans"):
        assert f"/surveys/{survey.pk}/preview/?lang={code}" in content


def test_closed_survey_page_offers_no_edits(manager_client):
    survey = SurveyFactory(status=Survey.Status.CLOSED)
    QuestionFactory(survey=survey)
    content = manager_client.get(url_for("survey-builder-detail", survey)).content.decode()
    assert url_for("survey-builder-edit", survey) not in content
    assert url_for("survey-builder-question-create", survey) not in content


def test_unknown_survey_is_404(manager_client):
    assert manager_client.get(reverse("survey-builder-detail", args=[999999])).status_code == 404


# --- Questions --------------------------------------------------------------------------

QUESTION_FORM = {
    "type": Question.Type.NPS,
    "text_en": "Would you recommend us?",
    "text_zh-hans": "您会推荐我们吗？",
    "required": "on",
    "direction": "higher_is_better",
    "driver": "",
}


def test_manager_adds_a_question_with_its_fixed_scale(manager_client, survey):
    response = manager_client.post(url_for("survey-builder-question-create", survey), QUESTION_FORM)
    assert response.status_code == 302
    question = survey.questions.get(order=2)
    assert (question.type, question.scale_min, question.scale_max, question.required) == ("nps", 0, 10, True)
    assert question.texts == {"en": "Would you recommend us?", "zh-hans": "您会推荐我们吗？"}


def test_question_added_to_a_live_survey_comes_last(manager_client, survey):
    survey.status = Survey.Status.LIVE
    survey.save()
    manager_client.post(url_for("survey-builder-question-create", survey), QUESTION_FORM)
    assert survey.questions.order_by("order").last().texts["en"] == "Would you recommend us?"
    assert survey.questions.count() == 2


def test_editing_a_closed_survey_is_refused_on_the_form(manager_client):
    survey = SurveyFactory(status=Survey.Status.CLOSED, name="Old")
    response = manager_client.post(url_for("survey-builder-edit", survey), SURVEY_FORM)
    assert response.status_code == 200
    assert "closed and can no longer be edited" in response.context["form"].non_field_errors()[0]
    survey.refresh_from_db()
    assert survey.name == "Old"


def test_question_text_is_required_in_each_offered_language(manager_client, survey):
    response = manager_client.post(
        url_for("survey-builder-question-create", survey), {**QUESTION_FORM, "text_zh-hans": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "text_zh-hans": ["Write the question in Simplified Chinese: the survey offers it."]
    }


def test_question_text_in_a_language_not_offered_is_optional(manager_client):
    survey = SurveyFactory(status=Survey.Status.DRAFT, languages=["en"], titles={"en": "Hi"})
    form = {**QUESTION_FORM, "text_zh-hans": ""}
    assert manager_client.post(url_for("survey-builder-question-create", survey), form).status_code == 302


def test_manager_adds_a_choice_question_from_rows(manager_client, survey):
    form = {
        **QUESTION_FORM,
        "type": Question.Type.MULTI_CHOICE,
        "choice_0_value": "price",
        "choice_0_label_en": "Price",
        "choice_0_label_zh-hans": "价格",
        "choice_1_value": "",
        "choice_1_label_en": "",
        "choice_2_value": "speed",
        "choice_2_label_en": "Speed",
        "choice_2_label_zh-hans": "速度",
    }
    assert manager_client.post(url_for("survey-builder-question-create", survey), form).status_code == 302
    assert survey.questions.get(order=2).choices == [
        {"value": "price", "labels": {"en": "Price", "zh-hans": "价格"}},
        {"value": "speed", "labels": {"en": "Speed", "zh-hans": "速度"}},
    ]


def test_duplicate_choice_value_is_a_field_error(manager_client, survey):
    form = {
        **QUESTION_FORM,
        "type": Question.Type.SINGLE_CHOICE,
        "choice_0_value": "price",
        "choice_0_label_en": "Price",
        "choice_0_label_zh-hans": "价格",
        "choice_1_value": "price",
        "choice_1_label_en": "Cost",
        "choice_1_label_zh-hans": "成本",
    }
    response = manager_client.post(url_for("survey-builder-question-create", survey), form)
    assert response.context["form"].errors == {
        "choice_1_value": ["The value “price” is already used by another choice."]
    }


def test_choice_without_a_label_in_an_offered_language_is_a_field_error(manager_client, survey):
    form = {
        **QUESTION_FORM,
        "type": Question.Type.SINGLE_CHOICE,
        "choice_0_value": "price",
        "choice_0_label_en": "Price",
    }
    errors = (
        manager_client.post(url_for("survey-builder-question-create", survey), form).context["form"].errors
    )
    assert errors["choice_0_label_zh-hans"] == [
        "Label this choice in Simplified Chinese: the survey offers it."
    ]


def test_rating_without_a_scale_shows_the_error_on_the_scale_fields(manager_client, survey):
    response = manager_client.post(
        url_for("survey-builder-question-create", survey), {**QUESTION_FORM, "type": Question.Type.RATING}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["scale_min"] == ["A rating needs the lowest point of its scale."]
    assert survey.questions.count() == 1


def test_changing_the_type_of_an_answered_question_is_refused_on_the_form(manager_client, survey):
    question = survey.questions.get()
    AnswerFactory(question=question, response__invitation__survey=survey)
    response = manager_client.post(
        url_for("survey-builder-question-edit", survey), {**QUESTION_FORM, "type": Question.Type.CSAT}
    )
    assert response.status_code == 200
    assert "already has answers, so its type cannot change" in response.context["form"].errors["type"][0]
    question.refresh_from_db()
    assert question.type == Question.Type.NPS


def test_answered_question_text_is_still_editable_on_the_form(manager_client, survey):
    question = survey.questions.get()
    AnswerFactory(question=question, response__invitation__survey=survey)
    response = manager_client.post(url_for("survey-builder-question-edit", survey), QUESTION_FORM)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.texts["en"] == "Would you recommend us?"


def test_answered_question_offers_no_delete_button(manager_client, survey):
    AnswerFactory(question=survey.questions.get(), response__invitation__survey=survey)
    content = manager_client.get(url_for("survey-builder-detail", survey)).content.decode()
    assert url_for("survey-builder-question-delete", survey) not in content
    assert "has answers" in content


def test_deleting_an_answered_question_is_refused_with_a_message(manager_client, survey):
    AnswerFactory(question=survey.questions.get(), response__invitation__survey=survey)
    response = manager_client.post(url_for("survey-builder-question-delete", survey), follow=True)
    assert b"This question already has answers and cannot be deleted." in response.content
    assert survey.questions.count() == 1


def test_delete_asks_first_then_deletes_on_post(manager_client, survey):
    url = url_for("survey-builder-question-delete", survey)
    assert b"Delete question 1?" in manager_client.get(url).content
    assert survey.questions.count() == 1
    manager_client.post(url)
    assert survey.questions.count() == 0


def test_question_of_another_survey_is_404(manager_client, survey):
    other = QuestionFactory(survey=SurveyFactory(status=Survey.Status.DRAFT))
    url = reverse("survey-builder-question-edit", args=[survey.pk, other.pk])
    assert manager_client.get(url).status_code == 404


def test_move_buttons_reorder_questions(manager_client, survey):
    first = survey.questions.get()
    second = QuestionFactory(survey=survey, order=2)
    response = manager_client.post(
        reverse("survey-builder-question-move", args=[survey.pk, second.pk]), {"direction": "up"}
    )
    assert response.status_code == 302
    assert list(survey.questions.order_by("order").values_list("pk", "order")) == [
        (second.pk, 1),
        (first.pk, 2),
    ]


def test_move_without_a_direction_is_a_bad_request(manager_client, survey):
    assert manager_client.post(url_for("survey-builder-question-move", survey)).status_code == 400


# --- Publishing -------------------------------------------------------------------------


def test_publish_makes_the_survey_live(manager_client, survey):
    response = manager_client.post(url_for("survey-builder-publish", survey), follow=True)
    survey.refresh_from_db()
    assert survey.status == Survey.Status.LIVE
    assert b"The survey is live" in response.content


def test_publish_refusal_lists_what_is_missing(manager_client):
    survey = SurveyFactory(status=Survey.Status.DRAFT, titles={"en": "Hi"})
    response = manager_client.post(url_for("survey-builder-publish", survey), follow=True)
    content = response.content.decode()
    assert "The survey cannot be published yet" in content
    assert "Add at least one question before publishing." in content
    assert "The title in Simplified Chinese is missing." in content
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT


def test_close_ends_a_live_survey(manager_client):
    survey = SurveyFactory(status=Survey.Status.LIVE)
    manager_client.post(url_for("survey-builder-close", survey))
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED


# --- Rules ------------------------------------------------------------------------------


def test_manager_adds_a_rule_for_a_touchpoint(manager_client, survey):
    touchpoint = TouchpointFactory()
    response = manager_client.post(
        url_for("survey-builder-rule-create", survey),
        {"touchpoint": touchpoint.pk, "stage": "", "delay_hours": 6},
    )
    assert response.status_code == 302
    rule = survey.rules.get(touchpoint=touchpoint)
    assert (rule.stage, rule.delay_hours, rule.active) == ("", 6, True)


@pytest.mark.parametrize(
    ("target", "message"),
    [({}, "Choose a touchpoint or a stage."), ({"stage": Stage.PRE_SALE, "touchpoint": True}, "not both")],
)
def test_rule_needs_exactly_one_of_touchpoint_and_stage(manager_client, survey, target, message):
    data = {"delay_hours": 24, "stage": target.get("stage", "")}
    if target.get("touchpoint"):
        data["touchpoint"] = TouchpointFactory().pk
    response = manager_client.post(url_for("survey-builder-rule-create", survey), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["rule_form"].non_field_errors())
    assert survey.rules.count() == 1


@pytest.mark.parametrize("delay_hours", [-1, 721])
def test_rule_delay_is_between_0_and_720_hours(manager_client, survey, delay_hours):
    response = manager_client.post(
        url_for("survey-builder-rule-create", survey), {"stage": Stage.PRE_SALE, "delay_hours": delay_hours}
    )
    assert "delay_hours" in response.context["rule_form"].errors
    assert survey.rules.count() == 1


def test_rule_can_be_deactivated_and_activated(manager_client, survey):
    url, rule = url_for("survey-builder-rule-active", survey), survey.rules.get()
    manager_client.post(url, {"active": "0"})
    rule.refresh_from_db()
    assert not rule.active
    manager_client.post(url, {"active": "1"})
    rule.refresh_from_db()
    assert rule.active


def test_rule_can_be_deleted(manager_client, survey):
    manager_client.post(url_for("survey-builder-rule-delete", survey))
    assert not survey.rules.exists()
