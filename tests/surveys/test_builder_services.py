"""The survey builder's services: surveys, questions, publishing and rules."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from surveys.models import Question, Survey, SurveyRule
from surveys.services import builder as services
from tests.factories import AnswerFactory, QuestionFactory, SurveyFactory, TouchpointFactory
from touchpoints.models import Direction, Stage

pytestmark = pytest.mark.django_db

BOTH = {"en": "How was it?", "zh-hans": "体验如何？"}


def draft(**kwargs) -> Survey:
    return SurveyFactory(status=Survey.Status.DRAFT, **kwargs)


def answered(question: Question) -> Question:
    AnswerFactory(question=question, response__invitation__survey=question.survey)
    return question


def choice(value: str, en: str | None = None, zh: str | None = None) -> dict:
    return {"value": value, "labels": {"en": en or value.title(), "zh-hans": zh or f"{value}（中文）"}}


def choice_question(survey: Survey, *values: str) -> Question:
    return services.question_create(
        survey=survey,
        type=Question.Type.SINGLE_CHOICE,
        texts=BOTH,
        choices=[choice(value) for value in values or ("price", "speed")],
    )


def update_kwargs(question: Question, **changes) -> dict:
    """Everything ``question_update`` takes, as the question stands, with ``changes``."""
    kwargs = {
        "type": question.type,
        "texts": question.texts,
        "required": question.required,
        "choices": question.choices,
        "scale_min": question.scale_min,
        "scale_max": question.scale_max,
        "scale_labels": question.scale_labels,
        "direction": question.direction,
        "driver": question.driver,
    }
    return {**kwargs, **changes}


def orders(survey: Survey) -> list[tuple[int, int]]:
    return list(survey.questions.order_by("order").values_list("order", "pk"))


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.error_dict)


# --- Surveys ----------------------------------------------------------------------------


def test_survey_create_makes_a_draft_with_the_default_language_first(manager):
    survey = services.survey_create(
        name=" Delivery follow-up ",
        kind=Survey.Kind.TRANSACTIONAL,
        languages=["zh-hans", "en"],
        titles={"en": "How was delivery?", "zh-hans": "配送体验如何？"},
        created_by=manager,
    )
    survey.refresh_from_db()
    assert (survey.name, survey.status, survey.languages) == (
        "Delivery follow-up",
        "draft",
        ["zh-hans", "en"],
    )
    assert survey.default_language == "zh-hans"
    assert survey.created_by == manager


def test_survey_create_refuses_a_survey_without_languages():
    with pytest.raises(ValidationError) as excinfo:
        services.survey_create(name="No language", kind=Survey.Kind.CSAT, languages=[], titles={})
    assert error_fields(excinfo) == {"languages"}
    assert not Survey.objects.exists()


def test_survey_create_refuses_a_language_the_site_does_not_offer():
    with pytest.raises(ValidationError) as excinfo:
        services.survey_create(
            name="French", kind=Survey.Kind.CSAT, languages=["fr"], titles={"fr": "Bonjour"}
        )
    assert "Unknown language: fr." in excinfo.value.message_dict["languages"]


def test_survey_create_keeps_titles_only_of_offered_languages():
    survey = services.survey_create(
        name="English only", kind=Survey.Kind.CSAT, languages=["en"], titles=BOTH, intros={"en": "  "}
    )
    assert survey.titles == {"en": "How was it?"}
    assert survey.intros == {}


def test_survey_update_is_refused_on_a_closed_survey():
    survey = SurveyFactory(status=Survey.Status.CLOSED, name="Old")
    with pytest.raises(ValidationError, match="closed"):
        services.survey_update(survey=survey, name="New", kind=survey.kind, languages=["en"], titles=BOTH)
    survey.refresh_from_db()
    assert survey.name == "Old"


def test_live_survey_cannot_offer_a_language_its_questions_lack():
    survey = SurveyFactory(languages=["en"], titles={"en": "Hi"})
    QuestionFactory(survey=survey, order=1, texts={"en": "Recommend us?"})
    with pytest.raises(ValidationError) as excinfo:
        services.survey_update(
            survey=survey, name=survey.name, kind=survey.kind, languages=["en", "zh-hans"], titles=BOTH
        )
    assert "Question 1 has no text in Simplified Chinese." in excinfo.value.message_dict["languages"]
    survey.refresh_from_db()
    assert survey.languages == ["en"]


def test_live_survey_may_offer_a_language_once_every_text_exists():
    survey = SurveyFactory(languages=["en"], titles={"en": "Hi"})
    QuestionFactory(survey=survey, texts=BOTH)
    services.survey_update(
        survey=survey, name=survey.name, kind=survey.kind, languages=["en", "zh-hans"], titles=BOTH
    )
    survey.refresh_from_db()
    assert survey.languages == ["en", "zh-hans"]


# --- Questions: creating ----------------------------------------------------------------


def test_new_questions_are_appended_in_order():
    survey = draft()
    first = services.question_create(survey=survey, type=Question.Type.NPS, texts=BOTH)
    second = services.question_create(survey=survey, type=Question.Type.TEXT, texts=BOTH)
    assert (first.order, second.order) == (1, 2)


@pytest.mark.parametrize(
    ("question_type", "scale"),
    [(Question.Type.NPS, (0, 10)), (Question.Type.CSAT, (1, 5)), (Question.Type.CES, (1, 7))],
)
def test_standard_questions_get_their_fixed_scale_whatever_is_passed(question_type, scale):
    question = services.question_create(
        survey=draft(), type=question_type, texts=BOTH, scale_min=3, scale_max=4
    )
    assert (question.scale_min, question.scale_max) == scale


def test_rating_keeps_the_scale_its_author_chose():
    question = services.question_create(
        survey=draft(), type=Question.Type.RATING, texts=BOTH, scale_min=1, scale_max=10
    )
    assert (question.scale_min, question.scale_max) == (1, 10)


def test_rating_without_a_scale_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        services.question_create(survey=draft(), type=Question.Type.RATING, texts=BOTH)
    assert error_fields(excinfo) == {"scale_min", "scale_max"}


@pytest.mark.parametrize(("low", "high"), [(-1, 5), (0, 11), (5, 5), (7, 3)])
def test_rating_scale_outside_0_to_10_or_upside_down_is_refused(low, high):
    with pytest.raises(ValidationError):
        services.question_create(
            survey=draft(), type=Question.Type.RATING, texts=BOTH, scale_min=low, scale_max=high
        )


def test_expectation_pair_scale_starts_above_zero():
    with pytest.raises(ValidationError) as excinfo:
        services.question_create(
            survey=draft(), type=Question.Type.EXPECTATION_EXPERIENCE, texts=BOTH, scale_min=0, scale_max=10
        )
    assert error_fields(excinfo) == {"scale_min"}


def test_expectation_pair_without_a_scale_is_asked_on_1_to_10_and_keeps_its_direction():
    question = services.question_create(
        survey=draft(),
        type=Question.Type.EXPECTATION_EXPERIENCE,
        texts=BOTH,
        direction=Direction.LOWER_IS_BETTER,
    )
    assert (question.scale_min, question.scale_max, question.direction) == (1, 10, "lower_is_better")


def test_expectation_pair_with_only_one_end_of_its_scale_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        services.question_create(
            survey=draft(), type=Question.Type.EXPECTATION_EXPERIENCE, texts=BOTH, scale_min=2
        )
    assert excinfo.value.message_dict["scale_max"] == ["Give both ends of the scale, or neither for 1–10."]


def test_direction_is_kept_only_for_expectation_pairs():
    question = services.question_create(
        survey=draft(), type=Question.Type.NPS, texts=BOTH, direction=Direction.LOWER_IS_BETTER
    )
    assert question.direction == Direction.HIGHER_IS_BETTER


def test_question_text_is_required_in_every_offered_language():
    with pytest.raises(ValidationError) as excinfo:
        services.question_create(survey=draft(), type=Question.Type.NPS, texts={"en": "Recommend us?"})
    assert excinfo.value.message_dict["texts"] == [
        "Write the question in Simplified Chinese: the survey offers it."
    ]


def test_choice_question_needs_two_choices():
    with pytest.raises(ValidationError) as excinfo:
        services.question_create(
            survey=draft(), type=Question.Type.MULTI_CHOICE, texts=BOTH, choices=[choice("price")]
        )
    assert error_fields(excinfo) == {"choices"}


def test_choice_values_must_be_unique():
    with pytest.raises(ValidationError, match="used twice"):
        services.question_create(
            survey=draft(),
            type=Question.Type.SINGLE_CHOICE,
            texts=BOTH,
            choices=[choice("price"), choice("price", en="Cost")],
        )


def test_choice_needs_a_label_in_every_offered_language():
    with pytest.raises(ValidationError, match="needs a label in Simplified Chinese"):
        services.question_create(
            survey=draft(),
            type=Question.Type.SINGLE_CHOICE,
            texts=BOTH,
            choices=[choice("price"), {"value": "speed", "labels": {"en": "Speed"}}],
        )


def test_text_question_stores_no_scale_and_no_choices():
    question = services.question_create(
        survey=draft(), type=Question.Type.TEXT, texts=BOTH, scale_min=1, scale_max=5, choices=[choice("a")]
    )
    assert (question.scale_min, question.scale_max, question.choices) == (None, None, [])


def test_driver_is_refused_on_an_nps_question():
    with pytest.raises(ValidationError) as excinfo:
        services.question_create(
            survey=draft(), type=Question.Type.NPS, texts=BOTH, driver=Question.Driver.PRICE
        )
    assert error_fields(excinfo) == {"driver"}


def test_live_survey_gets_new_questions_appended():
    survey = SurveyFactory(status=Survey.Status.LIVE)
    QuestionFactory(survey=survey, order=1)
    question = services.question_create(survey=survey, type=Question.Type.CSAT, texts=BOTH)
    assert question.order == 2


def test_closed_survey_gets_no_new_question():
    with pytest.raises(ValidationError, match="closed"):
        services.question_create(
            survey=SurveyFactory(status=Survey.Status.CLOSED), type=Question.Type.NPS, texts=BOTH
        )


# --- Questions: destructive edits once answered ----------------------------------------


def test_changing_the_type_of_an_answered_question_is_refused():
    question = answered(QuestionFactory(survey=draft(), type=Question.Type.NPS))
    with pytest.raises(ValidationError) as excinfo:
        services.question_update(question=question, **update_kwargs(question, type=Question.Type.CSAT))
    assert "already has answers" in excinfo.value.message_dict["type"][0]
    question.refresh_from_db()
    assert question.type == Question.Type.NPS


def test_changing_the_scale_of_an_answered_rating_is_refused():
    question = services.question_create(
        survey=draft(), type=Question.Type.RATING, texts=BOTH, scale_min=1, scale_max=5
    )
    answered(question)
    with pytest.raises(ValidationError) as excinfo:
        services.question_update(question=question, **update_kwargs(question, scale_max=10))
    assert "scale cannot change" in excinfo.value.message_dict["scale_max"][0]


def test_changing_the_direction_of_an_answered_expectation_pair_is_refused():
    question = services.question_create(
        survey=draft(), type=Question.Type.EXPECTATION_EXPERIENCE, texts=BOTH, scale_min=1, scale_max=5
    )
    answered(question)
    with pytest.raises(ValidationError) as excinfo:
        services.question_update(
            question=question, **update_kwargs(question, direction=Direction.LOWER_IS_BETTER)
        )
    assert error_fields(excinfo) == {"direction"}


def test_renaming_a_choice_value_of_an_answered_question_is_refused():
    question = answered(choice_question(draft(), "price", "speed"))
    with pytest.raises(ValidationError) as excinfo:
        services.question_update(
            question=question, **update_kwargs(question, choices=[choice("cost"), choice("speed")])
        )
    assert "“price”" in excinfo.value.message_dict["choices"][0]


def test_removing_a_choice_of_an_answered_question_is_refused():
    question = answered(choice_question(draft(), "price", "speed", "staff"))
    with pytest.raises(ValidationError, match="cannot be changed or removed"):
        services.question_update(
            question=question, **update_kwargs(question, choices=[choice("price"), choice("speed")])
        )
    question.refresh_from_db()
    assert [c["value"] for c in question.choices] == ["price", "speed", "staff"]


def test_deleting_an_answered_question_is_refused():
    question = answered(QuestionFactory(survey=draft()))
    with pytest.raises(ValidationError, match="already has answers"):
        services.question_delete(question=question)
    assert Question.objects.filter(pk=question.pk).exists()


def test_answered_question_keeps_texts_labels_and_required_flag_editable():
    question = answered(choice_question(draft(), "price", "speed"))
    services.question_update(
        question=question,
        **update_kwargs(
            question,
            texts={"en": "What mattered most?", "zh-hans": "什么最重要？"},
            required=False,
            choices=[choice("speed", en="Fast delivery"), choice("price", en="Low price")],
        ),
    )
    question.refresh_from_db()
    assert question.texts["en"] == "What mattered most?"
    assert not question.required
    assert [(c["value"], c["labels"]["en"]) for c in question.choices] == [
        ("speed", "Fast delivery"),
        ("price", "Low price"),
    ]


def test_answered_question_may_gain_a_choice():
    question = answered(choice_question(draft(), "price", "speed"))
    services.question_update(
        question=question, **update_kwargs(question, choices=[*question.choices, choice("staff")])
    )
    question.refresh_from_db()
    assert [c["value"] for c in question.choices] == ["price", "speed", "staff"]


def test_unanswered_question_may_change_type_and_scale():
    question = QuestionFactory(survey=draft(), type=Question.Type.NPS, scale_min=0, scale_max=10)
    services.question_update(
        question=question, **update_kwargs(question, type=Question.Type.RATING, scale_min=1, scale_max=4)
    )
    question.refresh_from_db()
    assert (question.type, question.scale_min, question.scale_max) == ("rating", 1, 4)


def test_questions_of_a_closed_survey_are_not_edited():
    question = QuestionFactory(survey=SurveyFactory(status=Survey.Status.CLOSED))
    with pytest.raises(ValidationError, match="closed"):
        services.question_update(question=question, **update_kwargs(question, required=False))


# --- Questions: order -------------------------------------------------------------------


def survey_with_questions(count: int, **survey_kwargs) -> tuple[Survey, list[Question]]:
    survey = draft(**survey_kwargs)
    return survey, [QuestionFactory(survey=survey, order=place) for place in range(1, count + 1)]


def test_moving_a_question_up_swaps_it_with_the_one_above():
    survey, (first, second, third) = survey_with_questions(3)
    services.question_move(question=third, up=True)
    assert orders(survey) == [(1, first.pk), (2, third.pk), (3, second.pk)]


def test_moving_a_question_down_swaps_it_with_the_one_below():
    survey, (first, second, third) = survey_with_questions(3)
    services.question_move(question=first, up=False)
    assert orders(survey) == [(1, second.pk), (2, first.pk), (3, third.pk)]


def test_reorder_makes_gapped_orders_contiguous_and_unique():
    survey = draft()
    low, middle, high = (QuestionFactory(survey=survey, order=place) for place in (2, 5, 9))
    services.question_move(question=high, up=True)
    assert orders(survey) == [(1, low.pk), (2, high.pk), (3, middle.pk)]


def test_first_question_cannot_move_up():
    survey, (first, second) = survey_with_questions(2)
    with pytest.raises(ValidationError, match="already the first"):
        services.question_move(question=first, up=True)
    assert orders(survey) == [(1, first.pk), (2, second.pk)]


def test_last_question_cannot_move_down():
    _, (_, last) = survey_with_questions(2)
    with pytest.raises(ValidationError, match="already the last"):
        services.question_move(question=last, up=False)


def test_deleting_a_question_closes_the_gap():
    survey, (first, second, third) = survey_with_questions(3)
    services.question_delete(question=first)
    assert orders(survey) == [(1, second.pk), (2, third.pk)]


def test_live_survey_keeps_its_last_question():
    survey = SurveyFactory(status=Survey.Status.LIVE)
    question = QuestionFactory(survey=survey)
    with pytest.raises(ValidationError, match="at least one question"):
        services.question_delete(question=question)


def test_unanswered_question_of_a_live_survey_can_be_deleted():
    survey = SurveyFactory(status=Survey.Status.LIVE)
    keep, extra = QuestionFactory(survey=survey, order=1), QuestionFactory(survey=survey, order=2)
    services.question_delete(question=extra)
    assert orders(survey) == [(1, keep.pk)]


# --- Publishing and closing -------------------------------------------------------------


def test_publishing_a_complete_draft_makes_it_live():
    survey, _ = survey_with_questions(1)
    services.survey_publish(survey=survey)
    survey.refresh_from_db()
    assert survey.status == Survey.Status.LIVE


def test_publishing_without_questions_is_refused():
    survey = draft()
    with pytest.raises(ValidationError) as excinfo:
        services.survey_publish(survey=survey)
    assert excinfo.value.messages == ["Add at least one question before publishing."]
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT


def test_publishing_is_refused_when_an_offered_language_lacks_a_title():
    survey, _ = survey_with_questions(1, titles={"en": "Hello"})
    with pytest.raises(ValidationError) as excinfo:
        services.survey_publish(survey=survey)
    assert excinfo.value.messages == ["The title in Simplified Chinese is missing."]


def test_publishing_is_refused_when_a_question_lacks_text_in_an_offered_language():
    survey = draft()
    QuestionFactory(survey=survey, order=1)
    QuestionFactory(survey=survey, order=2, texts={"en": "Anything else?"})
    with pytest.raises(ValidationError) as excinfo:
        services.survey_publish(survey=survey)
    assert excinfo.value.messages == ["Question 2 has no text in Simplified Chinese."]


def test_publishing_is_refused_when_a_choice_lacks_a_label_in_an_offered_language():
    survey = draft()
    QuestionFactory(
        survey=survey,
        type=Question.Type.SINGLE_CHOICE,
        choices=[choice("price"), {"value": "speed", "labels": {"en": "Speed"}}],
    )
    with pytest.raises(ValidationError, match="choice “speed” has no label in Simplified Chinese"):
        services.survey_publish(survey=survey)


def test_a_live_survey_cannot_be_published_again():
    with pytest.raises(ValidationError, match="Only a draft"):
        services.survey_publish(survey=SurveyFactory(status=Survey.Status.LIVE))


def test_closing_a_live_survey():
    survey = SurveyFactory(status=Survey.Status.LIVE)
    services.survey_close(survey=survey)
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED


def test_closing_a_draft_is_refused():
    with pytest.raises(ValidationError, match="Only a live survey"):
        services.survey_close(survey=draft())


# --- Rules ------------------------------------------------------------------------------


def test_rule_after_a_touchpoint():
    touchpoint = TouchpointFactory()
    rule = services.survey_rule_create(survey=draft(), touchpoint=touchpoint, delay_hours=48)
    assert (rule.touchpoint, rule.stage, rule.delay_hours, rule.active) == (touchpoint, "", 48, True)


def test_rule_after_any_touchpoint_of_a_stage():
    rule = services.survey_rule_create(survey=draft(), stage=Stage.MID_SALE, delay_hours=0)
    assert (rule.touchpoint, rule.stage) == (None, "mid_sale")


def test_rule_with_neither_touchpoint_nor_stage_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        services.survey_rule_create(survey=draft(), delay_hours=24)
    assert excinfo.value.messages == ["Choose a touchpoint or a stage."]
    assert not SurveyRule.objects.exists()


def test_rule_with_both_touchpoint_and_stage_is_refused():
    with pytest.raises(ValidationError, match="not both"):
        services.survey_rule_create(
            survey=draft(), touchpoint=TouchpointFactory(), stage=Stage.PRE_SALE, delay_hours=24
        )


@pytest.mark.parametrize("delay_hours", [-1, 721])
def test_rule_delay_outside_0_to_720_hours_is_refused(delay_hours):
    with pytest.raises(ValidationError) as excinfo:
        services.survey_rule_create(survey=draft(), stage=Stage.PRE_SALE, delay_hours=delay_hours)
    assert error_fields(excinfo) == {"delay_hours"}


@pytest.mark.parametrize(("with_touchpoint", "stage"), [(False, ""), (True, Stage.PRE_SALE)])
def test_database_refuses_a_rule_without_exactly_one_of_touchpoint_and_stage(with_touchpoint, stage):
    survey, touchpoint = draft(), TouchpointFactory() if with_touchpoint else None
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyRule.objects.create(survey=survey, touchpoint=touchpoint, stage=stage)


def test_rule_can_be_switched_off_and_on():
    rule = services.survey_rule_create(survey=draft(), stage=Stage.POST_SALE)
    services.survey_rule_set_active(rule=rule, active=False)
    rule.refresh_from_db()
    assert not rule.active
    services.survey_rule_set_active(rule=rule, active=True)
    rule.refresh_from_db()
    assert rule.active


def test_rule_of_a_closed_survey_cannot_be_switched_on():
    rule = SurveyRule.objects.create(
        survey=SurveyFactory(status=Survey.Status.CLOSED), stage=Stage.POST_SALE, active=False
    )
    with pytest.raises(ValidationError, match="closed"):
        services.survey_rule_set_active(rule=rule, active=True)


def test_closed_survey_gets_no_new_rule():
    with pytest.raises(ValidationError, match="closed"):
        services.survey_rule_create(survey=SurveyFactory(status=Survey.Status.CLOSED), stage=Stage.POST_SALE)


def test_deleting_a_rule():
    rule = services.survey_rule_create(survey=draft(), stage=Stage.POST_SALE)
    services.survey_rule_delete(rule=rule)
    assert not SurveyRule.objects.exists()
