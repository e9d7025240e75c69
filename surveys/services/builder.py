"""Writes of the survey builder: surveys, their questions, publishing, and survey rules.

Every function takes keyword-only arguments, runs in one transaction and
raises ``django.core.exceptions.ValidationError`` (keyed by model field where
one is to blame) when the change is refused; nothing is written then.

The rules the builder keeps:

* **Status.** A survey is built as a *draft*, published (draft → live) once it
  can be answered in every language it offers, and closed (live → closed).
  A closed survey is read-only: its details and questions no longer change
  (its rules may still be deactivated or deleted).
* **Live surveys** stay editable where no answer can be harmed: details,
  texts and labels, the required flag, drivers, the order of questions, and
  new questions, which are appended at the end. Any change must leave the
  survey answerable in every offered language, so a language can be added to
  a live survey only once its title and every question text exist in it, and
  a live survey keeps at least one question.
* **Answered questions** (at least one stored Answer) are never changed
  destructively; see ``question_update`` and ``question_delete``.
"""

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Max, Value, When

from touchpoints.models import Direction, Stage, Touchpoint

from ..models import Question, Survey, SurveyRule

# Fixed scales of the standard questions (metrics.md); a rating's scale is chosen by its author.
FIXED_SCALES: dict[str, tuple[int, int]] = {
    Question.Type.NPS: (0, 10),
    Question.Type.CSAT: (1, 5),
    Question.Type.CES: (1, 7),
}
# One button per point on a phone: at most 11 points, and never a negative score.
RATING_SCALE_LOWEST = 0
RATING_SCALE_HIGHEST = 10
CHOICE_TYPES = frozenset({Question.Type.SINGLE_CHOICE, Question.Type.MULTI_CHOICE})
SCALED_TYPES = frozenset({*FIXED_SCALES, Question.Type.RATING, Question.Type.EXPECTATION_EXPERIENCE})
# Questions whose score can be an experience dimension in key-driver analysis; NPS is the outcome.
DRIVER_TYPES = frozenset(
    {Question.Type.CSAT, Question.Type.CES, Question.Type.RATING, Question.Type.EXPECTATION_EXPERIENCE}
)
CHOICE_VALUE_MAX_LENGTH = 50
RULE_DELAY_MAX_HOURS = 720


def language_names() -> dict[str, str]:
    """The languages a survey may offer, code → name, from ``settings.LANGUAGES``."""
    return dict(settings.LANGUAGES)


def _refuse_if_closed(survey: Survey) -> None:
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(
            "This survey is closed and can no longer be edited. Create a new survey instead."
        )


def _lock_survey(survey: Survey) -> Survey:
    """The survey's row, locked until the transaction ends, so concurrent edits queue up."""
    return Survey.objects.select_for_update().get(pk=survey.pk)


# --- Surveys ---------------------------------------------------------------------------


def _clean_survey_fields(
    *, name: str, kind: str, languages: Sequence[str], titles: Mapping[str, str], intros: Mapping[str, str]
) -> tuple[str, list[str], dict[str, str], dict[str, str]]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append("Give the survey a name.")
    elif len(name) > Survey._meta.get_field("name").max_length:
        errors.setdefault("name", []).append("Keep the name to 200 characters.")
    if kind not in Survey.Kind.values:
        errors.setdefault("kind", []).append("Choose one of the survey kinds.")
    known = language_names()
    offered = list(dict.fromkeys(languages))  # unique, first (the default) kept first
    if not offered:
        errors.setdefault("languages", []).append("Offer at least one language.")
    unknown = [code for code in offered if code not in known]
    if unknown:
        errors.setdefault("languages", []).append(f"Unknown language: {', '.join(unknown)}.")
    if errors:
        raise ValidationError(errors)
    # Texts of languages not offered are dropped: the form shows only offered ones.
    titles_kept = {code: titles[code].strip() for code in offered if (titles.get(code) or "").strip()}
    intros_kept = {code: intros[code].strip() for code in offered if (intros.get(code) or "").strip()}
    return name, offered, titles_kept, intros_kept


def _publish_problems(survey: Survey) -> list[str]:
    """What stops ``survey`` from being answered in every language it offers; empty when ready."""
    names = language_names()
    problems = []
    questions = list(survey.questions.order_by("order"))
    if not questions:
        problems.append("Add at least one question before publishing.")
    for code in survey.languages:
        language = names.get(code, code)
        if not (survey.titles.get(code) or "").strip():
            problems.append(f"The title in {language} is missing.")
        for question in questions:
            if not (question.texts.get(code) or "").strip():
                problems.append(f"Question {question.order} has no text in {language}.")
            for choice in question.choices:
                if not (choice.get("labels", {}).get(code) or "").strip():
                    problems.append(
                        f"Question {question.order}: choice “{choice['value']}” has no label in {language}."
                    )
    return problems


