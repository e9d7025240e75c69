from django.urls import include, path

from analytics.views import health

urlpatterns = [
    path("health/", health.health, name="health"),
    path("dashboards/", include("analytics.urls.dashboards")),
]
