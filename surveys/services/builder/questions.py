"""Questions: add, edit, delete and move, never harming stored answers."""

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Max, Value, When
from django.utils.translation import gettext, pgettext

from surveys.models import Question, Survey
from surveys.services.answer_form import question_scale
from touchpoints.models import Direction

from .common import (
    FIXED_SCALES,
    SCALED_TYPES,
    _lock_survey,
    _refuse_if_closed,
    _survey_edited,
)
from .question_fields import clean_question_fields, without_standard_labels_of


def _questions_renumber(survey: Survey, question_ids: Sequence[int]) -> None:
    """Give the questions orders 1…n in the sequence of ``question_ids``.

    ``order`` is unique per survey and PostgreSQL checks that row by row while an
    UPDATE runs, so the rows first move past every order in use, then to their
    places: two statements, never a transient duplicate.
    """
    if not question_ids:
        return
    questions = Question.objects.filter(survey=survey)
    highest = questions.aggregate(highest=Max("order"))["highest"] or 0
    questions.update(order=F("order") + highest + 1)
    questions.update(
        order=Case(*(When(pk=pk, then=Value(place)) for place, pk in enumerate(question_ids, start=1)))
    )


@transaction.atomic
def question_create(
    *,
    survey: Survey,
    type: str,
    texts: Mapping[str, str],
    required: bool = True,
    choices: Sequence[Mapping] = (),
    scale_min: int | None = None,
    scale_max: int | None = None,
    scale_labels: Mapping[str, Sequence[str]] | None = None,
    direction: str = Direction.HIGHER_IS_BETTER,
    driver: str = "",
) -> Question:
    """Append a question to a draft or live survey (it comes last).

    NPS, CSAT and CES get their fixed scales (0–10, 1–5, 1–7) whatever is
    passed, and the standard end labels (``STANDARD_SCALE_LABELS``) in every
    language whose labels are left blank; a rating needs a scale within 0–10;
    an expectation/experience pair takes a scale within 1–10, 1–10 itself
    when both ends are left empty, and keeps its end labels. Choices go only
    with choice questions, a direction only with expectation pairs.
    """
    survey = _lock_survey(survey)
    _refuse_if_closed(survey)
    values = clean_question_fields(
        survey=survey,
        type=type,
        texts=texts,
        choices=choices,
        scale_min=scale_min,
        scale_max=scale_max,
        scale_labels=scale_labels or {},
        direction=direction,
        driver=driver,
        standard_labels_for_blanks=True,
    )
    highest = survey.questions.aggregate(highest=Max("order"))["highest"] or 0
    question = Question.objects.create(survey=survey, order=highest + 1, required=required, **values)
    _survey_edited(survey)
    return question


@transaction.atomic
def question_update(
    *,
    question: Question,
    type: str,
    texts: Mapping[str, str],
    required: bool,
    choices: Sequence[Mapping] = (),
    scale_min: int | None = None,
    scale_max: int | None = None,
    scale_labels: Mapping[str, Sequence[str]] | None = None,
    direction: str = Direction.HIGHER_IS_BETTER,
    driver: str = "",
) -> Question:
    """Change a question, refusing destructive changes once it has answers.

    Destructive — refused when at least one Answer to the question exists,
    because stored answers would no longer mean what the customer chose:

    * changing its **type**;
    * changing a rating's or expectation pair's **scale** (``scale_min`` or
      ``scale_max``; NPS, CSAT and CES scales belong to the type, so filling
      in a scale missing from an old row is no change);
    * changing an expectation pair's **direction** (its ratios would flip);
    * removing a **choice value** or renaming it (every existing value must
      still be offered);
    * deleting the question (``question_delete``).

    Always allowed: texts, choice and scale labels, the required flag, the driver
    dimension, adding and reordering choices, and moving the question. A closed
    survey's questions are not edited at all.

    Scale labels left blank in a language are kept blank (no labels shown),
    except when the question has just become an NPS, CSAT or CES question: it
    then gets the standard labels there, as a new one does, and the standard
    labels of its former type are replaced too.
    """
    survey = _lock_survey(question.survey)
    _refuse_if_closed(survey)
    question = Question.objects.select_for_update().get(pk=question.pk)
    retyped = type != question.type
    labels = without_standard_labels_of(question.type, scale_labels or {}) if retyped else scale_labels or {}
    values = clean_question_fields(
        survey=survey,
        type=type,
        texts=texts,
        choices=choices,
        scale_min=scale_min,
        scale_max=scale_max,
        scale_labels=labels,
        direction=direction,
        driver=driver,
        standard_labels_for_blanks=retyped,
    )
    if question.answers.exists():
        _refuse_destructive_change(question, values)
    for field, value in (values | {"required": required}).items():
        setattr(question, field, value)
    question.save()
    _survey_edited(survey)
    return question


