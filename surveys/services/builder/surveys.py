"""Surveys: create, edit, publish and close."""

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, pgettext

from surveys.models import Survey
from touchpoints.models import Touchpoint

from .common import (
    _lock_survey,
    _refuse_if_closed,
    language_names,
)


def _clean_survey_fields(
    *, name: str, kind: str, languages: Sequence[str], titles: Mapping[str, str], intros: Mapping[str, str]
) -> tuple[str, list[str], dict[str, str], dict[str, str]]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append(gettext("Give the survey a name."))
    elif len(name) > Survey._meta.get_field("name").max_length:
        limit = Survey._meta.get_field("name").max_length
        errors.setdefault("name", []).append(
            gettext("Keep the name to %(limit)s characters.") % {"limit": limit}
        )
    if kind not in Survey.Kind.values:
        errors.setdefault("kind", []).append(gettext("Choose one of the survey kinds."))
    known = language_names()
    offered = list(dict.fromkeys(languages))  # unique, first (the default) kept first
    if not offered:
        errors.setdefault("languages", []).append(gettext("Offer at least one language."))
    unknown = [code for code in offered if code not in known]
    if unknown:
        codes = pgettext("list separator", ", ").join(unknown)
        errors.setdefault("languages", []).append(gettext("Unknown language: %(codes)s.") % {"codes": codes})
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
        problems.append(gettext("Add at least one question before publishing."))
    for code in survey.languages:
        language = names.get(code, code)
        if not (survey.titles.get(code) or "").strip():
            problems.append(gettext("The title in %(language)s is missing.") % {"language": language})
        for question in questions:
            if not (question.texts.get(code) or "").strip():
                problems.append(
                    gettext("Question %(number)s has no text in %(language)s.")
                    % {"number": question.order, "language": language}
                )
            for choice in question.choices:
                if not (choice.get("labels", {}).get(code) or "").strip():
                    problems.append(
                        gettext("Question %(number)s: choice “%(value)s” has no label in %(language)s.")
                        % {"number": question.order, "value": choice["value"], "language": language}
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
                {
                    "languages": [
                        gettext("A live survey must stay complete in every language it offers."),
                        *problems,
                    ]
                }
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
            gettext("Only a draft survey can be published; this one is %(status)s.")
            % {"status": survey.get_status_display()}
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
        raise ValidationError(
            gettext("Only a live survey can be closed; this one is %(status)s.")
            % {"status": survey.get_status_display()}
        )
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status", "updated_at"])
    return survey
