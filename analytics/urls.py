from django.urls import include, path

from .views import health

urlpatterns = [
    path("health/", health.health, name="health"),
    path("dashboards/", include("analytics.urls_dashboards")),
    path("follow-ups/", include("analytics.urls_followups")),
]
