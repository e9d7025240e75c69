from django.urls import path

from .journeys import JourneysView
from .metrics import CESView, CSATView, DriversView, ExpectationView, NPSView, PeakEndView

urlpatterns = [
    path("metrics/nps/", NPSView.as_view(), name="metrics-nps"),
    path("metrics/csat/", CSATView.as_view(), name="metrics-csat"),
    path("metrics/ces/", CESView.as_view(), name="metrics-ces"),
    path("metrics/expectation/", ExpectationView.as_view(), name="metrics-expectation"),
    path("metrics/peak-end/", PeakEndView.as_view(), name="metrics-peak-end"),
    path("metrics/drivers/", DriversView.as_view(), name="metrics-drivers"),
    path("metrics/journeys/", JourneysView.as_view(), name="metrics-journeys"),
]
