"""Questions: add, edit, delete and move, never harming stored answers."""

from collections.abc import Callable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Max, Value, When

from surveys.models import NO_SCALE_LABELS, STANDARD_SCALE_LABELS, Question, Survey, scale_label_pair
from surveys.services.answer_form import DEFAULT_PAIR_SCALE, question_scale
from touchpoints.models import Direction

from .common import (
    CHOICE_TYPES,
    CHOICE_VALUE_MAX_LENGTH,
    DRIVER_TYPES,
    FIXED_SCALES,
    PAIR_SCALE_LOWEST,
    RATING_SCALE_HIGHEST,
    RATING_SCALE_LOWEST,
    SCALED_TYPES,
    _lock_survey,
    _refuse_if_closed,
    language_names,
)


def _clean_question_fields(
    *,
    survey: Survey,
    type: str,
    texts: Mapping[str, str],
    choices: Sequence[Mapping],
    scale_min: int | None,
    scale_max: int | None,
    scale_labels: Mapping[str, Sequence[str]],
    direction: str,
    driver: str,
    standard_labels_for_blanks: bool,
) -> dict:
    """The question's stored values, normalised; raises ValidationError listing every problem.

    ``standard_labels_for_blanks``: the question is new, or has just become an NPS, CSAT or CES
    question, so a language whose end labels were left blank gets the standard wording.
    """
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    names = language_names()
    if type not in Question.Type.values:
        refuse("type", "Choose one of the question types.")
    texts_kept = _clean_texts(texts, survey=survey, names=names, refuse=refuse)
    choices_kept = (
        _clean_choices(choices, survey=survey, names=names, refuse=refuse) if type in CHOICE_TYPES else []
    )
    scale_min, scale_max = _clean_scale(type, scale_min, scale_max, refuse=refuse)
    labels_kept = (
        _clean_scale_labels(
            scale_labels,
            type=type,
            languages=[*survey.languages, *scale_labels],
            names=names,
            standard_for_blanks=standard_labels_for_blanks,
        )
        if type in SCALED_TYPES
        else {}
    )
    if direction not in Direction.values:
        refuse("direction", "Choose which way is better.")
    if type != Question.Type.EXPECTATION_EXPERIENCE:
        direction = Direction.HIGHER_IS_BETTER
    if driver and driver not in Question.Driver.values:
        refuse("driver", "Choose one of the driver dimensions.")
    elif driver and type not in DRIVER_TYPES:
        refuse("driver", "Only CSAT, CES, rating and expectation questions measure a driver dimension.")

    if errors:
        raise ValidationError(errors)
    return {
        "type": type,
        "texts": texts_kept,
        "choices": choices_kept,
        "scale_min": scale_min,
        "scale_max": scale_max,
        "scale_labels": labels_kept,
        "direction": direction,
        "driver": driver,
    }


_Refuse = Callable[[str, str], None]  # refuse(field, message) records one problem with the question


def _clean_texts(
    texts: Mapping[str, str], *, survey: Survey, names: Mapping[str, str], refuse: _Refuse
) -> dict:
    """The question's non-blank texts in known languages, stripped; one in each language the survey offers."""
    kept = {code: text.strip() for code, text in texts.items() if code in names and (text or "").strip()}
    for code in survey.languages:
        if code not in kept:
            refuse("texts", f"Write the question in {names.get(code, code)}: the survey offers it.")
    return kept


def _clean_choices(
    choices: Sequence[Mapping], *, survey: Survey, names: Mapping[str, str], refuse: _Refuse
) -> list[dict]:
    """The choices with a value, stripped: values unique and short enough, a label in each of the
    survey's languages, at least two of them."""
    kept: list[dict] = []
    seen: set[str] = set()
    for choice in choices:
        value = (choice.get("value") or "").strip()
        labels = {
            code: label.strip()
            for code, label in (choice.get("labels") or {}).items()
            if code in names and (label or "").strip()
        }
        if not value:
            refuse("choices", "Every choice needs a value.")
            continue
        if len(value) > CHOICE_VALUE_MAX_LENGTH:
            refuse("choices", f"Choice value “{value}” is longer than {CHOICE_VALUE_MAX_LENGTH} characters.")
        if value in seen:
            refuse("choices", f"Choice value “{value}” is used twice; values must be unique.")
        seen.add(value)
        for code in survey.languages:
            if code not in labels:
                refuse("choices", f"Choice “{value}” needs a label in {names.get(code, code)}.")
        kept.append({"value": value, "labels": labels})
    if len(kept) < 2:
        refuse("choices", "A choice question needs at least two choices.")
    return kept


def _clean_scale(
    type: str, scale_min: int | None, scale_max: int | None, *, refuse: _Refuse
) -> tuple[int | None, int | None]:
    """The scale the question type takes: NPS, CSAT and CES their fixed one, a rating one within
    0–10, an expectation pair one within 1–10 (1–10 itself when both ends are left empty), every
    other type none."""
    if type in FIXED_SCALES:
        scale_min, scale_max = FIXED_SCALES[type]
    elif type == Question.Type.RATING:
        if scale_min is None:
            refuse("scale_min", "A rating needs the lowest point of its scale.")
        if scale_max is None:
            refuse("scale_max", "A rating needs the highest point of its scale.")
    elif type == Question.Type.EXPECTATION_EXPERIENCE:
        # Both halves are asked on one scale, the one the public page shows (common.SCALE_HELP).
        if scale_min is None and scale_max is None:
            scale_min, scale_max = DEFAULT_PAIR_SCALE
        elif scale_min is None or scale_max is None:
            low, high = DEFAULT_PAIR_SCALE
            refuse("scale_max", f"Give both ends of the scale, or neither for {low}–{high}.")
    else:
        scale_min = scale_max = None
    if scale_min is not None and scale_max is not None and type not in FIXED_SCALES:
        pair = type == Question.Type.EXPECTATION_EXPERIENCE
        lowest = PAIR_SCALE_LOWEST if pair else RATING_SCALE_LOWEST
        if scale_min < lowest:
            reason = " (an expectation must be above 0)" if pair else ""
            refuse("scale_min", f"The scale starts at {lowest} or higher{reason}.")
        if scale_max > RATING_SCALE_HIGHEST:
            refuse("scale_max", f"The scale ends at {RATING_SCALE_HIGHEST} or lower.")
        if scale_min >= scale_max:
            refuse("scale_max", "The highest point must be above the lowest.")
    return scale_min, scale_max


