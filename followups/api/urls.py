from rest_framework.routers import SimpleRouter

from .views import FollowUpViewSet

router = SimpleRouter()
router.register("follow-ups", FollowUpViewSet, basename="follow-up")

urlpatterns = router.urls
