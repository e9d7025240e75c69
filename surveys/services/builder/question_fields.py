"""A question's fields as a manager typed them, checked and normalised: texts per language, choices,
scale and its end labels, direction and driver. Every problem is collected, then raised at once."""

from collections.abc import Callable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from surveys.models import Question, Survey
from surveys.scale_labels import NO_SCALE_LABELS, STANDARD_SCALE_LABELS, scale_label_pair
from surveys.services.answer_form import DEFAULT_PAIR_SCALE
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
    language_names,
)


def clean_question_fields(
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
        refuse("type", gettext("Choose one of the question types."))
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
    direction = _clean_direction(type, direction, refuse=refuse)
    _check_driver(type, driver, refuse=refuse)
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


def _clean_direction(type: str, direction: str, *, refuse: _Refuse) -> str:
    """Which way is better: the pair's own choice; every other type is higher-is-better."""
    if direction not in Direction.values:
        refuse("direction", gettext("Choose which way is better."))
    return direction if type == Question.Type.EXPECTATION_EXPERIENCE else Direction.HIGHER_IS_BETTER


def _check_driver(type: str, driver: str, *, refuse: _Refuse) -> None:
    if driver and driver not in Question.Driver.values:
        refuse("driver", gettext("Choose one of the driver dimensions."))
    elif driver and type not in DRIVER_TYPES:
        refuse(
            "driver",
            gettext("Only CSAT, CES, rating and expectation questions measure a driver dimension."),
        )


def _clean_texts(
    texts: Mapping[str, str], *, survey: Survey, names: Mapping[str, str], refuse: _Refuse
) -> dict:
    """The question's non-blank texts in known languages, stripped; one in each language the survey offers."""
    kept = {code: text.strip() for code, text in texts.items() if code in names and (text or "").strip()}
    for code in survey.languages:
        if code not in kept:
            language = names.get(code, code)
            refuse(
                "texts",
                gettext("Write the question in %(language)s: the survey offers it.") % {"language": language},
            )
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
            refuse("choices", gettext("Every choice needs a value."))
            continue
        if len(value) > CHOICE_VALUE_MAX_LENGTH:
            message = gettext("Choice value “%(value)s” is longer than %(limit)s characters.")
            refuse("choices", message % {"value": value, "limit": CHOICE_VALUE_MAX_LENGTH})
        if value in seen:
            message = gettext("Choice value “%(value)s” is used twice; values must be unique.")
            refuse("choices", message % {"value": value})
        seen.add(value)
        for code in survey.languages:
            if code not in labels:
                message = gettext("Choice “%(value)s” needs a label in %(language)s.")
                refuse("choices", message % {"value": value, "language": names.get(code, code)})
        kept.append({"value": value, "labels": labels})
    if len(kept) < 2:
        refuse("choices", gettext("A choice question needs at least two choices."))
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
            refuse("scale_min", gettext("A rating needs the lowest point of its scale."))
        if scale_max is None:
            refuse("scale_max", gettext("A rating needs the highest point of its scale."))
    elif type == Question.Type.EXPECTATION_EXPERIENCE:
        # Both halves are asked on one scale, the one the public page shows (common.SCALE_HELP).
        if scale_min is None and scale_max is None:
            scale_min, scale_max = DEFAULT_PAIR_SCALE
        elif scale_min is None or scale_max is None:
            low, high = DEFAULT_PAIR_SCALE
            message = gettext("Give both ends of the scale, or neither for %(low)s–%(high)s.")
            refuse("scale_max", message % {"low": low, "high": high})
    else:
        scale_min = scale_max = None
    if scale_min is not None and scale_max is not None and type not in FIXED_SCALES:
        pair = type == Question.Type.EXPECTATION_EXPERIENCE
        lowest = PAIR_SCALE_LOWEST if pair else RATING_SCALE_LOWEST
        if scale_min < lowest:
            message = (
                gettext("The scale starts at %(lowest)s or higher (an expectation must be above 0).")
                if pair
                else gettext("The scale starts at %(lowest)s or higher.")
            )
            refuse("scale_min", message % {"lowest": lowest})
        if scale_max > RATING_SCALE_HIGHEST:
            message = gettext("The scale ends at %(highest)s or lower.")
            refuse("scale_max", message % {"highest": RATING_SCALE_HIGHEST})
        if scale_min >= scale_max:
            refuse("scale_max", gettext("The highest point must be above the lowest."))
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


def without_standard_labels_of(question_type: str, scale_labels: Mapping[str, Sequence[str]]) -> dict:
    """``scale_labels`` with the languages still holding ``question_type``'s standard labels blanked,
    so a question changing type does not keep the end labels of its former one."""
    standard = STANDARD_SCALE_LABELS.get(question_type, {})
    return {
        code: [] if code in standard and scale_label_pair(list(ends)) == standard[code] else ends
        for code, ends in scale_labels.items()
    }
