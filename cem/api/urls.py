"""``/api/``: version 1 of the REST API (each app mounts its resources), the schema and its docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .views import api_not_found

v1 = [
    path("", include("touchpoints.api.urls")),
    path("", include("journeys.api.urls")),
    path("", include("surveys.api.urls")),
    path("", include("analytics.api.urls")),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^", api_not_found),
]
