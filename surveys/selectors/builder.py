"""Reads of the survey builder: the survey list, one survey with its questions and rules."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from surveys.models import Answer, Question, Response, Survey, SurveyRule
from touchpoints.models import Touchpoint


def _count_of(model, **filters) -> Coalesce:
    """A correlated COUNT(*) of ``model`` rows matching ``filters`` (0 when none).

    Subqueries rather than two joined ``Count``s: joining questions and responses
    at once would multiply the rows before counting.
    """
    counted = (
        model.objects.filter(**filters)
        .order_by()
        .values(*filters)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def survey_list_for_builder() -> QuerySet[Survey]:
    """Every survey, most recently changed first, with ``question_count`` and ``response_count``:
    one query however many surveys there are."""
    return Survey.objects.annotate(
        question_count=_count_of(Question, survey=OuterRef("pk")),
        response_count=_count_of(Response, survey=OuterRef("pk")),
    ).order_by("-updated_at", "-id")


def survey_for_builder() -> QuerySet[Survey]:
    """Surveys with what the builder's survey page shows: the touchpoint, the questions in
    order (each with ``answered``: has at least one answer) and the rules with their
    touchpoints. Filter it by ``pk``."""
    questions = Question.objects.annotate(answered=Exists(Answer.objects.filter(question=OuterRef("pk"))))
    return Survey.objects.select_related("touchpoint").prefetch_related(
        Prefetch("questions", queryset=questions.order_by("order")),
        Prefetch("rules", queryset=SurveyRule.objects.select_related("touchpoint").order_by("id")),
    )


def survey_builder_page(*, survey_id: int) -> dict:
    """What the builder's survey page shows: ``survey``, its ``questions`` in order, each with
    ``answered`` and ``text`` (in the survey's default language), and its ``rules``; three
    queries. Raises ``Survey.DoesNotExist``."""
    survey = survey_for_builder().get(pk=survey_id)
    questions = list(survey.questions.all())
    for question in questions:
        question.text = question.text_in(survey.default_language)
    return {"survey": survey, "questions": questions, "rules": list(survey.rules.all())}


def question_for_builder(*, survey_id: int) -> QuerySet[Question]:
    """The questions of one survey, with ``answered`` and their survey; filter by ``pk``."""
    return (
        Question.objects.filter(survey_id=survey_id)
        .select_related("survey")
        .annotate(answered=Exists(Answer.objects.filter(question=OuterRef("pk"))))
    )


def survey_rule_for_builder(*, survey_id: int) -> QuerySet[SurveyRule]:
    """The rules of one survey, with the survey; filter by ``pk``."""
    return SurveyRule.objects.filter(survey_id=survey_id).select_related("survey", "touchpoint")


def touchpoint_choices(*, including_id: int | None = None) -> QuerySet[Touchpoint]:
    """Touchpoints a survey or rule can point at: the active ones, plus ``including_id`` (the
    one already chosen, even if since deactivated), ordered as the catalogue is."""
    active = Touchpoint.objects.filter(active=True)
    if including_id is None:
        return active
    return active | Touchpoint.objects.filter(pk=including_id)
