"""Follow-up cases, for agents and CX managers: the list (overdue first), one case, and the
changes people make to it (take from the queue, move forward, assign).

Thin views: the rules live in ``followups.services.work`` and the reads in
``followups.selectors``. A case outside what the user may see answers 404, as if it
did not exist; a change the user may not make answers 403.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from access.roles import MANAGER, ROLES, has_role, role_required
from followups import selectors
from followups.models import FollowUp, FollowUpStatus
from followups.services import work as services

PAGE_SIZE = 50


class CaseFilterForm(forms.Form):
    scope = forms.ChoiceField(
        choices=[
            (selectors.SCOPE_OPEN, pgettext_lazy("cases to show", "To do")),
            (selectors.SCOPE_RESOLVED, pgettext_lazy("cases to show", "Resolved")),
            (selectors.SCOPE_ALL, pgettext_lazy("cases to show", "All")),
        ],
        required=False,
    )
    assignee = forms.ChoiceField(
        choices=[
            ("", pgettext_lazy("whose cases", "Everyone's")),
            (selectors.ASSIGNEE_MINE, pgettext_lazy("whose cases", "Mine")),
            (selectors.ASSIGNEE_QUEUE, pgettext_lazy("whose cases", "Queue")),
        ],
        required=False,
    )

    def __init__(self, *args, manager: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not manager:  # an agent's widest view is their own cases and the queue
            choices = self.fields["assignee"].choices
            self.fields["assignee"].choices = [
                ("", pgettext_lazy("whose cases", "Mine and the queue")),
                *choices[1:],
            ]


class CaseProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=FollowUpStatus.choices)
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        max_length=services.OUTCOME_MAX_LENGTH,
        help_text=_("Required to resolve: what was done, e.g. “Refunded the delivery fee”."),
        widget=forms.TextInput(attrs={"list": "case-outcomes", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=services.NOTE_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("What happened: the call, what they said.")}
        ),
    )

    def __init__(self, *args, case: FollowUp, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = set(services.follow_up_next_statuses(case.status))
        self.fields["status"].choices = [(v, label) for v, label in FollowUpStatus.choices if v in allowed]
        self.fields["status"].initial = case.status
        self.fields["outcome"].initial = case.outcome
        if case.status == FollowUpStatus.RESOLVED:
            # A resolved case is closed: it only takes notes.
            self.fields["status"].widget = forms.HiddenInput()
            del self.fields["outcome"]


class PersonChoiceField(forms.ModelChoiceField):
    """People by name (their username when they have none), as everywhere else on the case pages."""

    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class CaseAssignForm(forms.Form):
    assignee = PersonChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Team queue")
    )

    def __init__(self, *args, case: FollowUp, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.follow_up_assignees()
        self.fields["assignee"].initial = case.assignee_id


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _case(request: HttpRequest, follow_up_id: int) -> FollowUp:
    try:
        return selectors.follow_up_detail(follow_up_id=follow_up_id, user=request.user)
    except FollowUp.DoesNotExist:
        raise Http404("No such case.") from None


def _detail_page(
    request: HttpRequest, case: FollowUp, *, progress_form=None, assign_form=None
) -> HttpResponse:
    may_work = selectors.follow_up_may_work(case, request.user)
    is_manager = has_role(request.user, MANAGER)
    context = {
        "case": case,
        "may_work": may_work,
        "may_take": selectors.follow_up_may_take(case, request.user),
        "progress_form": progress_form or (CaseProgressForm(case=case) if may_work else None),
        "assign_form": assign_form
        or (CaseAssignForm(case=case) if is_manager and case.status != FollowUpStatus.RESOLVED else None),
    }
    return render(request, "followups/detail.html", context)


@role_required(*ROLES)
@require_GET
def follow_up_list(request: HttpRequest) -> HttpResponse:
    is_manager = has_role(request.user, MANAGER)
    filters = CaseFilterForm(request.GET, manager=is_manager)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    scope = chosen.get("scope") or selectors.SCOPE_OPEN
    assignee = chosen.get("assignee") or ""
    cases = selectors.follow_up_list(user=request.user, scope=scope, assignee=assignee)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "cases": selectors.with_recovery(page.object_list),
        "scope": scope,
        "assignee": assignee,
        "filters": filters,
        "is_manager": is_manager,
        "query_without_page": f"scope={scope}&assignee={assignee}",
    }
    return render(request, "followups/list.html", context)


@role_required(*ROLES)
@require_GET
def follow_up_detail(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    return _detail_page(request, _case(request, follow_up_id))


@role_required(*ROLES)
@require_POST
def follow_up_take(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    try:
        case = selectors.follow_up_detail(follow_up_id=follow_up_id, user=request.user)
    except FollowUp.DoesNotExist:
        # Most often a colleague took it since the list was loaded: say so, back to the list.
        messages.error(request, gettext("This case is no longer in the queue: someone else has taken it."))
        return redirect("follow-up-list")
    try:
        services.follow_up_take(follow_up_id=case.pk, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("follow-up-list")
    messages.success(request, gettext("The case is yours now."))
    return redirect("follow-up-detail", follow_up_id=case.pk)


@role_required(*ROLES)
@require_POST
def follow_up_update(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    case = _case(request, follow_up_id)
    form = CaseProgressForm(request.POST, case=case)
    if form.is_valid():
        try:
            updated = services.follow_up_progress(follow_up_id=case.pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            status = str(updated.get_status_display()).lower()
            messages.success(request, gettext("Case saved: %(status)s.") % {"status": status})
            return redirect("follow-up-detail", follow_up_id=case.pk)
    return _detail_page(request, case, progress_form=form)


@role_required(MANAGER)
@require_POST
def follow_up_assign(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    case = _case(request, follow_up_id)
    form = CaseAssignForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.follow_up_assign(
                follow_up_id=case.pk, assignee=form.cleaned_data["assignee"], by=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, gettext("Case assigned."))
            return redirect("follow-up-detail", follow_up_id=case.pk)
    return _detail_page(request, case, assign_form=form)