@transaction.atomic
def survey_create(
    *,
    name: str,
    kind: str,
    languages: Sequence[str],
    titles: Mapping[str, str],
    intros: Mapping[str, str] | None = None,
    touchpoint: Touchpoint | None = None,
    created_by=None,
) -> Survey:
    """Create a draft survey. ``languages`` lists the offered codes, the default first."""
    name, offered, titles_kept, intros_kept = _clean_survey_fields(
        name=name, kind=kind, languages=languages, titles=titles, intros=intros or {}
    )
    return Survey.objects.create(
        name=name,
        kind=kind,
        languages=offered,
        titles=titles_kept,
        intros=intros_kept,
        touchpoint=touchpoint,
        status=Survey.Status.DRAFT,
        created_by=created_by,
    )


@transaction.atomic
def survey_update(
    *,
    survey: Survey,
    name: str,
    kind: str,
    languages: Sequence[str],
    titles: Mapping[str, str],
    intros: Mapping[str, str] | None = None,
    touchpoint: Touchpoint | None = None,
) -> Survey:
    """Change a survey's details and languages.

    Refused on a closed survey. On a live survey the result must stay
    answerable in every offered language (a title and every question's text in
    each), so a language is offered on a live survey only once it is complete.
    """
    survey = _lock_survey(survey)
    _refuse_if_closed(survey)
    name, offered, titles_kept, intros_kept = _clean_survey_fields(
        name=name, kind=kind, languages=languages, titles=titles, intros=intros or {}
    )
    survey.name, survey.kind, survey.languages = name, kind, offered
    survey.titles, survey.intros, survey.touchpoint = titles_kept, intros_kept, touchpoint
    if survey.status == Survey.Status.LIVE:
        problems = _publish_problems(survey)
        if problems:
            raise ValidationError(
                {"languages": ["A live survey must stay complete in every language it offers.", *problems]}
            )
    survey.save()
    return survey


@transaction.atomic
def survey_publish(*, survey: Survey) -> Survey:
    """Draft → live. Refused without questions, or when an offered language lacks a title,
    a question text or a choice label."""
    survey = _lock_survey(survey)
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(
            f"Only a draft survey can be published; this one is {survey.get_status_display()}."
        )
    problems = _publish_problems(survey)
    if problems:
        raise ValidationError(problems)
    survey.status = Survey.Status.LIVE
    survey.save(update_fields=["status", "updated_at"])
    return survey


@transaction.atomic
def survey_close(*, survey: Survey) -> Survey:
    """Live → closed: the survey takes no new invitations and is no longer edited."""
    survey = _lock_survey(survey)
    if survey.status != Survey.Status.LIVE:
        raise ValidationError(f"Only a live survey can be closed; this one is {survey.get_status_display()}.")
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status", "updated_at"])
    return survey


