"""The survey builder: CX managers create surveys, their questions and rules, and publish them.

Thin views: each validates its input, calls one service of ``surveys.services.builder``
(or a selector) and renders or redirects. Every change is a POST; a refused change
comes back as a form error or, for the buttons of the survey page, as a message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.roles import MANAGER, role_required
from surveys.selectors import builder as selectors

from ..forms.builder import QuestionForm, SurveyForm, add_service_error
from ..forms.rules import SurveyRuleForm
from ..models import Survey
from ..services import builder as services


def _survey_page(survey_id: int, anchor: str = "") -> str:
    url = reverse("survey-builder-detail", args=[survey_id])
    return f"{url}#{anchor}" if anchor else url


def _refusal_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@role_required(MANAGER)
@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = list(selectors.survey_list_for_builder())
    names, separator = services.language_names(), pgettext("list separator", ", ")
    for survey in surveys:
        survey.language_list = separator.join(names.get(code, code) for code in survey.languages)
    return render(request, "surveys/builder/list.html", {"surveys": surveys})


@role_required(MANAGER)
@require_http_methods(["GET", "POST"])
def survey_new(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            survey = services.survey_create(**form.service_kwargs(), created_by=request.user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            message = gettext("Survey “%(name)s” created as a draft. Now add its questions.")
            messages.success(request, message % {"name": survey.name})
            return redirect(_survey_page(survey.pk))
    return render(request, "surveys/builder/survey_form.html", {"form": form, "survey": None})


@role_required(MANAGER)
@require_GET
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    return _render_survey_page(request, survey_id, rule_form=SurveyRuleForm())


def _render_survey_page(request: HttpRequest, survey_id: int, *, rule_form: SurveyRuleForm) -> HttpResponse:
    try:
        page = selectors.survey_builder_page(survey_id=survey_id)
    except Survey.DoesNotExist:
        raise Http404("No such survey.") from None
    survey = page["survey"]
    names = services.language_names()
    context = {
        **page,
        "languages": [{"code": code, "name": names.get(code, code)} for code in survey.languages],
        "rule_form": rule_form,
        "editable": survey.status != Survey.Status.CLOSED,
    }
    return render(request, "surveys/builder/detail.html", context)


@role_required(MANAGER)
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    form = SurveyForm(request.POST if request.method == "POST" else None, survey=survey)
    if form.is_bound and form.is_valid():
        try:
            services.survey_update(survey=survey, **form.service_kwargs())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, gettext("Survey saved."))
            return redirect(_survey_page(survey.pk))
    return render(request, "surveys/builder/survey_form.html", {"form": form, "survey": survey})


@role_required(MANAGER)
@require_POST
def survey_publish(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    try:
        services.survey_publish(survey=survey)
    except ValidationError as error:
        messages.error(request, gettext("The survey cannot be published yet:"))
        _refusal_messages(request, error)
    else:
        message = gettext("The survey is live: rules and the API can now invite customers to it.")
        messages.success(request, message)
    return redirect(_survey_page(survey.pk))


@role_required(MANAGER)
@require_POST
def survey_close(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    try:
        services.survey_close(survey=survey)
    except ValidationError as error:
        _refusal_messages(request, error)
    else:
        messages.success(request, gettext("The survey is closed: it takes no new invitations."))
    return redirect(_survey_page(survey.pk))


@role_required(MANAGER)
@require_http_methods(["GET", "POST"])
def question_new(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    if request.method == "POST":
        form = QuestionForm(request.POST, survey=survey)
    else:
        # ?type=nps starts the form as that type, its standard end labels filled in to edit.
        form = QuestionForm(survey=survey, new_type=request.GET.get("type", ""))
    if form.is_bound and form.is_valid():
        try:
            question = services.question_create(survey=survey, **form.service_kwargs())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, gettext("Question %(number)s added.") % {"number": question.order})
            return redirect(_survey_page(survey.pk, "questions"))
    context = {"form": form, "survey": survey, "question": None}
    return render(request, "surveys/builder/question_form.html", context)


@role_required(MANAGER)
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    question = get_object_or_404(selectors.question_for_builder(survey_id=survey_id), pk=question_id)
    form = QuestionForm(
        request.POST if request.method == "POST" else None, survey=question.survey, question=question
    )
    if form.is_bound and form.is_valid():
        try:
            services.question_update(question=question, **form.service_kwargs())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, gettext("Question %(number)s saved.") % {"number": question.order})
            return redirect(_survey_page(survey_id, "questions"))
    context = {"form": form, "survey": question.survey, "question": question}
    return render(request, "surveys/builder/question_form.html", context)


@role_required(MANAGER)
@require_http_methods(["GET", "POST"])
def question_delete(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    question = get_object_or_404(selectors.question_for_builder(survey_id=survey_id), pk=question_id)
    if request.method == "GET":
        context = {
            "survey": question.survey,
            "question": question,
            "text": question.text_in(question.survey.default_language),
        }
        return render(request, "surveys/builder/question_delete.html", context)
    try:
        services.question_delete(question=question)
    except ValidationError as error:
        _refusal_messages(request, error)
    else:
        messages.success(request, gettext("Question %(number)s deleted.") % {"number": question.order})
    return redirect(_survey_page(survey_id, "questions"))


@role_required(MANAGER)
@require_POST
def question_move(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    question = get_object_or_404(selectors.question_for_builder(survey_id=survey_id), pk=question_id)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return HttpResponseBadRequest("direction must be up or down")
    try:
        services.question_move(question=question, up=direction == "up")
    except ValidationError as error:
        _refusal_messages(request, error)
    return redirect(_survey_page(survey_id, "questions"))


@role_required(MANAGER)
@require_POST
def survey_rule_new(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    form = SurveyRuleForm(request.POST)
    if form.is_valid():
        try:
            services.survey_rule_create(survey=survey, **form.service_kwargs())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, gettext("Rule added."))
            return redirect(_survey_page(survey.pk, "rules"))
    return _render_survey_page(request, survey.pk, rule_form=form)


@role_required(MANAGER)
@require_POST
def survey_rule_set_active(request: HttpRequest, survey_id: int, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(selectors.survey_rule_for_builder(survey_id=survey_id), pk=rule_id)
    active = request.POST.get("active")
    if active not in ("0", "1"):
        return HttpResponseBadRequest("active must be 0 or 1")
    try:
        services.survey_rule_set_active(rule=rule, active=active == "1")
    except ValidationError as error:
        _refusal_messages(request, error)
    else:
        messages.success(
            request, gettext("Rule switched on.") if active == "1" else gettext("Rule switched off.")
        )
    return redirect(_survey_page(survey_id, "rules"))


@role_required(MANAGER)
@require_POST
def survey_rule_delete(request: HttpRequest, survey_id: int, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(selectors.survey_rule_for_builder(survey_id=survey_id), pk=rule_id)
    services.survey_rule_delete(rule=rule)
    messages.success(request, gettext("Rule deleted."))
    return redirect(_survey_page(survey_id, "rules"))
