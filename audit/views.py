"""The audit log page, for CX managers: recent events, newest first, filtered by action."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from access.roles import MANAGER, role_required

from .forms import AuditFilterForm
from .selectors import audit_events_recent

PAGE_SIZE = 50


@role_required(MANAGER)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    action = form.cleaned_data["action"] if form.is_valid() else ""
    page = Paginator(audit_events_recent(action=action), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "action": action, "page": page, "events": page.object_list}
    return render(request, "audit/event_list.html", context)
