"""Top-level URLs: each app mounts its own; authentication and the admin live here."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

admin.site.site_header = "CEM administration"
admin.site.site_title = "CEM admin"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", include("cem.api.urls")),
    path("", include("analytics.urls")),
    path("", include("touchpoints.urls")),
    path("", include("surveys.urls")),
]
