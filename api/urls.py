"""``/api/``: version 1 of the REST API (each app mounts its resources), the schema and its docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .views import api_not_found

v1 = [
    path("", include("touchpoints.api.urls")),
    path("", include("journeys.api.urls")),
    path("", include("surveys.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("followups.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("exports.api.urls")),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (``?script``), not inline, so the
    # site's Content-Security-Policy (script-src 'self') holds on the docs page too.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^", api_not_found),
]
