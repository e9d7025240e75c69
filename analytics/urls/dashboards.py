"""Dashboard pages, mounted at ``dashboards/``; every page takes the filter bar's GET parameters."""

from django.urls import path

from analytics.views import dashboards

urlpatterns = [
    path("", dashboards.overview, name="dashboard-overview"),
    path("touchpoints/", dashboards.touchpoints, name="dashboard-touchpoints"),
    path(
        "touchpoints/<int:touchpoint_id>/", dashboards.touchpoint_detail, name="dashboard-touchpoint-detail"
    ),
    path("journeys/", dashboards.journeys, name="dashboard-journeys"),
    path("drivers/", dashboards.drivers, name="dashboard-drivers"),
    path("comments/", dashboards.comments, name="dashboard-comments"),
    path("<slug:slug>/export.<str:fmt>", dashboards.export, name="dashboard-export"),
]