def _clean_scale_labels(
    scale_labels: Mapping[str, Sequence[str]],
    *,
    type: str,
    languages: Sequence[str],
    names: Mapping[str, str],
    standard_for_blanks: bool,
) -> dict:
    """The (lowest, highest) end labels per known language, stripped, padded to two.

    For NPS, CSAT and CES, a language left blank (or not given, among ``languages``) gets the
    standard wording when ``standard_for_blanks``; otherwise a blank pair given is kept as the
    manager's choice of no labels (the public page then shows none rather than the standard
    wording). For other types, languages with both ends blank are left out.
    """
    standard = STANDARD_SCALE_LABELS.get(type, {})
    kept: dict[str, list[str]] = {}
    for code in dict.fromkeys(languages):
        if code not in names:
            continue
        given = scale_labels.get(code)
        ends = [(end or "").strip() for end in [*(given or ()), "", ""][:2]]
        if any(ends):
            kept[code] = ends
        elif standard_for_blanks and code in standard:
            kept[code] = list(standard[code])
        elif standard and given is not None:
            kept[code] = list(NO_SCALE_LABELS)
    return kept


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
    values = _clean_question_fields(
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
    return Question.objects.create(survey=survey, order=highest + 1, required=required, **values)


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

    Always allowed: texts, choice and scale labels, the required flag, the
    driver dimension, adding choices, reordering the choices, and moving the
    question. A closed survey's questions are not edited at all.

    Scale labels left blank in a language are kept blank (no labels shown),
    except when the question has just become an NPS, CSAT or CES question: it
    then gets the standard labels there, as a new one does, and the standard
    labels of its former type are replaced too.
    """
    survey = _lock_survey(question.survey)
    _refuse_if_closed(survey)
    question = Question.objects.select_for_update().get(pk=question.pk)
    retyped = type != question.type
    values = _clean_question_fields(
        survey=survey,
        type=type,
        texts=texts,
        choices=choices,
        scale_min=scale_min,
        scale_max=scale_max,
        scale_labels=_without_standard_labels_of(question.type, scale_labels or {})
        if retyped
        else scale_labels or {},
        direction=direction,
        driver=driver,
        standard_labels_for_blanks=retyped,
    )
    if question.answers.exists():
        _refuse_destructive_change(question, values)
    for field, value in values.items():
        setattr(question, field, value)
    question.required = required
    question.save()
    return question


def _without_standard_labels_of(question_type: str, scale_labels: Mapping[str, Sequence[str]]) -> dict:
    """``scale_labels`` with the languages still holding ``question_type``'s standard labels blanked,
    so a question changing type does not keep the end labels of its former one."""
    standard = STANDARD_SCALE_LABELS.get(question_type, {})
    return {
        code: [] if code in standard and scale_label_pair(list(ends)) == standard[code] else ends
        for code, ends in scale_labels.items()
    }


def _refuse_destructive_change(question: Question, values: Mapping) -> None:
    errors: dict[str, str] = {}
    kept = "This question already has answers, so"
    # The scale its answers were given on: a pair stored without one was asked on 1–10.
    answered_scale = (
        question_scale(question)
        if question.type in SCALED_TYPES
        else (question.scale_min, question.scale_max)
    )
    if values["type"] != question.type:
        errors["type"] = f"{kept} its type cannot change. Add a new question instead."
    elif values["type"] not in FIXED_SCALES and (values["scale_min"], values["scale_max"]) != answered_scale:
        errors["scale_max"] = (
            f"{kept} its scale cannot change (it stays {answered_scale[0]}–{answered_scale[1]}). "
            "Add a new question instead."
        )
    if values["type"] == question.type == Question.Type.EXPECTATION_EXPERIENCE and (
        values["direction"] != question.direction
    ):
        errors["direction"] = f"{kept} its direction cannot change."
    new_values = {choice["value"] for choice in values["choices"]}
    missing = [choice["value"] for choice in question.choices if choice["value"] not in new_values]
    if missing and values["type"] == question.type:
        errors["choices"] = (
            f"{kept} choice values cannot be changed or removed: "
            f"{', '.join(f'“{value}”' for value in missing)}. Labels stay editable and choices can be added."
        )
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
        raise ValidationError("This question already has answers and cannot be deleted.")
    remaining = list(survey.questions.exclude(pk=question.pk).order_by("order").values_list("pk", flat=True))
    if survey.status == Survey.Status.LIVE and not remaining:
        raise ValidationError("A live survey keeps at least one question; close the survey instead.")
    Question.objects.filter(pk=question.pk).delete()
    _questions_renumber(survey, remaining)


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
        raise ValidationError(f"This question is already the {'first' if up else 'last'}.")
    ids[place], ids[other] = ids[other], ids[place]
    _questions_renumber(survey, ids)