# --- Questions -------------------------------------------------------------------------


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
) -> dict:
    """The question's stored values, normalised; raises ValidationError listing every problem."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    names = language_names()
    if type not in Question.Type.values:
        refuse("type", "Choose one of the question types.")
    texts_kept = {
        code: text.strip() for code, text in texts.items() if code in names and (text or "").strip()
    }
    for code in survey.languages:
        if code not in texts_kept:
            refuse("texts", f"Write the question in {names.get(code, code)}: the survey offers it.")

    choices_kept: list[dict] = []
    if type in CHOICE_TYPES:
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
                refuse(
                    "choices", f"Choice value “{value}” is longer than {CHOICE_VALUE_MAX_LENGTH} characters."
                )
            if value in seen:
                refuse("choices", f"Choice value “{value}” is used twice; values must be unique.")
            seen.add(value)
            for code in survey.languages:
                if code not in labels:
                    refuse("choices", f"Choice “{value}” needs a label in {names.get(code, code)}.")
            choices_kept.append({"value": value, "labels": labels})
        if len(choices_kept) < 2:
            refuse("choices", "A choice question needs at least two choices.")

    if type in FIXED_SCALES:
        scale_min, scale_max = FIXED_SCALES[type]
    elif type == Question.Type.RATING:
        if scale_min is None:
            refuse("scale_min", "A rating needs the lowest point of its scale.")
        if scale_max is None:
            refuse("scale_max", "A rating needs the highest point of its scale.")
    elif type == Question.Type.EXPECTATION_EXPERIENCE:
        # Both halves share one scale, or none (a free positive number such as days).
        if (scale_min is None) != (scale_max is None):
            refuse("scale_max", "Give both ends of the scale, or neither for a free number.")
    else:
        scale_min = scale_max = None
    if scale_min is not None and scale_max is not None and type not in FIXED_SCALES:
        lowest = 1 if type == Question.Type.EXPECTATION_EXPERIENCE else RATING_SCALE_LOWEST
        if scale_min < lowest:
            reason = " (an expectation must be above 0)" if lowest == 1 else ""
            refuse("scale_min", f"The scale starts at {lowest} or higher{reason}.")
        if scale_max > RATING_SCALE_HIGHEST:
            refuse("scale_max", f"The scale ends at {RATING_SCALE_HIGHEST} or lower.")
        if scale_min >= scale_max:
            refuse("scale_max", "The highest point must be above the lowest.")

    labels_kept: dict[str, list[str]] = {}
    if type in SCALED_TYPES and scale_min is not None:
        for code, pair in scale_labels.items():
            ends = [(end or "").strip() for end in [*pair, "", ""][:2]]
            if code in names and any(ends):
                labels_kept[code] = ends

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
    passed; a rating needs a scale within 0–10; an expectation/experience pair
    takes a scale within 1–10 or none (a free positive number). Choices go
    only with choice questions, a direction only with expectation pairs.
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
    """
    survey = _lock_survey(question.survey)
    _refuse_if_closed(survey)
    question = Question.objects.select_for_update().get(pk=question.pk)
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
    )
    if question.answers.exists():
        _refuse_destructive_change(question, values)
    for field, value in values.items():
        setattr(question, field, value)
    question.required = required
    question.save()
    return question


def _refuse_destructive_change(question: Question, values: Mapping) -> None:
    errors: dict[str, str] = {}
    kept = "This question already has answers, so"
    if values["type"] != question.type:
        errors["type"] = f"{kept} its type cannot change. Add a new question instead."
    elif values["type"] not in FIXED_SCALES and (values["scale_min"], values["scale_max"]) != (
        question.scale_min,
        question.scale_max,
    ):
        errors["scale_max"] = (
            f"{kept} its scale cannot change (it stays {question.scale_min}–{question.scale_max}). "
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


# --- Survey rules ----------------------------------------------------------------------


@transaction.atomic
def survey_rule_create(
    *, survey: Survey, touchpoint: Touchpoint | None = None, stage: str = "", delay_hours: int = 24
) -> SurveyRule:
    """ "After an interaction at ``touchpoint`` — or at any touchpoint of ``stage`` — invite with
    ``survey`` after ``delay_hours`` (0–720)." Exactly one of touchpoint and stage is given.
    Refused on a closed survey, which takes no new invitations."""
    survey = _lock_survey(survey)
    _refuse_if_closed(survey)
    errors: dict[str, list[str]] = {}
    if (touchpoint is None) == (not stage):
        message = (
            "Choose a touchpoint or a stage, not both." if touchpoint else "Choose a touchpoint or a stage."
        )
        errors["__all__"] = [message]
    elif stage and stage not in Stage.values:
        errors["stage"] = ["Choose one of the stages."]
    if delay_hours is None or not 0 <= delay_hours <= RULE_DELAY_MAX_HOURS:
        errors["delay_hours"] = [f"The delay is between 0 and {RULE_DELAY_MAX_HOURS} hours (30 days)."]
    if errors:
        raise ValidationError(errors)
    return SurveyRule.objects.create(
        survey=survey, touchpoint=touchpoint, stage=stage, delay_hours=delay_hours
    )


@transaction.atomic
def survey_rule_set_active(*, rule: SurveyRule, active: bool) -> SurveyRule:
    """Switch a rule on or off; a rule of a closed survey can only be switched off."""
    if active and rule.survey.status == Survey.Status.CLOSED:
        raise ValidationError("This survey is closed; its rules cannot be switched on.")
    SurveyRule.objects.filter(pk=rule.pk).update(active=active)
    rule.active = active
    return rule


@transaction.atomic
def survey_rule_delete(*, rule: SurveyRule) -> None:
    """Delete a rule; invitations it created stay, without their rule."""
    SurveyRule.objects.filter(pk=rule.pk).delete()
