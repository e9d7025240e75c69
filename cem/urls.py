"""Top-level URLs: each app mounts its own (by dotted path, so the wiring imports no app)."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return HttpResponseRedirect(static("img/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    # Sign-in first: its admin door must win over the admin's own login URL.
    path("", include("access.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("audit/", include("audit.urls")),
    path("", include("analytics.urls")),
    path("follow-ups/", include("followups.urls")),
    path("", include("workspace.urls")),
    path("", include("touchpoints.urls")),
    path("", include("privacy.urls")),
    path("", include("exports.urls")),
    path("", include("surveys.urls")),
    path("journey-maps/", include("journeys.urls")),
]

# An outage (database, cache or broker unreachable) answers 503 with Retry-After; see infra.outages.
handler500 = "infra.outages.server_error"
