"""The staff landing page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from access.roles import MANAGER, ROLES, has_role, role_required
from surveys import selectors as survey_selectors
from touchpoints import selectors


@role_required(*ROLES)
def home(request: HttpRequest) -> HttpResponse:
    """The staff landing page: the latest contacts on every channel, and the platform's size."""
    context = {
        "recent_interactions": selectors.interaction_recent(limit=15),
        "counts": selectors.catalogue_counts(),
    }
    if has_role(request.user, MANAGER):
        context["survey_counts"] = survey_selectors.survey_counts()
    return render(request, "workspace/home.html", context)