def _refuse_destructive_change(question: Question, values: Mapping) -> None:
    errors: dict[str, str] = {}
    # The scale its answers were given on: a pair stored without one was asked on 1–10.
    answered_scale = (
        question_scale(question)
        if question.type in SCALED_TYPES
        else (question.scale_min, question.scale_max)
    )
    if values["type"] != question.type:
        errors["type"] = gettext(
            "This question already has answers, so its type cannot change. Add a new question instead."
        )
    elif values["type"] not in FIXED_SCALES and (values["scale_min"], values["scale_max"]) != answered_scale:
        errors["scale_max"] = gettext(
            "This question already has answers, so its scale cannot change (it stays %(low)s–%(high)s). "
            "Add a new question instead."
        ) % {"low": answered_scale[0], "high": answered_scale[1]}
    if values["type"] == question.type == Question.Type.EXPECTATION_EXPERIENCE and (
        values["direction"] != question.direction
    ):
        errors["direction"] = gettext("This question already has answers, so its direction cannot change.")
    new_values = {choice["value"] for choice in values["choices"]}
    missing = [choice["value"] for choice in question.choices if choice["value"] not in new_values]
    if missing and values["type"] == question.type:
        quoted = pgettext("list separator", ", ").join(
            pgettext("quoted value", "“%(value)s”") % {"value": value} for value in missing
        )
        errors["choices"] = gettext(
            "This question already has answers, so choice values cannot be changed or removed: "
            "%(values)s. Labels stay editable and choices can be added."
        ) % {"values": quoted}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def question_delete(*, question: Question) -> None:
    """Delete a question and close the gap in the order.

    Refused once the question has answers (they would lose their question), on
    a closed survey, and for the last question of a live survey.
    """
    survey = _lock_survey(question.survey)
    _refuse_if_closed(survey)
    if question.answers.exists():
        raise ValidationError(gettext("This question already has answers and cannot be deleted."))
    remaining = list(survey.questions.exclude(pk=question.pk).order_by("order").values_list("pk", flat=True))
    if survey.status == Survey.Status.LIVE and not remaining:
        raise ValidationError(gettext("A live survey keeps at least one question; close the survey instead."))
    Question.objects.filter(pk=question.pk).delete()
    _questions_renumber(survey, remaining)
    _survey_edited(survey)


@transaction.atomic
def question_move(*, question: Question, up: bool) -> None:
    """Swap a question with its neighbour above (``up``) or below; the first cannot move
    up, nor the last down. Orders stay unique and run 1…n afterwards."""
    survey = _lock_survey(question.survey)
    _refuse_if_closed(survey)
    ids = list(survey.questions.order_by("order").values_list("pk", flat=True))
    place = ids.index(question.pk)
    other = place - 1 if up else place + 1
    if not 0 <= other < len(ids):
        raise ValidationError(
            gettext("This question is already the first.")
            if up
            else gettext("This question is already the last.")
        )
    ids[place], ids[other] = ids[other], ids[place]
    _questions_renumber(survey, ids)
    _survey_edited(survey)
