"""Top-level URLs: each app mounts its own; authentication and the admin live here."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path

from cem.signin import AdminSignInForm, SignInForm, refused_with_429

admin.site.site_header = "CEM administration"
admin.site.site_title = "CEM admin"
# Both sign-in doors count failures against the same limit (cem/signin.py).
admin.site.login_form = AdminSignInForm


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return HttpResponseRedirect(static("img/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path(
        "login/",
        refused_with_429(
            auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm)
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/login/", refused_with_429(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/", include("cem.api.urls")),
    path("audit/", include("cem.audit.urls")),
    path("", include("analytics.urls")),
    path("", include("touchpoints.urls")),
    path("", include("surveys.urls")),
]

# An outage (database, cache or broker unreachable) answers 503 with Retry-After; see cem.outages.
handler500 = "cem.outages.server_error"
