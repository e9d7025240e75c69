from rest_framework.routers import SimpleRouter

from .views import JourneyMapViewSet, JourneyViewSet

router = SimpleRouter()
router.register("journeys", JourneyViewSet, basename="journey")
router.register("journey-maps", JourneyMapViewSet, basename="journey-map")

urlpatterns = router.urls
