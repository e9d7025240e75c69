from django.urls import path
from rest_framework.routers import SimpleRouter

from .followups import FollowUpViewSet
from .metrics import DriversView, ExpectationView, NPSView, PeakEndView
from .webhooks import WebhookEndpointViewSet

router = SimpleRouter()
router.register("follow-ups", FollowUpViewSet, basename="follow-up")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")

urlpatterns = [
    path("metrics/nps/", NPSView.as_view(), name="metrics-nps"),
    path("metrics/expectation/", ExpectationView.as_view(), name="metrics-expectation"),
    path("metrics/peak-end/", PeakEndView.as_view(), name="metrics-peak-end"),
    path("metrics/drivers/", DriversView.as_view(), name="metrics-drivers"),
    *router.urls,
]
